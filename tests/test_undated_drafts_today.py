"""A draft saved without a letter date is judged as of today, not as of the day it was saved
(review 11a, finding 3). Saved on its due date it was on time; two working days later the letter
page, its score and findings and GET /letters/{id} say it is late if sent today and needs an
apology (worked out when asked, nothing stored; the page says "as of today" and what it scored
when saved), in step with the register, which counts the case overdue by the same working days.
Against the real server and SQLite file; the draft is saved by the service with only its clock
set back (vcl_qa.clock)."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from vcl_qa import Letter, clock
from vcl_qa.engine import workdays
from vcl_qa.engine.dates import long_date

from live_server import SAMPLES, page_words, site_fixtures

TODAY = clock.today()
SAMPLE = Letter.from_file(SAMPLES / "01_good_discontinued_assault_standard.txt")


def earlier_working_day(day: dt.date, n: int) -> dt.date:
    """The working day `n` working days before `day` (so that the due date is that many behind)."""
    out = day
    while workdays.working_days_between(out, day) < n:
        out -= dt.timedelta(days=1)
    return out


DUE = earlier_working_day(TODAY, 2)


server, api, web = site_fixtures("undated", {"sam": ("Sam Staff", "staff", "north")}, "sam")


squash = page_words


def decided_for(api, due: dt.date) -> dt.date:
    """A decision date whose enhanced-rights letter is due on `due` (the working day before it)."""
    day = due - dt.timedelta(days=1)
    while api.post("/check", json={"text": SAMPLE.text, "context": {
            "decision_date": day.isoformat(), "letter_date": day.isoformat(),
            "victim_category": "enhanced"}}).json()["metrics"]["due_date"] != due.isoformat():
        day -= dt.timedelta(days=1)
    return day


def draft_saved_on(server, monkeypatch, day: dt.date, ctx: dict) -> int:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    monkeypatch.setattr(clock, "today", lambda: day)
    db = open_db(server.db)
    try:
        out = service.submit(db, user_by_name(db, "Sam Staff"), SAMPLE.text, ctx, team="north")
    finally:
        db.close()
        monkeypatch.undo()
    return out["id"]


def results_stored(server, letter_id: int) -> int:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT count(*) FROM results WHERE letter_id = ?", [letter_id]).fetchone()[0]


@pytest.fixture
def undated(api, server, monkeypatch):
    """(letter id, urn): a draft without a letter date, saved on its due date two working days
    ago, for a case in the register."""
    decided = decided_for(api, DUE)
    ctx = SAMPLE.context.model_dump(mode="json", exclude_none=True)
    urn = ctx["urn"]  # the one the letter gives
    ctx.pop("letter_date")
    ctx.update(decision_date=decided.isoformat(), victim_category="enhanced")
    r = api.post("/decisions", json={"urn": urn, "decision": ctx["decision"], "decision_date": decided.isoformat(),
                                     "victim_category": "enhanced", "team": "north"})
    assert r.status_code in (200, 201), r.text
    letter_id = draft_saved_on(server, monkeypatch, DUE, ctx)
    return letter_id, urn


def test_the_letter_page_says_late_as_of_today_as_the_register_does(web, api, server, undated):
    letter_id, urn = undated
    entry = api.get("/decisions", params={"urn": urn}).json()["data"][0]
    assert entry["status"] == "overdue" and entry["working_days_late"] == 2
    page = web.get(f"/letters/{letter_id}")
    assert page.status_code == 200
    due = squash(re.search(r'id="due">(.*?)</p>', page.text, re.S).group(1))
    assert f"Due by {long_date(DUE, TODAY)}." in due
    assert f"2 working days late if sent today ({long_date(TODAY, TODAY)})." in due
    assert "letter's date" not in due  # a date the letter does not have
    note = squash(re.search(r'id="as-of-today">(.*?)</p>', page.text, re.S).group(1))
    assert f"checked as if it goes out today ({long_date(TODAY)})" in note
    assert f"When it was saved, checked for {long_date(DUE)}, it scored 99" in note
    score = int(re.search(r'id="score">(\d+)<', page.text).group(1))
    assert score < 99
    findings = squash(page.text[page.text.index('id="findings"'):])
    assert "late" in findings.lower() and "apolog" in findings.lower()
    # the letters list gives the score as of today too, as the page does, and what it scored
    # when saved (not for a dated draft, judged as of its own date wherever it is shown)
    assert api.post("/letters", json={"text": SAMPLE.text, "context": SAMPLE.context.model_dump(
        mode="json", exclude_none=True)}).status_code == 201
    listed = web.get("/letters").text
    row = squash(listed[listed.index(f'href="/letters/{letter_id}"'):].split("</tr>")[0])
    assert f"{score} if sent today (99 when saved on {long_date(DUE)})" in row
    assert listed.count("if sent today") == 1
    # and so does GET /letters
    data = api.get("/letters").json()["data"]
    mine = next(r for r in data if r["id"] == letter_id)
    assert (mine["score"], mine["rescored_for_today"], mine["saved_score"], mine["saved_on"]) == (
        score, True, 99, DUE.isoformat())
    assert [r["rescored_for_today"] for r in data].count(True) == 1
    # the register's page, the same day, says the same case is overdue by the same days
    register = squash(web.get("/decisions").text)
    assert "Overdue: not sent" in register and "2 working days overdue" in register


def test_the_api_gives_the_result_as_of_today_and_stores_nothing(api, server, undated):
    letter_id, _ = undated
    before = results_stored(server, letter_id)
    body = api.get(f"/letters/{letter_id}").json()
    assert body["rescored_for_today"] is True
    assert body["result"]["metrics"]["letter_date"] == TODAY.isoformat()
    assert {"timeliness.late", "empathy.delay_apology"} <= {f["rule"] for f in body["result"]["findings"]}
    assert body["score"] == body["result"]["score"] < 99
    assert body["versions"][-1]["score"] == 99  # as stored when saved
    # what it scored when saved, as GET /letters gives it (an integrator's review found these empty here)
    assert (body["saved_score"], body["saved_verdict"], body["saved_on"]) == (99, "good", DUE.isoformat())
    listed = next(r for r in api.get("/letters").json()["data"] if r["id"] == letter_id)
    assert {k: listed[k] for k in ("score", "verdict", "saved_score", "saved_verdict", "saved_on")} == \
        {k: body[k] for k in ("score", "verdict", "saved_score", "saved_verdict", "saved_on")}
    assert results_stored(server, letter_id) == before
    # a finding there only as of today can be marked not a problem (it is the one the page lists)
    mark = api.post(f"/letters/{letter_id}/suppressions",
                    json={"rule": "empathy.delay_apology", "reason": "the apology was made by telephone first"})
    assert mark.status_code == 201, mark.text


def test_a_dated_draft_is_judged_on_its_own_date(api):
    ctx = SAMPLE.context.model_dump(mode="json", exclude_none=True)
    r = api.post("/letters", json={"text": SAMPLE.text, "context": ctx})
    body = api.get(f"/letters/{r.json()['id']}").json()
    assert body["rescored_for_today"] is False
    assert body["result"]["metrics"]["letter_date"] == ctx["letter_date"]


def test_what_judging_keeps_is_bounded_in_characters_too(monkeypatch):
    """An attacker's review: 150 undated drafts of 199 KB (8,000 findings each, 4 MB a result)
    kept by count alone took a worker to 900 MB. The oldest go when the characters run over."""
    from vcl_qa.letters import service as svc

    monkeypatch.setattr(svc, "JUDGED_KEPT_CHARS", 1_000)
    monkeypatch.setattr(svc, "_judged", svc.OrderedDict())
    monkeypatch.setattr(svc, "_judged_chars", 0)
    for i in range(20):
        svc._keep_judged(f"k{i}", "x" * 300)
    assert list(svc._judged) == ["k17", "k18", "k19"] and svc._judged_chars == 900
    svc._keep_judged("k18", "y" * 100)  # kept again: counted once
    assert svc._judged_chars == 700 and list(svc._judged)[-1] == "k18"


def test_a_draft_dated_a_day_that_has_passed_says_so_and_how_late_it_would_be_today(web, api, server, monkeypatch):
    """A figures review: a draft dated Friday 25 April 2025 and never sent read "1 working day to
    spare on the letter's date", "On time 100" and "Good" in December 2026, with nothing to say
    that the date had long passed. It is still judged as of its own date (as the letters list and
    the dashboard judge it), and the page now says the date has passed and how late it would be
    sent today."""
    decided = decided_for(api, DUE)
    ctx = SAMPLE.context.model_dump(mode="json", exclude_none=True)
    ctx.update(decision_date=decided.isoformat(), victim_category="enhanced", letter_date=DUE.isoformat())
    dated = draft_saved_on(server, monkeypatch, DUE, ctx)
    page = web.get(f"/letters/{dated}").text
    note = squash(re.search(r'id="past-dated">(.*?)</p>', page, re.S).group(1))
    assert note == (f"This draft is dated {long_date(DUE, TODAY)}, a day that has passed, and it is not marked as sent: "
                    "it is checked as if it went out on that day. Sent today, it would be 2 working days late. "
                    "If it went out, mark it as sent; if not, change its date.")
    assert "Due on the letter's date: no working days to spare." in squash(page)
    # dated today, or sent: nothing to say
    ctx.update(letter_date=TODAY.isoformat())
    today = draft_saved_on(server, monkeypatch, TODAY, ctx)
    assert 'id="past-dated"' not in web.get(f"/letters/{today}").text
    sent = api.post(f"/letters/{dated}/sent", json={"sent_date": DUE.isoformat(),
                                                    "sent_before_saved_reason": "posted the day it was written"})
    assert sent.status_code == 200, sent.text
    assert 'id="past-dated"' not in web.get(f"/letters/{dated}").text
