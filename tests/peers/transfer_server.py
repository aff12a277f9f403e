"""An HTTP server on aiohttp for the background-transfer engine tests: downloads that fail in
the ways resuming must survive, redirects, authentication and an upload sink.

  transfer_server.py --file DATA --sink DIR [--cert PEM --key KEY] [--user U --password W]

Serves the bytes of DATA; stores uploads under DIR. With --cert/--key it also listens with
TLS and prints "TLS_PORT <n>" first; then prints "PORT <n>" (plain HTTP) once it listens on
127.0.0.1. Every request is logged on stdout as one line:
  REQUEST <method> <path> range=<Range or -> if-range=<If-Range or -> auth=<scheme or ->

GET paths (each honours Range when If-Range matches its current ETag, like a real server):
  /data                 the file, ETag "v1", Accept-Ranges: bytes
  /drop/<k>/<n>         the same, but the first k requests to this path send n body bytes
                        (of what they promised) and then close the connection
  /ignore-range         always 200 with the whole file (claims Accept-Ranges anyway)
  /etag-changes         a new ETag on every request, so If-Range never matches
  /flaky                503 (Retry-After: 1) on the first request, then the file
  /redirect?to=URL&code=C   answers C (default 302) with Location URL (without `to`: itself)
  /basic, /digest       the file behind Basic / Digest (MD5, qop=auth) for --user/--password
  /silent               sends headers and 10 bytes, then nothing (until the client leaves)
POST/PUT:
  /upload               stores the body as DIR/<n>.body, or each multipart part as
                        DIR/<n>.part<i>.headers (JSON) and DIR/<n>.part<i>.body; answers 201
                        with "stored <n> <sha256 of the body>"
  /redirect?...         as above (307/308 keep the body)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import ssl
import sys
from pathlib import Path

from aiohttp import web

REALM = "netrt transfers"


class State:
    def __init__(self, data: bytes, sink: Path, user: str, password: str) -> None:
        self.data = data
        self.sink = sink
        self.user = user
        self.password = password
        self.counts: dict[str, int] = {}
        self.uploads = 0
        self.nonces: set[str] = set()

    def count(self, path: str) -> int:
        """How many requests this path had before this one."""
        n = self.counts.get(path, 0)
        self.counts[path] = n + 1
        return n


def log(request: web.Request) -> None:
    auth = request.headers.get("Authorization", "-").split(" ", 1)[0]
    print(
        f"REQUEST {request.method} {request.path} range={request.headers.get('Range', '-')} "
        f"if-range={request.headers.get('If-Range', '-')} auth={auth}",
        flush=True,
    )


def wanted_range(request: web.Request, etag: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte range to send, or None for the whole body."""
    value = request.headers.get("Range")
    if not value:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != etag:
        return None
    m = re.fullmatch(r"bytes=(\d+)-(\d*)", value.strip())
    if not m:
        return None
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else size - 1
    return first, min(last, size - 1)


