"""Windows.Web.AtomPub from Python (docs/syndication.md): AtomPubClient against the RFC 5023
server of tests/peers/atompub_server.py (aiohttp, Basic authentication, ETags): the service
document, entries created (201 + Location), retrieved, updated with If-Match (412 when stale)
and deleted, media resources from an IInputStream and bytes, cancellation, progress."""

from __future__ import annotations

import asyncio
import copy
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Accepting, within
from peers.procs import Peer, program

import netrt
from netrt import (
    AsyncStatus,
    AtomPubClient,
    InputStreamOptions,
    ISyndicationNode,
    PasswordCredential,
    ResourceCollection,
    RetrievalProgress,
    ServiceDocument,
    StreamSocket,
    SyndicationCategory,
    SyndicationContent,
    SyndicationFeed,
    SyndicationFormat,
    SyndicationItem,
    SyndicationNode,
    SyndicationText,
    SyndicationTextType,
    TransferProgress,
    Uri,
    WebError,
    WebErrorStatus,
    Workspace,
    XmlDocument,
)

SERVER = Path(__file__).resolve().parents[1] / "peers" / "atompub_server.py"
USER, PASSWORD = "writer", "pub-s3cret"
E_INVALIDARG = -2147024809


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    peer: Peer = program("PORT ", sys.executable, str(SERVER), USER, PASSWORD)
    try:
        yield peer.port
    finally:
        peer.close()


def url(port: int, path: str) -> Uri:
    return Uri(f"http://127.0.0.1:{port}{path}")


def client() -> AtomPubClient:
    c = AtomPubClient(PasswordCredential("", USER, PASSWORD))
    c.proxy = ""  # never a proxy from the environment: the server is on loopback
    return c


def new_item(title: str) -> SyndicationItem:
    item = SyndicationItem(title, SyndicationContent("<p>body</p>", SyndicationTextType.HTML), None)
    item.element_extensions.append(SyndicationNode("mood", "urn:netrt:test", "calm"))
    return item


def web_status(e: pytest.ExceptionInfo[netrt.NetworkError]) -> WebErrorStatus:
    return WebError.get_status(e.value.hresult)


async def read_all(stream: netrt.IInputStream) -> bytes:
    out = b""
    while True:
        buf = await within(stream.read_async(netrt.Buffer(65536), 65536, InputStreamOptions.PARTIAL))
        if len(buf) == 0:
            return out
        out += bytes(buf)


async def test_the_service_document_lists_workspaces_and_collections(server: int) -> None:
    anonymous = AtomPubClient()
    anonymous.proxy = ""
    with pytest.raises(netrt.NetworkError) as e:
        await within(anonymous.retrieve_service_document_async(url(server, "/service")))
    assert web_status(e) == WebErrorStatus.UNAUTHORIZED

    service = await within(client().retrieve_service_document_async(url(server, "/service")))
    assert isinstance(service, ServiceDocument) and isinstance(service, ISyndicationNode)
    (workspace,) = service.workspaces
    assert isinstance(workspace, Workspace) and isinstance(workspace.title, SyndicationText)
    assert workspace.title.text == "netrt workspace"
    entries, media = workspace.collections
    assert isinstance(entries, ResourceCollection)
    assert entries.title is not None and entries.title.text == "Entries"
    assert entries.uri is not None and entries.uri.to_string() == f"http://127.0.0.1:{server}/entries"
    assert entries.accepts == ("application/atom+xml;type=entry",)
    assert all(isinstance(c, SyndicationCategory) for c in entries.categories)
    assert [(c.term, c.scheme) for c in entries.categories] == [("news", "urn:netrt:tags"), ("notes", "urn:netrt:tags")]
    # A relative href is resolved against the document's URI.
    assert media.uri is not None and media.uri.absolute_uri == f"http://127.0.0.1:{server}/media"
    assert media.accepts == ("image/png", "application/octet-stream")
    # The views are read-only and not constructible.
    with pytest.raises(AttributeError):
        service.workspaces = ()  # type: ignore[misc]
    for cls in (ServiceDocument, Workspace, ResourceCollection):
        with pytest.raises(TypeError):
            cls()
    # get_xml_document writes the objects as they are now (RFC 5023 elements).
    entries.title.text = "All entries"
    xml = service.get_xml_document(SyndicationFormat.ATOM10)
    assert isinstance(xml, XmlDocument)
    root = xml.document_element
    assert root is not None and (root.local_name, root.namespace_uri) == ("service", "http://www.w3.org/2007/app")
    text = xml.get_xml()
    assert "All entries" in text and f'href="http://127.0.0.1:{server}/media"' in text
    assert 'term="news"' in text and "image/png" in text
    assert "Entries" not in workspace.get_xml_document(SyndicationFormat.RSS20).get_xml()
    collection = media.get_xml_document(SyndicationFormat.ATOM10).document_element
    assert collection is not None and collection.local_name == "collection"


