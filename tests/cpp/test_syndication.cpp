// Windows.Web.Syndication, Windows.Web.AtomPub and Windows.Data.Xml.Dom from C++ (C++17 and
// C++20), written as C++/WinRT code is with `winrt` renamed `netrt`: loading a feed and walking
// it with range-for, reference semantics through the collections, building a feed and reading
// it back from its XmlDocument, extension nodes, the parse errors (SyndicationError::GetStatus),
// and AtomPubClient against tests/peers/atompub_server.py — the service document, create /
// retrieve / update / delete with Progress and Completed handlers, and the 401 without the
// credential.
#include <netrt/Windows.Data.Xml.Dom.h>
#include <netrt/Windows.Foundation.Collections.h>
#include <netrt/Windows.Foundation.h>
#include <netrt/Windows.Security.Credentials.h>
#include <netrt/Windows.Web.AtomPub.h>
#include <netrt/Windows.Web.Syndication.h>

#include <atomic>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Data::Xml::Dom;
using namespace netrt::Windows::Foundation;
using namespace netrt::Windows::Security::Credentials;
using namespace netrt::Windows::Web::AtomPub;
using namespace netrt::Windows::Web::Syndication;

namespace {

constexpr wchar_t const* kAtom =
    L"<feed xmlns='http://www.w3.org/2005/Atom' xmlns:ex='urn:example'>"
    L"<title>Example feed</title><id>urn:feed</id><updated>2024-03-01T12:00:00Z</updated>"
    L"<link rel='self' href='http://example.org/feed'/><author><name>Ada</name></author>"
    L"<ex:note>hello</ex:note>"
    L"<entry><title type='html'>&lt;b&gt;One&lt;/b&gt;</title><id>urn:1</id><updated>2024-03-01T12:00:00Z</updated>"
    L"<category term='a'/></entry>"
    L"<entry><title>Two</title><id>urn:2</id><updated>2024-03-02T12:00:00Z</updated></entry></feed>";

bool contains(hstring const& text, wchar_t const* needle) {
  return std::wstring_view(text.c_str()).find(needle) != std::wstring_view::npos;
}

void feed_model() {
  SyndicationFeed feed;
  feed.Load(kAtom);
  CHECK(feed.SourceFormat() == SyndicationFormat::Atom10);
  CHECK(feed.Title().Text() == L"Example feed");
  CHECK(feed.Id() == L"urn:feed");
  CHECK(feed.LastUpdatedTime().time_since_epoch().count() == 133537680000000000LL);
  CHECK(feed.Authors().GetAt(0).Name() == L"Ada");
  CHECK(feed.Links().GetAt(0).Uri().AbsoluteUri() == L"http://example.org/feed");

  std::vector<hstring> ids;
  for (SyndicationItem const& item : feed.Items()) ids.push_back(item.Id());
  CHECK(ids.size() == 2 && ids[0] == L"urn:1" && ids[1] == L"urn:2");
  SyndicationItem first = feed.Items().GetAt(0);
  CHECK(first.Title().Type() == L"html");
  CHECK(first.Title().Text() == L"<b>One</b>");
  CHECK(first.Categories().GetAt(0).Term() == L"a");

  // The extension element and its node members.
  ISyndicationNode note = feed.ElementExtensions().GetAt(0);
  CHECK(note.NodeName() == L"note");
  CHECK(note.NodeNamespace() == L"urn:example");
  CHECK(note.NodeValue() == L"hello");

  // Reference semantics: changes through the collections are the feed's.
  first.Title(SyndicationText(L"Renamed"));
  feed.Items().RemoveAt(1);
  SyndicationNode added(L"extra", L"urn:example", L"42");
  added.AttributeExtensions().Append(SyndicationAttribute(L"unit", L"", L"m"));
  feed.ElementExtensions().Append(added);
  feed.Links().InsertAt(0, SyndicationLink(Uri(L"http://example.org/alt"), L"alternate", L"Alt", L"text/html", 0));
  feed.Links().SetAt(1, SyndicationLink(Uri(L"http://example.org/next")));
  CHECK(feed.Links().Size() == 2);
  CHECK(feed.Links().GetAt(0).Title() == L"Alt");
  CHECK(feed.Links().GetAt(1).Uri().AbsoluteUri() == L"http://example.org/next");
  XmlDocument doc = feed.GetXmlDocument(SyndicationFormat::Atom10);
  hstring xml = doc.GetXml();
  CHECK(contains(xml, L"Renamed"));
  CHECK(!contains(xml, L"urn:2"));
  CHECK(contains(xml, L"unit=\"m\""));

  // Build a feed, write it as RSS 2.0, read it back.
  SyndicationFeed built(L"Built", L"in C++", Uri(L"http://example.org/built"));
  SyndicationItem item(L"Built item", SyndicationContent(L"body", SyndicationTextType::Text), Uri(L"http://example.org/b/1"));
  item.Id(L"b-1");
  item.Authors().Append(SyndicationPerson(L"Grace", L"grace@example.org", Uri(L"http://example.org/grace")));
  built.Items().Append(item);
  built.Generator(SyndicationGenerator(L"netrt"));
  SyndicationFeed back;
  back.LoadFromXml(built.GetXmlDocument(SyndicationFormat::Rss20));
  CHECK(back.SourceFormat() == SyndicationFormat::Rss20);
  CHECK(back.Items().Size() == 1);
  CHECK(back.Items().GetAt(0).Id() == L"b-1");
  CHECK(back.Items().GetAt(0).ItemUri().AbsoluteUri() == L"http://example.org/b/1");
  CHECK(back.Title().Text() == L"Built");

  // Errors: WEB_E_INVALID_XML and friends, mapped by SyndicationError::GetStatus.
  try {
    back.Load(L"<rss><channel>");
    CHECK(false);
  } catch (hresult_error const& e) {
    CHECK(SyndicationError::GetStatus(e.code()) == SyndicationErrorStatus::InvalidXml);
  }
  CHECK_THROWS_HR(back.Load(L"<html/>"), NETRT_WEB_E_UNSUPPORTED_FORMAT);
  CHECK(back.Items().Size() == 1);  // unchanged
  CHECK_THROWS_HR(feed.Items().Append(SyndicationItem(nullptr)), NETRT_E_POINTER);
  CHECK_THROWS_HR(SyndicationCategory(L"x").GetXmlDocument(SyndicationFormat::Atom10), NETRT_E_NOTIMPL);
  XmlDocument loose;
  loose.LoadXml(L"<a><b>t</b></a>");
  CHECK(contains(loose.GetXml(), L"<b>t</b>"));
  CHECK_THROWS_HR(loose.LoadXml(L"<a>"), NETRT_WEB_E_INVALID_XML);
  test::note("feed model, collections, round trip, errors");
}

void atompub() {
  char const* python = std::getenv("NETRT_TEST_PYTHON");
  std::string script = NETRT_PEER_LAUNCH;
  script = script.substr(0, script.rfind('/')) + "/atompub_server.py";
  test::Peer server({"run", "--port-after", "PORT ", "--", python ? python : "python3", script, "user", "pw"});
  std::wstring base = L"http://127.0.0.1:" + std::wstring(server.port.begin(), server.port.end());

  AtomPubClient client(PasswordCredential(L"atompub", L"user", L"pw"));
  ServiceDocument service = client.RetrieveServiceDocumentAsync(Uri(base + L"/service")).get();
  Workspace space = service.Workspaces().GetAt(0);
  CHECK(space.Title().Text() == L"netrt workspace");
  ResourceCollection entries = space.Collections().GetAt(0);
  CHECK(entries.Accepts().GetAt(0) == L"application/atom+xml;type=entry");
  CHECK(entries.Categories().Size() == 2);

  SyndicationItem draft;
  draft.Title(SyndicationText(L"From C++"));
  auto create = client.CreateResourceAsync(entries.Uri(), L"from cpp", draft);
  std::atomic<int> reports{0};
  std::atomic<bool> completed{false};
  create.Progress([&](auto const&, TransferProgress const& p) {
    if (p.BytesSent > 0 || p.BytesRetrieved > 0) ++reports;
  });
  create.Completed([&](auto const&, AsyncStatus status) { completed = status == AsyncStatus::Completed; });
  SyndicationItem made = create.get();
  CHECK(test::wait_until([&] { return completed.load(); }));
  CHECK(made.Id() == L"urn:netrt:atompub:from-cpp");
  CHECK(!made.ETag().empty());

  SyndicationItem got = client.RetrieveResourceAsync(made.EditUri()).get();
  got.Title().Text(L"Changed");
  client.UpdateResourceItemAsync(got).get();
  CHECK_THROWS_HR(client.UpdateResourceAsync(made.EditUri(), got).get(), 0x8019019C);  // stale ETag: 412
  SyndicationFeed listed = client.RetrieveFeedAsync(entries.Uri()).get();
  CHECK(listed.Items().Size() == 1);
  CHECK(listed.Items().GetAt(0).Title().Text() == L"Changed");
  client.DeleteResourceItemAsync(made).get();
  CHECK(client.RetrieveFeedAsync(entries.Uri()).get().Items().Size() == 0);

  AtomPubClient anonymous;
  anonymous.Timeout(10000);
  CHECK(anonymous.Timeout() == 10000);
  CHECK_THROWS_HR(anonymous.RetrieveFeedAsync(entries.Uri()).get(), 0x80190191);  // 401
  CHECK_THROWS_HR(client.RetrieveFeedAsync(Uri(L"ftp://127.0.0.1/x")), NETRT_E_INVALIDARG);
  test::note("AtomPub: service document, create/retrieve/update/delete, progress, 401");
}

}  // namespace

int main() {
  init_apartment();
  try {
    feed_model();
    atompub();
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %ls\n", static_cast<unsigned>(e.code().value),
                 e.message().c_str());
    return 1;
  }
  return test::finish("test_syndication");
}
