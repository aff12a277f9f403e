/* AtomPubClient from C against tests/peers/atompub_server.py (RFC 5023 on aiohttp;
 * docs/syndication.md): the service document's workspaces and collections; create, retrieve,
 * update (If-Match from the ETag; a stale one is 412), list and delete an entry; the 401
 * without the credential; cancelling a slow request; and misuse. */
#define _DEFAULT_SOURCE
#include "common.h"
#include "peers.h"

static int g_port;
static const char MEDIA[] = "MEDIA-BYTES-0123456789";

/* Each connection to the media listener receives MEDIA, then end of stream: the client side's
 * InputStream is the media stream the client reads to its end. */
static void on_media_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0, out = 0, writer = 0, op = 0;
  (void)user_data;
  (void)sender;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock) == NETRT_S_OK &&
      netrt_stream_socket_get_output_stream(sock, &out) == NETRT_S_OK &&
      netrt_data_writer_create_with_stream(out, &writer) == NETRT_S_OK &&
      netrt_data_writer_write_string(writer, MEDIA, NULL) == NETRT_S_OK &&
      netrt_data_writer_store_async(writer, &op) == NETRT_S_OK) {
    (void)netrt_async_wait(op, STEP_MS);
  }
  RELEASE(op);
  RELEASE(writer); /* closes the stream, and so the socket */
  RELEASE(out);
  RELEASE(sock);
}

/* A connected socket's InputStream that yields MEDIA and ends (*sock keeps the socket). */
static netrt_hresult media_stream(netrt_handle listener, netrt_handle *sock, netrt_handle *in) {
  char port[16];
  netrt_handle host = 0, op = 0;
  netrt_hresult hr = listener_port(listener, port, sizeof port);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_create(sock);
  if (hr == NETRT_S_OK) hr = netrt_host_name_create("127.0.0.1", &host);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_connect_async(*sock, host, port, &op);
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_get_input_stream(*sock, in);
  RELEASE(op);
  RELEASE(host);
  return hr;
}

static netrt_hresult uri_of(const char *path, netrt_handle *out) {
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
  return netrt_uri_create(url, out);
}

/* Waits for `op`; returns its error code (0: completed), showing an unexpected failure. */
static netrt_hresult outcome(netrt_handle op) {
  netrt_hresult code = NETRT_E_UNEXPECTED;
  if (netrt_async_wait(op, 30000) == NETRT_S_OK) {
    (void)netrt_async_get_error_code(op, &code);
  }
  return code;
}

/* String `fn(h)` equals `want`. */
static int text_is(netrt_hresult (*fn)(netrt_handle, char *, size_t, size_t *), netrt_handle h, const char *want) {
  char buf[256];
  size_t needed = 0;
  if (fn(h, buf, sizeof buf, &needed) != NETRT_S_OK || strcmp(buf, want) != 0) {
    fprintf(stderr, "    got \"%s\", expected \"%s\"\n", buf, want);
    return 0;
  }
  return 1;
}

