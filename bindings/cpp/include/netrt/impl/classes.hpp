// netrt C++ projection: runtime classes. Included by <netrt.hpp>; not for direct use.
#ifndef NETRT_IMPL_CLASSES_HPP
#define NETRT_IMPL_CLASSES_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt {

// ---------------------------------------------------------------------------------------------
// Error status helpers (the enums are generated: netrt/impl/enums.hpp)
// ---------------------------------------------------------------------------------------------

namespace Windows::Web {

// `Windows.Web.WebError`.
struct WebError {
  static WebErrorStatus GetStatus(int32_t hresult) noexcept {
    return static_cast<WebErrorStatus>(netrt_web_error_get_status(hresult));
  }
};
}  // namespace Windows::Web

namespace Windows::Networking::Sockets {

// `SocketError.GetStatus(hresult)`.
struct SocketError {
  static SocketErrorStatus GetStatus(int32_t hresult) noexcept {
    return static_cast<SocketErrorStatus>(netrt_socket_error_get_status(hresult));
  }
};

// `WebSocketError.GetStatus(hresult)`.
struct WebSocketError {
  static Windows::Web::WebErrorStatus GetStatus(int32_t hresult) noexcept {
    return static_cast<Windows::Web::WebErrorStatus>(netrt_web_socket_error_get_status(hresult));
  }
};

// `RoundTripTimeStatistics` (microseconds).
struct RoundTripTimeStatistics {
  uint32_t Variance;
  uint32_t Max;
  uint32_t Min;
  uint32_t Sum;
};

// `BandwidthStatistics` (bits per second).
struct BandwidthStatistics {
  uint64_t OutboundBitsPerSecond;
  uint64_t InboundBitsPerSecond;
  uint64_t OutboundBitsPerSecondInstability;
  uint64_t InboundBitsPerSecondInstability;
  bool OutboundBandwidthPeaked;
  bool InboundBandwidthPeaked;
};
}  // namespace Windows::Networking::Sockets

// ---------------------------------------------------------------------------------------------
// Windows.Foundation.Collections: IVector<T> / IVectorView<T> over netrt_vector_*
// ---------------------------------------------------------------------------------------------

namespace impl {

// How an element type crosses the C boundary: int32 enums, strings, or objects (handles).
template <class T>
struct vector_element {
  static T get(netrt_handle v, uint32_t i) {
    if constexpr (std::is_enum_v<T>) {
      int32_t out = 0;
      check_hresult(netrt_vector_get_at_int32(v, i, &out));
      return static_cast<T>(out);
    } else if constexpr (std::is_same_v<T, hstring>) {
      int32_t hr = 0;
      std::string s = read_utf8([&](char* b, std::size_t l, std::size_t* n) { return netrt_vector_get_at_string(v, i, b, l, n); }, hr);
      check_hresult(hr);
      return hstring(std::string_view(s));
    } else {
      return T(take_ownership_from_abi, make_handle(netrt_vector_get_at_handle, v, i));
    }
  }
  static void append(netrt_handle v, T const& value) {
    if constexpr (std::is_enum_v<T>) {
      check_hresult(netrt_vector_append_int32(v, static_cast<int32_t>(value)));
    } else if constexpr (std::is_same_v<T, hstring>) {
      check_hresult(netrt_vector_append_string(v, to_string(value).c_str()));
    } else {
      check_hresult(netrt_vector_append_handle(v, value.handle()));
    }
  }
};

template <class V, class T>
class vector_iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = T;

  vector_iterator(V const* vector, uint32_t index) noexcept : m_vector(vector), m_index(index) {}
  T operator*() const { return m_vector->GetAt(m_index); }
  vector_iterator& operator++() noexcept {
    ++m_index;
    return *this;
  }
  vector_iterator operator++(int) noexcept {
    auto copy = *this;
    ++m_index;
    return copy;
  }
  friend bool operator==(vector_iterator const& a, vector_iterator const& b) noexcept { return a.m_index == b.m_index; }
  friend bool operator!=(vector_iterator const& a, vector_iterator const& b) noexcept { return a.m_index != b.m_index; }

 private:
  V const* m_vector;
  uint32_t m_index;
};

}  // namespace impl

namespace Windows::Foundation::Collections {

// `IVectorView<T>`: a read-only vector (netrt gives snapshots). Range-for iterates it.
template <class T>
class IVectorView : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IVectorView)
  uint32_t Size() const { return get_value<uint32_t>(netrt_vector_get_size); }
  T GetAt(uint32_t index) const { return ::netrt::impl::vector_element<T>::get(handle(), index); }
  bool IndexOf(T const& value, uint32_t& index) const {
    uint32_t n = Size();
    for (uint32_t i = 0; i < n; ++i) {
      if constexpr (std::is_enum_v<T> || std::is_same_v<T, hstring>) {
        if (GetAt(i) == value) {
          index = i;
          return true;
        }
      }
    }
    return false;
  }
  ::netrt::impl::vector_iterator<IVectorView, T> begin() const { return {this, 0}; }
  ::netrt::impl::vector_iterator<IVectorView, T> end() const { return {this, Size()}; }
};

// `IVector<T>`: a live, modifiable vector (e.g. a control's IgnorableServerCertificateErrors).
template <class T>
class IVector : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IVector)
  uint32_t Size() const { return get_value<uint32_t>(netrt_vector_get_size); }
  T GetAt(uint32_t index) const { return ::netrt::impl::vector_element<T>::get(handle(), index); }
  void Append(T const& value) const { ::netrt::impl::vector_element<T>::append(handle(), value); }
  // SetAt and InsertAt: on enum vectors, and (objects) on the syndication collections.
  void SetAt(uint32_t index, T const& value) const {
    if constexpr (std::is_enum_v<T>) {
      call(netrt_vector_set_at_int32, index, static_cast<int32_t>(value));
    } else {
      static_assert(std::is_base_of_v<::netrt::impl::object, T>, "netrt supports SetAt on enum and object vectors only");
      call(netrt_vector_set_at_handle, index, value.handle());
    }
  }
  void InsertAt(uint32_t index, T const& value) const {
    static_assert(std::is_base_of_v<::netrt::impl::object, T>, "netrt supports InsertAt on object vectors only");
    call(netrt_vector_insert_at_handle, index, value.handle());
  }
  void RemoveAt(uint32_t index) const { call(netrt_vector_remove_at, index); }
  void RemoveAtEnd() const {
    uint32_t n = Size();
    if (n == 0) throw hresult_out_of_bounds();
    RemoveAt(n - 1);
  }
  void Clear() const { call(netrt_vector_clear); }
  bool IndexOf(T const& value, uint32_t& index) const {
    uint32_t n = Size();
    for (uint32_t i = 0; i < n; ++i) {
      if constexpr (std::is_enum_v<T> || std::is_same_v<T, hstring>) {
        if (GetAt(i) == value) {
          index = i;
          return true;
        }
      }
    }
    return false;
  }
  ::netrt::impl::vector_iterator<IVector, T> begin() const { return {this, 0}; }
  ::netrt::impl::vector_iterator<IVector, T> end() const { return {this, Size()}; }
};

// `IKeyValuePair<K, V>`: one entry of an IMapView (netrt: a value holding both).
template <class K, class V>
class IKeyValuePair {
 public:
  IKeyValuePair(K key, V value) : m_key(std::move(key)), m_value(std::move(value)) {}
  K Key() const { return m_key; }
  V Value() const { return m_value; }

 private:
  K m_key;
  V m_value;
};

}  // namespace Windows::Foundation::Collections

namespace impl {

// How a map key crosses the C boundary: strings (AllSockets) or GUIDs (AllTasks).
template <class K>
struct map_key;

template <>
struct map_key<hstring> {
  static hstring at(netrt_handle m, uint32_t i) {
    int32_t hr = 0;
    std::string s = read_utf8([&](char* b, std::size_t l, std::size_t* n) { return netrt_map_view_get_key_at_string(m, i, b, l, n); }, hr);
    check_hresult(hr);
    return hstring(std::string_view(s));
  }
  static bool has(netrt_handle m, hstring const& key) {
    bool out = false;
    check_hresult(netrt_map_view_has_key_string(m, to_string(key).c_str(), &out));
    return out;
  }
  static netrt_handle lookup(netrt_handle m, hstring const& key) {
    return make_handle(netrt_map_view_lookup_string, m, to_string(key).c_str());
  }
};

template <>
struct map_key<guid> {
  static netrt_guid to_abi(guid const& g) noexcept {
    netrt_guid out{g.Data1, g.Data2, g.Data3, {}};
    std::memcpy(out.data4, g.Data4, sizeof out.data4);
    return out;
  }
  static guid at(netrt_handle m, uint32_t i) {
    netrt_guid g{};
    check_hresult(netrt_map_view_get_key_at_guid(m, i, &g));
    guid out{g.data1, g.data2, g.data3, {}};
    std::memcpy(out.Data4, g.data4, sizeof out.Data4);
    return out;
  }
  static bool has(netrt_handle m, guid const& key) {
    netrt_guid g = to_abi(key);
    bool out = false;
    check_hresult(netrt_map_view_has_key_guid(m, &g, &out));
    return out;
  }
  static netrt_handle lookup(netrt_handle m, guid const& key) {
    netrt_guid g = to_abi(key);
    return make_handle(netrt_map_view_lookup_guid, m, static_cast<netrt_guid const*>(&g));
  }
};

}  // namespace impl

namespace Windows::Foundation::Collections {

// `IMapView<K, V>`: a read-only map (netrt gives snapshots, in key order). Range-for yields
// IKeyValuePair<K, V>.
template <class K, class V>
class IMapView : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IMapView)
  uint32_t Size() const { return get_value<uint32_t>(netrt_map_view_get_size); }
  bool HasKey(K const& key) const { return ::netrt::impl::map_key<K>::has(handle(), key); }
  // Throws hresult_out_of_bounds (E_BOUNDS) when the key is absent, as WinRT does.
  V Lookup(K const& key) const { return V(take_ownership_from_abi, ::netrt::impl::map_key<K>::lookup(handle(), key)); }
  // netrt: the entry at `index` (what iteration yields).
  IKeyValuePair<K, V> GetAt(uint32_t index) const {
    return {::netrt::impl::map_key<K>::at(handle(), index),
            V(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_map_view_get_value_at, handle(), index))};
  }
  ::netrt::impl::vector_iterator<IMapView, IKeyValuePair<K, V>> begin() const { return {this, 0}; }
  ::netrt::impl::vector_iterator<IMapView, IKeyValuePair<K, V>> end() const { return {this, Size()}; }
};

}  // namespace Windows::Foundation::Collections

