"""The letters API against a real uvicorn server: submit, versions, read, list, errors."""
from __future__ import annotations

import httpx
import pytest

from live_server import auth, live_server, make_user  # noqa: F401 (fixture)

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

LETTER = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}


@pytest.fixture
def api(live_server):
    token = make_user(live_server.db, "alice", "staff", "north")
    with httpx.Client(base_url=f"{live_server.url}/api/v1", headers=auth(token), timeout=30) as client:
        client.server = live_server
        yield client


def submit(api, text=LETTER, **extra):
    return api.post("/letters", json={"text": text, "context": CONTEXT, **extra})


def test_submit_returns_201_with_id_version_and_result(api):
    r = submit(api)
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "version", "result"}
    assert body["version"] == 1
    assert body["result"]["verdict"] in ("good", "needs_work", "poor")
    assert body["result"]["metrics"]["due_date"] == "2024-12-20"


def test_posting_with_letter_id_adds_a_version_and_keeps_context(api):
    first = submit(api).json()
    r = api.post("/letters", json={"text": LETTER + "\nYours sincerely\n", "letter_id": first["id"]})
    assert r.status_code == 201
    assert (r.json()["id"], r.json()["version"]) == (first["id"], 2)
    letter = api.get(f"/letters/{first['id']}").json()
    assert [v["version"] for v in letter["versions"]] == [1, 2]
    assert letter["versions"][1]["context"]["victim_name"] == "Ms Jane Okafor"
    assert letter["versions"][0]["text"] == LETTER
    assert letter["result"]["rules_version"] == r.json()["result"]["rules_version"]
    assert letter["latest_version"] == 2


def test_get_letter_is_audited(api):
    letter_id = submit(api).json()["id"]
    api.get(f"/letters/{letter_id}")
    from vcl_qa.db import open_db

    db = open_db(api.server.db)
    actions = [r[0] for r in db.execute(
        "SELECT action FROM audit_log WHERE object_type = 'letter' AND object_id = ? ORDER BY id", [letter_id]).fetchall()]
    db.close()
    assert actions == ["letter.create", "letter.read"]


def test_unknown_context_field_is_422_naming_it(api):
    r = api.post("/letters", json={"text": LETTER, "context": {"decison": "discontinued"}})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid"
    assert err["details"][0]["field"] == "context.decison"
    assert "unknown field" in err["message"]


def test_bad_context_value_uses_the_library_message(api):
    r = api.post("/letters", json={"text": LETTER, "context": {"decision_date": "2024-02-30"}})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [
        {"field": "context.decision_date", "message": "'2024-02-30' is not a real date (use YYYY-MM-DD)"}]


def test_missing_text_is_422_with_field_path(api):
    r = api.post("/letters", json={"context": CONTEXT})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "text"


def test_empty_text_is_422(api):
    r = api.post("/letters", json={"text": "  \n", "context": CONTEXT})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "text"


def test_malformed_json_is_400(api):
    r = api.post("/letters", content=b'{"text": "Dear', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "malformed_json", "message": "the request body is not valid JSON: "
                                  "line 1, column 10: text in double quotes starts here and has no closing \" "
                                  "(is the body cut short?)", "details": []}}


def test_body_over_limit_is_413(api):
    r = api.post("/letters", json={"text": "a" * (600 * 1024), "context": {}})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def test_streamed_body_over_limit_is_413(api):
    chunks = (b'{"text": "' + b"a" * 1024 for _ in range(600))
    r = api.post("/letters", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def test_streamed_body_under_limit_is_read_whole(api):
    body = ('{"text": "Dear Ms Okafor\\nWe have decided to stop the case.", "context": {}}').encode()
    r = api.post("/letters", content=(body[i:i + 10] for i in range(0, len(body), 10)),
                 headers={"content-type": "application/json"})
    assert r.status_code == 201


def test_text_over_letter_limit_is_422(api):
    r = api.post("/letters", json={"text": "word " * 50_000, "context": {}})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "text"


def test_no_token_and_wrong_token_are_401(api):
    url = f"{api.server.url}/api/v1/letters"
    assert httpx.get(url).json()["error"]["code"] == "unauthorized"
    r = httpx.get(url, headers=auth("not-a-token"))
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "this API token is not valid"


def test_unknown_letter_is_404(api):
    r = api.get("/letters/999")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_version_of_unknown_letter_is_404(api):
    assert api.post("/letters", json={"text": LETTER, "letter_id": 999}).status_code == 404


def test_sent_letter_takes_no_new_version_409(api):
    letter_id = submit(api).json()["id"]
    r = api.post(f"/letters/{letter_id}/sent", json={"sent_date": "2024-12-20", **SAID_WHY})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["sent_date"]) == ("sent", "2024-12-20")
    assert api.post(f"/letters/{letter_id}/sent", json={}).status_code == 409
    r = api.post("/letters", json={"text": LETTER, "letter_id": letter_id})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"


