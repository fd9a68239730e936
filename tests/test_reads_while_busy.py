"""Reading while another writer holds the database: an integrator's review held SQLite's write
lock from another process and every GET of a letter, a version or the register waited 30 s,
then answered 503 "nothing was saved", because each read writes its audit entry first. A read's
entry now waits at most audit.READ_WAIT_MS (2 s), then is held in memory with the time of the
read and written with the next read's once the database is free; a result kept to save scoring
again gives up as soon. The real server, a real SQLite file, a real second process's lock."""
from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from live_server import LiveServer, auth, make_user, sample_payloads


@pytest.fixture
def server(tmp_path):
    srv = LiveServer(tmp_path / "vcl_qa.db")
    srv.tokens = {"staff": make_user(srv.db, "sam", "staff", "north")}
    srv.start()
    yield srv
    srv.stop()


def _reads(db_path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT action, at FROM audit_log WHERE action IN ('letter.read', 'decisions.list')"
                            " ORDER BY id").fetchall()
    finally:
        conn.close()


def test_reads_answer_while_another_process_holds_the_write_lock(server):
    body = sample_payloads()[0]
    draft = {**body, "context": {k: v for k, v in body["context"].items() if k != "letter_date"}}
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["staff"]), timeout=60) as api:
        dated = api.post("/letters", json=body).json()["id"]
        undated = api.post("/letters", json=draft).json()["id"]  # judged for today: scored on the way
        before = len(_reads(server.db))

        holder = sqlite3.connect(server.db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
        try:
            for path in (f"/letters/{dated}", f"/letters/{undated}", "/decisions"):
                t = time.monotonic()
                r = api.get(path)
                took = time.monotonic() - t
                assert r.status_code == 200, (path, r.text)
                assert took < 10, (path, took)  # (was 30 s, then 503)
            assert len(_reads(server.db)) == before  # nothing could be written meanwhile
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        # the next read writes the held entries with its own, each at the time of its read
        assert api.get(f"/letters/{dated}").status_code == 200
        reads = _reads(server.db)[before:]
        assert [a for a, _ in reads] == ["letter.read", "letter.read", "decisions.list", "letter.read"]
        assert [at for _, at in reads] == sorted(at for _, at in reads)


def test_held_entries_are_written_when_the_server_stops(tmp_path):
    srv = LiveServer(tmp_path / "vcl_qa.db")
    token = make_user(srv.db, "sam", "staff", "north")
    srv.start()
    try:
        with httpx.Client(base_url=f"{srv.url}/api/v1", headers=auth(token), timeout=60) as api:
            letter_id = api.post("/letters", json=sample_payloads()[0]).json()["id"]
            before = len(_reads(srv.db))
            holder = sqlite3.connect(srv.db, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                assert api.get(f"/letters/{letter_id}").status_code == 200
            finally:
                holder.execute("ROLLBACK")
                holder.close()
    finally:
        srv.stop()
    assert len(_reads(srv.db)) == before + 1