// ---------------------------------------------------------------------------------------------
// Windows.Storage.Streams
// ---------------------------------------------------------------------------------------------

namespace Windows::Storage::Streams {

using ::netrt::Windows::Foundation::DateTime;
using ::netrt::Windows::Foundation::IAsyncOperation;
using ::netrt::Windows::Foundation::IAsyncOperationWithProgress;
using ::netrt::Windows::Foundation::TimeSpan;

// `IBuffer`: capacity, length and the bytes (data(), as C++/WinRT's extension).
class IBuffer : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IBuffer)
  IBuffer() noexcept = default;
  uint32_t Capacity() const { return get_value<uint32_t>(netrt_buffer_get_capacity); }
  uint32_t Length() const { return get_value<uint32_t>(netrt_buffer_get_length); }
  void Length(uint32_t value) const { call(netrt_buffer_set_length, value); }
  // The bytes (Capacity() of them), valid while a reference to the buffer is held.
  uint8_t* data() const { return get_value<uint8_t*>(netrt_buffer_get_data); }
};

// `Buffer(capacity)`.
class Buffer : public IBuffer {
 public:
  Buffer(std::nullptr_t) noexcept {}
  Buffer(take_ownership_from_abi_t, netrt_handle h) noexcept : IBuffer(take_ownership_from_abi, h) {}
  explicit Buffer(uint32_t capacity) : IBuffer(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_buffer_create, capacity)) {}
};

// `IInputStream` (a socket's InputStream).
class IInputStream : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IInputStream)
  IInputStream() noexcept = default;
  // ReadAsync(buffer, count, options): the result is the same buffer, its Length the bytes read
  // (0: the peer closed the stream).
  IAsyncOperationWithProgress<IBuffer, uint32_t> ReadAsync(IBuffer const& buffer, uint32_t count, InputStreamOptions options) const {
    return {take_ownership_from_abi,
            ::netrt::impl::make_handle(netrt_input_stream_read_async, handle(), buffer.handle(), count, static_cast<uint32_t>(options))};
  }
  void Close() const { call(netrt_close); }
};

// `IOutputStream` (a socket's OutputStream; a datagram stream sends one datagram per write).
class IOutputStream : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IOutputStream)
  IOutputStream() noexcept = default;
  IAsyncOperationWithProgress<uint32_t, uint32_t> WriteAsync(IBuffer const& buffer) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_output_stream_write_async, handle(), buffer.handle())};
  }
  IAsyncOperation<bool> FlushAsync() const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_output_stream_flush_async, handle())};
  }
  void Close() const { call(netrt_close); }
};

// `DataWriterStoreOperation` / `DataReaderLoadOperation`: IAsyncOperation<uint32_t>.
class DataWriterStoreOperation : public IAsyncOperation<uint32_t> {
 public:
  using IAsyncOperation<uint32_t>::IAsyncOperation;
  DataWriterStoreOperation() noexcept = default;
};
class DataReaderLoadOperation : public IAsyncOperation<uint32_t> {
 public:
  using IAsyncOperation<uint32_t>::IAsyncOperation;
  DataReaderLoadOperation() noexcept = default;
};

// `DataWriter`: `DataWriter()` writes into memory (DetachBuffer), `DataWriter(stream)` stores
// into a stream. Destroying the last reference without DetachStream closes the stream.
class DataWriter : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(DataWriter)
  DataWriter() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_writer_create)) {}
  explicit DataWriter(IOutputStream const& outputStream)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_writer_create_with_stream, outputStream.handle())) {}

  Streams::ByteOrder ByteOrder() const { return static_cast<Streams::ByteOrder>(get_value<netrt_byte_order>(netrt_data_writer_get_byte_order)); }
  void ByteOrder(Streams::ByteOrder value) const { call(netrt_data_writer_set_byte_order, static_cast<int32_t>(value)); }
  Streams::UnicodeEncoding UnicodeEncoding() const {
    return static_cast<Streams::UnicodeEncoding>(get_value<netrt_unicode_encoding>(netrt_data_writer_get_unicode_encoding));
  }
  void UnicodeEncoding(Streams::UnicodeEncoding value) const { call(netrt_data_writer_set_unicode_encoding, static_cast<int32_t>(value)); }
  uint32_t UnstoredBufferLength() const { return get_value<uint32_t>(netrt_data_writer_get_unstored_buffer_length); }

  void WriteByte(uint8_t value) const { call(netrt_data_writer_write_byte, value); }
  void WriteBytes(array_view<uint8_t const> value) const { call(netrt_data_writer_write_bytes, value.data(), static_cast<std::size_t>(value.size())); }
  void WriteBuffer(IBuffer const& buffer) const { call(netrt_data_writer_write_buffer, buffer.handle()); }
  void WriteBuffer(IBuffer const& buffer, uint32_t start, uint32_t count) const {
    call(netrt_data_writer_write_buffer_range, buffer.handle(), start, count);
  }
  void WriteBoolean(bool value) const { call(netrt_data_writer_write_boolean, value); }
  void WriteGuid(guid const& value) const {
    netrt_guid g{value.Data1, value.Data2, value.Data3, {}};
    std::memcpy(g.data4, value.Data4, sizeof g.data4);
    call(netrt_data_writer_write_guid, static_cast<netrt_guid const*>(&g));
  }
  void WriteInt16(int16_t value) const { call(netrt_data_writer_write_int16, value); }
  void WriteInt32(int32_t value) const { call(netrt_data_writer_write_int32, value); }
  void WriteInt64(int64_t value) const { call(netrt_data_writer_write_int64, value); }
  void WriteUInt16(uint16_t value) const { call(netrt_data_writer_write_uint16, value); }
  void WriteUInt32(uint32_t value) const { call(netrt_data_writer_write_uint32, value); }
  void WriteUInt64(uint64_t value) const { call(netrt_data_writer_write_uint64, value); }
  void WriteSingle(float value) const { call(netrt_data_writer_write_single, value); }
  void WriteDouble(double value) const { call(netrt_data_writer_write_double, value); }
  void WriteDateTime(DateTime value) const { call(netrt_data_writer_write_date_time, value.time_since_epoch().count()); }
  void WriteTimeSpan(TimeSpan value) const { call(netrt_data_writer_write_time_span, value.count()); }
  // Returns the bytes written (in the writer's encoding).
  uint32_t WriteString(::netrt::impl::str_in value) const { return get_value<uint32_t>(netrt_data_writer_write_string, value.c_str()); }
  uint32_t MeasureString(::netrt::impl::str_in value) const { return get_value<uint32_t>(netrt_data_writer_measure_string, value.c_str()); }

  DataWriterStoreOperation StoreAsync() const { return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_writer_store_async, handle())}; }
  IAsyncOperation<bool> FlushAsync() const { return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_writer_flush_async, handle())}; }
  IOutputStream DetachStream() const { return get_object<IOutputStream>(netrt_data_writer_detach_stream); }
  IBuffer DetachBuffer() const { return get_object<IBuffer>(netrt_data_writer_detach_buffer); }
  void Close() const { call(netrt_close); }
};

// `DataReader(stream)` / `DataReader::FromBuffer(buffer)`. Destroying the last reference
// without DetachStream closes the stream.
class DataReader : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(DataReader)
  explicit DataReader(IInputStream const& inputStream)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_reader_create_with_stream, inputStream.handle())) {}
  static DataReader FromBuffer(IBuffer const& buffer) {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_reader_from_buffer, buffer.handle())};
  }

  Streams::ByteOrder ByteOrder() const { return static_cast<Streams::ByteOrder>(get_value<netrt_byte_order>(netrt_data_reader_get_byte_order)); }
  void ByteOrder(Streams::ByteOrder value) const { call(netrt_data_reader_set_byte_order, static_cast<int32_t>(value)); }
  Streams::UnicodeEncoding UnicodeEncoding() const {
    return static_cast<Streams::UnicodeEncoding>(get_value<netrt_unicode_encoding>(netrt_data_reader_get_unicode_encoding));
  }
  void UnicodeEncoding(Streams::UnicodeEncoding value) const { call(netrt_data_reader_set_unicode_encoding, static_cast<int32_t>(value)); }
  Streams::InputStreamOptions InputStreamOptions() const {
    return static_cast<Streams::InputStreamOptions>(get_value<netrt_input_stream_options>(netrt_data_reader_get_input_stream_options));
  }
  void InputStreamOptions(Streams::InputStreamOptions value) const {
    call(netrt_data_reader_set_input_stream_options, static_cast<uint32_t>(value));
  }
  uint32_t UnconsumedBufferLength() const { return get_value<uint32_t>(netrt_data_reader_get_unconsumed_buffer_length); }

  DataReaderLoadOperation LoadAsync(uint32_t count) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_data_reader_load_async, handle(), count)};
  }
  uint8_t ReadByte() const { return get_value<uint8_t>(netrt_data_reader_read_byte); }
  // Fills all of `value` (E_BOUNDS, nothing consumed, when fewer bytes are loaded).
  void ReadBytes(array_view<uint8_t> value) const { call(netrt_data_reader_read_bytes, value.data(), static_cast<std::size_t>(value.size())); }
  IBuffer ReadBuffer(uint32_t length) const { return get_object<IBuffer>(netrt_data_reader_read_buffer, length); }
  bool ReadBoolean() const { return get_value<bool>(netrt_data_reader_read_boolean); }
  guid ReadGuid() const {
    netrt_guid g = get_value<netrt_guid>(netrt_data_reader_read_guid);
    guid out{g.data1, g.data2, g.data3, {}};
    std::memcpy(out.Data4, g.data4, sizeof out.Data4);
    return out;
  }
  int16_t ReadInt16() const { return get_value<int16_t>(netrt_data_reader_read_int16); }
  int32_t ReadInt32() const { return get_value<int32_t>(netrt_data_reader_read_int32); }
  int64_t ReadInt64() const { return get_value<int64_t>(netrt_data_reader_read_int64); }
  uint16_t ReadUInt16() const { return get_value<uint16_t>(netrt_data_reader_read_uint16); }
  uint32_t ReadUInt32() const { return get_value<uint32_t>(netrt_data_reader_read_uint32); }
  uint64_t ReadUInt64() const { return get_value<uint64_t>(netrt_data_reader_read_uint64); }
  float ReadSingle() const { return get_value<float>(netrt_data_reader_read_single); }
  double ReadDouble() const { return get_value<double>(netrt_data_reader_read_double); }
  DateTime ReadDateTime() const { return DateTime(TimeSpan(get_value<int64_t>(netrt_data_reader_read_date_time))); }
  TimeSpan ReadTimeSpan() const { return TimeSpan(get_value<int64_t>(netrt_data_reader_read_time_span)); }
  // `codeUnitCount` code units of the reader's encoding (bytes for UTF-8).
  hstring ReadString(uint32_t codeUnitCount) const { return get_string(netrt_data_reader_read_string, codeUnitCount); }

  IInputStream DetachStream() const { return get_object<IInputStream>(netrt_data_reader_detach_stream); }
  IBuffer DetachBuffer() const { return get_object<IBuffer>(netrt_data_reader_detach_buffer); }
  void Close() const { call(netrt_close); }
};

}  // namespace Windows::Storage::Streams

