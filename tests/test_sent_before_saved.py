"""A letter marked sent on a day before it was first saved here (a manager's review: letter 4, a
draft first saved on 1 April for a decision due on 8 January, was marked sent on 8 January through
the API and on the pages, then read "Sent on time": its score, the register, the dashboard's
on-time rate all moved, and nothing flagged it). A letter written in Word, sent, and saved here
afterwards to record it is honest: such a day is taken only with the reason (the API's
`sent_before_saved_reason`, the send form's box), kept with the mark, in the audit log, on the
letter's page and in GET /letters/{id}; the dashboard counts them and links to the list. A day on
or after the first save needs nothing new, and `vcl-qa import --sent` (the file's letter_date)
asks for nothing. Against the real server and SQLite file; "today" is the UK's (vcl_qa.clock)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest

from vcl_qa import Letter, clock
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.engine.dates import long_date
from vcl_qa.letters import bulk, service, store
from vcl_qa.reports import dashboard

from live_server import ROOT, SAMPLES, LiveServer, form_token, page_words, site_fixtures
from web_site import field_error, signed_in, visible_text

TODAY = clock.today()
DECIDED = TODAY - dt.timedelta(days=40)  # enhanced rights: due the next working day, long past
SAMPLE = Letter.from_file(SAMPLES / "01_good_discontinued_assault_standard.txt")
WHY = "written in Word and posted that day, saved here two days later to record it"


def context(**changes) -> dict:
    ctx = SAMPLE.context.model_dump(mode="json", exclude_none=True)
    ctx.update(decision_date=DECIDED.isoformat(), victim_category="enhanced")
    ctx.pop("letter_date", None)
    ctx.update(changes)
    return {k: v for k, v in ctx.items() if v is not None}


server, api, web = site_fixtures("beforesaved", {"sam": ("Sam Staff", "staff", "north")}, "sam")


def draft(api, **changes) -> int:
    r = api.post("/letters", json={"text": SAMPLE.text, "context": context(**changes)})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def first_saved_on(server, letter_id: int, day: dt.date) -> None:
    """The letter first saved (its version, its result) on `day`, UK morning."""
    stamp = f"{day.isoformat()}T09:00:00+00:00"
    with sqlite3.connect(server.db) as db:
        for table, column in (("letters", "id"), ("versions", "letter_id"), ("results", "letter_id")):
            db.execute(f"UPDATE {table} SET created_at = ? WHERE {column} = ?", [stamp, letter_id])


def status_of(server, letter_id: int) -> tuple:
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT status, sent_date, sent_before_saved_reason FROM letters WHERE id = ?",
                          [letter_id]).fetchone()


def sent_entries(server, letter_id: int) -> list[dict]:
    with sqlite3.connect(server.db) as db:
        return [json.loads(d or "{}") for (d,) in db.execute(
            "SELECT detail FROM audit_log WHERE action = 'letter.sent' AND object_id = ? ORDER BY id", [letter_id])]


def test_the_api_refuses_a_day_before_the_first_save_without_a_reason_and_keeps_one_given(api, server):
    letter_id = draft(api)  # the review's letter: saved today, no date of its own
    r = api.post(f"/letters/{letter_id}/sent", json={"sent_date": DECIDED.isoformat()})
    assert r.status_code == 422
    error = r.json()["error"]
    assert [d["field"] for d in error["details"]] == ["sent_before_saved_reason"]
    assert (f"letter {letter_id} was first saved here on {long_date(TODAY)}, after the day given for sending "
            f"it ({long_date(DECIDED)}); if it really went out before it was saved here, say so and why in "
            "sent_before_saved_reason") in error["message"]
    assert status_of(server, letter_id) == ("draft", None, None)
    # a reason that says nothing is refused, as a "not a problem" reason is
    r = api.post(f"/letters/{letter_id}/sent", json={"sent_date": DECIDED.isoformat(), "sent_before_saved_reason": "ok"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "sent_before_saved_reason"
    assert "in at least 3 words (12 letters or more)" in r.json()["error"]["message"]
    assert status_of(server, letter_id) == ("draft", None, None)
    # with it: sent that day, and the letter says so, with the reason and who gave it
    r = api.post(f"/letters/{letter_id}/sent", json={"sent_date": DECIDED.isoformat(), "sent_before_saved_reason": WHY})
    assert r.status_code == 200, r.text
    for got in (r.json(), api.get(f"/letters/{letter_id}").json()):
        assert (got["status"], got["sent_date"], got["sent_by"]) == ("sent", DECIDED.isoformat(), "Sam Staff")
        assert (got["sent_before_saved"], got["sent_before_saved_reason"], got["first_saved_on"]) == \
            (True, WHY, TODAY.isoformat())
    assert sent_entries(server, letter_id) == [{"sent_date": DECIDED.isoformat(), "first_saved_on": TODAY.isoformat(),
                                                "sent_before_saved_reason": WHY}]
    # sent again after a timeout: already sent (409, status), not a 422 asking why
    again = api.post(f"/letters/{letter_id}/sent", json={"sent_date": DECIDED.isoformat()})
    assert again.status_code == 409 and again.json()["error"]["details"][0]["field"] == "status"
    # the default day (its own date) before the first save asks too
    dated = draft(api, letter_date=DECIDED.isoformat())
    r = api.post(f"/letters/{dated}/sent")
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "sent_before_saved_reason"


def test_a_day_on_or_after_the_first_save_needs_nothing_new(api, server):
    first = TODAY - dt.timedelta(days=10)
    on_the_day, later, before = draft(api), draft(api), draft(api)
    for letter_id in (on_the_day, later, before):
        first_saved_on(server, letter_id, first)
    r = api.post(f"/letters/{on_the_day}/sent", json={"sent_date": first.isoformat()})
    assert r.status_code == 200, r.text
    assert (r.json()["sent_before_saved"], r.json()["sent_before_saved_reason"], r.json()["first_saved_on"]) == \
        (False, None, first.isoformat())
    assert sent_entries(server, on_the_day) == [{"sent_date": first.isoformat()}]  # as it always was
    # a reason given when none is needed is not kept
    r = api.post(f"/letters/{later}/sent", json={"sent_date": TODAY.isoformat(), "sent_before_saved_reason": WHY})
    assert r.status_code == 200 and (r.json()["sent_before_saved"], r.json()["sent_before_saved_reason"]) == (False, None)
    assert status_of(server, later) == ("sent", TODAY.isoformat(), None)
    # the day before the first save is asked about
    r = api.post(f"/letters/{before}/sent", json={"sent_date": (first - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "sent_before_saved_reason"
    # none of them is listed as marked sent before it was saved here
    listed = {d["id"] for d in api.get("/letters", params={"sent_before_saved": "true", "limit": 500}).json()["data"]}
    assert not listed & {on_the_day, later, before}


def test_the_send_page_asks_why_refuses_without_it_and_then_accepts(api, web, server):
    letter_id = draft(api, letter_date=DECIDED.isoformat())  # dated the day of the decision: on time then
    send = web.get(f"/letters/{letter_id}/send")
    assert send.status_code == 200
    # its own date is filled in, and is before it was saved here: the question is on the form
    asked = (f"This letter was first saved here on {long_date(TODAY)}, after the date filled in above "
             f"({long_date(DECIDED)}). If it went out before it was saved here, say so and why:")
    assert asked in page_words(send.text)
    form = {"csrf_token": form_token(send.text), "seen": "", "sent_date-day": str(DECIDED.day),
            "sent_date-month": str(DECIDED.month), "sent_date-year": str(DECIDED.year)}
    r = web.post(f"/letters/{letter_id}/sent", data=form)
    assert r.status_code == 400
    said = (f"The date it was sent ({long_date(DECIDED)}) is before this letter was first saved here "
            f"({long_date(TODAY)}): say why it went out first, or give the day it went out.")
    summary = re.search(r'id="error-summary">(.*?)</div>', r.text, re.S).group(1)
    assert '<a href="#sent_before_saved_reason">' in summary and said in visible_text(summary)
    assert field_error(r.text, "sent_before_saved_reason") == said
    assert (f"This letter was first saved here on {long_date(TODAY)}, after the date you gave ({long_date(DECIDED)}). "
            "If it went out before it was saved here, say so and why:") in page_words(r.text)
    assert f'id="sent_date-day" name="sent_date-day" type="text" inputmode="numeric" autocomplete="off" ' \
           f'class="width-2 " value="{DECIDED.day}"' in r.text  # the date as typed
    assert status_of(server, letter_id) == ("draft", None, None)
    # a reason that says nothing: refused, with what was typed kept
    r = web.post(f"/letters/{letter_id}/sent", data={**form, "sent_before_saved_reason": "sent ok"})
    assert r.status_code == 400
    assert field_error(r.text, "sent_before_saved_reason").startswith(
        "Say why the letter went out before it was first saved here in at least 3 words (12 letters or more)")
    assert re.search(r'<textarea id="sent_before_saved_reason"[^>]*>sent ok</textarea>', r.text)
    assert status_of(server, letter_id) == ("draft", None, None)
    # with the reason: marked sent, and the letter's page says when, before what, why and who
    r = web.post(f"/letters/{letter_id}/sent", data={**form, "sent_before_saved_reason": WHY})
    assert r.status_code == 303 and r.headers["location"].endswith("saved=sent")
    assert status_of(server, letter_id) == ("sent", DECIDED.isoformat(), WHY)
    page = web.get(f"/letters/{letter_id}").text
    line = visible_text(re.search(r'<p [^>]*id="sent-before-saved">.*?</p>', page, re.S).group(0)).strip()
    assert line == (f"Marked sent on {long_date(DECIDED)}, before it was first saved here on {long_date(TODAY)}: "
                    f"“{WHY}”, by Sam Staff.")


def test_the_send_page_asks_nothing_new_for_a_day_on_or_after_the_first_save(api, web, server):
    letter_id = draft(api, letter_date=TODAY.isoformat())
    send = web.get(f"/letters/{letter_id}/send")
    assert "sent_before_saved_reason" not in send.text and "first saved here" not in send.text
    seen = re.search(r'name="seen" value="([^"]*)"', send.text).group(1)  # late today: the tick, as before
    r = web.post(f"/letters/{letter_id}/sent", data={"csrf_token": form_token(send.text), "seen": seen, "confirm": "yes",
                                                     "sent_date-day": str(TODAY.day), "sent_date-month": str(TODAY.month),
                                                     "sent_date-year": str(TODAY.year)})
    assert r.status_code == 303
    assert 'id="sent-before-saved"' not in web.get(f"/letters/{letter_id}").text
    got = api.get(f"/letters/{letter_id}").json()
    assert (got["sent_before_saved"], got["sent_before_saved_reason"], got["first_saved_on"]) == \
        (False, None, TODAY.isoformat())


def letter_file(path, *, letter_date: dt.date, urn: str) -> None:
    body = (SAMPLES / "01_good_discontinued_assault_standard.txt").read_text().split("---\n", 2)[2]
    path.write_text(f"---\ndecision: discontinued\ndecision_date: {DECIDED}\nletter_date: {letter_date}\n"
                    f"victim_category: standard\nurn: {urn}\nvictim_name: Mr Tomasz Nowak\n---\n{body}")


def cli(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db), "COLUMNS": "300"},
                          capture_output=True, text=True, timeout=300)


def test_import_sent_of_old_letters_still_needs_no_reason(tmp_path):
    folder = tmp_path / "imp"
    folder.mkdir()
    letter_file(folder / "new.txt", letter_date=DECIDED, urn="N7")
    db_path = tmp_path / "vcl_qa.db"
    first = cli(db_path, "import", str(folder), "--sent", "--team", "north")  # a new file, stored as sent
    assert first.returncode == 0, first.stderr
    assert "Stored 1, new versions 0, marked sent 1, already there 0, failed 0" in " ".join(first.stderr.split())
    letter_file(folder / "draft.txt", letter_date=DECIDED + dt.timedelta(days=1), urn="N8")
    assert cli(db_path, "import", str(folder), "--team", "north").returncode == 0  # stored as a draft
    again = cli(db_path, "import", str(folder), "--sent", "--team", "north")  # then marked sent
    assert again.returncode == 0, again.stderr
    assert "marked sent 1, already there 1, failed 0" in " ".join(again.stderr.split())
    db = open_db(db_path)
    try:
        rows = list(db.query("SELECT * FROM letters ORDER BY id"))
        assert [(r["source"], r["status"], r["sent_date"], r["sent_by_import"], r["sent_before_saved_reason"])
                for r in rows] == [("new.txt", "sent", DECIDED.isoformat(), 1, None),
                                   ("draft.txt", "sent", (DECIDED + dt.timedelta(days=1)).isoformat(), 1, None)]
        # the file's letter_date, not a person's word: neither counts as marked sent before it was saved here
        assert not any(store.sent_before_saved(r) for r in rows)
        assert dashboard.sent_before_saved(db) == 0
    finally:
        db.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Marked sent before first saved here: B with a reason, O before reasons were asked for (none
    kept); not: N sent the day it was saved, I imported as sent, D a draft."""
    path = tmp_path_factory.mktemp("before-saved-dashboard") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    token = add_user(db, "manager", "manager")[1]
    ids = {name: service.submit(db, staff, SAMPLE.text, context(), team="east")["id"] for name in "BOND"}
    service.mark_sent(db, staff, ids["B"], DECIDED, WHY)
    store.record_sent(db, staff, ids["O"], DECIDED.isoformat())  # as marked before reasons were asked for
    service.mark_sent(db, staff, ids["N"], TODAY)
    folder = tmp_path_factory.mktemp("before-saved-import")
    letter_file(folder / "old.txt", letter_date=DECIDED, urn="E1")
    ids["I"] = service.submit(db, bulk.Actor(), SAMPLE.text, {**context(), "letter_date": DECIDED.isoformat()},
                              team="east", source="old.txt", sent_date=DECIDED.isoformat())["id"]
    db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "ids": ids}
    server.stop()


