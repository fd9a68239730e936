"""Undated drafts judged as if sent today: the letters list with a result filter over 150 hostile
drafts of about 199 KB (3,300 lines each with three findings: 9,911 findings, a 5.4 MB result),
saved undated a month ago, on a fresh day. An attacker's review found the first list of the day
taking 77 s (every draft scored again in full, in every worker and after every restart).

Each measurement is a fresh process (a server worker started again), the service's clock set to
the day measured (VCL_QA_CLOCK_OFFSET): the first call of that day, then the same call again,
then one draft's whole result (its page, GET /letters/{id}).
Day 1 (today) is the first day the drafts are judged at all; day 2 (tomorrow: the clock set a
day on, as far as it may be) is the next, in another process.

    python bench/bench_undated_drafts.py [--drafts 150] [--code PATH] [--db FILE]

`--code`: the checkout whose code is measured (another worktree, to compare with an older
version); the database is built once (with this checkout's code) and copied for each run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = "Please note u must attend the court in relation to the case."
LINES = 3_300
SAVED_DAYS_AGO = 30


def hostile(k: int) -> str:
    return (f"Dear Ms Okafor\n\nPlease note u must attend the court in relation to case {k}.\n"
            + "\n".join([LINE] * (LINES - 1)) + "\n\nYours sincerely\n\nSam Staff\n")


def build(db_path: Path, drafts: int) -> None:
    """`drafts` undated drafts saved SAVED_DAYS_AGO days ago by one staff member."""
    os.environ["VCL_QA_DAILY_STORAGE_MB"] = "100000"  # (one account saving them all in a day)
    sys.path.insert(0, str(ROOT))
    from vcl_qa import clock
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import add_user
    from vcl_qa.letters import service

    saved = clock.today() - dt.timedelta(days=SAVED_DAYS_AGO)
    clock.today = lambda: saved
    db = open_db(db_path)
    migrate(db)
    staff = add_user(db, "sam", "staff", "north")[0]
    context = {"decision": "discontinued", "decision_date": (saved - dt.timedelta(days=1)).isoformat(),
               "victim_category": "enhanced"}
    start = time.monotonic()
    for k in range(drafts):
        text = hostile(k)
        assert len(text.encode()) <= 200 * 1024
        service.submit(db, staff, text, context, team="north")
    print(f"built: {drafts} drafts of {len(hostile(0).encode()):,} bytes in {time.monotonic() - start:.0f} s")


MEASURE = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from vcl_qa.db import open_db
from vcl_qa.letters import service
from vcl_qa.engine.run import settle
settle()  # (the engine loaded before the clock starts, as in a server worker)
db = open_db(sys.argv[2])
times, counts = [], []
for _ in range(2):
    start = time.monotonic()
    rows, count = service.list_letters(db, team="north", verdict="poor", limit=50)
    times.append(time.monotonic() - start)
    counts.append(count)
start = time.monotonic()  # one draft's whole result, as its page and GET /letters/{id} give it
from vcl_qa import clock
page = service.judged_on(db, rows[0]["id"], clock.today())
page_s = time.monotonic() - start
rss = int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
print(json.dumps({"first": times[0], "second": times[1], "count": counts, "page": page_s,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_mb": rss}))
"""


def measure(code: Path, db_path: Path, days_on: int) -> dict:
    env = {**os.environ, "VCL_QA_CLOCK_OFFSET": str(days_on * 86_400), "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, "-c", MEASURE, str(code), str(db_path)], env=env, cwd=code,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=150)
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--db", type=Path, help="the database built before (built when missing)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vcl-drafts-"))
    built = args.db or tmp / "built.db"
    if not built.exists():
        subprocess.run([sys.executable, __file__, "--build", str(built), str(args.drafts)], check=True)
    db_path = tmp / "measured.db"
    shutil.copy(built, db_path)
    print(f"code: {args.code}")
    print(f"{'day':<6} {'first call s':>12} {'second s':>9} {'listed':>7} {'a page s':>9} {'peak MB':>8} {'RSS MB':>7}")
    for day in (1, 2):
        m = measure(args.code.resolve(), db_path, day - 1)
        print(f"{day:<6} {m['first']:>12.2f} {m['second']:>9.2f} {m['count'][0]:>7} {m['page']:>9.2f}"
              f" {m['peak_mb']:>8.0f} {m['rss_mb']:>7.0f}")
    print(f"database: {db_path.stat().st_size / 2**20:.0f} MB")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--build":
        build(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