// ---------------------------------------------------------------------------------------------
// Windows.Networking
// ---------------------------------------------------------------------------------------------

namespace Windows::Networking::Connectivity {

// `NetworkAdapter`: Windows-only; netrt never produces one (IPInformation::NetworkAdapter() is
// always null).
class NetworkAdapter : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(NetworkAdapter)
};

// `IPInformation` (of a HostName that is an address of a local interface).
class IPInformation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IPInformation)
  // Always null in netrt (see NetworkAdapter).
  Connectivity::NetworkAdapter NetworkAdapter() const {
    return get_object<Connectivity::NetworkAdapter>(netrt_ip_information_get_network_adapter);
  }
  // The interface address's prefix length, or null.
  Foundation::IReference<uint8_t> PrefixLength() const {
    bool has = false;
    uint8_t value = 0;
    check_hresult(netrt_ip_information_get_prefix_length(handle(), &has, &value));
    if (!has) return nullptr;
    return value;
  }
};

}  // namespace Windows::Networking::Connectivity

namespace Windows::Networking {

// `HostName(hostName)`: a DNS name or an IP literal.
class HostName : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(HostName)
  HostName(::netrt::impl::str_in hostName)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_host_name_create, hostName.c_str())) {}

  HostNameType Type() const { return static_cast<HostNameType>(get_value<netrt_host_name_type>(netrt_host_name_get_type)); }
  hstring RawName() const { return get_string(netrt_host_name_get_raw_name); }
  hstring CanonicalName() const { return get_string(netrt_host_name_get_canonical_name); }
  hstring DisplayName() const { return get_string(netrt_host_name_get_display_name); }
  hstring ToString() const { return DisplayName(); }
  // For an address of a local interface, its IPInformation; null for every other host name.
  Connectivity::IPInformation IPInformation() const {
    return get_object<Connectivity::IPInformation>(netrt_host_name_get_ip_information);
  }
  bool IsEqual(HostName const& hostName) const { return get_value<bool>(netrt_host_name_is_equal, hostName.handle()); }
  static int32_t Compare(::netrt::impl::str_in value1, ::netrt::impl::str_in value2) {
    int32_t out = 0;
    check_hresult(netrt_host_name_compare(value1.c_str(), value2.c_str(), &out));
    return out;
  }
};

// `EndpointPair(localHostName, localServiceName, remoteHostName, remoteServiceName)`; host
// names may be nullptr.
class EndpointPair : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(EndpointPair)
  EndpointPair(HostName const& localHostName, ::netrt::impl::str_in localServiceName, HostName const& remoteHostName,
               ::netrt::impl::str_in remoteServiceName)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_endpoint_pair_create, localHostName.handle(), localServiceName.c_str(),
                                                                   remoteHostName.handle(), remoteServiceName.c_str())) {}

  HostName LocalHostName() const { return get_object<HostName>(netrt_endpoint_pair_get_local_host_name); }
  void LocalHostName(HostName const& value) const { call(netrt_endpoint_pair_set_local_host_name, value.handle()); }
  hstring LocalServiceName() const { return get_string(netrt_endpoint_pair_get_local_service_name); }
  void LocalServiceName(::netrt::impl::str_in value) const { call(netrt_endpoint_pair_set_local_service_name, value.c_str()); }
  HostName RemoteHostName() const { return get_object<HostName>(netrt_endpoint_pair_get_remote_host_name); }
  void RemoteHostName(HostName const& value) const { call(netrt_endpoint_pair_set_remote_host_name, value.handle()); }
  hstring RemoteServiceName() const { return get_string(netrt_endpoint_pair_get_remote_service_name); }
  void RemoteServiceName(::netrt::impl::str_in value) const { call(netrt_endpoint_pair_set_remote_service_name, value.c_str()); }
};

}  // namespace Windows::Networking

// ---------------------------------------------------------------------------------------------
// Windows.Security.Cryptography.Certificates
// ---------------------------------------------------------------------------------------------

namespace impl {

// Calls a netrt "bytes out" function (`buf`, `len`, `*needed`) until the bytes fit.
template <class F>
std::vector<uint8_t> read_bytes(F&& f) {
  std::vector<uint8_t> out(64);
  std::size_t needed = 0;
  int32_t hr = f(out.data(), out.size(), &needed);
  for (int attempt = 0; attempt < 4 && hr == NETRT_E_INSUFFICIENT_BUFFER; ++attempt) {
    out.resize(needed);
    hr = f(out.data(), out.size(), &needed);
  }
  check_hresult(hr);
  out.resize(needed);
  return out;
}

}  // namespace impl

namespace Windows::Security::Cryptography::Certificates {

using ::netrt::Windows::Foundation::DateTime;
using ::netrt::Windows::Foundation::TimeSpan;

// `CertificateExtension`: one X.509 extension (object id, critical flag, DER value).
// EncodeValue sets Value to the DER encoding of the string as one ASN.1 string: an IA5String
// for ASCII text, otherwise a UTF8String.
class CertificateExtension : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(CertificateExtension)
  // No object id, not critical, an empty value.
  CertificateExtension()
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_certificate_extension_create)) {}
  hstring ObjectId() const { return get_string(netrt_certificate_extension_get_object_id); }
  void ObjectId(::netrt::impl::str_in value) const { call(netrt_certificate_extension_set_object_id, value.c_str()); }
  bool IsCritical() const { return get_value<bool>(netrt_certificate_extension_get_is_critical); }
  void IsCritical(bool value) const { call(netrt_certificate_extension_set_is_critical, value); }
  std::vector<uint8_t> Value() const {
    return ::netrt::impl::read_bytes(
        [&](uint8_t* b, std::size_t l, std::size_t* n) { return netrt_certificate_extension_get_value(handle(), b, l, n); });
  }
  void Value(array_view<uint8_t const> value) const {
    call(netrt_certificate_extension_set_value, value.data(), static_cast<std::size_t>(value.size()));
  }
  void EncodeValue(::netrt::impl::str_in value) const { call(netrt_certificate_extension_encode_value, value.c_str()); }
};

// `SubjectAlternativeNameInfo` (of a Certificate): the subjectAltName entries by kind. The
// singular members are snapshots; the plural ones (DnsNames, ...) are modifiable vectors of the
// same entries, which change only this info object (netrt makes no certificate requests).
class SubjectAlternativeNameInfo : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(SubjectAlternativeNameInfo)
  // An empty info.
  SubjectAlternativeNameInfo()
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_subject_alternative_name_info_create)) {}
  Foundation::Collections::IVectorView<hstring> DnsName() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_subject_alternative_name_info_get_dns_name);
  }
  Foundation::Collections::IVectorView<hstring> IPAddress() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_subject_alternative_name_info_get_ip_address);
  }
  Foundation::Collections::IVectorView<hstring> Url() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_subject_alternative_name_info_get_url);
  }
  Foundation::Collections::IVectorView<hstring> EmailName() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_subject_alternative_name_info_get_email_name);
  }
  // RFC 4514 strings ("O=Example,CN=Directory Name").
  Foundation::Collections::IVectorView<hstring> DistinguishedName() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_subject_alternative_name_info_get_distinguished_name);
  }
  // The user principal names (Microsoft UPN otherName).
  Foundation::Collections::IVectorView<hstring> PrincipalName() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_subject_alternative_name_info_get_principal_name);
  }
  Foundation::Collections::IVector<hstring> DnsNames() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_subject_alternative_name_info_get_dns_names);
  }
  // Each element must be an IPv4 or IPv6 address (otherwise E_INVALIDARG).
  Foundation::Collections::IVector<hstring> IPAddresses() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_subject_alternative_name_info_get_ip_addresses);
  }
  Foundation::Collections::IVector<hstring> Urls() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_subject_alternative_name_info_get_urls);
  }
  Foundation::Collections::IVector<hstring> EmailNames() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_subject_alternative_name_info_get_email_names);
  }
  Foundation::Collections::IVector<hstring> DistinguishedNames() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_subject_alternative_name_info_get_distinguished_names);
  }
  Foundation::Collections::IVector<hstring> PrincipalNames() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_subject_alternative_name_info_get_principal_names);
  }
  // The certificate's subjectAltName extension (object id 2.5.29.17, its critical flag, the DER
  // of its value), a copy; without one (or for an info made empty): that object id, not
  // critical, an empty value.
  CertificateExtension Extension() const {
    return get_object<CertificateExtension>(netrt_subject_alternative_name_info_get_extension);
  }
};

