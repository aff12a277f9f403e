// netrt C++ projection: the web layer — Windows.Foundation.Uri (and WwwFormUrlDecoder,
// Deferral), Windows.Security.Credentials.PasswordCredential and the WebSockets of
// Windows.Networking.Sockets. Included by <netrt.hpp>; not for direct use.
#ifndef NETRT_IMPL_WEB_HPP
#define NETRT_IMPL_WEB_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt {

namespace Windows::Foundation {

// `WwwFormUrlDecoderEntry`: one decoded `name=value` pair.
class WwwFormUrlDecoderEntry : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(WwwFormUrlDecoderEntry)
  hstring Name() const { return get_string(netrt_www_form_url_decoder_entry_get_name); }
  hstring Value() const { return get_string(netrt_www_form_url_decoder_entry_get_value); }
};

// `WwwFormUrlDecoder`: the pairs of a query, in order (range-for iterates them).
class WwwFormUrlDecoder : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(WwwFormUrlDecoder)
  explicit WwwFormUrlDecoder(::netrt::impl::str_in query)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_www_form_url_decoder_create, query.c_str())) {}
  uint32_t Size() const { return get_value<uint32_t>(netrt_www_form_url_decoder_get_size); }
  WwwFormUrlDecoderEntry GetAt(uint32_t index) const { return get_object<WwwFormUrlDecoderEntry>(netrt_www_form_url_decoder_get_at, index); }
  hstring GetFirstValueByName(::netrt::impl::str_in name) const {
    return get_string(netrt_www_form_url_decoder_get_first_value_by_name, name.c_str());
  }
  bool IndexOf(WwwFormUrlDecoderEntry const& value, uint32_t& index) const {
    bool found = false;
    check_hresult(netrt_www_form_url_decoder_index_of(handle(), value.handle(), &found, &index));
    return found;
  }
  ::netrt::impl::vector_iterator<WwwFormUrlDecoder, WwwFormUrlDecoderEntry> begin() const { return {this, 0}; }
  ::netrt::impl::vector_iterator<WwwFormUrlDecoder, WwwFormUrlDecoderEntry> end() const { return {this, Size()}; }
};

// `Uri`: an absolute URI, parsed and canonicalised (docs/web.md). Invalid strings throw
// hresult_invalid_argument naming the problem.
class Uri : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(Uri)
  explicit Uri(::netrt::impl::str_in uri) : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_uri_create, uri.c_str())) {}
  Uri(::netrt::impl::str_in baseUri, ::netrt::impl::str_in relativeUri)
      : object(take_ownership_from_abi,
               ::netrt::impl::make_handle(netrt_uri_create_with_relative_uri, baseUri.c_str(), relativeUri.c_str())) {}

  hstring AbsoluteUri() const { return get_string(netrt_uri_get_absolute_uri); }
  hstring AbsoluteCanonicalUri() const { return get_string(netrt_uri_get_absolute_canonical_uri); }
  hstring DisplayUri() const { return get_string(netrt_uri_get_display_uri); }
  hstring DisplayIri() const { return get_string(netrt_uri_get_display_iri); }
  hstring Domain() const { return get_string(netrt_uri_get_domain); }
  hstring Extension() const { return get_string(netrt_uri_get_extension); }
  hstring Fragment() const { return get_string(netrt_uri_get_fragment); }
  hstring Host() const { return get_string(netrt_uri_get_host); }
  hstring Password() const { return get_string(netrt_uri_get_password); }
  hstring Path() const { return get_string(netrt_uri_get_path); }
  hstring Query() const { return get_string(netrt_uri_get_query); }
  hstring RawUri() const { return get_string(netrt_uri_get_raw_uri); }
  hstring SchemeName() const { return get_string(netrt_uri_get_scheme_name); }
  hstring UserName() const { return get_string(netrt_uri_get_user_name); }
  int32_t Port() const { return get_value<int32_t>(netrt_uri_get_port); }
  bool Suspicious() const { return get_value<bool>(netrt_uri_get_suspicious); }
  WwwFormUrlDecoder QueryParsed() const { return get_object<WwwFormUrlDecoder>(netrt_uri_get_query_parsed); }
  Uri CombineUri(::netrt::impl::str_in relativeUri) const { return get_object<Uri>(netrt_uri_combine_uri, relativeUri.c_str()); }
  bool Equals(Uri const& pUri) const { return get_value<bool>(netrt_uri_equals, pUri.handle()); }
  hstring ToString() const { return get_string(netrt_uri_to_string); }

  static hstring EscapeComponent(::netrt::impl::str_in toEscape) { return static_string(netrt_uri_escape_component, toEscape); }
  static hstring UnescapeComponent(::netrt::impl::str_in toUnescape) { return static_string(netrt_uri_unescape_component, toUnescape); }

 private:
  template <class F>
  static hstring static_string(F f, ::netrt::impl::str_in const& in) {
    int32_t hr = 0;
    std::string s = ::netrt::impl::read_utf8([&](char* b, std::size_t l, std::size_t* n) { return f(in.c_str(), b, l, n); }, hr);
    check_hresult(hr);
    return hstring(std::string_view(s));
  }
};

