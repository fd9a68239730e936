"""The dashboard's on-time figure comes from the decisions register. Two things it read wrongly
(an audit of every figure against a hand count):

- a team whose sent letters match no decision in the register was told "No letter was due"
  with a letter sent three working days late among them; every team's figure left such letters
  out unsaid. The page now says how many, which, and how many went out after the due date their
  own details give.
- the warning about letters marked sent on a date before they were first saved chose letters by
  the day sent, where the rate chooses by the day due: February's figure, "100% on time, 1 of
  1", rested on a back-dated mark and no warning showed, while "Figures as on" a past day
  warned of letters sent after it. It now counts the letters the rate counts as sent.

The real server, on a real SQLite file; every figure against a hand count."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from live_server import LiveServer
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register, store as decisions_store
from vcl_qa.letters import service
from vcl_qa.letters.bulk import Actor
from vcl_qa.reports import timeliness
from web_site import signed_in, visible_text

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
# Decided Thursday 20 November 2025, enhanced rights: due Friday 21 November.
CASE = {"decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "enhanced"}
# Decided Friday 30 January 2026, enhanced: due Monday 2 February.
FEB = {"decision": "discontinued", "decision_date": "2026-01-30", "victim_category": "enhanced"}
REASON = "posted first, saved here afterwards to record it"


def _letter(db, staff, team, urn, case, sent=None, reason=None):
    letter_id = service.submit(db, staff, TEXT, {**case, "urn": urn}, team=team)["id"]
    if sent:
        service.mark_sent(db, staff, letter_id, dt.date.fromisoformat(sent), before_saved_reason=reason)
    return letter_id


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("unregistered") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    east = add_user(db, "east-staff", "staff", "east")[0]
    north = add_user(db, "north-staff", "staff", "north")[0]
    token = add_user(db, "manager", "manager")[1]
    ids = {
        # east: nothing registered; one sent on its due date, one three working days late, a draft
        "E1": _letter(db, east, "east", "11EA0000001", CASE, "2025-11-21", REASON),
        "E2": _letter(db, east, "east", "11EA0000002", CASE, "2025-11-26", REASON),
        "E3": _letter(db, east, "east", "11EA0000003", CASE),
        # north: registered; N1 sent on time (marked after the fact), N2 in February, back-dated
        "N1": _letter(db, north, "north", "22NO0000001", CASE, "2025-11-21", REASON),
        "N2": _letter(db, north, "north", "22NO0000002", FEB, "2026-01-31", REASON),
    }
    records = [register.record_from_mapping({"urn": urn, "team": "north", **case}, today=dt.date(2026, 3, 1))
               for urn, case in (("22NO0000001", CASE), ("22NO0000002", FEB))]
    decisions_store.upsert_many(db, Actor("test"), records)
    db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "ids": ids, "path": path}
    server.stop()


def _line(page: str, element_id: str) -> str:
    found = re.search(rf'<p [^>]*id="{element_id}">.*?</p>', page, re.S)
    return visible_text(found.group(0)).strip() if found else ""


def test_a_team_whose_letters_match_no_decision_is_not_told_none_was_due(site):
    client = signed_in(site, "manager")
    page = client.get("/dashboard", params={"team": "east"}).text
    text = visible_text(page)
    assert "No letter in the register was due before" in text
    line = _line(page, "unregistered")
    # By hand: E1 and E2 went out, neither registered; E2 three working days after its due date
    assert line.startswith("2 sent letters match no decision in the register (by team, case reference and "
                           "decision), so the on-time figures here do not count them: 1 of them went out after the "
                           "due date its own details give.")
    links = re.findall(r'<a href="/letters/(\d+)">Letter \d+</a>', re.search(r'id="unregistered">(.*?)</p>',
                                                                           page, re.S).group(1))
    assert sorted(map(int, links)) == sorted([site["ids"]["E1"], site["ids"]["E2"]])
    assert f'Letter {site["ids"]["E2"]}</a> (late)' in page and f'Letter {site["ids"]["E1"]}</a> (late)' not in page
    # "See the letters" keeps the filters
    assert 'href="/letters?team=east" id="see-letters-link"' in page
    # every team: north's two registered letters counted, east's two named as not counted
    page = client.get("/dashboard").text
    assert "2 of the 2 letters that were due before" in visible_text(page)
    assert _line(page, "unregistered").startswith("2 sent letters match no decision in the register")
    # a team whose letters are all registered has no such line
    assert 'id="unregistered"' not in client.get("/dashboard", params={"team": "north"}).text


def test_the_letters_left_out_are_chosen_as_the_rate_chooses(site):
    db = open_db(site["path"])
    try:
        # by the due date their own details give (21 November), and only once it has passed
        assert timeliness.unregistered(db, today=dt.date(2025, 11, 21), team="east").count == 0
        assert timeliness.unregistered(db, today=dt.date(2025, 11, 24), team="east").letter_ids == [site["ids"]["E1"]]
        later = timeliness.unregistered(db, today=dt.date(2026, 3, 1), team="east")
        assert (later.count, later.late) == (2, 1)
        assert timeliness.unregistered(db, today=dt.date(2026, 3, 1), team="east",
                                       due_from=dt.date(2025, 12, 1)).count == 0
        assert timeliness.unregistered(db, today=dt.date(2026, 3, 1), decision="not_charged").count == 0
    finally:
        db.close()


def test_the_back_dated_warning_counts_the_letters_the_rate_counts(site):
    client = signed_in(site, "manager")
    feb = {"team": "north", "date_from": "2026-02-01", "date_to": "2026-02-28"}
    page = client.get("/dashboard", params=feb).text
    assert "1 of the 1 letter that was due before" in visible_text(page)  # N2, due 2 February
    # before: no warning (N2 was sent in January, outside the dates read by the day sent)
    assert _line(page, "sent-before-saved").startswith(
        "The letter counted as sent above was marked sent on a date before it was first saved here")
    link = re.search(r'href="([^"]+)" id="sent-before-saved-link"', page).group(1)
    assert link.replace("&amp;", "&") == "/letters?sent_before_saved=yes&team=north"
    # as on 1 December 2025, only N1 counts as sent; before, every back-dated letter was counted
    page = client.get("/dashboard", params={"as_of": "2025-12-01"}).text
    assert "1 of the 1 letter that was due before" in visible_text(page)
    assert _line(page, "sent-before-saved").startswith("The letter counted as sent above")
    # all of north's: both counted, both marked after the fact
    page = client.get("/dashboard", params={"team": "north"}).text
    assert _line(page, "sent-before-saved").startswith(
        "2 of the letters counted as sent above were marked sent on a date before they were first saved here")


def test_no_letters_is_not_said_as_no_problems(site):
    """With no letter for the filters the problems table said "No problems found."."""
    client = signed_in(site, "manager")
    table = re.search(r'id="problems-table">(.*?)</table>', client.get("/dashboard", params={"decision": "not_charged"}).text,
                      re.S).group(1)
    assert "No letter has been checked for these filters." in visible_text(table)
    assert "No problems found" not in table


def test_a_case_reference_typed_in_full_width_characters_matches_the_register(tmp_path):
    """'４６ＫＳ０２５７４２５' (as some keyboards type it) looked like the register's '46KS0257425' on every
    page, was stored as typed and never matched: the register counted the case never sent and the
    dashboard named the letter as matching no decision. It is kept as the plain reference."""
    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    try:
        staff = add_user(db, "north-staff", "staff", "north")[0]
        decisions_store.upsert_many(db, Actor("test"), [register.record_from_mapping(
            {"urn": "46KS0257425", "team": "north", **CASE}, today=dt.date(2026, 3, 1))])
        letter = _letter(db, staff, "north", "\uff14\uff16\uff2b\uff33\uff10\uff12\uff15\uff17\uff14\uff12\uff15",
                         CASE, "2025-11-21", REASON)
        assert db.execute("SELECT urn FROM letters WHERE id = ?", [letter]).fetchone()[0] == "46KS0257425"
        figures = timeliness.from_register(db, today=dt.date(2026, 3, 1), team="north")
        assert (figures.on_time, figures.missing) == (1, 0)
        assert timeliness.unregistered(db, today=dt.date(2026, 3, 1), team="north").count == 0
        # and a register row given so is read plain too
        decisions_store.upsert_many(db, Actor("test"), [register.record_from_mapping(
            {"urn": "\uff14\uff17\uff2b\uff33\uff10\uff10\uff10\uff10\uff10\uff10\uff11", "team": "north", **CASE},
            today=dt.date(2026, 3, 1))])
        assert db.execute("SELECT count(*) FROM decisions WHERE urn = '47KS0000001'").fetchone()[0] == 1
    finally:
        db.close()


def test_one_letter_due_reads_in_the_singular(tmp_path):
    """"0 of the 1 letter that was due ... were sent by their due dates" (an audit), and "0 were
    never sent" as a link to an empty list."""
    path = tmp_path / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    token = add_user(db, "manager", "manager")[1]
    add_user(db, "north-staff", "staff", "north")
    decisions_store.upsert_many(db, Actor("test"), [register.record_from_mapping(
        {"urn": "33NO0000001", "team": "north", **CASE}, today=dt.date(2026, 3, 1))])
    db.close()
    server = LiveServer(path).start()
    try:
        line = visible_text(signed_in({"url": server.url, "tokens": {"manager": token}}, "manager")
                            .get("/dashboard").text)
    finally:
        server.stop()
    said = re.search(r"0 of the 1 letter that was due before .{0,120}? never sent \.", line)
    assert said, line[:2000]
    assert "was sent by its due date. 0 were sent late and 1 was never sent" in said.group(0), said.group(0)