// `CertificateKeyUsages`: the keyUsage extension's flags. In netrt a value (copies are
// independent), read from a certificate; settable as in WinRT.
class CertificateKeyUsages {
 public:
  CertificateKeyUsages() noexcept = default;
  explicit CertificateKeyUsages(netrt_certificate_key_usages const& value) noexcept : m_value(value) {}
  bool EncipherOnly() const noexcept { return m_value.encipher_only; }
  void EncipherOnly(bool value) noexcept { m_value.encipher_only = value; }
  bool CrlSign() const noexcept { return m_value.crl_sign; }
  void CrlSign(bool value) noexcept { m_value.crl_sign = value; }
  bool KeyCertificateSign() const noexcept { return m_value.key_certificate_sign; }
  void KeyCertificateSign(bool value) noexcept { m_value.key_certificate_sign = value; }
  bool KeyAgreement() const noexcept { return m_value.key_agreement; }
  void KeyAgreement(bool value) noexcept { m_value.key_agreement = value; }
  bool DataEncipherment() const noexcept { return m_value.data_encipherment; }
  void DataEncipherment(bool value) noexcept { m_value.data_encipherment = value; }
  bool KeyEncipherment() const noexcept { return m_value.key_encipherment; }
  void KeyEncipherment(bool value) noexcept { m_value.key_encipherment = value; }
  bool NonRepudiation() const noexcept { return m_value.non_repudiation; }
  void NonRepudiation(bool value) noexcept { m_value.non_repudiation = value; }
  bool DigitalSignature() const noexcept { return m_value.digital_signature; }
  void DigitalSignature(bool value) noexcept { m_value.digital_signature = value; }

 private:
  netrt_certificate_key_usages m_value{};
};

// `ChainValidationParameters`: the policy and server name for CertificateChain::Validate.
class ChainValidationParameters : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(ChainValidationParameters)
  ChainValidationParameters() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_chain_validation_parameters_create)) {}
  Certificates::CertificateChainPolicy CertificateChainPolicy() const {
    return static_cast<Certificates::CertificateChainPolicy>(
        get_value<netrt_certificate_chain_policy>(netrt_chain_validation_parameters_get_certificate_chain_policy));
  }
  void CertificateChainPolicy(Certificates::CertificateChainPolicy value) const {
    call(netrt_chain_validation_parameters_set_certificate_chain_policy, static_cast<int32_t>(value));
  }
  Networking::HostName ServerDnsName() const { return get_object<Networking::HostName>(netrt_chain_validation_parameters_get_server_dns_name); }
  void ServerDnsName(Networking::HostName const& value) const { call(netrt_chain_validation_parameters_set_server_dns_name, value.handle()); }
};

class Certificate;

// `ChainBuildingParameters`: what Certificate::BuildChainAsync(certificates, parameters)
// honours (docs/tls.md): exclusive roots, required usages, the validation time; revocation
// checking reports RevocationInformationMissing; the network retrieval flags change nothing.
class ChainBuildingParameters : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(ChainBuildingParameters)
  ChainBuildingParameters() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_chain_building_parameters_create)) {}
  // OIDs ("1.3.6.1.5.5.7.3.1") every certificate below the root must allow.
  Foundation::Collections::IVector<hstring> EnhancedKeyUsages() const {
    return get_object<Foundation::Collections::IVector<hstring>>(netrt_chain_building_parameters_get_enhanced_key_usages);
  }
  // When not empty, the only roots trusted (the system store is not consulted).
  Foundation::Collections::IVector<Certificate> ExclusiveTrustRoots() const;
  DateTime ValidationTimestamp() const {
    return DateTime(TimeSpan(get_value<int64_t>(netrt_chain_building_parameters_get_validation_timestamp)));
  }
  void ValidationTimestamp(DateTime value) const {
    call(netrt_chain_building_parameters_set_validation_timestamp, value.time_since_epoch().count());
  }
  bool CurrentTimeValidationEnabled() const { return get_value<bool>(netrt_chain_building_parameters_get_current_time_validation_enabled); }
  void CurrentTimeValidationEnabled(bool value) const { call(netrt_chain_building_parameters_set_current_time_validation_enabled, value); }
  bool RevocationCheckEnabled() const { return get_value<bool>(netrt_chain_building_parameters_get_revocation_check_enabled); }
  void RevocationCheckEnabled(bool value) const { call(netrt_chain_building_parameters_set_revocation_check_enabled, value); }
  bool NetworkRetrievalEnabled() const { return get_value<bool>(netrt_chain_building_parameters_get_network_retrieval_enabled); }
  void NetworkRetrievalEnabled(bool value) const { call(netrt_chain_building_parameters_set_network_retrieval_enabled, value); }
  bool AuthorityInformationAccessEnabled() const {
    return get_value<bool>(netrt_chain_building_parameters_get_authority_information_access_enabled);
  }
  void AuthorityInformationAccessEnabled(bool value) const {
    call(netrt_chain_building_parameters_set_authority_information_access_enabled, value);
  }
};

// `CertificateChain`: what Certificate::BuildChainAsync produces, leaf first.
class CertificateChain : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(CertificateChain)
  // The chain; the root (self-issued top certificate) only when includeRoot.
  Foundation::Collections::IVectorView<Certificate> GetCertificates(bool includeRoot) const {
    return get_object<Foundation::Collections::IVectorView<Certificate>>(netrt_certificate_chain_get_certificates, includeRoot);
  }
  // The base policy against the system trust store: Success or the most important problem.
  ChainValidationResult Validate() const {
    return static_cast<ChainValidationResult>(get_value<netrt_chain_validation_result>(netrt_certificate_chain_validate));
  }
  ChainValidationResult Validate(ChainValidationParameters const& parameter) const {
    return static_cast<ChainValidationResult>(
        get_value<netrt_chain_validation_result>(netrt_certificate_chain_validate_with_parameters, parameter.handle()));
  }
};

// `Certificate`: `Certificate(IBuffer der)`, plus netrt's FromPem / FromPkcs12 (with a key).
class Certificate : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(Certificate)
  explicit Certificate(Storage::Streams::IBuffer const& certBlob)
      : object(take_ownership_from_abi, from_der(certBlob.data(), certBlob.Length())) {}
  // netrt convenience: from DER bytes.
  explicit Certificate(array_view<uint8_t const> der) : object(take_ownership_from_abi, from_der(der.data(), der.size())) {}

  // netrt extension: the first certificate of `chainPem` (the rest are its intermediates) and
  // its private key (`keyPem` may be empty: no key).
  static Certificate FromPem(::netrt::impl::str_in chainPem, ::netrt::impl::str_in keyPem) {
    char const* key = keyPem.c_str();
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_certificate_create_from_pem, chainPem.c_str(), *key ? key : nullptr)};
  }
  static Certificate FromPem(::netrt::impl::str_in chainPem) {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_certificate_create_from_pem, chainPem.c_str(), static_cast<char const*>(nullptr))};
  }
  // netrt extension: a PKCS#12 file's certificate and key.
  static Certificate FromPkcs12(array_view<uint8_t const> bytes, ::netrt::impl::str_in password) {
    return {take_ownership_from_abi,
            ::netrt::impl::make_handle(netrt_certificate_create_from_pkcs12, bytes.data(), static_cast<std::size_t>(bytes.size()), password.c_str())};
  }

  hstring Subject() const { return get_string(netrt_certificate_get_subject); }
  hstring Issuer() const { return get_string(netrt_certificate_get_issuer); }
  // netrt extension: the full subject DN.
  hstring SubjectDistinguishedName() const { return get_string(netrt_certificate_get_subject_distinguished_name); }
  std::vector<uint8_t> SerialNumber() const {
    return ::netrt::impl::read_bytes([&](uint8_t* b, std::size_t l, std::size_t* n) { return netrt_certificate_get_serial_number(handle(), b, l, n); });
  }
  DateTime ValidFrom() const { return DateTime(TimeSpan(get_value<int64_t>(netrt_certificate_get_valid_from))); }
  DateTime ValidTo() const { return DateTime(TimeSpan(get_value<int64_t>(netrt_certificate_get_valid_to))); }
  std::vector<uint8_t> GetHashValue() const {
    return ::netrt::impl::read_bytes([&](uint8_t* b, std::size_t l, std::size_t* n) { return netrt_certificate_get_hash_value(handle(), b, l, n); });
  }
  std::vector<uint8_t> GetHashValue(::netrt::impl::str_in hashAlgorithmName) const {
    return ::netrt::impl::read_bytes([&](uint8_t* b, std::size_t l, std::size_t* n) {
      return netrt_certificate_get_hash_value_with_algorithm(handle(), hashAlgorithmName.c_str(), b, l, n);
    });
  }
  bool HasPrivateKey() const { return get_value<bool>(netrt_certificate_get_has_private_key); }
  bool IsSelfSigned() const { return get_value<bool>(netrt_certificate_get_is_self_signed); }
  // As Windows spells them: "sha256ECDSA" / "SHA256" / "ECDSA_P256", "sha384RSA" / "SHA384" / "RSA".
  hstring SignatureAlgorithmName() const { return get_string(netrt_certificate_get_signature_algorithm_name); }
  hstring SignatureHashAlgorithmName() const { return get_string(netrt_certificate_get_signature_hash_algorithm_name); }
  hstring KeyAlgorithmName() const { return get_string(netrt_certificate_get_key_algorithm_name); }
  Certificates::CertificateKeyUsages KeyUsages() const {
    return Certificates::CertificateKeyUsages(get_value<netrt_certificate_key_usages>(netrt_certificate_get_key_usages));
  }
  // Their Linux values: false, false, false, "", "" (no key stores, no key providers, no TPM).
  bool IsStronglyProtected() const { return get_value<bool>(netrt_certificate_get_is_strongly_protected); }
  bool IsPerUser() const { return get_value<bool>(netrt_certificate_get_is_per_user); }
  bool IsSecurityDeviceBound() const { return get_value<bool>(netrt_certificate_get_is_security_device_bound); }
  hstring KeyStorageProviderName() const { return get_string(netrt_certificate_get_key_storage_provider_name); }
  hstring StoreName() const { return get_string(netrt_certificate_get_store_name); }
  // The chain from this certificate to a root, from `certificates` (any range of Certificate),
  // its own intermediates and the system trust store.
  template <class Range>
  Foundation::IAsyncOperation<CertificateChain> BuildChainAsync(Range const& certificates) const;
  Foundation::IAsyncOperation<CertificateChain> BuildChainAsync(std::initializer_list<Certificate> certificates) const;
  // The same, with what `parameters` ask (copied when called; the chain's Validate applies them).
  template <class Range>
  Foundation::IAsyncOperation<CertificateChain> BuildChainAsync(Range const& certificates,
                                                                ChainBuildingParameters const& parameters) const;
  Foundation::IAsyncOperation<CertificateChain> BuildChainAsync(std::initializer_list<Certificate> certificates,
                                                                ChainBuildingParameters const& parameters) const;
  // The EKU OIDs ("1.3.6.1.5.5.7.3.1" = server authentication).
  Foundation::Collections::IVectorView<hstring> EnhancedKeyUsages() const {
    return get_object<Foundation::Collections::IVectorView<hstring>>(netrt_certificate_get_enhanced_key_usages);
  }
  Certificates::SubjectAlternativeNameInfo SubjectAlternativeName() const {
    return get_object<Certificates::SubjectAlternativeNameInfo>(netrt_certificate_get_subject_alternative_name);
  }
  // netrt extension: the certificate alone as PEM.
  hstring ExportPem() const { return get_string(netrt_certificate_export_pem); }
  // The DER encoding, as a new Buffer.
  Storage::Streams::IBuffer GetCertificateBlob() const {
    std::vector<uint8_t> der =
        ::netrt::impl::read_bytes([&](uint8_t* b, std::size_t l, std::size_t* n) { return netrt_certificate_get_certificate_blob(handle(), b, l, n); });
    Storage::Streams::Buffer buffer(static_cast<uint32_t>(der.size()));
    if (!der.empty()) std::memcpy(buffer.data(), der.data(), der.size());
    buffer.Length(static_cast<uint32_t>(der.size()));
    return buffer;
  }

 private:
  static netrt_handle from_der(uint8_t const* data, uint32_t size) {
    return ::netrt::impl::make_handle(netrt_certificate_create, data, static_cast<std::size_t>(size));
  }
  template <class It>
  Foundation::IAsyncOperation<CertificateChain> build_chain(It first, It last, ChainBuildingParameters const* parameters = nullptr) const {
    std::vector<netrt_handle> handles;
    for (; first != last; ++first) handles.push_back(static_cast<Certificate const&>(*first).handle());
    if (parameters) {
      return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_certificate_build_chain_with_parameters_async, handle(),
                                                                  handles.data(), handles.size(), parameters->handle())};
    }
    return {take_ownership_from_abi,
            ::netrt::impl::make_handle(netrt_certificate_build_chain_async, handle(), handles.data(), handles.size())};
  }
};

