#ifndef COMPGRAPH_CGRAPHVIZ_SHIM_H
#define COMPGRAPH_CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#endif