int main(void) {
  int rc = 1;
  peer server = {.pid = 0, .in_fd = -1};
  netrt_handle client = 0, anon = 0, cred = 0, uri = 0, op = 0, doc = 0, spaces = 0, space = 0;
  netrt_handle cols = 0, col = 0, text = 0, accepts = 0, cats = 0, cat = 0, item = 0, made = 0;
  netrt_handle got = 0, feed = 0, items = 0, edit = 0, title = 0, stale = 0;
  bool read_only = false;

  const char *args[] = {"run", "--port-after", "PORT ", "--", NULL, NULL, "user", "pw", NULL};
  char python[512], script[512];
  const char *venv = getenv("NETRT_TEST_PYTHON");
  snprintf(python, sizeof python, "%s", venv ? venv : "python3");
  snprintf(script, sizeof script, "%s", NETRT_PEER_LAUNCH);
  *strrchr(script, '/') = 0;
  strncat(script, "/atompub_server.py", sizeof script - strlen(script) - 1);
  args[4] = python;
  args[5] = script;
  CHECK(peer_launch(&server, args) == 0);
  g_port = server.port;

  CHECK_OK(netrt_password_credential_create_password_credential("atompub", "user", "pw", &cred));
  CHECK_OK(netrt_atom_pub_client_create_atom_pub_client_with_credentials(cred, &client));

  /* The service document. */
  CHECK_OK(uri_of("/service", &uri));
  CHECK_OK(netrt_atom_pub_client_retrieve_service_document_async(client, uri, &op));
  CHECK(outcome(op) == NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &doc));
  RELEASE(op);
  CHECK_OK(netrt_service_document_get_workspaces(doc, &spaces));
  CHECK(vec_size_is(spaces, 1));
  CHECK_OK(netrt_vector_get_is_read_only(spaces, &read_only));
  CHECK(read_only);
  CHECK_OK(netrt_vector_get_at_handle(spaces, 0, &space));
  CHECK_OK(netrt_workspace_get_title(space, &text));
  CHECK(text_is(netrt_syndication_text_get_text, text, "netrt workspace"));
  RELEASE(text);
  CHECK_OK(netrt_workspace_get_collections(space, &cols));
  CHECK(vec_size_is(cols, 2));
  CHECK_OK(netrt_vector_get_at_handle(cols, 0, &col));
  CHECK_OK(netrt_resource_collection_get_title(col, &text));
  CHECK(text_is(netrt_syndication_text_get_text, text, "Entries"));
  CHECK_OK(netrt_resource_collection_get_accepts(col, &accepts));
  CHECK(vec_string_is(accepts, 0, "application/atom+xml;type=entry"));
  CHECK_OK(netrt_resource_collection_get_categories(col, &cats));
  CHECK(vec_size_is(cats, 2));
  CHECK_OK(netrt_vector_get_at_handle(cats, 1, &cat));
  CHECK(text_is(netrt_syndication_category_get_label, cat, "Notes"));
  CHECK_HR(netrt_vector_remove_at(cats, 0), NETRT_E_ILLEGAL_METHOD_CALL);
  RELEASE(uri);
  CHECK_OK(netrt_resource_collection_get_uri(col, &uri));
  CHECK(text_is(netrt_uri_get_path, uri, "/entries"));

  /* Create an entry in the collection, then read it back. */
  CHECK_OK(netrt_syndication_item_create(&item));
  CHECK_OK(netrt_syndication_text_create_syndication_text("Hello from C", &title));
  CHECK_OK(netrt_syndication_item_set_title(item, title));
  CHECK_OK(netrt_atom_pub_client_create_resource_async(client, uri, "hello c", item, &op));
  CHECK(outcome(op) == NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &made));
  RELEASE(op);
  CHECK(text_is(netrt_syndication_item_get_id, made, "urn:netrt:atompub:hello-c"));
  CHECK_OK(netrt_syndication_item_get_edit_uri(made, &edit));
  CHECK(text_is(netrt_uri_get_path, edit, "/entries/hello-c"));
  CHECK_OK(netrt_atom_pub_client_retrieve_resource_async(client, edit, &op));
  CHECK(outcome(op) == NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &got));
  RELEASE(op);
  CHECK_OK(netrt_syndication_item_get_title(got, &text));
  RELEASE(text);
  CHECK_OK(netrt_syndication_item_get_title(got, &text));
  CHECK(text_is(netrt_syndication_text_get_text, text, "Hello from C"));
  RELEASE(text);

  /* Update through the item's own edit link (its ETag), then again with the stale ETag. */
  CHECK_OK(netrt_syndication_text_set_text(title, "Updated"));
  CHECK_OK(netrt_syndication_item_get_title(got, &text));
  CHECK_OK(netrt_syndication_text_set_text(text, "Updated"));
  RELEASE(text);
  CHECK_OK(netrt_atom_pub_client_update_resource_item_async(client, got, &op));
  CHECK(outcome(op) == NETRT_S_OK);
  RELEASE(op);
  CHECK_OK(netrt_atom_pub_client_update_resource_async(client, edit, got, &op));
  CHECK(outcome(op) == (netrt_hresult)0x8019019C); /* HTTP_E_STATUS_PRECOND_FAILED */
  RELEASE(op);

  /* The collection's feed lists it; delete it. */
  CHECK_OK(netrt_atom_pub_client_retrieve_feed_async(client, uri, &op));
  CHECK(outcome(op) == NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &feed));
  RELEASE(op);
  CHECK_OK(netrt_syndication_feed_get_items(feed, &items));
  CHECK(vec_size_is(items, 1));
  CHECK_OK(netrt_atom_pub_client_delete_resource_item_async(client, made, &op));
  CHECK(outcome(op) == NETRT_S_OK);
  RELEASE(op);
  CHECK_OK(netrt_atom_pub_client_delete_resource_async(client, edit, &op));
  CHECK(outcome(op) == (netrt_hresult)0x80190194); /* HTTP_E_STATUS_NOT_FOUND: gone already */
  RELEASE(op);

  /* Media: POST a stream's bytes to the media collection, read them back as a stream, PUT. */
  {
    netrt_handle listener = 0, local = 0, msock = 0, min = 0, media_col = 0, media_uri = 0, entry = 0;
    netrt_handle edit_media = 0, got_stream = 0, reader = 0;
    int64_t token = 0;
    uint32_t loaded = 0;
    char bytes[64] = {0};
    size_t needed = 0;
    CHECK_OK(netrt_stream_socket_listener_create(&listener));
    CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_media_connection, NULL, &token));
    CHECK_OK(netrt_host_name_create("127.0.0.1", &local));
    AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &op), op);
    CHECK_OK(netrt_vector_get_at_handle(cols, 1, &media_col));
    CHECK_OK(netrt_resource_collection_get_uri(media_col, &media_uri));
    CHECK_OK(media_stream(listener, &msock, &min));
    CHECK_OK(netrt_atom_pub_client_create_media_resource_async(client, media_uri, "application/octet-stream", "pic", min,
                                                               &op));
    CHECK(outcome(op) == NETRT_S_OK);
    CHECK_OK(netrt_async_get_results_handle(op, &entry));
    RELEASE(op);
    CHECK_OK(netrt_syndication_item_get_edit_media_uri(entry, &edit_media));
    CHECK(text_is(netrt_uri_get_path, edit_media, "/media/pic.bin"));
    CHECK_OK(netrt_atom_pub_client_retrieve_media_resource_async(client, edit_media, &op));
    CHECK(outcome(op) == NETRT_S_OK);
    CHECK_OK(netrt_async_get_results_handle(op, &got_stream));
    RELEASE(op);
    CHECK_OK(netrt_data_reader_create_with_stream(got_stream, &reader));
    CHECK_OK(netrt_data_reader_load_async(reader, sizeof MEDIA - 1, &op));
    CHECK(outcome(op) == NETRT_S_OK);
    CHECK_OK(netrt_async_get_results_uint32(op, &loaded));
    CHECK(loaded == sizeof MEDIA - 1);
    CHECK_OK(netrt_data_reader_read_string(reader, loaded, bytes, sizeof bytes, &needed));
    CHECK(strcmp(bytes, MEDIA) == 0);
    RELEASE(op);
    RELEASE(min);
    RELEASE(msock);
    CHECK_OK(media_stream(listener, &msock, &min));
    CHECK_OK(netrt_atom_pub_client_update_media_resource_async(client, edit_media, "application/octet-stream", min, &op));
    CHECK(outcome(op) == NETRT_S_OK);
    RELEASE(op);
    CHECK_HR(netrt_atom_pub_client_update_media_resource_async(client, edit_media, NULL, min, &op), NETRT_E_POINTER);
    CHECK_HR(netrt_atom_pub_client_update_media_resource_async(client, edit_media, "x/y", cat, &op), NETRT_E_INVALIDARG);
    (void)netrt_stream_socket_listener_remove_connection_received(listener, token);
    RELEASE(listener);
    RELEASE(local);
    RELEASE(msock);
    RELEASE(min);
    RELEASE(media_col);
    RELEASE(media_uri);
    RELEASE(entry);
    RELEASE(edit_media);
    RELEASE(got_stream);
    RELEASE(reader);
  }

  /* Without the credential: 401. */
  CHECK_OK(netrt_atom_pub_client_create(&anon));
  CHECK_OK(netrt_atom_pub_client_retrieve_feed_async(anon, uri, &op));
  CHECK(outcome(op) == (netrt_hresult)0x80190191); /* HTTP_E_STATUS_DENIED */
  RELEASE(op);

  /* CancelAsyncOperations ends a request the server sits on. */
  RELEASE(uri);
  CHECK_OK(uri_of("/slow", &uri));
  CHECK_OK(netrt_atom_pub_client_retrieve_resource_async(client, uri, &op));
  CHECK_OK(netrt_atom_pub_client_cancel_async_operations(client));
  CHECK(outcome(op) == (netrt_hresult)0x800704C7); /* ERROR_CANCELLED */
  RELEASE(op);

  /* Misuse. */
  CHECK_HR(netrt_atom_pub_client_create_resource_async(client, uri, "x", cat, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_atom_pub_client_create_resource_async(client, uri, "x", 0, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_atom_pub_client_retrieve_feed_async(doc, uri, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_atom_pub_client_retrieve_feed_async(client, uri, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_service_document_get_workspaces(space, &stale), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_atom_pub_client_update_resource_item_async(client, item, &op), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_atom_pub_client_create(&stale));
  CHECK_OK(netrt_release(stale));
  CHECK_HR(netrt_atom_pub_client_cancel_async_operations(stale), NETRT_RO_E_CLOSED);

  rc = 0;
cleanup:
  RELEASE(client);
  RELEASE(anon);
  RELEASE(cred);
  RELEASE(uri);
  RELEASE(op);
  RELEASE(doc);
  RELEASE(spaces);
  RELEASE(space);
  RELEASE(cols);
  RELEASE(col);
  RELEASE(text);
  RELEASE(accepts);
  RELEASE(cats);
  RELEASE(cat);
  RELEASE(item);
  RELEASE(made);
  RELEASE(got);
  RELEASE(feed);
  RELEASE(items);
  RELEASE(edit);
  RELEASE(title);
  peer_stop(&server);
  printf("test_atompub: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