template <class Range>
Foundation::IAsyncOperation<CertificateChain> Certificate::BuildChainAsync(Range const& certificates) const {
  return build_chain(std::begin(certificates), std::end(certificates));
}
inline Foundation::IAsyncOperation<CertificateChain> Certificate::BuildChainAsync(std::initializer_list<Certificate> certificates) const {
  return build_chain(certificates.begin(), certificates.end());
}

template <class Range>
Foundation::IAsyncOperation<CertificateChain> Certificate::BuildChainAsync(Range const& certificates,
                                                                           ChainBuildingParameters const& parameters) const {
  return build_chain(std::begin(certificates), std::end(certificates), &parameters);
}

inline Foundation::IAsyncOperation<CertificateChain> Certificate::BuildChainAsync(std::initializer_list<Certificate> certificates,
                                                                                  ChainBuildingParameters const& parameters) const {
  return build_chain(certificates.begin(), certificates.end(), &parameters);
}

inline Foundation::Collections::IVector<Certificate> ChainBuildingParameters::ExclusiveTrustRoots() const {
  return get_object<Foundation::Collections::IVector<Certificate>>(netrt_chain_building_parameters_get_exclusive_trust_roots);
}

}  // namespace Windows::Security::Cryptography::Certificates

// ---------------------------------------------------------------------------------------------
// Windows.Networking.Sockets
// ---------------------------------------------------------------------------------------------

namespace Windows::Networking::Sockets {

using ::netrt::Windows::Foundation::IAsyncAction;
using ::netrt::Windows::Foundation::IAsyncOperation;
using ::netrt::Windows::Foundation::TimeSpan;
using ::netrt::Windows::Foundation::TypedEventHandler;
using ::netrt::Windows::Foundation::Collections::IVector;
using ::netrt::Windows::Foundation::Collections::IVectorView;
using ::netrt::Windows::Security::Cryptography::Certificates::Certificate;
using ::netrt::Windows::Security::Cryptography::Certificates::ChainValidationResult;
using ::netrt::Windows::Storage::Streams::IBuffer;
using ::netrt::Windows::Storage::Streams::IInputStream;
using ::netrt::Windows::Storage::Streams::IOutputStream;

// `StreamSocketControl`: set before connecting.
class StreamSocketControl : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StreamSocketControl)
  bool NoDelay() const { return get_value<bool>(netrt_stream_socket_control_get_no_delay); }
  void NoDelay(bool value) const { call(netrt_stream_socket_control_set_no_delay, value); }
  bool KeepAlive() const { return get_value<bool>(netrt_stream_socket_control_get_keep_alive); }
  void KeepAlive(bool value) const { call(netrt_stream_socket_control_set_keep_alive, value); }
  uint32_t OutboundBufferSizeInBytes() const { return get_value<uint32_t>(netrt_stream_socket_control_get_outbound_buffer_size_in_bytes); }
  void OutboundBufferSizeInBytes(uint32_t value) const { call(netrt_stream_socket_control_set_outbound_buffer_size_in_bytes, value); }
  SocketQualityOfService QualityOfService() const {
    return static_cast<SocketQualityOfService>(get_value<netrt_socket_quality_of_service>(netrt_stream_socket_control_get_quality_of_service));
  }
  void QualityOfService(SocketQualityOfService value) const { call(netrt_stream_socket_control_set_quality_of_service, static_cast<int32_t>(value)); }
  uint8_t OutboundUnicastHopLimit() const { return get_value<uint8_t>(netrt_stream_socket_control_get_outbound_unicast_hop_limit); }
  void OutboundUnicastHopLimit(uint8_t value) const { call(netrt_stream_socket_control_set_outbound_unicast_hop_limit, value); }
  bool SerializeConnectionAttempts() const { return get_value<bool>(netrt_stream_socket_control_get_serialize_connection_attempts); }
  void SerializeConnectionAttempts(bool value) const { call(netrt_stream_socket_control_set_serialize_connection_attempts, value); }
  // netrt extension (0 = the system's TCP connect timeout).
  TimeSpan ConnectTimeout() const { return TimeSpan(get_value<int64_t>(netrt_stream_socket_control_get_connect_timeout)); }
  void ConnectTimeout(TimeSpan value) const { call(netrt_stream_socket_control_set_connect_timeout, static_cast<int64_t>(value.count())); }

  // TLS.
  Certificate ClientCertificate() const { return get_object<Certificate>(netrt_stream_socket_control_get_client_certificate); }
  void ClientCertificate(Certificate const& value) const { call(netrt_stream_socket_control_set_client_certificate, value.handle()); }
  IVector<ChainValidationResult> IgnorableServerCertificateErrors() const {
    return get_object<IVector<ChainValidationResult>>(netrt_stream_socket_control_get_ignorable_server_certificate_errors);
  }
  SocketProtectionLevel MinProtectionLevel() const {
    return static_cast<SocketProtectionLevel>(get_value<netrt_socket_protection_level>(netrt_stream_socket_control_get_min_protection_level));
  }
  void MinProtectionLevel(SocketProtectionLevel value) const { call(netrt_stream_socket_control_set_min_protection_level, static_cast<int32_t>(value)); }
  // netrt extensions.
  IVector<Certificate> TrustedRootCertificates() const {
    return get_object<IVector<Certificate>>(netrt_stream_socket_control_get_trusted_root_certificates);
  }
  IVector<hstring> ApplicationProtocols() const { return get_object<IVector<hstring>>(netrt_stream_socket_control_get_application_protocols); }
  IVector<IBuffer> CertificateRevocationLists() const {
    return get_object<IVector<IBuffer>>(netrt_stream_socket_control_get_certificate_revocation_lists);
  }
  TimeSpan TlsHandshakeTimeout() const { return TimeSpan(get_value<int64_t>(netrt_stream_socket_control_get_tls_handshake_timeout)); }
  void TlsHandshakeTimeout(TimeSpan value) const { call(netrt_stream_socket_control_set_tls_handshake_timeout, static_cast<int64_t>(value.count())); }
};

