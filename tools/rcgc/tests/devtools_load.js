// Loads a .heapsnapshot into Chrome DevTools' Memory panel and prints the Summary view's
// rows (class, count), optionally saving a screenshot. Debian's chromium runs headless with
// a fresh profile; its own DevTools frontend (served by the remote-debugging port) is
// opened on a blank page, and the file goes in through the panel's "Load profile" button,
// exactly as a user loads one.
// usage: node devtools_load.js FILE [SCREENSHOT.png [CLASS-TO-EXPAND]]
//   (NODE_PATH must reach playwright-core; CHROMIUM overrides /usr/bin/chromium)
'use strict';
const {chromium} = require('playwright-core');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

function getJSON(url) {
  return new Promise((resolve, reject) => {
    http.get(url, r => {
      let d = '';
      r.on('data', c => (d += c));
      r.on('end', () => resolve(JSON.parse(d)));
    }).on('error', reject);
  });
}

(async () => {
  const [file, shot, expand] = process.argv.slice(2);
  const port = 9300 + (process.pid % 500);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rcgc-devtools-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: {width: 1280, height: 720},
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--remote-debugging-port=' + port],
  });
  try {
    const target = browser.pages()[0] || await browser.newPage();
    await target.goto('about:blank');
    const list = await getJSON(`http://127.0.0.1:${port}/json`);
    const page = list.find(t => t.type === 'page');
    const dt = await browser.newPage();
    await dt.goto(`http://127.0.0.1:${port}/devtools/inspector.html?ws=127.0.0.1:${port}/devtools/page/${page.id}&panel=heap-profiler`);
    await dt.getByRole('button', {name: 'Toggle screencast'}).click({timeout: 30000});
    const [chooser] = await Promise.all([
      dt.waitForEvent('filechooser', {timeout: 30000}),
      dt.getByRole('button', {name: /Load profile/}).first().click(),
    ]);
    await chooser.setFiles(file);
    const title = path.basename(file).replace(/\.heapsnapshot$/, '');
    // the sidebar's entry gets the snapshot's size once it is parsed; select it then
    const item = dt.getByRole('treeitem', {name: new RegExp('^' + title + ', [\\d.]+ [kMG]?B$')});
    await item.waitFor({timeout: 300000});
    await item.click();
    const rows = dt.locator('tr.data-grid-data-grid-node');
    await rows.first().waitFor({timeout: 60000});
    for (const row of await rows.all()) {
      // "list×59"; a class of one object shows no count
      const m = /^(.*?)(?:×([\d,]+))?$/.exec((await row.locator('td').first().textContent()).trim());
      if (m) console.log('class ' + m[1].trim() + ' ' + (m[2] ? m[2].replace(/,/g, '') : '1'));
    }
    const total = await dt.getByText(/objects \(/).first().textContent();
    console.log('total ' + total.trim());
    if (expand) {
      await dt.locator('tr.data-grid-data-grid-node', {hasText: expand}).first().locator('td').first().click();
      await dt.keyboard.press('ArrowRight');
      await dt.waitForTimeout(500);
      await dt.keyboard.press('ArrowDown');
      await dt.waitForTimeout(1500);
    }
    if (shot) await dt.screenshot({path: shot});
  } finally {
    await browser.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
})().catch(e => {
  console.error('devtools_load: ' + (e && e.message || e));
  process.exit(1);
});
