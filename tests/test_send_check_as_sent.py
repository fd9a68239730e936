"""The check before "Mark as sent" judges the letter as it will go out on the day chosen (review
11a, finding 2): scored for that day as marking it sent then stores it, it lists the must-fix
problems that day brings (a late letter: timeliness.late, and the delay apology when it has
none) and asks for the "I confirm" tick, and it never says "No must-fix problems" beside "2
working days late". A tick given for the problems of another day is asked for again, with the
new ones listed. The API's mark-sent reports the same problems (`must_fix_left`). Against the
real server and SQLite file; "today" is the UK's (vcl_qa.clock), and a draft "saved on an
earlier day" is saved by the service with only its clock set back."""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

from vcl_qa import Letter, clock
from vcl_qa.engine.dates import long_date

from live_server import SAMPLES, form_token, page_words, site_fixtures

TODAY = clock.today()
DECIDED = TODAY - dt.timedelta(days=30)  # enhanced rights: due the next working day, long past
SAMPLE = Letter.from_file(SAMPLES / "01_good_discontinued_assault_standard.txt")


def context(**changes) -> dict:
    ctx = SAMPLE.context.model_dump(mode="json", exclude_none=True)
    ctx.update(decision_date=DECIDED.isoformat(), letter_date=DECIDED.isoformat(), victim_category="enhanced")
    ctx.update(changes)
    return {k: v for k, v in ctx.items() if v is not None}


server, api, web = site_fixtures("sendcheck", {"sam": ("Sam Staff", "staff", "north")}, "sam")


squash = page_words


csrf = form_token


def seen_of(page: str) -> str:
    return re.search(r'name="seen" value="([^"]*)"', page).group(1)


def must_fix_listed(page: str) -> str:
    block = re.search(r'id="must-fix-left">(.*?)</div>', page, re.S)
    return squash(block.group(1)) if block else ""


def dated_draft(api) -> int:
    """A draft dated the day of the decision: on time on its own date, nothing to fix."""
    r = api.post("/letters", json={"text": SAMPLE.text, "context": context()})
    assert r.status_code == 201, r.text
    assert not [f for f in r.json()["result"]["findings"] if f["severity"] == "error"]
    return r.json()["id"]


def draft_saved_on(server, monkeypatch, day: dt.date, **changes) -> int:
    """A draft saved by Sam through the service on `day` (only the clock set back)."""
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    monkeypatch.setattr(clock, "today", lambda: day)
    db = open_db(server.db)
    try:
        out = service.submit(db, user_by_name(db, "Sam Staff"), SAMPLE.text, context(**changes), team="north")
    finally:
        db.close()
        monkeypatch.undo()
    return out["id"]


def status_of(server, letter_id: int) -> tuple:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT status, sent_date FROM letters WHERE id = ?", [letter_id]).fetchone()


def audit_details(server, letter_id: int, action: str) -> list[dict]:
    with sqlite3.connect(server.db) as db:
        return [json.loads(d or "{}") for (d,) in db.execute(
            "SELECT detail FROM audit_log WHERE action = ? AND object_id = ?", [action, letter_id])]


