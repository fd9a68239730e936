"""Review 11a, finding 10: a training attempt made between midnight and 1 am UK summer time on the
1st of a month (stored in UTC as the evening before) counted in no period: the start of the
period was compared with the raw UTC stamp, the end with the UK day. Both ends now compare the
UK day (`uk_day`, as the dashboard and the panel do). The board line also said "1 have
started". A real SQLite file, the library and the API of the real server."""
from __future__ import annotations

import httpx

from live_server import LiveServer, auth
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.panel import periods
from vcl_qa.training import exercises, service, store


def _one_attempt_at(path, stamp: str):
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "st2", "staff", "east")[0]
    manager, token = add_user(db, "mgr", "manager")
    service.attempt(db, staff, "khan-brother", exercises.built_in("khan-brother").letter)
    with db.conn:
        db.execute("UPDATE training_attempts SET created_at = ?", [stamp])
    for name in ("2026-06", "2026-07"):
        periods.create_period(db, manager, name)
    return db, token


def test_an_attempt_at_half_past_midnight_on_1_july_counts_in_july(tmp_path):
    db, _ = _one_attempt_at(tmp_path / "t.db", "2026-06-30T23:30:00+00:00")  # 00:30 on 1 July, UK summer time
    assert store.attempts_between(db, "2026-07-01", "2026-07-31") == 1
    assert store.attempts_between(db, "2026-06-01", "2026-06-30") == 0
    assert store.attempts_between(db, "2026-07-01") == 1 and store.attempts_between(db, None, "2026-06-30") == 0
    line = service.board_summary(db, "2026-07-01", "2026-07-31")["line"]
    assert line.endswith("; 1 has started; 1 attempt in the period.")
    db.close()


def test_the_last_hour_of_a_winter_month_stays_in_it(tmp_path):
    """In winter the UK is on UTC: 23:30 on 31 January is still January."""
    db, _ = _one_attempt_at(tmp_path / "t.db", "2026-01-31T23:30:00+00:00")
    assert store.attempts_between(db, "2026-01-01", "2026-01-31") == 1
    assert store.attempts_between(db, "2026-02-01", "2026-02-28") == 0
    db.close()


def test_the_board_report_over_the_api_counts_it_in_july(tmp_path):
    path = tmp_path / "t.db"
    db, token = _one_attempt_at(path, "2026-06-30T23:30:00+00:00")
    db.close()
    server = LiveServer(path).start()
    try:
        lines = {name: httpx.get(f"{server.url}/api/v1/panel/periods/{name}/report", params={"format": "json"},
                                 headers=auth(token)).json()["training"]["line"] for name in ("2026-06", "2026-07")}
    finally:
        server.stop()
    assert lines["2026-07"].endswith("1 attempt in the period.")
    assert lines["2026-06"].endswith("0 attempts in the period.")
