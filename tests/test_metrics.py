"""GET /metrics: Prometheus text with requests and latency by route and status, letters scored,
scoring time and the database's queue and overdue figures, added up across server workers."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from vcl_qa import clock
from live_server import LiveServer, auth, make_user, submit_many

REMOTE = {"X-Forwarded-For": "203.0.113.7"}  # as nginx forwards a request from elsewhere


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(found: dict, name: str, **labels) -> float:
    return found[(name, tuple(sorted(labels.items())))]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("metrics") / "vcl_qa.db"
    srv = LiveServer(db, workers=2).start()
    srv.tokens = {"staff": make_user(db, "staff", "staff", "north"),
                  "admin": make_user(db, "admin", "admin")}
    yield srv
    srv.stop()


def test_metrics_add_up_requests_and_scoring_across_workers(server):
    token = server.tokens["staff"]
    out = submit_many(server.url, token, 24, 6)
    assert len(out["acked"]) == 24
    overdue = (clock.today() - dt.timedelta(days=30)).isoformat()
    r = httpx.post(f"{server.url}/api/v1/decisions", headers=auth(token), json={
        "urn": "01ZZ0000126", "decision": "discontinued", "decision_date": overdue,
        "victim_category": "standard", "team": "north"})
    assert r.status_code == 201, r.text
    for _ in range(30):
        assert httpx.get(f"{server.url}/api/v1/health").status_code == 200
    first = httpx.get(f"{server.url}/metrics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/plain")
    found = samples(first.text)
    # Two workers answered these; every request counts once, whichever worker took it.
    assert value(found, "vcl_qa_http_requests_total", method="POST", route="/api/v1/letters", status="201") == 24
    assert value(found, "vcl_qa_http_requests_total", method="GET", route="/api/v1/health", status="200") >= 30
    assert value(found, "vcl_qa_http_request_duration_seconds_count",
                 method="POST", route="/api/v1/letters", status="201") == 24
    assert value(found, "vcl_qa_letters_scored_total") == 24
    assert value(found, "vcl_qa_scoring_duration_seconds_count") == 24
    assert value(found, "vcl_qa_scoring_duration_seconds_sum") > 0
    assert value(found, "vcl_qa_letters", state="draft") == 24
    assert value(found, "vcl_qa_decisions", status="overdue") == 1
    assert value(found, "vcl_qa_panel_reviews_waiting") == 0
    assert value(found, "vcl_qa_database_bytes") > 0
    assert value(found, "vcl_qa_last_backup_timestamp_seconds") == 0
    # The same totals from whichever worker answers the next scrapes.
    for _ in range(4):
        again = samples(httpx.get(f"{server.url}/metrics").text)
        assert value(again, "vcl_qa_letters_scored_total") == 24
    # No personal detail or path as sent: only route templates as labels.
    assert "01ZZ0000126" not in first.text and "/api/v1/letters/1" not in first.text


def test_metrics_from_elsewhere_need_an_admin_token(server):
    url = f"{server.url}/metrics"
    assert httpx.get(url, headers=REMOTE).status_code == 401
    assert httpx.get(url, headers={**REMOTE, **auth(server.tokens["staff"])}).status_code == 403
    r = httpx.get(url, headers={**REMOTE, **auth(server.tokens["admin"])})
    assert r.status_code == 200 and "vcl_qa_http_requests_total" in r.text
    refused = httpx.get(url, headers=REMOTE)
    assert set(refused.json()["error"]) == {"code", "message", "details"}
