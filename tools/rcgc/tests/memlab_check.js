// Loads a .heapsnapshot with memlab (@memlab/heap-analysis) and prints what it computed:
//   count CLASS N      objects per class (memlab's node.name for object nodes, DevTools' rule)
//   retained ID BYTES  memlab's retained size of every node
// usage: node memlab_check.js FILE   (NODE_PATH must reach memlab's packages)
'use strict';
const {getFullHeapFromFile} = require('@memlab/heap-analysis');

function className(node) {
  const t = node.type;
  if (t === 'object' || t === 'native') return node.name;
  if (t === 'hidden') return '(system)';
  if (t === 'code') return '(compiled code)';
  return '(' + t + ')';
}

(async () => {
  const heap = await getFullHeapFromFile(process.argv[2]);
  const counts = new Map();
  const lines = [];
  let first = true;
  heap.nodes.forEach(node => {
    if (first) { // node 0: the synthetic root
      first = false;
      return;
    }
    const c = className(node);
    counts.set(c, (counts.get(c) || 0) + 1);
    lines.push('retained ' + node.id + ' ' + node.retainedSize);
  });
  for (const [c, n] of counts) lines.push('count ' + c + ' ' + n);
  process.stdout.write(lines.join('\n') + '\n');
})().catch(e => {
  console.error('memlab_check: ' + (e && e.stack || e));
  process.exit(1);
});