// `Deferral` (from ServerCustomValidationRequested): the connect waits until Complete() is
// called or the last reference goes.
class Deferral : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(Deferral)
  void Complete() const { call(netrt_deferral_complete); }
};

}  // namespace Windows::Foundation

namespace Windows::Security::Credentials {

// `PasswordCredential`: shared by reference — a change after it was given to a WebSocket
// control is what the control sends.
class PasswordCredential : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(PasswordCredential)
  PasswordCredential() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_password_credential_create)) {}
  PasswordCredential(::netrt::impl::str_in resource, ::netrt::impl::str_in userName, ::netrt::impl::str_in password)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_password_credential_create_password_credential, resource.c_str(),
                                                                   userName.c_str(), password.c_str())) {}
  hstring Resource() const { return get_string(netrt_password_credential_get_resource); }
  void Resource(::netrt::impl::str_in value) const { call(netrt_password_credential_set_resource, value.c_str()); }
  hstring UserName() const { return get_string(netrt_password_credential_get_user_name); }
  void UserName(::netrt::impl::str_in value) const { call(netrt_password_credential_set_user_name, value.c_str()); }
  hstring Password() const { return get_string(netrt_password_credential_get_password); }
  void Password(::netrt::impl::str_in value) const { call(netrt_password_credential_set_password, value.c_str()); }
  void RetrievePassword() const { call(netrt_password_credential_retrieve_password); }
};

}  // namespace Windows::Security::Credentials

namespace Windows::Networking::Sockets {

using ::netrt::Windows::Foundation::Deferral;
using ::netrt::Windows::Foundation::Uri;
using ::netrt::Windows::Security::Credentials::PasswordCredential;
using ::netrt::Windows::Storage::Streams::DataReader;

// `MessageWebSocketMessageReceivedEventArgs`: a message, or the failure that ended the
// connection (then GetDataReader and GetDataStream throw it).
class MessageWebSocketMessageReceivedEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(MessageWebSocketMessageReceivedEventArgs)
  SocketMessageType MessageType() const {
    return static_cast<SocketMessageType>(get_value<netrt_socket_message_type>(netrt_message_web_socket_message_received_event_args_get_message_type));
  }
  bool IsMessageComplete() const { return get_value<bool>(netrt_message_web_socket_message_received_event_args_get_is_message_complete); }
  DataReader GetDataReader() const { return get_object<DataReader>(netrt_message_web_socket_message_received_event_args_get_data_reader); }
  IInputStream GetDataStream() const { return get_object<IInputStream>(netrt_message_web_socket_message_received_event_args_get_data_stream); }
};

