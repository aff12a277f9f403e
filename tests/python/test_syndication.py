"""Windows.Web.Syndication from Python (docs/syndication.md): feeds written by an independent
generator (feedgen, tests/peers/make_feeds.py) loaded, changed through the object graph and
written back; hostile documents failing with their SyndicationErrorStatus; and SyndicationClient
retrieving feeds from nginx, with auth_basic answered by a PasswordCredential."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import within
from peers.procs import Peer
from peers.web import generated_feeds, nginx_feeds, tinyproxy

import netrt
from netrt import (
    ISyndicationNode,
    PasswordCredential,
    RetrievalProgress,
    SyndicationAttribute,
    SyndicationCategory,
    SyndicationClient,
    SyndicationContent,
    SyndicationError,
    SyndicationErrorStatus,
    SyndicationFeed,
    SyndicationFormat,
    SyndicationItem,
    SyndicationLink,
    SyndicationNode,
    SyndicationPerson,
    SyndicationText,
    SyndicationTextType,
    Uri,
    WebError,
    WebErrorStatus,
    XmlDocument,
)

E_INVALIDARG = -2147024809
HTTP_E_STATUS_DENIED = 0x80190191 - (1 << 32)
WEB_E_RESOURCE_TOO_LARGE = 0x83750006 - (1 << 32)
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
USER, PASSWORD = "reader", "feeds-s3cret"


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    www = tmp_path_factory.mktemp("www")
    generated_feeds(www)
    private = www / "private"
    private.mkdir()
    (private / "rss.xml").write_bytes((www / "rss.xml").read_bytes())
    return www


@pytest.fixture(scope="module")
def nginx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nginx's scratch directory: its access.log has `METHOD URI STATUS` per request."""
    return tmp_path_factory.mktemp("nginx")


@pytest.fixture(scope="module")
def server(feeds: Path, nginx_dir: Path) -> Iterator[int]:
    peer: Peer
    peer, port = nginx_feeds(nginx_dir, feeds, USER, PASSWORD)
    try:
        yield port
    finally:
        peer.close()


def loaded(path: Path) -> SyndicationFeed:
    feed = SyndicationFeed()
    feed.load(path.read_text(encoding="utf-8"))
    return feed


def status_of(excinfo: pytest.ExceptionInfo[netrt.NetworkError]) -> SyndicationErrorStatus:
    return SyndicationError.get_status(excinfo.value.hresult)


# ---------------------------------------------------------------- the object model


@pytest.mark.parametrize(("name", "fmt"), [("atom.xml", SyndicationFormat.ATOM10), ("rss.xml", SyndicationFormat.RSS20)])
def test_a_generated_feed_loads_with_its_properties(feeds: Path, name: str, fmt: SyndicationFormat) -> None:
    feed = loaded(feeds / name)
    assert feed.source_format == fmt
    assert isinstance(feed, ISyndicationNode)
    assert feed.title is not None and feed.title.text == "netrt test feed"
    assert feed.subtitle is not None and "feedgen" in feed.subtitle.text
    assert feed.rights is not None and feed.rights.text == "CC0"
    assert feed.last_updated_time == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert len(feed.items) == 5
    item = feed.items[0]
    assert isinstance(item, SyndicationItem)
    assert item.id == "urn:netrt:test:item:0"
    assert item.title is not None and item.title.text == "Item 0: <tags> & ampersands"
    assert str(item.item_uri) == "http://example.org/items/0"
    assert item.content is not None and item.content.text == "<p>Content of item 0 — ünïcödé</p>"
    assert item.published_date == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def test_atom_paging_links_authors_and_generator(feeds: Path) -> None:
    # feedgen writes these only in its Atom output.
    feed = loaded(feeds / "atom.xml")
    assert str(feed.next_uri) == "http://example.org/feed?page=2"
    assert feed.first_uri is None and feed.last_uri is None and feed.previous_uri is None
    assert [(a.name, a.email) for a in feed.authors] == [("Ada Lovelace", "ada@example.org")]
    assert [(c.term, c.scheme, c.label) for c in feed.categories] == [("testing", "urn:netrt:topics", "Testing")]
    assert feed.generator is not None and (feed.generator.text, feed.generator.version) == ("python-feedgen", "1.0.0")
    assert feed.language == "en"


def test_rss_enclosures_are_links(feeds: Path) -> None:
    item = loaded(feeds / "rss.xml").items[3]
    enclosure = [link for link in item.links if link.relationship == "enclosure"]
    assert [(str(e.uri), e.media_type, e.length) for e in enclosure] == [
        ("http://example.org/audio/3.mp3", "audio/mpeg", 1003)
    ]


