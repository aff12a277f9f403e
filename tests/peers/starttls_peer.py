"""A STARTTLS server made with Python's ssl module, on 127.0.0.1 and an ephemeral port.

Usage: starttls_peer.py CERT.pem KEY.pem [--inject]
Prints "PORT <n>" once listening. Serves one client: reads a big-endian Int32 length and that
many bytes of plaintext (the samples' hello) and prints "HELLO <text>"; with --inject it then
sends "GO\\n" plus injected plaintext in one segment, as a STARTTLS-injection attacker would.
Then a TLS server handshake ("TLS <version>", or "HANDSHAKE-FAILED <error>"), reads one line,
answers "echo:<line>" over TLS and prints "ECHOED <line>".
"""
import socket
import ssl
import struct
import sys

cert, key = sys.argv[1], sys.argv[2]
inject = "--inject" in sys.argv[3:]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print("PORT", srv.getsockname()[1], flush=True)
srv.settimeout(20)
conn, _ = srv.accept()
conn.settimeout(20)


def exact(n: int) -> bytes:
    b = b""
    while len(b) < n:
        chunk = conn.recv(n - len(b))
        if not chunk:
            raise SystemExit("peer closed")
        b += chunk
    return b


n = struct.unpack(">i", exact(4))[0]
print("HELLO", exact(n).decode("utf-8"), flush=True)
if inject:
    conn.sendall(b"GO\nINJECTED-PLAINTEXT\n")
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
try:
    tls = ctx.wrap_socket(conn, server_side=True)
except Exception as e:  # the client refused the certificate: report it, do not crash
    print("HANDSHAKE-FAILED", type(e).__name__, e, flush=True)
    raise SystemExit(0)
print("TLS", tls.version(), flush=True)
line = b""
while not line.endswith(b"\n"):
    chunk = tls.recv(100)
    if not chunk:
        break
    line += chunk
tls.sendall(b"echo:" + line)
print("ECHOED", line.decode().strip(), flush=True)
try:
    tls.unwrap()
except Exception:
    pass
