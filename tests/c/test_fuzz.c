/* (e) A randomized run of >= 100,000 calls with garbage handles and arguments: every call
 * returns an HRESULT (S_OK or a failure other than E_UNEXPECTED, which would mean a panic),
 * nothing crashes, and every handle the run obtains is released. Seed: NETRT_FUZZ_SEED. */
#include "common.h"

#include <stdlib.h>

#define ITERATIONS 100000
#define POOL 11

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void) { /* xorshift64* */
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return g_rng * 0x2545F4914F6CDD1Dull;
}

static netrt_handle g_pool[POOL];
static int g_live[POOL];
static netrt_handle g_stale[64];
static int g_nstale = 0;

static void remember_stale(netrt_handle h) {
  g_stale[g_nstale++ % 64] = h;
}

static netrt_hresult make(int i, netrt_handle *out) {
  netrt_handle tmp = 0;
  netrt_hresult hr;
  switch (i) {
    case 0: return netrt_host_name_create("127.0.0.1", out);
    case 1: return netrt_stream_socket_create(out);
    case 2: return netrt_buffer_create(16, out);
    case 3: return netrt_data_writer_create(out);
    case 4:
      hr = netrt_buffer_create(8, &tmp);
      if (hr == NETRT_S_OK) hr = netrt_buffer_set_length(tmp, 8);
      if (hr == NETRT_S_OK) hr = netrt_data_reader_from_buffer(tmp, out);
      RELEASE(tmp);
      return hr;
    case 5: return netrt_stream_socket_listener_create(out);
    case 6: return netrt_datagram_socket_create(out);
    case 7: return netrt_endpoint_pair_create(0, NULL, 0, "1", out);
    case 8: /* a completed operation */
      hr = netrt_data_writer_create(&tmp);
      if (hr == NETRT_S_OK) hr = netrt_data_writer_detach_buffer(tmp, out);
      RELEASE(tmp);
      return hr;
    case 9: /* a live vector: a control's IgnorableServerCertificateErrors */
      hr = netrt_stream_socket_create(&tmp);
      netrt_handle control = 0;
      if (hr == NETRT_S_OK) hr = netrt_stream_socket_get_control(tmp, &control);
      if (hr == NETRT_S_OK) hr = netrt_stream_socket_control_get_ignorable_server_certificate_errors(control, out);
      RELEASE(control);
      RELEASE(tmp);
      return hr;
    /* IP literals only: a DNS name would make connect calls resolve (network access, and
     * glibc's per-thread resolver state on runtime threads). */
    default: return netrt_host_name_create("::1", out);
  }
}

static netrt_hresult refresh_pool(void) {
  for (int i = 0; i < POOL; i++) {
    if (g_live[i]) {
      (void)netrt_release(g_pool[i]);
      remember_stale(g_pool[i]);
    }
    g_live[i] = 0;
    netrt_hresult hr = make(i, &g_pool[i]);
    if (hr != NETRT_S_OK) return hr;
    g_live[i] = 1;
  }
  return NETRT_S_OK;
}

static netrt_handle pick_handle(int *pool_index) {
  uint64_t r = next();
  *pool_index = -1;
  switch (r % 8) {
    case 0: return 0;
    case 1: return next();                                /* garbage */
    case 2: return g_nstale ? g_stale[next() % 64] : 0;   /* released (or 0) */
    case 3: {                                             /* valid slot, newer generation */
      int i = (int)(next() % POOL);
      return g_pool[i] + ((netrt_handle)1 << 32);
    }
    default: {
      int i = (int)(next() % POOL);
      *pool_index = g_live[i] ? i : -1;
      return g_pool[i];
    }
  }
}

static const char *pick_string(void) {
  static const char *const strings[] = {NULL, "", "127.0.0.1", "1", "\xff\xfe", "example.com",
                                        "::1", "not a host name!"};
  return strings[next() % (sizeof strings / sizeof strings[0])];
}

