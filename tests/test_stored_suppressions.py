"""Findings set aside in a stored letter always leave a trace: never through the letter's own
details (`context.suppress`, refused wherever a letter is stored), never twice for the same
thing, never with an empty reason or words the letter does not hold; a restore never claims a
change that did not happen, and restored marks stay on the letter page with who and when.
Against the real server and SQLite file (tests/live_server.py)."""
from __future__ import annotations

import html
import re
import sqlite3

import httpx
import pytest

from live_server import SAMPLES, auth, signed_in_client, users_server

SAMPLE = SAMPLES / "14_flawed_late_no_apology.txt"  # late, no apology: two must-fix findings


def sample_body() -> dict:
    from vcl_qa import Letter

    letter = Letter.from_file(SAMPLE)
    return {"text": letter.text, "context": letter.context.model_dump(mode="json", exclude_none=True)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = users_server(tmp_path_factory, "suppressions", {"sam": ("Sam Staff", "staff", "north"), "mia": ("Mia Manager", "manager")})
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["sam"]), timeout=60) as client:
        yield client


def signed_in(server, who: str = "sam"):
    return signed_in_client(server.url, server.tokens[who])


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def new_letter(api) -> int:
    r = api.post("/letters", json=sample_body())
    assert r.status_code == 201, r.text
    return r.json()["id"]


def letter_count(server) -> int:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT count(*) FROM letters").fetchone()[0]


def field_of(r: httpx.Response) -> list[str]:
    return [d["field"] for d in r.json()["error"]["details"]]


def found(result: dict, rule: str) -> list[dict]:
    return [f for f in result["findings"] if f["rule"] == rule]


# --- 1. no silent suppressions in a stored letter ----------------------------------------------

SILENT = [{"rule": "readability.passive", "reason": "x"}, {"rule": "empathy.delay_apology", "reason": "y"}]


def test_api_refuses_suppress_in_a_new_letter_and_stores_nothing(api, server):
    before = letter_count(server)
    body = sample_body()
    r = api.post("/letters", json={**body, "context": {**body["context"], "suppress": SILENT}})
    assert r.status_code == 422
    assert field_of(r) == ["context.suppress"]
    message = r.json()["error"]["message"]
    assert "not a problem" in message and "/suppressions" in message
    assert letter_count(server) == before


def test_api_refuses_suppress_in_a_new_version(api):
    letter_id = new_letter(api)
    r = api.post("/letters", json={"letter_id": letter_id, "text": sample_body()["text"] + "\n",
                                   "context": {"suppress": SILENT}})
    assert r.status_code == 422 and field_of(r) == ["context.suppress"]
    assert api.get(f"/letters/{letter_id}").json()["latest_version"] == 1


def test_an_empty_suppress_list_is_still_accepted(api):
    body = sample_body()
    r = api.post("/letters", json={**body, "context": {**body["context"], "suppress": []}})
    assert r.status_code == 201
    assert r.json()["result"]["score"] == 73  # nothing set aside


def test_the_unstored_check_still_takes_suppress(api):
    """POST /check stores nothing (the letter page sends its standing marks with it)."""
    body = sample_body()
    r = api.post("/check", json={**body, "context": {**body["context"], "suppress": SILENT}})
    assert r.status_code == 200
    assert all(f["suppressed"] for f in found(r.json(), "empathy.delay_apology"))


def test_import_refuses_a_file_with_suppress(tmp_path):
    from vcl_qa.db import migrate, open_db
    from vcl_qa.letters import bulk

    folder = tmp_path / "letters"
    folder.mkdir()
    text = SAMPLE.read_text()
    (folder / "late.txt").write_text(text.replace(
        "---\n", "---\nsuppress:\n  - {rule: empathy.delay_apology, reason: the post was slow}\n", 1))
    (folder / "plain.txt").write_text(text)
    db = open_db(tmp_path / "import.db")
    try:
        migrate(db)
        report = bulk.import_folder(db, folder, "north")
        assert report.stored == ["plain.txt"]
        assert [name for name, _ in report.failed] == ["late.txt"]
        assert "'suppress'" in report.failed[0][1] and "not a problem" in report.failed[0][1]
        assert db.execute("SELECT count(*) FROM letters").fetchone()[0] == 1
    finally:
        db.close()


