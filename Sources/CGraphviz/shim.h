#ifndef COMPGRAPH_CGRAPHVIZ_SHIM_H
#define COMPGRAPH_CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include <stddef.h>

/// gvRenderData whose length parameter is `unsigned int *` before Graphviz 3
/// and `size_t *` after: a zeroed size_t receives either (the low bytes of a
/// zeroed little-endian size_t hold an unsigned int), so one call site
/// compiles against both headers.
static inline int compgraph_gvRenderData(GVC_t *gvc, graph_t *g, const char *format,
                                         char **result, size_t *length) {
  *length = 0;
  return gvRenderData(gvc, g, format, result, (void *)length);
}
#endif