def test_rss_keeps_the_itunes_extension(feeds: Path) -> None:
    feed = loaded(feeds / "rss.xml")
    itunes = [n for n in feed.element_extensions if n.node_namespace == ITUNES]
    assert any(n.node_name == "author" and n.node_value == "Ada Lovelace" for n in itunes)
    assert all(isinstance(n, SyndicationNode) for n in itunes)


@pytest.mark.parametrize("fmt", [SyndicationFormat.ATOM10, SyndicationFormat.RSS20])
def test_round_trip_gives_the_same_model_with_its_extensions(feeds: Path, fmt: SyndicationFormat) -> None:
    feed = loaded(feeds / "rss.xml")
    feed.element_extensions.append(SyndicationNode("rating", "urn:netrt:test", "5"))
    feed.attribute_extensions.append(SyndicationAttribute("flag", "urn:netrt:test", "on"))
    first = feed.get_xml_document(fmt).get_xml()
    again = SyndicationFeed()
    again.load(first)
    assert again.get_xml_document(fmt).get_xml() == first
    assert any(n.node_name == "rating" and n.node_value == "5" for n in again.element_extensions)
    assert [(a.name, a.value) for a in again.attribute_extensions if a.namespace == "urn:netrt:test"] == [("flag", "on")]


def test_load_from_xml_reads_an_xml_document(feeds: Path) -> None:
    document = XmlDocument()
    document.load_xml((feeds / "atom.xml").read_text(encoding="utf-8"))
    root = document.document_element
    assert root is not None and root.local_name == "feed" and root.namespace_uri == "http://www.w3.org/2005/Atom"
    feed = SyndicationFeed()
    feed.load_from_xml(document)
    assert feed.source_format == SyndicationFormat.ATOM10 and len(feed.items) == 5


def test_changes_to_nested_objects_are_changes_to_the_feed(feeds: Path) -> None:
    feed = loaded(feeds / "atom.xml")
    assert feed.items is feed.items  # the same list: a live MutableSequence
    feed.items[0].title.text = "Renamed"  # type: ignore[union-attr]
    del feed.items[1:]
    feed.links.append(SyndicationLink(Uri("http://example.org/feed?page=0"), "previous", "", "", 0))
    feed.categories.append(SyndicationCategory("extra", "urn:s", "Extra"))
    item = SyndicationItem("Added", SyndicationContent("<b>hi</b>", SyndicationTextType.HTML), Uri("http://example.org/new"))
    item.id = "urn:netrt:test:new"
    item.authors.append(SyndicationPerson("Grace", "grace@example.org", Uri("http://example.org/grace")))
    feed.items.append(item)
    written = SyndicationFeed()
    written.load(feed.get_xml_document(SyndicationFormat.ATOM10).get_xml())
    assert [i.title.text for i in written.items] == ["Renamed", "Added"]  # type: ignore[union-attr]
    assert str(written.previous_uri) == "http://example.org/feed?page=0"
    assert ("extra", "urn:s", "Extra") in [(c.term, c.scheme, c.label) for c in written.categories]
    added = written.items[1]
    assert added.content is not None and added.content.text == "<b>hi</b>" and added.content.type == "html"
    assert [(p.name, p.email, str(p.uri)) for p in added.authors] == [("Grace", "grace@example.org", "http://example.org/grace")]


def test_a_list_holding_the_wrong_class_is_a_type_error_naming_it() -> None:
    feed = SyndicationFeed("t", "s", Uri("http://example.org/"))
    feed.items.append("not an item")
    with pytest.raises(TypeError, match="items holds SyndicationItem, not 'str'"):
        feed.get_xml_document(SyndicationFormat.ATOM10)


def test_constructors_and_arity() -> None:
    text = SyndicationText("<i>x</i>", SyndicationTextType.HTML)
    assert (text.text, text.type) == ("<i>x</i>", "html")
    assert SyndicationText("plain").type == "text"
    assert str(SyndicationContent(Uri("http://example.org/c")).source_uri) == "http://example.org/c"
    with pytest.raises(TypeError, match="SyndicationLink"):
        SyndicationLink(Uri("http://example.org/"), "rel")  # type: ignore[call-overload]
    with pytest.raises(netrt.NetworkError) as e:
        SyndicationText("x", 7)  # type: ignore[call-overload]
    assert e.value.hresult == E_INVALIDARG
    with pytest.raises(netrt.NetworkError) as e:
        SyndicationFeed().get_xml_document(SyndicationFormat.ATOM03)
    assert e.value.hresult == E_INVALIDARG