def test_check_page_refuses_an_uploaded_file_with_suppress(server):
    with signed_in(server) as web:
        page = web.get("/check")
        text = SAMPLE.read_text().replace(
            "---\n", "---\nsuppress:\n  - {rule: empathy.delay_apology, reason: the post was slow}\n", 1)
        before = letter_count(server)
        r = web.post("/check", data={"csrf_token": csrf(page.text)},
                     files={"file": ("late.txt", text.encode(), "text/plain")})
        assert r.status_code == 400
        assert "suppress" in r.text and "not a problem" in r.text
        assert letter_count(server) == before


# --- 5. one standing mark per finding; a restore says what it did ------------------------------

def test_a_second_mark_for_the_same_finding_is_409(api):
    letter_id = new_letter(api)
    first = api.post(f"/letters/{letter_id}/suppressions",
                     json={"rule": "empathy.delay_apology", "reason": "the decision was sent by phone first"})
    assert first.status_code == 201
    again = api.post(f"/letters/{letter_id}/suppressions",
                     json={"rule": "empathy.delay_apology", "reason": "another reason given here"})
    assert again.status_code == 409
    message = again.json()["error"]["message"]
    assert "already marked not a problem" in message and "Sam Staff" in message and "restore" in message
    # a wording of a check already set aside as a whole adds nothing either
    passive = api.post(f"/letters/{letter_id}/suppressions",
                       json={"rule": "readability.passive", "reason": "quoted from the court"})
    assert passive.status_code == 201
    worded = api.post(f"/letters/{letter_id}/suppressions",
                      json={"rule": "readability.passive", "term": "was charged", "reason": "quoted from the charge sheet"})
    assert worded.status_code == 409
    # the same wording twice, in other quotes and case, is one mark
    other = new_letter(api)
    assert api.post(f"/letters/{other}/suppressions", json={
        "rule": "readability.passive", "term": "was charged", "reason": "quoted from the charge sheet"}).status_code == 201
    assert api.post(f"/letters/{other}/suppressions", json={
        "rule": "readability.passive", "term": "Was Charged", "reason": "quoted from the charge sheet"}).status_code == 409
    rows = api.get(f"/letters/{other}").json()["suppressions"]
    assert len([s for s in rows if not s["revoked_at"]]) == 1


def test_restore_counts_the_finding_again_even_with_old_duplicates(api, server):
    letter_id = new_letter(api)
    first = api.post(f"/letters/{letter_id}/suppressions",
                     json={"rule": "empathy.delay_apology", "reason": "sent by phone the same day"}).json()
    with sqlite3.connect(server.db) as db:  # a duplicate kept from before they were refused
        db.execute("INSERT INTO suppressions (letter_id, rule, term, reason, user_id, created_at)"
                   " SELECT letter_id, rule, term, 'again', user_id, created_at FROM suppressions WHERE id = ?",
                   [first["id"]])
        twin = db.execute("SELECT max(id) FROM suppressions").fetchone()[0]
    r = api.delete(f"/letters/{letter_id}/suppressions/{twin}")
    assert r.status_code == 200
    body = r.json()
    assert body["restored"] and body["also_restored"] == [first["id"]] and body["counts_again"] is True
    assert not any(f["suppressed"] for f in found(body["result"], "empathy.delay_apology"))
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["score"] == 73
    assert all(s["revoked_at"] for s in letter["suppressions"])
    assert api.delete(f"/letters/{letter_id}/suppressions/{first['id']}").status_code == 409


def _worded_then_whole(api) -> tuple[int, int]:
    """A letter with 'was charged' marked, then the whole passive check: (letter, worded mark)."""
    letter_id = new_letter(api)
    worded = api.post(f"/letters/{letter_id}/suppressions", json={
        "rule": "readability.passive", "term": "was charged", "reason": "quoted from the charge sheet"})
    assert worded.status_code == 201
    assert api.post(f"/letters/{letter_id}/suppressions", json={
        "rule": "readability.passive", "reason": "the whole letter quotes the court"}).status_code == 201
    return letter_id, worded.json()["id"]


