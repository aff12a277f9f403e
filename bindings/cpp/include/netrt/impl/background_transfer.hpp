// Windows.Networking.BackgroundTransfer (docs/background-transfer.md): downloads and uploads
// that netrt-brokerd runs, so they outlive the app. Included by <netrt.hpp>; not for direct
// use. StartAsync/AttachAsync return IAsyncOperationWithProgress<Op, Op> whose Progress
// handler receives the operation itself (read Progress() in it), as in WinRT.
#ifndef NETRT_IMPL_BACKGROUND_TRANSFER_HPP
#define NETRT_IMPL_BACKGROUND_TRANSFER_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt::Windows::Networking::BackgroundTransfer {

using ::netrt::Windows::Foundation::IAsyncOperation;
using ::netrt::Windows::Foundation::IAsyncOperationWithProgress;
using ::netrt::Windows::Foundation::IReference;
using ::netrt::Windows::Foundation::Uri;
using ::netrt::Windows::Security::Credentials::PasswordCredential;
using ::netrt::Windows::Storage::StorageFile;
using ::netrt::Windows::Storage::Streams::IInputStream;
using ::netrt::Windows::Web::WebErrorStatus;

// `BackgroundDownloadProgress`.
struct BackgroundDownloadProgress {
  uint64_t BytesReceived{};
  uint64_t TotalBytesToReceive{};
  BackgroundTransferStatus Status{};
  bool HasResponseChanged{};
  bool HasRestarted{};
};

// `BackgroundUploadProgress`.
struct BackgroundUploadProgress {
  uint64_t BytesReceived{};
  uint64_t BytesSent{};
  uint64_t TotalBytesToReceive{};
  uint64_t TotalBytesToSend{};
  BackgroundTransferStatus Status{};
  bool HasResponseChanged{};
  bool HasRestarted{};
};

// `BackgroundTransferFileRange`.
struct BackgroundTransferFileRange {
  uint64_t Offset{};
  uint64_t Length{};
};

// `BackgroundTransferError`.
struct BackgroundTransferError {
  static WebErrorStatus GetStatus(int32_t hresult) noexcept {
    return static_cast<WebErrorStatus>(netrt_background_transfer_error_get_status(hresult));
  }
};

// `BackgroundTransferGroup`: transfers identified to the daemon by the group's name.
class BackgroundTransferGroup : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTransferGroup)
  static BackgroundTransferGroup CreateGroup(::netrt::impl::str_in name) {
    return BackgroundTransferGroup(take_ownership_from_abi,
                                   ::netrt::impl::make_handle(netrt_background_transfer_group_create_group, name.c_str()));
  }
  hstring Name() const { return get_string(netrt_background_transfer_group_get_name); }
  BackgroundTransferBehavior TransferBehavior() const {
    return static_cast<BackgroundTransferBehavior>(
        get_value<netrt_background_transfer_behavior>(netrt_background_transfer_group_get_transfer_behavior));
  }
  void TransferBehavior(BackgroundTransferBehavior value) const {
    call(netrt_background_transfer_group_set_transfer_behavior, static_cast<int32_t>(value));
  }
};

// `BackgroundTransferContentPart`: one part of a multipart upload.
class BackgroundTransferContentPart : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTransferContentPart)
  BackgroundTransferContentPart()
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_transfer_content_part_create,
                                                                   static_cast<char const*>(nullptr), static_cast<char const*>(nullptr))) {}
  explicit BackgroundTransferContentPart(::netrt::impl::str_in name)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_transfer_content_part_create, name.c_str(),
                                                                   static_cast<char const*>(nullptr))) {}
  BackgroundTransferContentPart(::netrt::impl::str_in name, ::netrt::impl::str_in fileName)
      : object(take_ownership_from_abi,
               ::netrt::impl::make_handle(netrt_background_transfer_content_part_create, name.c_str(), fileName.c_str())) {}
  void SetHeader(::netrt::impl::str_in headerName, ::netrt::impl::str_in headerValue) const {
    call(netrt_background_transfer_content_part_set_header, headerName.c_str(), headerValue.c_str());
  }
  void SetText(::netrt::impl::str_in value) const { call(netrt_background_transfer_content_part_set_text, value.c_str()); }
  void SetFile(StorageFile const& value) const { call(netrt_background_transfer_content_part_set_file, value.handle()); }
};

