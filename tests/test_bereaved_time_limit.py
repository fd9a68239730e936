"""Review 11a, finding 4: a bereaved close relative counts as a victim of the most serious crime
(domain notes section 1), so is owed the enhanced service's 1 working day even when the victim
category says "standard". Before, the engine, the register, the API, the reports and the CSV all
gave 5 working days. A young reader marked standard keeps 5 (the domain notes do not require
otherwise): the check page's enhanced option names bereaved families and under-18s instead.

Real components: the engine, a real SQLite file, the `vcl-qa` command, the real server."""
from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest
from click.testing import CliRunner

from live_server import LiveServer, auth, make_user
from vcl_qa import Letter
from vcl_qa.engine.run import score_letter
from vcl_qa.cli import main
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register, store
from vcl_qa.engine.letter import LetterContext
from vcl_qa.letters import service
from vcl_qa.letters.bulk import Actor

TODAY = dt.date(2025, 12, 1)  # scoring day for drafts (the letters here all carry their own date)
DECIDED, SENT = "2025-11-03", "2025-11-06"  # Monday; Thursday
ONE_DAY, FIVE_DAYS = "2025-11-04", "2025-11-10"  # 1 working day; 5 working days
WHY = "bereaved families are owed the enhanced service"
TEXT = ("Private - to be opened by addressee only\n\nDear Mrs Hale\n\nI am so sorry for the loss of your son. "
        "We have decided to stop the case against the man charged.\n\nYours sincerely\nJ Whitcombe\n")


def _score(**context):
    ctx = {"decision": "discontinued", "decision_date": DECIDED, "letter_date": SENT, "victim_category": "standard",
           **context}
    return score_letter(Letter(text=TEXT, context=LetterContext.model_validate(ctx)), today=TODAY)


def test_the_engine_gives_a_bereaved_relative_marked_standard_one_working_day_and_says_why():
    result = _score(bereaved=True)
    m = result.metrics
    assert (m["due_date"], m["limit_working_days"], m["limit_reason"], m["working_days_late"]) == (
        ONE_DAY, 1, "bereaved", 2)
    [late] = [f for f in result.findings if f.rule == "timeliness.late"]
    assert late.message == ("The letter is late: it was due by Tuesday 4 November 2025 (1 working day after "
                            f"the decision; {WHY}) and goes out 2 working days late.")
    # Enhanced already: the same limit, and nothing to explain.
    enhanced = _score(bereaved=True, victim_category="enhanced").metrics
    assert (enhanced["due_date"], enhanced["limit_working_days"], enhanced["limit_reason"]) == (ONE_DAY, 1, None)
    [late] = [f for f in _score(bereaved=True, victim_category="enhanced").findings if f.rule == "timeliness.late"]
    assert WHY not in late.message


@pytest.mark.parametrize("context", [{"bereaved": False}, {}, {"reader": "young_person"},
                                     {"reader": "young_person", "bereaved": False}])
def test_not_bereaved_or_a_young_reader_marked_standard_keeps_five_working_days(context):
    """Held-out letters written by others assume 5 days for a young reader marked standard."""
    result = _score(**context)
    m = result.metrics
    assert (m["due_date"], m["limit_working_days"], m["limit_reason"]) == (FIVE_DAYS, 5, None)
    assert not [f for f in result.findings if f.rule == "timeliness.late"]


def test_the_text_report_says_why_the_limit_is_one_working_day(tmp_path):
    path = tmp_path / "b1.txt"
    path.write_text(f"---\ndecision: discontinued\ndecision_date: {DECIDED}\nletter_date: {SENT}\n"
                    f"victim_category: standard\nbereaved: true\nvictim_name: Mrs Ann Hale\n---\n{TEXT}",
                    encoding="utf-8")
    out = CliRunner().invoke(main, ["score", str(path)])
    assert (f"Due by Tuesday 4 November 2025 (1 working day: {WHY}); dated Thursday 6 November 2025: "
            "2 working days late") in out.output