def test_restore_says_when_another_mark_still_sets_the_finding_aside(api, server):
    letter_id, worded = _worded_then_whole(api)
    r = api.delete(f"/letters/{letter_id}/suppressions/{worded}").json()
    assert r["restored"] and r["counts_again"] is False and r["also_restored"] == []
    assert all(f["suppressed"] for f in found(r["result"], "readability.passive"))
    # on the page: no "counts again" when it does not
    letter_id, worded = _worded_then_whole(api)
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}")
        r = web.post(f"/letters/{letter_id}/suppressions/{worded}/restore", data={"csrf_token": csrf(page.text)})
        assert r.status_code == 303 and r.headers["location"].endswith("saved=restored-still")
        shown = web.get(r.headers["location"]).text
    assert "still does not count" in shown and "that finding counts again" not in shown


def test_web_form_refuses_a_second_mark_with_the_reason(server, api):
    letter_id = new_letter(api)
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}")
        data = {"csrf_token": csrf(page.text), "rule": "empathy.delay_apology", "reason": "posted by hand on the 20th"}
        assert web.post(f"/letters/{letter_id}/suppressions", data=data).status_code == 303
        r = web.post(f"/letters/{letter_id}/suppressions", data={**data, "reason": "again, by hand on the 20th"})
        assert r.status_code == 409
        assert "already marked not a problem" in r.text and "posted by hand on the 20th" in r.text
    assert len(api.get(f"/letters/{letter_id}").json()["suppressions"]) == 1


# --- 9. restored marks stay on the letter page --------------------------------------------------

def test_letter_page_shows_restored_marks_with_who_and_when(server, api):
    letter_id = new_letter(api)
    mark = api.post(f"/letters/{letter_id}/suppressions", json={
        "rule": "empathy.delay_apology", "reason": "the victim was told by phone on the 20th"}).json()
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["mia"]), timeout=60) as mgr:
        assert mgr.delete(f"/letters/{letter_id}/suppressions/{mark['id']}").status_code == 200
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}").text
    section = page[page.index('id="restored-marks"'):]
    section = section[:section.index("</details>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "then restored (1)" in text
    assert "No apology for lateness" in text and "the victim was told by phone on the 20th" in text
    assert "Marked not a problem by Sam Staff" in text and "Restored by Mia Manager" in text


# --- 10. reasons in words, wording from the letter ---------------------------------------------

@pytest.mark.parametrize("reason", [".", "x", " - ", "??", "bad\u0000\u001b[31m", "fine\u202e"])
def test_reasons_without_words_or_with_control_characters_are_refused(api, reason):
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": "empathy.delay_apology", "reason": reason})
    assert r.status_code == 422 and field_of(r) == ["reason"]
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []


def test_tabs_and_line_breaks_in_a_reason_become_spaces(api):
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions",
                 json={"rule": "empathy.delay_apology", "reason": "  told by phone\n\ton the 20th  "})
    assert r.status_code == 201 and r.json()["reason"] == "told by phone on the 20th"


@pytest.mark.parametrize("rule, term, says", [
    ("readability.passive", "zzzz", "\u201cwas charged\u201d, \u201cwere found\u201d"),
    ("empathy.delay_apology", "late", "leave out the wording"),
    ("readability.jargon", "prior to", "found nothing"),
    ("readability.passive", "   ", "leave out the wording"),
])
def test_a_wording_the_letter_does_not_hold_is_refused(api, rule, term, says):
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": rule, "term": term, "reason": "quoted from the charge sheet"})
    assert r.status_code == 422 and field_of(r) == ["term"]
    assert says in r.json()["error"]["message"]
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []


def test_a_wording_the_letter_holds_is_accepted_in_any_case(api):
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions",
                 json={"rule": "readability.passive", "term": "WAS CHARGED", "reason": "quoted from the charge"})
    assert r.status_code == 201
    passive = {f["text"]: f["suppressed"] for f in found(r.json()["result"], "readability.passive")}
    assert passive == {"was charged": True, "were found": False}


def test_web_form_refuses_a_reason_without_words(server, api):
    letter_id = new_letter(api)
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}")
        r = web.post(f"/letters/{letter_id}/suppressions",
                     data={"csrf_token": csrf(page.text), "rule": "empathy.delay_apology", "reason": "."})
        assert r.status_code == 400
        assert "Not a problem: say why this finding is not a problem here in at least 3 words" in r.text
        r = web.post(f"/letters/{letter_id}/suppressions",
                     data={"csrf_token": csrf(page.text), "rule": "empathy.delay_apology", "reason": "ok\u001b[31m"})
        assert r.status_code == 400 and "cannot be seen or printed (U+001B ESCAPE)" in r.text
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []


