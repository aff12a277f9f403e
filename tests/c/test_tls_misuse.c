/* Misuse of every TLS, Certificate and vector function: a 0 handle (E_POINTER), a released
 * one (RO_E_CLOSED), one never issued (E_HANDLE), the wrong kind (E_INVALIDARG), NULL
 * out-parameters (E_POINTER), bad enum values — always an HRESULT, never a crash. */
#include "common.h"

/* `expr` uses the handle H; run it with each bad handle. */
#define BAD_HANDLES(expr)                                                                 \
  do {                                                                                    \
    H = 0;                                                                                \
    CHECK_HR(expr, NETRT_E_POINTER);                                                      \
    H = stale;                                                                            \
    CHECK_HR(expr, NETRT_RO_E_CLOSED);                                                    \
    H = never;                                                                            \
    CHECK_HR(expr, NETRT_E_HANDLE);                                                       \
    H = wrong;                                                                            \
    CHECK_HR(expr, NETRT_E_INVALIDARG);                                                   \
  } while (0)

static const char PEM_JUNK[] = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";

int main(void) {
  int rc = 1;
  netrt_handle H = 0, stale = 0, wrong = 0, never = 0x00FFFFFF7FFFFFF0ull, sock = 0, control = 0,
               info = 0, listener = 0, lcontrol = 0, vec = 0, host = 0, out = 0, op = 0;
  char text[64];
  uint8_t bytes[64];
  size_t needed = 0;
  int64_t ticks = 0;
  bool flag = false;
  uint16_t u16 = 0;
  uint32_t u32 = 0;
  int32_t i32 = 0;
  netrt_socket_protection_level level;
  netrt_socket_ssl_error_severity severity;
  netrt_client_certificate_mode mode;

  CHECK_OK(netrt_host_name_create("localhost", &wrong));
  CHECK_OK(netrt_host_name_create("localhost", &host));
  CHECK_OK(netrt_host_name_create("localhost", &stale));
  CHECK_OK(netrt_release(stale));
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_stream_socket_get_control(sock, &control));
  CHECK_OK(netrt_stream_socket_get_information(sock, &info));
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_get_control(listener, &lcontrol));
  CHECK_OK(netrt_stream_socket_control_get_ignorable_server_certificate_errors(control, &vec));

  /* Certificate constructors. */
  CHECK_HR(netrt_certificate_create(NULL, 5, &out), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_create((const uint8_t *)"x", 1, NULL), NETRT_E_POINTER);
  CHECK(NETRT_FAILED(netrt_certificate_create(NULL, 0, &out)));
  CHECK(NETRT_FAILED(netrt_certificate_create((const uint8_t *)"\x30\x03\x02\x01\x01", 5, &out)));
  CHECK_HR(netrt_certificate_create_from_pem(NULL, NULL, &out), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_create_from_pem(PEM_JUNK, NULL, NULL), NETRT_E_POINTER);
  CHECK(NETRT_FAILED(netrt_certificate_create_from_pem(PEM_JUNK, NULL, &out)));
  CHECK(NETRT_FAILED(netrt_certificate_create_from_pem("", NULL, &out)));
  CHECK(NETRT_FAILED(netrt_certificate_create_from_pem("\xff\xfe", NULL, &out)));
  CHECK_HR(netrt_certificate_create_from_pkcs12(NULL, 3, "", &out), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_create_from_pkcs12((const uint8_t *)"abc", 3, "", NULL), NETRT_E_POINTER);
  CHECK(NETRT_FAILED(netrt_certificate_create_from_pkcs12((const uint8_t *)"abc", 3, NULL, &out)));
  CHECK(out == 0);

  /* Certificate getters. */
  BAD_HANDLES(netrt_certificate_get_subject(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_certificate_get_issuer(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_certificate_get_subject_distinguished_name(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_certificate_get_serial_number(H, bytes, sizeof bytes, &needed));
  BAD_HANDLES(netrt_certificate_get_valid_from(H, &ticks));
  BAD_HANDLES(netrt_certificate_get_valid_to(H, &ticks));
  BAD_HANDLES(netrt_certificate_get_hash_value(H, bytes, sizeof bytes, &needed));
  BAD_HANDLES(netrt_certificate_get_hash_value_with_algorithm(H, "SHA1", bytes, sizeof bytes, &needed));
  BAD_HANDLES(netrt_certificate_get_has_private_key(H, &flag));
  BAD_HANDLES(netrt_certificate_get_is_self_signed(H, &flag));
  BAD_HANDLES(netrt_certificate_get_certificate_blob(H, bytes, sizeof bytes, &needed));
  BAD_HANDLES(netrt_certificate_export_pem(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_certificate_get_dns_names(H, &out));
  BAD_HANDLES(netrt_certificate_get_ip_addresses(H, &out));
  BAD_HANDLES(netrt_certificate_get_enhanced_key_usages(H, &out));

  /* Vectors. */
  BAD_HANDLES(netrt_vector_get_size(H, &u32));
  BAD_HANDLES(netrt_vector_get_is_read_only(H, &flag));
  BAD_HANDLES(netrt_vector_get_at_int32(H, 0, &i32));
  BAD_HANDLES(netrt_vector_get_at_handle(H, 0, &out));
  BAD_HANDLES(netrt_vector_get_at_string(H, 0, text, sizeof text, &needed));
  BAD_HANDLES(netrt_vector_append_int32(H, 1));
  BAD_HANDLES(netrt_vector_append_handle(H, wrong));
  BAD_HANDLES(netrt_vector_append_string(H, "x"));
  BAD_HANDLES(netrt_vector_set_at_int32(H, 0, 1));
  BAD_HANDLES(netrt_vector_remove_at(H, 0));
  BAD_HANDLES(netrt_vector_clear(H));
  CHECK_HR(netrt_vector_get_size(vec, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_vector_get_is_read_only(vec, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_vector_get_at_int32(vec, 0, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_vector_get_at_handle(vec, 0, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_vector_get_at_handle(vec, 0, &out), NETRT_E_INVALIDARG); /* int32 vector */
  CHECK_HR(netrt_vector_get_at_int32(vec, 0, &i32), NETRT_E_BOUNDS);
  CHECK_HR(netrt_vector_append_string(vec, NULL), NETRT_E_INVALIDARG);   /* element type first */
  CHECK_HR(netrt_vector_append_handle(vec, 0), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_remove_at(vec, 0), NETRT_E_BOUNDS);
  CHECK_HR(netrt_vector_set_at_int32(vec, 0, 1), NETRT_E_BOUNDS);
  CHECK_OK(netrt_vector_get_is_read_only(vec, &flag));
  CHECK(!flag);
  CHECK_HR(netrt_close(vec), NETRT_E_INVALIDARG); /* not IClosable */

  /* StreamSocket TLS members. */
  BAD_HANDLES(netrt_stream_socket_upgrade_to_ssl_async(H, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, host, &op));
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, 0, &op),
           NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, stale, &op),
           NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, control, &op),
           NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_as_server_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, 0, &op),
           NETRT_E_POINTER);
  BAD_HANDLES(netrt_stream_socket_upgrade_to_ssl_as_server_async(H, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, wrong, &op));
  BAD_HANDLES(netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async(
      H, H, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, &op));
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, host, NULL),
           NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_async(sock, 77, host, &op), NETRT_E_INVALIDARG);
  /* Not connected: an illegal call, synchronously. */
  CHECK_HR(netrt_stream_socket_upgrade_to_ssl_async(sock, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, host, &op),
           NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_stream_socket_connect_with_protection_level_async(sock, host, "443", 77, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_socket_connect_with_protection_level_async(
               sock, host, "443", NETRT_SOCKET_PROTECTION_LEVEL_SSL3_ALLOW_WEAK_ENCRYPTION, &op),
           NETRT_E_INVALIDARG);
  CHECK(op == 0);

  /* StreamSocketControl TLS members. */
  BAD_HANDLES(netrt_stream_socket_control_get_client_certificate(H, &out));
  BAD_HANDLES(netrt_stream_socket_control_set_client_certificate(H, 0));
  BAD_HANDLES(netrt_stream_socket_control_get_ignorable_server_certificate_errors(H, &out));
  BAD_HANDLES(netrt_stream_socket_control_get_min_protection_level(H, &level));
  BAD_HANDLES(netrt_stream_socket_control_set_min_protection_level(H, 0));
  BAD_HANDLES(netrt_stream_socket_control_get_trusted_root_certificates(H, &out));
  BAD_HANDLES(netrt_stream_socket_control_get_application_protocols(H, &out));
  BAD_HANDLES(netrt_stream_socket_control_get_certificate_revocation_lists(H, &out));
  BAD_HANDLES(netrt_stream_socket_control_get_tls_handshake_timeout(H, &ticks));
  BAD_HANDLES(netrt_stream_socket_control_set_tls_handshake_timeout(H, 0));
  CHECK_HR(netrt_stream_socket_control_set_client_certificate(control, stale), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_stream_socket_control_set_client_certificate(control, never), NETRT_E_HANDLE);
  CHECK_HR(netrt_stream_socket_control_set_client_certificate(control, wrong), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_socket_control_get_client_certificate(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_get_ignorable_server_certificate_errors(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_get_min_protection_level(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_get_trusted_root_certificates(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_get_application_protocols(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_get_certificate_revocation_lists(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_get_tls_handshake_timeout(control, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_control_set_min_protection_level(control, -5), NETRT_E_INVALIDARG);

  /* StreamSocketInformation TLS members (before connect: empty, not errors). */
  BAD_HANDLES(netrt_stream_socket_information_get_server_certificate(H, &out));
  BAD_HANDLES(netrt_stream_socket_information_get_server_intermediate_certificates(H, &out));
  BAD_HANDLES(netrt_stream_socket_information_get_server_certificate_errors(H, &out));
  BAD_HANDLES(netrt_stream_socket_information_get_server_certificate_error_severity(H, &severity));
  BAD_HANDLES(netrt_stream_socket_information_get_negotiated_tls_version(H, &u16));
  BAD_HANDLES(netrt_stream_socket_information_get_cipher_suite(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_stream_socket_information_get_application_protocol(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_stream_socket_information_get_server_name(H, text, sizeof text, &needed));
  BAD_HANDLES(netrt_stream_socket_information_get_client_certificate(H, &out));
  CHECK_HR(netrt_stream_socket_information_get_server_certificate(info, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_information_get_server_certificate_errors(info, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_information_get_server_certificate_error_severity(info, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_information_get_negotiated_tls_version(info, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_information_get_cipher_suite(info, text, sizeof text, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_information_get_cipher_suite(info, NULL, 5, &needed), NETRT_E_POINTER);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate(info, &out));
  CHECK(out == 0);
  CHECK_OK(netrt_stream_socket_information_get_negotiated_tls_version(info, &u16));
  CHECK(u16 == 0);
  CHECK_OK(netrt_stream_socket_information_get_server_certificate_error_severity(info, &severity));
  CHECK(severity == NETRT_SOCKET_SSL_ERROR_SEVERITY_NONE);

  /* StreamSocketListenerControl TLS members. */
  BAD_HANDLES(netrt_stream_socket_listener_control_get_server_certificate(H, &out));
  BAD_HANDLES(netrt_stream_socket_listener_control_set_server_certificate(H, 0));
  BAD_HANDLES(netrt_stream_socket_listener_control_get_client_certificate_mode(H, &mode));
  BAD_HANDLES(netrt_stream_socket_listener_control_set_client_certificate_mode(H, 0));
  BAD_HANDLES(netrt_stream_socket_listener_control_get_trusted_root_certificates(H, &out));
  CHECK_HR(netrt_stream_socket_listener_control_get_server_certificate(lcontrol, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_listener_control_get_client_certificate_mode(lcontrol, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_listener_control_set_client_certificate_mode(lcontrol, -1), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_socket_listener_control_set_server_certificate(lcontrol, wrong), NETRT_E_INVALIDARG);
  /* A TLS level without a server certificate. */
  CHECK_HR(netrt_stream_socket_listener_bind_service_name_with_protection_level_async(
               listener, "", NETRT_SOCKET_PROTECTION_LEVEL_TLS12, &op),
           NETRT_E_INVALIDARG);
  CHECK(op == 0);
  CHECK(out == 0);
  rc = 0;
cleanup:
  RELEASE(op);
  RELEASE(out);
  RELEASE(vec);
  RELEASE(lcontrol);
  RELEASE(listener);
  RELEASE(info);
  RELEASE(control);
  RELEASE(sock);
  RELEASE(host);
  RELEASE(wrong);
  printf("%s: test_tls_misuse (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