async def test_a_credential_set_later_is_used(server: int) -> None:
    c = AtomPubClient()
    c.proxy = ""
    assert c.server_credential is None and c.proxy_credential is None
    c.server_credential = PasswordCredential("", USER, PASSWORD)
    assert c.server_credential.user_name == USER
    service = await within(c.retrieve_service_document_async(url(server, "/service")))
    assert len(service.workspaces) == 1


async def test_entries_are_created_retrieved_updated_with_etags_and_deleted(server: int) -> None:
    c = client()
    collection = url(server, "/entries")
    created = await within(c.create_resource_async(collection, "First Post ☺", new_item("First")))
    assert isinstance(created, SyndicationItem)
    # 201 + Location: the Slug named it, the server's entry came back with its ETag.
    assert created.edit_uri is not None
    assert created.edit_uri.to_string() == f"http://127.0.0.1:{server}/entries/first-post"
    assert created.e_tag and created.title is not None and created.title.text == "First"
    assert created.element_extensions[0].node_value == "calm", "extensions reach the server and come back"

    fetched = await within(c.retrieve_resource_async(created.edit_uri))
    assert (fetched.id, fetched.e_tag) == (created.id, created.e_tag)

    # Updated with the current ETag; then the old one is stale (412).
    fetched.title = SyndicationText("First, edited")
    assert await within(c.update_resource_item_async(fetched)) is None
    with pytest.raises(netrt.NetworkError) as e:
        await within(c.update_resource_async(created.edit_uri, fetched))
    assert web_status(e) == WebErrorStatus.PRECONDITION_FAILED
    latest = await within(c.retrieve_resource_async(created.edit_uri))
    assert latest.title.text == "First, edited" and latest.e_tag != created.e_tag

    feed = await within(c.retrieve_feed_async(collection))
    assert isinstance(feed, SyndicationFeed)
    assert [i.title.text if i.title else None for i in feed.items] == ["First, edited"]

    assert await within(c.delete_resource_item_async(latest)) is None
    with pytest.raises(netrt.NetworkError) as e:
        await within(c.retrieve_resource_async(created.edit_uri))
    assert web_status(e) == WebErrorStatus.NOT_FOUND
    with pytest.raises(netrt.NetworkError) as e:
        await within(c.delete_resource_async(created.edit_uri))
    assert web_status(e) == WebErrorStatus.NOT_FOUND


async def test_a_media_resource_from_an_input_stream_reports_its_upload(
    server: int, accepting: Accepting
) -> None:
    # The media stream is a socket fed by this test: the upload cannot start before the test
    # closes the feeding end, so the progress handler is in place before any byte is sent.
    png = bytes(range(256)) * 300
    feeder = StreamSocket()
    await within(feeder.connect_async("127.0.0.1", accepting.port))
    with await accepting.accept() as source:
        c = client()
        op = c.create_media_resource_async(url(server, "/media"), "image/png", "Beach", source.input_stream)
        assert isinstance(op, netrt.IAsyncOperationWithProgress)
        reports: list[TransferProgress] = []
        op.progress = lambda sender, p: reports.append(p)
        assert await within(feeder.output_stream.write_async(png)) == len(png)
        feeder.close()
        entry = await within(op)
    assert reports and all(isinstance(p, TransferProgress) for p in reports)
    last = reports[-1]
    assert last.bytes_sent == last.total_bytes_to_send == len(png)
    assert [p.bytes_sent for p in reports] == sorted(p.bytes_sent for p in reports)

    media = entry.edit_media_uri
    assert media is not None and entry.content.source_uri.to_string() == media.to_string()
    stream = await within(c.retrieve_media_resource_async(media))
    assert isinstance(stream, netrt.IInputStream)
    assert await read_all(stream) == png

    # Bytes-like objects work as the media too (netrt), and replace it with If-Match.
    assert await within(c.update_media_resource_async(media, "image/png", memoryview(b"new bytes"))) is None
    assert await read_all(await within(c.retrieve_media_resource_async(media))) == b"new bytes"


