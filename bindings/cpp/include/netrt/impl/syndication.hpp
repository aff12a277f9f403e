// netrt C++ projection: Windows.Data.Xml.Dom.XmlDocument and Windows.Web.Syndication (the feed
// object model and SyndicationClient), over netrt_syndication_* / netrt_xml_document_*.
// Included by <netrt.hpp>; not for direct use.
#ifndef NETRT_IMPL_SYNDICATION_HPP
#define NETRT_IMPL_SYNDICATION_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

// The two constructors every runtime class has, for a class deriving from another class.
#define NETRT_IMPL_DERIVED_CLASS(Name, Base)                                              \
  Name(std::nullptr_t) noexcept : Base(nullptr) {}                                       \
  Name(::netrt::take_ownership_from_abi_t, netrt_handle h) noexcept                      \
      : Base(::netrt::take_ownership_from_abi, h) {}

namespace netrt {

namespace Windows::Data::Xml::Dom {

// `XmlDocument`: LoadXml and GetXml (what syndication needs of the DOM).
class XmlDocument : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(XmlDocument)
  XmlDocument() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_xml_document_create)) {}
  void LoadXml(::netrt::impl::str_in xml) const { call(netrt_xml_document_load_xml, xml.c_str()); }
  hstring GetXml() const { return get_string(netrt_xml_document_get_xml); }
};

}  // namespace Windows::Data::Xml::Dom

namespace Windows::Web::Syndication {

using ::netrt::Windows::Data::Xml::Dom::XmlDocument;
using ::netrt::Windows::Foundation::DateTime;
using ::netrt::Windows::Foundation::IAsyncOperationWithProgress;
using ::netrt::Windows::Foundation::TimeSpan;
using ::netrt::Windows::Foundation::Uri;
using ::netrt::Windows::Foundation::Collections::IVector;
using ::netrt::Windows::Security::Credentials::PasswordCredential;

// `RetrievalProgress`.
struct RetrievalProgress {
  uint32_t BytesRetrieved;
  uint32_t TotalBytesToRetrieve;
};

// `TransferProgress`.
struct TransferProgress {
  uint32_t BytesSent;
  uint32_t TotalBytesToSend;
  uint32_t BytesRetrieved;
  uint32_t TotalBytesToRetrieve;
};

// `SyndicationError.GetStatus(hresult)`.
struct SyndicationError {
  static SyndicationErrorStatus GetStatus(int32_t hresult) noexcept {
    return static_cast<SyndicationErrorStatus>(netrt_syndication_error_get_status(hresult));
  }
};

// `SyndicationAttribute`: an attribute the model does not know.
class SyndicationAttribute : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(SyndicationAttribute)
  SyndicationAttribute() : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_attribute_create)) {}
  SyndicationAttribute(::netrt::impl::str_in attributeName, ::netrt::impl::str_in attributeNamespace,
                       ::netrt::impl::str_in attributeValue)
      : object(take_ownership_from_abi,
               ::netrt::impl::make_handle(netrt_syndication_attribute_create_syndication_attribute, attributeName.c_str(),
                                          attributeNamespace.c_str(), attributeValue.c_str())) {}
  hstring Name() const { return get_string(netrt_syndication_attribute_get_name); }
  void Name(::netrt::impl::str_in value) const { call(netrt_syndication_attribute_set_name, value.c_str()); }
  hstring Namespace() const { return get_string(netrt_syndication_attribute_get_namespace); }
  void Namespace(::netrt::impl::str_in value) const { call(netrt_syndication_attribute_set_namespace, value.c_str()); }
  hstring Value() const { return get_string(netrt_syndication_attribute_get_value); }
  void Value(::netrt::impl::str_in value) const { call(netrt_syndication_attribute_set_value, value.c_str()); }
};

