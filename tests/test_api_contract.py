"""The answers as docs/api.md describes them, read by a client written from that page alone (an
integrator's review): the compare answer's `set_aside`, a sent letter's 409 naming `status`, a
restore's `places`, the OpenAPI document listing each status a route can answer, and the audit
log paged back while it grows (real uvicorn, real SQLite file)."""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}
TEXT = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nI am writing to tell you that we "
        "have decided to stop the case against Mr Smith. The indictment was considered.\n\nI know this is "
        "not the news you hoped for.\n\nYours sincerely\nA Prosecutor\n")
REASON = "quoted from the court order itself"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("contract") / "vcl_qa.db"
    staff = make_user(db_path, "sam", "staff", "north")
    manager = make_user(db_path, "mo", "manager", "north")
    live = LiveServer(db_path).start()
    live.staff, live.manager = staff, manager
    yield live
    live.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.staff), timeout=60) as client:
        yield client


def _jargon(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["rule"] == "readability.jargon" and f.get("text") == "indictment"]


def test_compare_gives_the_findings_marked_not_a_problem_since_in_set_aside(api):
    """docs/api.md: "A finding still there but marked "not a problem" since is in `set_aside`,
    never `fixed` ... so `fixed` + `unchanged` + `set_aside` are the findings of `from`". The
    answer's model had no `set_aside`, so the API dropped it: a finding of version 1 was in none
    of the lists, and the counts did not add up."""
    first = api.post("/letters", json={"text": TEXT, "context": CONTEXT}).json()
    letter_id = first["id"]
    before = [f for f in first["result"]["findings"] if not f.get("suppressed")]
    assert _jargon(before)
    assert api.post("/letters", json={"letter_id": letter_id, "text": TEXT}).status_code == 201
    r = api.post(f"/letters/{letter_id}/suppressions",
                 json={"rule": "readability.jargon", "term": "indictment", "reason": REASON})
    assert r.status_code == 201
    body = api.get(f"/letters/{letter_id}/compare", params={"from": 1, "to": 2}).json()
    assert [(f["rule"], f["text"], f["suppressed"]) for f in body["set_aside"]] == [
        ("readability.jargon", "indictment", True)]
    assert body["set_aside"][0]["before"]["text"] == "indictment"
    assert body["fixed"] == [] and body["new"] == []
    assert len(body["fixed"]) + len(body["unchanged"]) + len(body["set_aside"]) == len(before)


def test_a_mark_on_a_sent_letter_is_a_409_naming_status(api):
    """docs/api.md (Errors, 409): where one field is to blame, `details` names it: `status` when
    the letter is marked sent. A new version of a sent letter named it; a mark or a restore on one
    answered `details: []`."""
    letter_id = api.post("/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
    mark = api.post(f"/letters/{letter_id}/suppressions",
                    json={"rule": "readability.jargon", "term": "indictment", "reason": REASON}).json()
    assert api.post(f"/letters/{letter_id}/sent", json={"sent_date": "2024-12-20", "sent_before_saved_reason":
                                                        "written in Word and posted that day"}).status_code == 200
    for r in (api.post(f"/letters/{letter_id}/suppressions", json={"rule": "readability.passive", "reason": REASON}),
              api.delete(f"/letters/{letter_id}/suppressions/{mark['id']}")):
        assert r.status_code == 409, r.text
        err = r.json()["error"]
        assert err["code"] == "conflict"
        assert [d["field"] for d in err["details"]] == ["status"]
        assert "undo 'sent' first" in err["details"][0]["message"]


def test_a_restore_says_where_the_mark_set_its_words_aside(api):
    """The restore's answer has `places`, as the mark's does (it said null for a wording)."""
    letter_id = api.post("/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
    mark = api.post(f"/letters/{letter_id}/suppressions",
                    json={"rule": "readability.jargon", "term": "indictment", "reason": REASON}).json()
    start = TEXT.index("indictment")
    assert mark["places"] == [{"start": start, "end": start + len("indictment")}]
    r = api.delete(f"/letters/{letter_id}/suppressions/{mark['id']}")
    assert r.status_code == 200
    assert r.json()["places"] == mark["places"] and r.json()["counts_again"] is True
    whole = api.post(f"/letters/{letter_id}/suppressions",
                     json={"rule": "readability.jargon", "reason": REASON}).json()
    assert whole["places"] is None
    assert api.delete(f"/letters/{letter_id}/suppressions/{whole['id']}").json()["places"] is None


def test_the_openapi_document_lists_each_status_a_route_answers(server):
    """A client generated from /openapi.json met a 409 on routes that listed none: a mark already
    made or on a sent letter (POST .../suppressions), a letter in a panel sample being rated
    (DELETE /letters/{id}); and a 503 (database busy, Retry-After) anywhere."""
    paths = httpx.get(f"{server.url}/openapi.json", timeout=30).json()["paths"]
    assert "409" in paths["/api/v1/letters/{letter_id}/suppressions"]["post"]["responses"]
    assert "409" in paths["/api/v1/letters/{letter_id}"]["delete"]["responses"]
    for path, ops in paths.items():
        for method, op in ops.items():
            if path != "/api/v1/health":
                assert "503" in op["responses"], (method, path)


def test_the_audit_log_pages_back_with_before_id_while_it_grows(server, api):
    """Every read of a letter adds an audit entry, so paging GET /audit by offset while people
    work repeats entries; `before_id` (as on GET /letters) gives each entry once."""
    letter_id = api.post("/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
    for _ in range(4):
        api.get(f"/letters/{letter_id}")
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.manager), timeout=60) as audit:
        first = audit.get("/audit", params={"limit": 3}).json()
        for _ in range(2):  # work goes on between the pages
            api.get(f"/letters/{letter_id}")
        by_offset = audit.get("/audit", params={"limit": 3, "offset": 3}).json()
        by_id = audit.get("/audit", params={"limit": 3, "before_id": first["data"][-1]["id"]}).json()
        bad = audit.get("/audit", params={"before_id": 0})
    ids = [e["id"] for e in first["data"]]
    assert ids == sorted(ids, reverse=True)
    assert set(ids) & {e["id"] for e in by_offset["data"]}  # why offset is not enough
    assert [e["id"] for e in by_id["data"]] == [ids[-1] - 1, ids[-1] - 2, ids[-1] - 3]
    assert by_id["count"] == ids[-1] - 1
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "query.before_id"