// `WebSocketClosedEventArgs`: the close frame that arrived.
class WebSocketClosedEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(WebSocketClosedEventArgs)
  uint16_t Code() const { return get_value<uint16_t>(netrt_web_socket_closed_event_args_get_code); }
  hstring Reason() const { return get_string(netrt_web_socket_closed_event_args_get_reason); }
};

// `WebSocketServerCustomValidationRequestedEventArgs` (wss://): Reject() fails the connect.
class WebSocketServerCustomValidationRequestedEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(WebSocketServerCustomValidationRequestedEventArgs)
  void Reject() const { call(netrt_web_socket_server_custom_validation_requested_event_args_reject); }
  Deferral GetDeferral() const { return get_object<Deferral>(netrt_web_socket_server_custom_validation_requested_event_args_get_deferral); }
  Certificate ServerCertificate() const {
    return get_object<Certificate>(netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate);
  }
  IVectorView<ChainValidationResult> ServerCertificateErrors() const {
    return get_object<IVectorView<ChainValidationResult>>(netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate_errors);
  }
  SocketSslErrorSeverity ServerCertificateErrorSeverity() const {
    return static_cast<SocketSslErrorSeverity>(get_value<netrt_socket_ssl_error_severity>(
        netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate_error_severity));
  }
  IVectorView<Certificate> ServerIntermediateCertificates() const {
    return get_object<IVectorView<Certificate>>(
        netrt_web_socket_server_custom_validation_requested_event_args_get_server_intermediate_certificates);
  }
};

}  // namespace Windows::Networking::Sockets

