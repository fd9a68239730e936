"""`vcl-qa export` gave a draft with no letter date its score from the day it was saved (99,
good, no "Letter late"), where its page, the letters list, the dashboard and the API judge it as
if it goes out today (77, needs work, "Letter late"): an export's average differed from the
dashboard's (an audit of every figure against a hand count). The export now judges it as they
do, and says so in `score_note`; its findings export lists the findings of that judgement. Real
SQLite file, the real command."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner

from vcl_qa import clock
from vcl_qa.cli import main
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.engine.workdays import due_date
from vcl_qa.letters import service

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case. The witness who saw the attack has moved abroad and we could not reach her.\n\n"
        "Yours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")


def test_an_undated_draft_is_exported_as_judged_today(tmp_path, monkeypatch):
    path = tmp_path / "vcl_qa.db"
    today = clock.today()
    yesterday = today - dt.timedelta(days=1)
    # enhanced rights: due the next working day; a decision whose letter was due yesterday, so
    # that the draft saved yesterday was on time then and is late today
    decided = next((d for d in (yesterday - dt.timedelta(days=k) for k in range(1, 12))
                    if due_date(d, "enhanced", None) == yesterday), None)
    if decided is None:
        pytest.skip("yesterday was not a working day: no letter could be due on it")
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "sam", "staff", "north")[0]
    ctx = {"decision": "discontinued", "decision_date": decided.isoformat(), "victim_category": "enhanced"}
    monkeypatch.setenv(clock.OFFSET_ENV, "-86400")  # the machine's time a day ago: yesterday's date
    assert clock.today() == yesterday
    draft = service.submit(db, staff, TEXT, ctx, team="north")["id"]  # saved yesterday, its due date: on time then
    dated = service.submit(db, staff, TEXT, {**ctx, "letter_date": yesterday.isoformat()}, team="north")["id"]
    monkeypatch.undo()
    today_result = service.judged_on(db, draft, today)
    saved = db.execute("SELECT score, verdict FROM letters WHERE id = ?", [draft]).fetchone()
    db.close()
    assert "timeliness.late" in {f["rule"] for f in today_result["findings"]}  # the set-up: late by today
    assert today_result["score"] < saved[0]

    env = {"VCL_QA_DB": str(path)}
    out = CliRunner().invoke(main, ["export"], env=env, catch_exceptions=False)
    rows = {int(r["letter_id"]): r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert (int(rows[draft]["score"]), rows[draft]["verdict"]) == (today_result["score"], today_result["verdict"])
    assert rows[draft]["score_note"] == (f"an undated draft, judged as if sent today ({today.isoformat()}); "
                                         f"scored {saved[0]} ({saved[1]}) when saved ({yesterday.isoformat()})")
    errors = sum(1 for f in today_result["findings"] if f["severity"] == "error" and not f["suppressed"])
    assert int(rows[draft]["errors"]) == errors
    # a letter with its own date keeps its stored result, with no note
    assert rows[dated]["score_note"] == ""
    found = CliRunner().invoke(main, ["export", "--format", "jsonl", "--what", "findings"], env=env,
                               catch_exceptions=False)
    rules = {json.loads(line)["rule"] for line in found.stdout.splitlines() if json.loads(line)["letter_id"] == draft}
    assert "timeliness.late" in rules
