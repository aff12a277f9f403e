/* MessageWebSocket, StreamWebSocket and PasswordCredential from C against the Python
 * `websockets` server (tests/peers/ws_server.py, as the Rust tests use it): text and binary
 * echo, a message sent in frames, subprotocol negotiation (the server's preference wins),
 * Basic auth (401 → HTTP_E_STATUS_DENIED / WebErrorStatus Unauthorized, then success with a
 * credential), close code and reason in both directions (Closed raised once), the byte-stream
 * socket, a CONNECT tunnel through tinyproxy with BasicAuth (407 without a ProxyCredential,
 * an echo with one), wss:// through nginx terminating TLS with auth_basic, wss:// with
 * ServerCustomValidationRequested (a Deferral the connect waits for, and Reject), argument
 * validation, and NULL / stale / wrong-kind handles. */
#include "common.h"
#include "peers.h"
#include "web_socket_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>

static int wait_listening(int port);

/* tinyproxy in the foreground on 127.0.0.1, answering 407 unless the request carries
 * `user`/`password` (configured as core/tests/util/web_peers.rs does); its configuration goes
 * into the directory `dir`. */
static int start_tinyproxy(peer *p, const char *dir, const char *user, const char *password) {
  char conf[512];
  int port = free_port();
  if (!port) return -1;
  snprintf(conf, sizeof conf, "%s/tinyproxy.conf", dir);
  FILE *f = fopen(conf, "w");
  if (!f) return -1;
  fprintf(f, "Port %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\nLogLevel Info\nBasicAuth %s %s\n",
          port, user, password);
  fclose(f);
  char port_text[16];
  snprintf(port_text, sizeof port_text, "%d", port);
  const char *args[] = {"run", "--port", port_text, "--", "tinyproxy", "-d", "-c", conf, NULL};
  if (peer_launch(p, args) != 0) return -1;
  return wait_listening(port);
}

/* Waits until something accepts TCP connections on 127.0.0.1:`port` (10 s at most). */
static int wait_listening(int port) {
  for (long long deadline = now_ms() + 10000; now_ms() < deadline;) {
    struct sockaddr_in addr = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0), connected = 0;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    connected = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    if (fd >= 0) close(fd);
    if (connected) return 0;
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
  }
  return -1;
}

/* Writes `text` to `dir`/`name`; 0 on success. */
static int write_file(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* nginx terminating TLS on 127.0.0.1 with the test PKI's leaf in front of the WebSocket server
 * at `upstream`, requiring `user`/`password` (auth_basic), configured in `dir` as
 * core/tests/util/web_peers.rs does. */
static int start_nginx(peer *p, const char *dir, const char *pki, int upstream, const char *user, const char *password) {
  char command[256], hash[128] = "", line[256], conf[2048], path[512], errors[512];
  int port = free_port();
  snprintf(command, sizeof command, "openssl passwd -apr1 '%s'", password);
  FILE *pipe_in = popen(command, "r");
  if (!pipe_in) return -1;
  if (!fgets(hash, sizeof hash, pipe_in)) hash[0] = 0;
  pclose(pipe_in);
  hash[strcspn(hash, "\n")] = 0;
  snprintf(line, sizeof line, "%s:%s\n", user, hash);
  snprintf(conf, sizeof conf,
           "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\nerror_log %s/error.log info;\n"
           "events { worker_connections 64; }\nhttp {\n  access_log off;\n  client_body_temp_path %s/body;\n"
           "  proxy_temp_path %s/proxy;\n  fastcgi_temp_path %s/fastcgi;\n  uwsgi_temp_path %s/uwsgi;\n"
           "  scgi_temp_path %s/scgi;\n  server {\n    listen 127.0.0.1:%d ssl;\n    ssl_certificate %s/leaf.pem;\n"
           "    ssl_certificate_key %s/leaf.key;\n    location / {\n      auth_basic \"netrt\";\n"
           "      auth_basic_user_file %s/htpasswd;\n      proxy_pass http://127.0.0.1:%d;\n"
           "      proxy_http_version 1.1;\n      proxy_set_header Upgrade $http_upgrade;\n"
           "      proxy_set_header Connection \"upgrade\";\n      proxy_read_timeout 60s;\n    }\n  }\n}\n",
           dir, dir, dir, dir, dir, dir, dir, port, pki, pki, dir, upstream);
  if (!port || !hash[0] || write_file(dir, "htpasswd", line) != 0 || write_file(dir, "nginx.conf", conf) != 0) return -1;
  snprintf(path, sizeof path, "%s/nginx.conf", dir);
  snprintf(errors, sizeof errors, "%s/error.log", dir);
  char port_text[16];
  snprintf(port_text, sizeof port_text, "%d", port);
  const char *args[] = {"run", "--port", port_text, "--", "nginx", "-p", dir, "-c", path, "-e", errors, NULL};
  /* nginx writes nothing to its output when it starts well: wait for the port. */
  if (peer_launch(p, args) != 0) return -1;
  return wait_listening(port);
}

/* Removes what start_nginx and nginx put in `dir`, then `dir`. */
static void remove_nginx_dir(const char *dir) {
  static const char *const files[] = {"htpasswd", "nginx.conf", "nginx.pid", "error.log"};
  static const char *const dirs[] = {"body", "proxy", "fastcgi", "uwsgi", "scgi"};
  char path[512];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    (void)remove(path);
  }
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, dirs[i]);
    (void)rmdir(path);
  }
  (void)rmdir(dir);
}

