"""Decisions register speed: CSV import, statuses, digest and report for a large register.

Usage: python bench/bench_decisions.py [DECISIONS]   (default 20,000; half have a sent letter)
Letters are written straight into the letters table (no scoring): this measures the register.

Then one batch of 1,000 (the API's largest, POST /api/v1/decisions) into one team whose register
already holds 30,000 entries, as the case system's nightly feed would send it: the time the
write lock is held must not grow with the register (review 10b, finding 5: 100 s when each
record's look-up read the team's whole register).
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
from vcl_qa.decisions import store
from vcl_qa.db import migrate, open_db
from vcl_qa.db.connection import now
from vcl_qa.db.users import add_user

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
        for i in range(12):  # the register takes decisions for teams there are (a user each)
            add_user(db, f"writer {i}", "staff", f"team{i}")
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


def batch_into_large_register(entries: int = 30_000, batch: int = 1_000) -> None:
    """One team's register of `entries` (written straight into the table), then a batch of new
    records, the same batch again (all unchanged), and a batch updating entries already there."""
    from vcl_qa.letters.bulk import Actor

    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        migrate(db)
        stamp = now()
        db.conn.executemany(
            "INSERT INTO decisions (urn, decision, decision_date, victim_category, team, victim_name,"
            " urn_key, created_at, updated_at) VALUES (?, 'discontinued', '2025-03-10', 'standard', 'bulk',"
            " 'Mr Test', ?, ?, ?)",
            [(f"77ZZ{i:07d}", store.case_pseudonym(f"77ZZ{i:07d}"), stamp, stamp) for i in range(entries)])
        db.conn.commit()
        actor = Actor("bench")

        def records(start: int, **extra) -> list[dict]:
            return [{"urn": f"77ZZ{start + i:07d}", "decision": "discontinued", "decision_date": "2025-03-10",
                     "victim_category": "standard", "team": "bulk", "victim_name": f"Mr Test {i}", **extra}
                    for i in range(batch)]

        print(f"\none team's register of {entries:,} entries, a batch of {batch:,}:")
        new = timed("  new records", lambda: store.upsert_many(db, actor, records(entries)))
        assert {o for _, o in new} == {"created"}
        same = timed("  the same batch again (all unchanged)", lambda: store.upsert_many(db, actor, records(entries)))
        assert {o for _, o in same} == {"unchanged"}
        upd = timed("  updating entries already there", lambda: store.upsert_many(
            db, actor, records(0, letter_date="2025-03-12")))
        assert {o for _, o in upd} == {"updated"}
        db.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
    batch_into_large_register()