def test_the_register_and_its_report_count_one_working_day_for_a_bereaved_relative(tmp_path):
    db = open_db(tmp_path / "r.db")
    migrate(db)
    base = {"decision": "discontinued", "decision_date": DECIDED, "victim_category": "standard", "team": "south"}
    records = [register.record_from_mapping({**base, "urn": "B1", "bereaved": "yes", "letter_date": SENT},
                                            today=TODAY),
               register.record_from_mapping({**base, "urn": "B2", "bereaved": True}, today=TODAY),
               register.record_from_mapping({**base, "urn": "S1", "bereaved": False, "letter_date": SENT},
                                            today=TODAY)]
    store.upsert_many(db, Actor("test"), records)
    rows = {r["urn"]: r for r in register.register(db, today=dt.date(2025, 11, 7))}
    b1, b2, s1 = rows["B1"], rows["B2"], rows["S1"]
    assert (b1["due_date"], b1["working_day_limit"], b1["limit_reason"], b1["status"], b1["working_days_late"]) == (
        ONE_DAY, 1, "bereaved", "sent_late", 2)
    assert (b2["due_date"], b2["status"], b2["working_days_late"]) == (ONE_DAY, "overdue", 3)
    assert (s1["due_date"], s1["working_day_limit"], s1["limit_reason"], s1["status"]) == (
        FIVE_DAYS, 5, None, "sent_on_time")
    # The clock on its own, as every report uses it.
    clock = register.StatusClock(dt.date(2025, 11, 7))
    assert clock.status(dt.date(2025, 11, 3), "standard", None, True).due_date == dt.date(2025, 11, 4)
    assert clock.status(dt.date(2025, 11, 3), "standard", None, False).due_date == dt.date(2025, 11, 10)
    # The timeliness report counts the two bereaved cases against the 1-working-day limit.
    report = {(r["working_day_limit"]): r for r in register.timeliness_report(db, today=dt.date(2025, 11, 11))
              if r["team"] == "south"}
    assert (report[1]["required"], report[1]["sent_late"], report[1]["missing"]) == (2, 1, 1)
    assert (report[5]["required"], report[5]["sent_on_time"]) == (1, 1)
    # The dashboard's figures (vcl_qa.reports.timeliness) are built on the same rows.
    from vcl_qa.reports import timeliness

    figures = timeliness.from_register(db, today=dt.date(2025, 11, 11))
    assert (figures.due, figures.on_time, figures.late, figures.missing) == (3, 1, 1, 1)
    db.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("bereaved") / "vcl_qa.db"
    tokens = {"manager": make_user(path, "manager", "manager"), "south": make_user(path, "sam", "staff", "south")}
    srv = LiveServer(path).start()
    srv.tokens, srv.path = tokens, path
    yield srv
    srv.stop()


def test_the_api_answers_with_one_working_day_and_the_reason(server):
    body = {"urn": "B1", "decision": "discontinued", "decision_date": DECIDED, "victim_category": "standard",
            "bereaved": True, "team": "south"}
    r = httpx.post(f"{server.url}/api/v1/decisions", json=body, headers=auth(server.tokens["manager"]))
    assert r.status_code == 201, r.text
    row = r.json()["data"][0]
    assert (row["working_day_limit"], row["due_date"], row["limit_reason"]) == (1, ONE_DAY, "bereaved")
    listed = httpx.get(f"{server.url}/api/v1/decisions", params={"urn": "B1", "as_of": "2025-11-07"},
                       headers=auth(server.tokens["manager"])).json()["data"][0]
    assert (listed["due_date"], listed["status"], listed["working_days_late"]) == (ONE_DAY, "overdue", 3)
    report = httpx.get(f"{server.url}/api/v1/reports/timeliness", params={"as_of": "2025-11-07"},
                       headers=auth(server.tokens["manager"])).json()["data"]
    assert [(r["working_day_limit"], r["required"]) for r in report if not r["all_limits"]] == [(1, 1)]


def test_the_letters_csv_counts_the_due_date_from_one_working_day(server):
    db = open_db(server.path)
    try:
        user = add_user(db, "writer", "staff", "south")[0]
        ctx = {"decision": "discontinued", "decision_date": DECIDED, "letter_date": SENT,
               "victim_category": "standard", "bereaved": True}
        letter = service.submit(db, user, TEXT, ctx, team="south")["id"]
        service.mark_sent(db, user, letter, dt.date.fromisoformat(SENT),
                          before_saved_reason="posted first, saved here afterwards to record it")
    finally:
        db.close()
    from web_site import signed_in

    client = signed_in({"url": server.url, "tokens": server.tokens}, "manager")
    rows = list(csv.DictReader(io.StringIO(client.get("/letters.csv").text)))
    row = next(r for r in rows if r["Letter"] == str(letter))
    assert (row["Due date"], row["Working days late"], row["On time"]) == (ONE_DAY, "2", "No")
    assert row["Time limit"] == f"1 working day ({WHY})"


