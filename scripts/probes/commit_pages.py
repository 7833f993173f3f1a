#!/usr/bin/env python3
"""Which b-trees one single restore and one single delete write (BENCHMARKS.md): on a copy
of a kept SQLite data directory, serves it with the given `roster` binary, sends one
request at a time over HTTP, and maps the write-ahead-log frames each request's commit
added to tables and indexes with SQLite's `dbstat`. Every frame is a page written (and
synced) at the commit, so this is the disk work a single operation costs.

  python3 scripts/probes/commit_pages.py KEPT_DIR BINARY [--each 2]"""

import argparse
import collections
import sqlite3
import time
import urllib.request

from served import copy_of, free_port, issue_token, serving, uuid_text, wal_pages


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept")
    parser.add_argument("binary")
    parser.add_argument("--each", type=int, default=2, help="restores, and then deletes, to send")
    args = parser.parse_args()
    with copy_of(args.kept, "commit-pages-") as data:
        token = issue_token(args.binary, data)
        owner, deleted, active = read_database(f"{data}/roster.db", args.each)
        port = free_port()
        with serving(args.binary, data, port, "--purge-interval", "3600s"):
            requests = [("restore", "POST", f"/v1.0/directory/deletedItems/{id}/restore") for id in deleted]
            requests += [("delete", "DELETE", f"/v1.0/users/{id}") for id in active]
            for label, method, path in requests:
                time.sleep(0.3)  # let the server's own upkeep settle first
                before = len(wal_pages(f"{data}/roster.db-wal"))
                send(f"http://127.0.0.1:{port}", token, method, path)
                time.sleep(0.3)
                added = wal_pages(f"{data}/roster.db-wal")[before:]
                counts = collections.Counter(owner.get(page, "a page new since the copy") for page in added)
                print(f"{label}: {len(added)} frames: " + ", ".join(f"{name} {n}" for name, n in counts.most_common()))


def read_database(path, each):
    """Checkpoints the log away, then maps every page to its b-tree and picks users."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    owner = dict((page, name) for name, page in connection.execute("SELECT name, pageno FROM dbstat"))
    deleted = [uuid_text(row[0]) for row in connection.execute(
        "SELECT hex(id) FROM users WHERE deleted_at IS NOT NULL LIMIT ?", (each,))]
    active = [uuid_text(row[0]) for row in connection.execute(
        "SELECT hex(id) FROM users WHERE deleted_at IS NULL LIMIT ? OFFSET 100", (each,))]
    connection.close()
    return owner, deleted, active


def send(base, token, method, path):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = b"{}" if method == "POST" else None
    urllib.request.urlopen(urllib.request.Request(base + path, method=method, headers=headers, data=body)).read()


if __name__ == "__main__":
    main()
