/* Shared helpers for the netrt C tests: checks that print what failed and jump to cleanup. */
#ifndef NETRT_TEST_COMMON_H
#define NETRT_TEST_COMMON_H

#define _POSIX_C_SOURCE 200809L

#include <netrt.h>
#include <stdio.h>
#include <string.h>

/* Every wait in a test is bounded: a hang is a failure, not a stuck CI run. */
#define STEP_MS 10000u

static int g_checks = 0;

static inline void print_detail(void) {
  char detail[512];
  size_t needed = 0;
  if (netrt_get_last_error_detail(detail, sizeof detail, &needed) == NETRT_S_OK && detail[0]) {
    fprintf(stderr, "    last error detail: %s\n", detail);
  }
}

/* `expr` must return S_OK. */
#define CHECK_OK(expr)                                                                    \
  do {                                                                                    \
    netrt_hresult hr_ = (expr);                                                           \
    g_checks++;                                                                           \
    if (hr_ != NETRT_S_OK) {                                                              \
      fprintf(stderr, "FAIL %s:%d: %s -> 0x%08X\n", __FILE__, __LINE__, #expr,            \
              (unsigned)hr_);                                                             \
      print_detail();                                                                     \
      goto cleanup;                                                                       \
    }                                                                                     \
  } while (0)

/* `expr` must return exactly `want`. */
#define CHECK_HR(expr, want)                                                              \
  do {                                                                                    \
    netrt_hresult hr_ = (expr);                                                           \
    g_checks++;                                                                           \
    if (hr_ != (netrt_hresult)(want)) {                                                   \
      fprintf(stderr, "FAIL %s:%d: %s -> 0x%08X, expected 0x%08X\n", __FILE__, __LINE__,  \
              #expr, (unsigned)hr_, (unsigned)(want));                                    \
      goto cleanup;                                                                       \
    }                                                                                     \
  } while (0)

/* A condition that must hold. */
#define CHECK(cond)                                                                       \
  do {                                                                                    \
    g_checks++;                                                                           \
    if (!(cond)) {                                                                        \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
      goto cleanup;                                                                       \
    }                                                                                     \
  } while (0)

/* Releases a handle if set and zeroes it (for cleanup blocks). */
#define RELEASE(h)                                                                        \
  do {                                                                                    \
    if (h) {                                                                              \
      (void)netrt_release(h);                                                             \
      (h) = 0;                                                                            \
    }                                                                                     \
  } while (0)

/* Waits for an operation and requires it to have completed; returns its error code. */
static inline netrt_hresult wait_completed(netrt_handle op) {
  netrt_hresult hr = netrt_async_wait(op, STEP_MS);
  if (hr != NETRT_S_OK) {
    fprintf(stderr, "    wait failed: 0x%08X\n", (unsigned)hr);
    return hr;
  }
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;
  if (netrt_async_get_status(op, &status) != NETRT_S_OK ||
      netrt_async_get_error_code(op, &code) != NETRT_S_OK) {
    return NETRT_E_UNEXPECTED;
  }
  if (status != NETRT_ASYNC_STATUS_COMPLETED) {
    char detail[512];
    size_t needed = 0;
    if (netrt_async_get_error_detail(op, detail, sizeof detail, &needed) == NETRT_S_OK) {
      fprintf(stderr, "    operation ended with status %d, 0x%08X: %s\n", (int)status,
              (unsigned)code, detail);
    }
    return code ? code : NETRT_E_UNEXPECTED;
  }
  return NETRT_S_OK;
}

/* Runs an operation-starting call, waits for it, requires Completed, releases the op. */
#define AWAIT_OK(call_with_out_op, op_var)                                                \
  do {                                                                                    \
    CHECK_OK(call_with_out_op);                                                           \
    netrt_hresult w_ = wait_completed(op_var);                                            \
    RELEASE(op_var);                                                                      \
    g_checks++;                                                                           \
    if (w_ != NETRT_S_OK) {                                                               \
      fprintf(stderr, "FAIL %s:%d: %s did not complete: 0x%08X\n", __FILE__, __LINE__,    \
              #call_with_out_op, (unsigned)w_);                                           \
      goto cleanup;                                                                       \
    }                                                                                     \
  } while (0)

/* The listener's bound port as a string. */
static inline netrt_hresult listener_port(netrt_handle listener, char *port, size_t len) {
  netrt_handle info = 0;
  size_t needed = 0;
  netrt_hresult hr = netrt_stream_socket_listener_get_information(listener, &info);
  if (hr == NETRT_S_OK) {
    hr = netrt_stream_socket_listener_information_get_local_port(info, port, len, &needed);
  }
  if (info) {
    (void)netrt_release(info);
  }
  return hr;
}

/* The size of a vector handle equals `want`. */
static inline int vec_size_is(netrt_handle vec, uint32_t want) {
  uint32_t size = 0;
  return netrt_vector_get_size(vec, &size) == NETRT_S_OK && size == want;
}

/* String element `i` of a vector handle equals `want`. */
static inline int vec_string_is(netrt_handle vec, uint32_t i, const char *want) {
  char text[256];
  size_t needed = 0;
  return netrt_vector_get_at_string(vec, i, text, sizeof text, &needed) == NETRT_S_OK && strcmp(text, want) == 0;
}

#endif /* NETRT_TEST_COMMON_H */
