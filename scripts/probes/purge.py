#!/usr/bin/env python3
"""The purge-only probe (BENCHMARKS.md): times the purge job of `roster serve` on a copy
of a kept SQLite data directory, without API load.

  roster-bench --users 100000 --only pages --backend sqlite --keep   # prints the kept dir
  python3 scripts/probes/purge.py KEPT_DIR BINARY [BINARY ...] [--runs N]

Each run copies KEPT_DIR, shortens the retention to one hour (which expires the bench's
whole bin, deleted two hours before it was seeded), starts `BINARY serve --purge-interval
1s` with the purge job's debug log, waits until the bin is empty (and the entries the
purge left in the bin's table are forgotten) and stops the server.
Binaries alternate run by run, because the host's speed drifts. It prints the wall time
from the first batch's start to the last one's end, split into time inside the batches
and between them, and the longest gaps."""

import argparse
import contextlib
import os
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time

from served import copy_of, serving

BATCH = re.compile(r"T(\d+):(\d+):([\d.]+)\S* .*purge batch batch=(\d+) micros=(\d+)")
FORGET = re.compile(r"T(\d+):(\d+):([\d.]+)\S* .*purge leftovers forgotten removed=(\d+) micros=(\d+)")


def bin_size(db):
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as connection, connection:
        return connection.execute("SELECT users FROM recycle_bin_size").fetchone()[0]


def left_behind(db):
    """Entries of purged users still in the bin's table (migration 0013; 0 before it)."""
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as connection, connection:
        try:
            return connection.execute("SELECT left_behind FROM recycle_bin_purge").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def run_once(kept, binary, log_path):
    with copy_of(kept, "purge-probe-") as data:
        db = os.path.join(data, "roster.db")
        with contextlib.closing(sqlite3.connect(db)) as connection, connection:
            connection.execute("UPDATE tenant SET retention_seconds = 3600")
        env = dict(os.environ, RUST_LOG="warn,directory::recycle_bin::purge=debug")
        with open(log_path, "w") as log, serving(binary, data, 0, "--purge-interval", "1s", wait=False,
                                                 stdout=log, stderr=subprocess.STDOUT, env=env):
            while bin_size(db) > 0 or left_behind(db) > 0:
                time.sleep(0.5)
    return summary(log_path)


def summary(log_path):
    batches = []
    for line in open(log_path):
        match = BATCH.search(line)
        if match:
            h, m, s, users, micros = match.groups()
            batches.append((int(h) * 3600 + int(m) * 60 + float(s), int(users), int(micros) / 1e6))
    if len(batches) < 2:
        return f"{len(batches)} purge batches logged: too few to split the time"
    ends = [end for end, _, _ in batches]
    inside = sum(took for _, _, took in batches)
    wall = ends[-1] - (ends[0] - batches[0][2])
    gaps = sorted((ends[i] - ends[i - 1] - batches[i][2]) * 1e3 for i in range(1, len(batches)))
    users = sum(n for _, n, _ in batches)
    forgets = [match.groups() for match in map(FORGET.search, open(log_path)) if match]
    forgotten = ""
    if forgets:
        h, m, s, _, _ = forgets[-1]
        end = int(h) * 3600 + int(m) * 60 + float(s)
        removed = sum(int(f[3]) for f in forgets)
        took = sum(int(f[4]) for f in forgets) / 1e6
        forgotten = (f"; then {removed} entries left behind forgotten in {len(forgets)} transactions, "
                     f"{took:.2f} s, the last {end - ends[-1]:.2f} s after the last batch")
    return (f"{users} users in {len(batches)} batches: {wall:.2f} s, {inside:.2f} s inside the batches "
            f"and {wall - inside:.2f} s between them; gaps median {statistics.median(gaps):.2f} ms, "
            f"longest {', '.join(f'{g:.1f}' for g in gaps[-3:])} ms{forgotten}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept")
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--runs", type=int, default=2, help="runs of each binary (default 2)")
    args = parser.parse_args()
    for run in range(args.runs):
        for n, binary in enumerate(args.binaries):
            log_path = os.path.join(tempfile.gettempdir(), f"purge-probe-{n}.log")
            print(f"{time.strftime('%H:%M:%S')} {binary}: {run_once(args.kept, binary, log_path)}", flush=True)


if __name__ == "__main__":
    main()
