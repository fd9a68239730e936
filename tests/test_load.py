"""16 concurrent clients submit 2,000 letters to the real server: no 5xx, every one stored."""
from __future__ import annotations

import sqlite3

import pytest

from live_server import LiveServer, make_user, stored_texts, submit_many

CLIENTS = 16
LETTERS = 2000


@pytest.mark.slow
def test_2000_letters_from_16_clients_all_stored(tmp_path):
    db = tmp_path / "load.db"
    token = make_user(db, "loader", "staff", "north")
    server = LiveServer(db, workers=2).start()
    try:
        out = submit_many(server.url, token, LETTERS, CLIENTS)
    finally:
        server.stop()
    assert out["errors"] == 0
    assert dict(out["statuses"]) == {201: LETTERS}
    assert len(out["acked"]) == LETTERS
    assert stored_texts(db, out["acked"]) == out["acked"]
    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM letters").fetchone()[0] == LETTERS
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == LETTERS
    finally:
        conn.close()
