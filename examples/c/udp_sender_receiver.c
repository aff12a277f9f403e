/* A DatagramSocket receiver and sender in C over libnetrt.
 *
 *   udp_sender_receiver                 demo: receiver and sender in one process
 *   udp_sender_receiver receive [port]  print datagrams until killed
 *   udp_sender_receiver send HOST PORT TEXT...
 *
 * The receiver binds, attaches MessageReceived (which runs on netrt's dispatcher thread) and
 * prints each datagram with its sender; the sender writes datagrams through the output stream
 * of GetOutputStreamAsync(host, port), as the WinRT samples do. */
#define _POSIX_C_SOURCE 200809L
#include <netrt.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 10000u

static atomic_int g_received = 0;

static void on_message(void *user_data, netrt_handle sender, netrt_handle args) {
  char data[1500], port[16] = "?", addr[64] = "?";
  size_t needed = 0;
  netrt_handle remote = 0;
  (void)user_data;
  (void)sender;
  if (netrt_datagram_socket_message_received_event_args_get_data(args, (uint8_t *)data, sizeof data - 1,
                                                                 &needed) != NETRT_S_OK) {
    return;
  }
  data[needed] = 0;
  netrt_datagram_socket_message_received_event_args_get_remote_port(args, port, sizeof port, &needed);
  if (netrt_datagram_socket_message_received_event_args_get_remote_address(args, &remote) == NETRT_S_OK) {
    netrt_host_name_get_canonical_name(remote, addr, sizeof addr, &needed);
    netrt_release(remote);
  }
  printf("received \"%s\" from %s:%s\n", data, addr, port);
  fflush(stdout);
  atomic_fetch_add(&g_received, 1);
}

static netrt_hresult wait_op(netrt_handle op) {
  netrt_hresult hr = netrt_async_wait(op, WAIT_MS);
  return hr == NETRT_S_OK ? netrt_async_get_results(op) : hr;
}

static netrt_hresult receiver_start(const char *host_or_null, const char *port, netrt_handle *out_socket) {
  netrt_handle sock = 0, local = 0, op = 0;
  int64_t token = 0;
  netrt_hresult hr = netrt_datagram_socket_create(&sock);
  if (hr == NETRT_S_OK) {
    hr = netrt_datagram_socket_add_message_received(sock, on_message, NULL, &token);
  }
  if (hr == NETRT_S_OK && host_or_null) {
    hr = netrt_host_name_create(host_or_null, &local);
  }
  if (hr == NETRT_S_OK) {
    hr = netrt_datagram_socket_bind_endpoint_async(sock, local, port, &op);
  }
  if (hr == NETRT_S_OK) {
    hr = wait_op(op);
  }
  netrt_release(op);
  netrt_release(local);
  if (hr == NETRT_S_OK) {
    *out_socket = sock;
  } else {
    netrt_release(sock);
  }
  return hr;
}

static netrt_hresult send_all(const char *host, const char *port, char **texts, int count) {
  netrt_handle sock = 0, remote = 0, op = 0, out = 0, buffer = 0;
  netrt_hresult hr = netrt_datagram_socket_create(&sock);
  if (hr == NETRT_S_OK) {
    hr = netrt_host_name_create(host, &remote);
  }
  if (hr == NETRT_S_OK) {
    hr = netrt_datagram_socket_get_output_stream_async(sock, remote, port, &op);
  }
  if (hr == NETRT_S_OK && (hr = netrt_async_wait(op, WAIT_MS)) == NETRT_S_OK) {
    hr = netrt_async_get_results_handle(op, &out);
  }
  netrt_release(op);
  op = 0;
  for (int i = 0; hr == NETRT_S_OK && i < count; i++) {
    uint8_t *data = NULL;
    size_t len = strlen(texts[i]);
    hr = netrt_buffer_create((uint32_t)len, &buffer);
    if (hr == NETRT_S_OK && (hr = netrt_buffer_get_data(buffer, &data)) == NETRT_S_OK) {
      memcpy(data, texts[i], len);
      hr = netrt_buffer_set_length(buffer, (uint32_t)len);
    }
    if (hr == NETRT_S_OK && (hr = netrt_output_stream_write_async(out, buffer, &op)) == NETRT_S_OK) {
      hr = wait_op(op);
    }
    netrt_release(op);
    op = 0;
    netrt_release(buffer);
    buffer = 0;
    if (hr == NETRT_S_OK) {
      printf("sent \"%s\" to %s:%s\n", texts[i], host, port);
    }
  }
  netrt_release(out);
  netrt_release(remote);
  netrt_release(sock);
  return hr;
}

static int report(netrt_hresult hr) {
  char detail[256] = "";
  size_t needed = 0;
  if (hr == NETRT_S_OK) {
    return 0;
  }
  netrt_get_last_error_detail(detail, sizeof detail, &needed);
  fprintf(stderr, "error 0x%08X: %s\n", (unsigned)hr, detail);
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "receive") == 0) {
    netrt_handle sock = 0;
    netrt_hresult hr = receiver_start(NULL, argc > 2 ? argv[2] : "", &sock);
    if (hr == NETRT_S_OK) {
      printf("receiving; press Ctrl+C to stop\n");
      fflush(stdout);
      for (;;) {
        pause();
      }
    }
    return report(hr);
  }
  if (argc >= 5 && strcmp(argv[1], "send") == 0) {
    return report(send_all(argv[2], argv[3], argv + 4, argc - 4));
  }
  if (argc != 1) {
    fprintf(stderr, "usage: %s [receive [port] | send HOST PORT TEXT...]\n", argv[0]);
    return 2;
  }
  /* Demo: both ends in this process, on 127.0.0.1. */
  netrt_handle receiver = 0, info = 0;
  char port[16];
  size_t needed = 0;
  char *texts[] = {"first datagram", "second datagram", "third datagram"};
  netrt_hresult hr = receiver_start("127.0.0.1", "", &receiver);
  if (hr == NETRT_S_OK && (hr = netrt_datagram_socket_get_information(receiver, &info)) == NETRT_S_OK) {
    hr = netrt_datagram_socket_information_get_local_port(info, port, sizeof port, &needed);
  }
  netrt_release(info);
  if (hr == NETRT_S_OK) {
    printf("receiver bound on 127.0.0.1:%s\n", port);
    hr = send_all("127.0.0.1", port, texts, 3);
  }
  for (int i = 0; hr == NETRT_S_OK && i < 500 && atomic_load(&g_received) < 3; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  netrt_release(receiver);
  if (hr == NETRT_S_OK && atomic_load(&g_received) != 3) {
    fprintf(stderr, "only %d of 3 datagrams arrived\n", atomic_load(&g_received));
    return 1;
  }
  return report(hr);
}