// `ResponseInformation.Headers`: a read-only map (Lookup throws hresult_out_of_bounds).
class ResponseHeaders {
 public:
  explicit ResponseHeaders(netrt_handle info) noexcept : m_info(info) {}
  uint32_t Size() const {
    uint32_t n = 0;
    check_hresult(netrt_response_information_get_header_count(m_info, &n));
    return n;
  }
  hstring Lookup(::netrt::impl::str_in key) const {
    int32_t hr = 0;
    std::string v = ::netrt::impl::read_utf8(
        [&](char* b, std::size_t l, std::size_t* n) { return netrt_response_information_lookup_header(m_info, key.c_str(), b, l, n); },
        hr);
    check_hresult(hr);
    return hstring(std::string_view(v));
  }
  bool HasKey(::netrt::impl::str_in key) const {
    std::size_t needed = 0;
    return netrt_response_information_lookup_header(m_info, key.c_str(), nullptr, 0, &needed) != NETRT_E_BOUNDS;
  }

 private:
  netrt_handle m_info;  // borrowed from the ResponseInformation that made it
};

// `ResponseInformation`: the final response of a transfer.
class ResponseInformation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(ResponseInformation)
  Uri ActualUri() const { return get_object<Uri>(netrt_response_information_get_actual_uri); }
  uint32_t StatusCode() const { return get_value<uint32_t>(netrt_response_information_get_status_code); }
  bool IsResumable() const { return get_value<bool>(netrt_response_information_get_is_resumable); }
  // Valid while this ResponseInformation lives.
  ResponseHeaders Headers() const { return ResponseHeaders(handle()); }
};

