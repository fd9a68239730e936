"""timeliness: the letter was sent after its due date (working days, by victim category).
It always applies, so it takes no `when`."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from vcl_qa.engine.dates import long_date
from vcl_qa.engine.result import Finding
from vcl_qa.engine.workdays import BEREAVED_WHY

from .base import KindSettings, NotAssessed, State, finding

HONOURS: set[str] = set()


class Settings(KindSettings):
    pass


def check(rule, state: State) -> Iterator[Finding]:
    m = state.metrics
    if state.late is None:
        raise NotAssessed("needs decision_date and victim_category")
    if state.late:
        due = dt.date.fromisoformat(m["due_date"])
        late, limit = m["working_days_late"], m["limit_working_days"]
        yield finding(rule, state, due=long_date(due), late=late, limit=limit,
                      late_days="day" if late == 1 else "days", limit_days="day" if limit == 1 else "days",
                      lateness=lateness(late, m["letter_date"]), because=because(m))


def because(metrics: dict) -> str:
    """Why the limit is shorter than the chosen category's, for the message ("; bereaved
    families are owed the enhanced service"), or nothing."""
    return f"; {BEREAVED_WHY}" if metrics.get("limit_reason") == "bereaved" else ""


def lateness(late: int, letter_date: str) -> str:
    """How the letter is late, for the message: 'goes out 2 working days late'. Going out after
    the due date with no working day between (a Saturday after a Friday due date, a bank
    holiday) it is late all the same, and the count of 0 is not given: 'goes out on Saturday 21
    December 2024, after the due date'. (Not 'is dated': a letter marked sent on another day
    than its own date is judged on the day it went out, and the message said 'is dated Saturday
    5 December' beside a letter dated the 4th; a user review.)"""
    if late > 0:
        return f"goes out {late} working {'day' if late == 1 else 'days'} late"
    return f"goes out on {long_date(letter_date)}, after the due date"
