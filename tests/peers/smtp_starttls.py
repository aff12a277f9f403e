"""An aiosmtpd SMTP server requiring STARTTLS, on 127.0.0.1 and an ephemeral port.

Usage: smtp_starttls.py CERT.pem KEY.pem
Prints "PORT <n>" once listening, then one line per MAIL command ("MAIL <address> tls|plain").
Stops by itself after 60 seconds.
"""
import asyncio
import ssl
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        print("MAIL", address, "tls" if session.ssl else "plain", flush=True)
        envelope.mail_from = address
        return "250 OK"


async def main(cert: str, key: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), require_starttls=True, tls_context=context), "127.0.0.1", 0
    )
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(60)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