// `DownloadOperation`: a view of one download the daemon runs.
class DownloadOperation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(DownloadOperation)
  IAsyncOperationWithProgress<DownloadOperation, DownloadOperation> StartAsync() const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_download_operation_start_async, handle())};
  }
  IAsyncOperationWithProgress<DownloadOperation, DownloadOperation> AttachAsync() const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_download_operation_attach_async, handle())};
  }
  void Pause() const { call(netrt_download_operation_pause); }
  void Resume() const { call(netrt_download_operation_resume); }
  guid Guid() const {
    return ::netrt::Windows::Networking::Sockets::broker_abi::from_abi_guid(get_value<netrt_guid>(netrt_download_operation_get_guid));
  }
  Uri RequestedUri() const { return get_object<Uri>(netrt_download_operation_get_requested_uri); }
  void RequestedUri(Uri const& value) const { call(netrt_download_operation_set_requested_uri, value.handle()); }
  hstring Method() const { return get_string(netrt_download_operation_get_method); }
  BackgroundDownloadProgress Progress() const {
    auto p = get_value<netrt_background_download_progress>(netrt_download_operation_get_progress);
    return {p.bytes_received, p.total_bytes_to_receive, static_cast<BackgroundTransferStatus>(p.status), p.has_response_changed,
            p.has_restarted};
  }
  StorageFile ResultFile() const { return get_object<StorageFile>(netrt_download_operation_get_result_file); }
  ResponseInformation GetResponseInformation() const {
    return get_object<ResponseInformation>(netrt_download_operation_get_response_information);
  }
  IInputStream GetResultStreamAt(uint64_t position) const {
    return get_object<IInputStream>(netrt_download_operation_get_result_stream_at, position);
  }
  std::vector<BackgroundTransferFileRange> GetDownloadedRanges() const {
    std::size_t needed = 0;
    int32_t hr = netrt_download_operation_get_downloaded_ranges(handle(), nullptr, 0, &needed);
    if (hr != NETRT_E_INSUFFICIENT_BUFFER) check_hresult(hr);
    std::vector<netrt_background_transfer_file_range> raw(needed);
    check_hresult(netrt_download_operation_get_downloaded_ranges(handle(), raw.data(), raw.size(), &needed));
    std::vector<BackgroundTransferFileRange> out;
    for (std::size_t i = 0; i < needed; ++i) out.push_back({raw[i].offset, raw[i].length});
    return out;
  }
  IReference<WebErrorStatus> CurrentWebErrorStatus() const {
    bool has = false;
    netrt_web_error_status value{};
    check_hresult(netrt_download_operation_get_current_web_error_status(handle(), &has, &value));
    if (!has) return nullptr;
    return static_cast<WebErrorStatus>(value);
  }
  // Live: a change is sent to the daemon at once.
  ::netrt::Windows::Foundation::Collections::IVector<WebErrorStatus> RecoverableWebErrorStatuses() const {
    return get_object<::netrt::Windows::Foundation::Collections::IVector<WebErrorStatus>>(
        netrt_download_operation_get_recoverable_web_error_statuses);
  }
  BackgroundTransferPriority Priority() const {
    return static_cast<BackgroundTransferPriority>(get_value<netrt_background_transfer_priority>(netrt_download_operation_get_priority));
  }
  void Priority(BackgroundTransferPriority value) const { call(netrt_download_operation_set_priority, static_cast<int32_t>(value)); }
  BackgroundTransferCostPolicy CostPolicy() const {
    return static_cast<BackgroundTransferCostPolicy>(
        get_value<netrt_background_transfer_cost_policy>(netrt_download_operation_get_cost_policy));
  }
  void CostPolicy(BackgroundTransferCostPolicy value) const {
    call(netrt_download_operation_set_cost_policy, static_cast<int32_t>(value));
  }
  BackgroundTransferGroup TransferGroup() const { return get_object<BackgroundTransferGroup>(netrt_download_operation_get_transfer_group); }
  void SetRequestHeader(::netrt::impl::str_in headerName, ::netrt::impl::str_in headerValue) const {
    call(netrt_download_operation_set_request_header, headerName.c_str(), headerValue.c_str());
  }
  void RemoveRequestHeader(::netrt::impl::str_in headerName) const {
    call(netrt_download_operation_remove_request_header, headerName.c_str());
  }
  bool IsRandomAccessRequired() const { return get_value<bool>(netrt_download_operation_get_is_random_access_required); }
  void IsRandomAccessRequired(bool value) const { call(netrt_download_operation_set_is_random_access_required, value); }
};

