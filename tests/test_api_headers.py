"""API answers carry letters and names: no cache keeps them. The interactive docs, whose scripts
come from an outside host, are off unless asked for."""
from __future__ import annotations

import httpx
import pytest

from api.security_headers import REPORT_POLICY
from live_server import LiveServer, auth, make_user, signed_in_client
from panel_setup import good_rating, seeded_db
from vcl_qa.panel import rating, sampling

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("headers") / "vcl_qa.db"
    token = make_user(db, "sam", "staff", "north")
    srv = LiveServer(db).start()
    yield srv.url, token
    srv.stop()


def test_every_api_answer_says_no_store(server):
    url, token = server
    api = httpx.Client(base_url=f"{url}/api/v1", headers=auth(token), timeout=60)
    created = api.post("/letters", json={"text": TEXT, "context": {"victim_name": "Ms Jane Okafor"}})
    letter = created.json()["id"]
    answers = [created, api.get(f"/letters/{letter}"), api.get("/letters", params={"q": "Okafor"}),
               api.get(f"/letters/{letter}/compare"), api.post("/check", json={"text": TEXT}),
               api.get("/letters/999999"), httpx.get(f"{url}/api/v1/letters"), api.get("/health")]
    for r in answers:
        assert r.headers.get("cache-control") == "no-store", (r.request.url, r.status_code)
        assert len(r.headers.get_list("cache-control")) == 1


def test_docs_are_off_by_default(server):
    url, _ = server
    assert httpx.get(f"{url}/docs").status_code == 404
    assert httpx.get(f"{url}/redoc").status_code == 404
    assert httpx.get(f"{url}/openapi.json").status_code == 200


def test_docs_can_be_switched_on(tmp_path, monkeypatch):
    monkeypatch.setenv("VCL_QA_API_DOCS", "1")
    srv = LiveServer(tmp_path / "vcl_qa.db").start()
    try:
        assert httpx.get(f"{srv.url}/docs").status_code == 200
    finally:
        srv.stop()


# Review: the Word download of a letter, the board report's CSV and the API's HTML board report
# went out without `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` or (the report) a
# security policy: each route set its own headers. One middleware now gives every answer them
# (api/security_headers.py).
PAGE_DOWNLOADS = ["/letters/{letter}/letter.docx", "/letters/{letter}/letter.docx?comments=true",
                  "/letters.csv", "/letters/set-aside.csv", "/dashboard.csv", "/training/progress.csv",
                  "/panel-periods/2025Q1/report", "/panel-periods/2025Q1/report.csv"]
API_DOWNLOADS = ["/panel/periods/2025Q1/report", "/panel/periods/2025Q1/report?format=csv",
                 "/panel/periods/2025Q1/report?format=json", "/panel/periods/2025Q1/agreement?format=csv",
                 "/reports/timeliness?format=csv"]


@pytest.fixture(scope="module")
def panel_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("downloads") / "vcl_qa.db"
    db, users, ids = seeded_db(path, panel_members=2, q1_letters=24)
    sampling.draw(db, users["manager"], "2025Q1")
    for n in (0, 1):
        for q in rating.queue(db, users[f"panel{n}"], period="2025Q1"):
            rating.rate(db, users[f"panel{n}"], q["item_id"], good_rating(2, "Ms Okafor will not follow this."))
    db.close()
    token = make_user(path, "mia", "manager")
    srv = LiveServer(path).start()
    yield srv.url, token, ids[0]
    srv.stop()


def test_every_download_carries_the_security_headers(panel_server):
    url, token, letter = panel_server
    with signed_in_client(url, token) as pages, \
            httpx.Client(base_url=f"{url}/api/v1", headers=auth(token), timeout=60) as api:
        answers = [pages.get(p.format(letter=letter)) for p in PAGE_DOWNLOADS] + [api.get(p) for p in API_DOWNLOADS]
    for r in answers:
        where = f"{r.request.url.path}?{r.request.url.query.decode()}"
        assert r.status_code == 200, where
        assert r.headers.get_list("cache-control") == ["no-store"], where
        assert r.headers.get("x-content-type-options") == "nosniff", where
        assert r.headers.get("referrer-policy") == "same-origin", where
        assert len(r.headers.get_list("content-security-policy")) == 1, where
        if r.headers["content-type"].startswith("text/html"):  # the board report: inline styles, no scripts
            assert r.headers["content-security-policy"] == REPORT_POLICY, where
    assert answers[0].content.startswith(b"PK") and answers[7].text.startswith("Section,What,Value")


def test_every_download_route_is_in_the_list():
    """A new download is added to the lists above, so its headers are checked too."""
    from api.main import app

    listed = {p.split("?")[0] for p in PAGE_DOWNLOADS} | {"/api/v1" + p.split("?")[0] for p in API_DOWNLOADS}
    listed = {p.replace("{letter}", "{letter_id}").replace("2025Q1", "{name}") for p in listed} | \
        {p.replace("2025Q1", "{period}") for p in listed}
    downloads = {r.path for r in app.routes if getattr(r, "methods", None) and "GET" in r.methods
                 and (r.path.endswith((".csv", ".docx", "/report")) or "csv" in str(getattr(r, "responses", "")))}
    assert downloads <= listed, downloads - listed


def test_static_files_may_still_be_kept(server):
    url, _ = server
    r = httpx.get(f"{url}/static/app.css")
    assert r.status_code == 200 and "no-store" not in r.headers.get("cache-control", "")
    assert r.headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("path", ["/static/insert.js", "/static/app.css", "/static/letter.js"])
def test_static_files_are_asked_about_again_each_time(server, path):
    """With no Cache-Control a browser kept a script as long as it reckoned fit (a tenth of the
    file's age, days), so after an upgrade a letter page could run last week's insert.js: the
    files say `no-cache` (kept, checked each time), and a check of an unchanged file is a short
    304 with no body."""
    url, _ = server
    r = httpx.get(f"{url}{path}")
    assert r.status_code == 200 and r.headers.get_list("cache-control") == ["no-cache"]
    tag = r.headers.get("etag")
    assert tag
    again = httpx.get(f"{url}{path}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""


def test_an_unexpected_server_error_carries_the_headers(tmp_path):
    """A 500 is made by the outermost error handler, outside the headers' middleware: the API's
    went out with no no-store, nosniff or policy (a letter whose stored result cannot be read)."""
    import sqlite3

    from api.security_headers import SECURITY_HEADERS

    token = make_user(tmp_path / "vcl_qa.db", "sam", "staff", "north")
    srv = LiveServer(tmp_path / "vcl_qa.db").start()
    try:
        api = httpx.Client(base_url=f"{srv.url}/api/v1", headers=auth(token), timeout=60)
        letter = api.post("/letters", json={"text": TEXT}).json()["id"]
        with sqlite3.connect(tmp_path / "vcl_qa.db") as db:
            db.execute("UPDATE results SET result = '{damaged' WHERE letter_id = ?", [letter])
        r = api.get(f"/letters/{letter}")
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal"
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, name
        with signed_in_client(srv.url, token) as web:
            page = web.get(f"/letters/{letter}")
        assert page.status_code == 500
        for name, value in SECURITY_HEADERS.items():
            assert page.headers.get(name) == value, name
    finally:
        srv.stop()


def test_the_docs_paths_keep_the_policy_while_the_docs_are_off(server):
    url, _ = server
    for path in ("/docs", "/redoc", "/docs-and-more"):
        r = httpx.get(f"{url}{path}")
        assert r.status_code == 404
        assert "default-src 'self'" in r.headers.get("content-security-policy", ""), path