namespace impl {

// The C functions of one WebSocket class. MessageWebSocket and StreamWebSocket share most of
// their members (IWebSocket, IWebSocketControl, IWebSocketInformation); the C ABI spells them
// once per class, and these tables let one C++ template project both.
#define NETRT_IMPL_WEB_SOCKET_ABI(name, cls)                                                          \
  struct name {                                                                                       \
    static constexpr auto create = netrt_##cls##_create;                                              \
    static constexpr auto connect_async = netrt_##cls##_connect_async;                                \
    static constexpr auto set_request_header = netrt_##cls##_set_request_header;                      \
    static constexpr auto close_with_status = netrt_##cls##_close_with_status;                        \
    static constexpr auto get_control = netrt_##cls##_get_control;                                    \
    static constexpr auto get_information = netrt_##cls##_get_information;                            \
    static constexpr auto get_output_stream = netrt_##cls##_get_output_stream;                        \
    static constexpr auto add_closed = netrt_##cls##_add_closed;                                      \
    static constexpr auto remove_closed = netrt_##cls##_remove_closed;                                \
    static constexpr auto add_validation = netrt_##cls##_add_server_custom_validation_requested;      \
    static constexpr auto remove_validation = netrt_##cls##_remove_server_custom_validation_requested; \
    static constexpr auto get_server_credential = netrt_##cls##_control_get_server_credential;        \
    static constexpr auto set_server_credential = netrt_##cls##_control_set_server_credential;        \
    static constexpr auto get_proxy_credential = netrt_##cls##_control_get_proxy_credential;          \
    static constexpr auto set_proxy_credential = netrt_##cls##_control_set_proxy_credential;          \
    static constexpr auto get_proxy = netrt_##cls##_control_get_proxy;                                \
    static constexpr auto set_proxy = netrt_##cls##_control_set_proxy;                                \
    static constexpr auto get_supported_protocols = netrt_##cls##_control_get_supported_protocols;    \
    static constexpr auto get_outbound = netrt_##cls##_control_get_outbound_buffer_size_in_bytes;     \
    static constexpr auto set_outbound = netrt_##cls##_control_set_outbound_buffer_size_in_bytes;     \
    static constexpr auto get_client_certificate = netrt_##cls##_control_get_client_certificate;      \
    static constexpr auto set_client_certificate = netrt_##cls##_control_set_client_certificate;      \
    static constexpr auto get_ignorable = netrt_##cls##_control_get_ignorable_server_certificate_errors; \
    static constexpr auto get_trusted_roots = netrt_##cls##_control_get_trusted_root_certificates;    \
    static constexpr auto get_desired_pong = netrt_##cls##_control_get_desired_unsolicited_pong_interval; \
    static constexpr auto set_desired_pong = netrt_##cls##_control_set_desired_unsolicited_pong_interval; \
    static constexpr auto get_actual_pong = netrt_##cls##_control_get_actual_unsolicited_pong_interval; \
    static constexpr auto get_handshake_timeout = netrt_##cls##_control_get_handshake_timeout;        \
    static constexpr auto set_handshake_timeout = netrt_##cls##_control_set_handshake_timeout;        \
    static constexpr auto get_local_address = netrt_##cls##_information_get_local_address;            \
    static constexpr auto get_protocol = netrt_##cls##_information_get_protocol;                      \
    static constexpr auto get_bandwidth = netrt_##cls##_information_get_bandwidth_statistics;         \
    static constexpr auto get_server_certificate = netrt_##cls##_information_get_server_certificate;  \
    static constexpr auto get_server_errors = netrt_##cls##_information_get_server_certificate_errors; \
    static constexpr auto get_server_severity = netrt_##cls##_information_get_server_certificate_error_severity; \
    static constexpr auto get_intermediates = netrt_##cls##_information_get_server_intermediate_certificates; \
  };
NETRT_IMPL_WEB_SOCKET_ABI(message_web_socket_abi, message_web_socket)
NETRT_IMPL_WEB_SOCKET_ABI(stream_web_socket_abi, stream_web_socket)
#undef NETRT_IMPL_WEB_SOCKET_ABI

using ::netrt::Windows::Foundation::TimeSpan;
using ::netrt::Windows::Foundation::Collections::IVector;
using ::netrt::Windows::Foundation::Collections::IVectorView;
using ::netrt::Windows::Security::Credentials::PasswordCredential;
using ::netrt::Windows::Security::Cryptography::Certificates::Certificate;
using ::netrt::Windows::Security::Cryptography::Certificates::ChainValidationResult;

// IWebSocketControl, IWebSocketControl2 and netrt's extensions, for either class.
template <class Abi>
class web_socket_control : public object {
 public:
  web_socket_control(std::nullptr_t) noexcept {}
  web_socket_control(take_ownership_from_abi_t, netrt_handle h) noexcept : object(take_ownership_from_abi, h) {}

