"""What the probes share: a kept SQLite data directory, copied and served by a `roster`
binary on loopback, a token for it, and the pages its write-ahead log holds."""

import contextlib
import http.client
import shutil
import socket
import struct
import subprocess
import tempfile
import time

WAL_HEADER = 32
FRAME_HEADER = 24


@contextlib.contextmanager
def copy_of(kept, prefix):
    """A temporary copy of the kept data directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as data:
        shutil.copytree(kept, data, dirs_exist_ok=True)
        yield data


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def issue_token(binary, data):
    """A Global Administrator bearer token, straight from the database."""
    return subprocess.run(
        [binary, "token", "issue", "--data-dir", data, "--role", "Global Administrator", "--name", "probe"],
        check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def serving(binary, data, port, *args, wait=True, **popen):
    """`binary serve` on the copy at 127.0.0.1:`port` (0 for any), stopped afterwards;
    unless `wait` is false, once it answers `/health`."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    server = subprocess.Popen(
        [binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}", *args], **popen)
    try:
        if wait:
            wait_for(port)
        yield server
    finally:
        server.terminate()
        server.wait()


def wait_for(port):
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer /health")


def wal_pages(wal):
    """The page number of every frame in a write-ahead log, in order."""
    with open(wal, "rb") as f:
        log = f.read()
    if len(log) < WAL_HEADER:
        return []
    page_size = struct.unpack(">I", log[8:12])[0]
    frame = FRAME_HEADER + page_size
    return [struct.unpack(">I", log[at:at + 4])[0] for at in range(WAL_HEADER, len(log) - frame + 1, frame)]


def uuid_text(hex_id):
    """A UUID's usual text from the 32 hex digits SQLite's `hex(id)` gives."""
    hex_id = hex_id.lower()
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
