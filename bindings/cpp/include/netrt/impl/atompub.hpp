// netrt C++ projection: Windows.Web.AtomPub (AtomPubClient and the service document), over
// netrt_atom_pub_client_* and friends. Included by <netrt.hpp>; not for direct use.
#ifndef NETRT_IMPL_ATOMPUB_HPP
#define NETRT_IMPL_ATOMPUB_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt {

namespace Windows::Web::AtomPub {

using ::netrt::Windows::Foundation::IAsyncActionWithProgress;
using ::netrt::Windows::Foundation::IAsyncOperationWithProgress;
using ::netrt::Windows::Foundation::Collections::IVectorView;
using ::netrt::Windows::Security::Credentials::PasswordCredential;
using ::netrt::Windows::Storage::Streams::IInputStream;
using ::netrt::Windows::Web::Syndication::ISyndicationNode;
using ::netrt::Windows::Web::Syndication::ISyndicationText;
using ::netrt::Windows::Web::Syndication::RetrievalProgress;
using ::netrt::Windows::Web::Syndication::SyndicationCategory;
using ::netrt::Windows::Web::Syndication::SyndicationFeed;
using ::netrt::Windows::Web::Syndication::SyndicationItem;
using ::netrt::Windows::Web::Syndication::TransferProgress;

// `ResourceCollection`: a collection entries are posted to.
class ResourceCollection : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(ResourceCollection, ISyndicationNode)
  ISyndicationText Title() const { return get_object<ISyndicationText>(netrt_resource_collection_get_title); }
  ::netrt::Windows::Foundation::Uri Uri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_resource_collection_get_uri); }
  IVectorView<hstring> Accepts() const { return get_object<IVectorView<hstring>>(netrt_resource_collection_get_accepts); }
  IVectorView<SyndicationCategory> Categories() const {
    return get_object<IVectorView<SyndicationCategory>>(netrt_resource_collection_get_categories);
  }
};

// `Workspace`: a titled group of collections.
class Workspace : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(Workspace, ISyndicationNode)
  ISyndicationText Title() const { return get_object<ISyndicationText>(netrt_workspace_get_title); }
  IVectorView<ResourceCollection> Collections() const {
    return get_object<IVectorView<ResourceCollection>>(netrt_workspace_get_collections);
  }
};

// `ServiceDocument`: what a server offers.
class ServiceDocument : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(ServiceDocument, ISyndicationNode)
  IVectorView<Workspace> Workspaces() const { return get_object<IVectorView<Workspace>>(netrt_service_document_get_workspaces); }
};

namespace impl {
struct atom_pub_client_abi {
  static constexpr auto get_timeout = netrt_atom_pub_client_get_timeout;
  static constexpr auto set_timeout = netrt_atom_pub_client_set_timeout;
  static constexpr auto get_max_response_buffer_size = netrt_atom_pub_client_get_max_response_buffer_size;
  static constexpr auto set_max_response_buffer_size = netrt_atom_pub_client_set_max_response_buffer_size;
  static constexpr auto get_bypass_cache_on_retrieve = netrt_atom_pub_client_get_bypass_cache_on_retrieve;
  static constexpr auto set_bypass_cache_on_retrieve = netrt_atom_pub_client_set_bypass_cache_on_retrieve;
  static constexpr auto get_server_credential = netrt_atom_pub_client_get_server_credential;
  static constexpr auto set_server_credential = netrt_atom_pub_client_set_server_credential;
  static constexpr auto get_proxy_credential = netrt_atom_pub_client_get_proxy_credential;
  static constexpr auto set_proxy_credential = netrt_atom_pub_client_set_proxy_credential;
  static constexpr auto set_request_header = netrt_atom_pub_client_set_request_header;
};
}  // namespace impl

// `AtomPubClient` (RFC 5023). Media streams given to it are read to their end before the
// request; a retrieved media resource is a stream over the bytes received.
class AtomPubClient : public ::netrt::Windows::Web::Syndication::syndication_client_settings<impl::atom_pub_client_abi> {
  using base = ::netrt::Windows::Web::Syndication::syndication_client_settings<impl::atom_pub_client_abi>;
  using Uri = ::netrt::Windows::Foundation::Uri;

