"""Backup, restore and retention on a database of realistic size: prints times and sizes.

    python bench/bench_backup.py [--letters 20000]

Scores 200 sample letters through the letters service, copies their rows (letters, versions
with their search index, results, findings) up to --letters, then times `backup`, `restore`
into a new file and `purge` of half the letters by the retention settings (with the scrub).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from live_server import make_user, sample_payloads  # noqa: E402
from vcl_qa.db import open_db  # noqa: E402
from vcl_qa.db.users import user_by_name  # noqa: E402
from vcl_qa.letters import service  # noqa: E402
from vcl_qa.ops import backup, retention  # noqa: E402

BASE = 200


def columns(db, table: str) -> list[str]:
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")').fetchall()]


def grow(db, copies: int) -> None:
    """Copy the first BASE letters' rows `copies` times, keeping every link."""
    top = {t: db.execute(f"SELECT max(id) FROM {t}").fetchone()[0] for t in ("letters", "versions", "results", "findings")}
    shifts = {"letters": {"id": "letters"}, "versions": {"id": "versions", "letter_id": "letters"},
              "results": {"id": "results", "letter_id": "letters", "version_id": "versions"},
              "findings": {"id": "findings", "letter_id": "letters", "result_id": "results"}}
    for k in range(1, copies + 1):
        with db.conn:
            for table, shift in shifts.items():
                cols = columns(db, table)
                select = ", ".join(f'"{c}" + {k * top[shift[c]]}' if c in shift else f'"{c}"' for c in cols)
                names = ", ".join(f'"{c}"' for c in cols)
                db.execute(f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" WHERE id <= ?',
                           [top[table]])


def timed(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label:<46} {time.perf_counter() - start:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db_path = tmp / "live.db"
        make_user(db_path, "writer", "staff", "north")
        db = open_db(db_path)
        writer = user_by_name(db, "writer")
        payloads = sample_payloads()
        for i in range(BASE):
            body = payloads[i % len(payloads)]
            service.submit(db, writer, body["text"] + f"\nLetter {i}.\n", body["context"], team="north")
        timed(f"grow to {args.letters:,} letters (set-up)", lambda: grow(db, args.letters // BASE - 1))
        half = args.letters // 2
        db.execute("UPDATE letters SET created_at = '2020-01-01T00:00:00+00:00' WHERE id <= ?", [half])
        db.conn.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db_path.stat().st_size
        print(f"{'database size':<46} {size / 2**20:7.1f} MB")
        manifest = timed("vcl-qa backup (copy, integrity check, manifest)", lambda: backup.backup(db_path, tmp / "b.db"))
        print(f"{'backup size':<46} {manifest['bytes'] / 2**20:7.1f} MB")
        timed("vcl-qa restore into a new file (checks first)", lambda: backup.restore(tmp / "b.db", tmp / "r.db"))
        keep = retention.Retention(letters_days=365, audit_days=None)
        report = timed(f"vcl-qa purge: {half:,} letters, then the scrub",
                       lambda: retention.apply(db, keep, today=dt.date.today()))
        assert report["letters"] == half
        db.close()


if __name__ == "__main__":
    main()
