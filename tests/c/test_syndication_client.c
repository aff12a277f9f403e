/* SyndicationClient from C against nginx (tests/peers/nginx_feeds.conf, docs/syndication.md):
 * RetrieveFeedAsync of a feed and reading the result; progress reports from a slowly served
 * feed (netrt_async_set_progress, before Completed); /private/ needing the server credential
 * (401 without it); a 404; MaxResponseBufferSize; the settings' round trips; and misuse
 * (NULL, wrong kinds, a non-http URI, progress on an operation without it). */
#define _DEFAULT_SOURCE
#include "common.h"
#include "peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* A port nobody listens on right now (nginx is told it in its configuration). */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  socklen_t len = sizeof a;
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = -1;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) {
    close(fd);
  }
  return port;
}

/* Waits (up to 10 s) until something accepts connections on 127.0.0.1:port. */
static int wait_listening(int port) {
  for (long long deadline = now_ms() + 10000; now_ms() < deadline; poll(NULL, 0, 20)) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) {
      close(fd);
    }
    if (ok) {
      return 0;
    }
  }
  return -1;
}

static int write_text(const char *dir, const char *name, const char *text) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) {
    return -1;
  }
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* Replaces every `from` in `s` (malloc'd) with `to`; returns a new malloc'd string. */
static char *replace_all(char *s, const char *from, const char *to) {
  size_t n = 0, fl = strlen(from), tl = strlen(to);
  for (char *p = strstr(s, from); p; p = strstr(p + fl, from)) {
    n++;
  }
  char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1), *w = out;
  if (!out) {
    free(s);
    return NULL;
  }
  char *r = s;
  for (char *p = strstr(r, from); p; p = strstr(r, from)) {
    memcpy(w, r, (size_t)(p - r));
    w += p - r;
    memcpy(w, to, tl);
    w += tl;
    r = p + fl;
  }
  strcpy(w, r);
  free(s);
  return out;
}

static char g_www[128], g_dir[96];

/* nginx serving g_www with nginx_feeds.conf; /private/ needs user "reader", password "s3cret". */
static int start_nginx(peer *p) {
  char launch[400], conf_path[600], port[16], cmd[700];
  snprintf(launch, sizeof launch, "%s", NETRT_PEER_LAUNCH);
  *strrchr(launch, '/') = 0;
  char *conf = read_file(launch, "nginx_feeds.conf", NULL);
  int n = free_port();
  if (!conf || n <= 0) {
    free(conf);
    return -1;
  }
  snprintf(port, sizeof port, "%d", n);
  conf = replace_all(conf, "@WWW@", g_www);
  conf = conf ? replace_all(conf, "@DIR@", g_dir) : NULL;
  conf = conf ? replace_all(conf, "@PORT@", port) : NULL;
  int rc = conf ? write_text(g_dir, "nginx.conf", conf) : -1;
  free(conf);
  snprintf(cmd, sizeof cmd, "printf 'reader:%%s\\n' \"$(openssl passwd -apr1 s3cret)\" > '%s/htpasswd'", g_dir);
  if (rc != 0 || system(cmd) != 0) {
    return -1;
  }
  snprintf(conf_path, sizeof conf_path, "%s/nginx.conf", g_dir);
  char errlog[600];
  snprintf(errlog, sizeof errlog, "%s/error.log", g_dir);
  const char *args[] = {"run", "--port", port, "--", "nginx", "-p", g_dir, "-c", conf_path, "-e", errlog, NULL};
  return peer_launch(p, args) == 0 ? wait_listening(n) : -1;
}

static const char *FEED =
    "<feed xmlns='http://www.w3.org/2005/Atom'><title>Served</title><id>urn:served</id>"
    "<updated>2024-03-01T12:00:00Z</updated><link href='/relative/home'/>"
    "<entry><title>E1</title><id>urn:e1</id><updated>2024-03-01T12:00:00Z</updated></entry></feed>";

/* A feed of `items` entries (about 150 bytes each) into www/name. */
static int write_big_feed(const char *name, int items) {
  size_t cap = 256 + (size_t)items * 200;
  char *s = malloc(cap);
  if (!s) {
    return -1;
  }
  size_t len = (size_t)snprintf(s, cap, "<feed xmlns='http://www.w3.org/2005/Atom'><title>Big</title><id>urn:big</id>"
                                        "<updated>2024-03-01T12:00:00Z</updated>");
  for (int i = 0; i < items; i++) {
    len += (size_t)snprintf(s + len, cap - len,
                            "<entry><title>Entry number %d</title><id>urn:big:%d</id>"
                            "<updated>2024-03-01T12:00:00Z</updated><summary>padding padding</summary></entry>",
                            i, i);
  }
  snprintf(s + len, cap - len, "</feed>");
  int rc = write_text(g_www, name, s);
  free(s);
  return rc;
}

