"""An Atom Publishing Protocol (RFC 5023) server on aiohttp, for the AtomPub tests: one
workspace with an entry collection (/entries) and a media collection (/media), Basic
authentication, ETags with If-Match (412 when stale) and If-None-Match (304), in memory.

  atompub_server.py USER PASSWORD     (prints "PORT <n>" once it listens on 127.0.0.1)

/slow answers after 60 s (for cancellation tests); /chunked streams a feed with no
Content-Length (for the response size limit while reading).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import sys
import urllib.parse
import xml.etree.ElementTree as ET

from aiohttp import web

ATOM = "http://www.w3.org/2005/Atom"
APP = "http://www.w3.org/2007/app"
ET.register_namespace("", ATOM)
ET.register_namespace("app", APP)


class Store:
    def __init__(self) -> None:
        self.entries: dict[str, ET.Element] = {}
        self.media: dict[str, tuple[str, bytes]] = {}
        self.versions: dict[str, int] = {}

    def etag(self, key: str) -> str:
        return f'"{hashlib.sha1(f"{key}:{self.versions[key]}".encode()).hexdigest()[:16]}"'

    def new_name(self, slug: str | None, taken) -> str:
        base = "".join(c if c.isalnum() else "-" for c in (slug or "entry")).strip("-").lower() or "entry"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        return name


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def atom(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def xml_response(element: ET.Element, status: int = 200, etag: str | None = None, location: str | None = None,
                 content_type: str = "application/atom+xml;type=entry") -> web.Response:
    headers = {}
    if etag:
        headers["ETag"] = etag
    if location:
        headers["Location"] = location
        headers["Content-Location"] = location
    headers["Content-Type"] = content_type
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return web.Response(body=body, status=status, headers=headers)


def set_child(entry: ET.Element, tag: str, text: str) -> None:
    child = entry.find(atom(tag))
    if child is None:
        child = ET.SubElement(entry, atom(tag))
    child.text = text


def set_link(entry: ET.Element, rel: str, href: str) -> None:
    for link in entry.findall(atom("link")):
        if link.get("rel") == rel:
            entry.remove(link)
    ET.SubElement(entry, atom("link"), {"rel": rel, "href": href})


def make_app(user: str, password: str) -> web.Application:
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    store = Store()

    @web.middleware
    async def basic_auth(request: web.Request, handler):
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="atompub"'})
        return await handler(request)

    async def service(request: web.Request) -> web.Response:
        root = ET.Element(f"{{{APP}}}service")
        ws = ET.SubElement(root, f"{{{APP}}}workspace")
        ET.SubElement(ws, atom("title")).text = "netrt workspace"
        entries = ET.SubElement(ws, f"{{{APP}}}collection", {"href": "/entries"})
        ET.SubElement(entries, atom("title")).text = "Entries"
        ET.SubElement(entries, f"{{{APP}}}accept").text = "application/atom+xml;type=entry"
        cats = ET.SubElement(entries, f"{{{APP}}}categories", {"fixed": "yes", "scheme": "urn:netrt:tags"})
        ET.SubElement(cats, atom("category"), {"term": "news"})
        ET.SubElement(cats, atom("category"), {"term": "notes", "label": "Notes"})
        media = ET.SubElement(ws, f"{{{APP}}}collection", {"href": "media"})
        ET.SubElement(media, atom("title")).text = "Media"
        ET.SubElement(media, f"{{{APP}}}accept").text = "image/png"
        ET.SubElement(media, f"{{{APP}}}accept").text = "application/octet-stream"
        return xml_response(root, content_type="application/atomsvc+xml")

    async def feed(request: web.Request) -> web.Response:
        root = ET.Element(atom("feed"))
        ET.SubElement(root, atom("id")).text = "urn:netrt:atompub:entries"
        ET.SubElement(root, atom("title")).text = "Entries"
        ET.SubElement(root, atom("updated")).text = now()
        for entry in store.entries.values():
            root.append(entry)
        return xml_response(root, content_type="application/atom+xml;type=feed")

    async def create(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            entry = ET.fromstring(body)
        except ET.ParseError as e:
            return web.Response(status=400, text=f"not XML: {e}")
        if entry.tag != atom("entry"):
            return web.Response(status=415, text="POST an Atom entry")
        slug = urllib.parse.unquote(request.headers.get("Slug", ""))
        name = store.new_name(slug, store.entries)
        href = f"/entries/{name}"
        set_child(entry, "id", f"urn:netrt:atompub:{name}")
        set_child(entry, "updated", now())
        set_link(entry, "edit", href)
        store.entries[name] = entry
        store.versions[name] = 1
        return xml_response(entry, status=201, etag=store.etag(name), location=href)

    def find(request: web.Request) -> str:
        name = request.match_info["name"]
        if name not in store.entries:
            raise web.HTTPNotFound()
        return name

    async def get_entry(request: web.Request) -> web.Response:
        name = find(request)
        tag = store.etag(name)
        if request.headers.get("If-None-Match") == tag:
            return web.Response(status=304, headers={"ETag": tag})
        return xml_response(store.entries[name], etag=tag)

    async def put_entry(request: web.Request) -> web.Response:
        name = find(request)
        if_match = request.headers.get("If-Match")
        if if_match is not None and if_match != store.etag(name):
            return web.Response(status=412, text="stale ETag")
        entry = ET.fromstring(await request.read())
        set_child(entry, "id", f"urn:netrt:atompub:{name}")
        set_child(entry, "updated", now())
        set_link(entry, "edit", f"/entries/{name}")
        store.entries[name] = entry
        store.versions[name] += 1
        return web.Response(status=200, headers={"ETag": store.etag(name)})

    async def delete_entry(request: web.Request) -> web.Response:
        name = find(request)
        del store.entries[name]
        store.media.pop(name, None)
        return web.Response(status=200)

    async def create_media(request: web.Request) -> web.Response:
        data = await request.read()
        name = store.new_name(urllib.parse.unquote(request.headers.get("Slug", "")), store.entries)
        store.media[name] = (request.headers.get("Content-Type", "application/octet-stream"), data)
        entry = ET.Element(atom("entry"))
        ET.SubElement(entry, atom("id")).text = f"urn:netrt:atompub:{name}"
        ET.SubElement(entry, atom("title")).text = name
        ET.SubElement(entry, atom("updated")).text = now()
        ET.SubElement(entry, atom("content"), {"type": store.media[name][0], "src": f"/media/{name}.bin"})
        set_link(entry, "edit", f"/entries/{name}")
        set_link(entry, "edit-media", f"/media/{name}.bin")
        store.entries[name] = entry
        store.versions[name] = 1
        store.versions[f"{name}.bin"] = 1
        return xml_response(entry, status=201, etag=store.etag(name), location=f"/entries/{name}")

    async def get_media(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in store.media:
            raise web.HTTPNotFound()
        kind, data = store.media[name]
        return web.Response(body=data, headers={"Content-Type": kind, "ETag": store.etag(f"{name}.bin")})

    async def put_media(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in store.media:
            raise web.HTTPNotFound()
        if_match = request.headers.get("If-Match")
        if if_match is not None and if_match != store.etag(f"{name}.bin"):
            return web.Response(status=412, text="stale ETag")
        store.media[name] = (request.headers.get("Content-Type", "application/octet-stream"), await request.read())
        store.versions[f"{name}.bin"] += 1
        return web.Response(status=200, headers={"ETag": store.etag(f"{name}.bin")})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(60)
        return web.Response(text="late")

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/atom+xml"})
        await response.prepare(request)
        await response.write(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>big</title>')
        chunk = b"<!--" + b"x" * 65536 + b"-->"
        for _ in range(int(request.query.get("chunks", "64"))):
            await response.write(chunk)
        await response.write(b"</feed>")
        await response.write_eof()
        return response

    app = web.Application(middlewares=[basic_auth])
    app.router.add_get("/service", service)
    app.router.add_get("/entries", feed)
    app.router.add_post("/entries", create)
    app.router.add_get("/entries/{name}", get_entry)
    app.router.add_put("/entries/{name}", put_entry)
    app.router.add_delete("/entries/{name}", delete_entry)
    app.router.add_post("/media", create_media)
    app.router.add_get("/media/{name}.bin", get_media)
    app.router.add_put("/media/{name}.bin", put_media)
    app.router.add_get("/slow", slow)
    app.router.add_get("/chunked", chunked)
    return app


async def main() -> None:
    user, password = sys.argv[1], sys.argv[2]
    runner = web.AppRunner(make_app(user, password), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