// `ISyndicationNode`: what every syndication class has. Its collections are the node's own
// (a change through them changes the node).
class ISyndicationNode : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(ISyndicationNode)
  ISyndicationNode() noexcept = default;
  hstring NodeName() const { return get_string(netrt_syndication_node_get_node_name); }
  void NodeName(::netrt::impl::str_in value) const { call(netrt_syndication_node_set_node_name, value.c_str()); }
  hstring NodeNamespace() const { return get_string(netrt_syndication_node_get_node_namespace); }
  void NodeNamespace(::netrt::impl::str_in value) const { call(netrt_syndication_node_set_node_namespace, value.c_str()); }
  hstring NodeValue() const { return get_string(netrt_syndication_node_get_node_value); }
  void NodeValue(::netrt::impl::str_in value) const { call(netrt_syndication_node_set_node_value, value.c_str()); }
  hstring Language() const { return get_string(netrt_syndication_node_get_language); }
  void Language(::netrt::impl::str_in value) const { call(netrt_syndication_node_set_language, value.c_str()); }
  Uri BaseUri() const { return get_object<Uri>(netrt_syndication_node_get_base_uri); }
  void BaseUri(Uri const& value) const { call(netrt_syndication_node_set_base_uri, value.handle()); }
  IVector<SyndicationAttribute> AttributeExtensions() const {
    return get_object<IVector<SyndicationAttribute>>(netrt_syndication_node_get_attribute_extensions);
  }
  IVector<ISyndicationNode> ElementExtensions() const {
    return get_object<IVector<ISyndicationNode>>(netrt_syndication_node_get_element_extensions);
  }
  XmlDocument GetXmlDocument(SyndicationFormat format) const {
    return get_object<XmlDocument>(netrt_syndication_node_get_xml_document, static_cast<int32_t>(format));
  }
};

// `SyndicationNode`: an extension element.
class SyndicationNode : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationNode, ISyndicationNode)
  SyndicationNode() : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_node_create)) {}
  SyndicationNode(::netrt::impl::str_in nodeName, ::netrt::impl::str_in nodeNamespace, ::netrt::impl::str_in nodeValue)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_node_create_syndication_node, nodeName.c_str(),
                                                    nodeNamespace.c_str(), nodeValue.c_str())) {}
};

// `ISyndicationText`: a SyndicationText or a SyndicationContent.
class ISyndicationText : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(ISyndicationText, ISyndicationNode)
  ISyndicationText() noexcept = default;
  hstring Text() const { return get_string(netrt_syndication_text_get_text); }
  void Text(::netrt::impl::str_in value) const { call(netrt_syndication_text_set_text, value.c_str()); }
  hstring Type() const { return get_string(netrt_syndication_text_get_type); }
  void Type(::netrt::impl::str_in value) const { call(netrt_syndication_text_set_type, value.c_str()); }
  // A copy of the XHTML div (or inline XML); set it back to change the text's.
  XmlDocument Xml() const { return get_object<XmlDocument>(netrt_syndication_text_get_xml); }
  void Xml(XmlDocument const& value) const { call(netrt_syndication_text_set_xml, value.handle()); }
};

// `SyndicationText`.
class SyndicationText : public ISyndicationText {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationText, ISyndicationText)
  SyndicationText() : ISyndicationText(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_text_create)) {}
  explicit SyndicationText(::netrt::impl::str_in text)
      : ISyndicationText(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_text_create_syndication_text, text.c_str())) {}
  SyndicationText(::netrt::impl::str_in text, SyndicationTextType type)
      : ISyndicationText(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_text_create_syndication_text_ex,
                                                                             text.c_str(), static_cast<int32_t>(type))) {}
};

