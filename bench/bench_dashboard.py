"""The managers' dashboard at the size of years of letters: how long its figures take to work out.

Writes LETTERS letters (default 50,000, ten teams, over four years) straight into a fresh SQLite
file, each sent, with a version and a stored result whose figures (metrics) and findings are
those of a sample letter scored for real (the samples in turn, their dates moved to the
letter's), then times what the dashboard page works out (`vcl_qa.reports.dashboard`): the
letters in scope (all of them, one team, one year), the months, the score bands, the problems
found, the summary. Each figure is the median of 3 calls, in milliseconds. Prints numbers;
asserts nothing.

    python bench/bench_dashboard.py [LETTERS]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vcl_qa import Letter  # noqa: E402
from vcl_qa.engine.run import score_letter  # noqa: E402
from vcl_qa.reports import dashboard  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_letters_page import median_ms, written  # noqa: E402


def samples() -> list[tuple[dict, list]]:
    """Each sample letter's stored figures and findings, scored for real."""
    out = []
    for path in sorted((ROOT / "sample_letters").glob("*.txt")):
        result = score_letter(Letter.from_file(path))
        out.append((result.model_dump(), [f.model_dump() for f in result.findings]))
    return out


def build(db, n: int, rng: random.Random) -> None:
    scored = samples()
    start = dt.date(2022, 1, 3)
    letters, versions, results, findings = [], [], [], []
    fid = 0
    for i in range(1, n + 1):
        day = start + dt.timedelta(days=i * 1400 // n)
        sent = (day + dt.timedelta(days=rng.randint(0, 9))).isoformat()
        stamp = f"{day.isoformat()}T10:00:00Z"
        result, found = scored[i % len(scored)]
        metrics = {**result["metrics"], "letter_date": sent, "decision_date": day.isoformat()}
        letters.append((i, f"team-{rng.randint(1, 10):02d}", "sent", sent, day.isoformat(), sent,
                        f"42AB{i:07d}", result["score"], result["verdict"], result["rules_version"], stamp, stamp))
        text = f"Letter {i}."
        versions.append((i, i, 1, text, hashlib.sha256(text.encode()).hexdigest(),
                         json.dumps({"letter_date": sent}), stamp))
        results.append((i, i, i, result["rules_version"], result["score"], result["verdict"],
                        json.dumps(result["dimensions"]), json.dumps(metrics, default=str), "{}", stamp))
        for f in found:
            fid += 1
            findings.append((fid, i, i, f["rule"], f["dimension"], f["severity"], int(f["suppressed"])))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO letters (id, team, status, sent_date, decision_date, letter_date, urn, score, verdict,"
            " rules_version, created_at, updated_at, latest_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1)", letters)
        db.conn.executemany(
            "INSERT INTO versions (id, letter_id, version, text, text_hash, context, created_at)"
            " VALUES (?,?,?,?,?,?,?)", versions)
        db.conn.executemany(
            "INSERT INTO results (id, letter_id, version_id, rules_version, score, verdict, dimensions, metrics,"
            " result, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)", results)
        db.conn.executemany(
            "INSERT INTO findings (id, result_id, letter_id, rule, dimension, severity, suppressed)"
            " VALUES (?,?,?,?,?,?,?)", findings)


def main(n: int) -> None:
    with written(n, build) as (db, seconds):
        count = db.execute("SELECT count(*) FROM findings").fetchone()[0]
        print(f"{n:,} letters and {count:,} findings written in {seconds:.1f} s")
        scopes = [("every letter (a manager, no dates)", {}),
                  ("one team", {"team": "team-03"}),
                  ("one year", {"date_from": dt.date(2024, 1, 1), "date_to": dt.date(2024, 12, 31)})]
        print(f"{'(median of 3)':<44}{'ms':>8}{'letters':>10}")
        for label, scope in scopes:
            rows = dashboard.letters_in_scope(db, **scope)
            print(f"{label}:")
            total = 0.0
            for part, fn in (("letters in scope", lambda: dashboard.letters_in_scope(db, **scope)),
                             ("months", lambda: dashboard.by_month(rows)),
                             ("score bands", lambda: dashboard.score_bands(rows)),
                             ("problems found", lambda: dashboard.problems_and_suggestions(db, rows)),
                             ("summary", lambda: dashboard.summary(rows))):
                ms = median_ms(fn, runs=3)
                total += ms
                print(f"  {part:<42}{ms:8.0f}{len(rows):>10,}")
            print(f"  {'all of these':<42}{total:8.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