def test_list_filters_and_paginates(api):
    ids = [submit(api).json()["id"] for _ in range(3)]
    api.post("/letters", json={"text": LETTER, "context": {**CONTEXT, "decision": "not_charged"}})
    api.post(f"/letters/{ids[0]}/sent", json={"sent_date": "2024-12-20", **SAID_WHY})
    page = api.get("/letters", params={"limit": 2, "offset": 0}).json()
    assert page["count"] == 4
    assert len(page["data"]) == 2
    assert api.get("/letters", params={"decision": "discontinued"}).json()["count"] == 3
    sent = api.get("/letters", params={"status": "sent"}).json()
    assert [row["id"] for row in sent["data"]] == [ids[0]]
    dated = api.get("/letters", params={"date_from": "2024-12-20", "date_to": "2024-12-20"}).json()
    assert dated["count"] == 4
    assert api.get("/letters", params={"date_from": "2024-12-21"}).json()["count"] == 0


def test_search_finds_words_in_the_latest_version_only(api):
    first = submit(api, text="Dear Ms Okafor\nThe camera film was lost.\n").json()
    submit(api, text="Dear Mr Nowak\nThe witness moved away.\n")
    found = api.get("/letters", params={"q": "camera"}).json()
    assert [row["id"] for row in found["data"]] == [first["id"]]
    api.post("/letters", json={"text": "Dear Ms Okafor\nWe lost the recording.\n", "letter_id": first["id"]})
    assert api.get("/letters", params={"q": "camera"}).json()["count"] == 0
    assert api.get("/letters", params={"q": 'record* "OR'}).status_code == 200


def test_compare_versions_reports_fixed_new_unchanged(api):
    letter_id = submit(api).json()["id"]
    api.post("/letters", json={"text": LETTER + "\nYours sincerely\n", "letter_id": letter_id})
    r = api.get(f"/letters/{letter_id}/compare", params={"from": 1, "to": 2})
    assert r.status_code == 200
    body = r.json()
    assert (body["from_version"], body["to_version"]) == (1, 2)
    assert set(body) >= {"fixed", "new", "unchanged"}
    assert api.get(f"/letters/{letter_id}/compare", params={"from": 1, "to": 9}).status_code == 404


def test_suppression_is_recorded_and_adds_a_result(api):
    first = submit(api).json()
    letter_id = first["id"]
    rule = first["result"]["findings"][0]["rule"]  # the test letter has no contact details etc.
    r = api.post(f"/letters/{letter_id}/suppressions", json={"rule": rule, "reason": "the unit adds it"})
    assert r.status_code == 201
    assert r.json()["rule"] == rule
    assert {f["suppressed"] for f in r.json()["result"]["findings"] if f["rule"] == rule} == {True}
    letter = api.get(f"/letters/{letter_id}").json()
    assert [(s["rule"], s["term"], s["by"]) for s in letter["suppressions"]] == [(rule, None, "alice")]
    assert {f["suppressed"] for f in letter["result"]["findings"] if f["rule"] == rule} == {True}
    again = api.post("/letters", json={"text": LETTER + "\nThank you.\n", "letter_id": letter_id}).json()
    assert {f["suppressed"] for f in again["result"]["findings"] if f["rule"] == rule} <= {True}
    from vcl_qa.db import open_db

    db = open_db(api.server.db)
    assert db.execute("SELECT count(*) FROM results WHERE letter_id = ?", [letter_id]).fetchone()[0] == 3  # first, after the suppression, the new version
    db.close()
    bad = api.post(f"/letters/{letter_id}/suppressions", json={"rule": "jargon", "reason": ""})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"rule", "reason"}