// `SyndicationContent`: an item's content, inline or by reference.
class SyndicationContent : public ISyndicationText {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationContent, ISyndicationText)
  SyndicationContent()
      : ISyndicationText(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_content_create)) {}
  SyndicationContent(::netrt::impl::str_in text, SyndicationTextType type)
      : ISyndicationText(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_content_create_syndication_content,
                                                                             text.c_str(), static_cast<int32_t>(type))) {}
  explicit SyndicationContent(Uri const& sourceUri)
      : ISyndicationText(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_content_create_syndication_content_with_source_uri,
                                                    sourceUri.handle())) {}
  Uri SourceUri() const { return get_object<Uri>(netrt_syndication_content_get_source_uri); }
  void SourceUri(Uri const& value) const { call(netrt_syndication_content_set_source_uri, value.handle()); }
};

// `SyndicationLink`.
class SyndicationLink : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationLink, ISyndicationNode)
  SyndicationLink() : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_link_create)) {}
  explicit SyndicationLink(::netrt::Windows::Foundation::Uri const& uri)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_link_create_syndication_link, uri.handle())) {}
  SyndicationLink(::netrt::Windows::Foundation::Uri const& uri, ::netrt::impl::str_in relationship, ::netrt::impl::str_in title,
                  ::netrt::impl::str_in mediaType, uint32_t length)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_link_create_syndication_link_ex, uri.handle(),
                                                    relationship.c_str(), title.c_str(), mediaType.c_str(), length)) {}
  ::netrt::Windows::Foundation::Uri Uri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_link_get_uri); }
  void Uri(::netrt::Windows::Foundation::Uri const& value) const { call(netrt_syndication_link_set_uri, value.handle()); }
  hstring Title() const { return get_string(netrt_syndication_link_get_title); }
  void Title(::netrt::impl::str_in value) const { call(netrt_syndication_link_set_title, value.c_str()); }
  hstring ResourceLanguage() const { return get_string(netrt_syndication_link_get_resource_language); }
  void ResourceLanguage(::netrt::impl::str_in value) const { call(netrt_syndication_link_set_resource_language, value.c_str()); }
  hstring Relationship() const { return get_string(netrt_syndication_link_get_relationship); }
  void Relationship(::netrt::impl::str_in value) const { call(netrt_syndication_link_set_relationship, value.c_str()); }
  hstring MediaType() const { return get_string(netrt_syndication_link_get_media_type); }
  void MediaType(::netrt::impl::str_in value) const { call(netrt_syndication_link_set_media_type, value.c_str()); }
  uint32_t Length() const { return get_value<uint32_t>(netrt_syndication_link_get_length); }
  void Length(uint32_t value) const { call(netrt_syndication_link_set_length, value); }
};

// `SyndicationPerson`.
class SyndicationPerson : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationPerson, ISyndicationNode)
  SyndicationPerson() : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_person_create)) {}
  explicit SyndicationPerson(::netrt::impl::str_in name)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_person_create_syndication_person, name.c_str())) {}
  SyndicationPerson(::netrt::impl::str_in name, ::netrt::impl::str_in email, ::netrt::Windows::Foundation::Uri const& uri)
      : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_person_create_syndication_person_ex,
                                                                             name.c_str(), email.c_str(), uri.handle())) {}
  hstring Name() const { return get_string(netrt_syndication_person_get_name); }
  void Name(::netrt::impl::str_in value) const { call(netrt_syndication_person_set_name, value.c_str()); }
  hstring Email() const { return get_string(netrt_syndication_person_get_email); }
  void Email(::netrt::impl::str_in value) const { call(netrt_syndication_person_set_email, value.c_str()); }
  ::netrt::Windows::Foundation::Uri Uri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_person_get_uri); }
  void Uri(::netrt::Windows::Foundation::Uri const& value) const { call(netrt_syndication_person_set_uri, value.handle()); }
};

