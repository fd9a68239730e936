"""timeliness: the letter was sent after its due date (working days, by victim category).
It always applies, so it takes no `when`."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from vcl_qa.engine.dates import long_date
from vcl_qa.engine.result import Finding

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
                      late_days="day" if late == 1 else "days", limit_days="day" if limit == 1 else "days")