static atomic_int g_reports;
static atomic_uint g_last_bytes;
static atomic_int g_completed_after_progress;

static void on_progress(void *user_data, netrt_handle op, const netrt_async_progress *p) {
  (void)user_data;
  (void)op;
  atomic_store(&g_last_bytes, p->transfer.bytes_retrieved);
  atomic_fetch_add(&g_reports, 1);
}

/* The user_data of a Progress handler is released once, after its last report. */
static atomic_int g_released, g_refused, g_finished;
static void on_release(void *user_data) { atomic_fetch_add((atomic_int *)user_data, 1); }

static void on_completed(void *user_data, netrt_handle op, netrt_async_status status) {
  (void)user_data;
  (void)op;
  atomic_store(&g_completed_after_progress, status == NETRT_ASYNC_STATUS_COMPLETED && atomic_load(&g_reports) > 0);
}

/* Starts RetrieveFeedAsync of `path` on the peer; *op receives the operation. */
static netrt_hresult retrieve(netrt_handle client, int port, const char *path, netrt_handle *op) {
  char url[256];
  netrt_handle uri = 0;
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
  netrt_hresult hr = netrt_uri_create(url, &uri);
  if (hr == NETRT_S_OK) {
    hr = netrt_syndication_client_retrieve_feed_async(client, uri, op);
  }
  RELEASE(uri);
  return hr;
}

/* Waits for `op` and returns its error code (0 when it completed), showing a failure's detail. */
static netrt_hresult outcome(netrt_handle op) {
  netrt_hresult code = NETRT_E_UNEXPECTED;
  char detail[512] = "";
  size_t needed = 0;
  if (netrt_async_wait(op, 30000) == NETRT_S_OK) {
    (void)netrt_async_get_error_code(op, &code);
    (void)netrt_async_get_error_detail(op, detail, sizeof detail, &needed);
  }
  if (code != NETRT_S_OK) {
    fprintf(stderr, "    operation: 0x%08X %s\n", (unsigned)code, detail);
  }
  return code;
}

