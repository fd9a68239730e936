"""The staff workflow over the API against a real server: checking without storing (token or
page session), restoring a finding marked 'not a problem', the findings set aside, marking sent
on the letter's date and undoing it (who may, and the audit log)."""
from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from vcl_qa import clock
from live_server import auth, live_server, make_user  # noqa: F401 (fixture)

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

LETTER = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\n"
          "I am writing in relation to the case. We have decided to stop the case.\n\n"
          "Please call [NAME OF PROSECUTOR] if you have questions.\n\nYours sincerely\n\nSam\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}


@pytest.fixture
def server(live_server):
    tokens = {"staff": make_user(live_server.db, "alice", "staff", "north"),
              "staff2": make_user(live_server.db, "bea", "staff", "north"),
              "other": make_user(live_server.db, "olu", "staff", "south"),
              "manager": make_user(live_server.db, "mia", "manager")}
    live_server.tokens = tokens
    return live_server


def client(server, role: str) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens[role]), timeout=30)


def audit_actions(server, letter_id: int) -> list[str]:
    from vcl_qa.db import open_db

    db = open_db(server.db)
    try:
        return [r[0] for r in db.execute("SELECT action FROM audit_log WHERE object_type = 'letter'"
                                         " AND object_id = ? ORDER BY id", [letter_id])]
    finally:
        db.close()


def test_check_scores_without_storing_and_offers_checked_replacements(server):
    with client(server, "staff") as api:
        r = api.post("/check", json={"text": LETTER, "context": CONTEXT})
        assert r.status_code == 200
        findings = r.json()["findings"]
        jargon = next(f for f in findings if f["rule"] == "readability.jargon")
        assert jargon["replacements"] == ["about"] and jargon["suggestions"]
        placeholder = next(f for f in findings if f["rule"] == "content.placeholder")
        assert placeholder["replacements"] == []
        assert api.get("/letters").json()["count"] == 0  # nothing stored


def test_check_names_the_field_of_a_future_decision_date_without_letter_date(server):
    future = (clock.today() + dt.timedelta(days=30)).isoformat()
    with client(server, "staff") as api:
        r = api.post("/check", json={"text": LETTER, "context": {**CONTEXT, "decision_date": future,
                                                                  "letter_date": None}})
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["field"] == "context.decision_date"
        assert "after today" in r.json()["error"]["message"]
        r = api.post("/letters", json={"text": LETTER, "context": {**CONTEXT, "decision_date": future,
                                                                    "letter_date": None}})
        assert r.status_code == 422 and "after today" in r.json()["error"]["message"]


def test_check_with_the_page_session_needs_the_csrf_header(server):
    web = httpx.Client(base_url=server.url, timeout=30)
    page = web.get("/sign-in")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    assert web.post("/sign-in", data={"pre_token": pre, "token": server.tokens["staff"]}).status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/check").text).group(1)
    body = {"text": LETTER, "context": CONTEXT}
    assert web.post("/api/v1/check", json=body).status_code == 403
    r = web.post("/api/v1/check", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["score"] >= 0
    assert httpx.post(f"{server.url}/api/v1/check", json=body).status_code == 401


def test_a_restored_finding_counts_again_and_both_steps_are_audited(server):
    with client(server, "staff") as api:
        letter = api.post("/letters", json={"text": LETTER, "context": CONTEXT}).json()
        lid = letter["id"]
        r = api.post(f"/letters/{lid}/suppressions",
                     json={"rule": "content.placeholder", "reason": "filled in by hand before posting"})
        assert r.status_code == 201
        sid = r.json()["id"]
        placeholder = lambda res: next(f for f in res["findings"] if f["rule"] == "content.placeholder")
        assert placeholder(r.json()["result"])["suppressed"] and not placeholder(letter["result"])["suppressed"]
        # The set-aside list shows the must-fix finding with its reason and who.
        rows = api.get("/set-aside").json()["data"]
        assert [(x["letter_id"], x["rule"], x["by"]) for x in rows] == [(lid, "content.placeholder", "alice")]
        with client(server, "other") as other:
            assert other.get("/set-aside").json()["count"] == 0  # another team's
            assert other.delete(f"/letters/{lid}/suppressions/{sid}").status_code == 404
        r = api.delete(f"/letters/{lid}/suppressions/{sid}")
        assert r.status_code == 200 and r.json()["restored"] is True
        assert placeholder(r.json()["result"])["penalty"] == placeholder(letter["result"])["penalty"] > 0
        detail = api.get(f"/letters/{lid}").json()
        assert detail["suppressions"][0]["revoked_by"] == "alice"
        assert detail["suppressions"][0]["revoked_at"]
        assert not any(f["suppressed"] for f in detail["result"]["findings"])
        assert api.delete(f"/letters/{lid}/suppressions/{sid}").status_code == 409
        assert api.get("/set-aside").json()["count"] == 0
    assert audit_actions(server, lid).count("letter.unsuppress") == 1


def test_sent_defaults_to_the_letter_date_and_can_be_undone_by_its_author_or_a_manager(server):
    with client(server, "staff") as api:
        lid = api.post("/letters", json={"text": LETTER, "context": CONTEXT}).json()["id"]
        r = api.post(f"/letters/{lid}/sent", json={**SAID_WHY})
        assert (r.json()["status"], r.json()["sent_date"]) == ("sent", "2024-12-20")
        assert r.json()["sent_by"] == "alice"
        with client(server, "staff2") as someone_else:
            r = someone_else.delete(f"/letters/{lid}/sent")
            assert r.status_code == 403 and "manager" in r.json()["error"]["message"]
        r = api.delete(f"/letters/{lid}/sent")
        assert r.status_code == 200 and (r.json()["status"], r.json()["sent_date"]) == ("draft", None)
        assert api.delete(f"/letters/{lid}/sent").status_code == 409  # not sent now
        # A new version is accepted again, and a manager may undo anyone's mark.
        assert api.post("/letters", json={"text": LETTER + "\n", "letter_id": lid}).status_code == 201
        assert api.post(f"/letters/{lid}/sent", json={"sent_date": "2024-12-23", **SAID_WHY}).status_code == 200
    with client(server, "manager") as manager:
        assert manager.delete(f"/letters/{lid}/sent").json()["status"] == "draft"
    actions = audit_actions(server, lid)
    assert actions.count("letter.sent") == 2 and actions.count("letter.unsent") == 2


def test_a_sent_date_after_today_is_refused(server):
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    with client(server, "staff") as api:
        lid = api.post("/letters", json={"text": LETTER, "context": CONTEXT}).json()["id"]
        r = api.post(f"/letters/{lid}/sent", json={"sent_date": tomorrow})
        assert r.status_code == 422 and "after today" in r.json()["error"]["message"]
        assert api.get(f"/letters/{lid}").json()["status"] == "draft"