// `UploadOperation`: a view of one upload the daemon runs.
class UploadOperation : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(UploadOperation)
  IAsyncOperationWithProgress<UploadOperation, UploadOperation> StartAsync() const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_upload_operation_start_async, handle())};
  }
  IAsyncOperationWithProgress<UploadOperation, UploadOperation> AttachAsync() const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_upload_operation_attach_async, handle())};
  }
  guid Guid() const {
    return ::netrt::Windows::Networking::Sockets::broker_abi::from_abi_guid(get_value<netrt_guid>(netrt_upload_operation_get_guid));
  }
  Uri RequestedUri() const { return get_object<Uri>(netrt_upload_operation_get_requested_uri); }
  hstring Method() const { return get_string(netrt_upload_operation_get_method); }
  BackgroundUploadProgress Progress() const {
    auto p = get_value<netrt_background_upload_progress>(netrt_upload_operation_get_progress);
    return {p.bytes_received,
            p.bytes_sent,
            p.total_bytes_to_receive,
            p.total_bytes_to_send,
            static_cast<BackgroundTransferStatus>(p.status),
            p.has_response_changed,
            p.has_restarted};
  }
  // An empty StorageFile for uploads made from a stream or parts.
  StorageFile SourceFile() const { return get_object<StorageFile>(netrt_upload_operation_get_source_file); }
  ResponseInformation GetResponseInformation() const {
    return get_object<ResponseInformation>(netrt_upload_operation_get_response_information);
  }
  IInputStream GetResultStreamAt(uint64_t position) const {
    return get_object<IInputStream>(netrt_upload_operation_get_result_stream_at, position);
  }
  BackgroundTransferPriority Priority() const {
    return static_cast<BackgroundTransferPriority>(get_value<netrt_background_transfer_priority>(netrt_upload_operation_get_priority));
  }
  void Priority(BackgroundTransferPriority value) const { call(netrt_upload_operation_set_priority, static_cast<int32_t>(value)); }
  BackgroundTransferCostPolicy CostPolicy() const {
    return static_cast<BackgroundTransferCostPolicy>(
        get_value<netrt_background_transfer_cost_policy>(netrt_upload_operation_get_cost_policy));
  }
  void CostPolicy(BackgroundTransferCostPolicy value) const { call(netrt_upload_operation_set_cost_policy, static_cast<int32_t>(value)); }
  BackgroundTransferGroup TransferGroup() const { return get_object<BackgroundTransferGroup>(netrt_upload_operation_get_transfer_group); }
  void SetRequestHeader(::netrt::impl::str_in headerName, ::netrt::impl::str_in headerValue) const {
    call(netrt_upload_operation_set_request_header, headerName.c_str(), headerValue.c_str());
  }
  void RemoveRequestHeader(::netrt::impl::str_in headerName) const { call(netrt_upload_operation_remove_request_header, headerName.c_str()); }
};

namespace impl {
// The settings BackgroundDownloader and BackgroundUploader share, over their C functions.
template <class D>
class transfer_settings : public ::netrt::impl::object {
 public:
  using object::object;
  void SetRequestHeader(::netrt::impl::str_in headerName, ::netrt::impl::str_in headerValue) const {
    call(D::abi_set_request_header, headerName.c_str(), headerValue.c_str());
  }
  hstring Method() const { return get_string(D::abi_get_method); }
  void Method(::netrt::impl::str_in value) const { call(D::abi_set_method, value.c_str()); }
  PasswordCredential ServerCredential() const { return get_object<PasswordCredential>(D::abi_get_server_credential); }
  void ServerCredential(PasswordCredential const& value) const { call(D::abi_set_server_credential, value.handle()); }
  PasswordCredential ProxyCredential() const { return get_object<PasswordCredential>(D::abi_get_proxy_credential); }
  void ProxyCredential(PasswordCredential const& value) const { call(D::abi_set_proxy_credential, value.handle()); }
  BackgroundTransferCostPolicy CostPolicy() const {
    return static_cast<BackgroundTransferCostPolicy>(get_value<netrt_background_transfer_cost_policy>(D::abi_get_cost_policy));
  }
  void CostPolicy(BackgroundTransferCostPolicy value) const { call(D::abi_set_cost_policy, static_cast<int32_t>(value)); }
  BackgroundTransferGroup TransferGroup() const { return get_object<BackgroundTransferGroup>(D::abi_get_transfer_group); }
  void TransferGroup(BackgroundTransferGroup const& value) const { call(D::abi_set_transfer_group, value.handle()); }
};

// The results of a GetCurrent*Async operation: its list of handles, as objects.
template <class T>
std::vector<T> list_results(netrt_handle op) {
  std::size_t needed = 0;
  int32_t hr = netrt_async_get_results_handles(op, nullptr, 0, &needed);
  if (hr != NETRT_E_INSUFFICIENT_BUFFER) check_hresult(hr);
  std::vector<netrt_handle> raw(needed);
  check_hresult(netrt_async_get_results_handles(op, raw.data(), raw.size(), &needed));
  std::vector<T> out;
  for (std::size_t i = 0; i < needed; ++i) out.emplace_back(take_ownership_from_abi, raw[i]);
  return out;
}

// Waits for a GetCurrent*Async operation (netrt's list operations finish with one round trip
// to the daemon) and returns its list.
template <class T>
std::vector<T> wait_list(netrt_handle op) {
  struct owner {
    netrt_handle h;
    ~owner() { (void)netrt_release(h); }
  } own{op};
  check_hresult(netrt_async_wait(op, NETRT_INFINITE));
  netrt_async_status status{};
  check_hresult(netrt_async_get_status(op, &status));
  if (status != NETRT_ASYNC_STATUS_COMPLETED) {
    netrt_hresult code = 0;
    check_hresult(netrt_async_get_error_code(op, &code));
    ::netrt::throw_hresult(code ? code : NETRT_E_CANCELLED, ::netrt::impl::last_error_detail());
  }
  return list_results<T>(op);
}
}  // namespace impl