int main(void) {
  int rc = 1;
  long ok = 0, failed = 0;
  const char *seed = getenv("NETRT_FUZZ_SEED");
  if (seed) g_rng = strtoull(seed, NULL, 0) | 1;
  printf("seed 0x%016llX, %d calls\n", (unsigned long long)g_rng, ITERATIONS);
  CHECK_OK(refresh_pool());

  for (long n = 0; n < ITERATIONS; n++) {
    int pi = -1, pj = -1;
    netrt_handle h = pick_handle(&pi);
    netrt_handle h2 = pick_handle(&pj);
    netrt_handle out = 0;
    netrt_handle *out_p = (next() % 8) ? &out : NULL;
    char buf[32];
    size_t needed = 0;
    size_t len = (size_t)(next() % 40);
    char *buf_p = (next() % 8) ? buf : NULL;
    size_t *needed_p = (next() % 8) ? &needed : NULL;
    uint32_t u32 = 0;
    int32_t i32 = 0;
    bool b = false;
    uint8_t bytes[16];
    netrt_hresult hr;
    if (len > sizeof buf) len = sizeof buf;
    if (!buf_p && next() % 2) len = 0;

    for (size_t k = 0; k < sizeof bytes; k++) bytes[k] = (uint8_t)next();
    switch (next() % 40) {
      case 0: hr = netrt_release(h); if (hr == NETRT_S_OK && pi >= 0) { g_live[pi] = 0; remember_stale(h); } break;
      case 1: hr = netrt_duplicate(h, out_p); break;
      case 2: hr = netrt_close(h); break;
      case 3: hr = netrt_get_kind(h, (netrt_kind *)(out_p ? (void *)&i32 : NULL)); break;
      case 4: hr = netrt_host_name_get_canonical_name(h, buf_p, len, needed_p); break;
      case 5: hr = netrt_host_name_create(pick_string(), out_p); break;
      case 6: hr = netrt_host_name_is_equal(h, h2, out_p ? &b : NULL); break;
      case 7: hr = netrt_host_name_compare(pick_string(), pick_string(), out_p ? &i32 : NULL); break;
      case 8: hr = netrt_stream_socket_get_control(h, out_p); break;
      case 9: hr = netrt_stream_socket_get_input_stream(h, out_p); break;
      case 10: hr = netrt_stream_socket_connect_async(h, h2, (next() % 4) ? "1" : pick_string(), out_p); break;
      case 11: hr = netrt_buffer_get_capacity(h, out_p ? &u32 : NULL); break;
      case 12: hr = netrt_buffer_set_length(h, (uint32_t)(next() % 32)); break;
      case 13: hr = netrt_data_writer_write_bytes(h, (next() % 2) ? bytes : NULL, (size_t)(next() % 16)); break;
      case 14: hr = netrt_data_writer_write_string(h, pick_string(), out_p ? &u32 : NULL); break;
      case 15: hr = netrt_data_writer_store_async(h, out_p); break;
      case 16: hr = netrt_data_writer_detach_buffer(h, out_p); break;
      case 17: hr = netrt_data_reader_read_int32(h, out_p ? &i32 : NULL); break;
      case 18: hr = netrt_data_reader_read_string(h, (uint32_t)(next() % 8), buf_p, len, needed_p); break;
      case 19: hr = netrt_data_reader_read_bytes(h, (next() % 2) ? bytes : NULL, (size_t)(next() % 16)); break;
      case 20: hr = netrt_data_reader_load_async(h, (uint32_t)next(), out_p); break;
      case 21: hr = netrt_async_get_status(h, (netrt_async_status *)(out_p ? (void *)&i32 : NULL)); break;
      case 22: hr = netrt_async_wait(h, 0); break;
      case 23: hr = netrt_async_cancel(h); break;
      case 24: hr = netrt_async_get_results_handle(h, out_p); break;
      case 25: hr = netrt_async_get_error_detail(h, buf_p, len, needed_p); break;
      case 26: hr = netrt_stream_socket_listener_bind_service_name_async(h, (next() % 2) ? "" : pick_string(), out_p); break;
      case 27: hr = netrt_datagram_socket_get_control(h, out_p); break;
      case 28: hr = netrt_endpoint_pair_set_remote_host_name(h, h2); break;
      case 29: hr = netrt_hresult_message((netrt_hresult)next(), buf_p, len, needed_p); break;
      case 30: hr = netrt_input_stream_read_async(h, h2, (uint32_t)(next() % 32), (uint32_t)(next() % 4), out_p); break;
      case 31: hr = netrt_vector_get_size(h, (next() % 8) ? &u32 : NULL); break;
      case 32: hr = netrt_vector_append_int32(h, (int32_t)(next() % 18) - 2); break;
      case 33: hr = netrt_vector_get_at_int32(h, (uint32_t)(next() % 4), (next() % 8) ? &i32 : NULL); break;
      case 34: hr = netrt_vector_remove_at(h, (uint32_t)(next() % 4)); break;
      case 35: hr = netrt_vector_append_handle(h, h2); break;
      case 36: hr = netrt_certificate_create((next() % 8) ? bytes : NULL, (size_t)(next() % 17), out_p); break;
      case 37: hr = netrt_stream_socket_control_set_client_certificate(h, h2); break;
      case 38: hr = netrt_stream_socket_information_get_server_certificate(h, out_p); break;
      case 39: hr = netrt_certificate_get_subject(h, buf_p, len, needed_p); break;
      default: hr = netrt_get_last_error_detail(buf_p, len, needed_p); break;
    }
    if (hr == NETRT_E_UNEXPECTED || hr > 0) {
      fprintf(stderr, "FAIL: call %ld returned 0x%08X\n", n, (unsigned)hr);
      print_detail();
      goto cleanup;
    }
    if (hr == NETRT_S_OK) {
      ok++;
    } else {
      failed++;
    }
    /* Object-returning calls wrote *out only on success; release whatever we got. */
    if (out != 0) {
      if (hr != NETRT_S_OK) {
        fprintf(stderr, "FAIL: call %ld wrote an out-param and failed with 0x%08X\n", n, (unsigned)hr);
        goto cleanup;
      }
      (void)netrt_release(out);
    }
    if (n % 1000 == 999) CHECK_OK(refresh_pool());
  }
  printf("%ld calls: %ld S_OK, %ld failures, all HRESULTs\n", (long)ITERATIONS, ok, failed);
  rc = 0;

cleanup:
  for (int i = 0; i < POOL; i++) {
    if (g_live[i]) (void)netrt_release(g_pool[i]);
    g_live[i] = 0;
  }
  printf("%s: test_fuzz (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
