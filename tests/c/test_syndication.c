/* Windows.Web.Syndication and Windows.Data.Xml.Dom.XmlDocument from C (docs/syndication.md):
 * loading an Atom and an RSS feed and reading its items, links, texts, people and categories;
 * reference semantics (a change through an item handle is in the feed); building a feed and
 * writing it out and back (round trip); extension elements and attributes; malformed and
 * non-feed documents (their HRESULTs and SyndicationError statuses); and misuse: NULL, stale
 * and wrong-kind handles, wrong vector elements, a cyclic object graph. */
#include "common.h"

static const char *ATOM =
    "<?xml version='1.0' encoding='utf-8'?>"
    "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:ex='urn:example' xml:lang='en'>"
    "<title type='text'>Example feed</title><subtitle>All about examples</subtitle>"
    "<id>urn:uuid:feed-1</id><updated>2024-03-01T12:00:00Z</updated>"
    "<link rel='alternate' href='http://example.org/'/>"
    "<link rel='next' href='http://example.org/page2'/>"
    "<author><name>Ada</name><email>ada@example.org</email></author>"
    "<category term='tech' scheme='urn:s' label='Technology'/>"
    "<generator uri='http://example.org/gen' version='1.0'>Gen</generator>"
    "<ex:note ex:level='2'>hello</ex:note>"
    "<entry><title>First</title><id>urn:uuid:e1</id><updated>2024-03-01T10:00:00Z</updated>"
    "<link href='http://example.org/1'/><summary>One</summary>"
    "<content type='html'>&lt;p&gt;Body&lt;/p&gt;</content></entry>"
    "<entry><title>Second</title><id>urn:uuid:e2</id><updated>2024-03-02T10:00:00Z</updated>"
    "<link rel='edit' href='http://example.org/2/edit'/></entry>"
    "</feed>";

static const char *RSS =
    "<rss version='2.0'><channel><title>RSS feed</title><link>http://example.org/rss</link>"
    "<description>d</description>"
    "<item><title>Item A</title><link>http://example.org/a</link><guid>a-1</guid>"
    "<pubDate>Fri, 01 Mar 2024 12:00:00 GMT</pubDate><category>news</category></item>"
    "</channel></rss>";

typedef netrt_hresult (*string_fn)(netrt_handle, char *, size_t, size_t *);

/* `fn(h)` succeeds and equals `want`. */
static int string_is(string_fn fn, netrt_handle h, const char *want, const char *what) {
  char buf[512];
  size_t needed = 0;
  netrt_hresult hr = fn(h, buf, sizeof buf, &needed);
  if (hr != NETRT_S_OK || strcmp(buf, want) != 0) {
    fprintf(stderr, "    %s: hr 0x%08X, \"%s\", expected \"%s\"\n", what, (unsigned)hr,
            hr == NETRT_S_OK ? buf : "", want);
    return 0;
  }
  return 1;
}
#define STRING_IS(fn, h, want) CHECK(string_is(fn, h, want, #fn))

/* Element `i` of a vector of objects (a new reference in *out). */
static netrt_hresult at(netrt_handle vec, uint32_t i, netrt_handle *out) {
  return netrt_vector_get_at_handle(vec, i, out);
}

/* A Uri handle's canonical string equals `want`. */
static int uri_is(netrt_handle uri, const char *want) {
  return uri && string_is(netrt_uri_get_absolute_uri, uri, want, "uri");
}

static char g_xml[16384];

/* The document's XML contains `needle` (the XML is left in g_xml). */
static int xml_contains_quiet(netrt_handle doc, const char *needle) {
  size_t needed = 0;
  return netrt_xml_document_get_xml(doc, g_xml, sizeof g_xml, &needed) == NETRT_S_OK && strstr(g_xml, needle);
}

/* As xml_contains_quiet, showing the document when it does not. */
static int xml_contains(netrt_handle doc, const char *needle) {
  if (!xml_contains_quiet(doc, needle)) {
    fprintf(stderr, "    \"%s\" not in %s\n", needle, g_xml);
    return 0;
  }
  return 1;
}

