#!/usr/bin/env python3
"""Which b-trees one purge batch writes (BENCHMARKS.md): on a copy of a kept SQLite data
directory, deletes the first N users of the bin in the purge job's order (by id from the
bin's table since migration 0013, which the batch leaves alone; `rowid` before it) in one
transaction with foreign keys on, as the job's `DELETE` does, then maps
the write-ahead log's frames to tables and indexes with SQLite's `dbstat`.

  python3 scripts/probes/frames.py KEPT_DIR [--users 100]"""

import argparse
import collections
import sqlite3

from served import copy_of, wal_pages


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept")
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    with copy_of(args.kept, "purge-frames-") as data:
        db = f"{data}/roster.db"
        connection = sqlite3.connect(db, isolation_level=None)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        owner = dict((page, name) for name, page in connection.execute("SELECT name, pageno FROM dbstat"))
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        bin_table = connection.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'recycle_bin_purge'").fetchone()[0] == 1
        connection.execute("BEGIN IMMEDIATE")
        due = ("SELECT id FROM recycle_bin ORDER BY id LIMIT ?" if bin_table else
               "SELECT id FROM users WHERE deleted_at IS NOT NULL ORDER BY rowid LIMIT ?")
        ids = [row[0] for row in connection.execute(due, (args.users,))]
        if bin_table:  # as a purge batch does (migration 0013): the bin's entries stay
            connection.execute("UPDATE recycle_bin_purge SET purging = TRUE")
        connection.execute(f"DELETE FROM users WHERE id IN ({', '.join('?' * len(ids))})", ids)
        if bin_table:
            connection.execute("UPDATE recycle_bin_purge SET purging = FALSE")
        connection.execute("COMMIT")
        pages = wal_pages(f"{db}-wal")
        connection.close()
    counts = collections.Counter(owner.get(page, "(new or free page)") for page in pages)
    print(f"{len(ids)} users: {len(pages)} pages written")
    for name, count in counts.most_common():
        print(f"{count:6}  {name}")


if __name__ == "__main__":
    main()
