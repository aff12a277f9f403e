"""Windows.Networking.BackgroundTransfer from Python (docs/background-transfer.md): transfers run
by the test's private netrt-brokerd against nginx (downloads with ranges, a rate-limited /slow/)
and the aiohttp transfer server (Basic authentication, an upload sink)."""

from __future__ import annotations

import asyncio
import collections.abc
import copy
import hashlib
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Accepting, Broker, within
from peers.procs import Peer
from peers.web import nginx_transfer, transfer_server

import netrt
from netrt import (
    AsyncStatus,
    BackgroundDownloader,
    BackgroundDownloadProgress,
    BackgroundTransferBehavior,
    BackgroundTransferContentPart,
    BackgroundTransferCostPolicy,
    BackgroundTransferError,
    BackgroundTransferFileRange,
    BackgroundTransferGroup,
    BackgroundTransferPriority,
    BackgroundTransferStatus,
    BackgroundUploader,
    BackgroundUploadProgress,
    CreationCollisionOption,
    DownloadOperation,
    InputStreamOptions,
    PasswordCredential,
    StreamSocket,
    ResponseInformation,
    StorageFile,
    StorageFolder,
    UploadOperation,
    Uri,
    WebErrorStatus,
)

E_INVALIDARG = -2147024809
E_ILLEGAL_METHOD_CALL = 0x8000000E - (1 << 32)
E_NOTIMPL = -2147467263
USER, PASSWORD = "alice", "s3cret-pass"
#: How long a test waits for the daemon's state to change (polled, never a timing assertion).
LIMIT = 30.0


def data(seed: int, n: int) -> bytes:
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:n])


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("www")
    (d / "two.bin").write_bytes(data(1, 2 << 20))
    (d / "small.bin").write_bytes(data(2, 300_000))
    return d


@pytest.fixture(scope="module")
def nginx(www: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    d = tmp_path_factory.mktemp("nginx")
    peer: Peer
    peer, port = nginx_transfer(d, www)
    try:
        yield port, d / "access.log"
    finally:
        peer.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, bytes, Path]]:
    d = tmp_path_factory.mktemp("transfer")
    body = data(3, 200_000)
    (d / "data.bin").write_bytes(body)
    (d / "sink").mkdir()
    peer = transfer_server(d / "data.bin", d / "sink", USER, PASSWORD)
    try:
        yield peer.port, body, d / "sink"
    finally:
        peer.close()


def url(port: int, path: str) -> Uri:
    return Uri(f"http://127.0.0.1:{port}/{path}")


async def new_file(d: Path, name: str) -> StorageFile:
    folder = await within(StorageFolder.get_folder_from_path_async(str(d)))
    return await within(folder.create_file_async(name, CreationCollisionOption.REPLACE_EXISTING))