def test_the_check_page_names_bereaved_families_and_under_18s_in_the_enhanced_option(server):
    from web_site import signed_in

    page = signed_in({"url": server.url, "tokens": server.tokens}, "south").get("/check").text
    # bereaved families and under-18s first: a closed box shows only the start of the option
    assert ('<option value="enhanced" >Enhanced rights (bereaved families, under-18s, most serious crime, '
            "persistently targeted, vulnerable or intimidated): 1 working day</option>") in page
    assert '<option value="standard" >Standard: 5 working days</option>' in page


def _letter_page(server, **context) -> str:
    """The letter page of a draft saved by the south team's writer with these details."""
    from vcl_qa.db.users import user_by_name
    from web_site import signed_in, visible_text

    db = open_db(server.path)
    try:
        ctx = {"decision": "discontinued", "decision_date": DECIDED, "letter_date": SENT, "victim_category": "standard",
               **context}
        letter = service.submit(db, user_by_name(db, "sam"), TEXT, ctx, team="south")["id"]
    finally:
        db.close()
    client = signed_in({"url": server.url, "tokens": server.tokens}, "south")
    page = client.get(f"/letters/{letter}")
    assert page.status_code == 200
    return visible_text(page.text)


def test_the_letter_page_says_why_a_bereaved_family_letter_is_due_in_one_working_day(server):
    """The letter page said "Due by Tuesday 4 November 2025." beside "Victim's rights: Standard":
    a due date a day after the decision, with nothing to say why."""
    page = _letter_page(server, bereaved=True)
    assert f"Due by Tuesday 4 November 2025 (1 working day after the decision: {WHY})." in page
    assert "If it is to a bereaved family" not in page
    # Enhanced already: 1 working day is the rights' own limit, nothing to explain.
    page = _letter_page(server, bereaved=True, victim_category="enhanced")
    assert "Due by Tuesday 4 November 2025." in page and WHY not in page


def test_with_the_bereaved_answer_not_given_the_letter_page_says_it_may_be_due_sooner(server):
    """Standard rights and the bereaved question unanswered: the page showed 5 working days
    (Monday 10 November) as the due date, and "Checks not done yet" asked the question only for
    the condolence check, never saying that the answer moves the due date to 4 November."""
    page = _letter_page(server)
    assert "Due by Monday 10 November 2025." in page
    assert (f"If it is to a bereaved family, it is due sooner: by Tuesday 4 November 2025 (1 working day after "
            f"the decision: {WHY}). Answer “Writing to a bereaved family member?” under the letter.") in page
    assert ("It also sets the due date: a bereaved family's letter is due 1 working day after the decision, "
            "by Tuesday 4 November 2025.") in page
    # Answered "no", or rights whose limit is already 1 working day: nothing moves, nothing said.
    for context in ({"bereaved": False}, {"victim_category": "enhanced"}):
        page = _letter_page(server, **context)
        assert "due sooner" not in page and "It also sets the due date" not in page, context


def test_a_sent_letter_with_the_bereaved_answer_not_given_says_when_it_was_due_if_bereaved(server):
    from vcl_qa.db.users import user_by_name
    from web_site import signed_in, visible_text

    db = open_db(server.path)
    try:
        writer = user_by_name(db, "sam")
        ctx = {"decision": "discontinued", "decision_date": DECIDED, "letter_date": SENT, "victim_category": "standard"}
        letter = service.submit(db, writer, TEXT, ctx, team="south")["id"]
        service.mark_sent(db, writer, letter, dt.date.fromisoformat(SENT),
                          before_saved_reason="posted first, saved here afterwards to record it")
    finally:
        db.close()
    page = visible_text(signed_in({"url": server.url, "tokens": server.tokens}, "south").get(f"/letters/{letter}").text)
    assert (f"If it went to a bereaved family, it was due sooner: by Tuesday 4 November 2025 (1 working day after "
            f"the decision: {WHY}).") in page
    assert "Answer “Writing to a bereaved family member?”" not in page  # a sent letter has no form to answer in
