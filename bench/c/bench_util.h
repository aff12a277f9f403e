/* What the C benchmarks share: a clock, failing loudly, and medians. Include after <netrt.h>. */
#ifndef NETRT_BENCH_UTIL_H
#define NETRT_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A benchmark that cannot run as intended measures nothing: stop. */
static inline void die(const char *what, long code) {
  fprintf(stderr, "bench: %s failed (%ld / 0x%08lX)\n", what, code, (unsigned long)code);
  exit(1);
}

#define OK(expr)                                                                          \
  do {                                                                                    \
    netrt_hresult hr_ = (expr);                                                           \
    if (hr_ != NETRT_S_OK) die(#expr, hr_);                                               \
  } while (0)

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The median of `v` (sorted in place). */
static inline double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