int main(void) {
  int rc = 1;
  netrt_handle feed = 0, items = 0, item = 0, item2 = 0, text = 0, links = 0, link = 0, uri = 0;
  netrt_handle people = 0, person = 0, cats = 0, cat = 0, gen = 0, doc = 0, copy = 0, exts = 0;
  netrt_handle node = 0, attrs = 0, attr = 0, rss = 0, built = 0, content = 0, stale = 0;
  netrt_handle xml = 0, item_links = 0, exts2 = 0, leaf = 0;
  char buf[256];
  size_t needed = 0;
  int64_t when = 0;
  uint32_t size = 0;
  netrt_kind kind = 0;
  netrt_syndication_format format = NETRT_SYNDICATION_FORMAT_RSS091;

  /* Load an Atom feed and read it. */
  CHECK_OK(netrt_syndication_feed_create(&feed));
  CHECK_OK(netrt_syndication_feed_load(feed, ATOM));
  CHECK_OK(netrt_syndication_feed_get_source_format(feed, &format));
  CHECK(format == NETRT_SYNDICATION_FORMAT_ATOM10);
  STRING_IS(netrt_syndication_feed_get_id, feed, "urn:uuid:feed-1");
  STRING_IS(netrt_syndication_node_get_language, feed, "en");
  CHECK_OK(netrt_syndication_feed_get_title(feed, &text));
  STRING_IS(netrt_syndication_text_get_text, text, "Example feed");
  STRING_IS(netrt_syndication_text_get_type, text, "text");
  RELEASE(text);
  CHECK_OK(netrt_syndication_feed_get_last_updated_time(feed, &when));
  CHECK(when == 133537680000000000LL); /* 2024-03-01T12:00:00Z in DateTime ticks */
  CHECK_OK(netrt_syndication_feed_get_next_uri(feed, &uri));
  CHECK(uri_is(uri, "http://example.org/page2"));
  RELEASE(uri);
  CHECK_OK(netrt_syndication_feed_get_previous_uri(feed, &uri));
  CHECK(uri == 0);

  CHECK_OK(netrt_syndication_feed_get_authors(feed, &people));
  CHECK(vec_size_is(people, 1));
  CHECK_OK(at(people, 0, &person));
  STRING_IS(netrt_syndication_person_get_name, person, "Ada");
  STRING_IS(netrt_syndication_person_get_email, person, "ada@example.org");
  CHECK_OK(netrt_get_kind(person, &kind));
  CHECK(kind == NETRT_KIND_SYNDICATION_PERSON);

  CHECK_OK(netrt_syndication_feed_get_categories(feed, &cats));
  CHECK_OK(at(cats, 0, &cat));
  STRING_IS(netrt_syndication_category_get_term, cat, "tech");
  STRING_IS(netrt_syndication_category_get_scheme, cat, "urn:s");
  STRING_IS(netrt_syndication_category_get_label, cat, "Technology");

  CHECK_OK(netrt_syndication_feed_get_generator(feed, &gen));
  STRING_IS(netrt_syndication_generator_get_text, gen, "Gen");
  STRING_IS(netrt_syndication_generator_get_version, gen, "1.0");

  /* The unknown element is an extension, with its attribute. */
  CHECK_OK(netrt_syndication_node_get_element_extensions(feed, &exts));
  CHECK(vec_size_is(exts, 1));
  CHECK_OK(at(exts, 0, &node));
  STRING_IS(netrt_syndication_node_get_node_name, node, "note");
  STRING_IS(netrt_syndication_node_get_node_namespace, node, "urn:example");
  STRING_IS(netrt_syndication_node_get_node_value, node, "hello");
  CHECK_OK(netrt_syndication_node_get_attribute_extensions(node, &attrs));
  CHECK_OK(at(attrs, 0, &attr));
  STRING_IS(netrt_syndication_attribute_get_name, attr, "level");
  STRING_IS(netrt_syndication_attribute_get_value, attr, "2");
  RELEASE(attr);
  RELEASE(attrs);
  RELEASE(node);

  /* Items, their links, content and derived URIs. */
  CHECK_OK(netrt_syndication_feed_get_items(feed, &items));
  CHECK_OK(netrt_vector_get_size(items, &size));
  CHECK(size == 2);
  CHECK_OK(at(items, 0, &item));
  STRING_IS(netrt_syndication_item_get_id, item, "urn:uuid:e1");
  CHECK_OK(netrt_syndication_item_get_title(item, &text));
  STRING_IS(netrt_syndication_text_get_text, text, "First");
  RELEASE(text);
  CHECK_OK(netrt_syndication_item_get_content(item, &content));
  STRING_IS(netrt_syndication_text_get_type, content, "html");
  STRING_IS(netrt_syndication_text_get_text, content, "<p>Body</p>");
  RELEASE(content);
  CHECK_OK(netrt_syndication_item_get_item_uri(item, &uri));
  CHECK(uri_is(uri, "http://example.org/1"));
  RELEASE(uri);
  CHECK_OK(at(items, 1, &item2));
  CHECK_OK(netrt_syndication_item_get_edit_uri(item2, &uri));
  CHECK(uri_is(uri, "http://example.org/2/edit"));
  RELEASE(uri);

  /* Reference semantics: a change through the item handle is the feed's. */
  CHECK_OK(netrt_syndication_text_create_syndication_text("Renamed", &text));
  CHECK_OK(netrt_syndication_item_set_title(item, text));
  RELEASE(text);
  CHECK_OK(netrt_syndication_feed_get_links(feed, &links));
  CHECK_OK(at(links, 0, &link));
  STRING_IS(netrt_syndication_link_get_relationship, link, "alternate");
  CHECK_OK(netrt_syndication_link_set_title(link, "Home page"));
  CHECK_OK(netrt_vector_remove_at(items, 1));
  CHECK_OK(netrt_syndication_node_get_xml_document(feed, NETRT_SYNDICATION_FORMAT_ATOM10, &doc));
  CHECK(xml_contains(doc, "Renamed"));
  CHECK(xml_contains(doc, "Home page"));
  CHECK(xml_contains(doc, "hello"));
  CHECK(!xml_contains_quiet(doc, "Second"));
  RELEASE(doc);

  /* Build a feed from nothing, write it as RSS 2.0, read it back (round trip). */
  CHECK_OK(netrt_uri_create("http://example.org/built", &uri));
  CHECK_OK(netrt_syndication_feed_create_syndication_feed("Built", "Made in C", uri, &built));
  RELEASE(uri);
  CHECK_OK(netrt_syndication_content_create_syndication_content("body text", NETRT_SYNDICATION_TEXT_TYPE_TEXT,
                                                                &content));
  CHECK_OK(netrt_uri_create("http://example.org/built/1", &uri));
  RELEASE(item);
  CHECK_OK(netrt_syndication_item_create_syndication_item("Built item", content, uri, &item));
  RELEASE(uri);
  CHECK_OK(netrt_syndication_item_set_id(item, "built-1"));
  CHECK_OK(netrt_syndication_item_set_published_date(item, 133537680000000000LL));
  RELEASE(items);
  CHECK_OK(netrt_syndication_feed_get_items(built, &items));
  CHECK_OK(netrt_vector_append_handle(items, item));
  CHECK_OK(netrt_syndication_node_get_xml_document(built, NETRT_SYNDICATION_FORMAT_RSS20, &doc));
  CHECK(xml_contains(doc, "<rss"));
  CHECK(xml_contains(doc, "Built item"));
  CHECK_HR(netrt_xml_document_get_xml(doc, NULL, 0, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed > 100);
  CHECK_OK(netrt_syndication_feed_create(&rss));
  CHECK_OK(netrt_syndication_feed_load_from_xml(rss, doc));
  CHECK_OK(netrt_syndication_feed_get_source_format(rss, &format));
  CHECK(format == NETRT_SYNDICATION_FORMAT_RSS20);
  RELEASE(items);
  CHECK_OK(netrt_syndication_feed_get_items(rss, &items));
  CHECK(vec_size_is(items, 1));
  RELEASE(item2);
  CHECK_OK(at(items, 0, &item2));
  STRING_IS(netrt_syndication_item_get_id, item2, "built-1");
  CHECK_OK(netrt_syndication_item_get_published_date(item2, &when));
  CHECK(when == 133537680000000000LL);
  CHECK_OK(netrt_syndication_item_get_links(item2, &item_links));
  CHECK(vec_size_is(item_links, 1));
  RELEASE(doc);

  /* An RSS 2.0 document. */
  CHECK_OK(netrt_syndication_feed_load(rss, RSS));
  RELEASE(items);
  CHECK_OK(netrt_syndication_feed_get_items(rss, &items));
  RELEASE(item2);
  CHECK_OK(at(items, 0, &item2));
  STRING_IS(netrt_syndication_item_get_id, item2, "a-1");
  RELEASE(cats);
  CHECK_OK(netrt_syndication_item_get_categories(item2, &cats));
  RELEASE(cat);
  CHECK_OK(at(cats, 0, &cat));
  STRING_IS(netrt_syndication_category_get_term, cat, "news");

  /* XmlDocument on its own. */
  CHECK_OK(netrt_xml_document_create(&xml));
  CHECK_OK(netrt_xml_document_load_xml(xml, "<a xmlns='urn:x'><b>t</b></a>"));
  CHECK(xml_contains(xml, "<b>t</b>"));
  CHECK_HR(netrt_xml_document_load_xml(xml, "<a><b></a>"), NETRT_WEB_E_INVALID_XML);
  CHECK(xml_contains(xml, "<b>t</b>")); /* unchanged */

  /* Malformed and non-feed documents: the HRESULT, its status, the feed unchanged. */
  CHECK_HR(netrt_syndication_feed_load(rss, "<rss><channel>"), NETRT_WEB_E_INVALID_XML);
  CHECK(netrt_syndication_error_get_status(NETRT_WEB_E_INVALID_XML) ==
        NETRT_SYNDICATION_ERROR_STATUS_INVALID_XML);
  CHECK_HR(netrt_syndication_feed_load(rss, "<html><body/></html>"), NETRT_WEB_E_UNSUPPORTED_FORMAT);
  CHECK(netrt_syndication_error_get_status(NETRT_WEB_E_UNSUPPORTED_FORMAT) ==
        NETRT_SYNDICATION_ERROR_STATUS_UNSUPPORTED_FORMAT);
  CHECK(netrt_syndication_error_get_status(NETRT_E_INVALIDARG) == NETRT_SYNDICATION_ERROR_STATUS_UNKNOWN);
  CHECK(vec_size_is(items, 1));
  CHECK_HR(netrt_syndication_node_get_xml_document(rss, 99, &doc), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_syndication_node_get_xml_document(rss, NETRT_SYNDICATION_FORMAT_RSS10, &doc),
           NETRT_E_INVALIDARG);

  /* Misuse: NULL arguments, wrong kinds, wrong vector elements, stale handles. */
  CHECK_HR(netrt_syndication_feed_create(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_feed_load(rss, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_feed_load(0, ATOM), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_feed_get_id(rss, buf, sizeof buf, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_feed_get_items(rss, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_feed_get_id(item2, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_syndication_item_set_title(item2, cat), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_syndication_node_get_node_name(xml, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_syndication_text_get_text(cat, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_handle(items, cat), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_append_string(items, "x"), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_vector_get_at_handle(items, 5, &node), NETRT_E_BOUNDS);
  CHECK_HR(netrt_syndication_node_get_xml_document(cat, NETRT_SYNDICATION_FORMAT_ATOM10, &doc), NETRT_E_NOTIMPL);
  CHECK_OK(netrt_syndication_feed_create(&stale));
  CHECK_OK(netrt_release(stale));
  CHECK_HR(netrt_syndication_feed_load(stale, ATOM), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_syndication_node_get_language(stale, buf, sizeof buf, &needed), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_close(rss), NETRT_E_INVALIDARG);

  /* A cycle (the item's Source is the feed holding it) fails instead of hanging. */
  CHECK_OK(netrt_syndication_item_set_source(item2, rss));
  CHECK_HR(netrt_syndication_node_get_xml_document(rss, NETRT_SYNDICATION_FORMAT_ATOM10, &doc), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_syndication_item_set_source(item2, 0));
  CHECK_OK(netrt_syndication_node_get_xml_document(rss, NETRT_SYNDICATION_FORMAT_ATOM10, &doc));
  RELEASE(doc);
  /* So does a node among its own extensions; the same node twice side by side is no cycle. */
  CHECK_OK(netrt_syndication_node_create_syndication_node("loop", "urn:x", "v", &node));
  CHECK_OK(netrt_syndication_node_get_element_extensions(node, &exts2));
  CHECK_OK(netrt_syndication_node_create_syndication_node("leaf", "urn:x", "w", &leaf));
  CHECK_OK(netrt_vector_append_handle(exts2, leaf));
  CHECK_OK(netrt_vector_append_handle(exts2, leaf));
  CHECK_OK(netrt_syndication_node_get_xml_document(node, NETRT_SYNDICATION_FORMAT_ATOM10, &doc));
  RELEASE(doc);
  CHECK_OK(netrt_vector_append_handle(exts2, node));
  CHECK_HR(netrt_syndication_node_get_xml_document(node, NETRT_SYNDICATION_FORMAT_ATOM10, &doc), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_vector_remove_at(exts2, 2)); /* break the cycle so the objects can go */

  rc = 0;
cleanup:
  RELEASE(feed);
  RELEASE(items);
  RELEASE(item);
  RELEASE(item2);
  RELEASE(text);
  RELEASE(links);
  RELEASE(link);
  RELEASE(uri);
  RELEASE(people);
  RELEASE(person);
  RELEASE(cats);
  RELEASE(cat);
  RELEASE(gen);
  RELEASE(doc);
  RELEASE(copy);
  RELEASE(exts);
  RELEASE(node);
  RELEASE(attrs);
  RELEASE(attr);
  RELEASE(rss);
  RELEASE(built);
  RELEASE(content);
  RELEASE(xml);
  RELEASE(item_links);
  RELEASE(exts2);
  RELEASE(leaf);
  printf("test_syndication: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
