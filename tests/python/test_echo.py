"""Echo over a netrt listener and socket with DataWriter/DataReader; streams; UDP."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import netrt
from conftest import Accepting, within
from netrt import (
    DataReader,
    DatagramSocket,
    DataWriter,
    HostName,
    InputStreamOptions,
    StreamSocket,
    StreamSocketListener,
    UnicodeEncoding,
)


async def echo(sock: StreamSocket) -> None:
    """Echoes everything until the peer closes."""
    reader = DataReader(sock.input_stream)
    reader.input_stream_options = InputStreamOptions.PARTIAL
    writer = DataWriter(sock.output_stream)
    while (n := await reader.load_async(4096)) > 0:
        writer.write_bytes(reader.read_bytes(n))
        await writer.store_async()


async def test_typed_values_round_trip_through_an_echo(accepting: Accepting) -> None:
    client = StreamSocket()
    await within(client.connect_async(HostName("127.0.0.1"), accepting.port))
    server = await accepting.accept()
    echoing = asyncio.create_task(echo(server))
    writer = DataWriter(client.output_stream)
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)
    guid = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")
    writer.write_int32(-7)
    writer.write_uint64(2**64 - 1)
    writer.write_double(2.5)
    writer.write_boolean(True)
    writer.write_guid(guid)
    writer.write_date_time(when)
    writer.write_time_span(datetime.timedelta(seconds=90, microseconds=5))
    text = "Hello, World! ☺ "
    writer.write_uint32(writer.measure_string(text))
    writer.write_string(text)
    total = writer.unstored_buffer_length
    assert await within(writer.store_async()) == total

    reader = DataReader(client.input_stream)
    loaded = 0
    while loaded < total:
        loaded += await within(reader.load_async(total - loaded))
    assert reader.read_int32() == -7
    assert reader.read_uint64() == 2**64 - 1
    assert reader.read_double() == 2.5
    assert reader.read_boolean() is True
    assert reader.read_guid() == guid
    assert reader.read_date_time() == when
    assert reader.read_time_span() == datetime.timedelta(seconds=90, microseconds=5)
    assert reader.read_string(reader.read_uint32()) == text
    assert reader.unconsumed_buffer_length == 0
    client.close()
    await within(echoing)
    server.close()


async def test_stream_read_and_write_with_buffers(accepting: Accepting) -> None:
    async with StreamSocket() as client:
        await within(client.connect_async("127.0.0.1", accepting.port))
        local_port = client.information.local_port
        server = await accepting.accept()
        with server:
            assert await within(client.output_stream.write_async(b"abc" * 10)) == 30
            assert await within(client.output_stream.flush_async()) is True
            buf = await within(server.input_stream.read_async(netrt.Buffer(30), 30, InputStreamOptions.NONE))
            assert isinstance(buf, netrt.Buffer)
            assert bytes(buf) == b"abc" * 10 and len(buf) == 30 and buf.length == 30
            assert bytes(memoryview(buf)[:3]) == b"abc"
    # After close, Information keeps answering with the last values (docs/handles.md).
    assert client.information.local_port == local_port != ""


def test_utf16_strings_and_little_endian() -> None:
    writer = DataWriter()
    writer.unicode_encoding = UnicodeEncoding.UTF16_L_E
    writer.byte_order = netrt.ByteOrder.LITTLE_ENDIAN
    assert writer.write_string("é☺") == 4  # bytes, as WinRT's WriteString returns
    writer.write_uint16(0x0102)
    data = bytes(writer.detach_buffer())
    assert data == "é☺".encode("utf-16-le") + b"\x02\x01"
    reader = DataReader.from_buffer(data)
    reader.unicode_encoding = UnicodeEncoding.UTF16_L_E
    reader.byte_order = netrt.ByteOrder.LITTLE_ENDIAN
    assert reader.read_string(2) == "é☺"
    assert reader.read_uint16() == 0x0102


async def test_async_for_over_a_listener_yields_connections() -> None:
    async with StreamSocketListener() as listener:
        await within(listener.bind_endpoint_async("127.0.0.1", ""))
        port = listener.information.local_port

        # The iterator subscribes when created: connections before that would be dropped
        # (no ConnectionReceived handler), as in WinRT.
        connections = aiter(listener)

        async def serve() -> list[str]:
            seen = []
            async for sock in connections:
                seen.append(sock.information.remote_address.canonical_name)
                sock.close()
                if len(seen) == 3:
                    break
            return seen

        serving = asyncio.create_task(serve())
        clients = [StreamSocket() for _ in range(3)]
        for c in clients:
            await within(c.connect_async("127.0.0.1", port))
        assert await within(serving) == ["127.0.0.1"] * 3
        for c in clients:
            c.close()


async def test_async_for_ends_when_the_listener_closes() -> None:
    listener = StreamSocketListener()
    await within(listener.bind_service_name_async(""))

    async def drain() -> int:
        n = 0
        async for _ in listener:
            n += 1
        return n

    draining = asyncio.create_task(drain())
    await asyncio.sleep(0.05)
    listener.close()
    assert await within(draining) == 0


async def test_datagrams_arrive_through_message_received_and_async_for() -> None:
    receiver = DatagramSocket()
    loop = asyncio.get_running_loop()
    got: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    def on_message(sender: DatagramSocket, args: netrt.DatagramSocketMessageReceivedEventArgs) -> None:
        reader = args.get_data_reader()
        text = reader.read_string(reader.unconsumed_buffer_length)
        loop.call_soon_threadsafe(got.put_nowait, (text, args.remote_address.canonical_name))

    token = receiver.add_message_received(on_message)
    await within(receiver.bind_endpoint_async("127.0.0.1", ""))
    port = receiver.information.local_port
    with DatagramSocket() as sender:
        await within(sender.connect_async("127.0.0.1", port))
        writer = DataWriter(sender.output_stream)
        writer.write_string("ping")
        await within(writer.store_async())
        assert await within(got.get()) == ("ping", "127.0.0.1")
        receiver.remove_message_received(token)

        async def first() -> bytes:
            async for args in receiver:
                return args.data
            return b""

        task = asyncio.create_task(first())
        await asyncio.sleep(0.05)
        await within(sender.output_stream.write_async(b"second"))
        assert await within(task) == b"second"
    receiver.close()