def test_uri_and_date_properties_take_uri_str_datetime_or_none() -> None:
    link = SyndicationLink()
    assert link.uri is None
    link.uri = "http://example.org/a"
    assert isinstance(link.uri, Uri) and str(link.uri) == "http://example.org/a"
    with pytest.raises(netrt.NetworkError) as e:
        link.uri = "not a uri"
    assert e.value.hresult == E_INVALIDARG and str(link.uri) == "http://example.org/a"
    link.uri = None
    assert link.uri is None
    item = SyndicationItem()
    when = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
    item.published_date = when
    assert item.published_date == when
    with pytest.raises(TypeError):
        item.published_date = "yesterday"  # type: ignore[assignment]
    item.published_date = None
    assert item.published_date is None


def test_an_item_loads_and_writes_on_its_own() -> None:
    item = SyndicationItem()
    item.load('<entry xmlns="http://www.w3.org/2005/Atom"><id>urn:e</id><title>E</title>'
              '<link rel="edit" href="http://example.org/e/edit"/></entry>')
    assert item.id == "urn:e" and str(item.edit_uri) == "http://example.org/e/edit"
    assert item.get_xml_document(SyndicationFormat.RSS20).document_element.local_name == "item"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("laughs.xml", SyndicationErrorStatus.INVALID_XML),
        ("xxe.xml", SyndicationErrorStatus.INVALID_XML),
        ("deep.xml", SyndicationErrorStatus.INVALID_XML),
        ("not-a-feed.xml", SyndicationErrorStatus.UNSUPPORTED_FORMAT),
        ("no-title.xml", SyndicationErrorStatus.MISSING_REQUIRED_ELEMENT),
    ],
)
def test_a_hostile_or_broken_document_fails_with_its_status_and_leaves_the_feed(
    feeds: Path, name: str, status: SyndicationErrorStatus
) -> None:
    feed = loaded(feeds / "atom.xml")
    with pytest.raises(netrt.NetworkError) as e:
        feed.load((feeds / name).read_text(encoding="utf-8"))
    assert status_of(e) == status
    assert feed.title is not None and feed.title.text == "netrt test feed" and len(feed.items) == 5


# ---------------------------------------------------------------- SyndicationClient


def url(port: int, path: str) -> Uri:
    return Uri(f"http://127.0.0.1:{port}/{path}")


async def test_retrieve_feed_async_reads_a_served_feed(server: int) -> None:
    client = SyndicationClient()
    feed = await within(client.retrieve_feed_async(url(server, "atom.xml")))
    assert isinstance(feed, SyndicationFeed) and feed.source_format == SyndicationFormat.ATOM10
    assert [i.id for i in feed.items][:2] == ["urn:netrt:test:item:0", "urn:netrt:test:item:1"]


async def test_progress_reports_the_bytes_of_the_feed(feeds: Path) -> None:
    # The feed comes from an asyncio server on this test's loop, so no byte is sent before the
    # test awaits the operation: the handler is in place before any progress can happen (with
    # nginx the retrieval may finish before `progress` is assigned, and rightly reports nothing).
    body = (feeds / "rss.xml").read_bytes()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        op = SyndicationClient().retrieve_feed_async(url(port, "rss.xml"))
        assert isinstance(op, netrt.IAsyncOperationWithProgress) and op.progress is None
        reports: list[tuple[object, int, int]] = []

        def on_progress(sender: object, p: RetrievalProgress) -> None:
            reports.append((sender, p.bytes_retrieved, p.total_bytes_to_retrieve))

        op.progress = on_progress
        assert op.progress is on_progress
        feed = await within(op)
    finally:
        server.close()
    assert len(feed.items) == 5
    # Reported before the operation completes; the last report has every byte.
    assert reports and all(sender is op for sender, _, _ in reports)
    assert reports[-1][1:] == (len(body), len(body))
    assert [r[1] for r in reports] == sorted(r[1] for r in reports)


async def test_auth_basic_is_unauthorized_without_a_credential_and_succeeds_with_one(server: int) -> None:
    client = SyndicationClient()
    with pytest.raises(netrt.NetworkError) as e:
        await within(client.retrieve_feed_async(url(server, "private/rss.xml")))
    assert e.value.hresult == HTTP_E_STATUS_DENIED
    assert WebError.get_status(e.value.hresult) == WebErrorStatus.UNAUTHORIZED
    assert SyndicationError.get_status(e.value.hresult) == SyndicationErrorStatus.UNKNOWN
    credential = PasswordCredential("http://127.0.0.1/", USER, PASSWORD)
    client.server_credential = credential
    assert client.server_credential.user_name == USER  # type: ignore[union-attr]
    feed = await within(client.retrieve_feed_async(url(server, "private/rss.xml")))
    assert feed.source_format == SyndicationFormat.RSS20 and len(feed.items) == 5
    # The constructor form takes the credential too.
    feed = SyndicationClient(credential).retrieve_feed_async(url(server, "private/rss.xml")).get(timeout=10)
    assert len(feed.items) == 5


