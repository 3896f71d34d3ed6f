func scratchW1() throws {}