// `SyndicationCategory`.
class SyndicationCategory : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationCategory, ISyndicationNode)
  SyndicationCategory()
      : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_category_create)) {}
  explicit SyndicationCategory(::netrt::impl::str_in term)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_category_create_syndication_category, term.c_str())) {}
  SyndicationCategory(::netrt::impl::str_in term, ::netrt::impl::str_in scheme, ::netrt::impl::str_in label)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_category_create_syndication_category_ex, term.c_str(),
                                                    scheme.c_str(), label.c_str())) {}
  hstring Term() const { return get_string(netrt_syndication_category_get_term); }
  void Term(::netrt::impl::str_in value) const { call(netrt_syndication_category_set_term, value.c_str()); }
  hstring Scheme() const { return get_string(netrt_syndication_category_get_scheme); }
  void Scheme(::netrt::impl::str_in value) const { call(netrt_syndication_category_set_scheme, value.c_str()); }
  hstring Label() const { return get_string(netrt_syndication_category_get_label); }
  void Label(::netrt::impl::str_in value) const { call(netrt_syndication_category_set_label, value.c_str()); }
};

// `SyndicationGenerator`.
class SyndicationGenerator : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationGenerator, ISyndicationNode)
  SyndicationGenerator()
      : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_generator_create)) {}
  explicit SyndicationGenerator(::netrt::impl::str_in text)
      : ISyndicationNode(take_ownership_from_abi,
                         ::netrt::impl::make_handle(netrt_syndication_generator_create_syndication_generator, text.c_str())) {}
  hstring Text() const { return get_string(netrt_syndication_generator_get_text); }
  void Text(::netrt::impl::str_in value) const { call(netrt_syndication_generator_set_text, value.c_str()); }
  hstring Version() const { return get_string(netrt_syndication_generator_get_version); }
  void Version(::netrt::impl::str_in value) const { call(netrt_syndication_generator_set_version, value.c_str()); }
  ::netrt::Windows::Foundation::Uri Uri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_generator_get_uri); }
  void Uri(::netrt::Windows::Foundation::Uri const& value) const { call(netrt_syndication_generator_set_uri, value.handle()); }
};

namespace impl {
// A DateTime property's value (the C value 0 is "not set", the epoch).
inline DateTime date_time(int64_t ticks) { return DateTime(TimeSpan(ticks)); }
inline int64_t ticks(DateTime value) { return value.time_since_epoch().count(); }
}  // namespace impl

class SyndicationFeed;

// `SyndicationItem`.
class SyndicationItem : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationItem, ISyndicationNode)
  SyndicationItem() : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_item_create)) {}
  SyndicationItem(::netrt::impl::str_in title, SyndicationContent const& content, ::netrt::Windows::Foundation::Uri const& uri)
      : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_item_create_syndication_item,
                                                                             title.c_str(), content.handle(), uri.handle())) {}
  void Load(::netrt::impl::str_in item) const { call(netrt_syndication_item_load, item.c_str()); }
  void LoadFromXml(XmlDocument const& itemDocument) const { call(netrt_syndication_item_load_from_xml, itemDocument.handle()); }
  ISyndicationText Title() const { return get_object<ISyndicationText>(netrt_syndication_item_get_title); }
  void Title(ISyndicationText const& value) const { call(netrt_syndication_item_set_title, value.handle()); }
  ISyndicationText Summary() const { return get_object<ISyndicationText>(netrt_syndication_item_get_summary); }
  void Summary(ISyndicationText const& value) const { call(netrt_syndication_item_set_summary, value.handle()); }
  ISyndicationText Rights() const { return get_object<ISyndicationText>(netrt_syndication_item_get_rights); }
  void Rights(ISyndicationText const& value) const { call(netrt_syndication_item_set_rights, value.handle()); }
  SyndicationContent Content() const { return get_object<SyndicationContent>(netrt_syndication_item_get_content); }
  void Content(SyndicationContent const& value) const { call(netrt_syndication_item_set_content, value.handle()); }
  inline SyndicationFeed Source() const;
  inline void Source(SyndicationFeed const& value) const;
  hstring Id() const { return get_string(netrt_syndication_item_get_id); }
  void Id(::netrt::impl::str_in value) const { call(netrt_syndication_item_set_id, value.c_str()); }
  hstring ETag() const { return get_string(netrt_syndication_item_get_e_tag); }
  DateTime PublishedDate() const { return impl::date_time(get_value<int64_t>(netrt_syndication_item_get_published_date)); }
  void PublishedDate(DateTime value) const { call(netrt_syndication_item_set_published_date, impl::ticks(value)); }
  DateTime LastUpdatedTime() const { return impl::date_time(get_value<int64_t>(netrt_syndication_item_get_last_updated_time)); }
  void LastUpdatedTime(DateTime value) const { call(netrt_syndication_item_set_last_updated_time, impl::ticks(value)); }
  ::netrt::Windows::Foundation::Uri CommentsUri() const {
    return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_item_get_comments_uri);
  }
  void CommentsUri(::netrt::Windows::Foundation::Uri const& value) const { call(netrt_syndication_item_set_comments_uri, value.handle()); }
  ::netrt::Windows::Foundation::Uri ItemUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_item_get_item_uri); }
  ::netrt::Windows::Foundation::Uri EditUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_item_get_edit_uri); }
  ::netrt::Windows::Foundation::Uri EditMediaUri() const {
    return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_item_get_edit_media_uri);
  }
  IVector<SyndicationLink> Links() const { return get_object<IVector<SyndicationLink>>(netrt_syndication_item_get_links); }
  IVector<SyndicationPerson> Authors() const { return get_object<IVector<SyndicationPerson>>(netrt_syndication_item_get_authors); }
  IVector<SyndicationPerson> Contributors() const {
    return get_object<IVector<SyndicationPerson>>(netrt_syndication_item_get_contributors);
  }
  IVector<SyndicationCategory> Categories() const {
    return get_object<IVector<SyndicationCategory>>(netrt_syndication_item_get_categories);
  }
};