def test_sent_today_a_letter_dated_long_ago_lists_late_and_needs_the_tick(api, web, server):
    letter_id = dated_draft(api)
    send = web.get(f"/letters/{letter_id}/send")
    assert send.status_code == 200
    # on its own date: on time, nothing to fix, no tick asked for
    assert squash(re.search(r'id="send-late">(.*?)</dd>', send.text, re.S).group(1)).strip().startswith("on time")
    assert "No must-fix problems are left in this version" in squash(send.text)
    assert 'name="confirm"' not in send.text
    # sent today instead, without the tick: refused, with the problems that day brings
    form = {"csrf_token": csrf(send.text), "seen": seen_of(send.text), "sent_date-day": str(TODAY.day),
            "sent_date-month": str(TODAY.month), "sent_date-year": str(TODAY.year)}
    r = web.post(f"/letters/{letter_id}/sent", data=form)
    assert r.status_code == 400
    page = squash(r.text)
    assert f"Sent on {long_date(TODAY)}, this letter has 2 must-fix problems. Tick the box" in page
    assert re.search(r"\d+ working days late", squash(re.search(r'id="send-late">(.*?)</dd>', r.text, re.S).group(1)))
    listed = must_fix_listed(r.text)
    assert "2 must-fix problems if it is sent on" in listed
    assert "late" in listed and "apolog" in listed.lower()
    assert "No must-fix problems" not in page  # never beside "late"
    assert sorted(seen_of(r.text).split()) == ["empathy.delay_apology", "timeliness.late"]
    assert status_of(server, letter_id) == ("draft", None)
    # the tick given on a page that did not list them (its own date's) is asked for again
    again = web.post(f"/letters/{letter_id}/sent", data={**form, "confirm": "yes"})
    assert again.status_code == 400 and "not all of them listed when you ticked the box" in squash(again.text)
    assert status_of(server, letter_id) == ("draft", None)
    # ticked where they were listed: sent, and the letter's result then has those very problems
    done = web.post(f"/letters/{letter_id}/sent", data={**form, "confirm": "yes", "seen": seen_of(r.text)})
    assert done.status_code == 303 and done.headers["location"].endswith("saved=sent")
    assert status_of(server, letter_id) == ("sent", TODAY.isoformat())
    result = api.get(f"/letters/{letter_id}").json()["result"]
    assert sorted(f["rule"] for f in result["findings"] if f["severity"] == "error" and not f["suppressed"]) == \
        ["empathy.delay_apology", "timeliness.late"]
    assert audit_details(server, letter_id, "letter.sent_confirmed") == [
        {"must_fix_left": 2, "rules": ["empathy.delay_apology", "timeliness.late"], "sent_date": TODAY.isoformat()}]


def test_an_undated_draft_saved_on_its_due_date_is_late_on_the_send_check_today(api, web, server, monkeypatch):
    """The review's letter 9: saved without a date on its due date, checked two days later."""
    due = dt.date.fromisoformat(api.post("/check", json={"text": SAMPLE.text, "context": context()})
                                .json()["metrics"]["due_date"])
    letter_id = draft_saved_on(server, monkeypatch, due, letter_date=None)
    send = web.get(f"/letters/{letter_id}/send")
    late = squash(re.search(r'id="send-late">(.*?)</dd>', send.text, re.S).group(1))
    assert "working days late" in late
    assert "No must-fix problems" not in squash(send.text)
    listed = must_fix_listed(send.text)
    assert f"2 must-fix problems if it is sent on {long_date(TODAY, TODAY)}" in listed
    assert 'name="confirm"' in send.text
    r = web.post(f"/letters/{letter_id}/sent", data={"csrf_token": csrf(send.text), "seen": seen_of(send.text)})
    assert r.status_code == 400 and "Tick the box" in r.text
    assert status_of(server, letter_id) == ("draft", None)


def test_the_api_reports_the_must_fix_problems_it_was_sent_with(api, server):
    letter_id = dated_draft(api)
    r = api.post(f"/letters/{letter_id}/sent", json={"sent_date": TODAY.isoformat()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(f["rule"] for f in body["must_fix_left"]) == ["empathy.delay_apology", "timeliness.late"]
    assert all(f["message"] for f in body["must_fix_left"])
    assert sorted(f["rule"] for f in body["result"]["findings"] if f["severity"] == "error") == \
        ["empathy.delay_apology", "timeliness.late"]
    assert audit_details(server, letter_id, "letter.sent_with_must_fix") == [
        {"must_fix_left": 2, "rules": ["empathy.delay_apology", "timeliness.late"]}]
    # on its own date (a month before it was saved here: why is asked for): nothing left
    other = dated_draft(api)
    said_why = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}
    assert api.post(f"/letters/{other}/sent", json=said_why).json()["must_fix_left"] == []
