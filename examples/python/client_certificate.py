"""The client-certificate C# snippet (see examples/README.md) in Python: a certificate on the socket's control,
then `connect_async(endpoint_pair, SocketProtectionLevel.TLS12)`.

    python examples/python/client_certificate.py HOST PORT --cert client.pem --key client.key [--ca ca.pem]

Try it against examples/python/listener_echo.py --tls ... --require-client-cert.
"""

import asyncio

from _common import parser, trust

from netrt import Certificate, DataReader, DataWriter, EndpointPair, HostName, SocketProtectionLevel, StreamSocket


async def main(host: str, port: str, cert: str, key: str, ca: str | None) -> None:
    async def GetClientCert() -> Certificate:
        with open(cert) as c, open(key) as k:
            return Certificate.from_pem(c.read(), k.read())

    destination = EndpointPair(None, "", HostName(host), port)

    socket = StreamSocket()
    trust(socket, ca)
    certificate = await GetClientCert()
    socket.control.client_certificate = certificate
    await socket.connect_async(destination, SocketProtectionLevel.TLS12)

    print(f"Connected as {certificate.subject!r} to {socket.information.server_certificate.subject!r}")
    # Send a line and read the echo: with TLS 1.3 the client is done with the handshake before
    # the server has checked its certificate, so this is where a refusal would show.
    writer = DataWriter(socket.output_stream)
    writer.write_string("hello with a certificate\n")
    await writer.store_async()
    reader = DataReader(socket.input_stream)
    n = await reader.load_async(25)
    print("Echo:", reader.read_string(n).strip())
    socket.close()


if __name__ == "__main__":
    p = parser(__doc__)
    p.add_argument("--cert", required=True, help="client certificate chain (PEM)")
    p.add_argument("--key", required=True, help="its private key (PEM)")
    args = p.parse_args()
    asyncio.run(main(args.host, args.port, args.cert, args.key, args.ca))
