/* BuildChainAsync(certificates, ChainBuildingParameters) and SubjectAlternativeNameInfo's plural
 * (IVector) members, on the openssl-made test PKI (tests/peers/launch pki). The system trust
 * store is pointed at the test CA with SSL_CERT_FILE before netrt first reads it. */
#include "common.h"
#include "peers.h"

/* 2020-06-01 00:00:00 UTC as a DateTime (100-ns ticks since 1601): inside the `expired`
 * certificate's 2020-2021 validity, before the `leaf`'s. */
#define JUNE_2020 132354432000000000LL

/* Builds `leaf`'s chain with `params` (no extra certificates) and validates it. */
static netrt_chain_validation_result validate_built(netrt_handle leaf, netrt_handle params, uint32_t *length) {
  netrt_handle op = 0, chain = 0, certs = 0;
  netrt_chain_validation_result result = NETRT_CHAIN_VALIDATION_RESULT_OTHER_ERRORS;
  *length = 0;
  if (netrt_certificate_build_chain_with_parameters_async(leaf, NULL, 0, params, &op) == NETRT_S_OK &&
      wait_completed(op) == NETRT_S_OK && netrt_async_get_results_handle(op, &chain) == NETRT_S_OK &&
      netrt_certificate_chain_get_certificates(chain, true, &certs) == NETRT_S_OK &&
      netrt_vector_get_size(certs, length) == NETRT_S_OK &&
      netrt_certificate_chain_validate(chain, &result) != NETRT_S_OK) {
    result = NETRT_CHAIN_VALIDATION_RESULT_OTHER_ERRORS;
  }
  RELEASE(certs);
  RELEASE(chain);
  RELEASE(op);
  return result;
}