async def send_file(request: web.Request, data: bytes, etag: str, honour_range: bool = True,
                    drop_after: int | None = None) -> web.StreamResponse:
    headers = {"ETag": etag, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
    rng = wanted_range(request, etag, len(data)) if honour_range else None
    if rng is not None and rng[0] >= len(data):
        headers["Content-Range"] = f"bytes */{len(data)}"
        return web.Response(status=416, headers=headers)
    status, body = 200, data
    if rng is not None:
        status, body = 206, data[rng[0]:rng[1] + 1]
        headers["Content-Range"] = f"bytes {rng[0]}-{rng[1]}/{len(data)}"
    headers["Content-Length"] = str(len(body))
    response = web.StreamResponse(status=status, headers=headers)
    await response.prepare(request)
    if drop_after is not None and drop_after < len(body):
        await response.write(body[:drop_after])
        await asyncio.sleep(0.05)
        request.transport.close()
        return response
    for i in range(0, len(body), 256 * 1024):
        await response.write(body[i:i + 256 * 1024])
    await response.write_eof()
    return response


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(state: State, request: web.Request) -> bool:
    value = request.headers.get("Authorization", "")
    if not value.startswith("Digest "):
        return False
    pairs = re.findall(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', value[7:])
    params = {name: quoted or token for name, quoted, token in pairs}
    if params.get("username") != state.user or params.get("nonce") not in state.nonces:
        return False
    ha1 = md5(f"{state.user}:{REALM}:{state.password}")
    ha2 = md5(f"{request.method}:{params.get('uri', '')}")
    if params.get("uri") != request.path_qs:
        return False
    expected = md5(f"{ha1}:{params['nonce']}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
    return params.get("qop") == "auth" and params.get("response") == expected


def make_app(state: State) -> web.Application:
    async def data(request: web.Request) -> web.StreamResponse:
        log(request)
        return await send_file(request, state.data, '"v1"')

    async def drop(request: web.Request) -> web.StreamResponse:
        log(request)
        times, after = int(request.match_info["k"]), int(request.match_info["n"])
        before = state.count(request.path)
        return await send_file(request, state.data, '"v1"', drop_after=after if before < times else None)

    async def ignore_range(request: web.Request) -> web.StreamResponse:
        log(request)
        return await send_file(request, state.data, '"v1"', honour_range=False)

    async def etag_changes(request: web.Request) -> web.StreamResponse:
        log(request)
        n = state.count(request.path)
        return await send_file(request, state.data, f'"gen{n}"')

    async def flaky(request: web.Request) -> web.StreamResponse:
        log(request)
        if state.count(request.path) == 0:
            return web.Response(status=503, headers={"Retry-After": "1"}, text="try again later\n")
        return await send_file(request, state.data, '"v1"')

    async def redirect(request: web.Request) -> web.StreamResponse:
        log(request)
        if request.can_read_body:
            await request.read()
        code = int(request.query.get("code", "302"))
        return web.Response(status=code, headers={"Location": request.query.get("to", request.path_qs)})

    async def basic(request: web.Request) -> web.StreamResponse:
        log(request)
        expected = "Basic " + base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401, headers={"WWW-Authenticate": f'Basic realm="{REALM}"'})
        return await send_file(request, state.data, '"v1"')

    async def digest(request: web.Request) -> web.StreamResponse:
        log(request)
        if not digest_ok(state, request):
            nonce = os.urandom(12).hex()
            state.nonces.add(nonce)
            challenge = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}"'
            return web.Response(status=401, headers={"WWW-Authenticate": challenge})
        return await send_file(request, state.data, '"v1"')

    async def silent(request: web.Request) -> web.StreamResponse:
        log(request)
        response = web.StreamResponse(headers={"Content-Length": str(len(state.data)), "ETag": '"v1"',
                                               "Accept-Ranges": "bytes"})
        await response.prepare(request)
        await response.write(state.data[:10])
        await asyncio.sleep(3600)
        return response

    async def upload(request: web.Request) -> web.StreamResponse:
        log(request)
        state.uploads += 1
        n = state.uploads
        digest_of_body = hashlib.sha256()
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            i = 0
            while (part := await reader.next()) is not None:
                i += 1
                body = await part.read()
                digest_of_body.update(body)
                (state.sink / f"{n}.part{i}.body").write_bytes(body)
                (state.sink / f"{n}.part{i}.headers").write_text(json.dumps(
                    {"headers": dict(part.headers), "name": part.name, "filename": part.filename}))
        else:
            with open(state.sink / f"{n}.body", "wb") as out:
                async for chunk in request.content.iter_chunked(256 * 1024):
                    digest_of_body.update(chunk)
                    out.write(chunk)
        return web.Response(status=201, text=f"stored {n} {digest_of_body.hexdigest()}\n")

    app = web.Application(client_max_size=4 * 1024 ** 3)
    app.router.add_get("/data", data)
    app.router.add_get("/drop/{k}/{n}", drop)
    app.router.add_get("/ignore-range", ignore_range)
    app.router.add_get("/etag-changes", etag_changes)
    app.router.add_get("/flaky", flaky)
    app.router.add_route("*", "/redirect", redirect)
    app.router.add_get("/basic", basic)
    app.router.add_get("/digest", digest)
    app.router.add_get("/silent", silent)
    app.router.add_post("/upload", upload)
    app.router.add_put("/upload", upload)
    return app


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", default="user")
    parser.add_argument("--password", default="password")
    args = parser.parse_args()
    state = State(Path(args.file).read_bytes(), Path(args.sink), args.user, args.password)
    runner = web.AppRunner(make_app(state), access_log=None)
    await runner.setup()
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        tls = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await tls.start()
        print(f"TLS_PORT {tls._server.sockets[0].getsockname()[1]}", flush=True)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"PORT {site._server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