int main(void) {
  int rc = 1;
  peer nginx = {.pid = 0, .in_fd = -1};
  netrt_handle client = 0, op = 0, feed = 0, text = 0, links = 0, link = 0, uri = 0, cred = 0, got = 0;
  netrt_handle items = 0, ftp = 0;
  char buf[256];
  size_t needed = 0;
  uint32_t value = 0;
  bool flag = false;
  netrt_transfer_progress progress = {0};

  char tmpl[] = "/tmp/netrt-syndc-XXXXXX";
  CHECK(mkdtemp(tmpl) != NULL);
  snprintf(g_dir, sizeof g_dir, "%s", tmpl);
  snprintf(g_www, sizeof g_www, "%s/www", tmpl);
  CHECK(mkdir(g_www, 0700) == 0);
  snprintf(buf, sizeof buf, "%s/private", g_www);
  CHECK(mkdir(buf, 0700) == 0);
  CHECK(write_text(g_www, "feed.xml", FEED) == 0);
  CHECK(write_text(g_www, "private/feed.xml", FEED) == 0);
  CHECK(write_big_feed("big.xml", 400) == 0);
  CHECK(start_nginx(&nginx) == 0);

  /* Settings round trip. */
  CHECK_OK(netrt_syndication_client_create(&client));
  CHECK_OK(netrt_syndication_client_set_timeout(client, 20000));
  CHECK_OK(netrt_syndication_client_get_timeout(client, &value));
  CHECK(value == 20000);
  CHECK_OK(netrt_syndication_client_set_bypass_cache_on_retrieve(client, true));
  CHECK_OK(netrt_syndication_client_get_bypass_cache_on_retrieve(client, &flag));
  CHECK(flag);
  CHECK_OK(netrt_syndication_client_set_request_header(client, "X-Test", "1"));
  CHECK_HR(netrt_syndication_client_set_request_header(client, "bad name", "1"), NETRT_E_INVALIDARG);

  /* Retrieve and read; the relative link resolves against the feed's URI. */
  CHECK_OK(retrieve(client, nginx.port, "/feed.xml", &op));
  CHECK(outcome(op) == NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &feed));
  CHECK_OK(netrt_syndication_feed_get_title(feed, &text));
  CHECK_OK(netrt_syndication_text_get_text(text, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "Served") == 0);
  CHECK_OK(netrt_syndication_feed_get_links(feed, &links));
  CHECK_OK(netrt_vector_get_at_handle(links, 0, &link));
  CHECK_OK(netrt_syndication_link_get_uri(link, &uri));
  CHECK_OK(netrt_uri_get_path(uri, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "/relative/home") == 0);
  /* The operation does not report progress any more once finished. */
  CHECK_HR(netrt_async_get_progress(op, &progress), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_async_set_progress(op, on_progress, &g_finished, on_release));
  CHECK(atomic_load(&g_finished) == 1); /* nothing to report: released at once */
  RELEASE(op);

  /* Progress: /slow/ serves at 16 KiB/s, so the operation runs while the handlers are set. */
  CHECK_OK(retrieve(client, nginx.port, "/slow/big.xml", &op));
  CHECK_OK(netrt_async_set_progress(op, on_progress, &g_released, on_release));
  CHECK_HR(netrt_async_set_progress(op, on_progress, &g_refused, on_release), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  {
    /* Released only once the operation is over: never while it still runs. */
    int released = atomic_load(&g_released);
    netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
    CHECK_OK(netrt_async_get_status(op, &status));
    CHECK(released == 0 || status != NETRT_ASYNC_STATUS_STARTED);
  }
  CHECK_OK(netrt_async_get_progress(op, &progress));
  CHECK_OK(netrt_async_set_completed(op, on_completed, NULL));
  CHECK(outcome(op) == NETRT_S_OK);
  RELEASE(feed);
  CHECK_OK(netrt_async_get_results_handle(op, &feed));
  CHECK_OK(netrt_syndication_feed_get_items(feed, &items));
  CHECK(vec_size_is(items, 400));
  for (int i = 0; i < 1000 && !atomic_load(&g_completed_after_progress); i++) {
    poll(NULL, 0, 10); /* the Completed handler runs on the dispatcher thread */
  }
  CHECK(atomic_load(&g_completed_after_progress));
  CHECK(atomic_load(&g_reports) > 0);
  CHECK(atomic_load(&g_last_bytes) > 0);
  RELEASE(op);
  for (int i = 0; i < 1000 && !atomic_load(&g_released); i++) {
    poll(NULL, 0, 10); /* released on the dispatcher thread after the last report */
  }
  CHECK(atomic_load(&g_released) == 1);
  CHECK(atomic_load(&g_refused) == 1); /* netrt owned the refused handler's user_data too */

  /* /private/ needs the credential: 401 without it, the feed with it. */
  CHECK_OK(retrieve(client, nginx.port, "/private/feed.xml", &op));
  CHECK(outcome(op) == (netrt_hresult)0x80190191); /* HTTP_E_STATUS_DENIED */
  RELEASE(op);
  CHECK_OK(netrt_password_credential_create_password_credential("feeds", "reader", "s3cret", &cred));
  CHECK_OK(netrt_syndication_client_set_server_credential(client, cred));
  CHECK_OK(netrt_syndication_client_get_server_credential(client, &got));
  CHECK_OK(netrt_password_credential_get_user_name(got, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "reader") == 0);
  CHECK_OK(retrieve(client, nginx.port, "/private/feed.xml", &op));
  CHECK(outcome(op) == NETRT_S_OK);
  RELEASE(op);

  /* A missing feed, and one larger than MaxResponseBufferSize. */
  CHECK_OK(retrieve(client, nginx.port, "/missing.xml", &op));
  CHECK(outcome(op) == (netrt_hresult)0x80190194); /* HTTP_E_STATUS_NOT_FOUND */
  RELEASE(op);
  CHECK_OK(netrt_syndication_client_set_max_response_buffer_size(client, 1000));
  CHECK_OK(netrt_syndication_client_get_max_response_buffer_size(client, &value));
  CHECK(value == 1000);
  CHECK_OK(retrieve(client, nginx.port, "/big.xml", &op));
  CHECK(outcome(op) == NETRT_WEB_E_RESOURCE_TOO_LARGE);
  RELEASE(op);

  /* Misuse. */
  CHECK_OK(netrt_uri_create("ftp://127.0.0.1/feed.xml", &ftp));
  CHECK_HR(netrt_syndication_client_retrieve_feed_async(client, ftp, &op), NETRT_E_INVALIDARG);
  CHECK(op == 0);
  CHECK_HR(netrt_syndication_client_retrieve_feed_async(client, ftp, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_client_retrieve_feed_async(ftp, ftp, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_syndication_client_retrieve_feed_async(client, 0, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_syndication_client_set_server_credential(client, ftp), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_syndication_client_get_timeout(client, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_async_set_progress(client, on_progress, NULL, NULL), NETRT_E_INVALIDARG);

  rc = 0;
cleanup:
  RELEASE(client);
  RELEASE(op);
  RELEASE(feed);
  RELEASE(text);
  RELEASE(links);
  RELEASE(link);
  RELEASE(uri);
  RELEASE(cred);
  RELEASE(got);
  RELEASE(items);
  RELEASE(ftp);
  peer_stop(&nginx);
  if (g_dir[0]) {
    snprintf(buf, sizeof buf, "rm -rf '%s'", g_dir);
    (void)!system(buf);
  }
  printf("test_syndication_client: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