// `BackgroundDownloader`.
class BackgroundDownloader : public impl::transfer_settings<BackgroundDownloader> {
 public:
  BackgroundDownloader(std::nullptr_t) noexcept {}
  BackgroundDownloader(take_ownership_from_abi_t, netrt_handle h) noexcept : transfer_settings(take_ownership_from_abi, h) {}
  BackgroundDownloader()
      : transfer_settings(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_downloader_create)) {}

  DownloadOperation CreateDownload(Uri const& uri, StorageFile const& resultFile) const {
    return get_object<DownloadOperation>(netrt_background_downloader_create_download, uri.handle(), resultFile.handle());
  }
  DownloadOperation CreateDownload(Uri const& uri, StorageFile const& resultFile, StorageFile const& requestBodyFile) const {
    return get_object<DownloadOperation>(netrt_background_downloader_create_download_with_request_body, uri.handle(),
                                         resultFile.handle(), requestBodyFile.handle());
  }
  IAsyncOperation<DownloadOperation> CreateDownloadAsync(Uri const& uri, StorageFile const& resultFile,
                                                         IInputStream const& requestBodyStream) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_downloader_create_download_async, handle(), uri.handle(),
                                                                resultFile.handle(), requestBodyStream.handle())};
  }
  // netrt: the list as a std::vector, after one round trip to the daemon (C++/WinRT returns an
  // IAsyncOperation<IVectorView<DownloadOperation>>; .get() on it ports to this call).
  static std::vector<DownloadOperation> GetCurrentDownloads() {
    return impl::wait_list<DownloadOperation>(::netrt::impl::make_handle(netrt_background_downloader_get_current_downloads_async));
  }
  static std::vector<DownloadOperation> GetCurrentDownloadsForTransferGroup(BackgroundTransferGroup const& group) {
    return impl::wait_list<DownloadOperation>(
        ::netrt::impl::make_handle(netrt_background_downloader_get_current_downloads_for_transfer_group_async, group.handle()));
  }

 private:
  friend class impl::transfer_settings<BackgroundDownloader>;
  static constexpr auto abi_set_request_header = netrt_background_downloader_set_request_header;
  static constexpr auto abi_get_method = netrt_background_downloader_get_method;
  static constexpr auto abi_set_method = netrt_background_downloader_set_method;
  static constexpr auto abi_get_server_credential = netrt_background_downloader_get_server_credential;
  static constexpr auto abi_set_server_credential = netrt_background_downloader_set_server_credential;
  static constexpr auto abi_get_proxy_credential = netrt_background_downloader_get_proxy_credential;
  static constexpr auto abi_set_proxy_credential = netrt_background_downloader_set_proxy_credential;
  static constexpr auto abi_get_cost_policy = netrt_background_downloader_get_cost_policy;
  static constexpr auto abi_set_cost_policy = netrt_background_downloader_set_cost_policy;
  static constexpr auto abi_get_transfer_group = netrt_background_downloader_get_transfer_group;
  static constexpr auto abi_set_transfer_group = netrt_background_downloader_set_transfer_group;
};

