/* The first (TLS connect) sample of examples/README.md in C: connect with TLS 1.2 and report the connection.
 *
 *   tls_connect HOST PORT [CA_PEM_FILE]
 *
 * C# original:  await socket.ConnectAsync(new HostName(host), port, SocketProtectionLevel.Tls12);
 * CA_PEM_FILE (optional) is trusted in addition to the system store (TrustedRootCertificates).
 * On a certificate error the HRESULT, SocketErrorStatus and ServerCertificateErrors are shown,
 * as the sample's catch block does with SocketError.GetStatus. */
#define _POSIX_C_SOURCE 200809L
#include <netrt.h>

#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv) {
  netrt_handle sock = 0, control = 0, roots = 0, ca = 0, host = 0, op = 0, info = 0, cert = 0, errors = 0;
  netrt_hresult hr = NETRT_S_OK, code = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  char text[256], *pem = NULL;
  size_t needed = 0;
  uint16_t version = 0;
  uint32_t count = 0;
  int rc = 1;
  if (argc < 3) {
    fprintf(stderr, "usage: %s HOST PORT [CA_PEM_FILE]\n", argv[0]);
    return 2;
  }
  if ((hr = netrt_stream_socket_create(&sock)) < 0 || (hr = netrt_host_name_create(argv[1], &host)) < 0) {
    goto fail;
  }
  if (argc > 3) {
    pem = slurp(argv[3]);
    if (!pem) {
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
  if ((hr = netrt_stream_socket_connect_with_protection_level_async(sock, host, argv[2],
                                                                    NETRT_SOCKET_PROTECTION_LEVEL_TLS12, &op)) < 0 ||
      (hr = netrt_async_wait(op, 30000)) < 0 || (hr = netrt_async_get_status(op, &status)) < 0 ||
      (hr = netrt_async_get_error_code(op, &code)) < 0 ||
      (hr = netrt_stream_socket_get_information(sock, &info)) < 0) {
    goto fail;
  }
  if (status != NETRT_ASYNC_STATUS_COMPLETED) {
    netrt_async_get_error_detail(op, text, sizeof text, &needed);
    printf("connect failed: 0x%08X (SocketErrorStatus %d): %s\n", (unsigned)code,
           (int)netrt_socket_error_get_status(code), text);
    if (netrt_stream_socket_information_get_server_certificate_errors(info, &errors) == NETRT_S_OK &&
        netrt_vector_get_size(errors, &count) == NETRT_S_OK) {
      for (uint32_t i = 0; i < count; i++) {
        int32_t e = 0;
        netrt_vector_get_at_int32(errors, i, &e);
        printf("  ServerCertificateErrors[%u] = ChainValidationResult %d\n", (unsigned)i, (int)e);
      }
    }
    goto cleanup;
  }
  netrt_stream_socket_information_get_negotiated_tls_version(info, &version);
  printf("connected to %s:%s with TLS %s", argv[1], argv[2], version == 0x0304 ? "1.3" : "1.2");
  if (netrt_stream_socket_information_get_cipher_suite(info, text, sizeof text, &needed) == NETRT_S_OK) {
    printf(", %s", text);
  }
  if (netrt_stream_socket_information_get_server_certificate(info, &cert) == NETRT_S_OK && cert &&
      netrt_certificate_get_subject(cert, text, sizeof text, &needed) == NETRT_S_OK) {
    printf(", server certificate subject \"%s\"", text);
  }
  printf("\n");
  rc = 0;
  goto cleanup;
fail:
  netrt_get_last_error_detail(text, sizeof text, &needed);
  fprintf(stderr, "error 0x%08X: %s\n", (unsigned)hr, text);
cleanup:
  netrt_release(errors);
  netrt_release(cert);
  netrt_release(info);
  netrt_release(op);
  netrt_release(host);
  netrt_release(roots);
  netrt_release(control);
  netrt_release(ca);
  netrt_release(sock); /* the last reference: closes the socket (close_notify sent) */
  free(pem);
  return rc;
}
