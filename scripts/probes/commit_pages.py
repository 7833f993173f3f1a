#!/usr/bin/env python3
"""Which b-trees one single restore and one single delete write (BENCHMARKS.md): on a copy
of a kept SQLite data directory, serves it with the given `roster` binary, sends one
request at a time over HTTP, and maps the write-ahead-log frames each request's commit
added to tables and indexes with SQLite's `dbstat`. Every frame is a page written (and
synced) at the commit, so this is the disk work a single operation costs.

  python3 scripts/probes/commit_pages.py KEPT_DIR BINARY [--each 2] [--port 47999]"""

import argparse
import collections
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
import urllib.request

PAGE = 4096
FRAME_HEADER = 24
WAL_HEADER = 32


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept")
    parser.add_argument("binary")
    parser.add_argument("--each", type=int, default=2, help="restores, and then deletes, to send")
    parser.add_argument("--port", type=int, default=47999)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="commit-pages-") as data:
        shutil.copytree(args.kept, data, dirs_exist_ok=True)
        token = issue_token(args.binary, data)
        owner, deleted, active = read_database(f"{data}/roster.db", args.each)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [args.binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{args.port}", "--purge-interval", "3600s"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(base)
            requests = [("restore", "POST", f"/v1.0/directory/deletedItems/{uuid(id)}/restore") for id in deleted]
            requests += [("delete", "DELETE", f"/v1.0/users/{uuid(id)}") for id in active]
            for label, method, path in requests:
                time.sleep(0.3)  # let the server's own upkeep settle first
                before = len(frames(f"{data}/roster.db-wal"))
                send(base, token, method, path)
                time.sleep(0.3)
                added = frames(f"{data}/roster.db-wal")[before:]
                counts = collections.Counter(owner.get(page, "a page new since the copy") for page in added)
                print(f"{label}: {len(added)} frames: " + ", ".join(f"{name} {n}" for name, n in counts.most_common()))
        finally:
            server.terminate()
            server.wait()


def issue_token(binary, data):
    out = subprocess.check_output(
        [binary, "token", "issue", "--data-dir", data, "--role", "Global Administrator"], text=True,
        stderr=subprocess.DEVNULL)
    return out.strip().split()[-1]


def read_database(path, each):
    """Checkpoints the log away, then maps every page to its b-tree and picks users."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    owner = dict((page, name) for name, page in connection.execute("SELECT name, pageno FROM dbstat"))
    deleted = [row[0] for row in connection.execute(
        "SELECT lower(hex(id)) FROM users WHERE deleted_at IS NOT NULL LIMIT ?", (each,))]
    active = [row[0] for row in connection.execute(
        "SELECT lower(hex(id)) FROM users WHERE deleted_at IS NULL LIMIT ? OFFSET 100", (each,))]
    connection.close()
    return owner, deleted, active


def frames(wal):
    """The page number of every frame in the log, in order."""
    with open(wal, "rb") as f:
        log = f.read()
    pages, offset = [], WAL_HEADER
    while offset + FRAME_HEADER + PAGE <= len(log):
        pages.append(struct.unpack(">I", log[offset:offset + 4])[0])
        offset += FRAME_HEADER + PAGE
    return pages


def uuid(hex_id):
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


def wait_for(base):
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/health")
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer /health")


def send(base, token, method, path):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = b"{}" if method == "POST" else None
    urllib.request.urlopen(urllib.request.Request(base + path, method=method, headers=headers, data=body)).read()


if __name__ == "__main__":
    main()
