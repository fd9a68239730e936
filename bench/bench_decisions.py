"""Decisions register speed: CSV import, statuses, digest and report for a large register.

Usage: python bench/bench_decisions.py [DECISIONS]   (default 20,000; half have a sent letter)
Letters are written straight into the letters table (no scoring): this measures the register.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from vcl_qa.decisions import register as decisions
from vcl_qa.db import migrate, open_db
from vcl_qa.db.connection import now

DECISIONS = ("discontinued", "no_evidence_offered", "charge_altered", "not_charged", "left_on_file")


def timed(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return out


def main(n: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        migrate(db)
        csv_path = Path(tmp) / "register.csv"
        first = dt.date(2022, 1, 1)
        rows = []
        with csv_path.open("w", encoding="utf-8") as fh:
            fh.write("urn,decision,decision_date,victim_category,team,victim_name\n")
            for i in range(n):
                day = first + dt.timedelta(days=rng.randrange(1460))
                row = (f"{i:011d}", rng.choice(DECISIONS), day.isoformat(),
                       rng.choice(("enhanced", "standard")), f"team{i % 12}", "Ms Example")
                rows.append(row)
                fh.write(",".join(row) + "\n")
        report = timed(f"import-decisions ({n:,} rows)", lambda: decisions.import_csv(db, csv_path))
        assert report.created == n, report
        timed("import-decisions again (all unchanged)", lambda: decisions.import_csv(db, csv_path))
        stamp = now()
        letters = []
        for urn, kind, day, _cat, team, _name in rows[: n // 2]:
            sent = (dt.date.fromisoformat(day) + dt.timedelta(days=rng.randrange(1, 12))).isoformat()
            letters.append((team, "sent", sent, urn, kind, day, sent, stamp, stamp))
        db.conn.executemany(
            "INSERT INTO letters (team, status, sent_date, urn, decision, decision_date, letter_date,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", letters)
        db.conn.commit()
        today = dt.date(2026, 1, 12)
        reg = timed("register: every status (all teams)", lambda: decisions.register(db, today=today))
        assert len(reg) == n
        timed("register: one team, overdue only", lambda: decisions.register(db, today=today, team="team3",
                                                                             status="overdue"))
        timed("digest (all teams)", lambda: decisions.digest(db, today=today))
        rep = timed("timeliness report (all months and teams)", lambda: decisions.timeliness_report(db, today=today))
        statuses = Counter(r["status"] for r in reg)
        print(f"report rows: {len(rep)}; statuses: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
        db.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
