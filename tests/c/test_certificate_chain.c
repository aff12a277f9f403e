/* The Certificate members beyond names and dates (algorithm names, KeyUsages,
 * SubjectAlternativeName, the store members), BuildChainAsync + CertificateChain.Validate with
 * ChainValidationParameters, HostName.IPInformation and the TlsVersion constants, on the
 * openssl-made test PKI (tests/peers/launch pki). The system trust store is pointed at the test CA with
 * SSL_CERT_FILE before netrt first reads it. */
#include "common.h"
#include "peers.h"

/* Whether `len` bytes at `data` contain the string `what`. */
static bool contains(const uint8_t *data, size_t len, const char *what) {
  size_t n = strlen(what);
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp(data + i, what, n) == 0) return true;
  }
  return false;
}

/* SubjectAlternativeNameInfo.Extension and CertificateExtension: the certificate's own
 * subjectAltName extension (2.5.29.17, its DER value), an empty one without SAN, and the
 * constructor, setters and EncodeValue. Returns 0 on success. */
static int check_extension(netrt_handle san_cert, netrt_handle ca) {
  int rc = 1;
  netrt_handle san = 0, ext = 0, other = 0;
  char text[64];
  uint8_t der[512];
  size_t needed = 0;
  bool critical = true;

  CHECK_OK(netrt_certificate_get_subject_alternative_name(san_cert, &san));
  CHECK_OK(netrt_subject_alternative_name_info_get_extension(san, &ext));
  CHECK_OK(netrt_certificate_extension_get_object_id(ext, text, sizeof text, &needed));
  CHECK(strcmp(text, "2.5.29.17") == 0);
  CHECK_OK(netrt_certificate_extension_get_is_critical(ext, &critical));
  CHECK(!critical);
  CHECK_HR(netrt_certificate_extension_get_value(ext, NULL, 0, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed > 20 && needed <= sizeof der);
  CHECK_OK(netrt_certificate_extension_get_value(ext, der, sizeof der, &needed));
  CHECK(der[0] == 0x30 && contains(der, needed, "a.example")); /* GeneralNames */
  RELEASE(ext);
  RELEASE(san);

  /* No subjectAltName: the object id, not critical, an empty value. */
  CHECK_OK(netrt_certificate_get_subject_alternative_name(ca, &san));
  CHECK_OK(netrt_subject_alternative_name_info_get_extension(san, &ext));
  CHECK_OK(netrt_certificate_extension_get_object_id(ext, text, sizeof text, &needed));
  CHECK(strcmp(text, "2.5.29.17") == 0);
  CHECK_OK(netrt_certificate_extension_get_value(ext, NULL, 0, &needed));
  CHECK(needed == 0);
  RELEASE(ext);

  /* The constructor, the setters and EncodeValue (an IA5String for ASCII text). */
  CHECK_OK(netrt_certificate_extension_create(&ext));
  CHECK_OK(netrt_certificate_extension_get_object_id(ext, text, sizeof text, &needed));
  CHECK(text[0] == 0 && needed == 1);
  CHECK_OK(netrt_certificate_extension_set_object_id(ext, "1.2.3.4"));
  CHECK_OK(netrt_certificate_extension_get_object_id(ext, text, sizeof text, &needed));
  CHECK(strcmp(text, "1.2.3.4") == 0);
  CHECK_OK(netrt_certificate_extension_set_is_critical(ext, true));
  CHECK_OK(netrt_certificate_extension_get_is_critical(ext, &critical));
  CHECK(critical);
  CHECK_OK(netrt_certificate_extension_encode_value(ext, "hi"));
  CHECK_OK(netrt_certificate_extension_get_value(ext, der, sizeof der, &needed));
  CHECK(needed == 4 && memcmp(der, "\x16\x02hi", 4) == 0);
  CHECK_OK(netrt_certificate_extension_set_value(ext, (const uint8_t *)"\x05\x00", 2));
  CHECK_OK(netrt_certificate_extension_get_value(ext, der, sizeof der, &needed));
  CHECK(needed == 2 && der[0] == 0x05);
  CHECK_OK(netrt_certificate_extension_set_value(ext, NULL, 0));
  CHECK_OK(netrt_certificate_extension_get_value(ext, NULL, 0, &needed));
  CHECK(needed == 0);

  /* Misuse: NULLs, a wrong kind, a stale handle. */
  CHECK_HR(netrt_certificate_extension_set_object_id(ext, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_extension_encode_value(ext, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_extension_set_value(ext, NULL, 3), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_extension_get_is_critical(ext, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_extension_get_value(ext, NULL, 0, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_extension_create(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_subject_alternative_name_info_get_extension(san, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_subject_alternative_name_info_get_extension(ext, &other), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_certificate_extension_set_is_critical(san, true), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_certificate_extension_get_is_critical(0, &critical), NETRT_E_POINTER);
  {
    netrt_handle stale = ext;
    RELEASE(ext);
    CHECK_HR(netrt_certificate_extension_get_is_critical(stale, &critical), NETRT_RO_E_CLOSED);
  }
  rc = 0;
cleanup:
  RELEASE(other);
  RELEASE(ext);
  RELEASE(san);
  return rc;
}

int main(void) {
  int rc = 1;
  const char *pki = test_pki();
  netrt_handle leaf = 0, ca = 0, client = 0, san_cert = 0, san = 0, vec = 0, op = 0, chain = 0, params = 0, host = 0,
               got = 0, info = 0, adapter = 1;
  char text[256], path[512];
  size_t needed = 0;
  bool flag = true, has = false;
  uint8_t prefix = 0;
  netrt_certificate_key_usages ku;
  netrt_chain_validation_result result = NETRT_CHAIN_VALIDATION_RESULT_OTHER_ERRORS;
  netrt_certificate_chain_policy policy = NETRT_CERTIFICATE_CHAIN_POLICY_SSL;
  if (!pki) {
    return 1;
  }
  snprintf(path, sizeof path, "%s/ca.pem", pki);
  setenv("SSL_CERT_FILE", path, 1);

  CHECK_OK(load_cert(pki, "leaf", 1, &leaf));
  CHECK_OK(load_cert(pki, "ca", 0, &ca));
  CHECK_OK(load_cert(pki, "client", 0, &client));
  CHECK_OK(load_cert(pki, "san_all", 0, &san_cert));

  /* Algorithm names, as Windows spells them (EC P-256, ECDSA with SHA-256). */
  CHECK_OK(netrt_certificate_get_signature_algorithm_name(leaf, text, sizeof text, &needed));
  CHECK(strcmp(text, "sha256ECDSA") == 0 && needed == strlen("sha256ECDSA") + 1);
  CHECK_OK(netrt_certificate_get_signature_hash_algorithm_name(leaf, text, sizeof text, &needed));
  CHECK(strcmp(text, "SHA256") == 0);
  CHECK_OK(netrt_certificate_get_key_algorithm_name(leaf, text, sizeof text, &needed));
  CHECK(strcmp(text, "ECDSA_P256") == 0);
  CHECK_HR(netrt_certificate_get_key_algorithm_name(leaf, text, 3, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == 11);

  /* The store members have their Linux values. */
  CHECK_OK(netrt_certificate_get_is_strongly_protected(leaf, &flag));
  CHECK(!flag);
  flag = true;
  CHECK_OK(netrt_certificate_get_is_per_user(leaf, &flag));
  CHECK(!flag);
  flag = true;
  CHECK_OK(netrt_certificate_get_is_security_device_bound(leaf, &flag));
  CHECK(!flag);
  CHECK_OK(netrt_certificate_get_key_storage_provider_name(leaf, text, sizeof text, &needed));
  CHECK(text[0] == 0 && needed == 1);
  CHECK_OK(netrt_certificate_get_store_name(leaf, text, sizeof text, &needed));
  CHECK(text[0] == 0 && needed == 1);

  /* KeyUsages: the CA signs certificates and CRLs; the SAN leaf signs, agrees keys (encipher
   * only) and commits to content. */
  CHECK_OK(netrt_certificate_get_key_usages(ca, &ku));
  CHECK(ku.key_certificate_sign && ku.crl_sign && !ku.digital_signature && !ku.key_agreement);
  CHECK_OK(netrt_certificate_get_key_usages(san_cert, &ku));
  CHECK(ku.digital_signature && ku.key_agreement && ku.encipher_only && ku.non_repudiation &&
        !ku.key_certificate_sign && !ku.key_encipherment);
  CHECK_OK(netrt_certificate_get_key_usages(client, &ku)); /* no keyUsage extension */
  CHECK(!ku.digital_signature && !ku.key_encipherment && !ku.crl_sign);
  CHECK_HR(netrt_certificate_get_key_usages(leaf, NULL), NETRT_E_POINTER);

  /* SubjectAlternativeName, by kind. */
  CHECK_OK(netrt_certificate_get_subject_alternative_name(san_cert, &san));
  CHECK_OK(netrt_subject_alternative_name_info_get_dns_name(san, &vec));
  CHECK(vec_size_is(vec, 2) && vec_string_is(vec, 0, "a.example") && vec_string_is(vec, 1, "b.example"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_ip_address(san, &vec));
  CHECK(vec_size_is(vec, 2) && vec_string_is(vec, 0, "192.0.2.1") && vec_string_is(vec, 1, "2001:db8::1"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_url(san, &vec));
  CHECK(vec_string_is(vec, 0, "https://a.example/path"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_email_name(san, &vec));
  CHECK(vec_string_is(vec, 0, "someone@example.com"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_distinguished_name(san, &vec));
  CHECK(vec_string_is(vec, 0, "O=Example,CN=Directory Name"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_principal_name(san, &vec));
  CHECK(vec_string_is(vec, 0, "user@example.com"));
  CHECK_HR(netrt_vector_append_string(vec, "x"), NETRT_E_ILLEGAL_METHOD_CALL); /* read-only */
  RELEASE(vec);
  CHECK_HR(netrt_subject_alternative_name_info_get_dns_name(leaf, &vec), NETRT_E_INVALIDARG); /* kind */
  CHECK_HR(netrt_subject_alternative_name_info_get_dns_name(san, NULL), NETRT_E_POINTER);
  CHECK(check_extension(san_cert, ca) == 0);

  /* BuildChainAsync: leaf -> the CA found in the trust store. */
  CHECK_HR(netrt_certificate_build_chain_async(leaf, NULL, 1, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_build_chain_async(leaf, &host, 1, &op), NETRT_E_POINTER); /* host is 0 */
  CHECK_HR(netrt_certificate_build_chain_async(leaf, &san, 1, &op), NETRT_E_INVALIDARG); /* wrong kind */
  CHECK(op == 0);
  CHECK_OK(netrt_certificate_build_chain_async(leaf, NULL, 0, &op));
  CHECK(wait_completed(op) == NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &chain));
  RELEASE(op);
  CHECK_OK(netrt_certificate_chain_get_certificates(chain, true, &vec));
  CHECK(vec_size_is(vec, 2));
  CHECK_OK(netrt_vector_get_at_handle(vec, 1, &got));
  CHECK_OK(netrt_certificate_get_subject(got, text, sizeof text, &needed));
  CHECK(strcmp(text, "netrt Test CA") == 0);
  RELEASE(got);
  RELEASE(vec);
  CHECK_OK(netrt_certificate_chain_get_certificates(chain, false, &vec));
  CHECK(vec_size_is(vec, 1));
  RELEASE(vec);
  CHECK_OK(netrt_certificate_chain_validate(chain, &result));
  CHECK(result == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS);

  /* Validate(parameters): the SSL policy checks the name; Windows-only policies are E_NOTIMPL. */
  CHECK_OK(netrt_chain_validation_parameters_create(&params));
  CHECK_OK(netrt_chain_validation_parameters_get_certificate_chain_policy(params, &policy));
  CHECK(policy == NETRT_CERTIFICATE_CHAIN_POLICY_BASE);
  CHECK_OK(netrt_chain_validation_parameters_get_server_dns_name(params, &got));
  CHECK(got == 0);
  CHECK_OK(netrt_chain_validation_parameters_set_certificate_chain_policy(params, NETRT_CERTIFICATE_CHAIN_POLICY_SSL));
  CHECK_OK(netrt_host_name_create("other.example", &host));
  CHECK_OK(netrt_chain_validation_parameters_set_server_dns_name(params, host));
  CHECK_OK(netrt_certificate_chain_validate_with_parameters(chain, params, &result));
  CHECK(result == NETRT_CHAIN_VALIDATION_RESULT_INVALID_NAME);
  RELEASE(host);
  CHECK_OK(netrt_host_name_create("localhost", &host));
  CHECK_OK(netrt_chain_validation_parameters_set_server_dns_name(params, host));
  CHECK_OK(netrt_chain_validation_parameters_get_server_dns_name(params, &got));
  CHECK_OK(netrt_host_name_get_canonical_name(got, text, sizeof text, &needed));
  CHECK(strcmp(text, "localhost") == 0);
  RELEASE(got);
  CHECK_OK(netrt_certificate_chain_validate_with_parameters(chain, params, &result));
  CHECK(result == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS);
  CHECK_OK(netrt_chain_validation_parameters_set_certificate_chain_policy(
      params, NETRT_CERTIFICATE_CHAIN_POLICY_NT_AUTHENTICATION));
  CHECK_HR(netrt_certificate_chain_validate_with_parameters(chain, params, &result), NETRT_E_NOTIMPL);
  CHECK_HR(netrt_chain_validation_parameters_set_certificate_chain_policy(params, 9), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_certificate_chain_validate_with_parameters(chain, leaf, &result), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_certificate_chain_validate(chain, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_chain_validate(leaf, &result), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_chain_validation_parameters_set_server_dns_name(params, 0));
  CHECK_OK(netrt_chain_validation_parameters_get_server_dns_name(params, &got));
  CHECK(got == 0);
  RELEASE(host);

  /* HostName.IPInformation: the loopback address is local (/8); a documentation address is not. */
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  CHECK_OK(netrt_host_name_get_ip_information(host, &info));
  CHECK(info != 0);
  CHECK_OK(netrt_ip_information_get_prefix_length(info, &has, &prefix));
  CHECK(has && prefix == 8);
  CHECK_OK(netrt_ip_information_get_network_adapter(info, &adapter));
  CHECK(adapter == 0);
  CHECK_HR(netrt_ip_information_get_prefix_length(info, NULL, &prefix), NETRT_E_POINTER);
  RELEASE(info);
  RELEASE(host);
  CHECK_OK(netrt_host_name_create("192.0.2.77", &host));
  CHECK_OK(netrt_host_name_get_ip_information(host, &info));
  CHECK(info == 0);
  RELEASE(host);

  /* TlsVersion constants are the wire versions NegotiatedTlsVersion reports. */
  CHECK(NETRT_TLS_VERSION_TLS12 == 0x0303 && NETRT_TLS_VERSION_TLS13 == 0x0304 && NETRT_TLS_VERSION_NONE == 0);
  rc = 0;
cleanup:
  RELEASE(info);
  RELEASE(got);
  RELEASE(host);
  RELEASE(params);
  RELEASE(chain);
  RELEASE(op);
  RELEASE(vec);
  RELEASE(san);
  RELEASE(san_cert);
  RELEASE(client);
  RELEASE(ca);
  RELEASE(leaf);
  if (rc == 0) {
    printf("test_certificate_chain: %d checks passed\n", g_checks);
  }
  return rc;
}
