"""Panel periods: named date ranges ("2025Q1", "2025-03" or any name with explicit dates)."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from sqlite_utils import Database

from vcl_qa import config
from vcl_qa.errors import LetterError
from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx
from vcl_qa.letters.store import Conflict, NotFound

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _check_year(name: str, year: int) -> None:
    if not config.EARLIEST_DATE.year <= year <= config.LATEST_DATE.year:
        raise LetterError(f"'{name}': the year must be between {config.EARLIEST_DATE.year} and "
                          f"{config.LATEST_DATE.year}", field="period")


def dates_for(name: str) -> tuple[dt.date, dt.date] | None:
    """The dates a quarter ("2025Q1") or month ("2025-03") name stands for; None otherwise."""
    if m := QUARTER.match(name):
        year, q = int(m[1]), int(m[2])
        _check_year(name, year)
        first = dt.date(year, 3 * q - 2, 1)
        last_month = 3 * q
        return first, dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    if (m := MONTH.match(name)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        _check_year(name, year)
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


def period_words(period: dict) -> str:
    """A period as people say it: "October to December 2024", "March 2025", "November 2024 to
    February 2025", or "3 to 14 March 2025" when it does not run over whole months."""
    start, end = (dt.date.fromisoformat(str(period[k])) for k in ("start_date", "end_date"))
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if not whole:
        first = f"{start.day} {start:%B}" if (start.year, start.month) != (end.year, end.month) else str(start.day)
        first += f" {start.year}" if start.year != end.year else ""
        return f"{first} to {end.day} {end:%B} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B} {start.year}"
    if start.year == end.year:
        return f"{start:%B} to {end:%B} {end.year}"
    return f"{start:%B} {start.year} to {end:%B} {end.year}"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise LetterError("a period name is 1-32 letters, digits, '-', '_' or '.', e.g. 2025Q1",
                          field="period")
    return name


def get_period(db: Database, name: str) -> dict:
    """The period of that name; else the one whose name differs only in case ("2025q1" for
    2025Q1), when there is exactly one."""
    rows = list(db.query("SELECT * FROM panel_periods WHERE name = ?", [name]))
    if not rows:
        rows = list(db.query("SELECT * FROM panel_periods WHERE name = ? COLLATE NOCASE", [name]))
    if len(rows) != 1:
        raise NotFound(f"no panel period '{name}'")
    return rows[0]


def create_period(db: Database, user: Any, name: str, start: dt.date | None = None,
                  end: dt.date | None = None) -> dict:
    """Create a period; quarter and month names bring their own dates."""
    check_name(name)
    implied = dates_for(name)
    if start is None or end is None:
        if implied is None:
            raise LetterError("give start_date and end_date, or name the period like 2025Q1 or 2025-03",
                              field="start_date")
        start, end = start or implied[0], end or implied[1]
    if implied is not None and (start, end) != implied:
        # "2025Q1" from 1 to 28 February: the board's report would say "January to March 2025"
        # over a month's letters (an audit).
        said = period_words({"start_date": implied[0], "end_date": implied[1]})
        raise LetterError(f"'{name}' names {said} ({implied[0]:%-d %B %Y} to {implied[1]:%-d %B %Y}); give those "
                          "dates, leave the dates out, or choose another name for other dates",
                          field="start_date" if start != implied[0] else "end_date")
    if start > end:
        raise LetterError(f"start_date {start} is after end_date {end}", field="start_date")
    for field, day in (("start_date", start), ("end_date", end)):
        if not config.EARLIEST_DATE <= day <= config.LATEST_DATE:
            raise LetterError(f"{day} is not between {config.EARLIEST_DATE} and {config.LATEST_DATE}",
                              field=field)
    with write_tx(db):
        same = db.execute("SELECT name FROM panel_periods WHERE name = ? COLLATE NOCASE", [name]).fetchone()
        if same:
            raise Conflict(f"panel period '{name}' already exists"
                           + (f" (as '{same[0]}': names differing only in capitals are one period)"
                              if same[0] != name else ""))
        cur = db.execute(
            "INSERT INTO panel_periods (name, start_date, end_date, created_at) VALUES (?, ?, ?, ?)",
            [name, start.isoformat(), end.isoformat(), now()],
        )
        audit.record(db, user, "panel.period.create", "panel_period", cur.lastrowid, {"name": name})
    return get_period(db, name)


def ensure_period(db: Database, user: Any, name: str) -> dict:
    try:
        return get_period(db, name)
    except NotFound:
        return create_period(db, user, name)


def list_periods(db: Database) -> list[dict]:
    return list(db.query(
        "SELECT p.name, p.start_date, p.end_date, p.seed, p.drawn_at, p.preview,"
        " (SELECT count(*) FROM panel_items i WHERE i.period_id = p.id AND i.removed_at IS NULL) AS letters,"
        " (SELECT count(*) FROM panel_items i WHERE i.period_id = p.id AND i.removed_at IS NULL"
        "  AND i.approved_at IS NULL) AS not_approved"
        " FROM panel_periods p ORDER BY p.start_date, p.name"))


def previous_period(db: Database, period: dict) -> dict | None:
    """The latest period that ended before this one starts."""
    rows = list(db.query(
        "SELECT * FROM panel_periods WHERE end_date < ? ORDER BY end_date DESC, id DESC LIMIT 1",
        [period["start_date"]]))
    return rows[0] if rows else None