  // Empty (nullptr) when none is set.
  PasswordCredential ServerCredential() const { return get_object<PasswordCredential>(Abi::get_server_credential); }
  void ServerCredential(PasswordCredential const& value) const { call(Abi::set_server_credential, value.handle()); }
  PasswordCredential ProxyCredential() const { return get_object<PasswordCredential>(Abi::get_proxy_credential); }
  void ProxyCredential(PasswordCredential const& value) const { call(Abi::set_proxy_credential, value.handle()); }
  // netrt extension: nullptr uses the environment's proxy variables, "" connects directly,
  // otherwise an explicit http:// proxy URL. The getter gives no value for the environment,
  // L"" for direct, else the proxy as http://host:port.
  std::optional<hstring> Proxy() const {
    std::size_t needed = 0;
    int32_t hr = 0;
    std::string text = read_utf8(
        [&](char* b, std::size_t l, std::size_t* n) {
          int32_t r = Abi::get_proxy(handle(), b, l, n);
          needed = *n;
          return r;
        },
        hr);
    check_hresult(hr);
    if (needed == 0) return std::nullopt;
    return hstring(std::string_view(text));
  }
  void Proxy(::netrt::impl::str_in value) const { call(Abi::set_proxy, value.c_str()); }
  void Proxy(std::nullptr_t) const { call(Abi::set_proxy, static_cast<char const*>(nullptr)); }
  IVector<hstring> SupportedProtocols() const { return get_object<IVector<hstring>>(Abi::get_supported_protocols); }
  uint32_t OutboundBufferSizeInBytes() const { return get_value<uint32_t>(Abi::get_outbound); }
  void OutboundBufferSizeInBytes(uint32_t value) const { call(Abi::set_outbound, value); }
  Certificate ClientCertificate() const { return get_object<Certificate>(Abi::get_client_certificate); }
  void ClientCertificate(Certificate const& value) const { call(Abi::set_client_certificate, value.handle()); }
  IVector<ChainValidationResult> IgnorableServerCertificateErrors() const { return get_object<IVector<ChainValidationResult>>(Abi::get_ignorable); }
  // netrt extension: roots trusted besides the system's.
  IVector<Certificate> TrustedRootCertificates() const { return get_object<IVector<Certificate>>(Abi::get_trusted_roots); }
  TimeSpan DesiredUnsolicitedPongInterval() const { return TimeSpan(get_value<int64_t>(Abi::get_desired_pong)); }
  void DesiredUnsolicitedPongInterval(TimeSpan value) const { call(Abi::set_desired_pong, static_cast<int64_t>(value.count())); }
  TimeSpan ActualUnsolicitedPongInterval() const { return TimeSpan(get_value<int64_t>(Abi::get_actual_pong)); }
  // netrt extension: the longest ConnectAsync may take (default 60 s).
  TimeSpan HandshakeTimeout() const { return TimeSpan(get_value<int64_t>(Abi::get_handshake_timeout)); }
  void HandshakeTimeout(TimeSpan value) const { call(Abi::set_handshake_timeout, static_cast<int64_t>(value.count())); }
};

// IWebSocketInformation and IWebSocketInformation2, for either class.
template <class Abi>
class web_socket_information : public object {
 public:
  web_socket_information(std::nullptr_t) noexcept {}
  web_socket_information(take_ownership_from_abi_t, netrt_handle h) noexcept : object(take_ownership_from_abi, h) {}

  ::netrt::Windows::Networking::HostName LocalAddress() const {
    return get_object<::netrt::Windows::Networking::HostName>(Abi::get_local_address);
  }
  hstring Protocol() const { return get_string(Abi::get_protocol); }
  ::netrt::Windows::Networking::Sockets::BandwidthStatistics BandwidthStatistics() const {
    auto s = get_value<netrt_bandwidth_statistics>(Abi::get_bandwidth);
    return {s.outbound_bits_per_second,
            s.inbound_bits_per_second,
            s.outbound_bits_per_second_instability,
            s.inbound_bits_per_second_instability,
            s.outbound_bandwidth_peaked,
            s.inbound_bandwidth_peaked};
  }
  Certificate ServerCertificate() const { return get_object<Certificate>(Abi::get_server_certificate); }
  IVectorView<ChainValidationResult> ServerCertificateErrors() const {
    return get_object<IVectorView<ChainValidationResult>>(Abi::get_server_errors);
  }
  ::netrt::Windows::Networking::Sockets::SocketSslErrorSeverity ServerCertificateErrorSeverity() const {
    return static_cast<::netrt::Windows::Networking::Sockets::SocketSslErrorSeverity>(
        get_value<netrt_socket_ssl_error_severity>(Abi::get_server_severity));
  }
  IVectorView<Certificate> ServerIntermediateCertificates() const { return get_object<IVectorView<Certificate>>(Abi::get_intermediates); }
};

}  // namespace impl

namespace Windows::Networking::Sockets {

// `MessageWebSocketControl`.
class MessageWebSocketControl : public ::netrt::impl::web_socket_control<::netrt::impl::message_web_socket_abi> {
  using base = ::netrt::impl::web_socket_control<::netrt::impl::message_web_socket_abi>;