int main(void) {
  int rc = 1;
  const char *pki = test_pki();
  netrt_handle leaf = 0, ca = 0, other = 0, expired = 0, san_cert = 0, params = 0, vec = 0, roots = 0,
               san = 0, view = 0, op = 0, stale = 0;
  char path[512];
  bool flag = false;
  int64_t when = 0;
  uint32_t length = 0;
  if (!pki) {
    return 1;
  }
  snprintf(path, sizeof path, "%s/ca.pem", pki);
  setenv("SSL_CERT_FILE", path, 1);
  CHECK_OK(load_cert(pki, "leaf", 0, &leaf));
  CHECK_OK(load_cert(pki, "ca", 0, &ca));
  CHECK_OK(load_cert(pki, "other_ca", 0, &other));
  CHECK_OK(load_cert(pki, "expired", 0, &expired));
  CHECK_OK(load_cert(pki, "san_all", 0, &san_cert));

  /* Defaults: current time, no revocation check, no network retrieval, system store. */
  CHECK_OK(netrt_chain_building_parameters_create(&params));
  CHECK_OK(netrt_chain_building_parameters_get_current_time_validation_enabled(params, &flag));
  CHECK(flag);
  CHECK_OK(netrt_chain_building_parameters_get_revocation_check_enabled(params, &flag));
  CHECK(!flag);
  CHECK_OK(netrt_chain_building_parameters_get_network_retrieval_enabled(params, &flag));
  CHECK(!flag);
  CHECK_OK(netrt_chain_building_parameters_get_authority_information_access_enabled(params, &flag));
  CHECK(!flag);
  CHECK_OK(netrt_chain_building_parameters_get_validation_timestamp(params, &when));
  CHECK(when > JUNE_2020);
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS && length == 2);

  /* EnhancedKeyUsages: OIDs only; the leaf is serverAuth, not clientAuth. */
  CHECK_OK(netrt_chain_building_parameters_get_enhanced_key_usages(params, &vec));
  CHECK_HR(netrt_vector_append_string(vec, "serverAuth"), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_vector_append_string(vec, "1.3.6.1.5.5.7.3.1"));
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS);
  CHECK_OK(netrt_vector_append_string(vec, "1.3.6.1.5.5.7.3.2"));
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_WRONG_USAGE);
  CHECK_OK(netrt_vector_clear(vec));
  RELEASE(vec);

  /* ExclusiveTrustRoots replace the system store, for building and for validating. */
  CHECK_OK(netrt_chain_building_parameters_get_exclusive_trust_roots(params, &roots));
  CHECK_OK(netrt_vector_append_handle(roots, other));
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_UNTRUSTED && length == 1);
  CHECK_OK(netrt_vector_append_handle(roots, ca));
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS && length == 2);
  CHECK_OK(netrt_vector_clear(roots));

  /* The validation time, when current-time validation is off. */
  CHECK_OK(netrt_chain_building_parameters_set_validation_timestamp(params, JUNE_2020));
  CHECK(validate_built(expired, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_EXPIRED);
  CHECK_OK(netrt_chain_building_parameters_set_current_time_validation_enabled(params, false));
  CHECK(validate_built(expired, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS);
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_EXPIRED);
  CHECK_OK(netrt_chain_building_parameters_set_current_time_validation_enabled(params, true));

  /* Revocation requested: there is no revocation source for a built chain. */
  CHECK_OK(netrt_chain_building_parameters_set_revocation_check_enabled(params, true));
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_REVOCATION_INFORMATION_MISSING);
  CHECK_OK(netrt_chain_building_parameters_set_revocation_check_enabled(params, false));
  CHECK_OK(netrt_chain_building_parameters_set_network_retrieval_enabled(params, true));
  CHECK_OK(netrt_chain_building_parameters_set_authority_information_access_enabled(params, true));
  CHECK_OK(netrt_chain_building_parameters_get_network_retrieval_enabled(params, &flag));
  CHECK(flag);
  CHECK(validate_built(leaf, params, &length) == NETRT_CHAIN_VALIDATION_RESULT_SUCCESS && length == 2);

  /* Misuse: NULL, wrong kinds, released handles. */
  CHECK_HR(netrt_chain_building_parameters_create(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_chain_building_parameters_get_revocation_check_enabled(params, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_chain_building_parameters_get_enhanced_key_usages(leaf, &vec), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_chain_building_parameters_set_revocation_check_enabled(leaf, true), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_certificate_build_chain_with_parameters_async(leaf, NULL, 0, leaf, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_certificate_build_chain_with_parameters_async(leaf, NULL, 0, params, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_certificate_build_chain_with_parameters_async(leaf, NULL, 1, params, &op), NETRT_E_POINTER);
  CHECK(op == 0);
  CHECK_OK(netrt_chain_building_parameters_create(&stale));
  CHECK_OK(netrt_release(stale));
  CHECK_HR(netrt_chain_building_parameters_set_revocation_check_enabled(stale, true), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_certificate_build_chain_with_parameters_async(leaf, NULL, 0, stale, &op), NETRT_RO_E_CLOSED);

  /* SubjectAlternativeNameInfo: the plural members are live vectors of the same entries. */
  CHECK_OK(netrt_certificate_get_subject_alternative_name(san_cert, &san));
  CHECK_OK(netrt_subject_alternative_name_info_get_dns_names(san, &vec));
  CHECK(vec_size_is(vec, 2) && vec_string_is(vec, 1, "b.example"));
  CHECK_OK(netrt_vector_append_string(vec, "c.example"));
  CHECK_OK(netrt_subject_alternative_name_info_get_dns_name(san, &view));
  CHECK(vec_size_is(view, 3) && vec_string_is(view, 2, "c.example"));
  CHECK_HR(netrt_vector_append_string(view, "d.example"), NETRT_E_ILLEGAL_METHOD_CALL); /* a view */
  RELEASE(view);
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_ip_addresses(san, &vec));
  CHECK(vec_size_is(vec, 2) && vec_string_is(vec, 1, "2001:db8::1"));
  CHECK_HR(netrt_vector_append_string(vec, "not an address"), NETRT_E_INVALIDARG);
  CHECK(vec_size_is(vec, 2));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_urls(san, &vec));
  CHECK(vec_size_is(vec, 1) && vec_string_is(vec, 0, "https://a.example/path"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_email_names(san, &vec));
  CHECK(vec_size_is(vec, 1) && vec_string_is(vec, 0, "someone@example.com"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_distinguished_names(san, &vec));
  CHECK(vec_size_is(vec, 1) && vec_string_is(vec, 0, "O=Example,CN=Directory Name"));
  RELEASE(vec);
  CHECK_OK(netrt_subject_alternative_name_info_get_principal_names(san, &vec));
  CHECK(vec_size_is(vec, 1) && vec_string_is(vec, 0, "user@example.com"));
  RELEASE(vec);
  RELEASE(san);
  /* The certificate is unchanged; a new info starts empty. */
  CHECK_OK(netrt_certificate_get_subject_alternative_name(san_cert, &san));
  CHECK_OK(netrt_subject_alternative_name_info_get_dns_names(san, &vec));
  CHECK(vec_size_is(vec, 2));
  RELEASE(vec);
  RELEASE(san);
  CHECK_OK(netrt_subject_alternative_name_info_create(&san));
  CHECK_OK(netrt_subject_alternative_name_info_get_urls(san, &vec));
  CHECK(vec_size_is(vec, 0));
  CHECK_HR(netrt_subject_alternative_name_info_get_urls(san, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_subject_alternative_name_info_get_urls(leaf, &view), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_subject_alternative_name_info_create(NULL), NETRT_E_POINTER);
  rc = 0;
cleanup:
  RELEASE(op);
  RELEASE(view);
  RELEASE(vec);
  RELEASE(san);
  RELEASE(roots);
  RELEASE(params);
  RELEASE(san_cert);
  RELEASE(expired);
  RELEASE(other);
  RELEASE(ca);
  RELEASE(leaf);
  if (rc == 0) {
    printf("test_chain_building: %d checks passed\n", g_checks);
  }
  return rc;
}