def test_health_needs_no_token(live_server):
    r = httpx.get(f"{live_server.url}/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_unknown_route_uses_error_shape(api):
    r = api.get("/nothing-here")
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message", "details"}


def test_check_gives_places_in_the_text_as_sent_with_windows_line_breaks(api):
    """A review: `POST /check` scored "\\r\\n" as "\\n" and gave places in that text, so a client
    putting a one-click replacement into the text it sent put it one character early for each
    line above it ("pursuant to" fell on "inal, pursu"). The places now count in the text sent."""
    body = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nI am writing in relation to the case. "
            "We have decided to stop the case. Pursuant to the Code, the evidence is insufficient.\n\n"
            "Yours sincerely\nSam Staff\n")
    sent = body.replace("\n", "\r\n")
    plain = api.post("/check", json={"text": body, "context": CONTEXT}).json()["findings"]
    crlf = api.post("/check", json={"text": sent, "context": CONTEXT}).json()["findings"]
    assert [f["rule"] for f in crlf] == [f["rule"] for f in plain]
    placed = [(f, g) for f, g in zip(plain, crlf) if f["start"] is not None]
    assert len(placed) >= 3
    for f, g in placed:
        assert g["text"].replace("\r\n", "\n") == f["text"]
        assert sent[g["start"]:g["end"]] == g["text"]
    swaps = [(f, g) for f, g in zip(plain, crlf) if f["replacements"]]
    assert swaps
    for f, g in swaps:  # the replacement put into the text sent reads as it does in the plain text
        fixed = sent[:g["replace_start"]] + g["replacements"][0] + sent[g["replace_end"]:]
        assert fixed.replace("\r\n", "\n") == body[:f["replace_start"]] + f["replacements"][0] + body[f["replace_end"]:]
    # a letter stored keeps "\n" (as GET gives it back), and its places count in that text
    stored = submit(api, text=sent).json()
    text = api.get(f"/letters/{stored['id']}").json()["versions"][-1]["text"]
    assert "\r" not in text
    for g in stored["result"]["findings"]:
        if g["start"] is not None and g["text"] is not None:
            assert text[g["start"]:g["end"]] == g["text"]


def test_a_text_with_more_findings_than_a_letter_can_have_is_refused_and_nothing_kept(api):
    """A review: a 195 KB paste of "u u u ..." had 99,511 findings, a 47 MB answer and 67 MB
    more in the database for each version saved. Over config.MAX_FINDINGS (10,000) the text
    is refused on `text` (422), saying why and what to do; nothing is stored."""
    from vcl_qa import config

    text = "Dear Ms Okafor\n\n" + "u " * (config.MAX_FINDINGS + 500) + "\n\nYours sincerely\nSam Staff\n"
    before = api.get("/letters").json()["count"]
    for path in ("/check", "/letters"):
        r = api.post(path, json={"text": text, "context": CONTEXT})
        assert r.status_code == 422, (path, r.status_code)
        [detail] = r.json()["error"]["details"]
        assert detail["field"] == "text"
        assert "problems in this text, and can check or keep a letter only with 10,000 or fewer" in detail["message"]
        assert "vcl-qa" not in detail["message"]  # what to do, in words, not a command
    assert api.get("/letters").json()["count"] == before
    # under the limit, as many as there are are kept and given back
    fewer = "Dear Ms Okafor\n\n" + "u " * 2_000 + "\n\nYours sincerely\nSam Staff\n"
    kept = submit(api, text=fewer)
    assert kept.status_code == 201
    assert sum(f["rule"] == "readability.text_speak" for f in kept.json()["result"]["findings"]) == 2_000