 public:
  using base::base;
  SocketMessageType MessageType() const {
    return static_cast<SocketMessageType>(get_value<netrt_socket_message_type>(netrt_message_web_socket_control_get_message_type));
  }
  void MessageType(SocketMessageType value) const { call(netrt_message_web_socket_control_set_message_type, static_cast<int32_t>(value)); }
  uint32_t MaxMessageSize() const { return get_value<uint32_t>(netrt_message_web_socket_control_get_max_message_size); }
  void MaxMessageSize(uint32_t value) const { call(netrt_message_web_socket_control_set_max_message_size, value); }
  MessageWebSocketReceiveMode ReceiveMode() const {
    return static_cast<MessageWebSocketReceiveMode>(
        get_value<netrt_message_web_socket_receive_mode>(netrt_message_web_socket_control_get_receive_mode));
  }
  void ReceiveMode(MessageWebSocketReceiveMode value) const { call(netrt_message_web_socket_control_set_receive_mode, static_cast<int32_t>(value)); }
};

// `StreamWebSocketControl`.
class StreamWebSocketControl : public ::netrt::impl::web_socket_control<::netrt::impl::stream_web_socket_abi> {
  using base = ::netrt::impl::web_socket_control<::netrt::impl::stream_web_socket_abi>;

 public:
  using base::base;
  bool NoDelay() const { return get_value<bool>(netrt_stream_web_socket_control_get_no_delay); }
  void NoDelay(bool value) const { call(netrt_stream_web_socket_control_set_no_delay, value); }
};

// `MessageWebSocketInformation` / `StreamWebSocketInformation`.
class MessageWebSocketInformation : public ::netrt::impl::web_socket_information<::netrt::impl::message_web_socket_abi> {
 public:
  using ::netrt::impl::web_socket_information<::netrt::impl::message_web_socket_abi>::web_socket_information;
};
class StreamWebSocketInformation : public ::netrt::impl::web_socket_information<::netrt::impl::stream_web_socket_abi> {
 public:
  using ::netrt::impl::web_socket_information<::netrt::impl::stream_web_socket_abi>::web_socket_information;
};

// `IWebSocket`: what both WebSockets are, as the Closed handler's sender.
class IWebSocket : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IWebSocket)
  IAsyncAction ConnectAsync(Uri const& uri) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(pick(netrt_message_web_socket_connect_async, netrt_stream_web_socket_connect_async),
                                                                handle(), uri.handle())};
  }
  void SetRequestHeader(::netrt::impl::str_in headerName, ::netrt::impl::str_in headerValue) const {
    call(pick(netrt_message_web_socket_set_request_header, netrt_stream_web_socket_set_request_header), headerName.c_str(), headerValue.c_str());
  }
  IOutputStream OutputStream() const {
    return get_object<IOutputStream>(pick(netrt_message_web_socket_get_output_stream, netrt_stream_web_socket_get_output_stream));
  }
  void Close() const { call(netrt_close); }
  void Close(uint16_t code, ::netrt::impl::str_in reason) const {
    call(pick(netrt_message_web_socket_close_with_status, netrt_stream_web_socket_close_with_status), code, reason.c_str());
  }

 private:
  // The message socket's function or the stream socket's, by the kind of the handle.
  template <class F>
  F pick(F message, F stream) const {
    return get_value<netrt_kind>(netrt_get_kind) == NETRT_KIND_STREAM_WEB_SOCKET ? stream : message;
  }
};

}  // namespace Windows::Networking::Sockets

namespace impl {

// IWebSocket and the events both WebSockets have; `D` is the class, `ControlT`/`InformationT`
// its own types.
template <class D, class Abi, class ControlT, class InformationT>
class web_socket : public object {
  using IWebSocket = ::netrt::Windows::Networking::Sockets::IWebSocket;
  using ClosedArgs = ::netrt::Windows::Networking::Sockets::WebSocketClosedEventArgs;
  using ValidationArgs = ::netrt::Windows::Networking::Sockets::WebSocketServerCustomValidationRequestedEventArgs;
  template <class S, class A>
  using Handler = ::netrt::Windows::Foundation::TypedEventHandler<S, A>;

