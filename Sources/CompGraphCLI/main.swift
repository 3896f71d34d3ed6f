print("compgraph: not yet")