// `SyndicationFeed`.
class SyndicationFeed : public ISyndicationNode {
 public:
  NETRT_IMPL_DERIVED_CLASS(SyndicationFeed, ISyndicationNode)
  SyndicationFeed() : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_feed_create)) {}
  SyndicationFeed(::netrt::impl::str_in title, ::netrt::impl::str_in subtitle, ::netrt::Windows::Foundation::Uri const& uri)
      : ISyndicationNode(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_feed_create_syndication_feed,
                                                                             title.c_str(), subtitle.c_str(), uri.handle())) {}
  void Load(::netrt::impl::str_in feed) const { call(netrt_syndication_feed_load, feed.c_str()); }
  void LoadFromXml(XmlDocument const& feedDocument) const { call(netrt_syndication_feed_load_from_xml, feedDocument.handle()); }
  ISyndicationText Title() const { return get_object<ISyndicationText>(netrt_syndication_feed_get_title); }
  void Title(ISyndicationText const& value) const { call(netrt_syndication_feed_set_title, value.handle()); }
  ISyndicationText Subtitle() const { return get_object<ISyndicationText>(netrt_syndication_feed_get_subtitle); }
  void Subtitle(ISyndicationText const& value) const { call(netrt_syndication_feed_set_subtitle, value.handle()); }
  ISyndicationText Rights() const { return get_object<ISyndicationText>(netrt_syndication_feed_get_rights); }
  void Rights(ISyndicationText const& value) const { call(netrt_syndication_feed_set_rights, value.handle()); }
  SyndicationGenerator Generator() const { return get_object<SyndicationGenerator>(netrt_syndication_feed_get_generator); }
  void Generator(SyndicationGenerator const& value) const { call(netrt_syndication_feed_set_generator, value.handle()); }
  hstring Id() const { return get_string(netrt_syndication_feed_get_id); }
  void Id(::netrt::impl::str_in value) const { call(netrt_syndication_feed_set_id, value.c_str()); }
  DateTime LastUpdatedTime() const { return impl::date_time(get_value<int64_t>(netrt_syndication_feed_get_last_updated_time)); }
  void LastUpdatedTime(DateTime value) const { call(netrt_syndication_feed_set_last_updated_time, impl::ticks(value)); }
  ::netrt::Windows::Foundation::Uri ImageUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_feed_get_image_uri); }
  void ImageUri(::netrt::Windows::Foundation::Uri const& value) const { call(netrt_syndication_feed_set_image_uri, value.handle()); }
  ::netrt::Windows::Foundation::Uri IconUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_feed_get_icon_uri); }
  void IconUri(::netrt::Windows::Foundation::Uri const& value) const { call(netrt_syndication_feed_set_icon_uri, value.handle()); }
  ::netrt::Windows::Foundation::Uri FirstUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_feed_get_first_uri); }
  ::netrt::Windows::Foundation::Uri LastUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_feed_get_last_uri); }
  ::netrt::Windows::Foundation::Uri NextUri() const { return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_feed_get_next_uri); }
  ::netrt::Windows::Foundation::Uri PreviousUri() const {
    return get_object<::netrt::Windows::Foundation::Uri>(netrt_syndication_feed_get_previous_uri);
  }
  SyndicationFormat SourceFormat() const {
    return static_cast<SyndicationFormat>(get_value<netrt_syndication_format>(netrt_syndication_feed_get_source_format));
  }
  IVector<SyndicationItem> Items() const { return get_object<IVector<SyndicationItem>>(netrt_syndication_feed_get_items); }
  IVector<SyndicationLink> Links() const { return get_object<IVector<SyndicationLink>>(netrt_syndication_feed_get_links); }
  IVector<SyndicationPerson> Authors() const { return get_object<IVector<SyndicationPerson>>(netrt_syndication_feed_get_authors); }
  IVector<SyndicationPerson> Contributors() const {
    return get_object<IVector<SyndicationPerson>>(netrt_syndication_feed_get_contributors);
  }
  IVector<SyndicationCategory> Categories() const {
    return get_object<IVector<SyndicationCategory>>(netrt_syndication_feed_get_categories);
  }
};