def test_the_dashboard_counts_them_and_links_to_the_list(site):
    client = signed_in(site, "manager")
    page = client.get("/dashboard")
    assert page.status_code == 200
    line = re.search(r'<p [^>]*id="sent-before-saved">.*?</p>', page.text, re.S).group(0)
    assert visible_text(line).replace(" :", ":").strip().startswith(
        "2 letters marked sent on a date before they were first saved here: their sent dates, and so whether "
        "they were on time, rest on the word of whoever marked them.")
    link = re.search(r'href="([^"]+)" id="sent-before-saved-link"', line).group(1)
    assert link == "/letters?sent_before_saved=yes"
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert "2 letters found." in visible_text(listed.text)
    rows = re.findall(r'<a href="/letters/(\d+)">Letter', listed.text)
    assert sorted(map(int, rows)) == sorted([site["ids"]["B"], site["ids"]["O"]])
    text = visible_text(listed.text)
    assert f"before it was first saved here on {long_date(TODAY)}: “{WHY}”" in text
    assert f"before it was first saved here on {long_date(TODAY)}: no reason recorded" in text
    assert 'id="sent_before_saved" name="sent_before_saved" value="yes" checked' in listed.text
    # the API's list gives the same letters; a team with none has no line on the dashboard
    api = {"Authorization": f"Bearer {site['tokens']['manager']}"}
    got = client.get("/api/v1/letters", params={"sent_before_saved": "true"}, headers=api).json()
    assert sorted(d["id"] for d in got["data"]) == sorted([site["ids"]["B"], site["ids"]["O"]])
    old = client.get(f"/api/v1/letters/{site['ids']['O']}", headers=api).json()
    assert (old["sent_before_saved"], old["sent_before_saved_reason"]) == (True, None)
    page = client.get(f"/letters/{site['ids']['O']}").text
    assert "before it was first saved here on" in page and "no reason recorded" in page
    assert 'id="sent-before-saved"' not in client.get("/dashboard", params={"decision": "not_charged"}).text


