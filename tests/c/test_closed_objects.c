/* The closed-object rule (docs/handles.md), as a table over every C function of
 * StreamSocket, StreamSocketListener, DatagramSocket, MessageWebSocket, StreamWebSocket and their
 * Control and Information:
 * after netrt_close, every method and every setter returns RO_E_CLOSED synchronously (event
 * adds included; removing a handler and closing again stay S_OK); every getter still
 * succeeds with the value it had before the close; the streams, DataReader and DataWriter of
 * a closed socket fail their operations with RO_E_CLOSED. */
#include "common.h"
#include "peers.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static _Atomic netrt_handle g_accepted = 0;

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0;
  (void)user_data;
  (void)sender;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock) == NETRT_S_OK) {
    netrt_handle old = atomic_exchange(&g_accepted, sock);
    if (old) (void)netrt_release(old);
  }
}

static void on_message(void *user_data, netrt_handle sender, netrt_handle args) {
  (void)user_data;
  (void)sender;
  (void)args;
}

/* Everything the tables reach. */
typedef struct {
  netrt_handle host, group, pair, cert, buffer;
  netrt_handle socket, control, info, input, output, reader, writer;
  netrt_handle ignorable, roots, alpn, crls;
  netrt_handle listener, lcontrol, linfo, lroots;
  netrt_handle dgram, dcontrol, dinfo, doutput;
  netrt_handle uri, credential;
  netrt_handle mws, mcontrol, minfo, moutput, mprotocols;
  netrt_handle sws, scontrol, sinfo, sinput, soutput;
} objects;

typedef netrt_hresult (*call_fn)(const objects *o, netrt_handle *op);
typedef struct {
  const char *name;
  call_fn call;
} call_row;

