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


def test_today_is_the_uk_date_on_a_server_in_another_time_zone():
    code = ("import datetime as dt, zoneinfo; from vcl_qa import clock; "
            "print(clock.today().isoformat(), dt.datetime.now(zoneinfo.ZoneInfo('Europe/London')).date().isoformat())")
    for zone in ("Pacific/Kiritimati", "America/Los_Angeles", "UTC"):  # UTC+14, UTC-8, UTC
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "TZ": zone}, check=True).stdout.split()
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
