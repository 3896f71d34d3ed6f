#include "process_control.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>

int compgraph_die_with_parent(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
  // The parent may have died before the call: then this process was
  // re-parented already, and no signal will come.
  return getppid() == parent ? 0 : -1;
}
#else
#include <pthread.h>
#include <stdint.h>
#include <sys/event.h>

static void *watch_parent(void *argument) {
  pid_t parent = (pid_t)(intptr_t)argument;
  int queue = kqueue();
  struct kevent change;
  EV_SET(&change, parent, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, NULL);
  struct kevent event;
  // Returns when the parent exits (or at once when it is gone already).
  if (queue >= 0) kevent(queue, &change, 1, &event, 1, NULL);
  _exit(137);
}

int compgraph_die_with_parent(pid_t parent) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, watch_parent, (void *)(intptr_t)parent) != 0) return -1;
  pthread_detach(thread);
  return getppid() == parent ? 0 : -1;
}
#endif

int compgraph_limit_address_space(unsigned long long bytes) {
  struct rlimit limit = {(rlim_t)bytes, (rlim_t)bytes};
  return setrlimit(RLIMIT_AS, &limit);
}