def _not_a_problem_boxes(page: str) -> dict[str, dict]:
    """Card number -> its "Not a problem" box: rule, words (term), whether it is open, the reason in it."""
    out = {}
    for opened, form in re.findall(r'<details class="not-a-problem"( open)?>(.*?)</details>', page, re.S):
        field = {k: re.search(rf'name="{k}" value="([^"]*)"', form) for k in ("rule", "n", "term")}
        value = re.search(r'name="reason"[^>]*?value="([^"]*)"', form)
        out[field["n"].group(1)] = {"rule": field["rule"].group(1), "open": bool(opened),
                                    "term": field["term"].group(1) if field["term"] else None,
                                    "reason": value.group(1) if value else None}
    return out


@pytest.mark.parametrize("worded", [False, True])  # a check on the whole letter, or on some words
@pytest.mark.parametrize("send_n", [True, False])  # without n: a form built before the page had it
def test_a_refused_reason_links_to_its_box_shown_open_with_the_reason_kept(server, api, send_n, worded):
    """Review 9: the error summary was not a link and the box was closed again, so on a phone
    the writer had to scroll to find which finding it was about."""
    letter_id = new_letter(api)
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}")
        boxes = _not_a_problem_boxes(page.text)
        assert len(boxes) > 1 and not any(b["open"] for b in boxes.values())
        n = next(k for k, b in boxes.items() if (b["term"] is not None) == worded
                 and (worded or b["rule"] == "empathy.delay_apology"))
        box = boxes[n]
        data = {"csrf_token": csrf(page.text), "rule": box["rule"], "reason": "x"}
        if box["term"] is not None:
            data["term"] = html.unescape(box["term"])
        r = web.post(f"/letters/{letter_id}/suppressions", data={**data, "n": n} if send_n else data)
    assert r.status_code == 400
    summary = re.search(r'<div class="error-summary".*?</div>', r.text, re.S).group(0)
    assert re.search(rf'<a href="#reason-{n}">Not a problem: say why this finding is not a problem here in at least 3 words', summary)
    after = _not_a_problem_boxes(r.text)
    assert after[n] == {**box, "open": True, "reason": "x"}  # open, with what was typed
    assert [k for k, b in after.items() if b["open"]] == [n]  # only that one
    assert re.search(rf'id="reason-{n}-error">.*?in at least 3 words', r.text, re.S)
    assert f'aria-describedby="reason-{n}-hint reason-{n}-error"' in r.text
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []


def test_check_page_refuses_an_uploaded_file_with_an_unknown_detail(server):
    """The check page read an uploaded file's details and ignored one it did not know, where
    `vcl-qa score` refuses the same file (second review)."""
    with signed_in(server) as web:
        page = web.get("/check")
        text = SAMPLE.read_text().replace("---\n", "---\nvictim_nmae: Ms Jo Bell\n", 1)
        before = letter_count(server)
        r = web.post("/check", data={"csrf_token": csrf(page.text)},
                     files={"file": ("typo.txt", text.encode(), "text/plain")})
        assert r.status_code == 400
        assert "victim_nmae" in r.text and "does not know" in r.text
        assert letter_count(server) == before


# --- review 8: a mark that cannot be made ------------------------------------------------------