inline SyndicationFeed SyndicationItem::Source() const { return get_object<SyndicationFeed>(netrt_syndication_item_get_source); }
inline void SyndicationItem::Source(SyndicationFeed const& value) const { call(netrt_syndication_item_set_source, value.handle()); }

// The ISyndicationClient settings, shared by SyndicationClient and AtomPubClient (`Abi` names
// the C functions of one of them).
template <class Abi>
class syndication_client_settings : public ::netrt::impl::object {
 public:
  using object::object;
  uint32_t Timeout() const { return get_value<uint32_t>(Abi::get_timeout); }
  void Timeout(uint32_t value) const { call(Abi::set_timeout, value); }
  uint32_t MaxResponseBufferSize() const { return get_value<uint32_t>(Abi::get_max_response_buffer_size); }
  void MaxResponseBufferSize(uint32_t value) const { call(Abi::set_max_response_buffer_size, value); }
  bool BypassCacheOnRetrieve() const { return get_value<bool>(Abi::get_bypass_cache_on_retrieve); }
  void BypassCacheOnRetrieve(bool value) const { call(Abi::set_bypass_cache_on_retrieve, value); }
  PasswordCredential ServerCredential() const { return get_object<PasswordCredential>(Abi::get_server_credential); }
  void ServerCredential(PasswordCredential const& value) const { call(Abi::set_server_credential, value.handle()); }
  PasswordCredential ProxyCredential() const { return get_object<PasswordCredential>(Abi::get_proxy_credential); }
  void ProxyCredential(PasswordCredential const& value) const { call(Abi::set_proxy_credential, value.handle()); }
  void SetRequestHeader(::netrt::impl::str_in name, ::netrt::impl::str_in value) const {
    call(Abi::set_request_header, name.c_str(), value.c_str());
  }
};

