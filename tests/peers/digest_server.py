"""HTTP Digest authentication peers for netrt's WebSocket tests (Python 3 standard library only).

Starts one real server on 127.0.0.1 and an ephemeral port with its configuration written to a
temporary directory, and prints "PORT <n>" once it accepts connections:

  digest_server.py apache   --upstream P --realm R --user U --password W
      Apache httpd, mod_auth_digest (MD5, qop=auth) in front of the WebSocket server on port P
      (mod_proxy_wstunnel).
  digest_server.py lighttpd --upstream P --realm R --user U --password W
      lighttpd, mod_auth with algorithm SHA-256 (RFC 7616, qop=auth) in front of the WebSocket
      server on port P (mod_proxy with the upgrade header enabled).
  digest_server.py squid --realm R --user U --password W
      squid as a forward proxy that answers 407 with a Digest (MD5) challenge and tunnels
      CONNECT for the authenticated user; its access log (one line per request, e.g.
      "... TCP_TUNNEL/200 ... CONNECT 127.0.0.1:P U ...") is copied to standard output.

The server runs in the foreground and is stopped with this program (tests/peers/launch stops
the whole process group); the directory is removed then.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Seconds the server has to start listening.
START_TIMEOUT = 10
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the server, before exec: SIGKILL when this program dies, however it dies (so the
    server never outlives tests/peers/launch)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def apache(d: Path, port: int, a: argparse.Namespace) -> list[str]:
    ha1 = hashlib.md5(f"{a.user}:{a.realm}:{a.password}".encode()).hexdigest()
    (d / "digest").write_text(f"{a.user}:{a.realm}:{ha1}\n")
    modules = "/usr/lib/apache2/modules"
    load = "".join(
        f"LoadModule {name}_module {modules}/mod_{name}.so\n"
        for name in ("mpm_event", "authn_core", "authz_core", "authn_file", "authz_user", "auth_digest",
                     "proxy", "proxy_wstunnel")
    )
    (d / "httpd.conf").write_text(f"""{load}ServerRoot "{d}"
ServerName localhost
Listen 127.0.0.1:{port}
PidFile "{d}/httpd.pid"
ErrorLog "{d}/error.log"
LogLevel info
User nobody
Group nogroup
<Location "/">
  AuthType Digest
  AuthName "{a.realm}"
  AuthDigestProvider file
  AuthUserFile "{d}/digest"
  AuthDigestDomain "/"
  Require valid-user
  ProxyPass "ws://127.0.0.1:{a.upstream}/"
</Location>
""")
    return ["apache2", "-X", "-f", str(d / "httpd.conf")]


def lighttpd(d: Path, port: int, a: argparse.Namespace) -> list[str]:
    # The plain backend keeps the password, so lighttpd can compute the SHA-256 digest itself.
    (d / "users").write_text(f"{a.user}:{a.password}\n")
    (d / "lighttpd.conf").write_text(f"""server.modules = ("mod_auth", "mod_authn_file", "mod_proxy")
server.bind = "127.0.0.1"
server.port = {port}
server.document-root = "{d}"
server.errorlog = "{d}/error.log"
auth.backend = "plain"
auth.backend.plain.userfile = "{d}/users"
auth.require = ("/" => ("method" => "digest", "algorithm" => "SHA-256", "realm" => "{a.realm}",
                        "require" => "valid-user"))
proxy.server = ("/" => (("host" => "127.0.0.1", "port" => {a.upstream})))
proxy.header = ("upgrade" => "enable")
""")
    return ["lighttpd", "-D", "-f", str(d / "lighttpd.conf")]


def squid(d: Path, port: int, a: argparse.Namespace) -> list[str]:
    (d / "passwd").write_text(f"{a.user}:{a.password}\n")
    (d / "squid.conf").write_text(f"""http_port 127.0.0.1:{port}
pid_filename none
cache_log {d}/cache.log
access_log stdio:{d}/access.log
logfile_rotate 0
cache deny all
cache_mem 1 MB
coredump_dir {d}
shutdown_lifetime 0 seconds
auth_param digest program /usr/lib/squid/digest_file_auth {d}/passwd
auth_param digest realm {a.realm}
auth_param digest children 1 startup=1 idle=1
acl authenticated proxy_auth REQUIRED
http_access allow authenticated
http_access deny all
""")
    if os.geteuid() == 0:
        # squid started as root runs as its cache_effective_user, which writes its logs here.
        for path in (d, *d.iterdir()):
            shutil.chown(path, "proxy")
    return ["squid", "-N", "-f", str(d / "squid.conf")]


def follow(log: Path, child: subprocess.Popen[bytes]) -> None:
    """Copies the lines appended to `log` to standard output while `child` runs."""
    at = 0
    while child.poll() is None:
        if log.exists():
            with open(log, "rb") as f:
                f.seek(at)
                data = f.read()
            at += len(data)
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        time.sleep(0.05)


def wait_listening(child: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if child.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"digest_server: the server did not start listening on {port}")
            time.sleep(0.02)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("server", choices=["apache", "lighttpd", "squid"])
    p.add_argument("--upstream", type=int)
    p.add_argument("--realm", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    a = p.parse_args()
    if a.server != "squid" and a.upstream is None:
        p.error(f"{a.server} needs --upstream")
    d = Path(tempfile.mkdtemp(prefix=f"netrt-digest-{a.server}-"))
    # Apache reads its password file as the unprivileged User it switches to.
    d.chmod(0o755)
    port = free_port()
    argv = {"apache": apache, "lighttpd": lighttpd, "squid": squid}[a.server](d, port, a)
    child = subprocess.Popen(argv, preexec_fn=die_with_parent)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        wait_listening(child, port)
        print("PORT", port, flush=True)
        if a.server == "squid":
            follow(d / "access.log", child)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