def test_lateness_cannot_be_marked_not_a_problem(api, server):
    """A late letter marked "not a problem" showed "On time 100" and "Good" beside "3 working
    days late": lateness comes from the dates, so the mark is refused (API and page), and a mark
    stored before counts no more. (A training exercise's own details may still set lateness
    aside: "the letter is already late; say sorry for the delay".)"""
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": "timeliness.late", "reason": "the post was slow"})
    assert r.status_code == 422 and field_of(r) == ["rule"]
    assert "worked out from the letter's dates" in r.json()["error"]["message"]
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}")
        # the page offers no mark for it, and says what to do instead
        assert 'name="rule" value="timeliness.late"' not in page.text
        assert 'name="rule" value="empathy.delay_apology"' in page.text
        assert "This comes from the letter&#39;s dates" in page.text or "This comes from the letter's dates" in page.text
        assert '"unmarkable_rules": ["timeliness.late"]' in page.text
        r = web.post(f"/letters/{letter_id}/suppressions",
                     data={"csrf_token": csrf(page.text), "rule": "timeliness.late", "reason": "the post was slow"})
        assert r.status_code == 400 and "a letter sent late stays late" in r.text
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []
    # a mark stored before it was refused no longer sets lateness aside
    with sqlite3.connect(server.db) as db:
        db.execute("INSERT INTO suppressions (letter_id, rule, term, reason, user_id, created_at)"
                   " VALUES (?, 'timeliness.late', NULL, 'old mark', 1, '2025-01-01T00:00:00')", [letter_id])
    rescored = api.post(f"/letters/{letter_id}/suppressions",
                        json={"rule": "readability.passive", "reason": "quoted from the court"}).json()["result"]
    assert found(rescored, "timeliness.late") and not any(f["suppressed"] for f in found(rescored, "timeliness.late"))


def test_a_check_that_found_nothing_cannot_be_marked(api):
    """A mark for a whole check with no finding in the latest version (the review right, before
    it was taken out) would set aside the problem unseen when it came: refused."""
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": "content.vrr", "reason": "because reasons are given"})
    assert r.status_code == 422 and field_of(r) == ["rule"]
    assert "found nothing in this letter's latest version" in r.json()["error"]["message"]
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []


# --- 11. a reason someone can act on; when, to the minute (review 10a, finding 15) ---------------

@pytest.mark.parametrize("reason", ["ok", "fine", "not needed", "ok ok ok", "it is ok"])
def test_a_reason_nobody_can_act_on_is_refused(server, api, reason):
    letter_id = new_letter(api)
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": "empathy.delay_apology", "reason": reason})
    assert r.status_code == 422 and field_of(r) == ["reason"]
    assert "in at least 3 words (12 letters or more)" in r.json()["error"]["message"]
    with signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}")
        r = web.post(f"/letters/{letter_id}/suppressions",
                     data={"csrf_token": csrf(page.text), "rule": "empathy.delay_apology", "reason": reason})
    assert r.status_code == 400
    assert "so that someone reading it later can check it" in html.unescape(r.text)
    assert api.get(f"/letters/{letter_id}").json()["suppressions"] == []
    from vcl_qa.letters import service
    assert (service.MIN_REASON_WORDS, service.MIN_REASON_LETTERS) == (3, 12)


def test_marks_say_when_to_the_minute_in_uk_time_on_the_pages_and_in_the_csv(server, api):
    """Marked at 13:05 UTC on 10 June 2025 (14:05 in the UK, summer time): the letter page said
    the day only for a mark (the restored line had a time, in UTC), the set-aside page and CSV the
    day only, and the CSV's headers were codes ("letter,team,check,rule,...")."""
    letter_id = new_letter(api)
    mark = api.post(f"/letters/{letter_id}/suppressions", json={
        "rule": "empathy.delay_apology", "reason": "the victim was told by phone on the 20th"}).json()
    with sqlite3.connect(server.db) as db:
        db.execute("UPDATE suppressions SET created_at = '2025-06-10T13:05:00+00:00' WHERE id = ?", [mark["id"]])
    with signed_in(server) as web:
        page = re.sub(r"\s+", " ", web.get(f"/letters/{letter_id}").text)
        assert "Not a problem, said Sam Staff on Tuesday 10 June 2025, 14:05:" in page
        listed = re.sub(r"\s+", " ", web.get("/letters/set-aside").text)
        row = listed[listed.index(f'href="/letters/{letter_id}"'):]
        assert re.search(r"<td>Tuesday 10 June 2025, 14:05</td>", row[:row.index("</tr>")])
        lines = web.get("/letters/set-aside.csv").text.splitlines()
        assert lines[0] == "Letter,Team,Check,Words,Finding,Reason,Marked by,Marked (UK time),Check code"
        mine = next(line for line in lines[1:] if line.startswith(f"{letter_id},"))
        assert mine.startswith(f"{letter_id},north,No apology for lateness,")
        assert mine.endswith(",the victim was told by phone on the 20th,Sam Staff,2025-06-10 14:05,empathy.delay_apology")
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["mia"]), timeout=60) as mgr:
        assert mgr.delete(f"/letters/{letter_id}/suppressions/{mark['id']}").status_code == 200
    with sqlite3.connect(server.db) as db:
        db.execute("UPDATE suppressions SET revoked_at = '2025-06-11T08:30:00+00:00' WHERE id = ?", [mark["id"]])
    with signed_in(server) as web:
        page = re.sub(r"\s+", " ", web.get(f"/letters/{letter_id}").text)
    assert ("Marked not a problem by Sam Staff on Tuesday 10 June 2025, 14:05: “the victim was told by phone "
            "on the 20th”. Restored by Mia Manager on Wednesday 11 June 2025, 09:30.") in page


