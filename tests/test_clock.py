"""'Today' is the UK's date whatever time zone the server runs in (deadlines are UK working
days), and a stored UTC timestamp is read as the UK day it fell on."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from vcl_qa import clock
from vcl_qa.letters.service import may_undo_sent

ROOT = Path(__file__).resolve().parent.parent
REAL_CLOCK = {k: v for k, v in os.environ.items() if k != clock.OFFSET_ENV}  # the machine's clock


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_today_is_the_uk_date_on_a_server_in_another_time_zone():
    code = ("import datetime as dt, zoneinfo; from vcl_qa import clock; "
            "print(clock.today().isoformat(), dt.datetime.now(zoneinfo.ZoneInfo('Europe/London')).date().isoformat())")
    for zone in ("Pacific/Kiritimati", "America/Los_Angeles", "UTC"):  # UTC+14, UTC-8, UTC
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             env={**REAL_CLOCK, "TZ": zone}, check=True).stdout.split()
        assert out[0] == out[1], zone


def test_a_utc_timestamp_is_read_as_the_uk_day_it_fell_on():
    assert clock.uk_date("2025-06-30T23:30:00+00:00") == dt.date(2025, 7, 1)  # 00:30 BST
    assert clock.uk_date("2025-06-30T23:30:00") == dt.date(2025, 7, 1)  # stored without a zone: UTC
    assert clock.uk_date("2025-12-31T23:30:00+00:00") == dt.date(2025, 12, 31)  # GMT
    assert clock.uk_date(dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.timezone.utc)) == dt.date(2025, 3, 30)


def test_undo_sent_on_the_same_uk_day_after_midnight_in_summer():
    """Marked sent at 00:30 BST on 1 July (23:30 UTC on 30 June): the same person may undo it on
    1 July, not on 30 June or 2 July."""
    user = SimpleNamespace(id=5, role="staff")
    row = {"sent_by": 5, "sent_marked_at": "2025-06-30T23:30:00+00:00"}
    assert may_undo_sent(user, row, today=dt.date(2025, 7, 1))
    assert not may_undo_sent(user, row, today=dt.date(2025, 6, 30))
    assert not may_undo_sent(user, row, today=dt.date(2025, 7, 2))
    assert not may_undo_sent(SimpleNamespace(id=6, role="staff"), row, today=dt.date(2025, 7, 1))
    assert may_undo_sent(SimpleNamespace(id=6, role="manager"), row, today=dt.date(2025, 7, 2))


def test_the_clock_setting_moves_now_and_today_together(monkeypatch):
    monkeypatch.delenv(clock.OFFSET_ENV, raising=False)
    real = dt.datetime.now(dt.timezone.utc)
    assert clock.offset() == dt.timedelta(0)
    assert abs(clock.now() - real) < dt.timedelta(seconds=5)
    monkeypatch.setenv(clock.OFFSET_ENV, "-86400")  # a day back
    assert clock.offset() == dt.timedelta(days=-1)
    assert abs(clock.now() - (real - dt.timedelta(days=1))) < dt.timedelta(seconds=5)
    assert clock.now().tzinfo is not None
    assert clock.today() in {(real - dt.timedelta(days=1, seconds=s)).astimezone(clock.UK).date() for s in (0, -5)}
    monkeypatch.setenv(clock.OFFSET_ENV, " 3600 ")
    assert clock.offset() == dt.timedelta(hours=1)


def test_a_clock_setting_that_is_not_whole_seconds_or_more_than_a_day_is_refused(monkeypatch, tmp_path):
    for bad, said in (("abc", "must be a whole number of seconds"), ("1.5", "must be a whole number"),
                      ("86401", "at most 86400 (a day) either way"), ("-90000", "at most 86400")):
        monkeypatch.setenv(clock.OFFSET_ENV, bad)
        try:
            clock.now()
        except ValueError as exc:
            assert said in str(exc) and clock.OFFSET_ENV in str(exc)
        else:
            raise AssertionError(f"{bad!r} was taken")
        out = run_cli("status", env={**REAL_CLOCK, clock.OFFSET_ENV: bad, "VCL_QA_DB": str(tmp_path / "x.db")})
        assert out.returncode == 2 and f"The clock setting could not be read: {clock.OFFSET_ENV}" in out.stderr
        assert "Traceback" not in out.stderr
    assert not (tmp_path / "x.db").exists()  # refused before anything was made


def test_the_tests_run_on_one_date_from_noon():
    """tests/conftest.py sets the clock so that the run starts at noon on the real UK date: a run
    that crosses midnight keeps one date (the tests work out "today" when they are collected,
    the servers they start when asked)."""
    here = clock.now().astimezone(clock.UK)
    assert 12 <= here.hour <= 23  # the run started at noon; a run is far shorter than 12 hours
    assert abs(clock.offset()) <= dt.timedelta(hours=13)
    assert here.date() == clock.today()


def test_serve_says_when_its_clock_is_set(tmp_path):
    """The server started with a clock setting says so before it serves (and refuses a bad one
    before it starts); it is not meant for service."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**REAL_CLOCK, clock.OFFSET_ENV: "-7200", "VCL_QA_DB": str(tmp_path / "s.db")}
    proc = subprocess.Popen([sys.executable, "-c", "from vcl_qa.cli import main; main()", "serve",
                             "--port", str(port)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("Serving"):
                break
        said = "".join(lines)
        assert f"Warning: {clock.OFFSET_ENV} sets this service's clock -2.00 hours away from the machine's" in said
        assert "It is for tests: unset it in service." in said
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    quiet = run_cli("serve", "--port", "1", env={**REAL_CLOCK, clock.OFFSET_ENV: "x", "VCL_QA_DB": str(tmp_path / "t.db")})
    assert quiet.returncode == 2 and "could not be read" in quiet.stderr
