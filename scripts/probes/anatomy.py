#!/usr/bin/env python3
"""Where a single restore's or delete's time goes inside the server (BENCHMARKS.md), from
the server's own log: run the bench with the access log and sqlx's statement log on,

  ROSTER_BENCH_LOG="warn,roster::access=debug,sqlx::query=debug" \\
    target/release/roster-bench --users 1000 --only lifecycle --backend sqlite
  python3 scripts/probes/anatomy.py /tmp/roster-bench-SQLite.log

and this splits every one-at-a-time request (one that began after the one before it was
answered) into: before its first statement (HTTP and middleware), the statements' own time
in SQLite (sqlx times each on its worker thread), the gaps between statements (the hand-over
to the worker thread and back, the Rust work between, and an unlogged `BEGIN`), and after
the last statement (the `COMMIT` with its log writes and sync, and the answer)."""

import argparse
import re
import statistics
from datetime import datetime

STATEMENT = re.compile(r'elapsed_secs=([0-9.e-]+)')
SUMMARY = re.compile(r'summary="([^"]{0,30})')
ANSWERED = re.compile(r'method=(\w+) path="([^"]+)" status=(\d+) ms=([0-9.]+)')
PARTS = ("total", "before", "statements", "gaps", "after")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log")
    args = parser.parse_args()
    with open(args.log) as f:
        requests = split(f.read().splitlines())
    for kind, found in requests.items():
        if found:
            report(kind, found)


def stamp(line):
    return datetime.strptime(line[:26], "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def split(lines):
    """Each one-at-a-time restore and delete, as its parts in seconds."""
    requests = {"restore": [], "delete": []}
    statements, previous_end = [], None
    for line in lines:
        if "sqlx::query" in line:
            statements.append((stamp(line), float(STATEMENT.search(line).group(1)), SUMMARY.search(line).group(1)))
            continue
        answered = ANSWERED.search(line) if "roster::access" in line else None
        if not answered:
            continue
        method, path, _, ms = answered.groups()
        end = stamp(line)
        start = end - float(ms) / 1000
        kind = "restore" if method == "POST" and path.endswith("/restore") else "delete" if method == "DELETE" else None
        if kind and statements and previous_end is not None and start > previous_end:
            requests[kind].append(parts(start, end, statements))
        statements, previous_end = [], end
    return requests


def parts(start, end, statements):
    first_start = statements[0][0] - statements[0][1]
    gaps = [(statements[i][0] - statements[i][1]) - statements[i - 1][0] for i in range(1, len(statements))]
    return {
        "total": end - start,
        "before": first_start - start,
        "statements": sum(s[1] for s in statements),
        "gaps": sum(gaps),
        "gap_each": sum(gaps) / max(len(gaps), 1),
        "after": end - statements[-1][0],
        "names": [s[2] for s in statements],
    }


def report(kind, found):
    names = found[0]["names"]
    print(f"{kind}: {len(found)} requests, {len(names)} logged statements ({'; '.join(names)})")
    for part in PARTS:
        print(f"  {part:10s} median {statistics.median(r[part] for r in found) * 1e3:.3f} ms")
    print(f"  each gap   median {statistics.median(r['gap_each'] for r in found) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