// `StreamSocketInformation` (a live view).
class StreamSocketInformation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StreamSocketInformation)
  HostName LocalAddress() const { return get_object<HostName>(netrt_stream_socket_information_get_local_address); }
  hstring LocalPort() const { return get_string(netrt_stream_socket_information_get_local_port); }
  HostName RemoteAddress() const { return get_object<HostName>(netrt_stream_socket_information_get_remote_address); }
  hstring RemotePort() const { return get_string(netrt_stream_socket_information_get_remote_port); }
  HostName RemoteHostName() const { return get_object<HostName>(netrt_stream_socket_information_get_remote_host_name); }
  hstring RemoteServiceName() const { return get_string(netrt_stream_socket_information_get_remote_service_name); }
  SocketProtectionLevel ProtectionLevel() const {
    return static_cast<SocketProtectionLevel>(get_value<netrt_socket_protection_level>(netrt_stream_socket_information_get_protection_level));
  }
  Sockets::RoundTripTimeStatistics RoundTripTimeStatistics() const {
    auto s = get_value<netrt_round_trip_time_statistics>(netrt_stream_socket_information_get_round_trip_time_statistics);
    return {s.variance, s.max, s.min, s.sum};
  }
  Sockets::BandwidthStatistics BandwidthStatistics() const {
    auto s = get_value<netrt_bandwidth_statistics>(netrt_stream_socket_information_get_bandwidth_statistics);
    return {s.outbound_bits_per_second,
            s.inbound_bits_per_second,
            s.outbound_bits_per_second_instability,
            s.inbound_bits_per_second_instability,
            s.outbound_bandwidth_peaked,
            s.inbound_bandwidth_peaked};
  }

  // TLS.
  Certificate ServerCertificate() const { return get_object<Certificate>(netrt_stream_socket_information_get_server_certificate); }
  IVectorView<Certificate> ServerIntermediateCertificates() const {
    return get_object<IVectorView<Certificate>>(netrt_stream_socket_information_get_server_intermediate_certificates);
  }
  IVectorView<ChainValidationResult> ServerCertificateErrors() const {
    return get_object<IVectorView<ChainValidationResult>>(netrt_stream_socket_information_get_server_certificate_errors);
  }
  SocketSslErrorSeverity ServerCertificateErrorSeverity() const {
    return static_cast<SocketSslErrorSeverity>(
        get_value<netrt_socket_ssl_error_severity>(netrt_stream_socket_information_get_server_certificate_error_severity));
  }
  // netrt extensions.
  TlsVersion NegotiatedTlsVersion() const {
    return static_cast<TlsVersion>(get_value<uint16_t>(netrt_stream_socket_information_get_negotiated_tls_version));
  }
  hstring CipherSuite() const { return get_string(netrt_stream_socket_information_get_cipher_suite); }
  hstring ApplicationProtocol() const { return get_string(netrt_stream_socket_information_get_application_protocol); }
  hstring ServerName() const { return get_string(netrt_stream_socket_information_get_server_name); }
  Certificate ClientCertificate() const { return get_object<Certificate>(netrt_stream_socket_information_get_client_certificate); }
};

// `StreamSocket`: a TCP connection (TLS per protection level).
// `SocketActivityContext(IBuffer data)`: bytes an app gives TransferOwnership and gets back
// from SocketActivityInformation.Context (at most 16 KiB).
class SocketActivityContext {
 public:
  SocketActivityContext(std::nullptr_t) noexcept {}
  explicit SocketActivityContext(::netrt::Windows::Storage::Streams::IBuffer const& data) {
    uint32_t n = data.Length();
    if (n) m_data.assign(data.data(), data.data() + n);
  }
  // netrt: from bytes already in memory (what Information reads back).
  explicit SocketActivityContext(std::vector<uint8_t> data) noexcept : m_data(std::move(data)) {}
  ::netrt::Windows::Storage::Streams::IBuffer Data() const {
    ::netrt::Windows::Storage::Streams::Buffer b(static_cast<uint32_t>(m_data.size()));
    if (!m_data.empty()) std::memcpy(b.data(), m_data.data(), m_data.size());
    b.Length(static_cast<uint32_t>(m_data.size()));
    return b;
  }
  std::vector<uint8_t> const& bytes() const noexcept { return m_data; }

 private:
  std::vector<uint8_t> m_data;
};

// guid <-> netrt_guid for the broker's members.
namespace broker_abi {
inline netrt_guid to_abi_guid(guid const& g) noexcept {
  netrt_guid out{g.Data1, g.Data2, g.Data3, {}};
  std::memcpy(out.data4, g.Data4, sizeof out.data4);
  return out;
}
inline guid from_abi_guid(netrt_guid const& g) noexcept {
  guid out{g.data1, g.data2, g.data3, {}};
  std::memcpy(out.Data4, g.data4, sizeof out.Data4);
  return out;
}
}  // namespace broker_abi

class StreamSocket : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StreamSocket)
  StreamSocket() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_stream_socket_create)) {}

  StreamSocketControl Control() const { return get_object<StreamSocketControl>(netrt_stream_socket_get_control); }
  StreamSocketInformation Information() const { return get_object<StreamSocketInformation>(netrt_stream_socket_get_information); }
  IInputStream InputStream() const { return get_object<IInputStream>(netrt_stream_socket_get_input_stream); }
  IOutputStream OutputStream() const { return get_object<IOutputStream>(netrt_stream_socket_get_output_stream); }

  IAsyncAction ConnectAsync(HostName const& remoteHostName, ::netrt::impl::str_in remoteServiceName) const {
    return action(netrt_stream_socket_connect_async, remoteHostName.handle(), remoteServiceName.c_str());
  }
  IAsyncAction ConnectAsync(HostName const& remoteHostName, ::netrt::impl::str_in remoteServiceName, SocketProtectionLevel protectionLevel) const {
    return action(netrt_stream_socket_connect_with_protection_level_async, remoteHostName.handle(), remoteServiceName.c_str(),
                  static_cast<int32_t>(protectionLevel));
  }
  IAsyncAction ConnectAsync(EndpointPair const& endpointPair) const {
    return action(netrt_stream_socket_connect_with_endpoint_pair_async, endpointPair.handle());
  }
  IAsyncAction ConnectAsync(EndpointPair const& endpointPair, SocketProtectionLevel protectionLevel) const {
    return action(netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async, endpointPair.handle(),
                  static_cast<int32_t>(protectionLevel));
  }
  IAsyncAction UpgradeToSslAsync(SocketProtectionLevel protectionLevel, HostName const& validationHostName) const {
    return action(netrt_stream_socket_upgrade_to_ssl_async, static_cast<int32_t>(protectionLevel), validationHostName.handle());
  }
  // netrt extension: server-side STARTTLS on an accepted socket.
  IAsyncAction UpgradeToSslAsServerAsync(SocketProtectionLevel protectionLevel, Certificate const& serverCertificate) const {
    return action(netrt_stream_socket_upgrade_to_ssl_as_server_async, static_cast<int32_t>(protectionLevel), serverCertificate.handle());
  }
  IAsyncAction CancelIOAsync() const { return action(netrt_stream_socket_cancel_io_async); }
  void Close() const { call(netrt_close); }

  // The socket broker (docs/broker.md): before ConnectAsync, then to hand the socket over.
  void EnableTransferOwnership(guid const& taskId) const {
    netrt_guid g = broker_abi::to_abi_guid(taskId);
    call(netrt_stream_socket_enable_transfer_ownership, static_cast<netrt_guid const*>(&g));
  }
  void EnableTransferOwnership(guid const& taskId, SocketActivityConnectedStandbyAction connectedStandbyAction) const {
    netrt_guid g = broker_abi::to_abi_guid(taskId);
    call(netrt_stream_socket_enable_transfer_ownership_with_connected_standby_action, static_cast<netrt_guid const*>(&g),
         static_cast<int32_t>(connectedStandbyAction));
  }
  void TransferOwnership(::netrt::impl::str_in socketId) const { call(netrt_stream_socket_transfer_ownership, socketId.c_str()); }
  void TransferOwnership(::netrt::impl::str_in socketId, SocketActivityContext const& data) const {
    call(netrt_stream_socket_transfer_ownership_with_context, socketId.c_str(), data.bytes().data(), data.bytes().size());
  }
  void TransferOwnership(::netrt::impl::str_in socketId, SocketActivityContext const& data,
                         ::netrt::Windows::Foundation::TimeSpan keepAliveTime) const {
    call(netrt_stream_socket_transfer_ownership_with_context_and_keep_alive_time, socketId.c_str(), data.bytes().data(),
         data.bytes().size(), static_cast<int64_t>(keepAliveTime.count()));
  }

 private:
  template <class F, class... A>
  IAsyncAction action(F f, A... args) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(f, handle(), args...)};
  }
};

class StreamSocketListener;
class DatagramSocket;

// `SocketActivityInformation`: a socket the broker holds; StreamSocket() takes it back.
class SocketActivityInformation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(SocketActivityInformation)
  hstring Id() const { return get_string(netrt_socket_activity_information_get_id); }
  guid TaskId() const {
    return broker_abi::from_abi_guid(get_value<netrt_guid>(netrt_socket_activity_information_get_task_id));
  }
  Sockets::SocketActivityKind SocketKind() const {
    return static_cast<Sockets::SocketActivityKind>(get_value<netrt_socket_activity_kind>(netrt_socket_activity_information_get_socket_kind));
  }
  SocketActivityContext Context() const {
    std::vector<uint8_t> bytes(16 * 1024);
    std::size_t needed = 0;
    check_hresult(netrt_socket_activity_information_get_context(handle(), bytes.data(), bytes.size(), &needed));
    bytes.resize(needed);
    return SocketActivityContext(std::move(bytes));
  }
  Sockets::StreamSocket StreamSocket() const { return get_object<Sockets::StreamSocket>(netrt_socket_activity_information_get_stream_socket); }
  // Take the listener / datagram socket back (defined once those classes are complete).
  Sockets::StreamSocketListener StreamSocketListener() const;
  Sockets::DatagramSocket DatagramSocket() const;
  // `AllSockets` (static): every socket the broker holds for this user, by id (a snapshot).
  static ::netrt::Windows::Foundation::Collections::IMapView<hstring, SocketActivityInformation> AllSockets() {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_socket_activity_information_get_all_sockets)};
  }
};

// `SocketActivityTriggerDetails`: why the broker started the task, and which socket.
class SocketActivityTriggerDetails : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(SocketActivityTriggerDetails)
  SocketActivityTriggerReason Reason() const {
    return static_cast<SocketActivityTriggerReason>(
        get_value<netrt_socket_activity_trigger_reason>(netrt_socket_activity_trigger_details_get_reason));
  }
  Sockets::SocketActivityInformation SocketInformation() const {
    return get_object<Sockets::SocketActivityInformation>(netrt_socket_activity_trigger_details_get_socket_information);
  }
  static constexpr netrt_kind abi_kind = NETRT_KIND_SOCKET_ACTIVITY_TRIGGER_DETAILS;
  // C++/WinRT code reads TriggerDetails().as<SocketActivityTriggerDetails>() (or
  // as<IControlChannelTriggerEventDetails>() in a ControlChannelTrigger's task): the details'
  // class is checked, E_NOINTERFACE when it is another.
  template <class T>
  T as() const {
    netrt_kind kind{};
    check_hresult(netrt_get_kind(handle(), &kind));
    if (kind != T::abi_kind) throw_hresult(NETRT_E_NOINTERFACE, "the trigger details are of another class");
    return T(take_ownership_from_abi, ::netrt::impl::duplicate(handle()));
  }
};

