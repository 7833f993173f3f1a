#!/usr/bin/env python3
"""The writes probe (BENCHMARKS.md): one `PATCH /v1.0/users/{id}` at a time to random
active users of a copy of a kept SQLite data directory, and the latency of each, to find
the slow ones and where in the sequence they fall.

  python3 scripts/probes/writes.py KEPT_DIR BINARY [BINARY ...] [--writes 6000] [--runs 2]

Each run copies KEPT_DIR, copies its log into the database file first (so every run starts
with an empty log), issues a Global Administrator token with `BINARY token issue`, starts
`BINARY serve` on a free loopback port and sends the writes over one keep-alive
connection. Binaries alternate run by run."""

import argparse
import contextlib
import http.client
import json
import random
import sqlite3
import time
import uuid

from served import copy_of, free_port, issue_token, serving


def run_once(kept, binary, writes):
    with copy_of(kept, "writes-probe-") as data:
        db = f"{data}/roster.db"
        with contextlib.closing(sqlite3.connect(db)) as connection, connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            ids = [str(uuid.UUID(bytes=row[0])) for row in
                   connection.execute("SELECT id FROM users WHERE deleted_at IS NULL LIMIT 50000")]
        token = issue_token(binary, data)
        port = free_port()
        with serving(binary, data, port):
            return latencies(port, token, ids, writes)


def latencies(port, token, ids, writes):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    took = []
    for n in range(writes):
        started = time.perf_counter()
        connection.request("PATCH", f"/v1.0/users/{random.choice(ids)}",
                           body=json.dumps({"jobTitle": f"Job {n}"}), headers=headers)
        response = connection.getresponse()
        response.read()
        took.append((time.perf_counter() - started) * 1e3)
        if response.status not in (200, 204):
            raise SystemExit(f"PATCH answered {response.status}")
    ranked = sorted(took)
    slowest = sorted(range(writes), key=lambda n: -took[n])[:8]
    return (f"median {ranked[writes // 2]:.2f} ms, p99 {ranked[int(writes * 0.99)]:.2f}, "
            f"p99.9 {ranked[int(writes * 0.999)]:.2f}, max {ranked[-1]:.1f}; slowest writes (number: ms) "
            + ", ".join(f"{n}: {took[n]:.1f}" for n in sorted(slowest)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept")
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--writes", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.runs):
        for binary in args.binaries:
            print(f"{time.strftime('%H:%M:%S')} {binary}: {run_once(args.kept, binary, args.writes)}", flush=True)


if __name__ == "__main__":
    main()
