"""API answers carry letters and names: no cache keeps them. The interactive docs, whose scripts
come from an outside host, are off unless asked for."""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user

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
