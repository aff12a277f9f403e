"""The closed-object rule (docs/handles.md), over every public member of StreamSocket,
StreamSocketListener, DatagramSocket, MessageWebSocket, StreamWebSocket and their control and
information: after ``close()``,
every method and every property setter raises ``NetworkError`` RO_E_CLOSED (adding an event
handler and starting ``async for`` included; removing a handler and closing again do not
raise); every property getter answers as it did before the close; the streams, DataReader and
DataWriter of a closed socket raise RO_E_CLOSED. Also: ``async for`` in progress ends when the
object is closed from anywhere, and event handlers must be callable."""

from __future__ import annotations

import asyncio
import datetime
import inspect
import uuid
from collections.abc import Callable
from typing import Any

import pytest

import netrt
from conftest import within
from netrt import (
    Certificate,
    DatagramSocket,
    DataReader,
    DataWriter,
    EndpointPair,
    HostName,
    InputStreamOptions,
    MessageWebSocket,
    PasswordCredential,
    SocketActivityConnectedStandbyAction,
    SocketActivityContext,
    SocketProtectionLevel,
    SocketQualityOfService,
    StreamSocket,
    StreamSocketListener,
    StreamWebSocket,
)
from peers.pki import Pki
from peers.web import ws_server

RO_E_CLOSED = 0x80000013 - 2**32

#: Members that are not "calls" in the rule: close() stays idempotent, removing a handler stays
#: harmless, and the context-manager protocol closes.
NOT_CALLS = {
    "close",
    "remove_connection_received",
    "remove_message_received",
    "remove_closed",
    "remove_server_custom_validation_requested",
}


def public_methods(cls: type) -> set[str]:
    methods = {name for name, member in vars(cls).items() if type(member).__name__ == "method_descriptor"}
    return {name for name in methods if not name.startswith("_")} - NOT_CALLS


def properties(obj: object) -> list[str]:
    """Every property of `obj`'s class (pyo3 getset descriptors), sorted."""
    return sorted(
        name for name, member in vars(type(obj)).items() if type(member).__name__ == "getset_descriptor"
    )


def describe(value: Any) -> Any:
    """A comparable form of a getter's value."""
    if isinstance(value, HostName):
        return ("HostName", value.canonical_name)
    if isinstance(value, Certificate):
        return ("Certificate", value.subject)
    if isinstance(value, (netrt.RoundTripTimeStatistics, netrt.BandwidthStatistics)):
        return ("statistics",)  # sampled live while open; after close they must just answer
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return value
    return [describe(v) for v in value]  # a list, or a control's live vector


def snapshot(obj: object) -> dict[str, Any]:
    return {name: describe(getattr(obj, name)) for name in properties(obj)}


def assert_same_getters(obj: object, before: dict[str, Any]) -> None:
    after = snapshot(obj)  # a getter that raises fails the test here
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"{type(obj).__name__} getters changed after close: {changed}"


def assert_setters_closed(obj: object) -> int:
    """Sets every writable property to its current value: each must raise RO_E_CLOSED."""
    wrong, writable = [], 0
    for name in properties(obj):
        value = getattr(obj, name)
        try:
            setattr(obj, name, value)
        except AttributeError:
            continue  # read-only (e.g. a live vector; its mutations are checked separately)
        except netrt.NetworkError as e:
            writable += 1
            if e.hresult != RO_E_CLOSED:
                wrong.append(f"{name}: 0x{e.hresult & 0xFFFFFFFF:08X}")
            continue
        writable += 1
        wrong.append(f"{name}: no error")
    assert not wrong, f"{type(obj).__name__} setters after close: {wrong}"
    return writable


async def assert_calls_closed(cls: type | None, calls: dict[str, Callable[[], Any]]) -> None:
    """Every public method of `cls` has a row; every row raises RO_E_CLOSED (at the call, or
    from the operation it returns)."""
    if cls is not None:
        missing = public_methods(cls) - {name.split(" ")[0] for name in calls}
        assert not missing, f"{cls.__name__} methods without a row in the table: {sorted(missing)}"
    wrong = []
    for name, call in calls.items():
        try:
            result = call()
            if inspect.isawaitable(result):
                await within(result)
            wrong.append(f"{name}: no error")
        except netrt.NetworkError as e:
            if e.hresult != RO_E_CLOSED:
                wrong.append(f"{name}: 0x{e.hresult & 0xFFFFFFFF:08X}")
            elif type(e) is not netrt.NetworkError:
                wrong.append(f"{name}: raised {type(e).__name__}, expected NetworkError")
    assert not wrong, f"calls after close: {wrong}"


