"""A letter is never marked sent before its own date (that would judge a late letter on time),
and a letter dated after its due date is late in every place that says so, even when no working
day has passed since (a Saturday or Sunday after a Friday due date): the engine's finding, the
text report, the letter page, the mark-as-sent page, the register, the decisions page, the
morning digest and the dashboard's own figure. Real SQLite files; the pages from the real server."""
from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from vcl_qa import Letter
from vcl_qa.db import open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register
from vcl_qa.decisions import store as decisions_store
from vcl_qa.engine.report import render_text
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import LetterError
from vcl_qa.letters import service
from vcl_qa.letters import store as letters
from vcl_qa.letters.bulk import Actor
from vcl_qa.reports import dashboard, timeliness

from live_server import LiveServer, auth, make_user

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nI am writing to tell you that "
        "we have decided to stop the case against Mr Lane. I know this is hard news.\n\nYours sincerely\n")
# Decided Thursday 19 December 2024, enhanced rights: due Friday 20 December.
DECIDED = {"decision": "discontinued", "decision_date": "2024-12-19", "victim_category": "enhanced",
           "victim_name": "Ms Jane Okafor"}
SATURDAY, SUNDAY = "2024-12-21", "2024-12-22"
WEEKEND = pytest.mark.parametrize("day, day_words", [(SATURDAY, "Saturday 21 December 2024"),
                                                     (SUNDAY, "Sunday 22 December 2024")])


# `db`: a fresh migrated database (tests/conftest.py)


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- 2. not sent before its own date -----------------------------------------------------------

def test_cannot_be_marked_sent_before_its_own_date(db):
    user = add_user(db, "sam", "staff", "north")[0]
    r = service.submit(db, user, TEXT, {**DECIDED, "letter_date": "2024-12-23"}, team="north")
    assert r["result"]["score"] < 100 and any(f["rule"] == "timeliness.late" for f in r["result"]["findings"])
    with pytest.raises(LetterError) as err:
        service.mark_sent(db, user, r["id"], dt.date(2024, 12, 19))
    assert err.value.field == "sent_date"
    assert "before its own date (Monday 23 December 2024)" in err.value.message
    row = letters.letter_row(db, r["id"])
    assert (row["status"], row["sent_date"]) == ("draft", None)
    assert db.execute("SELECT count(*) FROM results WHERE letter_id = ?", [r["id"]]).fetchone()[0] == 1
    # on its own date, or later, it can
    service.mark_sent(db, user, r["id"], dt.date(2024, 12, 23),
                      before_saved_reason="posted first, saved here afterwards to record it")
    assert letters.letter_row(db, r["id"])["sent_date"] == "2024-12-23"


def test_a_later_sent_date_is_still_accepted_and_judged(db):
    user = add_user(db, "sam", "staff", "north")[0]
    r = service.submit(db, user, TEXT, {**DECIDED, "letter_date": "2024-12-20"}, team="north")
    service.mark_sent(db, user, r["id"], dt.date(2024, 12, 23),
                      before_saved_reason="posted first, saved here afterwards to record it")
    assert any(f["rule"] == "timeliness.late" for f in letters.latest_result(db, r["id"])["findings"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("lateness") / "vcl_qa.db"
    token = make_user(db_path, "Sam Staff", "staff", "north")
    srv = LiveServer(db_path).start()
    srv.token = token
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.token), timeout=60) as client:
        yield client