 public:
  web_socket(std::nullptr_t) noexcept {}
  web_socket(take_ownership_from_abi_t, netrt_handle h) : object(take_ownership_from_abi, h), m_events(make_registry(h)) {}

  ControlT Control() const { return get_object<ControlT>(Abi::get_control); }
  InformationT Information() const { return get_object<InformationT>(Abi::get_information); }
  ::netrt::Windows::Storage::Streams::IOutputStream OutputStream() const {
    return get_object<::netrt::Windows::Storage::Streams::IOutputStream>(Abi::get_output_stream);
  }
  ::netrt::Windows::Foundation::IAsyncAction ConnectAsync(::netrt::Windows::Foundation::Uri const& uri) const {
    return {take_ownership_from_abi, make_handle(Abi::connect_async, handle(), uri.handle())};
  }
  void SetRequestHeader(str_in headerName, str_in headerValue) const {
    call(Abi::set_request_header, headerName.c_str(), headerValue.c_str());
  }
  void Close() const { call(netrt_close); }
  void Close(uint16_t code, str_in reason) const { call(Abi::close_with_status, code, reason.c_str()); }
  operator IWebSocket() const { return IWebSocket(take_ownership_from_abi, duplicate(handle())); }

  using Closed_revoker = ::netrt::event_revoker;
  event_token Closed(Handler<IWebSocket, ClosedArgs> const& handler) const {
    return registry().add(Abi::add_closed, Abi::remove_closed, [handler](netrt_handle sender, netrt_handle args) {
      IWebSocket s(take_ownership_from_abi, duplicate(sender));
      ClosedArgs a(take_ownership_from_abi, duplicate(args));
      handler(s, a);
    });
  }
  Closed_revoker Closed(auto_revoke_t, Handler<IWebSocket, ClosedArgs> const& handler) const {
    return {m_events, Closed(handler), Abi::remove_closed};
  }
  void Closed(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, Abi::remove_closed);
  }

  using ServerCustomValidationRequested_revoker = ::netrt::event_revoker;
  event_token ServerCustomValidationRequested(Handler<D, ValidationArgs> const& handler) const {
    return registry().add(Abi::add_validation, Abi::remove_validation, [handler](netrt_handle sender, netrt_handle args) {
      D s(take_ownership_from_abi, duplicate(sender));
      ValidationArgs a(take_ownership_from_abi, duplicate(args));
      handler(s, a);
    });
  }
  ServerCustomValidationRequested_revoker ServerCustomValidationRequested(auto_revoke_t, Handler<D, ValidationArgs> const& handler) const {
    return {m_events, ServerCustomValidationRequested(handler), Abi::remove_validation};
  }
  void ServerCustomValidationRequested(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, Abi::remove_validation);
  }

 protected:
  event_registry& registry() const {
    if (!m_events) throw_hresult(NETRT_E_POINTER, "the WebSocket is empty");
    return *m_events;
  }
  std::shared_ptr<event_registry> m_events;
};

}  // namespace impl

namespace Windows::Networking::Sockets {

// `MessageWebSocket`: messages arrive as MessageReceived events; each OutputStream write is
// one message of Control().MessageType().
class MessageWebSocket
    : public ::netrt::impl::web_socket<MessageWebSocket, ::netrt::impl::message_web_socket_abi, MessageWebSocketControl,
                                       MessageWebSocketInformation> {
  using base = ::netrt::impl::web_socket<MessageWebSocket, ::netrt::impl::message_web_socket_abi, MessageWebSocketControl,
                                         MessageWebSocketInformation>;

 public:
  using base::base;
  MessageWebSocket() : base(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_message_web_socket_create)) {}

