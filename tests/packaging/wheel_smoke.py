"""Smoke test of an installed netrt wheel: an echo over a netrt listener and socket on
127.0.0.1 with DataWriter/DataReader, a refused connection seen as its HRESULT, and the
netrt-brokerd the wheel carries (its console script and ``python -m netrt._brokerd``).

Run by tests/packaging/wheel_check.sh in a clean venv of each CPython; prints one line and
exits 0 on success.
"""

import asyncio
import platform
import socket
import subprocess
import sys
from pathlib import Path

import netrt
from netrt import (
    DataReader,
    DataWriter,
    HostName,
    InputStreamOptions,
    SocketError,
    SocketErrorStatus,
    StreamSocket,
    StreamSocketListener,
)


async def echo_once() -> str:
    listener = StreamSocketListener()
    accepted: asyncio.Queue = asyncio.Queue()
    loop = asyncio.get_running_loop()
    listener.add_connection_received(lambda _sender, args: loop.call_soon_threadsafe(accepted.put_nowait, args.socket))
    await listener.bind_endpoint_async(HostName("127.0.0.1"), "")
    client = StreamSocket()
    await client.connect_async(HostName("127.0.0.1"), listener.information.local_port)
    server = await asyncio.wait_for(accepted.get(), 10)

    writer = DataWriter(client.output_stream)
    text = "hello from CPython " + platform.python_version()
    writer.write_uint32(writer.measure_string(text))
    writer.write_string(text)
    await writer.store_async()

    reader = DataReader(server.input_stream)
    await reader.load_async(4)
    length = reader.read_uint32()
    await reader.load_async(length)
    received = reader.read_string(length)
    back = DataWriter(server.output_stream)
    back.write_string(received)
    await back.store_async()

    answer = DataReader(client.input_stream)
    answer.input_stream_options = InputStreamOptions.PARTIAL
    got = b""
    while len(got) < length:
        n = await answer.load_async(length - len(got))
        got += answer.read_bytes(n)
    for s in (client, server, listener):
        s.close()
    return got.decode()


async def refused() -> int:
    # A port bound but not listening refuses connections, and nobody else can take it meanwhile.
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        port = str(bound.getsockname()[1])
        try:
            await StreamSocket().connect_async(HostName("127.0.0.1"), port)
        except netrt.NetworkError as e:
            return e.hresult
    raise AssertionError("connected to a port nothing listens on")


def brokerd_version() -> str:
    """The daemon inside the wheel answers through both entry points, with one version."""
    script = Path(sys.executable).parent / "netrt-brokerd"
    answers = [
        subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
        for cmd in ([str(script), "--version"], [sys.executable, "-m", "netrt._brokerd", "--version"])
    ]
    assert answers[0] == answers[1] and answers[0].startswith("netrt-brokerd "), answers
    return answers[0]


def main() -> None:
    echoed = asyncio.run(asyncio.wait_for(echo_once(), 20))
    assert echoed == "hello from CPython " + platform.python_version(), echoed
    hr = asyncio.run(asyncio.wait_for(refused(), 20))
    assert SocketError.get_status(hr) == SocketErrorStatus.CONNECTION_REFUSED, hex(hr & 0xFFFFFFFF)
    daemon = brokerd_version()
    print(f"ok: CPython {platform.python_version()} ({sys.implementation.cache_tag}) echoed {echoed!r}, "
          f"refused as 0x{hr & 0xFFFFFFFF:08X}, carries {daemon}")


if __name__ == "__main__":
    main()
