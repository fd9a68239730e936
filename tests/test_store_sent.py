"""Marking a letter sent judges its timeliness on the day it went out."""
import datetime as dt

import pytest

from vcl_qa.errors import LetterError
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import service
from vcl_qa.letters import store as letters
from vcl_qa.db.users import add_user

TEXT = ("Dear Ms Okafor\n\nI am writing to tell you that we have decided to stop the case against "
        "Mr Lane. I know this is hard news.\n\nYours sincerely\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor"}


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "sent.db")
    migrate(database)
    yield database
    database.close()


def rules(result):
    return {f["rule"] for f in result["findings"]}


def test_sent_late_is_scored_late(db):
    user = add_user(db, "sam", "staff", "north")[0]
    r = service.submit(db, user, TEXT, CONTEXT, team="north")
    assert "timeliness.late" not in rules(r["result"])
    service.mark_sent(db, user, r["id"], dt.date(2024, 12, 23),
                      before_saved_reason="posted first, saved here afterwards to record it")
    latest = letters.latest_result(db, r["id"])
    assert {"timeliness.late", "empathy.delay_apology"} <= rules(latest)
    assert latest["metrics"]["letter_date"] == "2024-12-23"
    count = db.execute("SELECT count(*) FROM results WHERE letter_id = ?", [r["id"]]).fetchone()[0]
    assert count == 2  # the draft's result is kept beside the new one


def test_sent_on_its_letter_date_is_not_scored_again(db):
    user = add_user(db, "sam", "staff", "north")[0]
    r = service.submit(db, user, TEXT, CONTEXT, team="north")
    service.mark_sent(db, user, r["id"], dt.date(2024, 12, 20),
                      before_saved_reason="posted first, saved here afterwards to record it")
    count = db.execute("SELECT count(*) FROM results WHERE letter_id = ?", [r["id"]]).fetchone()[0]
    assert count == 1


def test_cannot_be_sent_before_the_decision(db):
    user = add_user(db, "sam", "staff", "north")[0]
    r = service.submit(db, user, TEXT, CONTEXT, team="north")
    with pytest.raises(LetterError) as err:
        service.mark_sent(db, user, r["id"], dt.date(2024, 12, 18))
    assert err.value.field == "sent_date"
    status = db.execute("SELECT status FROM letters WHERE id = ?", [r["id"]]).fetchone()[0]
    assert status == "draft"