/* ---- calls: each must fail with RO_E_CLOSED after close ---- */
/* The members MessageWebSocket and StreamWebSocket share, for one of them. */
#define WEB_SOCKET_CALLS(X, p, cls, label, ws, control)                                              \
  X(p##_ws_connect, label ".ConnectAsync", netrt_##cls##_connect_async(o->ws, o->uri, op))          \
  X(p##_ws_header, label ".SetRequestHeader", netrt_##cls##_set_request_header(o->ws, "X-A", "b"))  \
  X(p##_ws_server_cred, label "Control.ServerCredential",                                            \
    netrt_##cls##_control_set_server_credential(o->control, o->credential))                         \
  X(p##_ws_proxy_cred, label "Control.ProxyCredential",                                              \
    netrt_##cls##_control_set_proxy_credential(o->control, o->credential))                          \
  X(p##_ws_proxy, label "Control.Proxy", netrt_##cls##_control_set_proxy(o->control, ""))           \
  X(p##_ws_outbound, label "Control.OutboundBufferSizeInBytes",                                      \
    netrt_##cls##_control_set_outbound_buffer_size_in_bytes(o->control, 4096))                      \
  X(p##_ws_client_cert, label "Control.ClientCertificate",                                           \
    netrt_##cls##_control_set_client_certificate(o->control, 0))                                    \
  X(p##_ws_pong, label "Control.DesiredUnsolicitedPongInterval",                                     \
    netrt_##cls##_control_set_desired_unsolicited_pong_interval(o->control, 10000000))              \
  X(p##_ws_handshake, label "Control.HandshakeTimeout",                                              \
    netrt_##cls##_control_set_handshake_timeout(o->control, 10000000))

#define CALLS(X)                                                                                    \
  X(s_connect, "StreamSocket.ConnectAsync", netrt_stream_socket_connect_async(o->socket, o->host, "1", op)) \
  X(s_connect_level, "StreamSocket.ConnectAsync(level)",                                          \
    netrt_stream_socket_connect_with_protection_level_async(o->socket, o->host, "1",              \
                                                            NETRT_SOCKET_PROTECTION_LEVEL_TLS12, op)) \
  X(s_connect_pair, "StreamSocket.ConnectAsync(pair)",                                            \
    netrt_stream_socket_connect_with_endpoint_pair_async(o->socket, o->pair, op))                 \
  X(s_connect_pair_level, "StreamSocket.ConnectAsync(pair, level)",                               \
    netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async(                    \
        o->socket, o->pair, NETRT_SOCKET_PROTECTION_LEVEL_PLAIN_SOCKET, op))                      \
  X(s_cancel_io, "StreamSocket.CancelIOAsync", netrt_stream_socket_cancel_io_async(o->socket, op)) \
  X(s_upgrade, "StreamSocket.UpgradeToSslAsync",                                                  \
    netrt_stream_socket_upgrade_to_ssl_async(o->socket, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, o->host, op)) \
  X(s_upgrade_server, "StreamSocket.UpgradeToSslAsServerAsync",                                   \
    netrt_stream_socket_upgrade_to_ssl_as_server_async(o->socket, NETRT_SOCKET_PROTECTION_LEVEL_TLS12, \
                                                       o->cert, op))                              \
  X(s_no_delay, "StreamSocketControl.NoDelay", netrt_stream_socket_control_set_no_delay(o->control, false)) \
  X(s_keep_alive, "StreamSocketControl.KeepAlive", netrt_stream_socket_control_set_keep_alive(o->control, true)) \
  X(s_outbound, "StreamSocketControl.OutboundBufferSizeInBytes",                                  \
    netrt_stream_socket_control_set_outbound_buffer_size_in_bytes(o->control, 4096))             \
  X(s_qos, "StreamSocketControl.QualityOfService",                                                \
    netrt_stream_socket_control_set_quality_of_service(o->control, NETRT_SOCKET_QUALITY_OF_SERVICE_LOW_LATENCY)) \
  X(s_hops, "StreamSocketControl.OutboundUnicastHopLimit",                                        \
    netrt_stream_socket_control_set_outbound_unicast_hop_limit(o->control, 64))                   \
  X(s_serialize, "StreamSocketControl.SerializeConnectionAttempts",                               \
    netrt_stream_socket_control_set_serialize_connection_attempts(o->control, true))             \
  X(s_connect_timeout, "StreamSocketControl.ConnectTimeout",                                      \
    netrt_stream_socket_control_set_connect_timeout(o->control, 10000000))                        \
  X(s_tls_timeout, "StreamSocketControl.TlsHandshakeTimeout",                                     \
    netrt_stream_socket_control_set_tls_handshake_timeout(o->control, 10000000))                  \
  X(s_client_cert, "StreamSocketControl.ClientCertificate",                                       \
    netrt_stream_socket_control_set_client_certificate(o->control, 0))                            \
  X(s_min_level, "StreamSocketControl.MinProtectionLevel",                                        \
    netrt_stream_socket_control_set_min_protection_level(o->control, NETRT_SOCKET_PROTECTION_LEVEL_TLS12)) \
  X(s_ignorable, "StreamSocketControl.IgnorableServerCertificateErrors.Append",                   \
    netrt_vector_append_int32(o->ignorable, NETRT_CHAIN_VALIDATION_RESULT_EXPIRED))               \
  X(s_roots, "StreamSocketControl.TrustedRootCertificates.Append",                                \
    netrt_vector_append_handle(o->roots, o->cert))                                                \
  X(s_alpn, "StreamSocketControl.ApplicationProtocols.Append", netrt_vector_append_string(o->alpn, "h2")) \
  X(s_crls, "StreamSocketControl.CertificateRevocationLists.Clear", netrt_vector_clear(o->crls))  \
  X(s_read, "InputStream.ReadAsync",                                                              \
    netrt_input_stream_read_async(o->input, o->buffer, 4, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, op)) \
  X(s_write, "OutputStream.WriteAsync", netrt_output_stream_write_async(o->output, o->buffer, op)) \
  X(s_flush, "OutputStream.FlushAsync", netrt_output_stream_flush_async(o->output, op))           \
  X(s_load, "DataReader.LoadAsync", netrt_data_reader_load_async(o->reader, 1, op))               \
  X(s_store, "DataWriter.StoreAsync", store(o->writer, op))                                       \
  X(s_writer_flush, "DataWriter.FlushAsync", netrt_data_writer_flush_async(o->writer, op))        \
  X(l_bind, "StreamSocketListener.BindServiceNameAsync",                                          \
    netrt_stream_socket_listener_bind_service_name_async(o->listener, "", op))                    \
  X(l_bind_level, "StreamSocketListener.BindServiceNameAsync(level)",                             \
    netrt_stream_socket_listener_bind_service_name_with_protection_level_async(                   \
        o->listener, "", NETRT_SOCKET_PROTECTION_LEVEL_TLS12, op))                                \
  X(l_bind_endpoint, "StreamSocketListener.BindEndpointAsync",                                    \
    netrt_stream_socket_listener_bind_endpoint_async(o->listener, o->host, "", op))               \
  X(l_cancel_io, "StreamSocketListener.CancelIOAsync", netrt_stream_socket_listener_cancel_io_async(o->listener, op)) \
  X(l_add, "StreamSocketListener.ConnectionReceived (add)", add_connection(o->listener))          \
  X(l_no_delay, "StreamSocketListenerControl.NoDelay",                                            \
    netrt_stream_socket_listener_control_set_no_delay(o->lcontrol, false))                        \
  X(l_keep_alive, "StreamSocketListenerControl.KeepAlive",                                        \
    netrt_stream_socket_listener_control_set_keep_alive(o->lcontrol, true))                       \
  X(l_outbound, "StreamSocketListenerControl.OutboundBufferSizeInBytes",                          \
    netrt_stream_socket_listener_control_set_outbound_buffer_size_in_bytes(o->lcontrol, 4096))   \
  X(l_qos, "StreamSocketListenerControl.QualityOfService",                                        \
    netrt_stream_socket_listener_control_set_quality_of_service(o->lcontrol,                      \
                                                                NETRT_SOCKET_QUALITY_OF_SERVICE_LOW_LATENCY)) \
  X(l_hops, "StreamSocketListenerControl.OutboundUnicastHopLimit",                                \
    netrt_stream_socket_listener_control_set_outbound_unicast_hop_limit(o->lcontrol, 64))         \
  X(l_server_cert, "StreamSocketListenerControl.ServerCertificate",                               \
    netrt_stream_socket_listener_control_set_server_certificate(o->lcontrol, o->cert))            \
  X(l_client_mode, "StreamSocketListenerControl.ClientCertificateMode",                           \
    netrt_stream_socket_listener_control_set_client_certificate_mode(o->lcontrol,                 \
                                                                     NETRT_CLIENT_CERTIFICATE_MODE_OPTIONAL)) \
  X(l_roots, "StreamSocketListenerControl.TrustedRootCertificates.Append",                        \
    netrt_vector_append_handle(o->lroots, o->cert))                                               \
  X(d_bind, "DatagramSocket.BindServiceNameAsync", netrt_datagram_socket_bind_service_name_async(o->dgram, "", op)) \
  X(d_bind_endpoint, "DatagramSocket.BindEndpointAsync",                                          \
    netrt_datagram_socket_bind_endpoint_async(o->dgram, o->host, "", op))                         \
  X(d_connect, "DatagramSocket.ConnectAsync", netrt_datagram_socket_connect_async(o->dgram, o->host, "9", op)) \
  X(d_connect_pair, "DatagramSocket.ConnectAsync(pair)",                                          \
    netrt_datagram_socket_connect_with_endpoint_pair_async(o->dgram, o->pair, op))                \
  X(d_get_output, "DatagramSocket.GetOutputStreamAsync",                                          \
    netrt_datagram_socket_get_output_stream_async(o->dgram, o->host, "9", op))                    \
  X(d_get_output_pair, "DatagramSocket.GetOutputStreamAsync(pair)",                               \
    netrt_datagram_socket_get_output_stream_with_endpoint_pair_async(o->dgram, o->pair, op))      \
  X(d_join, "DatagramSocket.JoinMulticastGroup", netrt_datagram_socket_join_multicast_group(o->dgram, o->group)) \
  X(d_cancel_io, "DatagramSocket.CancelIOAsync", netrt_datagram_socket_cancel_io_async(o->dgram, op)) \
  X(d_add, "DatagramSocket.MessageReceived (add)", add_message(o->dgram))                         \
  X(d_dont_fragment, "DatagramSocketControl.DontFragment",                                        \
    netrt_datagram_socket_control_set_dont_fragment(o->dcontrol, true))                           \
  X(d_inbound, "DatagramSocketControl.InboundBufferSizeInBytes",                                  \
    netrt_datagram_socket_control_set_inbound_buffer_size_in_bytes(o->dcontrol, 4096))            \
  X(d_multicast_only, "DatagramSocketControl.MulticastOnly",                                      \
    netrt_datagram_socket_control_set_multicast_only(o->dcontrol, true))                          \
  X(d_qos, "DatagramSocketControl.QualityOfService",                                              \
    netrt_datagram_socket_control_set_quality_of_service(o->dcontrol,                             \
                                                         NETRT_SOCKET_QUALITY_OF_SERVICE_LOW_LATENCY)) \
  X(d_hops, "DatagramSocketControl.OutboundUnicastHopLimit",                                      \
    netrt_datagram_socket_control_set_outbound_unicast_hop_limit(o->dcontrol, 64))                \
  X(d_write, "DatagramSocket.OutputStream.WriteAsync",                                            \
    netrt_output_stream_write_async(o->doutput, o->buffer, op))                                   \
  X(d_flush, "DatagramSocket.OutputStream.FlushAsync", netrt_output_stream_flush_async(o->doutput, op)) \
  WEB_SOCKET_CALLS(X, m, message_web_socket, "MessageWebSocket", mws, mcontrol)                    \
  WEB_SOCKET_CALLS(X, s, stream_web_socket, "StreamWebSocket", sws, scontrol)                      \
  X(m_type, "MessageWebSocketControl.MessageType",                                                \
    netrt_message_web_socket_control_set_message_type(o->mcontrol, NETRT_SOCKET_MESSAGE_TYPE_UTF8)) \
  X(m_max_size, "MessageWebSocketControl.MaxMessageSize",                                         \
    netrt_message_web_socket_control_set_max_message_size(o->mcontrol, 64))                       \
  X(m_receive_mode, "MessageWebSocketControl.ReceiveMode",                                        \
    netrt_message_web_socket_control_set_receive_mode(o->mcontrol, NETRT_MESSAGE_WEB_SOCKET_RECEIVE_MODE_PARTIAL_MESSAGE)) \
  X(m_protocols, "MessageWebSocketControl.SupportedProtocols.Append",                              \
    netrt_vector_append_string(o->mprotocols, "chat"))                                            \
  X(m_send_final, "MessageWebSocket.SendFinalFrameAsync",                                          \
    netrt_message_web_socket_send_final_frame_async(o->mws, o->buffer, op))                       \
  X(m_send_nonfinal, "MessageWebSocket.SendNonfinalFrameAsync",                                    \
    netrt_message_web_socket_send_nonfinal_frame_async(o->mws, o->buffer, op))                    \
  X(m_write, "MessageWebSocket.OutputStream.WriteAsync", netrt_output_stream_write_async(o->moutput, o->buffer, op)) \
  X(s_ws_no_delay, "StreamWebSocketControl.NoDelay", netrt_stream_web_socket_control_set_no_delay(o->scontrol, false)) \
  X(s_ws_write, "StreamWebSocket.OutputStream.WriteAsync", netrt_output_stream_write_async(o->soutput, o->buffer, op)) \
  X(s_ws_read, "StreamWebSocket.InputStream.ReadAsync",                                          \
    netrt_input_stream_read_async(o->sinput, o->buffer, 1, NETRT_INPUT_STREAM_OPTIONS_NONE, op))

static netrt_hresult store(netrt_handle writer, netrt_handle *op) {
  netrt_hresult hr = netrt_data_writer_write_byte(writer, 1);
  return hr == NETRT_S_OK ? netrt_data_writer_store_async(writer, op) : hr;
}

static netrt_hresult add_connection(netrt_handle listener) {
  int64_t token = 0;
  return netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token);
}

static netrt_hresult add_message(netrt_handle socket) {
  int64_t token = 0;
  return netrt_datagram_socket_add_message_received(socket, on_message, NULL, &token);
}

#define DEFINE_CALL(id, label, expr)                                \
  static netrt_hresult id(const objects *o, netrt_handle *op) {    \
    (void)o;                                                        \
    (void)op;                                                       \
    return (expr);                                                  \
  }
CALLS(DEFINE_CALL)
#define CALL_ROW(id, label, expr) {label, id},
static const call_row calls[] = {CALLS(CALL_ROW)};

/* ---- getters: each must succeed after close with the value it had before ---- */
#define TEXT 256
typedef netrt_hresult (*get_fn)(const objects *o, char *out);
typedef struct {
  const char *name;
  get_fn get;
} get_row;

/* A host name handle as its canonical name ("null" for 0), then released. */
static netrt_hresult host_text(netrt_hresult hr, netrt_handle host, char *out) {
  size_t needed = 0;
  if (hr != NETRT_S_OK) return hr;
  if (!host) {
    snprintf(out, TEXT, "null");
    return NETRT_S_OK;
  }
  hr = netrt_host_name_get_canonical_name(host, out, TEXT, &needed);
  (void)netrt_release(host);
  return hr;
}

/* A certificate handle as its subject ("null" for 0), then released. */
static netrt_hresult cert_text(netrt_hresult hr, netrt_handle cert, char *out) {
  size_t needed = 0;
  if (hr != NETRT_S_OK) return hr;
  if (!cert) {
    snprintf(out, TEXT, "null");
    return NETRT_S_OK;
  }
  hr = netrt_certificate_get_subject(cert, out, TEXT, &needed);
  (void)netrt_release(cert);
  return hr;
}

/* A vector handle as its size, then released. */
static netrt_hresult vector_text(netrt_hresult hr, netrt_handle vector, char *out) {
  uint32_t size = 0;
  if (hr != NETRT_S_OK) return hr;
  hr = netrt_vector_get_size(vector, &size);
  (void)netrt_release(vector);
  snprintf(out, TEXT, "%u", (unsigned)size);
  return hr;
}

#define GET_SCALAR(id, label, fn, obj, type, fmt, cast)          \
  static netrt_hresult id(const objects *o, char *out) {        \
    type v = 0;                                                 \
    netrt_hresult hr = fn(o->obj, &v);                          \
    snprintf(out, TEXT, fmt, (cast)v);                          \
    return hr;                                                  \
  }
#define GET_STRING(id, label, fn, obj)                           \
  static netrt_hresult id(const objects *o, char *out) {        \
    size_t needed = 0;                                          \
    return fn(o->obj, out, TEXT, &needed);                      \
  }
#define GET_HANDLE(id, label, fn, obj, text)                     \
  static netrt_hresult id(const objects *o, char *out) {        \
    netrt_handle h = 0;                                         \
    netrt_hresult hr = fn(o->obj, &h);                          \
    return text(hr, h, out);                                    \
  }

/* A PasswordCredential handle as its user name ("null" for 0), then released. */
static netrt_hresult credential_text(netrt_hresult hr, netrt_handle credential, char *out) {
  size_t needed = 0;
  if (hr != NETRT_S_OK) return hr;
  if (!credential) {
    snprintf(out, TEXT, "null");
    return NETRT_S_OK;
  }
  hr = netrt_password_credential_get_user_name(credential, out, TEXT, &needed);
  (void)netrt_release(credential);
  return hr;
}

/* The Control and Information getters MessageWebSocket and StreamWebSocket share. */
#define WEB_SOCKET_GETTERS(S, T, H, p, cls, label, control, info)                                   \
  H(gw##p##_server_cred, label "Control.ServerCredential", netrt_##cls##_control_get_server_credential, control, \
    credential_text)                                                                                \
  H(gw##p##_proxy_cred, label "Control.ProxyCredential", netrt_##cls##_control_get_proxy_credential, control, \
    credential_text)                                                                                \
  H(gw##p##_protocols, label "Control.SupportedProtocols", netrt_##cls##_control_get_supported_protocols, control, \
    vector_text)                                                                                    \
  S(gw##p##_outbound, label "Control.OutboundBufferSizeInBytes",                                      \
    netrt_##cls##_control_get_outbound_buffer_size_in_bytes, control, uint32_t, "%u", unsigned)      \
  H(gw##p##_client_cert, label "Control.ClientCertificate", netrt_##cls##_control_get_client_certificate, control, \
    cert_text)                                                                                      \
  H(gw##p##_ignorable, label "Control.IgnorableServerCertificateErrors",                              \
    netrt_##cls##_control_get_ignorable_server_certificate_errors, control, vector_text)             \
  H(gw##p##_roots, label "Control.TrustedRootCertificates",                                           \
    netrt_##cls##_control_get_trusted_root_certificates, control, vector_text)                       \
  S(gw##p##_pong, label "Control.DesiredUnsolicitedPongInterval",                                     \
    netrt_##cls##_control_get_desired_unsolicited_pong_interval, control, int64_t, "%lld", long long) \
  S(gw##p##_actual_pong, label "Control.ActualUnsolicitedPongInterval",                               \
    netrt_##cls##_control_get_actual_unsolicited_pong_interval, control, int64_t, "%lld", long long) \
  S(gw##p##_handshake, label "Control.HandshakeTimeout", netrt_##cls##_control_get_handshake_timeout, control, \
    int64_t, "%lld", long long)                                                                     \
  H(gw##p##_local, label "Information.LocalAddress", netrt_##cls##_information_get_local_address, info, host_text) \
  T(gw##p##_proxy, label "Control.Proxy", netrt_##cls##_control_get_proxy, control)                  \
  T(gw##p##_protocol, label "Information.Protocol", netrt_##cls##_information_get_protocol, info)     \
  H(gw##p##_server_cert, label "Information.ServerCertificate",                                       \
    netrt_##cls##_information_get_server_certificate, info, cert_text)                               \
  H(gw##p##_errors, label "Information.ServerCertificateErrors",                                       \
    netrt_##cls##_information_get_server_certificate_errors, info, vector_text)                      \
  H(gw##p##_intermediates, label "Information.ServerIntermediateCertificates",                         \
    netrt_##cls##_information_get_server_intermediate_certificates, info, vector_text)               \
  S(gw##p##_severity, label "Information.ServerCertificateErrorSeverity",                             \
    netrt_##cls##_information_get_server_certificate_error_severity, info, netrt_socket_ssl_error_severity, "%d", int)

#define GETTERS(S, T, H)                                                                              \
  S(gs_no_delay, "StreamSocketControl.NoDelay", netrt_stream_socket_control_get_no_delay, control, bool, "%d", int) \
  S(gs_keep_alive, "StreamSocketControl.KeepAlive", netrt_stream_socket_control_get_keep_alive, control, bool, "%d", int) \
  S(gs_outbound, "StreamSocketControl.OutboundBufferSizeInBytes",                                    \
    netrt_stream_socket_control_get_outbound_buffer_size_in_bytes, control, uint32_t, "%u", unsigned) \
  S(gs_qos, "StreamSocketControl.QualityOfService", netrt_stream_socket_control_get_quality_of_service, control, \
    netrt_socket_quality_of_service, "%d", int)                                                      \
  S(gs_hops, "StreamSocketControl.OutboundUnicastHopLimit",                                          \
    netrt_stream_socket_control_get_outbound_unicast_hop_limit, control, uint8_t, "%u", unsigned)    \
  S(gs_serialize, "StreamSocketControl.SerializeConnectionAttempts",                                 \
    netrt_stream_socket_control_get_serialize_connection_attempts, control, bool, "%d", int)        \
  S(gs_connect_timeout, "StreamSocketControl.ConnectTimeout", netrt_stream_socket_control_get_connect_timeout, \
    control, int64_t, "%lld", long long)                                                             \
  S(gs_tls_timeout, "StreamSocketControl.TlsHandshakeTimeout",                                       \
    netrt_stream_socket_control_get_tls_handshake_timeout, control, int64_t, "%lld", long long)     \
  S(gs_min_level, "StreamSocketControl.MinProtectionLevel", netrt_stream_socket_control_get_min_protection_level, \
    control, netrt_socket_protection_level, "%d", int)                                               \
  H(gs_client_cert, "StreamSocketControl.ClientCertificate", netrt_stream_socket_control_get_client_certificate, \
    control, cert_text)                                                                              \
  H(gs_ignorable, "StreamSocketControl.IgnorableServerCertificateErrors",                            \
    netrt_stream_socket_control_get_ignorable_server_certificate_errors, control, vector_text)      \
  H(gs_roots, "StreamSocketControl.TrustedRootCertificates",                                         \
    netrt_stream_socket_control_get_trusted_root_certificates, control, vector_text)                \
  H(gs_alpn, "StreamSocketControl.ApplicationProtocols", netrt_stream_socket_control_get_application_protocols, \
    control, vector_text)                                                                            \
  H(gs_crls, "StreamSocketControl.CertificateRevocationLists",                                       \
    netrt_stream_socket_control_get_certificate_revocation_lists, control, vector_text)             \
  H(gi_local_address, "StreamSocketInformation.LocalAddress", netrt_stream_socket_information_get_local_address, \
    info, host_text)                                                                                 \
  T(gi_local_port, "StreamSocketInformation.LocalPort", netrt_stream_socket_information_get_local_port, info) \
  H(gi_remote_address, "StreamSocketInformation.RemoteAddress",                                      \
    netrt_stream_socket_information_get_remote_address, info, host_text)                            \
  T(gi_remote_port, "StreamSocketInformation.RemotePort", netrt_stream_socket_information_get_remote_port, info) \
  H(gi_remote_host, "StreamSocketInformation.RemoteHostName",                                        \
    netrt_stream_socket_information_get_remote_host_name, info, host_text)                          \
  T(gi_remote_service, "StreamSocketInformation.RemoteServiceName",                                  \
    netrt_stream_socket_information_get_remote_service_name, info)                                  \
  S(gi_level, "StreamSocketInformation.ProtectionLevel", netrt_stream_socket_information_get_protection_level, \
    info, netrt_socket_protection_level, "%d", int)                                                  \
  H(gi_server_cert, "StreamSocketInformation.ServerCertificate",                                     \
    netrt_stream_socket_information_get_server_certificate, info, cert_text)                        \
  H(gi_intermediates, "StreamSocketInformation.ServerIntermediateCertificates",                      \
    netrt_stream_socket_information_get_server_intermediate_certificates, info, vector_text)        \
  H(gi_errors, "StreamSocketInformation.ServerCertificateErrors",                                    \
    netrt_stream_socket_information_get_server_certificate_errors, info, vector_text)               \
  S(gi_severity, "StreamSocketInformation.ServerCertificateErrorSeverity",                           \
    netrt_stream_socket_information_get_server_certificate_error_severity, info,                    \
    netrt_socket_ssl_error_severity, "%d", int)                                                      \
  S(gi_tls_version, "StreamSocketInformation.NegotiatedTlsVersion",                                  \
    netrt_stream_socket_information_get_negotiated_tls_version, info, uint16_t, "%u", unsigned)     \
  T(gi_cipher, "StreamSocketInformation.CipherSuite", netrt_stream_socket_information_get_cipher_suite, info) \
  T(gi_alpn, "StreamSocketInformation.ApplicationProtocol",                                          \
    netrt_stream_socket_information_get_application_protocol, info)                                 \
  T(gi_server_name, "StreamSocketInformation.ServerName", netrt_stream_socket_information_get_server_name, info) \
  H(gi_client_cert, "StreamSocketInformation.ClientCertificate",                                     \
    netrt_stream_socket_information_get_client_certificate, info, cert_text)                        \
  S(gl_no_delay, "StreamSocketListenerControl.NoDelay", netrt_stream_socket_listener_control_get_no_delay, \
    lcontrol, bool, "%d", int)                                                                       \
  S(gl_keep_alive, "StreamSocketListenerControl.KeepAlive", netrt_stream_socket_listener_control_get_keep_alive, \
    lcontrol, bool, "%d", int)                                                                       \
  S(gl_outbound, "StreamSocketListenerControl.OutboundBufferSizeInBytes",                            \
    netrt_stream_socket_listener_control_get_outbound_buffer_size_in_bytes, lcontrol, uint32_t, "%u", unsigned) \
  S(gl_qos, "StreamSocketListenerControl.QualityOfService",                                          \
    netrt_stream_socket_listener_control_get_quality_of_service, lcontrol, netrt_socket_quality_of_service, "%d", int) \
  S(gl_hops, "StreamSocketListenerControl.OutboundUnicastHopLimit",                                  \
    netrt_stream_socket_listener_control_get_outbound_unicast_hop_limit, lcontrol, uint8_t, "%u", unsigned) \
  H(gl_server_cert, "StreamSocketListenerControl.ServerCertificate",                                 \
    netrt_stream_socket_listener_control_get_server_certificate, lcontrol, cert_text)               \
  S(gl_client_mode, "StreamSocketListenerControl.ClientCertificateMode",                             \
    netrt_stream_socket_listener_control_get_client_certificate_mode, lcontrol, netrt_client_certificate_mode, "%d", int) \
  H(gl_roots, "StreamSocketListenerControl.TrustedRootCertificates",                                 \
    netrt_stream_socket_listener_control_get_trusted_root_certificates, lcontrol, vector_text)      \
  T(gl_port, "StreamSocketListenerInformation.LocalPort", netrt_stream_socket_listener_information_get_local_port, linfo) \
  S(gd_dont_fragment, "DatagramSocketControl.DontFragment", netrt_datagram_socket_control_get_dont_fragment, \
    dcontrol, bool, "%d", int)                                                                       \
  S(gd_inbound, "DatagramSocketControl.InboundBufferSizeInBytes",                                    \
    netrt_datagram_socket_control_get_inbound_buffer_size_in_bytes, dcontrol, uint32_t, "%u", unsigned) \
  S(gd_multicast_only, "DatagramSocketControl.MulticastOnly", netrt_datagram_socket_control_get_multicast_only, \
    dcontrol, bool, "%d", int)                                                                       \
  S(gd_qos, "DatagramSocketControl.QualityOfService", netrt_datagram_socket_control_get_quality_of_service, \
    dcontrol, netrt_socket_quality_of_service, "%d", int)                                            \
  S(gd_hops, "DatagramSocketControl.OutboundUnicastHopLimit",                                        \
    netrt_datagram_socket_control_get_outbound_unicast_hop_limit, dcontrol, uint8_t, "%u", unsigned) \
  H(gd_local_address, "DatagramSocketInformation.LocalAddress",                                      \
    netrt_datagram_socket_information_get_local_address, dinfo, host_text)                          \
  T(gd_local_port, "DatagramSocketInformation.LocalPort", netrt_datagram_socket_information_get_local_port, dinfo) \
  H(gd_remote_address, "DatagramSocketInformation.RemoteAddress",                                    \
    netrt_datagram_socket_information_get_remote_address, dinfo, host_text)                         \
  T(gd_remote_port, "DatagramSocketInformation.RemotePort", netrt_datagram_socket_information_get_remote_port, dinfo) \
  WEB_SOCKET_GETTERS(S, T, H, m, message_web_socket, "MessageWebSocket", mcontrol, minfo)            \
  WEB_SOCKET_GETTERS(S, T, H, s, stream_web_socket, "StreamWebSocket", scontrol, sinfo)              \
  S(gm_type, "MessageWebSocketControl.MessageType", netrt_message_web_socket_control_get_message_type, mcontrol, \
    netrt_socket_message_type, "%d", int)                                                            \
  S(gm_max_size, "MessageWebSocketControl.MaxMessageSize", netrt_message_web_socket_control_get_max_message_size, \
    mcontrol, uint32_t, "%u", unsigned)                                                              \
  S(gm_receive_mode, "MessageWebSocketControl.ReceiveMode", netrt_message_web_socket_control_get_receive_mode, \
    mcontrol, netrt_message_web_socket_receive_mode, "%d", int)                                      \
  S(gw_no_delay, "StreamWebSocketControl.NoDelay", netrt_stream_web_socket_control_get_no_delay, scontrol, \
    bool, "%d", int)

GETTERS(GET_SCALAR, GET_STRING, GET_HANDLE)
#define ROW_S(id, label, fn, obj, type, fmt, cast) {label, id},
#define ROW_T(id, label, fn, obj) {label, id},
#define ROW_H(id, label, fn, obj, text) {label, id},
static const get_row getters[] = {GETTERS(ROW_S, ROW_T, ROW_H)};
#define N_GETTERS (sizeof getters / sizeof getters[0])

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int main(void) {
  int rc = 1, wrong = 0;
  objects o;
  static char before[N_GETTERS][TEXT], after[N_GETTERS][TEXT];
  netrt_handle op = 0, accepted = 0, loopback = 0;
  netrt_round_trip_time_statistics rtt;
  netrt_bandwidth_statistics bw;
  char port[16];
  int64_t token = 0;
  const char *pki = test_pki();

  memset(&o, 0, sizeof o);
  CHECK(pki != NULL);
  CHECK_OK(load_cert(pki, "leaf", 1, &o.cert));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &o.host));
  CHECK_OK(netrt_host_name_create("239.255.0.1", &o.group));
  CHECK_OK(netrt_endpoint_pair_create(0, "", o.host, "9", &o.pair));
  CHECK_OK(netrt_buffer_create(16, &o.buffer));
  CHECK_OK(netrt_buffer_set_length(o.buffer, 1));

  /* A listener on loopback, a client connected to it, a connected datagram socket. */
  CHECK_OK(netrt_stream_socket_listener_create(&o.listener));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(o.listener, on_connection, NULL, &token));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(o.listener, o.host, "", &op), op);
  CHECK_OK(listener_port(o.listener, port, sizeof port));
  CHECK_OK(netrt_stream_socket_listener_get_control(o.listener, &o.lcontrol));
  CHECK_OK(netrt_stream_socket_listener_get_information(o.listener, &o.linfo));
  CHECK_OK(netrt_stream_socket_listener_control_get_trusted_root_certificates(o.lcontrol, &o.lroots));

  CHECK_OK(netrt_stream_socket_create(&o.socket));
  CHECK_OK(netrt_stream_socket_get_control(o.socket, &o.control));
  CHECK_OK(netrt_stream_socket_control_set_keep_alive(o.control, true));
  AWAIT_OK(netrt_stream_socket_connect_async(o.socket, o.host, port, &op), op);
  for (int i = 0; i < 1000 && atomic_load(&g_accepted) == 0; i++) sleep_ms(10);
  CHECK(atomic_load(&g_accepted) != 0);
  CHECK_OK(netrt_stream_socket_get_information(o.socket, &o.info));
  CHECK_OK(netrt_stream_socket_get_input_stream(o.socket, &o.input));
  CHECK_OK(netrt_stream_socket_get_output_stream(o.socket, &o.output));
  CHECK_OK(netrt_data_reader_create_with_stream(o.input, &o.reader));
  CHECK_OK(netrt_data_writer_create_with_stream(o.output, &o.writer));
  CHECK_OK(netrt_stream_socket_control_get_ignorable_server_certificate_errors(o.control, &o.ignorable));
  CHECK_OK(netrt_stream_socket_control_get_trusted_root_certificates(o.control, &o.roots));
  CHECK_OK(netrt_stream_socket_control_get_application_protocols(o.control, &o.alpn));
  CHECK_OK(netrt_stream_socket_control_get_certificate_revocation_lists(o.control, &o.crls));

  CHECK_OK(netrt_datagram_socket_create(&o.dgram));
  CHECK_OK(netrt_datagram_socket_get_control(o.dgram, &o.dcontrol));
  CHECK_OK(netrt_datagram_socket_control_set_outbound_unicast_hop_limit(o.dcontrol, 7));
  AWAIT_OK(netrt_datagram_socket_connect_async(o.dgram, o.host, "9", &op), op);
  CHECK_OK(netrt_datagram_socket_get_information(o.dgram, &o.dinfo));
  CHECK_OK(netrt_datagram_socket_get_output_stream(o.dgram, &o.doutput));

  /* The WebSockets are closed unconnected (connected ones are test_web_socket's), with a
   * credential and a subprotocol set so the getters have values to keep. */
  CHECK_OK(netrt_uri_create("ws://127.0.0.1:9/", &o.uri));
  CHECK_OK(netrt_password_credential_create_password_credential("", "user", "pw", &o.credential));
  CHECK_OK(netrt_message_web_socket_create(&o.mws));
  CHECK_OK(netrt_message_web_socket_get_control(o.mws, &o.mcontrol));
  CHECK_OK(netrt_message_web_socket_get_information(o.mws, &o.minfo));
  CHECK_OK(netrt_message_web_socket_get_output_stream(o.mws, &o.moutput));
  CHECK_OK(netrt_message_web_socket_control_get_supported_protocols(o.mcontrol, &o.mprotocols));
  CHECK_OK(netrt_vector_append_string(o.mprotocols, "echo"));
  CHECK_OK(netrt_message_web_socket_control_set_server_credential(o.mcontrol, o.credential));
  CHECK_OK(netrt_message_web_socket_control_set_max_message_size(o.mcontrol, 1000));
  CHECK_OK(netrt_stream_web_socket_create(&o.sws));
  CHECK_OK(netrt_stream_web_socket_get_control(o.sws, &o.scontrol));
  CHECK_OK(netrt_stream_web_socket_get_information(o.sws, &o.sinfo));
  CHECK_OK(netrt_stream_web_socket_get_input_stream(o.sws, &o.sinput));
  CHECK_OK(netrt_stream_web_socket_get_output_stream(o.sws, &o.soutput));
  CHECK_OK(netrt_stream_web_socket_control_set_proxy_credential(o.scontrol, o.credential));
  CHECK_OK(netrt_stream_web_socket_control_set_no_delay(o.scontrol, false));

  for (size_t i = 0; i < N_GETTERS; i++) {
    CHECK_OK(getters[i].get(&o, before[i]));
  }
  CHECK(strcmp(before[15], "") != 0); /* LocalPort: connected */

  /* Close each object (twice: idempotent). */
  CHECK_OK(netrt_close(o.socket));
  CHECK_OK(netrt_close(o.socket));
  CHECK_OK(netrt_close(o.listener));
  CHECK_OK(netrt_close(o.listener));
  CHECK_OK(netrt_close(o.dgram));
  CHECK_OK(netrt_close(o.dgram));
  CHECK_OK(netrt_close(o.mws));
  CHECK_OK(netrt_close(o.mws));
  CHECK_OK(netrt_close(o.sws));
  CHECK_OK(netrt_stream_web_socket_close_with_status(o.sws, 1000, "again"));
  CHECK_OK(netrt_message_web_socket_remove_closed(o.mws, 12345));
  /* Removing a handler stays harmless. */
  CHECK_OK(netrt_stream_socket_listener_remove_connection_received(o.listener, token));
  CHECK_OK(netrt_datagram_socket_remove_message_received(o.dgram, 12345));

  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    netrt_handle call_op = 0;
    netrt_hresult hr = calls[i].call(&o, &call_op);
    g_checks++;
    if (hr != NETRT_RO_E_CLOSED) {
      fprintf(stderr, "FAIL %s after close -> 0x%08X, expected RO_E_CLOSED\n", calls[i].name, (unsigned)hr);
      wrong++;
    }
    if (call_op) {
      fprintf(stderr, "FAIL %s after close created an operation\n", calls[i].name);
      RELEASE(call_op);
      wrong++;
    }
  }
  for (size_t i = 0; i < N_GETTERS; i++) {
    netrt_hresult hr = getters[i].get(&o, after[i]);
    g_checks++;
    if (hr != NETRT_S_OK) {
      fprintf(stderr, "FAIL %s after close -> 0x%08X, expected S_OK\n", getters[i].name, (unsigned)hr);
      wrong++;
    } else if (strcmp(before[i], after[i]) != 0) {
      fprintf(stderr, "FAIL %s after close: '%s', before: '%s'\n", getters[i].name, after[i], before[i]);
      wrong++;
    }
  }
  CHECK(wrong == 0);
  /* The statistics answer with the values sampled at close. */
  CHECK_OK(netrt_stream_socket_information_get_round_trip_time_statistics(o.info, &rtt));
  CHECK_OK(netrt_stream_socket_information_get_bandwidth_statistics(o.info, &bw));
  /* The object getters still work (they give the object's Control/Information/streams). */
  CHECK_OK(netrt_stream_socket_get_control(o.socket, &loopback));
  RELEASE(loopback);
  CHECK_OK(netrt_datagram_socket_get_information(o.dgram, &loopback));
  RELEASE(loopback);

  printf("test_closed_objects: %d checks passed\n", g_checks);
  rc = 0;
cleanup:
  accepted = atomic_exchange(&g_accepted, 0);
  RELEASE(accepted);
  RELEASE(op);
  RELEASE(loopback);
  RELEASE(o.soutput);
  RELEASE(o.sinput);
  RELEASE(o.sinfo);
  RELEASE(o.scontrol);
  RELEASE(o.sws);
  RELEASE(o.mprotocols);
  RELEASE(o.moutput);
  RELEASE(o.minfo);
  RELEASE(o.mcontrol);
  RELEASE(o.mws);
  RELEASE(o.credential);
  RELEASE(o.uri);
  RELEASE(o.doutput);
  RELEASE(o.dinfo);
  RELEASE(o.dcontrol);
  RELEASE(o.dgram);
  RELEASE(o.crls);
  RELEASE(o.alpn);
  RELEASE(o.roots);
  RELEASE(o.ignorable);
  RELEASE(o.writer);
  RELEASE(o.reader);
  RELEASE(o.output);
  RELEASE(o.input);
  RELEASE(o.info);
  RELEASE(o.control);
  RELEASE(o.socket);
  RELEASE(o.lroots);
  RELEASE(o.linfo);
  RELEASE(o.lcontrol);
  RELEASE(o.listener);
  RELEASE(o.buffer);
  RELEASE(o.pair);
  RELEASE(o.group);
  RELEASE(o.host);
  RELEASE(o.cert);
  return rc;
}
