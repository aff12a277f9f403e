"""Peers for the WebSocket tests, configured as the Rust tests configure them
(core/tests/util/web_peers.rs): the `websockets` server of tests/peers/ws_server.py, and nginx
terminating TLS in front of it with auth_basic. Each binds 127.0.0.1 on an ephemeral port and
is stopped by `close()`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from peers.procs import Peer

WS_SERVER = Path(__file__).resolve().parents[2] / "peers" / "ws_server.py"


def ws_server(*args: str) -> Peer:
    """tests/peers/ws_server.py with `args` (see its docstring); prints "PORT <n>"."""

    def port(line: str) -> int | None:
        return int(line.split()[1]) if line.startswith("PORT ") else None

    return Peer([sys.executable, str(WS_SERVER), *args], port)


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
            if peer.proc.poll() is not None or time.monotonic() > deadline:
                peer.close()
                raise RuntimeError(f"nginx never listened on {port}:\n{peer.output()}") from None
            time.sleep(0.02)


NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{
      auth_basic "netrt";
      auth_basic_user_file {d}/htpasswd;
      proxy_pass http://127.0.0.1:{upstream};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 60s;
    }}
  }}
}}
"""


def nginx_tls_proxy(d: Path, cert: Path, key: Path, upstream: int, user: str, password: str) -> Peer:
    """nginx in `d` terminating TLS (cert/key) in front of 127.0.0.1:`upstream`, requiring
    `user`/`password` (auth_basic)."""
    digest = subprocess.run(
        ["openssl", "passwd", "-apr1", password], capture_output=True, text=True, check=True
    ).stdout.strip()
    (d / "htpasswd").write_text(f"{user}:{digest}\n")
    port = _free_port()
    conf = d / "nginx.conf"
    conf.write_text(NGINX_CONF.format(d=d, port=port, cert=cert, key=key, upstream=upstream))
    peer = Peer(["nginx", "-p", str(d), "-c", str(conf), "-e", str(d / "error.log")], None)
    _wait_listening(peer, port)
    peer.port = port
    return peer