def test_a_purge_takes_the_reason_with_the_letters_text(tmp_path):
    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    try:
        staff = add_user(db, "sam", "staff", "north")[0]
        letter_id = service.submit(db, staff, SAMPLE.text, context(), team="north")["id"]
        service.mark_sent(db, staff, letter_id, DECIDED, WHY)
        assert bulk.purge(db, 10) == [letter_id]  # by its sent date: 40 days ago
        row = store.letter_row(db, letter_id)
        assert row["sent_before_saved_reason"] == "(purged)" and store.sent_before_saved(row)
        entries = [json.loads(d) for (d,) in db.execute(
            "SELECT detail FROM audit_log WHERE action = 'letter.sent' AND object_id = ?", [letter_id])]
        assert entries == [{"sent_date": DECIDED.isoformat(), "first_saved_on": TODAY.isoformat(),
                            "sent_before_saved_reason": "(purged)"}]
    finally:
        db.close()


def test_the_api_list_gives_each_letter_s_mark_and_reason_as_docs_api_md_says(api, server):
    """GET /letters?sent_before_saved=true listed the letters without saying why any went out
    first (docs/api.md: "a mark made before the reason was asked for is listed with
    `sent_before_saved_reason: null`"): each row now carries `first_saved_on`,
    `sent_before_saved` and `sent_before_saved_reason`, as GET /letters/{id} does."""
    given = draft(api)
    r = api.post(f"/letters/{given}/sent", json={"sent_date": DECIDED.isoformat(), "sent_before_saved_reason": WHY})
    assert r.status_code == 200, r.text
    older = draft(api)  # marked before a reason was asked for: no reason stored
    with sqlite3.connect(server.db) as db:
        db.execute("UPDATE letters SET status = 'sent', sent_date = ? WHERE id = ?", [DECIDED.isoformat(), older])
    plain = draft(api)
    rows = {row["id"]: row for row in api.get("/letters", params={"sent_before_saved": "true"}).json()["data"]}
    assert rows[given]["sent_before_saved"] is True and rows[given]["sent_before_saved_reason"] == WHY
    assert rows[given]["first_saved_on"] == TODAY.isoformat()
    assert rows[older]["sent_before_saved"] is True and rows[older]["sent_before_saved_reason"] is None
    assert plain not in rows
    others = {row["id"]: row for row in api.get("/letters", params={"sent_before_saved": "false"}).json()["data"]}
    assert others[plain]["sent_before_saved"] is False and others[plain]["sent_before_saved_reason"] is None


def test_the_letters_csv_flags_them_without_the_reason(api, web, server):
    """A review: the letters CSV read "On time: Yes" for such a letter with nothing to flag it.
    A column says so, with the day it was first saved here; the reason (it may name people)
    stays on the letter's page, as the CSV carries no names or text."""
    import csv
    import io

    back = draft(api)
    assert api.post(f"/letters/{back}/sent", json={"sent_date": DECIDED.isoformat(),
                                                    "sent_before_saved_reason": WHY}).status_code == 200
    fresh = draft(api)
    assert api.post(f"/letters/{fresh}/sent", json={"sent_date": TODAY.isoformat()}).status_code == 200
    r = web.get("/letters.csv")
    assert r.status_code == 200
    rows = {int(row["Letter"]): row for row in csv.DictReader(io.StringIO(r.text))}
    assert rows[back]["Sent before first saved here"] == f"Yes: first saved here on {TODAY.isoformat()}"
    assert rows[fresh]["Sent before first saved here"] == ""
    assert WHY not in r.text
