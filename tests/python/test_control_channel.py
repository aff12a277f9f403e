"""ControlChannelTrigger from Python (docs/broker.md): its tasks run in this process, through the
entry points registered with ``register_task_entry_point``, against a real loopback peer.

The keep-alive task runs at the (netrt seconds) interval; the push task runs when the peer sends
while the app has no read pending and leaves the bytes to the app, not while the app's own read
is pending; ``close()`` stops both; misuse raises with the HRESULT. Over a MessageWebSocket the
push task runs for each message (MessageReceived still gets it); over a StreamWebSocket for data
that arrives while no read is pending (the app then reads it intact).
"""

from __future__ import annotations

import queue
import socket as pysocket
import time

import pytest

import netrt
from netrt import (
    BackgroundTaskBuilder,
    BackgroundTaskRegistration,
    ControlChannelTrigger,
    ControlChannelTriggerResourceType,
    ControlChannelTriggerStatus,
    IControlChannelTriggerEventDetails,
    InputStreamOptions,
    StreamSocket,
    register_task_entry_point,
    unregister_task_entry_point,
)
from netrt.windows.networking import sockets as winrt_sockets
from peers.web import ws_server

E_ILLEGAL_METHOD_CALL = 0x8000000E - 2**32
E_INVALIDARG = 0x80070057 - 2**32
RO_E_CLOSED = 0x80000013 - 2**32
LIMIT = 30.0


async def connected() -> tuple[StreamSocket, pysocket.socket]:
    server = pysocket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    sock = StreamSocket()
    await sock.connect_async("127.0.0.1", str(server.getsockname()[1]))
    peer, _ = server.accept()
    server.close()
    return sock, peer


def register(name: str, entry_point: str, trigger: object) -> BackgroundTaskRegistration:
    builder = BackgroundTaskBuilder()
    builder.name = name
    builder.task_entry_point = entry_point
    builder.set_trigger(trigger)
    return builder.register()


class KeepAliveTask:
    """An IBackgroundTask class: a new object per run, as WinRT activates the class."""

    runs: queue.Queue[str] = queue.Queue()

    def run(self, task_instance: netrt.BackgroundTaskInstance, /) -> None:
        deferral = task_instance.get_deferral()
        details = task_instance.trigger_details
        assert isinstance(details, IControlChannelTriggerEventDetails)
        task_instance.progress = 7
        KeepAliveTask.runs.put(details.control_channel_trigger.control_channel_trigger_id)
        deferral.complete()


async def test_keep_alive_task_runs_every_interval() -> None:
    sock, peer = await connected()
    with ControlChannelTrigger("py-ka", 15) as channel:
        assert channel.current_keep_alive_interval_in_minutes == 15
        channel.keep_alive_interval_in_seconds = 1
        assert channel.current_keep_alive_interval_in_minutes == 1
        register_task_entry_point("tests.KeepAliveTask", KeepAliveTask)
        task = register("py-ka", "tests.KeepAliveTask", channel.keep_alive_trigger)
        completed: queue.Queue[object] = queue.Queue()
        progress: queue.Queue[int] = queue.Queue()
        task.add_completed(lambda sender, args: completed.put((sender, args.check_result())))
        task.add_progress(lambda sender, args: progress.put(args.progress))
        channel.using_transport(sock)
        assert channel.transport_object is not None
        assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.SOFTWARE_SLOT_ALLOCATED
        for _ in range(2):
            assert KeepAliveTask.runs.get(timeout=LIMIT) == "py-ka"
            sender, result = completed.get(timeout=LIMIT)
            assert sender is task and result is None
            assert progress.get(timeout=LIMIT) == 7
    assert unregister_task_entry_point("tests.KeepAliveTask")
    assert not unregister_task_entry_point("tests.KeepAliveTask")
    sock.close()
    peer.close()