 public:
  AtomPubClient(std::nullptr_t) noexcept : base(nullptr) {}
  AtomPubClient(::netrt::take_ownership_from_abi_t, netrt_handle h) noexcept : base(::netrt::take_ownership_from_abi, h) {}
  AtomPubClient() : base(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_atom_pub_client_create)) {}
  explicit AtomPubClient(PasswordCredential const& serverCredential)
      : base(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_atom_pub_client_create_atom_pub_client_with_credentials,
                                                                 serverCredential.handle())) {}

  IAsyncOperationWithProgress<ServiceDocument, RetrievalProgress> RetrieveServiceDocumentAsync(Uri const& uri) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_retrieve_service_document_async, uri.handle())};
  }
  IAsyncOperationWithProgress<SyndicationFeed, RetrievalProgress> RetrieveFeedAsync(Uri const& uri) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_retrieve_feed_async, uri.handle())};
  }
  IAsyncOperationWithProgress<SyndicationItem, RetrievalProgress> RetrieveResourceAsync(Uri const& uri) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_retrieve_resource_async, uri.handle())};
  }
  IAsyncOperationWithProgress<SyndicationItem, TransferProgress> CreateResourceAsync(Uri const& uri, ::netrt::impl::str_in description,
                                                                                      SyndicationItem const& item) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_create_resource_async, uri.handle(), description.c_str(), item.handle())};
  }
  IAsyncActionWithProgress<TransferProgress> UpdateResourceAsync(Uri const& uri, SyndicationItem const& item) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_update_resource_async, uri.handle(), item.handle())};
  }
  IAsyncActionWithProgress<TransferProgress> UpdateResourceItemAsync(SyndicationItem const& item) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_update_resource_item_async, item.handle())};
  }
  IAsyncOperationWithProgress<IInputStream, RetrievalProgress> RetrieveMediaResourceAsync(Uri const& uri) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_retrieve_media_resource_async, uri.handle())};
  }
  IAsyncOperationWithProgress<SyndicationItem, TransferProgress> CreateMediaResourceAsync(Uri const& uri, ::netrt::impl::str_in mediaType,
                                                                                           ::netrt::impl::str_in description,
                                                                                           IInputStream const& mediaStream) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_create_media_resource_async, uri.handle(), mediaType.c_str(),
                                          description.c_str(), mediaStream.handle())};
  }
  IAsyncActionWithProgress<TransferProgress> UpdateMediaResourceAsync(Uri const& uri, ::netrt::impl::str_in mediaType,
                                                                      IInputStream const& mediaStream) const {
    return {take_ownership_from_abi,
            make(netrt_atom_pub_client_update_media_resource_async, uri.handle(), mediaType.c_str(), mediaStream.handle())};
  }
  IAsyncActionWithProgress<TransferProgress> DeleteResourceAsync(Uri const& uri) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_delete_resource_async, uri.handle())};
  }
  IAsyncActionWithProgress<TransferProgress> DeleteResourceItemAsync(SyndicationItem const& item) const {
    return {take_ownership_from_abi, make(netrt_atom_pub_client_delete_resource_item_async, item.handle())};
  }
  void CancelAsyncOperations() const { call(netrt_atom_pub_client_cancel_async_operations); }

 private:
  template <class F, class... A>
  netrt_handle make(F f, A... args) const {
    return ::netrt::impl::make_handle(f, handle(), args...);
  }
};

}  // namespace Windows::Web::AtomPub

using Windows::Web::AtomPub::AtomPubClient;
using Windows::Web::AtomPub::ResourceCollection;
using Windows::Web::AtomPub::ServiceDocument;
using Windows::Web::AtomPub::Workspace;

}  // namespace netrt

#endif  // NETRT_IMPL_ATOMPUB_HPP