// `StreamSocketListenerConnectionReceivedEventArgs`.
class StreamSocketListenerConnectionReceivedEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StreamSocketListenerConnectionReceivedEventArgs)
  // The accepted socket (every call refers to the same one; not taking it closes it).
  StreamSocket Socket() const { return get_object<StreamSocket>(netrt_stream_socket_listener_connection_received_event_args_get_socket); }
};

// `StreamSocketListenerControl`: applies to accepted sockets; set before binding.
class StreamSocketListenerControl : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StreamSocketListenerControl)
  bool NoDelay() const { return get_value<bool>(netrt_stream_socket_listener_control_get_no_delay); }
  void NoDelay(bool value) const { call(netrt_stream_socket_listener_control_set_no_delay, value); }
  bool KeepAlive() const { return get_value<bool>(netrt_stream_socket_listener_control_get_keep_alive); }
  void KeepAlive(bool value) const { call(netrt_stream_socket_listener_control_set_keep_alive, value); }
  uint32_t OutboundBufferSizeInBytes() const { return get_value<uint32_t>(netrt_stream_socket_listener_control_get_outbound_buffer_size_in_bytes); }
  void OutboundBufferSizeInBytes(uint32_t value) const { call(netrt_stream_socket_listener_control_set_outbound_buffer_size_in_bytes, value); }
  SocketQualityOfService QualityOfService() const {
    return static_cast<SocketQualityOfService>(get_value<netrt_socket_quality_of_service>(netrt_stream_socket_listener_control_get_quality_of_service));
  }
  void QualityOfService(SocketQualityOfService value) const {
    call(netrt_stream_socket_listener_control_set_quality_of_service, static_cast<int32_t>(value));
  }
  uint8_t OutboundUnicastHopLimit() const { return get_value<uint8_t>(netrt_stream_socket_listener_control_get_outbound_unicast_hop_limit); }
  void OutboundUnicastHopLimit(uint8_t value) const { call(netrt_stream_socket_listener_control_set_outbound_unicast_hop_limit, value); }
  // netrt extensions (TLS listeners).
  Certificate ServerCertificate() const { return get_object<Certificate>(netrt_stream_socket_listener_control_get_server_certificate); }
  void ServerCertificate(Certificate const& value) const { call(netrt_stream_socket_listener_control_set_server_certificate, value.handle()); }
  Sockets::ClientCertificateMode ClientCertificateMode() const {
    return static_cast<Sockets::ClientCertificateMode>(
        get_value<netrt_client_certificate_mode>(netrt_stream_socket_listener_control_get_client_certificate_mode));
  }
  void ClientCertificateMode(Sockets::ClientCertificateMode value) const {
    call(netrt_stream_socket_listener_control_set_client_certificate_mode, static_cast<int32_t>(value));
  }
  IVector<Certificate> TrustedRootCertificates() const {
    return get_object<IVector<Certificate>>(netrt_stream_socket_listener_control_get_trusted_root_certificates);
  }
  // How long each client of a TLS listener has to complete its handshake (default 30 s; 0 = no
  // limit); set before binding.
  TimeSpan TlsHandshakeTimeout() const {
    return TimeSpan(get_value<int64_t>(netrt_stream_socket_listener_control_get_tls_handshake_timeout));
  }
  void TlsHandshakeTimeout(TimeSpan value) const {
    call(netrt_stream_socket_listener_control_set_tls_handshake_timeout, static_cast<int64_t>(value.count()));
  }
};

// `StreamSocketListenerInformation`.
class StreamSocketListenerInformation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StreamSocketListenerInformation)
  hstring LocalPort() const { return get_string(netrt_stream_socket_listener_information_get_local_port); }
};

// `StreamSocketListener`: attach ConnectionReceived before binding.
class StreamSocketListener : public ::netrt::impl::object {
 public:
  StreamSocketListener(std::nullptr_t) noexcept {}
  StreamSocketListener(take_ownership_from_abi_t, netrt_handle h)
      : object(take_ownership_from_abi, h), m_events(::netrt::impl::make_registry(h)) {}
  StreamSocketListener() : StreamSocketListener(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_stream_socket_listener_create)) {}

  StreamSocketListenerControl Control() const { return get_object<StreamSocketListenerControl>(netrt_stream_socket_listener_get_control); }
  StreamSocketListenerInformation Information() const {
    return get_object<StreamSocketListenerInformation>(netrt_stream_socket_listener_get_information);
  }
  // "" picks an ephemeral port (read it from Information().LocalPort()).
  IAsyncAction BindServiceNameAsync(::netrt::impl::str_in localServiceName) const {
    return action(netrt_stream_socket_listener_bind_service_name_async, localServiceName.c_str());
  }
  IAsyncAction BindServiceNameAsync(::netrt::impl::str_in localServiceName, SocketProtectionLevel protectionLevel) const {
    return action(netrt_stream_socket_listener_bind_service_name_with_protection_level_async, localServiceName.c_str(),
                  static_cast<int32_t>(protectionLevel));
  }
  IAsyncAction BindEndpointAsync(HostName const& localHostName, ::netrt::impl::str_in localServiceName) const {
    return action(netrt_stream_socket_listener_bind_endpoint_async, localHostName.handle(), localServiceName.c_str());
  }
  // netrt extension: one local address with a protection level (a TLS server on 127.0.0.1 only).
  IAsyncAction BindEndpointAsync(HostName const& localHostName, ::netrt::impl::str_in localServiceName,
                                 SocketProtectionLevel protectionLevel) const {
    return action(netrt_stream_socket_listener_bind_endpoint_with_protection_level_async, localHostName.handle(),
                  localServiceName.c_str(), static_cast<int32_t>(protectionLevel));
  }
  IAsyncAction CancelIOAsync() const { return action(netrt_stream_socket_listener_cancel_io_async); }
  void Close() const { call(netrt_close); }

  // The socket broker (docs/broker.md): before binding, then to hand the listener over.
  void EnableTransferOwnership(guid const& taskId) const {
    netrt_guid g = broker_abi::to_abi_guid(taskId);
    call(netrt_stream_socket_listener_enable_transfer_ownership, static_cast<netrt_guid const*>(&g));
  }
  void TransferOwnership(::netrt::impl::str_in socketId) const {
    call(netrt_stream_socket_listener_transfer_ownership, socketId.c_str(), static_cast<uint8_t const*>(nullptr), std::size_t{0});
  }
  void TransferOwnership(::netrt::impl::str_in socketId, SocketActivityContext const& data) const {
    call(netrt_stream_socket_listener_transfer_ownership, socketId.c_str(), data.bytes().data(), data.bytes().size());
  }

  using ConnectionReceived_revoker = ::netrt::event_revoker;
  // Handlers run on netrt's dispatcher thread. A handler is removed when revoked, or when the
  // last copy of the StreamSocketListener it was registered through is gone.
  event_token ConnectionReceived(TypedEventHandler<StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs> const& handler) const {
    return registry().add(netrt_stream_socket_listener_add_connection_received, netrt_stream_socket_listener_remove_connection_received,
                          [handler](netrt_handle sender, netrt_handle args) {
                            StreamSocketListener s(take_ownership_from_abi, ::netrt::impl::duplicate(sender));
                            StreamSocketListenerConnectionReceivedEventArgs a(take_ownership_from_abi, ::netrt::impl::duplicate(args));
                            handler(s, a);
                          });
  }
  ConnectionReceived_revoker ConnectionReceived(
      auto_revoke_t, TypedEventHandler<StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs> const& handler) const {
    event_token token = ConnectionReceived(handler);
    return {m_events, token, netrt_stream_socket_listener_remove_connection_received};
  }
  void ConnectionReceived(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, netrt_stream_socket_listener_remove_connection_received);
  }

 private:
  ::netrt::impl::event_registry& registry() const {
    if (!m_events) throw_hresult(NETRT_E_POINTER, "StreamSocketListener is empty");
    return *m_events;
  }
  template <class F, class... A>
  IAsyncAction action(F f, A... args) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(f, handle(), args...)};
  }
  std::shared_ptr<::netrt::impl::event_registry> m_events;
};

// `DatagramSocketControl`: set before binding (OutboundUnicastHopLimit may change later).
class DatagramSocketControl : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(DatagramSocketControl)
  bool DontFragment() const { return get_value<bool>(netrt_datagram_socket_control_get_dont_fragment); }
  void DontFragment(bool value) const { call(netrt_datagram_socket_control_set_dont_fragment, value); }
  uint32_t InboundBufferSizeInBytes() const { return get_value<uint32_t>(netrt_datagram_socket_control_get_inbound_buffer_size_in_bytes); }
  void InboundBufferSizeInBytes(uint32_t value) const { call(netrt_datagram_socket_control_set_inbound_buffer_size_in_bytes, value); }
  bool MulticastOnly() const { return get_value<bool>(netrt_datagram_socket_control_get_multicast_only); }
  void MulticastOnly(bool value) const { call(netrt_datagram_socket_control_set_multicast_only, value); }
  SocketQualityOfService QualityOfService() const {
    return static_cast<SocketQualityOfService>(get_value<netrt_socket_quality_of_service>(netrt_datagram_socket_control_get_quality_of_service));
  }
  void QualityOfService(SocketQualityOfService value) const { call(netrt_datagram_socket_control_set_quality_of_service, static_cast<int32_t>(value)); }
  uint8_t OutboundUnicastHopLimit() const { return get_value<uint8_t>(netrt_datagram_socket_control_get_outbound_unicast_hop_limit); }
  void OutboundUnicastHopLimit(uint8_t value) const { call(netrt_datagram_socket_control_set_outbound_unicast_hop_limit, value); }
};

// `DatagramSocketInformation` (a live view).
class DatagramSocketInformation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(DatagramSocketInformation)
  HostName LocalAddress() const { return get_object<HostName>(netrt_datagram_socket_information_get_local_address); }
  hstring LocalPort() const { return get_string(netrt_datagram_socket_information_get_local_port); }
  HostName RemoteAddress() const { return get_object<HostName>(netrt_datagram_socket_information_get_remote_address); }
  hstring RemotePort() const { return get_string(netrt_datagram_socket_information_get_remote_port); }
};

