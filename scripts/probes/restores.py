#!/usr/bin/env python3
"""Restores one deleted user at a time over HTTP (BENCHMARKS.md): on a copy of a kept SQLite
data directory, serves it with the given `roster` binary, prints the server's pid, waits
`--wait` seconds (time to attach a profiler: `perf record -p PID`), then restores up to
`--count` users of the bin one request at a time on one keep-alive connection and prints
the median and p99 as this client saw them.

  python3 scripts/probes/restores.py KEPT_DIR BINARY [--count 1000] [--wait 0]"""

import argparse
import http.client
import sqlite3
import time

from served import copy_of, free_port, issue_token, serving, uuid_text


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept")
    parser.add_argument("binary")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--wait", type=float, default=0.0)
    args = parser.parse_args()
    with copy_of(args.kept, "restores-") as data:
        token = issue_token(args.binary, data)
        connection = sqlite3.connect(f"{data}/roster.db")
        ids = [uuid_text(row[0]) for row in connection.execute(
            "SELECT hex(id) FROM users WHERE deleted_at IS NOT NULL LIMIT ?", (args.count,))]
        connection.close()
        port = free_port()
        with serving(args.binary, data, port, "--purge-interval", "3600s") as server:
            print("server pid", server.pid, flush=True)
            time.sleep(args.wait)
            report(restore_each(port, token, ids))


def restore_each(port, token, ids):
    client = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    took = []
    for id in ids:
        started = time.perf_counter()
        client.request("POST", f"/v1.0/directory/deletedItems/{id}/restore", body=b"{}", headers=headers)
        response = client.getresponse()
        response.read()
        took.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"restore answered {response.status}")
    return took


def report(took):
    took.sort()
    median, p99 = took[len(took) // 2], took[min(int(len(took) * 0.99), len(took) - 1)]
    print(f"{len(took)} restores one at a time: median {median * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