// `BackgroundUploader`.
class BackgroundUploader : public impl::transfer_settings<BackgroundUploader> {
 public:
  BackgroundUploader(std::nullptr_t) noexcept {}
  BackgroundUploader(take_ownership_from_abi_t, netrt_handle h) noexcept : transfer_settings(take_ownership_from_abi, h) {}
  BackgroundUploader() : transfer_settings(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_uploader_create)) {}

  UploadOperation CreateUpload(Uri const& uri, StorageFile const& sourceFile) const {
    return get_object<UploadOperation>(netrt_background_uploader_create_upload, uri.handle(), sourceFile.handle());
  }
  IAsyncOperation<UploadOperation> CreateUploadFromStreamAsync(Uri const& uri, IInputStream const& sourceStream) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_uploader_create_upload_from_stream_async, handle(),
                                                                uri.handle(), sourceStream.handle())};
  }
  IAsyncOperation<UploadOperation> CreateUploadAsync(Uri const& uri, std::vector<BackgroundTransferContentPart> const& parts) const {
    return create_upload(uri, parts, nullptr, nullptr);
  }
  IAsyncOperation<UploadOperation> CreateUploadAsync(Uri const& uri, std::vector<BackgroundTransferContentPart> const& parts,
                                                     ::netrt::impl::str_in subType) const {
    return create_upload(uri, parts, subType.c_str(), nullptr);
  }
  IAsyncOperation<UploadOperation> CreateUploadAsync(Uri const& uri, std::vector<BackgroundTransferContentPart> const& parts,
                                                     ::netrt::impl::str_in subType, ::netrt::impl::str_in boundary) const {
    return create_upload(uri, parts, subType.c_str(), boundary.c_str());
  }
  static std::vector<UploadOperation> GetCurrentUploads() {
    return impl::wait_list<UploadOperation>(::netrt::impl::make_handle(netrt_background_uploader_get_current_uploads_async));
  }
  static std::vector<UploadOperation> GetCurrentUploadsForTransferGroup(BackgroundTransferGroup const& group) {
    return impl::wait_list<UploadOperation>(
        ::netrt::impl::make_handle(netrt_background_uploader_get_current_uploads_for_transfer_group_async, group.handle()));
  }

 private:
  IAsyncOperation<UploadOperation> create_upload(Uri const& uri, std::vector<BackgroundTransferContentPart> const& parts,
                                                 char const* subType, char const* boundary) const {
    std::vector<netrt_handle> handles;
    for (auto const& p : parts) handles.push_back(p.handle());
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_uploader_create_upload_async, handle(), uri.handle(),
                                                                handles.data(), handles.size(), subType, boundary)};
  }
  friend class impl::transfer_settings<BackgroundUploader>;
  static constexpr auto abi_set_request_header = netrt_background_uploader_set_request_header;
  static constexpr auto abi_get_method = netrt_background_uploader_get_method;
  static constexpr auto abi_set_method = netrt_background_uploader_set_method;
  static constexpr auto abi_get_server_credential = netrt_background_uploader_get_server_credential;
  static constexpr auto abi_set_server_credential = netrt_background_uploader_set_server_credential;
  static constexpr auto abi_get_proxy_credential = netrt_background_uploader_get_proxy_credential;
  static constexpr auto abi_set_proxy_credential = netrt_background_uploader_set_proxy_credential;
  static constexpr auto abi_get_cost_policy = netrt_background_uploader_get_cost_policy;
  static constexpr auto abi_set_cost_policy = netrt_background_uploader_set_cost_policy;
  static constexpr auto abi_get_transfer_group = netrt_background_uploader_get_transfer_group;
  static constexpr auto abi_set_transfer_group = netrt_background_uploader_set_transfer_group;
};

}  // namespace netrt::Windows::Networking::BackgroundTransfer

#endif