async def eventually(what: str, holds: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LIMIT
    while not holds():
        assert time.monotonic() < deadline, f"{what} never happened"
        await asyncio.sleep(0.02)


async def read_all(stream: netrt.IInputStream) -> bytes:
    out = b""
    while True:
        buf = await within(stream.read_async(netrt.Buffer(1 << 16), 1 << 16, InputStreamOptions.PARTIAL))
        if len(buf) == 0:
            return out
        out += bytes(buf)


async def test_a_download_arrives_whole_with_progress_and_response(
    broker: Broker, nginx: tuple[int, Path], www: Path, tmp_path: Path
) -> None:
    port, access_log = nginx
    downloader = BackgroundDownloader()
    assert downloader.method == "GET" and downloader.transfer_group is None
    downloader.set_request_header("X-Test", "a")
    result = await new_file(tmp_path, "two.bin")
    op = downloader.create_download(url(port, "slow/two.bin"), result)
    assert isinstance(op, DownloadOperation) and isinstance(op.guid, uuid.UUID)
    assert op.progress.status == BackgroundTransferStatus.IDLE and op.method == "GET"
    assert op.result_file.path == result.path and op.get_response_information() is None

    started = op.start_async()
    assert isinstance(started, netrt.IAsyncOperationWithProgress)
    reports: list[tuple[object, BackgroundDownloadProgress]] = []
    # /slow/ sends 512 KiB/s: the 2 MiB take seconds, so the handler is in place long before
    # the end, and the status changes (at least Running → Completed) are reported.
    started.progress = lambda sender, o: reports.append((sender, o.progress))
    done = await asyncio.wait_for(started, LIMIT)
    assert done == op and isinstance(done, DownloadOperation)
    assert started.status == AsyncStatus.COMPLETED
    assert reports and all(sender is started for sender, _ in reports)
    assert all(isinstance(p, BackgroundDownloadProgress) for _, p in reports)
    assert [p.bytes_received for _, p in reports] == sorted(p.bytes_received for _, p in reports)

    expected = (www / "two.bin").read_bytes()
    progress = op.progress
    assert progress.status == BackgroundTransferStatus.COMPLETED
    assert progress.bytes_received == progress.total_bytes_to_receive == len(expected)
    assert Path(result.path).read_bytes() == expected
    assert op.get_downloaded_ranges() == [BackgroundTransferFileRange(0, len(expected))]
    assert await read_all(op.get_result_stream_at(len(expected) - 1000)) == expected[-1000:]

    info = op.get_response_information()
    assert isinstance(info, ResponseInformation)
    assert info.status_code == 200 and info.is_resumable
    assert info.actual_uri.to_string() == url(port, "slow/two.bin").to_string()
    assert any(name.lower() == "etag" for name in info.headers)
    with pytest.raises(TypeError):
        info.headers["X"] = "y"  # type: ignore[index]  # a read-only map (IMapView)

    with pytest.raises(netrt.NetworkError) as e:
        op.start_async()
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    assert "GET /slow/two.bin 200" in access_log.read_text()


async def test_pause_resume_with_a_range_then_cancel(
    broker: Broker, nginx: tuple[int, Path], www: Path, tmp_path: Path
) -> None:
    port, access_log = nginx
    result = await new_file(tmp_path, "paused.bin")
    op = BackgroundDownloader().create_download(url(port, "slow/two.bin"), result)
    for call in (op.pause, op.resume):
        with pytest.raises(netrt.NetworkError) as e:
            call()
        assert e.value.hresult == E_ILLEGAL_METHOD_CALL, "neither before the start"
    started = op.start_async()
    await eventually("bytes arriving", lambda: op.progress.bytes_received > 0)
    op.pause()
    await eventually("the pause", lambda: op.progress.status == BackgroundTransferStatus.PAUSED_BY_APPLICATION)
    with pytest.raises(netrt.NetworkError) as e:
        op.pause()
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    kept = op.progress.bytes_received
    assert kept > 0 and op.get_downloaded_ranges()[0].length == kept
    op.resume()
    await asyncio.wait_for(started, LIMIT)
    assert Path(result.path).read_bytes() == (www / "two.bin").read_bytes()
    assert not op.progress.has_restarted, "nginx honoured the range"
    assert f"206 range=bytes={kept}-" in access_log.read_text()

    # Cancelling the start operation cancels the download.
    gone = await new_file(tmp_path, "cancelled.bin")
    op = BackgroundDownloader().create_download(url(port, "slow/two.bin"), gone)
    started = op.start_async()
    await eventually("bytes arriving", lambda: op.progress.bytes_received > 0)
    started.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(started, LIMIT)
    await eventually("the cancel", lambda: op.progress.status == BackgroundTransferStatus.CANCELED)


async def test_groups_are_listed_and_attached(
    broker: Broker, nginx: tuple[int, Path], www: Path, tmp_path: Path
) -> None:
    port, _ = nginx
    group = BackgroundTransferGroup.create_group(f"py-group-{uuid.uuid4()}")
    assert group.transfer_behavior == BackgroundTransferBehavior.PARALLEL
    group.transfer_behavior = BackgroundTransferBehavior.SERIALIZED
    assert group.transfer_behavior == BackgroundTransferBehavior.SERIALIZED
    downloader = BackgroundDownloader()
    downloader.transfer_group = group
    assert downloader.transfer_group is not None and downloader.transfer_group.name == group.name
    op = downloader.create_download(url(port, "small.bin"), await new_file(tmp_path, "g.bin"))
    assert op.transfer_group is not None and op.transfer_group.name == group.name

    listed = await within(BackgroundDownloader.get_current_downloads_for_transfer_group_async(group))
    assert listed == [op]
    ungrouped = await within(BackgroundDownloader.get_current_downloads_async())
    assert op not in ungrouped

    # Another view of the same transfer (as after an app restart) attaches and follows it.
    (found,) = listed
    op.start_async()
    done = await asyncio.wait_for(found.attach_async(), LIMIT)
    assert done.progress.status == BackgroundTransferStatus.COMPLETED
    assert Path(op.result_file.path).read_bytes() == (www / "small.bin").read_bytes()


async def test_credentials_and_recoverable_statuses(
    broker: Broker, server: tuple[int, bytes, Path], tmp_path: Path
) -> None:
    port, body, _ = server
    # 401 without a credential: the start operation fails with the status's HRESULT.
    op = BackgroundDownloader().create_download(url(port, "basic"), await new_file(tmp_path, "a.bin"))
    with pytest.raises(netrt.NetworkError) as e:
        await asyncio.wait_for(op.start_async(), LIMIT)
    assert BackgroundTransferError.get_status(e.value.hresult) == WebErrorStatus.UNAUTHORIZED
    assert op.progress.status == BackgroundTransferStatus.ERROR
    assert op.current_web_error_status == WebErrorStatus.UNAUTHORIZED

    # Listed as recoverable, the same 401 pauses the download instead.
    op = BackgroundDownloader().create_download(url(port, "basic"), await new_file(tmp_path, "b.bin"))
    statuses = op.recoverable_web_error_statuses
    assert len(statuses) == 0 and op.current_web_error_status is None
    statuses.append(WebErrorStatus.UNAUTHORIZED)
    assert list(op.recoverable_web_error_statuses) == [WebErrorStatus.UNAUTHORIZED], "a live vector"
    assert isinstance(statuses, collections.abc.MutableSequence)
    assert statuses == [WebErrorStatus.UNAUTHORIZED] and statuses != ["x"] and WebErrorStatus.UNAUTHORIZED in statuses
    statuses.insert(0, WebErrorStatus.NOT_FOUND)
    del statuses[0]
    assert statuses[-1] == WebErrorStatus.UNAUTHORIZED and len(statuses) == 1
    started = op.start_async()
    await eventually(
        "the recoverable pause",
        lambda: op.progress.status == BackgroundTransferStatus.PAUSED_RECOVERABLE_WEB_ERROR_STATUS,
    )
    started.cancel()

    downloader = BackgroundDownloader()
    downloader.server_credential = PasswordCredential("", USER, PASSWORD)
    assert downloader.server_credential.user_name == USER
    op = downloader.create_download(url(port, "basic"), await new_file(tmp_path, "c.bin"))
    await asyncio.wait_for(op.start_async(), LIMIT)
    assert Path(op.result_file.path).read_bytes() == body


async def test_file_and_multipart_uploads(
    broker: Broker, server: tuple[int, bytes, Path], tmp_path: Path
) -> None:
    port, _, sink = server
    payload = data(4, 150_000)
    (tmp_path / "up.bin").write_bytes(payload)
    source = await within(StorageFile.get_file_from_path_async(str(tmp_path / "up.bin")))
    uploader = BackgroundUploader()
    assert uploader.method == "POST"
    op = uploader.create_upload(url(port, "upload"), source)
    assert isinstance(op, UploadOperation) and op.source_file == source
    done = await asyncio.wait_for(op.start_async(), LIMIT)
    progress = done.progress
    assert isinstance(progress, BackgroundUploadProgress)
    assert progress.status == BackgroundTransferStatus.COMPLETED
    assert progress.bytes_sent == progress.total_bytes_to_send == len(payload)
    info = op.get_response_information()
    assert info is not None and info.status_code == 201
    answer = (await read_all(op.get_result_stream_at(0))).decode()
    assert answer.startswith("stored ") and answer.split()[2] == hashlib.sha256(payload).hexdigest()

    text = BackgroundTransferContentPart("note")
    text.set_text("hello")
    text.set_header("X-Part", "1")
    attached = BackgroundTransferContentPart("file", "up.bin")
    attached.set_file(source)
    create = uploader.create_upload_async(url(port, "upload"), [text, attached])
    multipart = await within(create)
    assert isinstance(multipart, UploadOperation) and multipart.source_file is None
    await asyncio.wait_for(multipart.start_async(), LIMIT)
    n = (await read_all(multipart.get_result_stream_at(0))).decode().split()[1]
    # The server numbers the parts it received from 1.
    assert (sink / f"{n}.part1.body").read_bytes() == b"hello"
    assert (sink / f"{n}.part2.body").read_bytes() == payload
    first, second = (json.loads((sink / f"{n}.part{i}.headers").read_text()) for i in (1, 2))
    assert first["name"] == "note" and first["headers"].get("X-Part") == "1"
    assert (second["name"], second["filename"]) == ("file", "up.bin")


async def test_stream_bodies_are_copied_before_the_transfer_is_created(
    broker: Broker, server: tuple[int, bytes, Path], accepting: Accepting, tmp_path: Path
) -> None:
    # The source stream is a socket this test feeds and then closes: the create operation
    # completes only once the whole stream was copied, so nothing depends on timing.
    port, _, sink = server
    payload = data(5, 100_000)
    feeder = StreamSocket()
    await within(feeder.connect_async("127.0.0.1", accepting.port))
    with await accepting.accept() as source:
        create = BackgroundUploader().create_upload_from_stream_async(url(port, "upload"), source.input_stream)
        assert isinstance(create, netrt.IAsyncOperation)
        assert await within(feeder.output_stream.write_async(payload)) == len(payload)
        feeder.close()
        op = await within(create)
    assert isinstance(op, UploadOperation) and op.source_file is None
    assert op.progress.status == BackgroundTransferStatus.IDLE
    reports: list[BackgroundUploadProgress] = []
    started = op.start_async()
    started.progress = lambda sender, o: reports.append(o.progress)
    await asyncio.wait_for(started, LIMIT)
    answer = (await read_all(op.get_result_stream_at(0))).decode().split()
    assert (sink / f"{answer[1]}.body").read_bytes() == payload
    assert op.progress.bytes_sent == op.progress.total_bytes_to_send == len(payload)
    assert all(isinstance(p, BackgroundUploadProgress) for p in reports)

    # A download whose request body comes from a stream (POST to the upload sink).
    feeder = StreamSocket()
    await within(feeder.connect_async("127.0.0.1", accepting.port))
    with await accepting.accept() as source:
        downloader = BackgroundDownloader()
        downloader.method = "POST"
        result = await new_file(tmp_path, "answer.txt")
        creating = downloader.create_download_async(url(port, "upload"), result, source.input_stream)
        assert await within(feeder.output_stream.write_async(b"request body")) == 12
        feeder.close()
        download = await within(creating)
    assert isinstance(download, DownloadOperation) and download.method == "POST"
    await asyncio.wait_for(download.start_async(), LIMIT)
    stored = Path(result.path).read_text().split()
    assert (sink / f"{stored[1]}.body").read_bytes() == b"request body"
    with pytest.raises(netrt.NetworkError) as e:
        download.resume()
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL


async def test_bad_arguments_and_missing_features(broker: Broker, tmp_path: Path) -> None:
    result = await new_file(tmp_path, "x.bin")
    downloader, uploader = BackgroundDownloader(), BackgroundUploader()
    for call in (
        lambda: downloader.create_download(Uri("ftp://127.0.0.1/x"), result),
        lambda: uploader.create_upload_async(Uri("http://127.0.0.1/x"), []),
        lambda: downloader.set_request_header("Bad Name", "x"),
        lambda: setattr(downloader, "method", ""),
        lambda: setattr(downloader, "cost_policy", 7),
    ):
        with pytest.raises(netrt.NetworkError) as e:
            call()
        assert e.value.hresult == E_INVALIDARG
    with pytest.raises(TypeError, match="result_file must be a StorageFile"):
        downloader.create_download(Uri("http://127.0.0.1/x"), str(tmp_path / "x.bin"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parts holds BackgroundTransferContentPart"):
        uploader.create_upload_async(Uri("http://127.0.0.1/x"), ["text"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        BackgroundTransferContentPart("a", "b", "c")  # type: ignore[call-overload]
    for cls in (DownloadOperation, UploadOperation, ResponseInformation, BackgroundTransferGroup):
        with pytest.raises(TypeError):
            cls()
    op = downloader.create_download(Uri("http://127.0.0.1:9/x"), result)
    with pytest.raises(netrt.NotImplementedError) as e:
        op.get_result_random_access_stream_reference()
    assert e.value.hresult == E_NOTIMPL
    with pytest.raises(netrt.NotImplementedError):
        BackgroundDownloader.request_unconstrained_downloads_async([op])
    with pytest.raises(netrt.NetworkError) as e:
        op.requested_uri = Uri("http://127.0.0.1:9/y")  # only while paused
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    downloader.cost_policy = BackgroundTransferCostPolicy.UNRESTRICTED_ONLY
    assert downloader.cost_policy == BackgroundTransferCostPolicy.UNRESTRICTED_ONLY
    op.priority = BackgroundTransferPriority.HIGH
    assert op.priority == BackgroundTransferPriority.HIGH
    with pytest.raises(netrt.NetworkError):
        op.priority = 9  # type: ignore[assignment]


def test_values_and_enums() -> None:
    assert [int(s) for s in BackgroundTransferStatus] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 32]
    assert BackgroundTransferStatus.PAUSED_SYSTEM_POLICY == 32
    assert (BackgroundTransferCostPolicy.ALWAYS, BackgroundTransferPriority.LOW) == (2, 2)
    assert BackgroundTransferBehavior.SERIALIZED == 1
    p = BackgroundDownloadProgress(bytes_received=5, total_bytes_to_receive=10)
    assert p.status == BackgroundTransferStatus.IDLE and isinstance(p.status, BackgroundTransferStatus)
    assert p.unpack() == (5, 10, BackgroundTransferStatus.IDLE, False, False)
    done = p.__replace__(bytes_received=10, status=BackgroundTransferStatus.COMPLETED)
    assert done == BackgroundDownloadProgress(10, 10, BackgroundTransferStatus.COMPLETED)
    match done:
        case BackgroundDownloadProgress(received, total, status):
            assert (received, total, status) == (10, 10, BackgroundTransferStatus.COMPLETED)
    u = BackgroundUploadProgress(bytes_sent=3, total_bytes_to_send=3, has_restarted=True)
    assert u.unpack() == (0, 3, 0, 3, BackgroundTransferStatus.IDLE, False, True)
    assert BackgroundUploadProgress.__match_args__[1] == "bytes_sent"
    r = BackgroundTransferFileRange(length=4)
    assert r.unpack() == (0, 4) and r.__replace__(offset=2) == BackgroundTransferFileRange(2, 4)
    with pytest.raises(TypeError):
        r.__replace__(size=1)
    with pytest.raises(netrt.NetworkError):
        BackgroundDownloadProgress(status=99)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        p.bytes_received = 1  # type: ignore[misc]
    if sys.version_info >= (3, 13):
        assert copy.replace(r, length=1) == BackgroundTransferFileRange(0, 1)
    assert BackgroundTransferError.get_status(0x80190194 - (1 << 32)) == WebErrorStatus.NOT_FOUND