async def test_through_tinyproxy_with_proxy_credential(server: int, tmp_path: Path) -> None:
    proxy = tinyproxy(tmp_path, ("pxuser", "pxpass"))
    try:
        client = SyndicationClient()
        assert client.proxy is None  # the environment's, by default
        client.proxy = f"127.0.0.1:{proxy.port}"
        assert client.proxy == f"http://127.0.0.1:{proxy.port}"
        with pytest.raises(netrt.NetworkError) as e:
            await within(client.retrieve_feed_async(url(server, "atom.xml")))
        assert WebError.get_status(e.value.hresult) == WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED
        client.proxy_credential = PasswordCredential("", "pxuser", "pxpass")
        client.server_credential = PasswordCredential("", USER, PASSWORD)
        feed = await within(client.retrieve_feed_async(url(server, "private/rss.xml")))
        assert len(feed.items) == 5
        proxy.wait_for_output(f"CONNECT 127.0.0.1:{server}", timeout=10)  # tunnelled, as the web layer does
    finally:
        proxy.close()


async def atom_statuses(nginx_dir: Path, at_least: int) -> list[str]:
    """The statuses of nginx's atom.xml requests so far, once there are `at_least` (nginx logs
    a request after its response has gone: a fast client asks before the line is written)."""
    for _ in range(1000):
        log = (nginx_dir / "access.log").read_text().splitlines()
        statuses = [line.split()[2] for line in log if "/atom.xml" in line]
        if len(statuses) >= at_least:
            break
        await asyncio.sleep(0.01)
    return statuses


async def test_a_second_retrieval_of_an_unchanged_feed_costs_a_304(server: int, nginx_dir: Path) -> None:
    # Earlier tests of this module fetched atom.xml too (each from a new client).
    before = len(await atom_statuses(nginx_dir, 0))
    client = SyndicationClient()
    first = await within(client.retrieve_feed_async(url(server, "atom.xml?cached")))
    second = await within(client.retrieve_feed_async(url(server, "atom.xml?cached")))
    assert second.get_xml_document(SyndicationFormat.ATOM10).get_xml() == first.get_xml_document(SyndicationFormat.ATOM10).get_xml()
    assert second is not first  # each retrieval hands out its own objects
    assert (await atom_statuses(nginx_dir, before + 2))[before:] == ["200", "304"]
    client.bypass_cache_on_retrieve = True
    await within(client.retrieve_feed_async(url(server, "atom.xml?cached")))
    assert (await atom_statuses(nginx_dir, before + 3))[before:] == ["200", "304", "200"]


async def test_a_feed_over_max_response_buffer_size_fails(server: int) -> None:
    client = SyndicationClient()
    client.max_response_buffer_size = 100
    assert client.max_response_buffer_size == 100
    with pytest.raises(netrt.NetworkError) as e:
        await within(client.retrieve_feed_async(url(server, "rss.xml")))
    assert e.value.hresult == WEB_E_RESOURCE_TOO_LARGE


async def test_a_served_hostile_document_is_invalid_xml(server: int) -> None:
    client = SyndicationClient()
    for name in ("laughs.xml", "bad-utf8.xml"):
        with pytest.raises(netrt.NetworkError) as e:
            await within(client.retrieve_feed_async(url(server, name)))
        assert status_of(e) == SyndicationErrorStatus.INVALID_XML, name


def test_client_settings_and_argument_errors() -> None:
    client = SyndicationClient()
    assert (client.timeout, client.bypass_cache_on_retrieve, client.server_credential) == (30000, False, None)
    client.timeout = 1234
    client.bypass_cache_on_retrieve = True
    client.set_request_header("X-Test", "1")
    assert (client.timeout, client.bypass_cache_on_retrieve) == (1234, True)
    with pytest.raises(netrt.NetworkError) as e:
        client.retrieve_feed_async("ftp://127.0.0.1/feed")
    assert e.value.hresult == E_INVALIDARG
    with pytest.raises(TypeError):
        SyndicationClient("not a credential")  # type: ignore[call-overload]
