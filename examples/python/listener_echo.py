"""An echo server on a netrt StreamSocketListener: plain, TLS (`--tls CERT KEY`), or plain with
server-side STARTTLS (`--starttls CERT KEY`: reads the STARTTLS sample's length-prefixed
hello, then upgrades). Echoes every line back until the client closes.

    python examples/python/listener_echo.py [PORT] [--tls CERT KEY [--require-client-cert CA]]
    python examples/python/listener_echo.py [PORT] --starttls CERT KEY
"""

import argparse
import asyncio

from netrt import (
    Certificate,
    ClientCertificateMode,
    DataReader,
    DataWriter,
    InputStreamOptions,
    SocketProtectionLevel,
    StreamSocket,
    StreamSocketListener,
)


def load(cert: str, key: str | None = None) -> Certificate:
    with open(cert) as c:
        if key is None:
            return Certificate.from_pem(c.read())
        with open(key) as k:
            return Certificate.from_pem(c.read(), k.read())


async def serve(sock: StreamSocket, starttls: Certificate | None) -> None:
    peer = f"{sock.information.remote_address}:{sock.information.remote_port}"
    try:
        await echo(sock, peer, starttls)
    except Exception as e:
        print(f"{peer}: {e!r}")
    print(f"{peer}: closed")


async def echo(sock: StreamSocket, peer: str, starttls: Certificate | None) -> None:
    async with sock:
        if starttls is not None:
            reader = DataReader(sock.input_stream)
            await reader.load_async(4)
            length = reader.read_int32()
            await reader.load_async(length)
            print(f"{peer}: hello {reader.read_string(length)!r}; upgrading")
            reader.detach_stream()  # nothing unconsumed is left, or the upgrade is refused
            await sock.upgrade_to_ssl_as_server_async(SocketProtectionLevel.TLS12, starttls)
        if client := sock.information.client_certificate:
            print(f"{peer}: client certificate {client.subject!r}")
        reader = DataReader(sock.input_stream)
        reader.input_stream_options = InputStreamOptions.PARTIAL
        writer = DataWriter(sock.output_stream)
        while (n := await reader.load_async(64 * 1024)) > 0:
            writer.write_bytes(reader.read_bytes(n))
            await writer.store_async()


async def main(args: argparse.Namespace) -> None:
    level = SocketProtectionLevel.PLAIN_SOCKET
    async with StreamSocketListener() as listener:
        if args.tls:
            listener.control.server_certificate = load(*args.tls)
            level = SocketProtectionLevel.TLS12
            if args.require_client_cert:
                listener.control.client_certificate_mode = ClientCertificateMode.REQUIRED
                listener.control.trusted_root_certificates.append(load(args.require_client_cert))
        connections = aiter(listener)  # subscribe before binding, as WinRT's ConnectionReceived
        await listener.bind_service_name_async(args.port, level)
        print(f"listening on port {listener.information.local_port} ({level.name})", flush=True)
        starttls = load(*args.starttls) if args.starttls else None
        tasks = set()
        async for sock in connections:
            task = asyncio.create_task(serve(sock, starttls))
            tasks.add(task)
            task.add_done_callback(tasks.discard)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("port", nargs="?", default="", help="port or service name (default: any free port)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve TLS with this certificate")
    mode.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="upgrade after the hello")
    p.add_argument("--require-client-cert", metavar="CA", help="with --tls: require a client certificate from CA")
    try:
        asyncio.run(main(p.parse_args()))
    except KeyboardInterrupt:
        pass