def test_a_should_fix_problem_marked_not_a_problem_is_listed_for_managers_too(server, api):
    """Review 10a, finding 6: the old "five working days" review deadline (a should-fix) set aside
    showed nowhere a manager looks: the set-aside page and its CSV list should-fix ones too."""
    from vcl_qa import Letter

    letter = Letter.from_file(SAMPLE)
    text = letter.text.replace("10 working days", "five working days")
    assert text != letter.text
    body = {"text": text, "context": letter.context.model_dump(mode="json", exclude_none=True)}
    letter_id = api.post("/letters", json=body).json()["id"]
    found = api.get(f"/letters/{letter_id}").json()["result"]["findings"]
    assert any(f["rule"] == "content.vrr_time_limit" and f["severity"] == "warning" for f in found)
    api.post(f"/letters/{letter_id}/suppressions", json={
        "rule": "content.vrr_time_limit", "reason": "agreed with the team leader today"})
    with signed_in(server, "mia") as web:
        must = web.get("/letters/set-aside").text
        assert 'href="/letters/set-aside?severity=warning"' in must
        should = re.sub(r"\s+", " ", web.get("/letters/set-aside?severity=warning").text)
        assert "Should-fix problems marked “not a problem”" in should
        assert f'href="/letters/{letter_id}"' in should and "agreed with the team leader today" in should
        rows = web.get("/letters/set-aside.csv?severity=warning").text.splitlines()
        assert any(r.startswith(f"{letter_id},") and r.endswith(",content.vrr_time_limit") for r in rows)


def test_a_suggestion_marked_not_a_problem_is_listed_and_an_unknown_kind_is_said(server, api):
    """A manager's review: `/letters/set-aside?severity=suggestion` (and its CSV) showed the
    must-fix list instead, as if it had been asked for; a suggestion marked "not a problem"
    could be listed nowhere. Now it is listed, and a kind that does not exist is an error
    that says so (400), on the page and for the CSV."""
    letter_id = new_letter(api)
    found = api.get(f"/letters/{letter_id}").json()["result"]["findings"]
    rule = next(f["rule"] for f in found if f["severity"] == "suggestion" and not f["suppressed"])
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": rule, "reason": "our house style allows it"})
    assert r.status_code == 201, r.text
    with signed_in(server, "mia") as web:
        page = web.get("/letters/set-aside?severity=suggestion")
        assert page.status_code == 200
        words = re.sub(r"\s+", " ", html.unescape(page.text))
        assert "Suggestions (worth a look) marked “not a problem”" in words
        assert "Must-fix problems marked “not a problem”</h1>" not in words
        assert f'href="/letters/{letter_id}"' in page.text and "our house style allows it" in words
        assert 'href="/letters/set-aside.csv?severity=suggestion"' in page.text
        rows = web.get("/letters/set-aside.csv?severity=suggestion").text.splitlines()
        assert any(r.startswith(f"{letter_id},") and r.endswith(f",{rule}") for r in rows)
        must = web.get("/letters/set-aside.csv").text.splitlines()
        assert not any(r.endswith(f",{rule}") for r in must)
        assert 'href="/letters/set-aside?severity=suggestion"' in web.get("/letters/set-aside").text
        bad = web.get("/letters/set-aside?severity=critical")
        assert bad.status_code == 400
        said = re.sub(r"\s+", " ", html.unescape(bad.text))
        assert "'critical' is not a kind of problem" in said and "severity=suggestion" in said
        assert 'id="set-aside-count"' not in bad.text  # no list passed off as the one asked for
        csv_bad = web.get("/letters/set-aside.csv?severity=critical")
        assert csv_bad.status_code == 400 and "'critical' is not a kind of problem" in csv_bad.text