async def test_push_task_runs_for_unclaimed_bytes_only() -> None:
    sock, peer = await connected()
    channel = ControlChannelTrigger("py-push", 15, ControlChannelTriggerResourceType.REQUEST_HARDWARE_SLOT)
    channel.keep_alive_interval_in_seconds = 1
    pushes: queue.Queue[str] = queue.Queue()
    keep_alives: queue.Queue[str] = queue.Queue()
    register_task_entry_point("tests.Push", lambda instance: pushes.put("push"))
    register_task_entry_point("tests.PushKeepAlive", lambda instance: keep_alives.put("ka"))
    register("py-push", "tests.Push", channel.push_notification_trigger)
    register("py-push-ka", "tests.PushKeepAlive", channel.keep_alive_trigger)
    channel.using_transport(sock)
    assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.SOFTWARE_SLOT_ALLOCATED

    peer.sendall(b"hello")
    assert pushes.get(timeout=LIMIT) == "push"
    # Nothing was consumed: the app reads what arrived.
    assert bytes(await sock.input_stream.read_async(netrt.Buffer(5), 5, InputStreamOptions.NONE)) == b"hello"

    # With the app's own read pending, arriving bytes are its read's, not a push.
    read = sock.input_stream.read_async(netrt.Buffer(5), 5, InputStreamOptions.NONE)
    keep_alives.get(timeout=LIMIT)  # the watcher ran a round while the read waits
    peer.sendall(b"world")
    assert bytes(await read) == b"world"
    keep_alives.get(timeout=LIMIT)
    keep_alives.get(timeout=LIMIT)
    assert pushes.empty()

    # close() stops both: later bytes wake nothing and stay for the app.
    channel.close()
    while not keep_alives.empty():
        keep_alives.get_nowait()
    peer.sendall(b"late")
    time.sleep(2.5)
    assert pushes.empty() and keep_alives.empty()
    assert bytes(await sock.input_stream.read_async(netrt.Buffer(4), 4, InputStreamOptions.NONE)) == b"late"
    sock.close()
    peer.close()


async def test_unregister_with_cancel_task_cancels_a_run_holding_its_deferral() -> None:
    sock, peer = await connected()
    canceled: queue.Queue[object] = queue.Queue()
    held: list[netrt.BackgroundTaskDeferral] = []

    def hold(instance: netrt.BackgroundTaskInstance) -> None:
        if held:
            return
        instance.add_canceled(lambda sender, reason: canceled.put((sender, reason)))
        held.append(instance.get_deferral())  # never completed: the run stays in progress

    register_task_entry_point("tests.Hold", hold)
    with ControlChannelTrigger("py-hold", 15) as channel:
        channel.keep_alive_interval_in_seconds = 1
        task = register("py-hold", "tests.Hold", channel.keep_alive_trigger)
        channel.using_transport(sock)
        channel.wait_for_push_enabled()
        deadline = time.monotonic() + LIMIT
        while not held and time.monotonic() < deadline:
            time.sleep(0.01)
        assert held
        task.unregister(True)
        sender, reason = canceled.get(timeout=LIMIT)
        assert isinstance(sender, netrt.BackgroundTaskInstance)
        assert reason == netrt.BackgroundTaskCancellationReason.ABORT
    sock.close()
    peer.close()


async def test_a_message_web_socket_transport_gets_its_keep_alive_task() -> None:
    server = ws_server()
    try:
        ws = netrt.MessageWebSocket()
        received: queue.Queue[bytes] = queue.Queue()
        ws.add_message_received(lambda sender, args: received.put(bytes(args.get_data_reader().detach_buffer())))
        channel = ControlChannelTrigger("py-ws", 15)
        channel.keep_alive_interval_in_seconds = 1
        channel.using_transport(ws)  # before connecting, as WinRT requires
        assert isinstance(channel.transport_object, netrt.MessageWebSocket)
        assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.TRANSPORT_DISCONNECTED
        await ws.connect_async(netrt.Uri(f"ws://127.0.0.1:{server.port}/echo"))

        def keep_alive(instance: netrt.BackgroundTaskInstance) -> None:
            writer = netrt.DataWriter(ws.output_stream)
            writer.write_bytes(b"keep-alive")
            writer.store_async().get()
            writer.detach_stream()

        register_task_entry_point("tests.WsKeepAlive", keep_alive)
        register("py-ws", "tests.WsKeepAlive", channel.keep_alive_trigger)
        assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.SOFTWARE_SLOT_ALLOCATED
        assert received.get(timeout=LIMIT) == b"keep-alive"  # the echo server answers each one
        channel.close()
        ws.close()
    finally:
        server.close()