@pytest.fixture
def web(server):
    client = httpx.Client(base_url=server.url, timeout=60)
    page = client.get("/sign-in")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": server.token}).status_code == 303
    yield client
    client.close()


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def stored(api, letter_date: str) -> int:
    r = api.post("/letters", json={"text": TEXT, "context": {**DECIDED, "letter_date": letter_date}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_api_refuses_a_sent_date_before_the_letters_date(api):
    letter_id = stored(api, "2024-12-23")
    r = api.post(f"/letters/{letter_id}/sent", json={"sent_date": "2024-12-19"})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["sent_date"]
    assert "before its own date" in r.json()["error"]["message"]
    letter = api.get(f"/letters/{letter_id}").json()
    assert (letter["status"], letter["sent_date"]) == ("draft", None)
    assert any(f["rule"] == "timeliness.late" for f in letter["result"]["findings"])
    assert api.post(f"/letters/{letter_id}/sent", json={"sent_date": "2024-12-23", **SAID_WHY}).status_code == 200


def test_send_form_refuses_a_sent_date_before_the_letters_date(api, web):
    letter_id = stored(api, "2024-12-23")
    page = web.get(f"/letters/{letter_id}/send")
    r = web.post(f"/letters/{letter_id}/sent", data={
        "csrf_token": csrf(page.text), "sent_date-day": "19", "sent_date-month": "12",
        "sent_date-year": "2024", "confirm": "yes"})
    assert r.status_code == 400
    error = squash(re.search(r'id="sent_date-error">(.*?)</p>', r.text, re.S).group(1))
    assert "before its own date (Monday 23 December 2024)" in error
    # what the page says about lateness is for the letter's own day, never the refused one
    assert squash(re.search(r'id="send-late">(.*?)</dd>', r.text, re.S).group(1)).strip() == "1 working day late"
    assert api.get(f"/letters/{letter_id}").json()["status"] == "draft"


@pytest.mark.parametrize("decided", [DECIDED, {"victim_name": "Ms Jane Okafor"}], ids=["decided", "no-details"])
def test_send_form_refuses_a_year_before_2000(api, web, decided):
    """The year typed 0001 (a slip for 2025) was taken: a letter with no decision date was marked
    sent on "Monday 1 January 1", and one with a decision date was told it could not go out on
    "Monday 1 January 1", before the decision. Now refused for its year, as every date a letter
    carries is (config.EARLIEST_DATE), saying what to type."""
    r = api.post("/letters", json={"text": TEXT, "context": decided})
    assert r.status_code == 201, r.text
    letter_id = r.json()["id"]
    for year in ("0001", "1999"):
        page = web.get(f"/letters/{letter_id}/send")
        r = web.post(f"/letters/{letter_id}/sent", data={
            "csrf_token": csrf(page.text), "sent_date-day": "1", "sent_date-month": "1",
            "sent_date-year": year, "confirm": "yes", "seen": "content.vrr"})
        assert r.status_code == 400
        error = squash(re.search(r'id="sent_date-error">(.*?)</p>', r.text, re.S).group(1))
        assert (f"The date it was sent is in the year {year}, before 2000, the earliest year the service "
                "takes: check the year, typed in 4 figures, for example 2025.") in error
        assert re.search(rf'name="sent_date-year"[^>]*value="{year}"', r.text)  # what was typed, kept
    letter = api.get(f"/letters/{letter_id}").json()
    assert (letter["status"], letter["sent_date"]) == ("draft", None)


def test_mark_sent_refuses_a_year_before_2000(db):
    user = add_user(db, "sam", "staff", "north")[0]
    r = service.submit(db, user, TEXT, {"victim_name": "Ms Jane Okafor"}, team="north")
    with pytest.raises(LetterError) as err:
        service.mark_sent(db, user, r["id"], dt.date(1, 1, 1))
    assert err.value.field == "sent_date" and "in the year 0001, before 2000" in err.value.message
    assert letters.letter_row(db, r["id"])["status"] == "draft"
    service.mark_sent(db, user, r["id"], dt.date(2000, 1, 1),
                      before_saved_reason="posted first, saved here afterwards to record it")  # the earliest day taken
    assert letters.letter_row(db, r["id"])["sent_date"] == "2000-01-01"


# --- 4. dated on a weekend after a Friday due date: late, everywhere ---------------------------

def scored(day: str):
    letter = Letter.from_text(TEXT, **DECIDED, letter_date=day)
    return letter, score_letter(letter)


@WEEKEND
def test_engine_finding_says_late_without_a_count_of_nought(day, day_words):
    letter, result = scored(day)
    late = [f for f in result.findings if f.rule == "timeliness.late"]
    assert len(late) == 1 and late[0].severity == "error"
    assert late[0].message == ("The letter is late: it was due by Friday 20 December 2024 (1 working day "
                               f"after the decision) and goes out on {day_words}, after the due date.")
    assert result.metrics["working_days_late"] == 0
    report = render_text("letter.txt", letter, result)
    assert f"Due by Friday 20 December 2024; dated {day_words}: late (dated after the due date)" in report
    assert not re.search(r"\b0 working days", report)


def test_engine_message_still_counts_working_days_when_there_are_some():
    _, result = scored("2024-12-23")
    late = next(f for f in result.findings if f.rule == "timeliness.late")
    assert late.message.endswith("and goes out 1 working day late.")


@WEEKEND
def test_due_words_and_facts_say_late(day, day_words):
    from api.web.letter_view import due_facts
    from api.web.letters import due_in_words

    _, result = scored(day)
    today = dt.date(2024, 12, 1)
    assert due_in_words(result.metrics, "draft", None, today=today) == \
        "late: dated after the due date of Friday 20 December"
    assert due_in_words(result.metrics, "sent", day, today=today) == \
        "late: sent after the due date of Friday 20 December"
    facts = due_facts(result.metrics, "draft", None)
    assert facts["late"] is True and facts["left"] == 0


@WEEKEND
def test_letter_page_and_send_page_say_late(api, web, day, day_words):
    letter_id = stored(api, day)
    page = squash(web.get(f"/letters/{letter_id}").text)
    assert f"Due by Friday 20 December 2024. Late: dated {day_words}, after the due date." in page
    assert "no working days to spare" not in page and not re.search(r"\b0 working days", page)
    send = web.get(f"/letters/{letter_id}/send")
    words = squash(re.search(r'id="send-late">(.*?)</dd>', send.text, re.S).group(1)).strip()
    assert words == "late: sent after the due date"
    assert "on time" not in squash(send.text)
    # the form as the browser sends it: the tick, and the checks of the problems it was shown
    seen = re.search(r'name="seen" value="([^"]*)"', send.text).group(1)
    assert "timeliness.late" in seen.split()
    r = web.post(f"/letters/{letter_id}/sent", data={"csrf_token": csrf(send.text), "confirm": "yes", "seen": seen,
                                                     **SAID_WHY})
    assert r.status_code == 303
    page = squash(web.get(f"/letters/{letter_id}").text)
    assert f"Late: sent on {day_words}, after the due date." in page


@WEEKEND
def test_register_decisions_page_and_digest_say_late(db, day, day_words):
    actor = Actor("test")
    decisions_store.upsert_many(db, actor, [register.record_from_mapping(
        {"urn": "90ZZ0000426", "decision": "discontinued", "decision_date": "2024-12-19",
         "victim_category": "enhanced", "team": "north", "letter_date": day})])
    row = register.register(db, today=dt.date(2025, 1, 6))[0]
    assert (row["status"], row["working_days_late"]) == ("sent_late", 0)
    assert timeliness.days_in_words(row) == "sent late: after the due date"
    # nothing sent, as on that weekend day: overdue, in words, not "0 working days late"
    decisions_store.upsert_many(db, actor, [register.record_from_mapping(
        {"urn": "90ZZ0000427", "decision": "discontinued", "decision_date": "2024-12-19",
         "victim_category": "enhanced", "team": "north"})])
    today = dt.date.fromisoformat(day)
    open_row = next(r for r in register.register(db, today=today) if r["urn"] == "90ZZ0000427")
    assert (open_row["status"], open_row["working_days_late"]) == ("overdue", 0)
    assert timeliness.days_in_words(open_row) == "overdue: the due date has passed"
    text = register.digest_text(register.digest_for(db, today=today))
    line = next(x for x in text.splitlines() if "90ZZ0000427" in x)
    assert "overdue: the due date has passed" in line and not re.search(r"\b0 working days", text)


def test_decisions_page_says_sent_late(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    token = make_user(db_path, "Sam Staff", "staff", "north")
    db = open_db(db_path)
    try:
        decisions_store.upsert_many(db, Actor("test"), [register.record_from_mapping(
            {"urn": "90ZZ0000426", "decision": "discontinued", "decision_date": "2024-12-19",
             "victim_category": "enhanced", "team": "north", "letter_date": SATURDAY})])
    finally:
        db.close()
    srv = LiveServer(db_path).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=60) as web:
            pre = re.search(r'name="pre_token" value="([^"]+)"', web.get("/sign-in").text).group(1)
            web.post("/sign-in", data={"pre_token": pre, "token": token})
            page = squash(web.get("/decisions?as_of=2025-01-06").text)
    finally:
        srv.stop()
    assert "Sent late sent late: after the due date" in page and not re.search(r"\b0 working days", page)


@WEEKEND
def test_dashboards_own_figure_counts_it_late(db, day, day_words):
    user = add_user(db, "sam", "staff", "north")[0]
    late = service.submit(db, user, TEXT, {**DECIDED, "letter_date": day}, team="north")["id"]
    on_time = service.submit(db, user, TEXT, {**DECIDED, "letter_date": "2024-12-20"}, team="north")["id"]
    # sent: only letters that went out are judged for time (review 11a, finding 6)
    service.mark_sent(db, user, late, dt.date.fromisoformat(day),
                      before_saved_reason="posted first, saved here afterwards to record it")
    service.mark_sent(db, user, on_time, dt.date(2024, 12, 20),
                      before_saved_reason="posted first, saved here afterwards to record it")
    rows = dashboard.letters_in_scope(db)
    assert dashboard.summary(rows)["timeliness_rate"] == 50.0
    assert [(m["judged_for_time"], m["on_time"]) for m in dashboard.by_month(rows)] == [(2, 1)]
