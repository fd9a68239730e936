"""SIGKILL the server in the middle of a load, restart it: the database is intact and every
letter acknowledged before the kill is there."""
from __future__ import annotations

import signal
import sqlite3
import threading

import httpx
import pytest

from live_server import LiveServer, auth, make_user, stored_texts, submit_many

KILL_AFTER = 300  # acknowledged letters


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_letter(tmp_path):
    db = tmp_path / "kill.db"
    token = make_user(db, "loader", "staff", "north")
    server = LiveServer(db, workers=2).start()
    killed = threading.Event()

    def kill_when_enough(acked: int) -> None:
        if acked >= KILL_AFTER and not killed.is_set():
            killed.set()
            server.kill(signal.SIGKILL)

    try:
        out = submit_many(server.url, token, 2000, 16, on_ack=kill_when_enough)
    finally:
        server.stop()
    assert killed.is_set()
    assert out["errors"] > 0  # the clients saw the server go away mid-load
    assert KILL_AFTER <= len(out["acked"]) < 2000
    assert all(status == 201 for status in out["statuses"])

    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert stored_texts(db, out["acked"]) == out["acked"]

    restarted = LiveServer(db).start()
    try:
        some_id = max(out["acked"])
        r = httpx.get(f"{restarted.url}/api/v1/letters/{some_id}", headers=auth(token))
        assert r.status_code == 200
        assert r.json()["versions"][0]["text"] == out["acked"][some_id]
        count = httpx.get(f"{restarted.url}/api/v1/letters", headers=auth(token)).json()["count"]
        assert count >= len(out["acked"])
        new = httpx.post(f"{restarted.url}/api/v1/letters", headers=auth(token),
                         json={"text": "Dear Ms Okafor\nAfter the restart.\n"})
        assert new.status_code == 201
    finally:
        restarted.stop()
