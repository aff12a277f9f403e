"""A WebSocket server for netrt's tests, built on the `websockets` library.

Prints "PORT <n>" once listening on 127.0.0.1 (ephemeral port). What a connection gets depends
on its path: /echo (each message back, same type), /close?code=C&reason=R (closes with that
code), /fragmented (one text and one binary message sent in several frames), /badutf8 (a text
frame that is not UTF-8), /reserved (a frame with RSV1 set), /drop (the TCP connection is
aborted after the first message), /stepwise (a text message in three fragments, the last sent
only once the client sends a message: a client that waits for whole messages never does),
/slowframe (one 60000-byte binary frame whose second half is written only once the client sends a
message), /ping-close (sends "data", pings, and once the pong is back closes with 4001
"after pong"; with ?after=message only once the client sent a message), /count?n=N (once the client sent a message: the text messages "0" to "N-1",
then a close with 1000 "counted"; a client that stops reading holds it back through TCP flow
control). Every close the server
sees is printed as "CLOSED <code> <reason>".

Options: --tls CERT KEY (wss), --protocols a,b (offered in this order of preference),
--force-protocol P (answer with P whatever the client offered), --basic USER:PASSWORD,
--silent (accept TCP connections and never answer), --log-frames (print every frame the
server receives, e.g. "< PONG '' [0 bytes]").
"""

import argparse
import asyncio
import logging
import socket
import ssl
import sys
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import basic_auth, serve
from websockets.exceptions import ConnectionClosed


async def handler(ws):
    url = urlsplit(ws.request.path)
    try:
        if url.path == "/close":
            query = parse_qs(url.query)
            await ws.close(int(query["code"][0]), query.get("reason", [""])[0])
        elif url.path == "/fragmented":
            await ws.send(["frag", "mented ", "text"])
            await ws.send([b"\x00\x01", b"\x02", b"\x03\x04"])
            await ws.wait_closed()
        elif url.path == "/stepwise":

            async def fragments():
                yield "first "
                yield "second "
                await ws.recv()
                yield "last"

            await ws.send(fragments())
            await ws.wait_closed()
        elif url.path == "/slowframe":
            # FIN + binary with a 16-bit length, unmasked.
            payload = bytes(i % 251 for i in range(60000))
            ws.transport.write(bytes([0x82, 126]) + len(payload).to_bytes(2, "big") + payload[:30000])
            await ws.recv()
            ws.transport.write(payload[30000:])
            await ws.wait_closed()
        elif url.path == "/ping-close":
            if parse_qs(url.query).get("after") == ["message"]:
                await ws.recv()
            await ws.send(b"data")
            await (await ws.ping())
            await ws.close(4001, "after pong")
        elif url.path == "/count":
            await ws.recv()
            for i in range(int(parse_qs(url.query)["n"][0])):
                await ws.send(str(i))
            await ws.close(1000, "counted")
        elif url.path == "/badutf8":
            ws.transport.write(bytes([0x81, 0x02, 0xFF, 0xFE]))
            await ws.wait_closed()
        elif url.path == "/reserved":
            ws.transport.write(bytes([0xC2, 0x01, 0x41]))
            await ws.wait_closed()
        elif url.path == "/drop":
            await ws.recv()
            ws.transport.abort()
        else:
            async for message in ws:
                await ws.send(message)
    except ConnectionClosed:
        pass
    finally:
        rcvd = ws.protocol.close_rcvd
        if rcvd is not None:
            try:
                print("CLOSED", rcvd.code, rcvd.reason, flush=True)
            except BrokenPipeError:
                pass  # whoever started the server has stopped reading (e.g. an example that is done)


async def silent():
    server = await asyncio.start_server(lambda r, w: asyncio.sleep(3600), "127.0.0.1", 0)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Future()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", nargs=2)
    parser.add_argument("--protocols", default="")
    parser.add_argument("--force-protocol")
    parser.add_argument("--basic")
    parser.add_argument("--silent", action="store_true")
    parser.add_argument("--log-frames", action="store_true")
    args = parser.parse_args()
    if args.log_frames:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(message)s")
    if args.silent:
        await silent()
        return

    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])

    preference = [p for p in args.protocols.split(",") if p]

    def select(connection, offered):
        if args.force_protocol:
            return args.force_protocol
        # The server's preference wins, whatever order the client offered.
        return next((p for p in preference if p in offered), None)

    options = {}
    if args.basic:
        user, password = args.basic.split(":", 1)
        options["process_request"] = basic_auth(credentials=(user, password))

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    async with serve(
        handler,
        sock=sock,
        ssl=context,
        subprotocols=preference or None,
        select_subprotocol=select,
        max_size=None,
        compression=None,
        **options,
    ):
        print("PORT", sock.getsockname()[1], flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
