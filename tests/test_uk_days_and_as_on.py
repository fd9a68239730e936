"""Leftovers of review 11a's fixes, against the real server, the real `vcl-qa` command and a real
SQLite file:

- the training pages and `vcl-qa status` said the UTC day of a stored time: an attempt, the
  oldest audit entry or the oldest undated draft, at 00:30 on 1 July UK summer time (23:30 on 30 June in UTC) was "30 June";
  it is the UK day now, as the other pages say it (vcl_qa.clock);
- the decisions page took an "as on" date after today and counted the register as on a day still
  to come (the API, the dashboard and `vcl-qa digest --today` refuse it): refused now, with the
  reason beside the field.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from vcl_qa import clock
from vcl_qa.engine.dates import long_date

from live_server import ROOT, LiveServer, page_words, signed_in_client

NIGHT = "2026-06-30T23:30:00+00:00"  # 00:30 on Wednesday 1 July 2026 in the UK


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import add_user
    from vcl_qa.training import exercises, service

    path = tmp_path_factory.mktemp("ukdays") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    staff, staff_token = add_user(db, "st2", "staff", "east")
    manager_token = add_user(db, "mgr", "manager")[1]
    service.attempt(db, staff, "khan-brother", exercises.built_in("khan-brother").letter)
    from vcl_qa import Letter
    from vcl_qa.letters import service as letters

    sample = Letter.from_file(ROOT / "sample_letters" / "01_good_discontinued_assault_standard.txt")
    ctx = {k: v for k, v in sample.context.model_dump(mode="json", exclude_none=True).items() if k != "letter_date"}
    letters.submit(db, staff, sample.text, ctx, team="east")  # a draft with no date of its own
    with db.conn:
        db.execute("UPDATE letters SET created_at = ?", [NIGHT])
        db.execute("UPDATE training_attempts SET created_at = ?", [NIGHT])
        db.execute("UPDATE audit_log SET at = ? WHERE id = (SELECT min(id) FROM audit_log)", [NIGHT])
    db.close()
    server = LiveServer(path).start()
    server.tokens = {"staff": staff_token, "manager": manager_token}
    yield server
    server.stop()


def test_training_progress_gives_the_uk_day_of_an_attempt(site):
    with signed_in_client(site.url, site.tokens["manager"]) as web:
        page = web.get("/training/progress")
    assert page.status_code == 200
    words = page_words(page.text)
    assert "Wednesday 1 July 2026" in words
    assert "Tuesday 30 June 2026" not in words


def test_status_gives_the_uk_day_of_the_oldest_audit_entry(site):
    out = subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", "status"], cwd=ROOT,
                         env={**os.environ, "VCL_QA_DB": str(site.db)}, capture_output=True, text=True, timeout=60)
    assert "the oldest from 1 July 2026" in out.stdout, out.stdout + out.stderr
    assert "Oldest letter still holding its text: 1 July 2026" in out.stdout


def as_on(day: dt.date) -> dict:
    return {"as_of-day": str(day.day), "as_of-month": str(day.month), "as_of-year": str(day.year)}


def test_the_decisions_page_refuses_an_as_on_date_after_today_beside_the_field(site):
    tomorrow = clock.today() + dt.timedelta(days=1)
    with signed_in_client(site.url, site.tokens["manager"]) as web:
        page = web.get("/decisions", params=as_on(tomorrow))
        assert page.status_code == 400
        words = page_words(page.text)
        said = (f"The 'as on' date: {long_date(tomorrow)} is after today ({long_date(clock.today())}, the date "
                "in the UK)")
        assert said in words
        assert "must be a real date between 2000 and 2099" not in words
        assert f"Counting {long_date(tomorrow)} as today" not in words
        # beside the field: the "as on" field's own error message, which its inputs point to
        error = re.search(r'<p class="error-message" id="as_of-error">(.*?)</p>', page.text, re.S)
        assert error and said in page_words(error.group(1)).replace("&#39;", "'")
        assert 'aria-describedby="as_of-hint as_of-error"' in page.text
        ok = web.get("/decisions", params=as_on(clock.today()))
        assert ok.status_code == 200
