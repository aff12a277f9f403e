/* Windows.Foundation.Uri and WwwFormUrlDecoder from C (docs/web.md): the parts of a parsed
 * URI, default ports, CombineUri and the two-string constructor, Equals, escaping, the parsed
 * query, invalid strings (E_INVALIDARG with the problem in the detail), the string-out
 * protocol, and NULL / stale / wrong-kind handles. */
#include "common.h"

#include <stdlib.h>

typedef netrt_hresult (*uri_string_fn)(netrt_handle, char *, size_t, size_t *);

/* `fn(uri)` must succeed and equal `want`. */
static int string_is(uri_string_fn fn, netrt_handle h, const char *want, const char *what) {
  char buf[256];
  size_t needed = 0;
  netrt_hresult hr = fn(h, buf, sizeof buf, &needed);
  if (hr != NETRT_S_OK || strcmp(buf, want) != 0 || needed != strlen(want) + 1) {
    fprintf(stderr, "    %s: hr 0x%08X, \"%s\" (needed %zu), expected \"%s\"\n", what, (unsigned)hr,
            hr == NETRT_S_OK ? buf : "", needed, want);
    return 0;
  }
  return 1;
}

#define STRING_IS(fn, h, want) CHECK(string_is(fn, h, want, #fn))

/* The last error detail of this thread contains `needle`. */
static int detail_contains(const char *needle) {
  char detail[512];
  size_t needed = 0;
  return netrt_get_last_error_detail(detail, sizeof detail, &needed) == NETRT_S_OK &&
         strstr(detail, needle) != NULL;
}

