/* ConnectAsync with a TLS protection level against `openssl s_server` (the TLS-connect
 * sample of examples/README.md), the Certificate type, the IVector kinds on the Control and
 * Information, and the certificate-error path (Untrusted root → CERT_E_UNTRUSTEDROOT, then ignored). */
#include "common.h"
#include "peers.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define SUBJECT_OF(h, buf) netrt_certificate_get_subject((h), (buf), sizeof(buf), &needed)

/* Connects a new socket to 127.0.0.1:port as "localhost" with `level`; `trust` (or 0) is added
 * to TrustedRootCertificates, `ignore` (or -1) to IgnorableServerCertificateErrors.
 * *out_sock receives the socket; returns the operation's error code (0 = connected). */
static netrt_hresult tls_connect(int port, int level, netrt_handle trust, int ignore, netrt_handle *out_sock) {
  netrt_handle sock = 0, control = 0, roots = 0, ignorable = 0, host = 0, op = 0;
  netrt_hresult result = NETRT_E_UNEXPECTED;
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_stream_socket_get_control(sock, &control));
  if (trust) {
    CHECK_OK(netrt_stream_socket_control_get_trusted_root_certificates(control, &roots));
    CHECK_OK(netrt_vector_append_handle(roots, trust));
  }
  if (ignore >= 0) {
    CHECK_OK(netrt_stream_socket_control_get_ignorable_server_certificate_errors(control, &ignorable));
    CHECK_OK(netrt_vector_append_int32(ignorable, ignore));
  }
  CHECK_OK(netrt_host_name_create("localhost", &host));
  CHECK_OK(netrt_stream_socket_connect_with_protection_level_async(sock, host, service, level, &op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_error_code(op, &result));
  *out_sock = sock;
  sock = 0;
cleanup:
  RELEASE(op);
  RELEASE(host);
  RELEASE(ignorable);
  RELEASE(roots);
  RELEASE(control);
  RELEASE(sock);
  return result;
}

