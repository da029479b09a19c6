/* libFuzzer target for `rcgc snapshot`'s reader and analyses: any bytes are loaded as a
 * .heapsnapshot; malformed input must be refused with a message (never a crash, hang or
 * leak), and whatever loads is put through every analysis the subcommands run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../snapshot/snap.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct snap s;
    memset(&s, 0, sizeof s);
    if (snap_load_bytes(&s, data, size, "fuzz") != 0)
        return 0;
    char text[64];
    for (uint32_t i = 0; i < s.n_nodes; i++) {
        snap_class(&s, i, text, sizeof text);
        snap_string(&s, s.nname[i], text, sizeof text);
        snap_site(&s, i, text, sizeof text);
        for (uint32_t e = s.first_edge[i]; e < s.first_edge[i + 1]; e++)
            snap_edge_name(&s, e, text, sizeof text);
    }
    struct graph g, r;
    snap_strong_graph(&s, &g);
    uint32_t *idom;
    uint64_t *retained;
    size_t bytes;
    uint64_t *marks = snap_reached(&s, &g, &bytes);
    snap_dominators(&s, &g, &idom, &retained);
    uint32_t *edge_of;
    snap_reverse_graph(&s, &r, &edge_of);
    xfree_big(edge_of, ((size_t)r.n_edges + 1) * 4);
    snap_graph_free(&r);
    marks_free(marks, bytes);
    free(idom);
    free(retained);
    snap_free(&s);
    return 0;
}