// `DatagramSocketMessageReceivedEventArgs`.
class DatagramSocketMessageReceivedEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(DatagramSocketMessageReceivedEventArgs)
  HostName RemoteAddress() const { return get_object<HostName>(netrt_datagram_socket_message_received_event_args_get_remote_address); }
  hstring RemotePort() const { return get_string(netrt_datagram_socket_message_received_event_args_get_remote_port); }
  HostName LocalAddress() const { return get_object<HostName>(netrt_datagram_socket_message_received_event_args_get_local_address); }
  // A DataReader over the datagram, all of it loaded.
  Storage::Streams::DataReader GetDataReader() const {
    std::vector<uint8_t> data = ::netrt::impl::read_bytes(
        [&](uint8_t* b, std::size_t l, std::size_t* n) { return netrt_datagram_socket_message_received_event_args_get_data(handle(), b, l, n); });
    Storage::Streams::Buffer buffer(static_cast<uint32_t>(data.size()));
    if (!data.empty()) std::memcpy(buffer.data(), data.data(), data.size());
    buffer.Length(static_cast<uint32_t>(data.size()));
    return Storage::Streams::DataReader::FromBuffer(buffer);
  }
};

// `DatagramSocket`: attach MessageReceived before binding or connecting.
class DatagramSocket : public ::netrt::impl::object {
 public:
  DatagramSocket(std::nullptr_t) noexcept {}
  DatagramSocket(take_ownership_from_abi_t, netrt_handle h) : object(take_ownership_from_abi, h), m_events(::netrt::impl::make_registry(h)) {}
  DatagramSocket() : DatagramSocket(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_datagram_socket_create)) {}

  DatagramSocketControl Control() const { return get_object<DatagramSocketControl>(netrt_datagram_socket_get_control); }
  DatagramSocketInformation Information() const { return get_object<DatagramSocketInformation>(netrt_datagram_socket_get_information); }
  IOutputStream OutputStream() const { return get_object<IOutputStream>(netrt_datagram_socket_get_output_stream); }

  IAsyncAction BindServiceNameAsync(::netrt::impl::str_in localServiceName) const {
    return action(netrt_datagram_socket_bind_service_name_async, localServiceName.c_str());
  }
  IAsyncAction BindEndpointAsync(HostName const& localHostName, ::netrt::impl::str_in localServiceName) const {
    return action(netrt_datagram_socket_bind_endpoint_async, localHostName.handle(), localServiceName.c_str());
  }
  IAsyncAction ConnectAsync(HostName const& remoteHostName, ::netrt::impl::str_in remoteServiceName) const {
    return action(netrt_datagram_socket_connect_async, remoteHostName.handle(), remoteServiceName.c_str());
  }
  IAsyncAction ConnectAsync(EndpointPair const& endpointPair) const {
    return action(netrt_datagram_socket_connect_with_endpoint_pair_async, endpointPair.handle());
  }
  IAsyncOperation<IOutputStream> GetOutputStreamAsync(HostName const& remoteHostName, ::netrt::impl::str_in remoteServiceName) const {
    return {take_ownership_from_abi,
            ::netrt::impl::make_handle(netrt_datagram_socket_get_output_stream_async, handle(), remoteHostName.handle(), remoteServiceName.c_str())};
  }
  IAsyncOperation<IOutputStream> GetOutputStreamAsync(EndpointPair const& endpointPair) const {
    return {take_ownership_from_abi,
            ::netrt::impl::make_handle(netrt_datagram_socket_get_output_stream_with_endpoint_pair_async, handle(), endpointPair.handle())};
  }
  void JoinMulticastGroup(HostName const& host) const { call(netrt_datagram_socket_join_multicast_group, host.handle()); }
  IAsyncAction CancelIOAsync() const { return action(netrt_datagram_socket_cancel_io_async); }
  void Close() const { call(netrt_close); }

  // The socket broker (docs/broker.md): before binding or connecting, then to hand it over.
  void EnableTransferOwnership(guid const& taskId) const {
    netrt_guid g = broker_abi::to_abi_guid(taskId);
    call(netrt_datagram_socket_enable_transfer_ownership, static_cast<netrt_guid const*>(&g));
  }
  void TransferOwnership(::netrt::impl::str_in socketId) const {
    call(netrt_datagram_socket_transfer_ownership, socketId.c_str(), static_cast<uint8_t const*>(nullptr), std::size_t{0}, int64_t{0});
  }
  void TransferOwnership(::netrt::impl::str_in socketId, SocketActivityContext const& data) const {
    call(netrt_datagram_socket_transfer_ownership, socketId.c_str(), data.bytes().data(), data.bytes().size(), int64_t{0});
  }
  void TransferOwnership(::netrt::impl::str_in socketId, SocketActivityContext const& data,
                         ::netrt::Windows::Foundation::TimeSpan keepAliveTime) const {
    call(netrt_datagram_socket_transfer_ownership, socketId.c_str(), data.bytes().data(), data.bytes().size(),
         static_cast<int64_t>(keepAliveTime.count()));
  }

  using MessageReceived_revoker = ::netrt::event_revoker;
  event_token MessageReceived(TypedEventHandler<DatagramSocket, DatagramSocketMessageReceivedEventArgs> const& handler) const {
    return registry().add(netrt_datagram_socket_add_message_received, netrt_datagram_socket_remove_message_received,
                          [handler](netrt_handle sender, netrt_handle args) {
                            DatagramSocket s(take_ownership_from_abi, ::netrt::impl::duplicate(sender));
                            DatagramSocketMessageReceivedEventArgs a(take_ownership_from_abi, ::netrt::impl::duplicate(args));
                            handler(s, a);
                          });
  }
  MessageReceived_revoker MessageReceived(auto_revoke_t,
                                          TypedEventHandler<DatagramSocket, DatagramSocketMessageReceivedEventArgs> const& handler) const {
    event_token token = MessageReceived(handler);
    return {m_events, token, netrt_datagram_socket_remove_message_received};
  }
  void MessageReceived(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, netrt_datagram_socket_remove_message_received);
  }

 private:
  ::netrt::impl::event_registry& registry() const {
    if (!m_events) throw_hresult(NETRT_E_POINTER, "DatagramSocket is empty");
    return *m_events;
  }
  template <class F, class... A>
  IAsyncAction action(F f, A... args) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(f, handle(), args...)};
  }
  std::shared_ptr<::netrt::impl::event_registry> m_events;
};

inline StreamSocketListener SocketActivityInformation::StreamSocketListener() const {
  return get_object<Sockets::StreamSocketListener>(netrt_socket_activity_information_get_stream_socket_listener);
}
inline DatagramSocket SocketActivityInformation::DatagramSocket() const {
  return get_object<Sockets::DatagramSocket>(netrt_socket_activity_information_get_datagram_socket);
}

}  // namespace Windows::Networking::Sockets

// The types are also reachable directly as netrt::StreamSocket etc.
using Windows::Foundation::AsyncStatus;
using Windows::Foundation::DateTime;
using Windows::Foundation::TimeSpan;
using Windows::Foundation::TypedEventHandler;
using Windows::Foundation::Collections::IVector;
using Windows::Foundation::Collections::IVectorView;
using Windows::Networking::EndpointPair;
using Windows::Networking::HostName;
using Windows::Networking::HostNameType;
using Windows::Networking::Connectivity::IPInformation;
using Windows::Networking::Sockets::BandwidthStatistics;
using Windows::Networking::Sockets::ClientCertificateMode;
using Windows::Networking::Sockets::DatagramSocket;
using Windows::Networking::Sockets::DatagramSocketControl;
using Windows::Networking::Sockets::DatagramSocketInformation;
using Windows::Networking::Sockets::DatagramSocketMessageReceivedEventArgs;
using Windows::Networking::Sockets::RoundTripTimeStatistics;
using Windows::Networking::Sockets::SocketError;
using Windows::Networking::Sockets::SocketErrorStatus;
using Windows::Networking::Sockets::SocketProtectionLevel;
using Windows::Networking::Sockets::SocketQualityOfService;
using Windows::Networking::Sockets::SocketSslErrorSeverity;
using Windows::Networking::Sockets::StreamSocket;
using Windows::Networking::Sockets::StreamSocketControl;
using Windows::Networking::Sockets::StreamSocketInformation;
using Windows::Networking::Sockets::StreamSocketListener;
using Windows::Networking::Sockets::StreamSocketListenerConnectionReceivedEventArgs;
using Windows::Networking::Sockets::StreamSocketListenerControl;
using Windows::Networking::Sockets::StreamSocketListenerInformation;
using Windows::Networking::Sockets::TlsVersion;
using Windows::Networking::Sockets::WebSocketError;
using Windows::Security::Cryptography::Certificates::Certificate;
using Windows::Security::Cryptography::Certificates::CertificateChain;
using Windows::Security::Cryptography::Certificates::CertificateChainPolicy;
using Windows::Security::Cryptography::Certificates::CertificateExtension;
using Windows::Security::Cryptography::Certificates::CertificateKeyUsages;
using Windows::Security::Cryptography::Certificates::ChainBuildingParameters;
using Windows::Security::Cryptography::Certificates::ChainValidationParameters;
using Windows::Security::Cryptography::Certificates::ChainValidationResult;
using Windows::Security::Cryptography::Certificates::SubjectAlternativeNameInfo;
using Windows::Storage::Streams::Buffer;
using Windows::Storage::Streams::ByteOrder;
using Windows::Storage::Streams::DataReader;
using Windows::Storage::Streams::DataReaderLoadOperation;
using Windows::Storage::Streams::DataWriter;
using Windows::Storage::Streams::DataWriterStoreOperation;
using Windows::Storage::Streams::IBuffer;
using Windows::Storage::Streams::IInputStream;
using Windows::Storage::Streams::IOutputStream;
using Windows::Storage::Streams::InputStreamOptions;
using Windows::Storage::Streams::UnicodeEncoding;
using Windows::Web::WebError;
using Windows::Web::WebErrorStatus;

}  // namespace netrt

#endif  // NETRT_IMPL_CLASSES_HPP