async def test_a_retrieval_reports_retrieval_progress() -> None:
    # The entry comes from an asyncio server on this test's loop, so no byte is sent before the
    # test awaits the operation: the handler is in place before any progress can happen.
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom">'
        b"<id>urn:netrt:entry</id><title>Local</title><updated>2024-01-01T00:00:00Z</updated>"
        + b"<content>" + b"x" * 5000 + b"</content></entry>"
    )

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f'HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nETag: "v1"\r\nContent-Length: {len(body)}\r\n\r\n'
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()

    local = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = local.sockets[0].getsockname()[1]
    try:
        op = client().retrieve_resource_async(url(port, "/entry"))
        reports: list[tuple[object, RetrievalProgress]] = []
        op.progress = lambda sender, p: reports.append((sender, p))
        item = await within(op)
    finally:
        local.close()
    assert item.title.text == "Local" and item.e_tag == '"v1"'
    assert reports and all(sender is op and isinstance(p, RetrievalProgress) for sender, p in reports)
    assert reports[-1][1] == RetrievalProgress(len(body), len(body))


async def test_cancel_async_operations_cancels_what_is_in_flight(server: int) -> None:
    c = client()
    slow = c.retrieve_service_document_async(url(server, "/slow"))
    await asyncio.sleep(0.1)
    c.cancel_async_operations()
    assert slow.wait(10) == AsyncStatus.CANCELED
    with pytest.raises(asyncio.CancelledError):
        await within(slow)
    # The client goes on working.
    service = await within(c.retrieve_service_document_async(url(server, "/service")))
    assert len(service.workspaces) == 1


async def test_bad_arguments_fail_at_the_call(server: int) -> None:
    c = client()
    for call in (
        lambda: c.update_resource_item_async(SyndicationItem()),
        lambda: c.delete_resource_item_async(SyndicationItem()),
        lambda: c.retrieve_feed_async("ftp://127.0.0.1/feed"),
        lambda: c.create_resource_async(Uri("ftp://127.0.0.1/x"), "", SyndicationItem()),
    ):
        with pytest.raises(netrt.NetworkError) as e:
            call()
        assert e.value.hresult == E_INVALIDARG
    with pytest.raises(TypeError, match="item must be a SyndicationItem"):
        c.create_resource_async(url(server, "/entries"), "", "not an item")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="media_stream must be an IInputStream"):
        c.create_media_resource_async(url(server, "/media"), "image/png", "", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        AtomPubClient(1, 2)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        c.retrieve_feed_async(uri=url(server, "/entries"))  # type: ignore[call-arg]
    with pytest.raises(netrt.NetworkError) as e:
        c.set_request_header("Bad Name", "x")
    assert e.value.hresult == E_INVALIDARG


def test_settings_round_trip() -> None:
    c = AtomPubClient()
    assert c.timeout == 30000 and c.bypass_cache_on_retrieve is False
    c.timeout = 5000
    c.max_response_buffer_size = 1 << 20
    c.bypass_cache_on_retrieve = True
    c.proxy = "http://127.0.0.1:3128"
    assert (c.timeout, c.max_response_buffer_size, c.bypass_cache_on_retrieve) == (5000, 1 << 20, True)
    assert c.proxy == "http://127.0.0.1:3128"
    c.proxy = None
    assert c.proxy is None


def test_progress_structs_are_values() -> None:
    t = TransferProgress(bytes_sent=3, total_bytes_to_send=10)
    assert t.unpack() == (3, 10, 0, 0)
    assert TransferProgress.__match_args__ == (
        "bytes_sent",
        "total_bytes_to_send",
        "bytes_retrieved",
        "total_bytes_to_retrieve",
    )
    assert t.__replace__(bytes_retrieved=7) == TransferProgress(3, 10, 7, 0)
    assert t == TransferProgress(3, 10) and t != TransferProgress(4, 10)
    with pytest.raises(AttributeError):
        t.bytes_sent = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        t.__replace__(nope=1)
    r = RetrievalProgress(5, 9)
    assert r.unpack() == (5, 9) and r.__replace__(bytes_retrieved=9) == RetrievalProgress(9, 9)
    match r:
        case RetrievalProgress(done, total):
            assert (done, total) == (5, 9)
    if sys.version_info >= (3, 13):
        assert copy.replace(r, total_bytes_to_retrieve=1) == RetrievalProgress(5, 1)
