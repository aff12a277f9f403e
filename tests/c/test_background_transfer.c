/* Windows.Networking.BackgroundTransfer from C (docs/background-transfer.md), against a private
 * netrt-brokerd (NETRT_BROKERD; run.sh sets it) and nginx serving generated files
 * (tests/peers/nginx_transfer.conf): a download started, followed with a progress handler to
 * Completed and checked byte for byte; the response information; the list of current
 * downloads; Pause and Resume with a second view attached; a slow download cancelled through
 * its operation; a 404 and an upload nginx refuses (413) as the operation's HTTP error with
 * BackgroundTransferError.GetStatus; against the aiohttp transfer server
 * (tests/peers/transfer_server.py), an upload and a multipart upload it stores and a
 * Basic-auth download without and with a ServerCredential, and a 503 listed in
 * RecoverableWebErrorStatuses pausing a download until Resume; the downloader's and group's
 * properties; and NULL / stale / wrong-kind handles. */
#include "common.h"
#include "peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE (3u * 1024u * 1024u + 123u)
#define SLOW_SIZE (8u * 1024u * 1024u)
#define MID_SIZE (2u * 1024u * 1024u + 5u)

static char g_dir[] = "/tmp/netrt-c-xfer-XXXXXX";
static atomic_int g_progress_calls;
static atomic_ullong g_progress_bytes;
static atomic_int g_released;

static long long clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* The byte at `i` of the served files. */
static unsigned char byte_at(size_t i) { return (unsigned char)((i * 7919u + (i >> 13)) & 0xFF); }

static int write_pattern(const char *path, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  for (size_t i = 0; i < size; i++) fputc(byte_at(i), f);
  return fclose(f);
}

/* The file at `path` holds exactly the pattern of `size` bytes. */
static int has_pattern(const char *path, size_t size) {
  FILE *f = fopen(path, "rb");
  size_t i = 0;
  int c, ok = 1;
  if (!f) return 0;
  while ((c = fgetc(f)) != EOF) {
    if (i >= size || (unsigned char)c != byte_at(i)) ok = 0;
    i++;
  }
  fclose(f);
  return ok && i == size;
}

