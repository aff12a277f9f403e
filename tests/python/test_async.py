"""Operations (docs/async.md): asyncio integration, cancellation, blocking get() with the
GIL released, completed handlers on the dispatcher thread, concurrency, fork."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time

import pytest

import netrt
from conftest import Accepting, within
from netrt import AsyncStatus, DataReader, DataWriter, IAsyncOperation, StreamSocket

E_CANCELLED = 0x800704C7 - 2**32
E_ILLEGAL_DELEGATE_ASSIGNMENT = 0x80000018 - 2**32


async def connected(accepting: Accepting) -> tuple[StreamSocket, StreamSocket]:
    client = StreamSocket()
    await within(client.connect_async("127.0.0.1", accepting.port))
    return client, await accepting.accept()


async def test_hundred_sockets_in_one_loop(accepting: Accepting) -> None:
    async def serve() -> None:
        while True:
            sock = await accepting.accepted.get()
            asyncio.create_task(echo_once(sock))

    async def echo_once(sock: StreamSocket) -> None:
        reader = DataReader(sock.input_stream)
        n = await reader.load_async(4)
        writer = DataWriter(sock.output_stream)
        writer.write_bytes(reader.read_bytes(n))
        await writer.store_async()

    async def client(i: int) -> int:
        async with StreamSocket() as sock:
            await sock.connect_async("127.0.0.1", accepting.port)
            writer = DataWriter(sock.output_stream)
            writer.write_int32(i)
            await writer.store_async()
            reader = DataReader(sock.input_stream)
            assert await reader.load_async(4) == 4
            return reader.read_int32()

    server = asyncio.create_task(serve())
    results = await within(asyncio.gather(*(client(i) for i in range(100))))
    assert results == list(range(100))
    server.cancel()


async def test_cancelling_the_awaiting_task_cancels_the_operation(accepting: Accepting) -> None:
    client, server = await connected(accepting)
    op = DataReader(client.input_stream).load_async(1)  # the server never writes
    task = asyncio.create_task(asyncio.wait_for(op, 0.2))
    with pytest.raises(asyncio.TimeoutError):
        await task
    assert op.status == AsyncStatus.CANCELED
    assert op.error_code == E_CANCELLED
    with pytest.raises(asyncio.CancelledError):
        op.get_results()
    client.close()
    server.close()


async def test_cancel_ends_every_awaiter(accepting: Accepting) -> None:
    client, server = await connected(accepting)
    op = DataReader(client.input_stream).load_async(1)
    waiting = asyncio.gather(op, op, return_exceptions=True)
    await asyncio.sleep(0.05)
    op.cancel()
    results = await within(waiting)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    client.close()
    server.close()


async def test_get_times_out_and_the_operation_goes_on(accepting: Accepting) -> None:
    client, server = await connected(accepting)
    reader = DataReader(client.input_stream)
    op = reader.load_async(3)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        await asyncio.to_thread(op.get, 0.2)
    assert isinstance(info.value, netrt.TimeoutError)
    assert info.value.hresult == 0x80070102 - 2**32  # WAIT_TIMEOUT
    assert 0.15 < time.monotonic() - started < 5
    assert op.status == AsyncStatus.STARTED
    await within(server.output_stream.write_async(b"abc"))
    assert await asyncio.to_thread(op.get, 10) == 3
    assert op.status == AsyncStatus.COMPLETED and op.error_code == 0
    assert op.wait(0) == AsyncStatus.COMPLETED
    assert reader.read_string(3) == "abc"
    client.close()
    server.close()


async def test_other_threads_run_while_get_waits(accepting: Accepting) -> None:
    client, server = await connected(accepting)
    op = DataReader(client.input_stream).load_async(1)
    count = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal count
        while not stop.is_set():
            count += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        with pytest.raises(TimeoutError):
            op.get(0.3)  # blocks this thread (and its loop) with the GIL released
    finally:
        stop.set()
        spinner.join()
    assert count > 10_000, count
    op.cancel()
    client.close()
    server.close()


async def test_completed_handler_runs_on_the_dispatcher_thread(accepting: Accepting) -> None:
    client, server = await connected(accepting)
    loop = asyncio.get_running_loop()
    called: asyncio.Future[tuple[object, AsyncStatus, str]] = loop.create_future()
    reader = DataReader(client.input_stream)  # kept: a dropped DataReader closes its stream
    op = reader.load_async(1)  # pending until the server writes

    def on_completed(sender: IAsyncOperation[int], status: AsyncStatus) -> None:
        loop.call_soon_threadsafe(called.set_result, (sender, status, threading.current_thread().name))

    op.completed = on_completed
    await within(server.output_stream.write_async(b"x"))
    sender, status, thread = await within(called)
    assert sender is op and status == AsyncStatus.COMPLETED
    assert thread != threading.main_thread().name, "ran on netrt's dispatcher thread"
    assert op.completed is on_completed
    with pytest.raises(netrt.NetworkError) as info:
        op.completed = on_completed
    assert info.value.hresult == E_ILLEGAL_DELEGATE_ASSIGNMENT

    # Assigned after completion: runs at once, on this thread.
    seen: list[AsyncStatus] = []
    done = client.output_stream.flush_async()
    await done
    done.completed = lambda op, status: seen.append(status)
    assert seen == [AsyncStatus.COMPLETED]
    client.close()
    server.close()


def test_operations_without_a_loop_use_get() -> None:
    with netrt.StreamSocketListener() as listener:
        listener.add_connection_received(lambda sender, args: args.socket.close())
        listener.bind_endpoint_async("127.0.0.1", "").get(10)
        with StreamSocket() as sock:
            assert sock.connect_async("127.0.0.1", listener.information.local_port).get(10) is None
        with pytest.raises(RuntimeError):
            IAsyncOperation.__await__(StreamSocket().cancel_io_async())  # no running event loop


def _child(port: str, q: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def main() -> str:
        async with netrt.StreamSocketListener() as listener:
            accepted: asyncio.Queue[StreamSocket] = asyncio.Queue()
            loop = asyncio.get_running_loop()
            listener.add_connection_received(lambda s, a: loop.call_soon_threadsafe(accepted.put_nowait, a.socket))
            await listener.bind_endpoint_async("127.0.0.1", "")
            async with StreamSocket() as sock:
                await sock.connect_async("127.0.0.1", listener.information.local_port)
                server = await accepted.get()
                writer = DataWriter(sock.output_stream)
                writer.write_string("from the child")
                await writer.store_async()
                reader = DataReader(server.input_stream)
                n = await reader.load_async(14)
                return reader.read_string(n)

    try:
        q.put(asyncio.run(asyncio.wait_for(main(), 10)))
    except BaseException as e:  # report, never hang the parent
        q.put(f"error: {e!r}")


async def test_works_in_a_forked_child(accepting: Accepting) -> None:
    client, server = await connected(accepting)  # the parent's runtime is up and busy
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    child = ctx.Process(target=_child, args=(accepting.port, q))
    child.start()
    try:
        result = await asyncio.to_thread(q.get, True, 20)
    finally:
        child.join(10)
    assert result == "from the child"
    assert child.exitcode == 0
    # The parent is unaffected.
    await within(client.output_stream.write_async(b"still here"))
    reader = DataReader(server.input_stream)
    assert await within(reader.load_async(10)) == 10
    client.close()
    server.close()


def test_generic_alias() -> None:
    assert IAsyncOperation[int] is not None
    assert netrt.IAsyncAction is IAsyncOperation


async def test_data_reader_and_writer_operations_have_their_pywinrt_classes(accepting: Accepting) -> None:
    client, server = await connected(accepting)
    writer = DataWriter(client.output_stream)
    writer.write_int32(5)
    store = writer.store_async()
    assert type(store) is netrt.DataWriterStoreOperation and isinstance(store, IAsyncOperation)
    assert await within(store) == 4 and store.get_results() == 4
    reader = DataReader(server.input_stream)
    load = reader.load_async(4)
    assert type(load) is netrt.DataReaderLoadOperation and isinstance(load, IAsyncOperation)
    assert await within(load) == 4 and reader.read_int32() == 5
    assert repr(load).startswith("<netrt.DataReaderLoadOperation id=")
    with pytest.raises(TypeError):
        netrt.DataReaderLoadOperation()  # type: ignore[call-arg]
    client.close()
    server.close()