namespace impl {
struct syndication_client_abi {
  static constexpr auto get_timeout = netrt_syndication_client_get_timeout;
  static constexpr auto set_timeout = netrt_syndication_client_set_timeout;
  static constexpr auto get_max_response_buffer_size = netrt_syndication_client_get_max_response_buffer_size;
  static constexpr auto set_max_response_buffer_size = netrt_syndication_client_set_max_response_buffer_size;
  static constexpr auto get_bypass_cache_on_retrieve = netrt_syndication_client_get_bypass_cache_on_retrieve;
  static constexpr auto set_bypass_cache_on_retrieve = netrt_syndication_client_set_bypass_cache_on_retrieve;
  static constexpr auto get_server_credential = netrt_syndication_client_get_server_credential;
  static constexpr auto set_server_credential = netrt_syndication_client_set_server_credential;
  static constexpr auto get_proxy_credential = netrt_syndication_client_get_proxy_credential;
  static constexpr auto set_proxy_credential = netrt_syndication_client_set_proxy_credential;
  static constexpr auto set_request_header = netrt_syndication_client_set_request_header;
};
}  // namespace impl

// `SyndicationClient`: RetrieveFeedAsync reports RetrievalProgress (Progress(handler)).
class SyndicationClient : public syndication_client_settings<impl::syndication_client_abi> {
  using base = syndication_client_settings<impl::syndication_client_abi>;

 public:
  SyndicationClient(std::nullptr_t) noexcept : base(nullptr) {}
  SyndicationClient(::netrt::take_ownership_from_abi_t, netrt_handle h) noexcept : base(::netrt::take_ownership_from_abi, h) {}
  SyndicationClient() : base(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_client_create)) {}
  explicit SyndicationClient(PasswordCredential const& serverCredential)
      : base(take_ownership_from_abi,
             ::netrt::impl::make_handle(netrt_syndication_client_create_syndication_client, serverCredential.handle())) {}
  IAsyncOperationWithProgress<SyndicationFeed, RetrievalProgress> RetrieveFeedAsync(::netrt::Windows::Foundation::Uri const& uri) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_syndication_client_retrieve_feed_async, handle(), uri.handle())};
  }
};

}  // namespace Windows::Web::Syndication

namespace impl {
template <>
struct progress_abi<Windows::Web::Syndication::RetrievalProgress> {
  static Windows::Web::Syndication::RetrievalProgress from_abi(netrt_async_progress const& p) noexcept {
    return {p.transfer.bytes_retrieved, p.transfer.total_bytes_to_retrieve};
  }
};
template <>
struct progress_abi<Windows::Web::Syndication::TransferProgress> {
  static Windows::Web::Syndication::TransferProgress from_abi(netrt_async_progress const& p) noexcept {
    auto const& t = p.transfer;
    return {t.bytes_sent, t.total_bytes_to_send, t.bytes_retrieved, t.total_bytes_to_retrieve};
  }
};
}  // namespace impl

using Windows::Data::Xml::Dom::XmlDocument;
using Windows::Web::Syndication::ISyndicationNode;
using Windows::Web::Syndication::ISyndicationText;
using Windows::Web::Syndication::RetrievalProgress;
using Windows::Web::Syndication::SyndicationAttribute;
using Windows::Web::Syndication::SyndicationCategory;
using Windows::Web::Syndication::SyndicationClient;
using Windows::Web::Syndication::SyndicationContent;
using Windows::Web::Syndication::SyndicationError;
using Windows::Web::Syndication::SyndicationFeed;
using Windows::Web::Syndication::SyndicationGenerator;
using Windows::Web::Syndication::SyndicationItem;
using Windows::Web::Syndication::SyndicationLink;
using Windows::Web::Syndication::SyndicationNode;
using Windows::Web::Syndication::SyndicationPerson;
using Windows::Web::Syndication::SyndicationText;
using Windows::Web::Syndication::TransferProgress;

}  // namespace netrt

#endif  // NETRT_IMPL_SYNDICATION_HPP
