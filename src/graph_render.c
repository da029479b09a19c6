/*
 * graph_render.c -- DOT text to SVG, PNG or PDF through Graphviz's C libraries (libgvc,
 * libcgraph). The only file that includes Graphviz headers; without them (built with
 * -DRCGC_WITH_GRAPHVIZ=OFF, or AUTO without libgvc) it says so through
 * rci_graph_can_render and graph.c writes DOT text instead.
 *
 * Each call makes and frees its own Graphviz context: rcgc keeps no state outside heaps,
 * and a context costs far less than the layout.
 */
#include "graph.h"

#include <stdio.h>

#ifdef RCGC_HAVE_GRAPHVIZ
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

bool rci_graph_can_render(void)
{
    return true;
}

rc_status rci_graph_render(const char *dot, size_t dot_bytes, const char *format,
                           const char *out_path, char *why, size_t why_cap)
{
    (void)dot_bytes;
    GVC_t *gvc = gvContext();
    if (gvc == NULL) {
        snprintf(why, why_cap, "Graphviz could not start (gvContext)");
        return RC_ENOMEM;
    }
    rc_status st = RC_OK;
    Agraph_t *g = agmemread(dot);
    if (g == NULL) {
        snprintf(why, why_cap, "Graphviz rejected the DOT text (agmemread)");
        st = RC_EINVAL;
    } else if (gvLayout(gvc, g, "dot") != 0) {
        snprintf(why, why_cap, "Graphviz layout failed (gvLayout dot)");
        st = RC_EINVAL;
    } else {
        if (gvRenderFilename(gvc, g, format, out_path) != 0) {
            snprintf(why, why_cap, "Graphviz could not render %s (gvRenderFilename)", format);
            st = RC_EOS;
        }
        gvFreeLayout(gvc, g);
    }
    if (g != NULL) agclose(g);
    gvFreeContext(gvc);
    return st;
}

#else

bool rci_graph_can_render(void)
{
    return false;
}

rc_status rci_graph_render(const char *dot, size_t dot_bytes, const char *format,
                           const char *out_path, char *why, size_t why_cap)
{
    (void)dot;
    (void)dot_bytes;
    (void)out_path;
    snprintf(why, why_cap, "rcgc was built without Graphviz; cannot render %s", format);
    return RC_EINVAL;
}

#endif
