"""An SMTP sink for Roster's mail tests: aiosmtpd on loopback that stores each message.

Every accepted message is written to DIR as <n>.eml (the message as received, prefixed
by X-Envelope-From / X-Envelope-To lines), via a temporary file and a rename, so a test
sees whole files only. Once listening it prints "listening on HOST:PORT".

With --hold FILE, every RCPT command waits while FILE exists (for up to 60 s) after
touching FILE + ".held", so a test can kill the client in the middle of a conversation.

With --tls-cert and --tls-key the sink offers STARTTLS and requires it (with --implicit-tls
it speaks TLS from the first byte instead); with --auth USER:PASSWORD it requires AUTH
(over TLS only). Each stored message then also carries X-Sink-TLS and X-Sink-Auth lines.

Usage: python sink.py --port 2525 --dir /tmp/mail [--hold /tmp/hold]
                      [--tls-cert cert.pem --tls-key key.pem [--implicit-tls]] [--auth u:p]
"""

import argparse
import asyncio
import itertools
import os
import pathlib
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Store:
    def __init__(self, directory, hold):
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.hold = pathlib.Path(hold) if hold else None
        self.counter = itertools.count(1 + len(list(self.directory.glob("*.eml"))))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold is not None and self.hold.exists():
            pathlib.Path(str(self.hold) + ".held").touch()
            for _ in range(600):
                if not self.hold.exists():
                    break
                await asyncio.sleep(0.1)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        number = next(self.counter)
        head = "X-Envelope-From: {}\r\nX-Envelope-To: {}\r\nX-Sink-TLS: {}\r\nX-Sink-Auth: {}\r\n".format(
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
            "yes" if uses_tls(server, session) else "no",
            session.auth_data.login.decode() if session.authenticated else "-",
        ).encode()
        partial = self.directory / ".{}.partial".format(number)
        partial.write_bytes(head + envelope.original_content)
        os.replace(partial, self.directory / "{}.eml".format(number))
        return "250 Message accepted for delivery"


def uses_tls(server, session):
    """Whether the conversation is encrypted (after STARTTLS, or TLS from the start)."""
    return session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None


def authenticator_for(expected):
    """Accepts exactly USER:PASSWORD given on the command line."""
    user, _, password = expected.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=good, handled=False, auth_data=auth_data)

    return authenticate


def tls_options(args):
    """The Controller's keyword arguments for TLS and AUTH."""
    options = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.implicit_tls:
            options["ssl_context"] = context
        else:
            options["tls_context"] = context
            options["require_starttls"] = True
    if args.auth:
        options["authenticator"] = authenticator_for(args.auth)
        options["auth_required"] = True
        # aiosmtpd only counts STARTTLS as TLS; with implicit TLS every byte is encrypted.
        options["auth_require_tls"] = not args.implicit_tls
    return options


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--hold")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    args = parser.parse_args()
    controller = Controller(
        Store(args.dir, args.hold), hostname=args.host, port=args.port, **tls_options(args)
    )
    controller.start()
    print("listening on {}:{}".format(args.host, args.port), flush=True)
    stopped = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    try:
        loop.run_until_complete(stopped.wait())
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