static int test_certificate_type(const char *pki) {
  int ok = 0;
  netrt_handle ca = 0, leaf = 0, leaf_der = 0, p12 = 0, names = 0, eku = 0;
  char text[4096];
  size_t needed = 0, der_len = 0, p12_len = 0;
  uint8_t bytes[4096], hash[64];
  int64_t from = 0, to = 0;
  bool has_key = true;
  char *der = NULL, *p12_bytes = NULL;

  CHECK_OK(load_cert(pki, "ca", 0, &ca));
  CHECK_OK(SUBJECT_OF(ca, text));
  CHECK(strcmp(text, "netrt Test CA") == 0);
  CHECK_OK(netrt_certificate_get_has_private_key(ca, &has_key));
  CHECK(!has_key);

  CHECK_OK(load_cert(pki, "leaf", 1, &leaf));
  CHECK_OK(netrt_certificate_get_has_private_key(leaf, &has_key));
  CHECK(has_key);
  CHECK_OK(SUBJECT_OF(leaf, text));
  CHECK(strcmp(text, "localhost") == 0);
  CHECK_OK(netrt_certificate_get_issuer(leaf, text, sizeof text, &needed));
  CHECK(strcmp(text, "netrt Test CA") == 0);
  CHECK_OK(netrt_certificate_get_subject_distinguished_name(leaf, text, sizeof text, &needed));
  CHECK(strstr(text, "CN=localhost") != NULL);
  CHECK_OK(netrt_certificate_get_valid_from(leaf, &from));
  CHECK_OK(netrt_certificate_get_valid_to(leaf, &to));
  /* 365 days apart (the PKI's default), in 100-ns ticks; and after 2020-01-01 (132223104000000000). */
  CHECK(to - from == 365LL * 86400 * 10000000);
  CHECK(from > 132223104000000000LL);
  CHECK_OK(netrt_certificate_get_serial_number(leaf, bytes, sizeof bytes, &needed));
  CHECK(needed >= 1 && needed <= 21);
  CHECK_HR(netrt_certificate_get_hash_value(leaf, NULL, 0, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == 20);
  CHECK_OK(netrt_certificate_get_hash_value_with_algorithm(leaf, "sha256", hash, sizeof hash, &needed));
  CHECK(needed == 32);
  CHECK_HR(netrt_certificate_get_hash_value_with_algorithm(leaf, "MD5", hash, sizeof hash, &needed),
           NETRT_E_INVALIDARG);
  CHECK_OK(netrt_certificate_get_dns_names(leaf, &names));
  CHECK_OK(netrt_vector_get_at_string(names, 0, text, sizeof text, &needed));
  CHECK(strcmp(text, "localhost") == 0);
  RELEASE(names);
  CHECK_OK(netrt_certificate_get_ip_addresses(leaf, &names));
  CHECK_OK(netrt_vector_get_at_string(names, 0, text, sizeof text, &needed));
  CHECK(strcmp(text, "127.0.0.1") == 0);
  CHECK_OK(netrt_certificate_get_enhanced_key_usages(leaf, &eku));
  CHECK_OK(netrt_vector_get_at_string(eku, 0, text, sizeof text, &needed));
  CHECK(strcmp(text, "1.3.6.1.5.5.7.3.1") == 0);

  /* DER round trip: the blob equals openssl's DER, and parses back to the same subject. */
  der = read_file(pki, "leaf.der", &der_len);
  CHECK(der != NULL);
  CHECK_OK(netrt_certificate_get_certificate_blob(leaf, bytes, sizeof bytes, &needed));
  CHECK(needed == der_len && memcmp(bytes, der, der_len) == 0);
  CHECK_OK(netrt_certificate_create((const uint8_t *)der, der_len, &leaf_der));
  CHECK_OK(SUBJECT_OF(leaf_der, text));
  CHECK(strcmp(text, "localhost") == 0);
  CHECK_OK(netrt_certificate_export_pem(leaf_der, text, sizeof text, &needed));
  CHECK(strncmp(text, "-----BEGIN CERTIFICATE-----", 27) == 0);
  CHECK(netrt_certificate_create((const uint8_t *)"garbage", 7, &p12) < 0);
  CHECK(p12 == 0);

  /* PKCS#12: the right password gives the key; a wrong one fails. */
  p12_bytes = read_file(pki, "leaf.p12", &p12_len);
  CHECK(p12_bytes != NULL);
  CHECK(netrt_certificate_create_from_pkcs12((const uint8_t *)p12_bytes, p12_len, "wrong", &p12) < 0);
  CHECK_OK(netrt_certificate_create_from_pkcs12((const uint8_t *)p12_bytes, p12_len, "secret", &p12));
  CHECK_OK(netrt_certificate_get_has_private_key(p12, &has_key));
  CHECK(has_key);
  CHECK_OK(SUBJECT_OF(p12, text));
  CHECK(strcmp(text, "localhost") == 0);
  ok = 1;
cleanup:
  free(der);
  free(p12_bytes);
  RELEASE(eku);
  RELEASE(names);
  RELEASE(p12);
  RELEASE(leaf_der);
  RELEASE(leaf);
  RELEASE(ca);
  return ok;
}

/* The vectors of a Control are live views with the control's validation. */
static int test_control_vectors(netrt_handle ca) {
  int ok = 0;
  netrt_handle sock = 0, control = 0, ign = 0, ign2 = 0, roots = 0, alpn = 0, crls = 0, got = 0,
               buffer = 0, cert = 0;
  uint32_t size = 9;
  int32_t value = 0;
  char text[64];
  size_t needed = 0;
  int64_t ticks = 0;
  netrt_socket_protection_level level = NETRT_SOCKET_PROTECTION_LEVEL_SSL;

  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_stream_socket_get_control(sock, &control));
  CHECK_OK(netrt_stream_socket_control_get_ignorable_server_certificate_errors(control, &ign));
  CHECK_OK(netrt_vector_get_size(ign, &size));
  CHECK(size == 0);
  CHECK_OK(netrt_vector_append_int32(ign, NETRT_CHAIN_VALIDATION_RESULT_UNTRUSTED));
  CHECK_OK(netrt_vector_append_int32(ign, NETRT_CHAIN_VALIDATION_RESULT_INVALID_NAME));
  /* Not ignorable, or not a ChainValidationResult at all: E_INVALIDARG, nothing changes. */
  CHECK_HR(netrt_vector_append_int32(ign, NETRT_CHAIN_VALIDATION_RESULT_REVOKED), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_int32(ign, NETRT_CHAIN_VALIDATION_RESULT_INVALID_SIGNATURE), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_int32(ign, 99), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_int32(ign, -1), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_set_at_int32(ign, 0, NETRT_CHAIN_VALIDATION_RESULT_REVOKED), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_string(ign, "x"), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_handle(ign, ca), NETRT_E_INVALIDARG);
  /* A second view of the same control sees the same list. */
  CHECK_OK(netrt_stream_socket_control_get_ignorable_server_certificate_errors(control, &ign2));
  CHECK_OK(netrt_vector_get_size(ign2, &size));
  CHECK(size == 2);
  CHECK_OK(netrt_vector_get_at_int32(ign2, 1, &value));
  CHECK(value == NETRT_CHAIN_VALIDATION_RESULT_INVALID_NAME);
  CHECK_HR(netrt_vector_get_at_int32(ign2, 2, &value), NETRT_E_BOUNDS);
  CHECK_HR(netrt_vector_get_at_string(ign2, 0, text, sizeof text, &needed), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_vector_set_at_int32(ign2, 1, NETRT_CHAIN_VALIDATION_RESULT_EXPIRED));
  CHECK_OK(netrt_vector_remove_at(ign2, 0));
  CHECK_HR(netrt_vector_remove_at(ign2, 5), NETRT_E_BOUNDS);
  CHECK_OK(netrt_vector_get_size(ign, &size));
  CHECK(size == 1);
  CHECK_OK(netrt_vector_get_at_int32(ign, 0, &value));
  CHECK(value == NETRT_CHAIN_VALIDATION_RESULT_EXPIRED);
  CHECK_OK(netrt_vector_clear(ign));
  CHECK_OK(netrt_vector_get_size(ign2, &size));
  CHECK(size == 0);

  CHECK_OK(netrt_stream_socket_control_get_trusted_root_certificates(control, &roots));
  CHECK_OK(netrt_vector_append_handle(roots, ca));
  CHECK_HR(netrt_vector_append_handle(roots, control), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_int32(roots, 1), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_vector_get_at_handle(roots, 0, &got));
  CHECK_OK(netrt_certificate_get_subject(got, text, sizeof text, &needed));
  CHECK(strcmp(text, "netrt Test CA") == 0);

  CHECK_OK(netrt_stream_socket_control_get_application_protocols(control, &alpn));
  CHECK_OK(netrt_vector_append_string(alpn, "h2"));
  CHECK_OK(netrt_vector_append_string(alpn, "http/1.1"));
  CHECK_HR(netrt_vector_append_string(alpn, ""), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_vector_get_at_string(alpn, 1, text, sizeof text, &needed));
  CHECK(strcmp(text, "http/1.1") == 0);
  CHECK_HR(netrt_vector_get_at_string(alpn, 1, text, 3, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == 9);

  CHECK_OK(netrt_stream_socket_control_get_certificate_revocation_lists(control, &crls));
  CHECK_OK(netrt_buffer_create(3, &buffer));
  CHECK_OK(netrt_buffer_set_length(buffer, 3));
  CHECK_OK(netrt_vector_append_handle(crls, buffer));
  CHECK_OK(netrt_vector_get_size(crls, &size));
  CHECK(size == 1);
  CHECK_OK(netrt_vector_clear(crls));

  /* Client certificate: needs a key; 0 clears; get gives 0 when none. */
  CHECK_HR(netrt_stream_socket_control_set_client_certificate(control, ca), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_stream_socket_control_get_client_certificate(control, &cert));
  CHECK(cert == 0);
  CHECK_OK(netrt_stream_socket_control_set_client_certificate(control, 0));

  CHECK_OK(netrt_stream_socket_control_get_tls_handshake_timeout(control, &ticks));
  CHECK(ticks == 30LL * 10000000);
  CHECK_OK(netrt_stream_socket_control_set_tls_handshake_timeout(control, 50000000));
  CHECK_OK(netrt_stream_socket_control_get_tls_handshake_timeout(control, &ticks));
  CHECK(ticks == 50000000);
  CHECK_HR(netrt_stream_socket_control_set_tls_handshake_timeout(control, -1), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_stream_socket_control_get_min_protection_level(control, &level));
  CHECK(level == NETRT_SOCKET_PROTECTION_LEVEL_PLAIN_SOCKET);
  CHECK_OK(netrt_stream_socket_control_set_min_protection_level(control, NETRT_SOCKET_PROTECTION_LEVEL_TLS12));
  CHECK_OK(netrt_stream_socket_control_get_min_protection_level(control, &level));
  CHECK(level == NETRT_SOCKET_PROTECTION_LEVEL_TLS12);
  CHECK_HR(netrt_stream_socket_control_set_min_protection_level(control, 42), NETRT_E_INVALIDARG);
  ok = 1;
cleanup:
  RELEASE(cert);
  RELEASE(buffer);
  RELEASE(crls);
  RELEASE(alpn);
  RELEASE(got);
  RELEASE(roots);
  RELEASE(ign2);
  RELEASE(ign);
  RELEASE(control);
  RELEASE(sock);
  return ok;
}

/* Sends `text` to the peer after a pause, from another thread: the read is waited for first. */
typedef struct {
  peer *server;
  const char *text;
} late_send;

static void *send_late(void *arg) {
  late_send *l = arg;
  struct timespec pause = {0, 200 * 1000 * 1000};
  nanosleep(&pause, NULL);
  (void)peer_send(l->server, l->text);
  return NULL;
}

/* Reads that have to wait on a TLS connection, waited for with a blocking netrt_async_wait (the
 * waiter polls the socket and decrypts on its own thread), a write, and CancelIOAsync ending a
 * pending TLS read. `server` is the s_server behind `sock`. Returns 0 on success. */
static int test_pending_tls_io(peer *server, netrt_handle sock) {
  int rc = 1;
  netrt_handle in = 0, out = 0, buf = 0, rd = 0, wr = 0, cancel = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_COMPLETED;
  netrt_hresult code = 0;
  uint8_t *data = NULL;
  uint32_t len = 0;
  pthread_t sender;
  late_send late = {server, "second record\n"};
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_buffer_create(64, &buf));
  CHECK_OK(netrt_buffer_get_data(buf, &data));

  /* Started before the peer sends; the record arrives before the wait begins. */
  CHECK_OK(netrt_input_stream_read_async(in, buf, 64, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &rd));
  CHECK_OK(netrt_async_get_status(rd, &status));
  CHECK(status == NETRT_ASYNC_STATUS_STARTED);
  CHECK(peer_send(server, "first record\n") == 0);
  CHECK_OK(wait_completed(rd));
  CHECK_OK(netrt_async_get_results(rd));
  RELEASE(rd);
  CHECK_OK(netrt_buffer_get_length(buf, &len));
  CHECK(len == 13 && memcmp(data, "first record\n", 13) == 0);

  /* The wait begins first; the record comes 200 ms later. */
  CHECK(pthread_create(&sender, NULL, send_late, &late) == 0);
  CHECK_OK(netrt_input_stream_read_async(in, buf, 64, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &rd));
  code = wait_completed(rd);
  pthread_join(sender, NULL);
  CHECK_OK(code);
  RELEASE(rd);
  CHECK_OK(netrt_buffer_get_length(buf, &len));
  CHECK(len == 14 && memcmp(data, "second record\n", 14) == 0);

  /* A write through TLS, waited for the same way. */
  memcpy(data, "tls13 ping\n", 11);
  CHECK_OK(netrt_buffer_set_length(buf, 11));
  AWAIT_OK(netrt_output_stream_write_async(out, buf, &wr), wr);
  CHECK(peer_wait_for(server, "tls13 ping", STEP_MS));

  /* CancelIOAsync ends a pending TLS read with 0x800703E3 and leaves the socket usable. */
  CHECK_OK(netrt_input_stream_read_async(in, buf, 64, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &rd));
  AWAIT_OK(netrt_stream_socket_cancel_io_async(sock, &cancel), cancel);
  CHECK_OK(netrt_async_wait(rd, STEP_MS));
  CHECK_OK(netrt_async_get_status(rd, &status));
  CHECK(status == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(rd, &code));
  CHECK(code == NETRT_E_OPERATION_ABORTED);
  RELEASE(rd);
  CHECK(peer_send(server, "after cancel\n") == 0);
  CHECK_OK(netrt_input_stream_read_async(in, buf, 64, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &rd));
  CHECK_OK(wait_completed(rd));
  RELEASE(rd);
  CHECK_OK(netrt_buffer_get_length(buf, &len));
  CHECK(len == 13 && memcmp(data, "after cancel\n", 13) == 0);
  rc = 0;
cleanup:
  RELEASE(rd);
  RELEASE(wr);
  RELEASE(cancel);
  RELEASE(buf);
  RELEASE(out);
  RELEASE(in);
  return rc;
}

