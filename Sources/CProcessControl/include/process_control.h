#ifndef COMPGRAPH_PROCESS_CONTROL_H
#define COMPGRAPH_PROCESS_CONTROL_H

#include <sys/types.h>

/// Ends this process (SIGKILL on Linux) when `parent` dies; returns 0, or -1
/// when `parent` has died already.  Linux: `prctl(PR_SET_PDEATHSIG)`, which
/// Swift cannot call (it is variadic); elsewhere a thread waiting on a
/// kqueue for the parent's exit.
int compgraph_die_with_parent(pid_t parent);

/// Limits this process's address space to `bytes` (`RLIMIT_AS`); returns
/// setrlimit's result.
int compgraph_limit_address_space(unsigned long long bytes);

#endif