def ownership_rows(socket: Any, keep_alive: bool) -> dict[str, Callable[[], Any]]:
    """The socket broker members every transferable socket class has (docs/broker.md)."""
    task, context = uuid.uuid4(), SocketActivityContext(b"ctx")
    rows = {
        "enable_transfer_ownership (task)": lambda: socket.enable_transfer_ownership(task),
        "enable_transfer_ownership (task, action)": lambda: socket.enable_transfer_ownership(
            task, SocketActivityConnectedStandbyAction.WAKE
        ),
        "enable_transfer_ownership_with_connected_standby_action": lambda: (
            socket.enable_transfer_ownership_with_connected_standby_action(task, SocketActivityConnectedStandbyAction.WAKE)
        ),
        "transfer_ownership (id)": lambda: socket.transfer_ownership("closed"),
        "transfer_ownership (id, data)": lambda: socket.transfer_ownership("closed", context),
        "transfer_ownership_with_context": lambda: socket.transfer_ownership_with_context("closed", context),
    }
    if keep_alive:
        hour = datetime.timedelta(hours=1)
        rows["transfer_ownership (id, data, time)"] = lambda: socket.transfer_ownership("closed", context, hour)
        rows["transfer_ownership_with_context_and_keep_alive_time"] = lambda: (
            socket.transfer_ownership_with_context_and_keep_alive_time("closed", context, hour)
        )
    return rows


def leaf(pki: Pki) -> Certificate:
    return Certificate.from_pem(pki.text("leaf.pem"), pki.text("leaf.key"))


async def tls_pair(pki: Pki, ca: Certificate) -> tuple[StreamSocket, StreamSocket, StreamSocketListener]:
    listener = StreamSocketListener()
    listener.control.server_certificate = leaf(pki)
    loop = asyncio.get_running_loop()
    accepted: asyncio.Queue[StreamSocket] = asyncio.Queue()
    listener.add_connection_received(lambda _l, args: loop.call_soon_threadsafe(accepted.put_nowait, args.socket))
    await within(listener.bind_service_name_async("", SocketProtectionLevel.TLS12))
    client = StreamSocket()
    client.control.trusted_root_certificates.append(ca)
    client.control.application_protocols.append("x-netrt")
    await within(client.connect_async("localhost", listener.information.local_port, SocketProtectionLevel.TLS12))
    return client, await within(accepted.get()), listener


async def test_closed_stream_socket_follows_the_rule(pki: Pki, ca: Certificate) -> None:
    client, server, listener = await tls_pair(pki, ca)
    control, info = client.control, client.information
    input_stream, output_stream = client.input_stream, client.output_stream
    reader, writer = DataReader(client.input_stream), DataWriter(client.output_stream)
    control_before, info_before = snapshot(control), snapshot(info)
    assert info_before["cipher_suite"] != "" and info_before["local_port"] != ""

    client.close()
    client.close()  # idempotent

    assert_same_getters(control, control_before)
    assert_same_getters(info, info_before)
    assert isinstance(info.round_trip_time_statistics, netrt.RoundTripTimeStatistics)
    assert isinstance(info.bandwidth_statistics, netrt.BandwidthStatistics)
    assert assert_setters_closed(control) >= 10
    pair = EndpointPair(None, "", HostName("127.0.0.1"), "1")
    await assert_calls_closed(
        StreamSocket,
        {
            "connect_async (host, service)": lambda: client.connect_async("127.0.0.1", "1"),
            "connect_async (host, service, level)": lambda: client.connect_async(
                "127.0.0.1", "1", SocketProtectionLevel.TLS12
            ),
            "connect_async (pair)": lambda: client.connect_async(pair),
            "connect_async (pair, level)": lambda: client.connect_async(pair, SocketProtectionLevel.TLS12),
            "connect_with_endpoint_pair_and_protection_level_async": lambda: (
                client.connect_with_endpoint_pair_and_protection_level_async(pair, SocketProtectionLevel.PLAIN_SOCKET)
            ),
            "upgrade_to_ssl_async": lambda: client.upgrade_to_ssl_async(SocketProtectionLevel.TLS12, "localhost"),
            "upgrade_to_ssl_as_server_async": lambda: client.upgrade_to_ssl_as_server_async(
                SocketProtectionLevel.TLS12, leaf(pki)
            ),
            "cancel_io_async": client.cancel_io_async,
            **ownership_rows(client, keep_alive=True),
        },
    )
    vectors = {
        "ignorable_server_certificate_errors.append": lambda: control.ignorable_server_certificate_errors.append(
            netrt.ChainValidationResult.EXPIRED
        ),
        "trusted_root_certificates.append": lambda: control.trusted_root_certificates.append(ca),
        "application_protocols.append": lambda: control.application_protocols.append("h2"),
        "certificate_revocation_lists.clear": lambda: control.certificate_revocation_lists.clear(),
        "input_stream.read_async": lambda: input_stream.read_async(netrt.Buffer(4), 4, InputStreamOptions.PARTIAL),
        "output_stream.write_async": lambda: output_stream.write_async(b"x"),
        "output_stream.flush_async": output_stream.flush_async,
        "DataReader.load_async": lambda: reader.load_async(1),
        "DataWriter.store_async": lambda: (writer.write_byte(1), writer.store_async())[1],
        "DataWriter.flush_async": writer.flush_async,
    }
    await assert_calls_closed(None, vectors)
    server.close()
    listener.close()