static int free_tcp_port(void) {
  struct sockaddr_in addr = {0};
  socklen_t len = sizeof addr;
  int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
      getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

static int port_accepts(int port) {
  struct sockaddr_in addr = {0};
  int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

/* nginx from tests/peers/nginx_transfer.conf, serving `www`, configured in `dir`. */
static int start_nginx(peer *p, const char *www, const char *dir) {
  char template_path[400], conf_path[600], port_text[16], *text;
  const char *launch = NETRT_PEER_LAUNCH;
  size_t len = 0;
  int port = free_tcp_port();
  snprintf(template_path, sizeof template_path, "%.*s", (int)(strrchr(launch, '/') - launch), launch);
  text = read_file(template_path, "nginx_transfer.conf", &len);
  if (!text || !port) return -1;
  snprintf(conf_path, sizeof conf_path, "%s/nginx.conf", dir);
  FILE *out = fopen(conf_path, "w");
  if (!out) return -1;
  /* Substitute @WWW@, @DIR@ and @PORT@. */
  for (const char *s = text; *s;) {
    if (strncmp(s, "@WWW@", 5) == 0) {
      fputs(www, out);
      s += 5;
    } else if (strncmp(s, "@DIR@", 5) == 0) {
      fputs(dir, out);
      s += 5;
    } else if (strncmp(s, "@PORT@", 6) == 0) {
      fprintf(out, "%d", port);
      s += 6;
    } else {
      fputc(*s++, out);
    }
  }
  free(text);
  if (fclose(out) != 0) return -1;
  snprintf(port_text, sizeof port_text, "%d", port);
  const char *args[] = {"run", "--port", port_text, "--", "nginx", "-e", "stderr", "-c", conf_path, NULL};
  if (peer_launch(p, args) != 0) return -1;
  for (long long deadline = clock_ms() + 10000; clock_ms() < deadline; pause_ms(20)) {
    if (port_accepts(port)) return port;
  }
  return -1;
}

/* tests/peers/transfer_server.py (aiohttp, run by NETRT_TEST_PYTHON) serving `data`, storing
 * uploads in `sink`, with Basic auth for user/secret. */
static int start_transfer_server(peer *p, const char *data, const char *sink) {
  static char script[400];
  const char *launch = NETRT_PEER_LAUNCH;
  const char *python = getenv("NETRT_TEST_PYTHON");
  if (!python) return -1;
  snprintf(script, sizeof script, "%.*s/transfer_server.py", (int)(strrchr(launch, '/') - launch), launch);
  const char *args[] = {"run", "--port-after", "PORT ", "--", python, script, "--file", data, "--sink", sink,
                        "--user", "user", "--password", "secret", NULL};
  return peer_launch(p, args) == 0 ? p->port : -1;
}

/* The text of a whole InputStream (up to `cap` - 1 bytes) into `text`. */
static int read_stream(netrt_handle stream, char *text, size_t cap) {
  netrt_handle buffer = 0;
  size_t len = 0;
  int ok = netrt_buffer_create(4096, &buffer) == NETRT_S_OK;
  while (ok) {
    uint32_t n = 0;
    uint8_t *data = NULL;
    ok = netrt_input_stream_read(stream, buffer, 4096, 0, STEP_MS, &n) == NETRT_S_OK &&
         netrt_buffer_get_data(buffer, &data) == NETRT_S_OK;
    if (!ok || n == 0) break;
    if (len + n >= cap) n = (uint32_t)(cap - 1 - len);
    memcpy(text + len, data, n);
    len += n;
  }
  text[len] = 0;
  if (buffer) (void)netrt_release(buffer);
  return ok;
}

static pid_t start_daemon(const char *socket_path) {
  const char *brokerd = getenv("NETRT_BROKERD");
  char state[600];
  pid_t pid;
  if (!brokerd) return -1;
  snprintf(state, sizeof state, "%s/state", g_dir);
  pid = fork();
  if (pid == 0) {
    execl(brokerd, brokerd, "--socket", socket_path, "--state-dir", state, (char *)NULL);
    _exit(127);
  }
  return pid;
}

static void on_progress(void *user_data, netrt_handle op, const netrt_async_progress *progress) {
  netrt_background_download_progress p;
  (void)user_data;
  (void)op;
  if (netrt_download_operation_get_progress(progress->object, &p) == NETRT_S_OK) {
    atomic_store(&g_progress_bytes, p.bytes_received);
  }
  atomic_fetch_add(&g_progress_calls, 1);
}

static void on_release(void *user_data) {
  (void)user_data;
  atomic_fetch_add(&g_released, 1);
}

/* A StorageFile handle for g_dir/<name> (which need not exist: from a created folder file). */
static netrt_hresult result_file(netrt_handle folder, const char *name, netrt_handle *out) {
  netrt_handle op = 0;
  netrt_hresult hr = netrt_storage_folder_create_file_async(folder, name, NETRT_CREATION_COLLISION_OPTION_REPLACE_EXISTING, &op);
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  if (hr == NETRT_S_OK) hr = netrt_async_get_results_handle(op, out);
  if (op) (void)netrt_release(op);
  return hr;
}

static netrt_hresult make_uri(int port, const char *path, netrt_handle *out) {
  char text[256];
  snprintf(text, sizeof text, "http://127.0.0.1:%d%s", port, path);
  return netrt_uri_create(text, out);
}

/* Waits for `op` to leave Started; returns its status. */
static netrt_async_status finish(netrt_handle op) {
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  (void)netrt_async_wait(op, 60000);
  (void)netrt_async_get_status(op, &status);
  return status;
}

int main(void) {
  int rc = 1, port = -1;
  peer nginx = {0}, server = {0};
  int server_port = -1;
  pid_t daemon = -1;
  char www[600], sock_path[600], path[700], buf[256];
  size_t needed = 0, count = 0;
  netrt_handle downloader = 0, uploader = 0, group = 0, group2 = 0, folder = 0, file = 0, uri = 0, bad_uri = 0;
  netrt_handle download = 0, op = 0, got = 0, info = 0, actual = 0, list[8] = {0}, slow = 0, slow_op = 0;
  netrt_handle missing = 0, missing_op = 0, upload = 0, upload_op = 0, cred = 0, stale = 0, stream = 0, buffer = 0;
  netrt_handle parts[2] = {0}, multi = 0, multi_op = 0, basic = 0, basic_op = 0;
  char text[512], sink[600];
  netrt_background_download_progress progress;
  netrt_background_upload_progress up_progress;
  netrt_background_transfer_file_range ranges[2];
  netrt_background_transfer_cost_policy policy = NETRT_BACKGROUND_TRANSFER_COST_POLICY_ALWAYS;
  netrt_background_transfer_behavior behavior = NETRT_BACKGROUND_TRANSFER_BEHAVIOR_SERIALIZED;
  netrt_background_transfer_priority priority = NETRT_BACKGROUND_TRANSFER_PRIORITY_LOW;
  netrt_web_error_status web = NETRT_WEB_ERROR_STATUS_UNKNOWN;
  netrt_guid guid, guid2;
  netrt_hresult code = 0;
  uint32_t status_code = 0, bytes_read = 0;
  bool flag = false;

  CHECK(mkdtemp(g_dir) != NULL);
  snprintf(www, sizeof www, "%s/www", g_dir);
  CHECK(mkdir(www, 0700) == 0);
  snprintf(path, sizeof path, "%s/file.bin", www);
  CHECK(write_pattern(path, FILE_SIZE) == 0);
  snprintf(path, sizeof path, "%s/big.bin", www);
  CHECK(write_pattern(path, SLOW_SIZE) == 0);
  snprintf(path, sizeof path, "%s/mid.bin", www);
  CHECK(write_pattern(path, MID_SIZE) == 0);
  port = start_nginx(&nginx, www, g_dir);
  CHECK(port > 0);
  snprintf(sock_path, sizeof sock_path, "%s/broker.sock", g_dir);
  CHECK(setenv("NETRT_BROKER_SOCKET", sock_path, 1) == 0);
  daemon = start_daemon(sock_path);
  CHECK(daemon > 0);
  for (long long deadline = clock_ms() + 10000; access(sock_path, F_OK) != 0 && clock_ms() < deadline;) pause_ms(10);
  CHECK(access(sock_path, F_OK) == 0);
  CHECK_OK(netrt_storage_folder_get_folder_from_path_async(g_dir, &op));
  CHECK_OK(wait_completed(op));
  CHECK_OK(netrt_async_get_results_handle(op, &folder));
  RELEASE(op);

  /* The downloader's properties. */
  CHECK_OK(netrt_background_downloader_create(&downloader));
  CHECK_OK(netrt_background_downloader_get_method(downloader, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "GET") == 0);
  CHECK_OK(netrt_background_downloader_set_request_header(downloader, "X-Netrt", "c"));
  CHECK_HR(netrt_background_downloader_set_request_header(downloader, "Bad Name", "v"), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_background_downloader_get_cost_policy(downloader, &policy));
  CHECK(policy == NETRT_BACKGROUND_TRANSFER_COST_POLICY_DEFAULT);
  CHECK_OK(netrt_background_downloader_set_cost_policy(downloader, NETRT_BACKGROUND_TRANSFER_COST_POLICY_UNRESTRICTED_ONLY));
  CHECK_OK(netrt_background_downloader_get_cost_policy(downloader, &policy));
  CHECK(policy == NETRT_BACKGROUND_TRANSFER_COST_POLICY_UNRESTRICTED_ONLY);
  CHECK_HR(netrt_background_downloader_set_cost_policy(downloader, 9), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_background_downloader_get_server_credential(downloader, &cred));
  CHECK(cred == 0);
  CHECK_OK(netrt_background_transfer_group_create_group("c-group", &group));
  CHECK_OK(netrt_background_transfer_group_get_transfer_behavior(group, &behavior));
  CHECK(behavior == NETRT_BACKGROUND_TRANSFER_BEHAVIOR_PARALLEL);
  CHECK_HR(netrt_background_transfer_group_set_transfer_behavior(group, 5), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_background_downloader_set_transfer_group(downloader, group));
  CHECK_OK(netrt_background_downloader_get_transfer_group(downloader, &group2));
  CHECK_OK(netrt_background_transfer_group_get_name(group2, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "c-group") == 0);
  RELEASE(group2);

  /* A download followed to Completed with a progress handler. */
  CHECK_OK(make_uri(port, "/file.bin", &uri));
  CHECK_OK(result_file(folder, "file.bin", &file));
  CHECK_OK(netrt_background_downloader_create_download(downloader, uri, file, &download));
  CHECK_OK(netrt_download_operation_get_progress(download, &progress));
  CHECK(progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_IDLE);
  CHECK_OK(netrt_download_operation_get_method(download, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "GET") == 0);
  CHECK_OK(netrt_download_operation_get_guid(download, &guid));
  CHECK_OK(netrt_download_operation_get_cost_policy(download, &policy));
  CHECK(policy == NETRT_BACKGROUND_TRANSFER_COST_POLICY_UNRESTRICTED_ONLY);
  CHECK_OK(netrt_download_operation_set_priority(download, NETRT_BACKGROUND_TRANSFER_PRIORITY_HIGH));
  CHECK_OK(netrt_download_operation_get_priority(download, &priority));
  CHECK(priority == NETRT_BACKGROUND_TRANSFER_PRIORITY_HIGH);
  CHECK_OK(netrt_download_operation_get_transfer_group(download, &group2));
  CHECK(group2 != 0);
  RELEASE(group2);
  CHECK_OK(netrt_download_operation_get_response_information(download, &info));
  CHECK(info == 0);
  CHECK_HR(netrt_download_operation_pause(download), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_download_operation_start_async(download, &op));
  CHECK_OK(netrt_async_set_progress(op, on_progress, NULL, on_release));
  CHECK(atomic_load(&g_released) == 0);
  /* A second handler is refused, and its user_data released at once. */
  CHECK_HR(netrt_async_set_progress(op, on_progress, NULL, on_release), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  CHECK(atomic_load(&g_released) == 1);
  CHECK(finish(op) == NETRT_ASYNC_STATUS_COMPLETED);
  CHECK_OK(netrt_async_get_results_handle(op, &got));
  CHECK_OK(netrt_download_operation_get_guid(got, &guid2));
  CHECK(memcmp(&guid, &guid2, sizeof guid) == 0);
  CHECK_HR(netrt_download_operation_start_async(download, &slow_op), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_download_operation_get_progress(download, &progress));
  CHECK(progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_COMPLETED);
  CHECK(progress.bytes_received == FILE_SIZE && progress.total_bytes_to_receive == FILE_SIZE);
  snprintf(path, sizeof path, "%s/file.bin", g_dir);
  CHECK(has_pattern(path, FILE_SIZE));
  /* Progress handlers run on the dispatcher before Completed: at least the final report. */
  for (long long deadline = clock_ms() + 5000; atomic_load(&g_progress_calls) == 0 && clock_ms() < deadline;) pause_ms(10);
  CHECK(atomic_load(&g_progress_calls) > 0);
  CHECK(atomic_load(&g_progress_bytes) <= FILE_SIZE);
  /* Once the operation ended, the handler's user_data is released exactly once. */
  for (long long deadline = clock_ms() + 5000; atomic_load(&g_released) < 2 && clock_ms() < deadline;) pause_ms(10);
  CHECK(atomic_load(&g_released) == 2);
  CHECK_HR(netrt_download_operation_get_downloaded_ranges(download, NULL, 0, &count), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(count == 1);
  CHECK_OK(netrt_download_operation_get_downloaded_ranges(download, ranges, 2, &count));
  CHECK(count == 1 && ranges[0].offset == 0 && ranges[0].length == FILE_SIZE);

  /* The response. */
  CHECK_OK(netrt_download_operation_get_response_information(download, &info));
  CHECK(info != 0);
  CHECK_OK(netrt_response_information_get_status_code(info, &status_code));
  CHECK(status_code == 200);
  CHECK_OK(netrt_response_information_get_is_resumable(info, &flag));
  CHECK(flag);
  CHECK_OK(netrt_response_information_lookup_header(info, "content-length", buf, sizeof buf, &needed));
  CHECK(strtoul(buf, NULL, 10) == FILE_SIZE);
  CHECK_HR(netrt_response_information_lookup_header(info, "X-Absent", buf, sizeof buf, &needed), NETRT_E_BOUNDS);
  CHECK_OK(netrt_response_information_get_actual_uri(info, &actual));
  snprintf(path, sizeof path, "http://127.0.0.1:%d/file.bin", port);
  CHECK_OK(netrt_uri_get_absolute_uri(actual, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, path) == 0);

  /* The result stream: the bytes from an offset. */
  CHECK_OK(netrt_download_operation_get_result_stream_at(download, FILE_SIZE - 10, &stream));
  CHECK_OK(netrt_buffer_create(64, &buffer));
  CHECK_OK(netrt_input_stream_read(stream, buffer, 64, 0, STEP_MS, &bytes_read));
  CHECK(bytes_read == 10);

  /* The group's downloads, listed by the daemon. */
  CHECK_OK(netrt_background_downloader_get_current_downloads_for_transfer_group_async(group, &slow_op));
  CHECK(finish(slow_op) == NETRT_ASYNC_STATUS_COMPLETED);
  code = netrt_async_get_results_handles(slow_op, NULL, 0, &count);
  CHECK(code == NETRT_S_OK ? count == 0 : code == NETRT_E_INSUFFICIENT_BUFFER && count > 0);
  CHECK(count <= 8);
  CHECK_OK(netrt_async_get_results_handles(slow_op, list, 8, &count));
  for (size_t i = 0; i < count; i++) RELEASE(list[i]);
  CHECK_HR(netrt_async_get_results_handle(slow_op, &stale), NETRT_E_INVALIDARG);
  RELEASE(slow_op);

  /* A slow download, cancelled through its operation once bytes arrived. */
  RELEASE(uri);
  RELEASE(file);
  CHECK_OK(make_uri(port, "/slow/big.bin", &uri));
  CHECK_OK(result_file(folder, "big.bin", &file));
  CHECK_OK(netrt_background_downloader_create_download(downloader, uri, file, &slow));
  CHECK_OK(netrt_download_operation_start_async(slow, &slow_op));
  for (long long deadline = clock_ms() + 20000; clock_ms() < deadline; pause_ms(50)) {
    CHECK_OK(netrt_download_operation_get_progress(slow, &progress));
    if (progress.bytes_received > 0) break;
  }
  CHECK(progress.bytes_received > 0 && progress.bytes_received < SLOW_SIZE);
  CHECK_OK(netrt_async_cancel(slow_op));
  CHECK(finish(slow_op) == NETRT_ASYNC_STATUS_CANCELED);
  for (long long deadline = clock_ms() + 10000; clock_ms() < deadline; pause_ms(50)) {
    CHECK_OK(netrt_download_operation_get_progress(slow, &progress));
    if (progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_CANCELED) break;
  }
  CHECK(progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_CANCELED);

  /* Pause and Resume: the download goes on from where it stopped (a range request), and a
   * second view attached to it completes with it. */
  RELEASE(uri);
  RELEASE(file);
  RELEASE(slow);
  RELEASE(slow_op);
  CHECK_OK(make_uri(port, "/slow/mid.bin", &uri));
  CHECK_OK(result_file(folder, "mid.bin", &file));
  CHECK_OK(netrt_background_downloader_create_download(downloader, uri, file, &slow));
  CHECK_HR(netrt_download_operation_resume(slow), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_download_operation_start_async(slow, &slow_op));
  for (long long deadline = clock_ms() + 20000; clock_ms() < deadline; pause_ms(50)) {
    CHECK_OK(netrt_download_operation_get_progress(slow, &progress));
    if (progress.bytes_received > 0) break;
  }
  CHECK_OK(netrt_download_operation_pause(slow));
  /* As in WinRT, Pause asks; Progress.Status confirms once the request has stopped. */
  for (long long deadline = clock_ms() + 20000; clock_ms() < deadline; pause_ms(20)) {
    CHECK_OK(netrt_download_operation_get_progress(slow, &progress));
    if (progress.status != NETRT_BACKGROUND_TRANSFER_STATUS_RUNNING) break;
  }
  CHECK(progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_PAUSED_BY_APPLICATION);
  CHECK_HR(netrt_download_operation_pause(slow), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_download_operation_attach_async(slow, &op));
  CHECK_OK(netrt_download_operation_resume(slow));
  CHECK(finish(slow_op) == NETRT_ASYNC_STATUS_COMPLETED);
  CHECK(finish(op) == NETRT_ASYNC_STATUS_COMPLETED);
  RELEASE(op);
  CHECK_OK(netrt_download_operation_get_progress(slow, &progress));
  CHECK(progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_COMPLETED && progress.bytes_received == MID_SIZE);
  CHECK(!progress.has_restarted);
  snprintf(path, sizeof path, "%s/mid.bin", g_dir);
  CHECK(has_pattern(path, MID_SIZE));

  /* A 404: the operation fails with HTTP_E_STATUS_NOT_FOUND. */
  RELEASE(uri);
  RELEASE(file);
  CHECK_OK(make_uri(port, "/missing.bin", &uri));
  CHECK_OK(result_file(folder, "missing.bin", &file));
  CHECK_OK(netrt_background_downloader_create_download(downloader, uri, file, &missing));
  CHECK_OK(netrt_download_operation_start_async(missing, &missing_op));
  CHECK(finish(missing_op) == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(missing_op, &code));
  CHECK((uint32_t)code == 0x80190194u);
  CHECK(netrt_background_transfer_error_get_status(code) == NETRT_WEB_ERROR_STATUS_NOT_FOUND);
  CHECK_OK(netrt_download_operation_get_current_web_error_status(missing, &flag, &web));
  CHECK(flag && web == NETRT_WEB_ERROR_STATUS_NOT_FOUND);

  /* An upload nginx refuses (its 1 MiB client_max_body_size): 413 through the operation. */
  snprintf(path, sizeof path, "%s/file.bin", g_dir);
  RELEASE(file);
  CHECK_OK(netrt_storage_file_get_file_from_path_async(path, &op));
  CHECK_OK(wait_completed(op));
  CHECK_OK(netrt_async_get_results_handle(op, &file));
  RELEASE(op);
  CHECK_OK(netrt_background_uploader_create(&uploader));
  CHECK_OK(netrt_background_uploader_get_method(uploader, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "POST") == 0);
  RELEASE(uri);
  CHECK_OK(make_uri(port, "/file.bin", &uri));
  CHECK_OK(netrt_background_uploader_create_upload(uploader, uri, file, &upload));
  CHECK_OK(netrt_upload_operation_get_progress(upload, &up_progress));
  CHECK(up_progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_IDLE);
  CHECK_OK(netrt_upload_operation_start_async(upload, &upload_op));
  CHECK(finish(upload_op) == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(upload_op, &code));
  CHECK((uint32_t)code == 0x8019019Du);
  CHECK(netrt_background_transfer_error_get_status(code) == NETRT_WEB_ERROR_STATUS_REQUEST_ENTITY_TOO_LARGE);

  /* The aiohttp transfer server: an upload it stores, a multipart upload, Basic auth. */
  snprintf(sink, sizeof sink, "%s/sink", g_dir);
  CHECK(mkdir(sink, 0700) == 0);
  snprintf(path, sizeof path, "%s/file.bin", www);
  server_port = start_transfer_server(&server, path, sink);
  CHECK(server_port > 0);
  RELEASE(upload);
  RELEASE(upload_op);
  RELEASE(uri);
  CHECK_OK(make_uri(server_port, "/upload", &uri));
  CHECK_OK(netrt_background_uploader_create_upload(uploader, uri, file, &upload));
  CHECK_OK(netrt_upload_operation_get_source_file(upload, &got));
  snprintf(path, sizeof path, "%s/file.bin", g_dir);
  CHECK_OK(netrt_storage_file_get_path(got, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, path) == 0);
  RELEASE(got);
  CHECK_OK(netrt_upload_operation_start_async(upload, &upload_op));
  CHECK(finish(upload_op) == NETRT_ASYNC_STATUS_COMPLETED);
  CHECK_OK(netrt_upload_operation_get_progress(upload, &up_progress));
  CHECK(up_progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_COMPLETED);
  CHECK(up_progress.bytes_sent == FILE_SIZE && up_progress.total_bytes_to_send == FILE_SIZE);
  RELEASE(info);
  CHECK_OK(netrt_upload_operation_get_response_information(upload, &info));
  CHECK_OK(netrt_response_information_get_status_code(info, &status_code));
  CHECK(status_code == 201);
  RELEASE(stream);
  CHECK_OK(netrt_upload_operation_get_result_stream_at(upload, 0, &stream));
  CHECK(read_stream(stream, text, sizeof text));
  CHECK(strncmp(text, "stored 1 ", 9) == 0);
  snprintf(path, sizeof path, "%s/1.body", sink);
  CHECK(has_pattern(path, FILE_SIZE));

  CHECK_OK(netrt_background_transfer_content_part_create("field", NULL, &parts[0]));
  CHECK_OK(netrt_background_transfer_content_part_set_text(parts[0], "hello"));
  CHECK_OK(netrt_background_transfer_content_part_create("file", "file.bin", &parts[1]));
  CHECK_OK(netrt_background_transfer_content_part_set_file(parts[1], file));
  CHECK_OK(netrt_background_transfer_content_part_set_header(parts[1], "X-Part", "2"));
  CHECK_HR(netrt_background_uploader_create_upload_async(uploader, uri, parts, 0, NULL, NULL, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_background_uploader_create_upload_async(uploader, uri, parts, 2, NULL, "", &op), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_background_uploader_create_upload_async(uploader, uri, parts, 2, NULL, NULL, &op));
  CHECK(finish(op) == NETRT_ASYNC_STATUS_COMPLETED);
  CHECK_OK(netrt_async_get_results_handle(op, &multi));
  RELEASE(op);
  CHECK_OK(netrt_upload_operation_get_source_file(multi, &got));
  CHECK(got == 0);
  CHECK_OK(netrt_upload_operation_start_async(multi, &multi_op));
  CHECK(finish(multi_op) == NETRT_ASYNC_STATUS_COMPLETED);
  {
    size_t part_len = 0;
    char *part = read_file(sink, "2.part1.body", &part_len);
    CHECK(part && part_len == 5 && memcmp(part, "hello", 5) == 0);
    free(part);
  }
  snprintf(path, sizeof path, "%s/2.part2.body", sink);
  CHECK(has_pattern(path, FILE_SIZE));

  /* Basic auth: 401 without a credential, the file with one. */
  RELEASE(uri);
  RELEASE(file);
  CHECK_OK(make_uri(server_port, "/basic", &uri));
  CHECK_OK(result_file(folder, "basic.bin", &file));
  CHECK_OK(netrt_background_downloader_create(&stale));
  CHECK_OK(netrt_background_downloader_create_download(stale, uri, file, &basic));
  CHECK_OK(netrt_download_operation_start_async(basic, &basic_op));
  CHECK(finish(basic_op) == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(basic_op, &code));
  CHECK(netrt_background_transfer_error_get_status(code) == NETRT_WEB_ERROR_STATUS_UNAUTHORIZED);
  RELEASE(basic);
  RELEASE(basic_op);
  CHECK_OK(netrt_password_credential_create_password_credential("", "user", "secret", &cred));
  CHECK_OK(netrt_background_downloader_set_server_credential(stale, cred));
  RELEASE(cred);
  CHECK_OK(netrt_background_downloader_get_server_credential(stale, &cred));
  CHECK(cred != 0);
  CHECK_OK(netrt_background_downloader_create_download(stale, uri, file, &basic));
  CHECK_OK(netrt_download_operation_start_async(basic, &basic_op));
  CHECK(finish(basic_op) == NETRT_ASYNC_STATUS_COMPLETED);
  snprintf(path, sizeof path, "%s/basic.bin", g_dir);
  CHECK(has_pattern(path, FILE_SIZE));
  RELEASE(stale);

  /* RecoverableWebErrorStatuses: the 503 of /flaky pauses the download instead of failing it;
   * Resume tries again and gets the file. */
  RELEASE(uri);
  RELEASE(file);
  RELEASE(basic);
  RELEASE(basic_op);
  CHECK_OK(make_uri(server_port, "/flaky", &uri));
  CHECK_OK(result_file(folder, "flaky.bin", &file));
  CHECK_OK(netrt_background_downloader_create_download(downloader, uri, file, &basic));
  CHECK_OK(netrt_download_operation_get_recoverable_web_error_statuses(basic, &stale));
  CHECK(vec_size_is(stale, 0));
  CHECK_HR(netrt_vector_append_int32(stale, -5), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_vector_append_int32(stale, NETRT_WEB_ERROR_STATUS_SERVICE_UNAVAILABLE));
  RELEASE(stale);
  CHECK_OK(netrt_download_operation_get_recoverable_web_error_statuses(basic, &stale));
  {
    int32_t first = 0;
    CHECK(vec_size_is(stale, 1));
    CHECK_OK(netrt_vector_get_at_int32(stale, 0, &first));
    CHECK(first == NETRT_WEB_ERROR_STATUS_SERVICE_UNAVAILABLE);
  }
  RELEASE(stale);
  CHECK_OK(netrt_download_operation_start_async(basic, &basic_op));
  for (long long deadline = clock_ms() + 20000; clock_ms() < deadline; pause_ms(50)) {
    CHECK_OK(netrt_download_operation_get_progress(basic, &progress));
    if (progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_PAUSED_RECOVERABLE_WEB_ERROR_STATUS) break;
  }
  CHECK(progress.status == NETRT_BACKGROUND_TRANSFER_STATUS_PAUSED_RECOVERABLE_WEB_ERROR_STATUS);
  CHECK_OK(netrt_download_operation_get_current_web_error_status(basic, &flag, &web));
  CHECK(flag && web == NETRT_WEB_ERROR_STATUS_SERVICE_UNAVAILABLE);
  CHECK_OK(netrt_download_operation_resume(basic));
  CHECK(finish(basic_op) == NETRT_ASYNC_STATUS_COMPLETED);
  snprintf(path, sizeof path, "%s/flaky.bin", g_dir);
  CHECK(has_pattern(path, FILE_SIZE));

  /* Bad arguments, NULL, stale and wrong-kind handles. */
  CHECK_OK(netrt_uri_create("ftp://127.0.0.1/file.bin", &bad_uri));
  CHECK_HR(netrt_background_downloader_create_download(downloader, bad_uri, file, &stale), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_background_downloader_create_download(downloader, uri, file, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_background_downloader_create_download(0, uri, file, &stale), NETRT_E_POINTER);
  CHECK_HR(netrt_background_downloader_create_download(downloader, file, uri, &stale), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_download_operation_get_progress(upload, &progress), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_download_operation_get_progress(download, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_upload_operation_start_async(download, &stale), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_async_set_progress(upload_op, NULL, NULL, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_background_transfer_group_create_group(NULL, &stale), NETRT_E_POINTER);
  CHECK_HR(netrt_response_information_get_status_code(download, &status_code), NETRT_E_INVALIDARG);
  CHECK(stale == 0);
  CHECK_OK(netrt_duplicate(group, &stale));
  RELEASE(stale);
  {
    netrt_handle gone = 0;
    CHECK_OK(netrt_background_downloader_create(&gone));
    netrt_handle old = gone;
    RELEASE(gone);
    CHECK_HR(netrt_background_downloader_set_method(old, "PUT"), NETRT_RO_E_CLOSED);
  }
  CHECK_HR(netrt_close(download), NETRT_E_INVALIDARG);

  rc = 0;
cleanup:
  RELEASE(downloader);
  RELEASE(uploader);
  RELEASE(group);
  RELEASE(group2);
  RELEASE(folder);
  RELEASE(file);
  RELEASE(uri);
  RELEASE(bad_uri);
  RELEASE(download);
  RELEASE(op);
  RELEASE(got);
  RELEASE(info);
  RELEASE(actual);
  RELEASE(slow);
  RELEASE(slow_op);
  RELEASE(missing);
  RELEASE(missing_op);
  RELEASE(upload);
  RELEASE(upload_op);
  RELEASE(cred);
  RELEASE(stream);
  RELEASE(buffer);
  RELEASE(parts[0]);
  RELEASE(parts[1]);
  RELEASE(multi);
  RELEASE(multi_op);
  RELEASE(basic);
  RELEASE(basic_op);
  if (port > 0) peer_stop(&nginx);
  if (server_port > 0) peer_stop(&server);
  if (daemon > 0) {
    kill(daemon, SIGTERM);
    waitpid(daemon, NULL, 0);
  }
  if (strcmp(g_dir, "/tmp/netrt-c-xfer-XXXXXX") != 0) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "    could not remove %s\n", g_dir);
  }
  printf("test_background_transfer: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
