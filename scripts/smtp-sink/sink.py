"""An SMTP sink for Roster's mail tests: aiosmtpd on loopback that stores each message.

Every accepted message is written to DIR as <n>.eml (the message as received, prefixed
by X-Envelope-From / X-Envelope-To lines), via a temporary file and a rename, so a test
sees whole files only. Once listening it prints "listening on HOST:PORT".

With --hold FILE, every RCPT command waits while FILE exists (for up to 60 s) after
touching FILE + ".held", so a test can kill the client in the middle of a conversation.

Usage: python sink.py --port 2525 --dir /tmp/mail [--hold /tmp/hold]
"""

import argparse
import asyncio
import itertools
import os
import pathlib
import signal
import sys

from aiosmtpd.controller import Controller


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
        head = "X-Envelope-From: {}\r\nX-Envelope-To: {}\r\n".format(
            envelope.mail_from, ", ".join(envelope.rcpt_tos)
        ).encode()
        partial = self.directory / ".{}.partial".format(number)
        partial.write_bytes(head + envelope.original_content)
        os.replace(partial, self.directory / "{}.eml".format(number))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--hold")
    args = parser.parse_args()
    controller = Controller(Store(args.dir, args.hold), hostname=args.host, port=args.port)
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