async def test_closed_listener_follows_the_rule(pki: Pki, ca: Certificate) -> None:
    client, server, listener = await tls_pair(pki, ca)
    control, info = listener.control, listener.information
    control_before, info_before = snapshot(control), snapshot(info)
    assert info_before["local_port"] != ""
    token = listener.add_connection_received(lambda _l, _a: None)

    listener.close()
    listener.close()
    listener.remove_connection_received(token)  # harmless after close

    assert_same_getters(control, control_before)
    assert_same_getters(info, info_before)
    assert assert_setters_closed(control) >= 7
    await assert_calls_closed(
        StreamSocketListener,
        {
            "bind_service_name_async (service)": lambda: listener.bind_service_name_async(""),
            "bind_service_name_async (service, level)": lambda: listener.bind_service_name_async(
                "", SocketProtectionLevel.TLS12
            ),
            "bind_endpoint_async": lambda: listener.bind_endpoint_async("127.0.0.1", ""),
            "add_connection_received": lambda: listener.add_connection_received(lambda _l, _a: None),
            "cancel_io_async": listener.cancel_io_async,
            "__aiter__": lambda: aiter(listener),
            "trusted_root_certificates.append": lambda: control.trusted_root_certificates.append(ca),
            **ownership_rows(listener, keep_alive=False),
        },
    )
    client.close()
    server.close()


async def test_closed_datagram_socket_follows_the_rule() -> None:
    socket = DatagramSocket()
    socket.control.outbound_unicast_hop_limit = 7
    await within(socket.connect_async("127.0.0.1", "9"))
    control, info, output = socket.control, socket.information, socket.output_stream
    writer = DataWriter(socket.output_stream)
    control_before, info_before = snapshot(control), snapshot(info)
    assert info_before["remote_port"] == "9"

    socket.close()
    socket.close()
    socket.remove_message_received(12345)

    assert_same_getters(control, control_before)
    assert_same_getters(info, info_before)
    assert assert_setters_closed(control) == 5
    pair = EndpointPair(None, "", HostName("127.0.0.1"), "9")
    await assert_calls_closed(
        DatagramSocket,
        {
            "bind_service_name_async": lambda: socket.bind_service_name_async(""),
            "bind_endpoint_async": lambda: socket.bind_endpoint_async("127.0.0.1", ""),
            "connect_async (host, service)": lambda: socket.connect_async("127.0.0.1", "9"),
            "connect_async (pair)": lambda: socket.connect_async(pair),
            "get_output_stream_async (host, service)": lambda: socket.get_output_stream_async("127.0.0.1", "9"),
            "get_output_stream_async (pair)": lambda: socket.get_output_stream_async(pair),
            "join_multicast_group": lambda: socket.join_multicast_group("239.255.0.1"),
            "add_message_received": lambda: socket.add_message_received(lambda _s, _a: None),
            "cancel_io_async": socket.cancel_io_async,
            "__aiter__": lambda: aiter(socket),
            "output_stream.write_async": lambda: output.write_async(b"x"),
            "output_stream.flush_async": output.flush_async,
            "DataWriter.store_async": lambda: (writer.write_byte(1), writer.store_async())[1],
            **ownership_rows(socket, keep_alive=True),
        },
    )