int main(void) {
  int rc = 1;
  const char *pki = test_pki();
  peer server12 = {0}, server13 = {0};
  netrt_handle ca = 0, sock = 0, info = 0, cert = 0, errors = 0, inter = 0, in = 0, reader = 0,
               out = 0, writer = 0, op = 0;
  char text[256];
  size_t needed = 0;
  uint16_t version = 0;
  uint32_t size = 0, loaded = 0;
  int32_t value = 0;
  netrt_hresult code = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_socket_ssl_error_severity severity = NETRT_SOCKET_SSL_ERROR_SEVERITY_FATAL;
  netrt_socket_protection_level level = NETRT_SOCKET_PROTECTION_LEVEL_PLAIN_SOCKET;
  signal(SIGPIPE, SIG_IGN);
  CHECK(pki != NULL);
  CHECK(test_certificate_type(pki));
  CHECK_OK(load_cert(pki, "ca", 0, &ca));
  CHECK(test_control_vectors(ca));

  /* The sample: ConnectAsync(host, service, SocketProtectionLevel.Tls12). */
  CHECK(start_s_server(&server12, pki, "tls1_2") == 0);
  printf("openssl s_server (TLS 1.2) on 127.0.0.1:%d\n", server12.port);
  CHECK_OK(tls_connect(server12.port, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, ca, -1, &sock));
  CHECK_OK(netrt_stream_socket_get_information(sock, &info));
  CHECK_OK(netrt_stream_socket_information_get_negotiated_tls_version(info, &version));
  CHECK(version == 0x0303);
  CHECK_OK(netrt_stream_socket_information_get_protection_level(info, &level));
  CHECK(level == NETRT_SOCKET_PROTECTION_LEVEL_TLS12);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate(info, &cert));
  CHECK(cert != 0);
  CHECK_OK(netrt_certificate_get_subject(cert, text, sizeof text, &needed));
  CHECK(strcmp(text, "localhost") == 0);
  CHECK_OK(netrt_stream_socket_information_get_cipher_suite(info, text, sizeof text, &needed));
  CHECK(strncmp(text, "TLS_", 4) == 0);
  printf("connected: TLS 0x%04X, %s, server certificate CN=localhost\n", (unsigned)version, text);
  CHECK_OK(netrt_stream_socket_information_get_server_name(info, text, sizeof text, &needed));
  CHECK(strcmp(text, "localhost") == 0);
  CHECK_OK(netrt_stream_socket_information_get_application_protocol(info, text, sizeof text, &needed));
  CHECK(strcmp(text, "") == 0);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate_errors(info, &errors));
  CHECK_OK(netrt_vector_get_size(errors, &size));
  CHECK(size == 0);
  CHECK_HR(netrt_vector_append_int32(errors, 1), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_vector_clear(errors), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate_error_severity(info, &severity));
  CHECK(severity == NETRT_SOCKET_SSL_ERROR_SEVERITY_NONE);
  CHECK_OK(netrt_stream_socket_information_get_server_intermediate_certificates(info, &inter));
  CHECK_OK(netrt_vector_get_size(inter, &size));
  CHECK(size == 0);
  RELEASE(inter);
  RELEASE(cert);
  CHECK_OK(netrt_stream_socket_information_get_client_certificate(info, &cert));
  CHECK(cert == 0);

  /* Data both ways over TLS: s_server prints what it receives and sends its stdin. */
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_data_writer_create_with_stream(out, &writer));
  CHECK_OK(netrt_data_writer_write_string(writer, "ping from netrt\n", NULL));
  AWAIT_OK(netrt_data_writer_store_async(writer, &op), op);
  CHECK(peer_wait_for(&server12, "ping from netrt", 10000));
  CHECK(peer_send(&server12, "pong from openssl\n") == 0);
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_data_reader_create_with_stream(in, &reader));
  CHECK_OK(netrt_data_reader_set_input_stream_options(reader, NETRT_INPUT_STREAM_OPTIONS_PARTIAL));
  CHECK_OK(netrt_data_reader_load_async(reader, 18, &op));
  CHECK_OK(wait_completed(op));
  CHECK_OK(netrt_async_get_results_uint32(op, &loaded));
  RELEASE(op);
  CHECK(loaded > 0);
  CHECK_OK(netrt_data_reader_read_string(reader, loaded, text, sizeof text, &needed));
  CHECK(strncmp(text, "pong from openssl\n", loaded) == 0);
  RELEASE(reader);
  RELEASE(writer);
  RELEASE(in);
  RELEASE(out);
  RELEASE(info);
  RELEASE(errors);
  RELEASE(sock);

  /* TLS 1.3 server, Tls13 level. */
  CHECK(start_s_server(&server13, pki, "tls1_3") == 0);
  CHECK_OK(tls_connect(server13.port, NETRT_SOCKET_PROTECTION_LEVEL_TLS13, ca, -1, &sock));
  CHECK_OK(netrt_stream_socket_get_information(sock, &info));
  CHECK_OK(netrt_stream_socket_information_get_negotiated_tls_version(info, &version));
  CHECK(version == 0x0304);
  RELEASE(info);
  CHECK(test_pending_tls_io(&server13, sock) == 0);
  RELEASE(sock);

  /* ConnectAsync(EndpointPair, SocketProtectionLevel): validated for the pair's remote host. */
  {
    netrt_handle host = 0, pair = 0, control = 0, roots = 0;
    char service[16];
    snprintf(service, sizeof service, "%d", server12.port);
    CHECK_OK(netrt_host_name_create("localhost", &host));
    CHECK_OK(netrt_endpoint_pair_create(0, NULL, host, service, &pair));
    RELEASE(host);
    CHECK_OK(netrt_stream_socket_create(&sock));
    CHECK_OK(netrt_stream_socket_get_control(sock, &control));
    CHECK_OK(netrt_stream_socket_control_get_trusted_root_certificates(control, &roots));
    CHECK_OK(netrt_vector_append_handle(roots, ca));
    RELEASE(roots);
    RELEASE(control);
    CHECK_OK(netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async(
        sock, pair, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, &op));
    RELEASE(pair);
    CHECK_OK(wait_completed(op));
    RELEASE(op);
    CHECK_OK(netrt_stream_socket_get_information(sock, &info));
    CHECK_OK(netrt_stream_socket_information_get_server_name(info, text, sizeof text, &needed));
    CHECK(strcmp(text, "localhost") == 0);
    RELEASE(info);
    RELEASE(sock);
  }

  /* Untrusted root: status Error, CERT_E_UNTRUSTEDROOT, details on Information. */
  code = tls_connect(server12.port, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, 0, -1, &sock);
  CHECK(code == NETRT_CERT_E_UNTRUSTEDROOT);
  CHECK(netrt_socket_error_get_status(code) == NETRT_SOCKET_ERROR_STATUS_CERTIFICATE_UNTRUSTED_ROOT);
  CHECK_OK(netrt_stream_socket_get_information(sock, &info));
  CHECK_OK(netrt_stream_socket_information_get_server_certificate(info, &cert));
  CHECK(cert != 0);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate_errors(info, &errors));
  CHECK_OK(netrt_vector_get_size(errors, &size));
  CHECK(size >= 1);
  CHECK_OK(netrt_vector_get_at_int32(errors, 0, &value));
  CHECK(value == NETRT_CHAIN_VALIDATION_RESULT_UNTRUSTED);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate_error_severity(info, &severity));
  CHECK(severity == NETRT_SOCKET_SSL_ERROR_SEVERITY_IGNORABLE);
  printf("untrusted root: 0x%08X, SocketErrorStatus %d\n", (unsigned)code, (int)netrt_socket_error_get_status(code));
  RELEASE(errors);
  RELEASE(cert);
  RELEASE(info);
  RELEASE(sock);
  /* The same as an operation's status. */
  {
    netrt_handle s2 = 0, host = 0;
    char service[16];
    snprintf(service, sizeof service, "%d", server12.port);
    CHECK_OK(netrt_stream_socket_create(&s2));
    CHECK_OK(netrt_host_name_create("localhost", &host));
    CHECK_OK(netrt_stream_socket_connect_with_protection_level_async(s2, host, service,
                                                                     NETRT_SOCKET_PROTECTION_LEVEL_TLS12, &op));
    RELEASE(host);
    RELEASE(s2); /* releasing the socket's handle does not cancel its connect */
    CHECK_OK(netrt_async_wait(op, STEP_MS));
    CHECK_OK(netrt_async_get_status(op, &status));
    CHECK(status == NETRT_ASYNC_STATUS_ERROR);
    CHECK_OK(netrt_async_get_error_code(op, &code));
    CHECK(code == NETRT_CERT_E_UNTRUSTEDROOT);
    CHECK_OK(netrt_async_get_error_detail(op, text, sizeof text, &needed));
    CHECK(strlen(text) > 0);
    RELEASE(op);
  }

  /* Ignoring Untrusted connects; the error is still reported. */
  CHECK_OK(tls_connect(server12.port, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, 0,
                       NETRT_CHAIN_VALIDATION_RESULT_UNTRUSTED, &sock));
  CHECK_OK(netrt_stream_socket_get_information(sock, &info));
  CHECK_OK(netrt_stream_socket_information_get_server_certificate_error_severity(info, &severity));
  CHECK(severity == NETRT_SOCKET_SSL_ERROR_SEVERITY_IGNORABLE);
  RELEASE(info);
  RELEASE(sock);
  rc = 0;

cleanup:
  RELEASE(op);
  RELEASE(writer);
  RELEASE(reader);
  RELEASE(in);
  RELEASE(out);
  RELEASE(inter);
  RELEASE(errors);
  RELEASE(cert);
  RELEASE(info);
  RELEASE(sock);
  RELEASE(ca);
  if (rc != 0) {
    fprintf(stderr, "s_server log:\n%s\n", server12.log);
  }
  peer_stop(&server12);
  peer_stop(&server13);
  printf("%s: test_tls_connect (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
