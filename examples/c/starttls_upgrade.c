/* The second (STARTTLS) sample of examples/README.md in C: a plain connection, a length-prefixed hello written with a
 * DataWriter, then UpgradeToSslAsync.
 *
 *   starttls_upgrade HOST PORT [CA_PEM_FILE]
 *
 * C# original:
 *   await socket.ConnectAsync(hostName, port, SocketProtectionLevel.PlainSocket);
 *   writer.WriteInt32((int)writer.MeasureString(hello)); writer.WriteString(hello);
 *   await writer.StoreAsync(); writer.DetachStream();
 *   await socket.UpgradeToSslAsync(SocketProtectionLevel.Ssl, hostName);
 * After the upgrade one line is sent over TLS and the peer's answer printed. */
#define _POSIX_C_SOURCE 200809L
#include <netrt.h>

#include <stdio.h>
#include <stdlib.h>

#define WAIT_MS 30000u

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  long n;
  if (!f) {
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = calloc(1, (size_t)n + 1);
  if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

/* Waits for `op`; S_OK only when it completed. Releases it. */
static netrt_hresult await_op(netrt_hresult started, netrt_handle *op) {
  netrt_hresult code = started;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  if (started == NETRT_S_OK) {
    code = netrt_async_wait(*op, WAIT_MS);
    if (code == NETRT_S_OK && netrt_async_get_status(*op, &status) == NETRT_S_OK &&
        status != NETRT_ASYNC_STATUS_COMPLETED) {
      char detail[256] = "";
      size_t needed = 0;
      netrt_async_get_error_code(*op, &code);
      netrt_async_get_error_detail(*op, detail, sizeof detail, &needed);
      fprintf(stderr, "operation failed: 0x%08X: %s\n", (unsigned)code, detail);
    }
  }
  netrt_release(*op);
  *op = 0;
  return code;
}

int main(int argc, char **argv) {
  static const char hello[] = "Hello, World! \xE2\x98\xBA ";
  netrt_handle sock = 0, host = 0, control = 0, roots = 0, ca = 0, out = 0, in = 0, writer = 0, detached = 0,
               reader = 0, op = 0;
  netrt_hresult hr = NETRT_S_OK;
  uint32_t len = 0, loaded = 0;
  char text[256], *pem = NULL;
  size_t needed = 0;
  int rc = 1;
  if (argc < 3) {
    fprintf(stderr, "usage: %s HOST PORT [CA_PEM_FILE]\n", argv[0]);
    return 2;
  }
  if ((hr = netrt_stream_socket_create(&sock)) < 0 || (hr = netrt_host_name_create(argv[1], &host)) < 0) {
    goto fail;
  }
  if (argc > 3) {
    if (!(pem = slurp(argv[3]))) {
      fprintf(stderr, "cannot read %s\n", argv[3]);
      goto cleanup;
    }
    if ((hr = netrt_certificate_create_from_pem(pem, NULL, &ca)) < 0 ||
        (hr = netrt_stream_socket_get_control(sock, &control)) < 0 ||
        (hr = netrt_stream_socket_control_get_trusted_root_certificates(control, &roots)) < 0 ||
        (hr = netrt_vector_append_handle(roots, ca)) < 0) {
      goto fail;
    }
  }
  if ((hr = await_op(netrt_stream_socket_connect_with_protection_level_async(
                         sock, host, argv[2], NETRT_SOCKET_PROTECTION_LEVEL_PLAIN_SOCKET, &op),
                     &op)) < 0) {
    goto fail;
  }
  /* The length-prefixed hello, in plaintext. */
  if ((hr = netrt_stream_socket_get_output_stream(sock, &out)) < 0 ||
      (hr = netrt_data_writer_create_with_stream(out, &writer)) < 0 ||
      (hr = netrt_data_writer_measure_string(writer, hello, &len)) < 0 ||
      (hr = netrt_data_writer_write_int32(writer, (int32_t)len)) < 0 ||
      (hr = netrt_data_writer_write_string(writer, hello, NULL)) < 0 ||
      (hr = await_op(netrt_data_writer_store_async(writer, &op), &op)) < 0 ||
      (hr = netrt_data_writer_detach_stream(writer, &detached)) < 0) {
    goto fail;
  }
  printf("sent the %u-byte hello in plaintext\n", (unsigned)len);
  /* STARTTLS: validated against the same host name. */
  if ((hr = await_op(netrt_stream_socket_upgrade_to_ssl_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_SSL, host, &op),
                     &op)) < 0) {
    goto fail;
  }
  printf("upgraded to TLS\n");
  /* The first writer was detached from the stream; a new one writes over TLS. */
  netrt_release(writer);
  writer = 0;
  if ((hr = netrt_data_writer_create_with_stream(out, &writer)) < 0 ||
      (hr = netrt_data_writer_write_string(writer, "hello over TLS\n", NULL)) < 0 ||
      (hr = await_op(netrt_data_writer_store_async(writer, &op), &op)) < 0 ||
      (hr = netrt_stream_socket_get_input_stream(sock, &in)) < 0 ||
      (hr = netrt_data_reader_create_with_stream(in, &reader)) < 0 ||
      (hr = netrt_data_reader_set_input_stream_options(reader, NETRT_INPUT_STREAM_OPTIONS_PARTIAL)) < 0 ||
      (hr = netrt_data_reader_load_async(reader, sizeof text - 1, &op)) < 0 ||
      (hr = netrt_async_wait(op, WAIT_MS)) < 0 || (hr = netrt_async_get_results_uint32(op, &loaded)) < 0 ||
      (hr = netrt_data_reader_read_string(reader, loaded, text, sizeof text, &needed)) < 0) {
    goto fail;
  }
  printf("peer answered over TLS: %s", text);
  rc = 0;
  goto cleanup;
fail:
  netrt_get_last_error_detail(text, sizeof text, &needed);
  fprintf(stderr, "error 0x%08X: %s\n", (unsigned)hr, text);
cleanup:
  netrt_release(op);
  netrt_release(reader);
  netrt_release(in);
  netrt_release(detached);
  netrt_release(writer); /* releasing an undetached writer closes the socket, as in WinRT */
  netrt_release(out);
  netrt_release(roots);
  netrt_release(control);
  netrt_release(ca);
  netrt_release(host);
  netrt_release(sock);
  free(pem);
  return rc;
}
