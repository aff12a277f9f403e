"""The socket broker from Python (docs/broker.md), against the session's private netrt-brokerd
(conftest.py's ``broker`` fixture).

The hand-off runs real processes: an app process transfers its connection and exits, the peer
sends bytes, the broker starts the task (broker_app.py), which reclaims the socket, reads
exactly those bytes and answers.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
import hashlib
import os
import socket as pysocket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from broker_app import CONTEXT, SOCKET_ID
from conftest import Broker, within

import netrt
from netrt import (
    BackgroundTaskBuilder,
    BackgroundTaskInstance,
    BackgroundTaskRegistration,
    SocketActivityContext,
    SocketActivityInformation,
    SocketActivityKind,
    SocketActivityTrigger,
    StreamSocket,
    StreamSocketListener,
)

APP = Path(__file__).with_name("broker_app.py")
E_ILLEGAL_METHOD_CALL = 0x8000000E - 2**32
E_NOTIMPL = 0x80004001 - 2**32
RO_E_CLOSED = 0x80000013 - 2**32


def register(name: str, command: str = "true") -> BackgroundTaskRegistration:
    builder = BackgroundTaskBuilder()
    builder.name = name
    builder.task_entry_point = command
    builder.set_trigger(SocketActivityTrigger())
    return builder.register()


def peer_listener() -> pysocket.socket:
    server = pysocket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    return server


async def connected(task: BackgroundTaskRegistration, *action: object) -> tuple[StreamSocket, pysocket.socket]:
    """A netrt StreamSocket enabled for `task` and connected to a Python peer: (socket, peer's end)."""
    server = peer_listener()
    sock = StreamSocket()
    sock.enable_transfer_ownership(task.task_id, *action)
    await within(sock.connect_async("127.0.0.1", str(server.getsockname()[1])))
    conn, _ = server.accept()
    server.close()
    return sock, conn


def test_the_app_exits_and_the_task_reclaims_exactly_the_bytes(broker: Broker) -> None:
    reports = broker.dir / "reports"
    reports.mkdir()
    server = peer_listener()
    port = server.getsockname()[1]
    app = subprocess.run(
        [sys.executable, str(APP), "app", str(port), str(reports)], capture_output=True, text=True, timeout=30
    )
    assert app.returncode == 0, app.stderr
    task_id = uuid.UUID(app.stdout.strip())
    conn, _ = server.accept()
    server.close()
    with conn:
        conn.settimeout(20)
        # The app is gone; the broker holds the connection for its task.
        held = SocketActivityInformation.all_sockets[SOCKET_ID]
        assert (held.task_id, held.socket_kind) == (task_id, SocketActivityKind.STREAM_SOCKET)
        payload = os.urandom(100_000 + int.from_bytes(os.urandom(2), "little"))
        conn.sendall(payload)
        conn.shutdown(pysocket.SHUT_WR)  # the task reads to the end: nothing more, nothing less
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = conn.recv(4096)
            assert chunk, f"the task closed without answering; broker log:\n{broker.log_tail()}"
            answer += chunk
    expected = f"{len(payload)} {hashlib.sha256(payload).hexdigest()} {CONTEXT.hex()} SOCKET_ACTIVITY\n"
    report = reports / SOCKET_ID
    assert answer.decode() == expected, report.read_text() if report.exists() else broker.log_tail()
    assert SOCKET_ID not in SocketActivityInformation.all_sockets
    BackgroundTaskRegistration.all_tasks[task_id].unregister(True)
    assert task_id not in BackgroundTaskRegistration.all_tasks


async def test_all_sockets_lists_context_and_reclaims_in_process(broker: Broker) -> None:
    task = register("python-list")
    assert BackgroundTaskRegistration.all_tasks[task.task_id].name == "python-list"
    sock, conn = await connected(task, netrt.SocketActivityConnectedStandbyAction.WAKE)
    with conn:
        sock.transfer_ownership("python-list-1", SocketActivityContext(bytearray(b"state")), datetime.timedelta(hours=1))
        with pytest.raises(netrt.NetworkError) as closed:
            sock.control.no_delay = True
        assert closed.value.hresult == RO_E_CLOSED
        info = SocketActivityInformation.all_sockets["python-list-1"]
        assert (info.id, info.task_id, bytes(info.context.data)) == ("python-list-1", task.task_id, b"state")
        with pytest.raises(netrt.NetworkError) as wrong_kind:
            info.stream_socket_listener
        assert wrong_kind.value.hresult == E_ILLEGAL_METHOD_CALL
        back = info.stream_socket
        assert info.stream_socket is not None  # reading again gives the same socket back
        assert "python-list-1" not in SocketActivityInformation.all_sockets
        writer = netrt.DataWriter(back.output_stream)
        writer.write_bytes(b"after reclaim")
        await within(writer.store_async())
        assert conn.recv(64) == b"after reclaim"
        back.close()
    task.unregister(False)


async def test_transfer_with_a_pending_read_fails_and_keeps_the_socket(broker: Broker) -> None:
    task = register("python-pending")
    sock, conn = await connected(task)
    with conn, sock:
        reader = netrt.DataReader(sock.input_stream)
        reader.input_stream_options = netrt.InputStreamOptions.PARTIAL
        pending = reader.load_async(16)
        with pytest.raises(netrt.NetworkError) as refused:
            sock.transfer_ownership("python-pending-1")
        assert refused.value.hresult == E_ILLEGAL_METHOD_CALL
        assert "pending" in str(refused.value)
        assert "python-pending-1" not in SocketActivityInformation.all_sockets
        conn.sendall(b"still mine")  # the socket is unchanged: the read completes
        assert await within(pending) == 10
        assert reader.read_bytes(10) == b"still mine"
    task.unregister(False)


async def test_a_tls_socket_cannot_be_transferred(broker: Broker, s_server, ca) -> None:  # type: ignore[no-untyped-def]
    task = register("python-tls")
    peer = s_server()
    sock = StreamSocket()
    sock.control.trusted_root_certificates.append(ca)
    sock.enable_transfer_ownership(task.task_id)
    with sock:
        await within(sock.connect_async(netrt.HostName("localhost"), str(peer.port), netrt.SocketProtectionLevel.TLS12))
        with pytest.raises(builtins.NotImplementedError) as refused:
            sock.transfer_ownership("python-tls-1")
        assert isinstance(refused.value, netrt.NetworkError)
        assert type(refused.value) is netrt.NotImplementedError
        assert refused.value.hresult == E_NOTIMPL
        assert "TLS" in str(refused.value)
    task.unregister(False)


def test_argument_errors(broker: Broker) -> None:
    sock, listener = StreamSocket(), StreamSocketListener()
    with pytest.raises(TypeError):
        sock.enable_transfer_ownership("not a uuid")
    with pytest.raises(TypeError):
        sock.transfer_ownership("id", b"not a context")
    with pytest.raises(TypeError):  # WinRT's listener has no keep-alive overload
        listener.transfer_ownership("id", SocketActivityContext(b""), datetime.timedelta(seconds=1))
    with pytest.raises(netrt.NetworkError) as not_enabled:
        sock.transfer_ownership("id")
    assert not_enabled.value.hresult == E_ILLEGAL_METHOD_CALL
    with pytest.raises(TypeError):
        BackgroundTaskBuilder().set_trigger(object())
    with pytest.raises(netrt.InvalidArgumentError):
        BackgroundTaskBuilder().register("no entry point or trigger")
    assert SocketActivityTrigger().is_wake_from_low_power_supported is False


def test_not_started_by_the_broker(broker: Broker) -> None:
    assert BackgroundTaskInstance.current() is None

    class NeverRuns:
        def run(self, task_instance: BackgroundTaskInstance, /) -> None:
            raise AssertionError("run() without an activation")

    assert netrt.run_background_task(NeverRuns) is False


async def test_a_listener_and_a_datagram_socket_go_and_come_back(broker: Broker) -> None:
    task = register("python-kinds")
    listener, datagram = StreamSocketListener(), netrt.DatagramSocket()
    listener.enable_transfer_ownership(task.task_id)  # before binding
    datagram.enable_transfer_ownership(task.task_id)
    await within(listener.bind_endpoint_async("127.0.0.1", ""))
    await within(datagram.bind_endpoint_async("127.0.0.1", ""))
    listener_port, datagram_port = listener.information.local_port, datagram.information.local_port
    listener.transfer_ownership("python-listener", SocketActivityContext(b"L"))
    datagram.transfer_ownership_with_context_and_keep_alive_time(
        "python-datagram", SocketActivityContext(b"D"), datetime.timedelta(hours=1)
    )
    held = SocketActivityInformation.all_sockets
    assert held["python-listener"].socket_kind == SocketActivityKind.STREAM_SOCKET_LISTENER
    assert held["python-datagram"].socket_kind == SocketActivityKind.DATAGRAM_SOCKET
    assert bytes(held["python-datagram"].context.data) == b"D"

    back = held["python-listener"].stream_socket_listener
    assert back.information.local_port == listener_port
    with back, pysocket.create_connection(("127.0.0.1", int(listener_port)), timeout=10):
        accepted = await within(aiter(back).__anext__())
        assert isinstance(accepted, StreamSocket)
        accepted.close()
    with held["python-datagram"].datagram_socket as udp:
        assert udp.information.local_port == datagram_port
    assert not {"python-listener", "python-datagram"} & set(SocketActivityInformation.all_sockets)
    task.unregister(False)


async def test_a_subscribed_instance_is_told_instead_of_a_spawn(broker: Broker) -> None:
    task = register("python-subscribed", "exit 1")  # a spawn would fail and be logged
    sock, conn = await connected(task)
    with conn, task.subscribe() as subscription:
        assert subscription.next_activation(0) is None  # nothing yet
        sock.transfer_ownership("python-subscribed-1")
        conn.sendall(b"wake up")
        instance = await asyncio.to_thread(subscription.next_activation, 10)
        assert instance is not None and instance.task is not None
        assert instance.task.task_id == task.task_id
        details = instance.trigger_details
        assert details.reason == netrt.SocketActivityTriggerReason.SOCKET_ACTIVITY
        back = details.socket_information.stream_socket
        reader = netrt.DataReader(back.input_stream)
        assert await within(reader.load_async(7)) == 7
        assert reader.read_bytes(7) == b"wake up"
        back.close()
    with pytest.raises(netrt.NetworkError) as closed:
        subscription.next_activation(0)
    assert closed.value.hresult == RO_E_CLOSED
    with pytest.raises(ValueError):
        task.subscribe().next_activation(-1.0)
    task.unregister(False)
