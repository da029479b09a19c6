/*
 * graph.h -- what the graph and leak-hunting files (introspect.c, graph.c, graph_render.c,
 * objgraph.c) share beyond util.h: lists of found objects and the renderer's entry point.
 * Private to those files.
 */
#ifndef RCGC_GRAPH_H
#define RCGC_GRAPH_H

#include "util.h"

/* Appends vec's items to list, a new list the caller made before gathering them
 * (introspect.c, NO-SELF), and returns it; on failure releases it and returns NULL with the
 * heap's error set, naming `call`. */
rc_object *rci_list_fill(rc_heap *heap, rc_object *list, const rci_ptrvec *vec, const char *call);

/* Renders DOT text to out_path in format ("svg", "png", "pdf") with Graphviz's dot
 * program in a child process (graph_render.c, RENDER-ISOLATION): safe from any thread.
 * RC_OK, or an error with a reason in why; *unavailable is set when no dot program could
 * be run (the caller writes DOT text instead). False from rci_graph_can_render when the
 * library was built without Graphviz. */
bool rci_graph_can_render(void);
rc_status rci_graph_render(const char *dot, size_t dot_bytes, const char *format,
                           const char *out_path, char *why, size_t why_cap, bool *unavailable);

/* How many allocation sites are listed under a type's line (objgraph.c's show_growth,
 * leakguard.c's report). */
#define RCI_SITES_PER_TYPE 5u

#endif /* RCGC_GRAPH_H */
