"""When a letter's own details and the register entry it is linked to disagree, both say so
(review 11a, finding 5). The register links a letter by team, case reference and decision only,
and works its due date out from its own details while the letter's page counts from the
letter's: a letter marked standard for a case registered as enhanced was "Sent on time" on its
page and "Sent late" in the register, with no word of why. Now the letter page and the register
row name both values and the due date each gives, and the API carries the same
(`register_disagreements` on a letter, `letter_disagreements` on a decision); a letter whose case
is registered only under another decision is told it is linked to none. Against the real server
and SQLite file."""
from __future__ import annotations

import re

from vcl_qa import Letter

from live_server import SAMPLES, page_words, site_fixtures

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

SAMPLE = Letter.from_file(SAMPLES / "01_good_discontinued_assault_standard.txt")
# Decided Monday 24 November 2025: enhanced rights, due Tuesday 25 November; standard, Monday
# 1 December. The letter went out on Friday 28 November: on time by the letter, late by the register.
DECIDED, SENT = "2025-11-24", "2025-11-28"


server, api, web = site_fixtures("disagree", {"mo": ("Mo Manager", "manager"),
                                                           "sam": ("Sam Staff", "staff", "north")}, "mo")


squash = page_words


def register(api, urn: str, **changes) -> dict:
    entry = {"urn": urn, "decision": "discontinued", "decision_date": DECIDED, "victim_category": "enhanced",
             "team": "north", **changes}
    r = api.post("/decisions", json=entry)
    assert r.status_code in (200, 201), r.text
    return r.json()["data"][0]


def letter(api, urn: str, *, sent: bool = True, **changes) -> int:
    ctx = {**SAMPLE.context.model_dump(mode="json", exclude_none=True), "urn": urn, "decision_date": DECIDED,
           "letter_date": SENT, "victim_category": "enhanced", **changes}
    r = api.post("/letters", json={"text": SAMPLE.text, "context": ctx, "team": "north"})
    assert r.status_code == 201, r.text
    letter_id = r.json()["id"]
    if sent:
        assert api.post(f"/letters/{letter_id}/sent", json={"sent_date": SENT, **SAID_WHY}).status_code == 200
    return letter_id


def test_rights_that_differ_are_said_on_both_sides_with_both_due_dates(api, web):
    entry = register(api, "71DA0000001")
    letter_id = letter(api, "71DA0000001", victim_category="standard")
    # the API, on both sides
    said = api.get(f"/letters/{letter_id}").json()["register_disagreements"]
    assert [(d["decision_id"], d["linked"], d["fields"], d["letter_due_date"], d["register_due_date"]) for d in said] == [
        (entry["id"], True, [{"field": "victim_category", "letter_value": "standard", "register_value": "enhanced"}],
         "2025-12-01", "2025-11-25")]
    row = api.get("/decisions", params={"urn": "71DA0000001"}).json()["data"][0]
    assert row["status"] == "sent_late"
    assert [(d["letter_id"], d["fields"], d["letter_due_date"], d["register_due_date"])
            for d in row["letter_disagreements"]] == [
        (letter_id, [{"field": "victim_category", "letter_value": "standard", "register_value": "enhanced"}],
         "2025-12-01", "2025-11-25")]
    # the letter page: both values, both due dates, and what to do about a sent letter
    page = web.get(f"/letters/{letter_id}").text
    block = squash(re.search(r'id="register-disagrees"[^>]*>(.*?)</div>', page, re.S).group(1))
    assert ("This letter says standard rights (due by Monday 1 December 2025); the register entry for case "
            "71DA0000001 says enhanced rights (due by Tuesday 25 November 2025), and counts it as “Sent late”.") in block
    assert "This letter was sent and cannot change: if the register is wrong, register the decision again" in block
    assert said[0]["message"] in block
    # the register's row
    register_page = squash(web.get("/decisions").text)
    assert (f"Letter {letter_id} says standard rights (due by Monday 1 December 2025); this entry says "
            "enhanced rights (due by Tuesday 25 November 2025).") in register_page


def test_a_decision_date_that_differs_is_said_too(api, web):
    register(api, "71DA0000002")
    letter_id = letter(api, "71DA0000002", sent=False, decision_date="2025-11-20")
    said = api.get(f"/letters/{letter_id}").json()["register_disagreements"]
    assert [d["fields"] for d in said] == [[{"field": "decision_date", "letter_value": "2025-11-20",
                                             "register_value": DECIDED}]]
    block = squash(re.search(r'id="register-disagrees"[^>]*>(.*?)</div>', web.get(f"/letters/{letter_id}").text,
                             re.S).group(1))
    assert ("This letter says decided Thursday 20 November 2025 (due by Friday 21 November 2025); the register "
            "entry for case 71DA0000002 says decided Monday 24 November 2025 (due by Tuesday 25 November 2025)") in block
    assert "save a new version with the right details, or register the decision again" in block


def test_a_bereaved_relative_the_register_does_not_know_of_is_said(api):
    """A letter to a bereaved relative against an entry that does not say so (left out: no)."""
    register(api, "71DA0000005", victim_category="standard")
    letter_id = letter(api, "71DA0000005", sent=False, victim_category="standard", bereaved=True)
    said = api.get(f"/letters/{letter_id}").json()["register_disagreements"]
    assert [d["fields"] for d in said] == [[{"field": "bereaved", "letter_value": True, "register_value": None}]]
    assert said[0]["message"].startswith("This letter says a bereaved relative (due by ")
    assert "; the register entry for case 71DA0000005 says not a bereaved relative (due by " in said[0]["message"]
    # a letter saying no against an entry that leaves it out: no disagreement
    other = letter(api, "71DA0000005", sent=False, victim_category="standard", bereaved=False)
    assert api.get(f"/letters/{other}").json()["register_disagreements"] == []


def test_a_case_registered_under_another_decision_is_not_linked_and_said_so(api, web):
    register(api, "71DA0000003", decision="not_charged")
    letter_id = letter(api, "71DA0000003", sent=False)
    said = api.get(f"/letters/{letter_id}").json()["register_disagreements"]
    assert [(d["linked"], d["fields"]) for d in said] == [
        (False, [{"field": "decision", "letter_value": "discontinued", "register_value": "not_charged"}])]
    block = squash(web.get(f"/letters/{letter_id}").text)
    assert ("The register has case 71DA0000003 under “Not to charge”, not under this letter's decision "
            "(“Stop the case (discontinued)”), so this letter is not linked to it") in block


def test_nothing_is_said_when_they_agree(api, web):
    register(api, "71DA0000004")
    letter_id = letter(api, "71DA0000004")
    assert api.get(f"/letters/{letter_id}").json()["register_disagreements"] == []
    assert api.get("/decisions", params={"urn": "71DA0000004"}).json()["data"][0]["letter_disagreements"] == []
    assert 'id="register-disagrees"' not in web.get(f"/letters/{letter_id}").text