async def test_a_message_web_socket_push_runs_per_message() -> None:
    server = ws_server()
    try:
        ws = netrt.MessageWebSocket()
        received: queue.Queue[bytes] = queue.Queue()
        ws.add_message_received(lambda sender, args: received.put(bytes(args.get_data_reader().detach_buffer())))
        await ws.connect_async(netrt.Uri(f"ws://127.0.0.1:{server.port}/echo"))
        channel = ControlChannelTrigger("py-ws-push", 15)
        pushes: queue.Queue[str] = queue.Queue()
        register_task_entry_point("tests.WsMessagePush", lambda instance: pushes.put("push"))
        register("py-ws-push", "tests.WsMessagePush", channel.push_notification_trigger)
        channel.using_transport(ws)
        assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.SOFTWARE_SLOT_ALLOCATED
        for message in (b"one", b"two"):
            assert await ws.output_stream.write_async(message) == len(message)
            assert pushes.get(timeout=LIMIT) == "push"
            assert received.get(timeout=LIMIT) == message  # still delivered, whole

        # close() stops the pushes; MessageReceived goes on.
        channel.close()
        assert await ws.output_stream.write_async(b"late") == 4
        assert received.get(timeout=LIMIT) == b"late"
        time.sleep(1.5)
        assert pushes.empty()
        ws.close()
    finally:
        server.close()


async def test_a_stream_web_socket_push_runs_for_unread_data_only() -> None:
    server = ws_server()
    try:
        ws = netrt.StreamWebSocket()
        await ws.connect_async(netrt.Uri(f"ws://127.0.0.1:{server.port}/echo"))
        channel = ControlChannelTrigger("py-wss-push", 15)
        channel.keep_alive_interval_in_seconds = 1
        pushes: queue.Queue[str] = queue.Queue()
        keep_alives: queue.Queue[str] = queue.Queue()
        register_task_entry_point("tests.WsStreamPush", lambda instance: pushes.put("push"))
        register_task_entry_point("tests.WsStreamKeepAlive", lambda instance: keep_alives.put("ka"))
        register("py-wss-push", "tests.WsStreamPush", channel.push_notification_trigger)
        register("py-wss-ka", "tests.WsStreamKeepAlive", channel.keep_alive_trigger)
        channel.using_transport(ws)
        assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.SOFTWARE_SLOT_ALLOCATED

        # Data with no read pending is a push; the app then reads it intact.
        assert await ws.output_stream.write_async(b"hello") == 5
        assert pushes.get(timeout=LIMIT) == "push"
        assert bytes(await ws.input_stream.read_async(netrt.Buffer(5), 5, InputStreamOptions.NONE)) == b"hello"

        # With the app's own read pending, arriving data is its read's, not a push.
        read = ws.input_stream.read_async(netrt.Buffer(5), 5, InputStreamOptions.NONE)
        keep_alives.get(timeout=LIMIT)  # the read waits by now
        assert await ws.output_stream.write_async(b"world") == 5
        assert bytes(await read) == b"world"
        keep_alives.get(timeout=LIMIT)
        assert pushes.empty()

        # close() stops both; the data stays for the app.
        channel.close()
        while not keep_alives.empty():
            keep_alives.get_nowait()
        assert await ws.output_stream.write_async(b"late") == 4
        time.sleep(1.5)
        assert pushes.empty() and keep_alives.empty()
        assert bytes(await ws.input_stream.read_async(netrt.Buffer(4), 4, InputStreamOptions.NONE)) == b"late"
        ws.close()
    finally:
        server.close()


async def test_misuse_raises_with_the_hresult() -> None:
    assert winrt_sockets.ControlChannelTrigger is ControlChannelTrigger
    with pytest.raises(netrt.NetworkError) as e:
        ControlChannelTrigger("x", 14)
    assert e.value.hresult == E_INVALIDARG
    with pytest.raises(TypeError):
        ControlChannelTrigger("x")  # type: ignore[call-overload]
    channel = ControlChannelTrigger("py-misuse", 20)
    assert channel.control_channel_trigger_id == "py-misuse"
    assert not channel.is_wake_from_low_power_supported
    with pytest.raises(netrt.NetworkError) as e:
        channel.wait_for_push_enabled()
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    with pytest.raises(TypeError):
        channel.using_transport("not a socket")  # type: ignore[arg-type]

    sock, peer = await connected()
    sock.close()  # a closed transport: disconnected, not an error
    channel.using_transport(sock)
    assert channel.wait_for_push_enabled() == ControlChannelTriggerStatus.TRANSPORT_DISCONNECTED
    channel.close()
    channel.close()
    with pytest.raises(netrt.NetworkError) as e:
        channel.wait_for_push_enabled()
    assert e.value.hresult == RO_E_CLOSED
    builder = BackgroundTaskBuilder()
    builder.name = "py-on-closed"
    builder.task_entry_point = "tests.Never"
    builder.set_trigger(channel.keep_alive_trigger)
    with pytest.raises(netrt.NetworkError) as e:
        builder.register()
    assert e.value.hresult == RO_E_CLOSED
    with pytest.raises(TypeError):
        builder.set_trigger(object())
    peer.close()