  IAsyncOperationWithProgress<uint32_t, uint32_t> SendNonfinalFrameAsync(IBuffer const& data) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_message_web_socket_send_nonfinal_frame_async, handle(), data.handle())};
  }
  IAsyncOperationWithProgress<uint32_t, uint32_t> SendFinalFrameAsync(IBuffer const& data) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_message_web_socket_send_final_frame_async, handle(), data.handle())};
  }
  // netrt extension (docs/web.md "Pull receive"): the next message, taken by the operation
  // itself instead of raised as MessageReceived; only while no MessageReceived handler is
  // registered (else E_ILLEGAL_METHOD_CALL). Cancelling it loses no message.
  Foundation::IAsyncOperation<MessageWebSocketMessageReceivedEventArgs> ReceiveMessageAsync() const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_message_web_socket_receive_message_async, handle())};
  }

  using MessageReceived_revoker = ::netrt::event_revoker;
  event_token MessageReceived(TypedEventHandler<MessageWebSocket, MessageWebSocketMessageReceivedEventArgs> const& handler) const {
    return registry().add(netrt_message_web_socket_add_message_received, netrt_message_web_socket_remove_message_received,
                          [handler](netrt_handle sender, netrt_handle args) {
                            MessageWebSocket s(take_ownership_from_abi, ::netrt::impl::duplicate(sender));
                            MessageWebSocketMessageReceivedEventArgs a(take_ownership_from_abi, ::netrt::impl::duplicate(args));
                            handler(s, a);
                          });
  }
  MessageReceived_revoker MessageReceived(auto_revoke_t,
                                          TypedEventHandler<MessageWebSocket, MessageWebSocketMessageReceivedEventArgs> const& handler) const {
    return {m_events, MessageReceived(handler), netrt_message_web_socket_remove_message_received};
  }
  void MessageReceived(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, netrt_message_web_socket_remove_message_received);
  }
};

// `StreamWebSocket`: a WebSocket as a byte stream (each write one binary message).
class StreamWebSocket
    : public ::netrt::impl::web_socket<StreamWebSocket, ::netrt::impl::stream_web_socket_abi, StreamWebSocketControl,
                                       StreamWebSocketInformation> {
  using base = ::netrt::impl::web_socket<StreamWebSocket, ::netrt::impl::stream_web_socket_abi, StreamWebSocketControl,
                                         StreamWebSocketInformation>;

 public:
  using base::base;
  StreamWebSocket() : base(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_stream_web_socket_create)) {}
  IInputStream InputStream() const { return get_object<IInputStream>(netrt_stream_web_socket_get_input_stream); }
};

}  // namespace Windows::Networking::Sockets

using Windows::Foundation::Deferral;
using Windows::Foundation::Uri;
using Windows::Foundation::WwwFormUrlDecoder;
using Windows::Foundation::WwwFormUrlDecoderEntry;
using Windows::Networking::Sockets::IWebSocket;
using Windows::Networking::Sockets::MessageWebSocket;
using Windows::Networking::Sockets::MessageWebSocketControl;
using Windows::Networking::Sockets::MessageWebSocketInformation;
using Windows::Networking::Sockets::MessageWebSocketMessageReceivedEventArgs;
using Windows::Networking::Sockets::MessageWebSocketReceiveMode;
using Windows::Networking::Sockets::SocketMessageType;
using Windows::Networking::Sockets::StreamWebSocket;
using Windows::Networking::Sockets::StreamWebSocketControl;
using Windows::Networking::Sockets::StreamWebSocketInformation;
using Windows::Networking::Sockets::WebSocketClosedEventArgs;
using Windows::Networking::Sockets::WebSocketServerCustomValidationRequestedEventArgs;
using Windows::Security::Credentials::PasswordCredential;

}  // namespace netrt

#endif  // NETRT_IMPL_WEB_HPP