async def test_closed_web_sockets_follow_the_rule(ca: Certificate) -> None:
    server = ws_server()
    try:
        message, stream = MessageWebSocket(), StreamWebSocket()
        for ws in (message, stream):
            ws.control.supported_protocols.append("chat")
            await within(ws.connect_async(f"ws://127.0.0.1:{server.port}/echo"))
        for ws in (message, stream):
            control, info, output = ws.control, ws.information, ws.output_stream
            writer = DataWriter(ws.output_stream)
            token = ws.add_closed(lambda _s, _a: None)
            control_before, info_before = snapshot(control), snapshot(info)
            assert info_before["local_address"] is not None

            ws.close()
            ws.close()
            ws.close(1000, "again")  # both overloads stay idempotent
            ws.remove_closed(token)  # harmless after close
            ws.remove_server_custom_validation_requested(12345)

            assert_same_getters(control, control_before)
            assert_same_getters(info, info_before)
            calls: dict[str, Callable[[], Any]] = {
                "connect_async (Uri)": lambda: ws.connect_async(netrt.Uri(f"ws://127.0.0.1:{server.port}/")),
                "connect_async (str)": lambda: ws.connect_async(f"ws://127.0.0.1:{server.port}/"),
                "set_request_header": lambda: ws.set_request_header("X-A", "b"),
                "add_closed": lambda: ws.add_closed(lambda _s, _a: None),
                "add_server_custom_validation_requested": lambda: ws.add_server_custom_validation_requested(
                    lambda _s, _a: None
                ),
                "output_stream.write_async": lambda: output.write_async(b"x"),
                "output_stream.flush_async": output.flush_async,
                "DataWriter.store_async": lambda: (writer.write_byte(1), writer.store_async())[1],
                "supported_protocols.append": lambda: control.supported_protocols.append("other"),
                "ignorable_server_certificate_errors.append": lambda: (
                    control.ignorable_server_certificate_errors.append(netrt.ChainValidationResult.EXPIRED)
                ),
                "trusted_root_certificates.append": lambda: control.trusted_root_certificates.append(ca),
            }
            if isinstance(ws, MessageWebSocket):
                calls |= {
                    "add_message_received": lambda: message.add_message_received(lambda _s, _a: None),
                    "send_nonfinal_frame_async": lambda: message.send_nonfinal_frame_async(b"x"),
                    "send_final_frame_async": lambda: message.send_final_frame_async(b"x"),
                    "receive_message_async": lambda: message.receive_message_async(),
                    "__aiter__": lambda: aiter(message),
                }
                assert assert_setters_closed(control) == 10
            else:
                calls["input_stream.read_async"] = lambda: stream.input_stream.read_async(
                    netrt.Buffer(4), 4, InputStreamOptions.PARTIAL
                )
                assert assert_setters_closed(control) == 8
            await assert_calls_closed(type(ws), calls)
            with pytest.raises(netrt.NetworkError) as e:
                control.server_credential = PasswordCredential("r", "u", "p")
            assert e.value.hresult == RO_E_CLOSED
    finally:
        server.close()


@pytest.mark.parametrize("make", [StreamSocketListener, DatagramSocket, MessageWebSocket])
async def test_async_for_over_a_closed_object_raises_at_once(make: Callable[[], Any]) -> None:
    obj = make()
    obj.close()
    with pytest.raises(netrt.NetworkError) as e:
        async for _ in obj:
            pytest.fail("nothing to iterate")
    assert e.value.hresult == RO_E_CLOSED


async def test_async_for_ends_when_another_reference_closes_the_listener() -> None:
    listener = StreamSocketListener()
    await within(listener.bind_endpoint_async("127.0.0.1", ""))
    port = listener.information.local_port
    closer: list[StreamSocketListener] = []
    # The handler's sender is another Python object for the same listener: closing through it
    # must end the iteration too.
    listener.add_connection_received(lambda sender, _args: closer.append(sender))

    async def drain() -> int:
        n = 0
        async for sock in listener:
            n += 1
            sock.close()
        return n

    draining = asyncio.create_task(drain())
    await asyncio.sleep(0)  # let the iterator subscribe
    with StreamSocket() as client:
        await within(client.connect_async("127.0.0.1", port))
        while not closer:
            await asyncio.sleep(0.01)
        closer[0].close()
        assert await within(draining) == 1, "the connection delivered before the close is not lost"


async def test_async_for_over_a_datagram_socket_ends_when_it_closes() -> None:
    socket = DatagramSocket()
    await within(socket.bind_endpoint_async("127.0.0.1", ""))
    events = aiter(socket)
    socket.close()
    with pytest.raises(StopAsyncIteration):
        await within(anext(events))
    with pytest.raises(StopAsyncIteration):  # and stays ended
        await within(anext(events))


@pytest.mark.parametrize("handler", [None, 5, "not callable"])
def test_event_handlers_must_be_callable(handler: Any) -> None:
    with StreamSocketListener() as listener, pytest.raises(TypeError):
        listener.add_connection_received(handler)
    with DatagramSocket() as socket, pytest.raises(TypeError):
        socket.add_message_received(handler)
    for ws in (MessageWebSocket(), StreamWebSocket()):
        with ws, pytest.raises(TypeError):
            ws.add_closed(handler)
        with pytest.raises(TypeError):
            ws.add_server_custom_validation_requested(handler)
    with MessageWebSocket() as message, pytest.raises(TypeError):
        message.add_message_received(handler)


def test_connect_timeout_setter_takes_a_timedelta_even_when_closed() -> None:
    # Argument types are checked by the projection first (TypeError), then the rule applies.
    socket = StreamSocket()
    socket.close()
    with pytest.raises(TypeError):
        socket.control.connect_timeout = 5  # type: ignore[assignment]
    with pytest.raises(netrt.NetworkError) as e:
        socket.control.connect_timeout = datetime.timedelta(seconds=5)
    assert e.value.hresult == RO_E_CLOSED