/* Text and binary echo, frames, subprotocol, close from the client. */
static int echo_and_close(int port, peer *server) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0, uri = 0, control = 0, info = 0, protocols = 0, local = 0;
  char buf[64];
  size_t needed = 0;
  uint32_t sent = 0;
  const uint8_t binary[] = {0x00, 0x01, 0xFE, 0xFF};

  CHECK_OK(wired_socket(&e, &ws));
  CHECK_OK(netrt_message_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_message_web_socket_control_get_supported_protocols(control, &protocols));
  CHECK_OK(netrt_vector_append_string(protocols, "alpha"));
  CHECK_OK(netrt_vector_append_string(protocols, "beta"));
  CHECK_HR(netrt_vector_append_string(protocols, "not a token"), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_message_web_socket_control_set_proxy(control, "")); /* direct: loopback only */
  CHECK_OK(netrt_message_web_socket_set_request_header(ws, "X-Test", "c"));
  CHECK_OK(ws_uri(port, "/echo", &uri));
  CHECK_OK(connect_result(ws, 0, uri));

  CHECK_OK(netrt_message_web_socket_get_information(ws, &info));
  CHECK_OK(netrt_message_web_socket_information_get_protocol(info, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "beta") == 0); /* ws_server.py prefers beta over alpha */
  CHECK_OK(netrt_message_web_socket_information_get_local_address(info, &local));
  CHECK(local != 0);
  CHECK_HR(netrt_message_web_socket_set_request_header(ws, "X-Late", "1"), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_message_web_socket_control_set_max_message_size(control, 10), NETRT_E_ILLEGAL_METHOD_CALL);

  /* A Utf8 message through the OutputStream. */
  CHECK_OK(netrt_message_web_socket_control_set_message_type(control, NETRT_SOCKET_MESSAGE_TYPE_UTF8));
  CHECK_OK(write_message(ws, "h\xC3\xA9llo"));
  CHECK(wait_count(&e, &e.messages, 1));
  CHECK(e.types[0] == NETRT_SOCKET_MESSAGE_TYPE_UTF8 && e.complete[0]);
  CHECK(e.lengths[0] == 6 && memcmp(e.data[0], "h\xC3\xA9llo", 6) == 0);

  /* A binary message, then one sent in two frames (echoed as one message). */
  CHECK_OK(netrt_message_web_socket_control_set_message_type(control, NETRT_SOCKET_MESSAGE_TYPE_BINARY));
  CHECK_HR(netrt_message_web_socket_control_set_message_type(control, 7), NETRT_E_INVALIDARG);
  CHECK_OK(send_frame(ws, binary, sizeof binary, 1, &sent));
  CHECK(sent == sizeof binary);
  CHECK(wait_count(&e, &e.messages, 2));
  CHECK(e.types[1] == NETRT_SOCKET_MESSAGE_TYPE_BINARY);
  CHECK(e.lengths[1] == sizeof binary && memcmp(e.data[1], binary, sizeof binary) == 0);
  CHECK_OK(send_frame(ws, "frag", 4, 0, &sent));
  CHECK(sent == 4);
  CHECK_HR(write_message(ws, "whole"), NETRT_E_ILLEGAL_METHOD_CALL); /* inside a fragmented message */
  CHECK_OK(send_frame(ws, "mented", 6, 1, &sent));
  CHECK(wait_count(&e, &e.messages, 3));
  CHECK(e.lengths[2] == 10 && memcmp(e.data[2], "fragmented", 10) == 0 && e.complete[2]);

  /* Close(code, reason): the server answers with the same frame; Closed is raised once. */
  CHECK_HR(netrt_message_web_socket_close_with_status(ws, 1005, "no"), NETRT_E_INVALIDARG);
  {
    char long_reason[200];
    memset(long_reason, 'r', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = 0;
    CHECK_HR(netrt_message_web_socket_close_with_status(ws, 4000, long_reason), NETRT_E_INVALIDARG);
  }
  CHECK_OK(netrt_message_web_socket_close_with_status(ws, 4000, "done"));
  CHECK(wait_count(&e, &e.closed, 1));
  CHECK(e.close_code == 4000 && strcmp(e.close_reason, "done") == 0);
  CHECK(peer_wait_for(server, "CLOSED 4000 done", (int)STEP_MS));
  CHECK_HR(send_frame(ws, "late", 4, 1, &sent), NETRT_RO_E_CLOSED);
  CHECK(e.closed == 1 && e.failure == 0);
  ok = 1;
cleanup:
  RELEASE(local);
  RELEASE(protocols);
  RELEASE(info);
  RELEASE(control);
  RELEASE(uri);
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* The server closes with its own code and reason. */
static int server_closes(int port) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0, uri = 0;
  CHECK_OK(wired_socket(&e, &ws));
  CHECK_OK(ws_uri(port, "/close?code=4001&reason=bye", &uri));
  CHECK_OK(connect_result(ws, 0, uri));
  CHECK(wait_count(&e, &e.closed, 1));
  CHECK(e.close_code == 4001 && strcmp(e.close_reason, "bye") == 0);
  ok = 1;
cleanup:
  RELEASE(uri);
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* 401 without a credential, success with one (sent only in answer to the challenge). */
static int basic_auth(int port) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0, uri = 0, control = 0, credential = 0, got = 0;
  char buf[64];
  size_t needed = 0;
  netrt_hresult hr = 0;

  CHECK_OK(wired_socket(&e, &ws));
  CHECK_OK(ws_uri(port, "/echo", &uri));
  hr = connect_result(ws, 0, uri);
  CHECK(hr == NETRT_HTTP_E_STATUS_DENIED);
  CHECK(netrt_web_socket_error_get_status(hr) == NETRT_WEB_ERROR_STATUS_UNAUTHORIZED);
  CHECK(netrt_web_error_get_status(hr) == NETRT_WEB_ERROR_STATUS_UNAUTHORIZED);
  RELEASE(ws);

  CHECK_OK(netrt_password_credential_create_password_credential("ws://127.0.0.1/", "user", "wrong", &credential));
  CHECK_OK(wired_socket(&e, &ws));
  CHECK_OK(netrt_message_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_message_web_socket_control_get_server_credential(control, &got));
  CHECK(got == 0); /* none yet */
  CHECK_OK(netrt_message_web_socket_control_set_server_credential(control, credential));
  /* The credential is shared: fixing the password through it is what the control sends. */
  CHECK_OK(netrt_password_credential_set_password(credential, "secret"));
  CHECK_OK(netrt_message_web_socket_control_get_server_credential(control, &got));
  CHECK_OK(netrt_password_credential_get_password(got, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "secret") == 0);
  CHECK_OK(connect_result(ws, 0, uri));
  { uint32_t n = 0; CHECK_OK(send_frame(ws, "authed", 6, 1, &n)); CHECK(n == 6); }
  CHECK(wait_count(&e, &e.messages, 1));
  CHECK(e.lengths[0] == 6 && memcmp(e.data[0], "authed", 6) == 0);
  ok = 1;
cleanup:
  RELEASE(got);
  RELEASE(credential);
  RELEASE(control);
  RELEASE(uri);
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* StreamWebSocket: each write is one binary message, reads return the echoed bytes; Closed
 * comes with the read that meets the server's close frame. */
static int stream_echo(int port, peer *server) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0, uri = 0, control = 0, input = 0, output = 0, reader = 0, writer = 0, detached = 0;
  uint32_t stored = 0, loaded = 0;
  bool no_delay = false;
  int64_t token = 0;
  uint8_t got[5] = {0};

  CHECK_OK(netrt_stream_web_socket_create(&ws));
  CHECK_OK(netrt_stream_web_socket_add_closed(ws, on_closed, &e, &token));
  CHECK_OK(netrt_stream_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_stream_web_socket_control_get_no_delay(control, &no_delay));
  CHECK(no_delay);
  CHECK_OK(ws_uri(port, "/echo", &uri));
  CHECK_OK(connect_result(ws, 1, uri));
  CHECK_HR(netrt_stream_web_socket_control_set_no_delay(control, false), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_stream_web_socket_get_output_stream(ws, &output));
  CHECK_OK(netrt_data_writer_create_with_stream(output, &writer));
  CHECK_OK(netrt_data_writer_write_bytes(writer, (const uint8_t *)"bytes", 5));
  CHECK_OK(netrt_data_writer_store(writer, STEP_MS, &stored));
  CHECK(stored == 5);
  CHECK_OK(netrt_data_writer_detach_stream(writer, &detached));
  CHECK_OK(netrt_stream_web_socket_get_input_stream(ws, &input));
  CHECK_OK(netrt_data_reader_create_with_stream(input, &reader));
  for (uint32_t have = 0; have < 5; have += loaded) {
    CHECK_OK(netrt_data_reader_load(reader, 5 - have, STEP_MS, &loaded));
    CHECK(loaded > 0);
  }
  CHECK_OK(netrt_data_reader_read_bytes(reader, got, sizeof got));
  CHECK(memcmp(got, "bytes", 5) == 0);
  CHECK_OK(netrt_stream_web_socket_close_with_status(ws, 1000, "bye"));
  CHECK(peer_wait_for(server, "CLOSED 1000 bye", (int)STEP_MS));
  RELEASE(detached);
  RELEASE(writer);
  RELEASE(reader);
  RELEASE(input);
  RELEASE(output);
  RELEASE(uri);
  RELEASE(ws);

  /* The server's close frame ends the byte stream (a read of 0) and raises Closed. */
  CHECK_OK(netrt_stream_web_socket_create(&ws));
  CHECK_OK(netrt_stream_web_socket_add_closed(ws, on_closed, &e, &token));
  CHECK_OK(ws_uri(port, "/close?code=4002&reason=stream", &uri));
  CHECK_OK(connect_result(ws, 1, uri));
  CHECK_OK(netrt_stream_web_socket_get_input_stream(ws, &input));
  CHECK_OK(netrt_data_reader_create_with_stream(input, &reader));
  CHECK_OK(netrt_data_reader_load(reader, 1, STEP_MS, &loaded));
  CHECK(loaded == 0);
  CHECK(wait_count(&e, &e.closed, 1));
  CHECK(e.close_code == 4002 && strcmp(e.close_reason, "stream") == 0);
  ok = 1;
cleanup:
  RELEASE(detached);
  RELEASE(writer);
  RELEASE(reader);
  RELEASE(input);
  RELEASE(output);
  RELEASE(control);
  RELEASE(uri);
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* A StreamWebSocket through an explicit proxy (a CONNECT tunnel): 407 without a
 * ProxyCredential, an echo with one. */
static int through_proxy(int port, int proxy_port) {
  int ok = 0;
  netrt_handle ws = 0, uri = 0, control = 0, credential = 0, output = 0, input = 0, writer = 0, reader = 0;
  netrt_handle detached = 0;
  char proxy[64];
  uint32_t stored = 0, loaded = 0;
  uint8_t got[5] = {0};
  netrt_hresult hr = 0;

  snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", proxy_port);
  CHECK_OK(ws_uri(port, "/echo", &uri));
  CHECK_OK(netrt_stream_web_socket_create(&ws));
  CHECK_OK(netrt_stream_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_stream_web_socket_control_set_proxy(control, proxy));
  hr = connect_result(ws, 1, uri);
  CHECK(hr == NETRT_HTTP_E_STATUS_PROXY_AUTH_REQ);
  CHECK(netrt_web_socket_error_get_status(hr) == NETRT_WEB_ERROR_STATUS_PROXY_AUTHENTICATION_REQUIRED);
  RELEASE(control);
  RELEASE(ws);

  CHECK_OK(netrt_stream_web_socket_create(&ws));
  CHECK_OK(netrt_stream_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_stream_web_socket_control_set_proxy(control, proxy));
  CHECK_OK(netrt_password_credential_create_password_credential("", "pxuser", "pxpass", &credential));
  CHECK_OK(netrt_stream_web_socket_control_set_proxy_credential(control, credential));
  CHECK_OK(connect_result(ws, 1, uri));
  CHECK_OK(netrt_stream_web_socket_get_output_stream(ws, &output));
  CHECK_OK(netrt_data_writer_create_with_stream(output, &writer));
  CHECK_OK(netrt_data_writer_write_bytes(writer, (const uint8_t *)"proxy", 5));
  CHECK_OK(netrt_data_writer_store(writer, STEP_MS, &stored));
  CHECK_OK(netrt_data_writer_detach_stream(writer, &detached));
  CHECK_OK(netrt_stream_web_socket_get_input_stream(ws, &input));
  CHECK_OK(netrt_data_reader_create_with_stream(input, &reader));
  for (uint32_t have = 0; have < 5; have += loaded) {
    CHECK_OK(netrt_data_reader_load(reader, 5 - have, STEP_MS, &loaded));
    CHECK(loaded > 0);
  }
  CHECK_OK(netrt_data_reader_read_bytes(reader, got, sizeof got));
  CHECK(memcmp(got, "proxy", 5) == 0);
  ok = 1;
cleanup:
  RELEASE(detached);
  RELEASE(reader);
  RELEASE(writer);
  RELEASE(input);
  RELEASE(output);
  RELEASE(credential);
  RELEASE(control);
  RELEASE(uri);
  RELEASE(ws);
  return ok;
}

/* wss:// to nginx, which terminates TLS and asks for Basic auth before proxying the upgrade:
 * 401 without a ServerCredential, an echo with one. */
static int through_nginx(int port, netrt_handle ca) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0, uri = 0, control = 0, roots = 0, credential = 0;
  char text[64];
  uint32_t sent = 0;
  netrt_hresult hr = 0;

  snprintf(text, sizeof text, "wss://127.0.0.1:%d/echo", port);
  CHECK_OK(netrt_uri_create(text, &uri));
  CHECK_OK(wired_socket(&e, &ws));
  CHECK_OK(netrt_message_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_message_web_socket_control_get_trusted_root_certificates(control, &roots));
  CHECK_OK(netrt_vector_append_handle(roots, ca));
  hr = connect_result(ws, 0, uri);
  CHECK(hr == NETRT_HTTP_E_STATUS_DENIED);
  CHECK(netrt_web_socket_error_get_status(hr) == NETRT_WEB_ERROR_STATUS_UNAUTHORIZED);
  RELEASE(roots);
  RELEASE(control);
  RELEASE(ws);

  CHECK_OK(wired_socket(&e, &ws));
  CHECK_OK(netrt_message_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_message_web_socket_control_get_trusted_root_certificates(control, &roots));
  CHECK_OK(netrt_vector_append_handle(roots, ca));
  CHECK_OK(netrt_password_credential_create_password_credential(text, "nguser", "ngpass", &credential));
  CHECK_OK(netrt_message_web_socket_control_set_server_credential(control, credential));
  CHECK_OK(connect_result(ws, 0, uri));
  CHECK_OK(send_frame(ws, "via nginx", 9, 1, &sent));
  CHECK(wait_count(&e, &e.messages, 1));
  CHECK(e.lengths[0] == 9 && memcmp(e.data[0], "via nginx", 9) == 0);
  ok = 1;
cleanup:
  RELEASE(credential);
  RELEASE(roots);
  RELEASE(control);
  RELEASE(uri);
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* What the ServerCustomValidationRequested handler did: `reject` says what to do; a deferral
 * taken is handed to main, which completes it. */
typedef struct {
  int reject;
  _Atomic netrt_handle deferral;
  _Atomic int calls;
  _Atomic int had_certificate;
} validation;

static void on_validate(void *user_data, netrt_handle sender, netrt_handle args) {
  validation *v = user_data;
  netrt_handle cert = 0, deferral = 0;
  (void)sender;
  if (netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate(args, &cert) == NETRT_S_OK &&
      cert != 0) {
    atomic_store(&v->had_certificate, 1);
  }
  if (cert) (void)netrt_release(cert);
  if (v->reject) {
    (void)netrt_web_socket_server_custom_validation_requested_event_args_reject(args);
  } else if (netrt_web_socket_server_custom_validation_requested_event_args_get_deferral(args, &deferral) == NETRT_S_OK) {
    atomic_store(&v->deferral, deferral);
  }
  atomic_fetch_add(&v->calls, 1);
}

/* A MessageWebSocket for wss:// that trusts the test CA and runs `v`'s validation. */
static netrt_hresult tls_socket(netrt_handle ca, validation *v, netrt_handle *out) {
  netrt_handle ws = 0, control = 0, roots = 0;
  int64_t token = 0;
  netrt_hresult hr = netrt_message_web_socket_create(&ws);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_get_control(ws, &control);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_control_get_trusted_root_certificates(control, &roots);
  if (hr == NETRT_S_OK) hr = netrt_vector_append_handle(roots, ca);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_add_server_custom_validation_requested(ws, on_validate, v, &token);
  if (roots) (void)netrt_release(roots);
  if (control) (void)netrt_release(control);
  if (hr != NETRT_S_OK) {
    if (ws) (void)netrt_release(ws);
    return hr;
  }
  *out = ws;
  return NETRT_S_OK;
}

/* wss://: the connect waits for the handler's Deferral; Reject fails it. */
static int custom_validation(int port, const char *pki) {
  int ok = 0;
  validation deferring = {0}, rejecting = {.reject = 1};
  netrt_handle ca = 0, ws = 0, uri = 0, op = 0, info = 0, cert = 0, errors = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_ERROR;
  uint32_t size = 99;
  netrt_hresult hr = 0;
  char text[64];

  CHECK_OK(load_cert(pki, "ca", 0, &ca));
  snprintf(text, sizeof text, "wss://127.0.0.1:%d/echo", port);
  CHECK_OK(netrt_uri_create(text, &uri));

  CHECK_OK(tls_socket(ca, &deferring, &ws));
  CHECK_OK(netrt_message_web_socket_connect_async(ws, uri, &op));
  for (int i = 0; i < 1000 && atomic_load(&deferring.deferral) == 0; i++) {
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
  CHECK(atomic_load(&deferring.deferral) != 0);
  CHECK(atomic_load(&deferring.had_certificate));
  /* The connect cannot finish while the deferral is outstanding. */
  CHECK_OK(netrt_async_get_status(op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_STARTED);
  CHECK_OK(netrt_deferral_complete(atomic_load(&deferring.deferral)));
  CHECK_OK(netrt_deferral_complete(atomic_load(&deferring.deferral))); /* again: nothing happens */
  CHECK_OK(wait_completed(op));
  CHECK(atomic_load(&deferring.calls) == 1);
  CHECK_OK(netrt_message_web_socket_get_information(ws, &info));
  CHECK_OK(netrt_message_web_socket_information_get_server_certificate(info, &cert));
  CHECK(cert != 0);
  CHECK_OK(netrt_message_web_socket_information_get_server_certificate_errors(info, &errors));
  CHECK_OK(netrt_vector_get_size(errors, &size));
  CHECK(size == 0);
  RELEASE(op);
  RELEASE(ws);

  CHECK_OK(tls_socket(ca, &rejecting, &ws));
  hr = connect_result(ws, 0, uri);
  CHECK(hr == NETRT_WININET_E_SEC_INVALID_CERT);
  CHECK(netrt_web_socket_error_get_status(hr) == NETRT_WEB_ERROR_STATUS_CERTIFICATE_IS_INVALID);
  CHECK(atomic_load(&rejecting.calls) == 1);
  ok = 1;
cleanup:
  {
    netrt_handle deferral = atomic_exchange(&deferring.deferral, 0);
    RELEASE(deferral);
  }
  RELEASE(errors);
  RELEASE(cert);
  RELEASE(info);
  RELEASE(op);
  RELEASE(ws);
  RELEASE(uri);
  RELEASE(ca);
  return ok;
}

/* PasswordCredential's own members and validation. */
static int credential_members(void) {
  int ok = 0;
  netrt_handle c = 0, empty = 0;
  char buf[64];
  size_t needed = 0;
  CHECK_OK(netrt_password_credential_create_password_credential("res", "u\xC3\xBC", "pw", &c));
  CHECK_OK(netrt_password_credential_get_resource(c, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "res") == 0);
  CHECK_OK(netrt_password_credential_get_user_name(c, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "u\xC3\xBC") == 0 && needed == 4);
  CHECK_OK(netrt_password_credential_retrieve_password(c));
  CHECK_OK(netrt_password_credential_set_resource(c, ""));
  CHECK_HR(netrt_password_credential_set_user_name(c, ""), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_password_credential_set_password(c, ""), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_password_credential_get_password(c, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "pw") == 0); /* a refused change changes nothing */
  CHECK_HR(netrt_password_credential_create_password_credential("r", "", "pw", &empty), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_password_credential_create_password_credential("r", "u", NULL, &empty), NETRT_E_POINTER);
  CHECK(empty == 0);
  CHECK_OK(netrt_password_credential_create(&empty));
  CHECK_OK(netrt_password_credential_get_user_name(empty, buf, sizeof buf, &needed));
  CHECK(strcmp(buf, "") == 0);
  ok = 1;
cleanup:
  RELEASE(c);
  RELEASE(empty);
  return ok;
}

/* NULL, never-issued, released and wrong-kind handles; state errors before connect. */
static int misuse(int port) {
  int ok = 0;
  netrt_handle ws = 0, sws = 0, uri = 0, http = 0, control = 0, scontrol = 0, info = 0, stale = 0;
  int64_t token = 0;
  uint32_t sent = 0, size = 0;
  netrt_kind kind = 0;
  netrt_hresult hr = 0;

  CHECK_OK(netrt_message_web_socket_create(&ws));
  CHECK_OK(netrt_stream_web_socket_create(&sws));
  CHECK_OK(ws_uri(port, "/echo", &uri));
  CHECK_OK(netrt_message_web_socket_get_control(ws, &control));
  CHECK_OK(netrt_stream_web_socket_get_control(sws, &scontrol));
  CHECK_OK(netrt_get_kind(control, &kind));
  CHECK(kind == NETRT_KIND_MESSAGE_WEB_SOCKET_CONTROL);

  CHECK_HR(netrt_message_web_socket_create(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_message_web_socket_connect_async(ws, uri, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_message_web_socket_connect_async(ws, 0, &info), NETRT_E_POINTER);
  CHECK_HR(netrt_message_web_socket_add_message_received(ws, NULL, NULL, &token), NETRT_E_POINTER);
  CHECK_HR(netrt_message_web_socket_add_closed(ws, on_closed, NULL, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_message_web_socket_set_request_header(ws, NULL, "v"), NETRT_E_POINTER);
  CHECK_HR(netrt_message_web_socket_control_get_max_message_size(control, NULL), NETRT_E_POINTER);
  CHECK(info == 0);

  /* The handshake owns these headers; sending needs a connection; 0 is no MaxMessageSize. */
  CHECK_HR(netrt_message_web_socket_set_request_header(ws, "Sec-WebSocket-Key", "x"), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_message_web_socket_set_request_header(ws, "Host", "x"), NETRT_E_INVALIDARG);
  CHECK_HR(send_frame(ws, "x", 1, 1, &sent), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_message_web_socket_control_set_max_message_size(control, 0), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_message_web_socket_control_get_max_message_size(control, &size));
  CHECK(size == 0xFFFFFFFFu);
  CHECK_HR(netrt_message_web_socket_control_set_receive_mode(control, 2), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_message_web_socket_control_set_desired_unsolicited_pong_interval(control, -1), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_message_web_socket_control_set_handshake_timeout(control, 0), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_message_web_socket_control_set_proxy(control, "socks5://127.0.0.1:1"), NETRT_E_INVALIDARG);
  /* The Proxy getter gives the setter's text form: no string (needed 0) for the environment. */
  {
    char text[64] = "x";
    size_t needed = 99;
    CHECK_OK(netrt_message_web_socket_control_get_proxy(control, text, sizeof text, &needed));
    CHECK(needed == 0 && text[0] == '\0');
    CHECK_OK(netrt_message_web_socket_control_set_proxy(control, ""));
    CHECK_OK(netrt_message_web_socket_control_get_proxy(control, text, sizeof text, &needed));
    CHECK(needed == 1 && text[0] == '\0');
    CHECK_OK(netrt_stream_web_socket_control_set_proxy(scontrol, "user:pw@127.0.0.1:3128"));
    CHECK_HR(netrt_stream_web_socket_control_get_proxy(scontrol, text, 4, &needed), NETRT_E_INSUFFICIENT_BUFFER);
    CHECK(needed == sizeof "http://127.0.0.1:3128");
    CHECK_OK(netrt_stream_web_socket_control_get_proxy(scontrol, text, sizeof text, &needed));
    CHECK(strcmp(text, "http://127.0.0.1:3128") == 0);
    CHECK_HR(netrt_stream_web_socket_control_get_proxy(scontrol, text, sizeof text, NULL), NETRT_E_POINTER);
    CHECK_HR(netrt_stream_web_socket_control_get_proxy(control, text, sizeof text, &needed), NETRT_E_INVALIDARG);
    CHECK_HR(netrt_message_web_socket_control_get_proxy(control, NULL, 8, &needed), NETRT_E_POINTER);
  }
  CHECK_OK(netrt_uri_create("http://127.0.0.1/", &http));
  hr = connect_result(ws, 0, http);
  CHECK(hr == NETRT_E_INVALIDARG);

  /* Wrong kinds: each class's functions refuse the other class and unrelated objects. */
  CHECK_HR(netrt_message_web_socket_connect_async(sws, uri, &info), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_web_socket_get_input_stream(ws, &info), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_message_web_socket_connect_async(ws, control, &info), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_message_web_socket_control_get_max_message_size(scontrol, &size), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_web_socket_control_set_server_credential(scontrol, uri), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_web_socket_closed_event_args_get_code(ws, (uint16_t[]){0}), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_deferral_complete(uri), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_password_credential_retrieve_password(control), NETRT_E_INVALIDARG);
  CHECK(info == 0);

  /* Never issued and released handles. */
  CHECK_HR(netrt_message_web_socket_get_control(ws + ((netrt_handle)1 << 32), &info), NETRT_E_HANDLE);
  CHECK_OK(netrt_message_web_socket_create(&stale));
  {
    netrt_handle gone = stale;
    RELEASE(stale);
    CHECK_HR(netrt_message_web_socket_get_control(gone, &info), NETRT_RO_E_CLOSED);
    CHECK_HR(netrt_message_web_socket_remove_closed(gone, token), NETRT_RO_E_CLOSED);
  }

  /* Close(): afterwards the socket's methods are RO_E_CLOSED; closing again is fine. */
  CHECK_OK(netrt_close(ws));
  CHECK_HR(netrt_message_web_socket_connect_async(ws, uri, &info), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_message_web_socket_control_set_message_type(control, NETRT_SOCKET_MESSAGE_TYPE_UTF8),
           NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_close(ws));
  CHECK(info == 0);
  ok = 1;
cleanup:
  RELEASE(info);
  RELEASE(stale);
  RELEASE(http);
  RELEASE(scontrol);
  RELEASE(control);
  RELEASE(uri);
  RELEASE(sws);
  RELEASE(ws);
  return ok;
}

int main(void) {
  int rc = 1;
  peer plain = {0}, authed = {0}, tls = {0}, proxy = {0}, nginx = {0};
  plain.in_fd = authed.in_fd = tls.in_fd = -1;
  proxy.in_fd = nginx.in_fd = -1;
  char proxy_dir[] = "/tmp/netrt-c-tinyproxy-XXXXXX", nginx_dir[] = "/tmp/netrt-c-nginx-XXXXXX";
  int proxy_dir_made = 0, nginx_dir_made = 0;
  netrt_handle ca = 0;
  char cert[512], key[512];
  const char *pki = test_pki();
  CHECK(pki != NULL);
  snprintf(cert, sizeof cert, "%s/leaf.pem", pki);
  snprintf(key, sizeof key, "%s/leaf.key", pki);
  const char *const plain_args[] = {"--protocols", "beta,alpha", NULL};
  const char *const auth_args[] = {"--basic", "user:secret", NULL};
  const char *const tls_args[] = {"--tls", cert, key, NULL};
  CHECK(start_ws_server(&plain, plain_args) == 0);
  CHECK(start_ws_server(&authed, auth_args) == 0);
  CHECK(start_ws_server(&tls, tls_args) == 0);
  CHECK(credential_members());
  CHECK(echo_and_close(plain.port, &plain));
  CHECK(server_closes(plain.port));
  CHECK(basic_auth(authed.port));
  CHECK(stream_echo(plain.port, &plain));
  CHECK(custom_validation(tls.port, pki));
  CHECK(mkdtemp(proxy_dir) != NULL);
  proxy_dir_made = 1;
  CHECK(start_tinyproxy(&proxy, proxy_dir, "pxuser", "pxpass") == 0);
  CHECK(through_proxy(plain.port, proxy.port));
  CHECK(mkdtemp(nginx_dir) != NULL);
  nginx_dir_made = 1;
  CHECK(start_nginx(&nginx, nginx_dir, pki, plain.port, "nguser", "ngpass") == 0);
  CHECK_OK(load_cert(pki, "ca", 0, &ca));
  CHECK(through_nginx(nginx.port, ca));
  CHECK(misuse(plain.port));
  rc = 0;
cleanup:
  peer_stop(&plain);
  peer_stop(&authed);
  peer_stop(&tls);
  RELEASE(ca);
  peer_stop(&proxy);
  peer_stop(&nginx);
  if (nginx_dir_made) remove_nginx_dir(nginx_dir);
  if (proxy_dir_made) {
    char conf[512];
    snprintf(conf, sizeof conf, "%s/tinyproxy.conf", proxy_dir);
    (void)remove(conf);
    (void)rmdir(proxy_dir);
  }
  printf("test_web_socket: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
