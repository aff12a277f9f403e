/* netrt inside a single-threaded epoll loop: a completion queue delivers every Completed and
 * ConnectionReceived handler of an echo server and its client (cq_echo.h) on this thread,
 * inside netrt_completion_queue_dispatch, called when the queue's fd is readable. The fd is
 * watched edge-triggered (EPOLLET): dispatch signals it again while handlers remain.
 *
 *   epoll_echo        (make demo-c; make test-c builds and runs it too) */
#define _POSIX_C_SOURCE 200809L
#include <sys/epoll.h>
#include <unistd.h>

#include "cq_echo.h"

int main(void) {
  struct cq_echo echo = {0};
  netrt_handle queue = 0;
  int fd = -1, ep = -1, rounds = 0;
  uint32_t ran = 0, handlers = 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  netrt_hresult hr = netrt_completion_queue_create(&queue);
  if (hr == NETRT_S_OK) hr = netrt_completion_queue_get_fd(queue, &fd);
  /* Everything started or registered on this thread from now on reports through the queue. */
  if (hr == NETRT_S_OK) hr = netrt_completion_queue_make_current(queue);
  if (hr != NETRT_S_OK) {
    fprintf(stderr, "creating the completion queue failed: 0x%08X\n", (unsigned)hr);
    return 1;
  }
  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event watch = {.events = EPOLLIN | EPOLLET, .data.fd = fd};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &watch) != 0) {
    perror("epoll");
    return 1;
  }
  if (cq_echo_start(&echo)) {
    while (!cq_echo_over(&echo)) {
      struct epoll_event ready[8];
      int n = epoll_wait(ep, ready, 8, 10000);
      if (n <= 0) {
        fprintf(stderr, "epoll_wait: nothing happened for 10 s\n");
        echo.failed = 1;
        break;
      }
      for (int i = 0; i < n; i++) {
        if (ready[i].data.fd != fd) continue;
        hr = netrt_completion_queue_dispatch(queue, 64, &ran);
        if (hr != NETRT_S_OK) cq_echo_fail(&echo, "netrt_completion_queue_dispatch", hr);
        handlers += ran;
        rounds++;
      }
    }
  }
  printf("epoll loop: %u handlers ran in %d dispatch calls, all on this thread\n", (unsigned)handlers, rounds);
  cq_echo_release(&echo);
  netrt_completion_queue_make_current(0);
  netrt_release(queue);
  close(ep);
  return echo.failed ? 1 : 0;
}