int main(void) {
  int rc = 1;
  netrt_handle uri = 0, other = 0, combined = 0, based = 0, query = 0, decoder = 0, entry = 0;
  netrt_handle host = 0, released = 0;
  char buf[256];
  size_t needed = 0;
  int32_t port = 0;
  bool flag = true;
  uint32_t size = 0, index = 99;

  /* Every part of a full URI. */
  CHECK_OK(netrt_uri_create("HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top", &uri));
  STRING_IS(netrt_uri_get_scheme_name, uri, "http");
  STRING_IS(netrt_uri_get_host, uri, "www.contoso.com");
  STRING_IS(netrt_uri_get_domain, uri, "contoso.com");
  STRING_IS(netrt_uri_get_path, uri, "/a/page.htm");
  STRING_IS(netrt_uri_get_extension, uri, ".htm");
  STRING_IS(netrt_uri_get_query, uri, "?x=1&y=a+b%21");
  STRING_IS(netrt_uri_get_fragment, uri, "#top");
  STRING_IS(netrt_uri_get_user_name, uri, "user");
  STRING_IS(netrt_uri_get_password, uri, "pw");
  STRING_IS(netrt_uri_get_absolute_uri, uri, "http://user:pw@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
  STRING_IS(netrt_uri_get_absolute_canonical_uri, uri,
            "http://user:pw@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
  STRING_IS(netrt_uri_get_display_uri, uri, "http://user@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
  STRING_IS(netrt_uri_get_raw_uri, uri, "HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top");
  STRING_IS(netrt_uri_to_string, uri, "http://user:pw@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
  CHECK_OK(netrt_uri_get_port(uri, &port));
  CHECK(port == 8080);
  CHECK_OK(netrt_uri_get_suspicious(uri, &flag));
  CHECK(!flag);

  /* The string-out protocol: a size query, then a buffer one byte short. */
  CHECK_HR(netrt_uri_get_host(uri, NULL, 0, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == sizeof "www.contoso.com");
  memset(buf, 'x', sizeof buf);
  CHECK_HR(netrt_uri_get_host(uri, buf, needed - 1, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(buf[0] == 'x');

  /* QueryParsed: decoded pairs, in order. */
  CHECK_OK(netrt_uri_get_query_parsed(uri, &query));
  CHECK_OK(netrt_www_form_url_decoder_get_size(query, &size));
  CHECK(size == 2);
  CHECK_OK(netrt_www_form_url_decoder_get_first_value_by_name(query, "y", buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "a b!") == 0);
  CHECK_HR(netrt_www_form_url_decoder_get_first_value_by_name(query, "zz", buf, sizeof buf, &needed),
           NETRT_E_INVALIDARG);
  CHECK(detail_contains("zz"));

  /* A decoder of its own: repeated names, empty values, GetAt, IndexOf, bounds. */
  CHECK_OK(netrt_www_form_url_decoder_create("?a=1&b=&a=2&c", &decoder));
  CHECK_OK(netrt_www_form_url_decoder_get_size(decoder, &size));
  CHECK(size == 4);
  CHECK_OK(netrt_www_form_url_decoder_get_first_value_by_name(decoder, "a", buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "1") == 0);
  CHECK_OK(netrt_www_form_url_decoder_get_at(decoder, 2, &entry));
  STRING_IS(netrt_www_form_url_decoder_entry_get_name, entry, "a");
  STRING_IS(netrt_www_form_url_decoder_entry_get_value, entry, "2");
  CHECK_OK(netrt_www_form_url_decoder_index_of(decoder, entry, &flag, &index));
  CHECK(flag && index == 2);
  CHECK_OK(netrt_www_form_url_decoder_index_of(query, entry, &flag, &index));
  CHECK(!flag && index == 0);
  RELEASE(entry);
  CHECK_OK(netrt_www_form_url_decoder_get_at(decoder, 3, &entry));
  STRING_IS(netrt_www_form_url_decoder_entry_get_value, entry, "");
  RELEASE(entry);
  CHECK_HR(netrt_www_form_url_decoder_get_at(decoder, 4, &entry), NETRT_E_BOUNDS);
  CHECK(entry == 0);

  /* Default ports per scheme, and a URI with nothing but a host. */
  RELEASE(uri);
  CHECK_OK(netrt_uri_create("wss://h", &uri));
  CHECK_OK(netrt_uri_get_port(uri, &port));
  CHECK(port == 443);
  RELEASE(uri);
  CHECK_OK(netrt_uri_create("mailto:a@b", &uri));
  CHECK_OK(netrt_uri_get_port(uri, &port));
  CHECK(port == -1);
  RELEASE(uri);
  CHECK_OK(netrt_uri_create("http://127.0.0.1", &uri));
  STRING_IS(netrt_uri_get_path, uri, "/");
  STRING_IS(netrt_uri_get_domain, uri, "");
  STRING_IS(netrt_uri_get_query, uri, "");

  /* CombineUri, the two-string constructor, Equals (the fragment counts). */
  RELEASE(uri);
  CHECK_OK(netrt_uri_create("http://h/a/b/c", &uri));
  CHECK_OK(netrt_uri_combine_uri(uri, "../d?q", &combined));
  STRING_IS(netrt_uri_get_absolute_uri, combined, "http://h/a/d?q");
  CHECK_OK(netrt_uri_create_with_relative_uri("http://h/a/", "x", &based));
  STRING_IS(netrt_uri_to_string, based, "http://h/a/x");
  CHECK_OK(netrt_uri_create("HTTP://H:80/a/b/c", &other));
  CHECK_OK(netrt_uri_equals(uri, other, &flag));
  CHECK(flag);
  CHECK_OK(netrt_uri_equals(uri, based, &flag));
  CHECK(!flag);
  RELEASE(other);
  CHECK_OK(netrt_uri_create("http://h/a b", &other));
  CHECK_OK(netrt_uri_get_suspicious(other, &flag));
  CHECK(flag);

  /* Escaping (static). */
  CHECK_OK(netrt_uri_escape_component("a b/\xC3\xBC~", buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "a%20b%2F%C3%BC~") == 0);
  CHECK_OK(netrt_uri_unescape_component("a%20b%2F%C3%BC+%zz%", buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "a b/\xC3\xBC+%zz%") == 0);
  CHECK_HR(netrt_uri_escape_component("\xFF", buf, sizeof buf, &needed), NETRT_E_NO_UNICODE_TRANSLATION);

  /* Invalid strings: E_INVALIDARG, the problem named, nothing written. */
  {
    static const char *const bad[] = {"", "no-scheme", "http://exa mple.com/", "http://h:99999/", "/relative"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      netrt_handle h = 0;
      CHECK_HR(netrt_uri_create(bad[i], &h), NETRT_E_INVALIDARG);
      CHECK(h == 0);
      CHECK(detail_contains("URI"));
    }
    netrt_handle h = 0;
    CHECK_HR(netrt_uri_create_with_relative_uri("not absolute", "x", &h), NETRT_E_INVALIDARG);
    CHECK_HR(netrt_uri_combine_uri(uri, "http://h:99999/", &h), NETRT_E_INVALIDARG);
    CHECK(h == 0);
  }

  /* NULL arguments. */
  CHECK_HR(netrt_uri_create(NULL, &combined), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_create("http://h/", NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_create_with_relative_uri("http://h/", NULL, &combined), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_combine_uri(uri, NULL, &combined), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_get_port(uri, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_get_host(uri, buf, sizeof buf, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_equals(uri, 0, &flag), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_escape_component(NULL, buf, sizeof buf, &needed), NETRT_E_POINTER);
  CHECK_HR(netrt_www_form_url_decoder_create(NULL, &entry), NETRT_E_POINTER);
  CHECK_HR(netrt_www_form_url_decoder_get_first_value_by_name(decoder, NULL, buf, sizeof buf, &needed),
           NETRT_E_POINTER);
  CHECK_HR(netrt_www_form_url_decoder_index_of(decoder, 0, &flag, &index), NETRT_E_POINTER);

  /* Zero, never issued, released and wrong-kind handles. */
  CHECK_HR(netrt_uri_get_port(0, &port), NETRT_E_POINTER);
  CHECK_HR(netrt_uri_get_port(uri + ((netrt_handle)1 << 32), &port), NETRT_E_HANDLE);
  CHECK_OK(netrt_uri_create("http://gone/", &released));
  {
    netrt_handle stale = released;
    RELEASE(released);
    CHECK_HR(netrt_uri_get_port(stale, &port), NETRT_RO_E_CLOSED);
    CHECK_HR(netrt_uri_equals(uri, stale, &flag), NETRT_RO_E_CLOSED);
  }
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  CHECK_HR(netrt_uri_get_port(host, &port), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_uri_to_string(decoder, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_www_form_url_decoder_get_size(uri, &size), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_www_form_url_decoder_entry_get_name(decoder, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_uri_equals(uri, host, &flag), NETRT_E_INVALIDARG);
  {
    netrt_kind kind = 0;
    CHECK_OK(netrt_get_kind(uri, &kind));
    CHECK(kind == NETRT_KIND_URI);
    CHECK_OK(netrt_get_kind(decoder, &kind));
    CHECK(kind == NETRT_KIND_WWW_FORM_URL_DECODER);
  }
  /* Not closable: netrt_close on a Uri is E_INVALIDARG and the Uri stays usable. */
  CHECK_HR(netrt_close(uri), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_uri_get_port(uri, &port));

  rc = 0;
cleanup:
  RELEASE(uri);
  RELEASE(other);
  RELEASE(combined);
  RELEASE(based);
  RELEASE(query);
  RELEASE(decoder);
  RELEASE(entry);
  RELEASE(host);
  RELEASE(released);
  printf("test_uri: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
