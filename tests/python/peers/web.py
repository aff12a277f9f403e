"""Peers for the WebSocket tests, configured as the Rust tests configure them
(core/tests/util/web_peers.rs): the `websockets` server of tests/peers/ws_server.py, and nginx
terminating TLS in front of it with auth_basic (tests/peers/nginx_ws_proxy.conf), nginx serving
feeds (tests/peers/nginx_feeds.conf, feeds by tests/peers/make_feeds.py), tinyproxy as a CONNECT
proxy with BasicAuth (tests/peers/tinyproxy.conf), and the HTTP Digest servers of
tests/peers/digest_server.py (Apache httpd, lighttpd, squid). Each binds 127.0.0.1 on an
ephemeral port, is started through tests/peers/launch and is stopped by `close()`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from peers.procs import Peer, program

WS_SERVER = Path(__file__).resolve().parents[2] / "peers" / "ws_server.py"
DIGEST_SERVER = Path(__file__).resolve().parents[2] / "peers" / "digest_server.py"


def ws_server(*args: str) -> Peer:
    """tests/peers/ws_server.py with `args` (see its docstring); prints "PORT <n>"."""
    return program("PORT ", sys.executable, str(WS_SERVER), *args)


def digest_server(server: str, user: str, password: str, upstream: int | None = None) -> Peer:
    """tests/peers/digest_server.py: `apache` (Digest MD5) or `lighttpd` (Digest SHA-256) in
    front of the WebSocket server on `upstream`, or `squid` (a proxy with Digest MD5); realm
    "netrt digest"."""
    args = ["--realm", "netrt digest", "--user", user, "--password", password]
    if upstream is not None:
        args += ["--upstream", str(upstream)]
    return program("PORT ", sys.executable, str(DIGEST_SERVER), server, *args)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(peer: Peer, port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                peer.close()
                raise RuntimeError(f"peer never listened on {port}:\n{peer.output()}") from None
            time.sleep(0.02)


NGINX_CONF = Path(__file__).resolve().parents[2] / "peers" / "nginx_ws_proxy.conf"


def _htpasswd(d: Path, user: str, password: str) -> None:
    digest = subprocess.run(
        ["openssl", "passwd", "-apr1", password], capture_output=True, text=True, check=True
    ).stdout.strip()
    (d / "htpasswd").write_text(f"{user}:{digest}\n")


def _nginx(d: Path, template: Path, values: dict[str, object]) -> tuple[Peer, int]:
    """nginx in `d` with `template`'s @NAME@ placeholders (and @DIR@, @PORT@) filled in.

    The port is picked before nginx binds it, so another process can take it in between and
    answer in nginx's place; nginx writes its pid file only once it has bound its port, so the
    pid file says the listener is ours (else: another port)."""
    for _ in range(5):
        port = _free_port()
        (d / "nginx.pid").unlink(missing_ok=True)
        text = template.read_text()
        for name, value in {"DIR": d, "PORT": port, **values}.items():
            text = text.replace(f"@{name}@", str(value))
        conf = d / "nginx.conf"
        conf.write_text(text)
        peer = Peer(["run", "--port", str(port), "--", "nginx", "-p", str(d), "-c", str(conf), "-e", str(d / "error.log")])
        if _bound(d):
            _wait_listening(peer, port)
            return peer, port
        peer.close()
    raise AssertionError(f"nginx could not bind a free port in five attempts; see {d}")


def _bound(d: Path) -> bool:
    """Whether the nginx running in `d` bound its port (its pid file) or failed to (its log)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pid = d / "nginx.pid"
        if pid.exists() and pid.stat().st_size > 0:
            return True
        log = d / "error.log"
        if log.exists() and "Address already in use" in log.read_text(errors="replace"):
            return False
        time.sleep(0.02)
    raise AssertionError(f"nginx neither bound its port nor failed within 10 s; see {d}")


def nginx_tls_proxy(d: Path, cert: Path, key: Path, upstream: int, user: str, password: str) -> Peer:
    """nginx in `d` terminating TLS (cert/key) in front of 127.0.0.1:`upstream`, requiring
    `user`/`password` (auth_basic)."""
    _htpasswd(d, user, password)
    peer, _ = _nginx(d, NGINX_CONF, {"CERT": cert, "KEY": key, "UPSTREAM": upstream})
    return peer


NGINX_FEEDS_CONF = Path(__file__).resolve().parents[2] / "peers" / "nginx_feeds.conf"


def nginx_feeds(d: Path, www: Path, user: str, password: str) -> tuple[Peer, int]:
    """nginx in `d` serving the files of `www` over HTTP; `/private/` needs `user`/`password`
    (auth_basic). Returns the peer and its port."""
    _htpasswd(d, user, password)
    return _nginx(d, NGINX_FEEDS_CONF, {"WWW": www})


MAKE_FEEDS = Path(__file__).resolve().parents[2] / "peers" / "make_feeds.py"


def generated_feeds(d: Path, items: int = 5) -> Path:
    """Feeds written by feedgen (and the hostile documents) into `d`, by tests/peers/make_feeds.py."""
    subprocess.run([sys.executable, str(MAKE_FEEDS), str(d), "--items", str(items)], check=True)
    return d


TINYPROXY_CONF = Path(__file__).resolve().parents[2] / "peers" / "tinyproxy.conf"


def tinyproxy(d: Path, basic_auth: tuple[str, str] | None) -> Peer:
    """tinyproxy on 127.0.0.1 in the foreground; with `basic_auth` = (user, password) it answers
    407 to requests without those credentials."""
    port = _free_port()
    text = TINYPROXY_CONF.read_text().replace("@PORT@", str(port))
    if basic_auth is not None:
        text += f"BasicAuth {basic_auth[0]} {basic_auth[1]}\n"
    conf = d / "tinyproxy.conf"
    conf.write_text(text)
    peer = Peer(["run", "--port", str(port), "--", "tinyproxy", "-d", "-c", str(conf)])
    _wait_listening(peer, port)
    return peer


NGINX_TRANSFER_CONF = Path(__file__).resolve().parents[2] / "peers" / "nginx_transfer.conf"


def nginx_transfer(d: Path, www: Path) -> tuple[Peer, int]:
    """nginx in `d` serving `www` for the background-transfer tests (tests/peers/
    nginx_transfer.conf: ETag and ranges, /slow/ at 512 KiB/s, `d`/access.log with each
    request's Range). Returns the peer and its port."""
    return _nginx(d, NGINX_TRANSFER_CONF, {"WWW": www})


TRANSFER_SERVER = Path(__file__).resolve().parents[2] / "peers" / "transfer_server.py"


def transfer_server(data: Path, sink: Path, user: str, password: str) -> Peer:
    """tests/peers/transfer_server.py serving `data` (/basic behind `user`/`password`) and
    storing uploads in `sink`; prints "PORT <n>"."""
    args = ["--file", str(data), "--sink", str(sink), "--user", user, "--password", password]
    return program("PORT ", sys.executable, str(TRANSFER_SERVER), *args)
