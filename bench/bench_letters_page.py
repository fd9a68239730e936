"""The letters list at the size of years of letters: how long one page of /letters (and GET
/api/v1/letters, the same query) takes to find its rows and counts, with and without filters.

Writes LETTERS letters (default 100,000: several years of an area's letters, ten teams) straight
into a fresh SQLite file (no scoring: the list reads the stored score and verdict), each with
one version whose text the full-text search reads, then times `letters.service.letters_page` as
the page calls it: the newest page, an older page by place, each filter, a search. Each figure
is the median of 5 calls, in milliseconds. Prints numbers; asserts nothing.

    python bench/bench_letters_page.py [LETTERS]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import statistics
from contextlib import contextmanager
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vcl_qa.db import migrate, open_db  # noqa: E402
from vcl_qa.letters import service  # noqa: E402

DECISIONS = ("discontinued", "no_evidence_offered", "charge_altered", "not_charged", "left_on_file")
VERDICTS = ("good", "needs_work", "poor")
WORDS = ("review decision evidence witness statement court hearing prosecutor police victim support "
         "charge assault burglary theft damage meeting telephone letter family address Leeds Bradford "
         "Harrogate York Wakefield Halifax Huddersfield Keighley").split()


def build(db, n: int, rng: random.Random) -> None:
    start = dt.date(2022, 1, 3)
    letters, versions = [], []
    for i in range(1, n + 1):
        day = start + dt.timedelta(days=i * 1400 // n)
        sent = rng.random() < 0.9
        undated = not sent and rng.random() < 0.5  # a draft with no letter date yet
        letter_date = None if undated else (day + dt.timedelta(days=rng.randint(0, 9))).isoformat()
        stamp = f"{day.isoformat()}T10:00:00Z"
        letters.append((i, f"team-{rng.randint(1, 10):02d}", "sent" if sent else "draft",
                        letter_date if sent else None, rng.choice(DECISIONS), day.isoformat(), letter_date,
                        f"42AB{i:07d}", rng.randint(30, 100), rng.choice(VERDICTS), stamp, stamp))
        text = "Dear Ms Okafor\n\n" + " ".join(rng.choice(WORDS) for _ in range(60)) + f" case {i}."
        versions.append((i, i, 1, text, hashlib.sha256(text.encode()).hexdigest(), json.dumps({}), stamp))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO letters (id, team, status, sent_date, decision, decision_date, letter_date, urn,"
            " score, verdict, created_at, updated_at, latest_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1)",
            letters)
        db.conn.executemany(
            "INSERT INTO versions (id, letter_id, version, text, text_hash, context, created_at)"
            " VALUES (?,?,?,?,?,?,?)", versions)


def median_ms(fn, runs: int = 5) -> float:
    """The median time of `runs` calls of fn, in milliseconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


@contextmanager
def written(n: int, write=None):
    """A fresh database in a temporary folder with `n` letters written by `write(db, n, rng)`
    (this bench's `build` unless given), and the seconds the writing took."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        migrate(db)
        t = time.perf_counter()
        (write or build)(db, n, random.Random(7))
        yield db, time.perf_counter() - t


def main(n: int) -> None:
    with written(n) as (db, seconds):
        print(f"{n:,} letters written in {seconds:.1f} s")
        older_than = n // 2
        cases = [
            ("newest page, every team (a manager)", {}),
            ("newest page, one team (staff)", {"team": "team-03"}),
            ("an older page, one team (before_id)", {"team": "team-03", "before_id": older_than}),
            ("a newer page, one team (after_id)", {"team": "team-03", "after_id": older_than}),
            ("one decision", {"decision": "charge_altered"}),
            ("one verdict", {"verdict": "poor"}),
            ("a month's letters", {"date_from": dt.date(2024, 3, 1), "date_to": dt.date(2024, 3, 31)}),
            ("team, decision and verdict", {"team": "team-03", "decision": "not_charged", "verdict": "good"}),
            ("search, a common word", {"q": "witness"}),
            ("search, two words in most letters", {"q": "Keighley Halifax"}),
            ("search, one letter's own words", {"q": f"case {n // 3}"}),
        ]
        print(f"{'one page of 25 (median of 5):':<44}{'ms':>8}{'letters found':>16}")
        for label, filters in cases:
            got = service.letters_page(db, limit=25, **filters)
            ms = median_ms(lambda: service.letters_page(db, limit=25, **filters))
            print(f"  {label:<42}{ms:8.1f}{got['count']:>16,}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
