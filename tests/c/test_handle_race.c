/* The handle table under concurrency: lookups take no table-wide lock, so these races are the
 * ones that could read a freed object or count a reference twice.
 * (a) Threads duplicate, use and release handles to one shared buffer while others release
 *     theirs: every call succeeds and sees the buffer's real capacity.
 * (b) Two threads release the same handles at once: each handle is released exactly once
 *     (one S_OK, one RO_E_CLOSED).
 * (c) Threads look up handles — each the only reference to its buffer, so a release frees the
 *     object — while another releases them and yet another issues new handles into the freed
 *     slots: a lookup gives S_OK with the right object or RO_E_CLOSED, never
 *     another object, E_HANDLE or a crash (ASan/valgrind runs check for use after free). */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define THREADS 4
#define CHURN_ROUNDS 20000
#define BATCH 256
#define BATCHES 200

static netrt_handle g_shared;
static atomic_int g_bad = 0;

static void bad(const char *what, netrt_hresult hr) {
  if (atomic_fetch_add(&g_bad, 1) < 10) fprintf(stderr, "    %s -> 0x%08X\n", what, (unsigned)hr);
}

/* (a) */
static void *churn(void *arg) {
  int rounds = *(int *)arg;
  for (int i = 0; i < rounds; i++) {
    netrt_handle h = 0;
    uint32_t capacity = 0;
    netrt_kind kind;
    netrt_hresult hr = netrt_duplicate(g_shared, &h);
    if (hr != NETRT_S_OK) {
      bad("duplicate", hr);
      continue;
    }
    if ((hr = netrt_get_kind(h, &kind)) != NETRT_S_OK || kind != NETRT_KIND_BUFFER) bad("get_kind", hr);
    if ((hr = netrt_buffer_get_capacity(h, &capacity)) != NETRT_S_OK || capacity != 4096) bad("capacity", hr);
    if ((hr = netrt_release(h)) != NETRT_S_OK) bad("release", hr);
  }
  return NULL;
}

/* (b) */
static netrt_handle g_batch[BATCH];
static atomic_int g_released_ok, g_released_closed;
static pthread_barrier_t g_start;

static void *release_all(void *arg) {
  (void)arg;
  pthread_barrier_wait(&g_start);
  for (int i = 0; i < BATCH; i++) {
    netrt_hresult hr = netrt_release(g_batch[i]);
    if (hr == NETRT_S_OK) {
      atomic_fetch_add(&g_released_ok, 1);
    } else if ((uint32_t)hr == 0x80000013u) {
      atomic_fetch_add(&g_released_closed, 1);
    } else {
      bad("racing release", hr);
    }
  }
  return NULL;
}

/* (c) */
static atomic_int g_stop;

static void *look(void *arg) {
  (void)arg;
  while (!atomic_load(&g_stop)) {
    for (int i = 0; i < BATCH; i++) {
      uint32_t capacity = 0;
      netrt_hresult hr = netrt_buffer_get_capacity(g_batch[i], &capacity);
      if (hr == NETRT_S_OK ? capacity != 4096 : (uint32_t)hr != 0x80000013u) bad("racing lookup", hr);
    }
  }
  return NULL;
}

static void *reissue(void *arg) {
  (void)arg;
  while (!atomic_load(&g_stop)) {
    netrt_handle other = 0;
    /* Lands in slots the releases just freed; a stale lookup must not see it. */
    if (netrt_buffer_create(8, &other) == NETRT_S_OK) (void)netrt_release(other);
  }
  return NULL;
}

int main(void) {
  pthread_t t[THREADS + 2];
  int rounds = getenv("NETRT_TEST_SLOW") ? CHURN_ROUNDS / 10 : CHURN_ROUNDS;
  int batches = getenv("NETRT_TEST_SLOW") ? BATCHES / 10 : BATCHES;
  CHECK_OK(netrt_buffer_create(4096, &g_shared));

  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, churn, &rounds) == 0);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  CHECK(atomic_load(&g_bad) == 0);

  CHECK(pthread_barrier_init(&g_start, NULL, 2) == 0);
  for (int b = 0; b < batches; b++) {
    for (int i = 0; i < BATCH; i++) CHECK_OK(netrt_buffer_create(4096, &g_batch[i]));
    atomic_store(&g_released_ok, 0);
    atomic_store(&g_released_closed, 0);
    CHECK(pthread_create(&t[0], NULL, release_all, NULL) == 0);
    CHECK(pthread_create(&t[1], NULL, release_all, NULL) == 0);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    CHECK(atomic_load(&g_released_ok) == BATCH);
    CHECK(atomic_load(&g_released_closed) == BATCH);
  }
  pthread_barrier_destroy(&g_start);
  CHECK(atomic_load(&g_bad) == 0);

  for (int b = 0; b < batches; b++) {
    for (int i = 0; i < BATCH; i++) CHECK_OK(netrt_buffer_create(4096, &g_batch[i]));
    atomic_store(&g_stop, 0);
    CHECK(pthread_create(&t[0], NULL, look, NULL) == 0);
    CHECK(pthread_create(&t[1], NULL, look, NULL) == 0);
    CHECK(pthread_create(&t[2], NULL, reissue, NULL) == 0);
    for (int i = 0; i < BATCH; i++) CHECK_OK(netrt_release(g_batch[i]));
    atomic_store(&g_stop, 1);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  }
  CHECK(atomic_load(&g_bad) == 0);

  /* The shared buffer's own handle is untouched by all of it. */
  uint32_t capacity = 0;
  CHECK_OK(netrt_buffer_get_capacity(g_shared, &capacity));
  CHECK(capacity == 4096);
  CHECK_OK(netrt_release(g_shared));
  CHECK_HR(netrt_release(g_shared), 0x80000013u);
  printf("PASS: test_handle_race (%d checks)\n", g_checks);
  return 0;
cleanup:
  fprintf(stderr, "FAIL: test_handle_race\n");
  return 1;
}
