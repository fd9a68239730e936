"""JSON values read as they are sent, never guessed at: the types the request models share.

pydantic's default (lax) reading turns `true` into 1, "43" and 43.0 into 43, and
"2024-12-20T00:00:00" or the number 1734652800 into a date. Over the API that would act on
another system's slip: `"letter_id": true` added a version to letter 1, another victim's
(review 11b, finding 1). Here a whole number is a JSON number without a fraction, and a day is
text "YYYY-MM-DD" within the years the service takes; anything else is a 422 naming the field
and what to send (api/errors.py words the number's refusal).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from vcl_qa import config
from vcl_qa.engine.dates import written_otherwise

MAX_ID = 2**63 - 1  # SQLite's largest integer

# An id of a stored row: a JSON number from 1 (true, "43" and 43.0 are refused).
RowId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]

EARLIEST, LATEST = config.EARLIEST_DATE, config.LATEST_DATE
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")


def _shown(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def true_false_problem(value: Any, send: str) -> str | None:
    """Why a JSON value given for a yes-or-no detail is not JSON true or false, ending with what
    to `send` (None: it is true, false or null). Every number and every text is refused in the
    same words, whether or not the library would read it as true or false: `"withdrawal": 1`
    was "'1' is not true, false or unknown", its quotes making a number look like text, and
    saying nothing of what to send, while `"bereaved": 1` was "1 is a number, not true or
    false: send true or false, without quotes" (an integrator's review). A field that takes a
    word too ("unknown") is checked for it by the caller first."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return f"{_shown(value)} is a number, not true or false: send {send}"
    if isinstance(value, str):
        return f"'{_shown(value)}' is text, not true or false: send {send}"
    kind = "a list" if isinstance(value, (list, tuple)) else "an object" if isinstance(value, dict) else "that"
    return f"must be true or false, not {kind}: send {send}"


def day_problem(value: Any) -> str | None:
    """Why a JSON value is not a day the service takes (None: it is one): text YYYY-MM-DD, a
    real date, between EARLIEST and LATEST. A date and time, a number, true or false are refused
    even where a date could be read from them."""
    if isinstance(value, bool):
        return "must be a date as text in double quotes (YYYY-MM-DD), not true or false"
    if isinstance(value, (int, float)):
        return f"{_shown(value)} is a number, not a date: send the date as text, YYYY-MM-DD"
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}' is a date and time: give the day alone, YYYY-MM-DD"
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        if _DAY_AND_TIME.match(value):
            return f"'{_shown(value)}' is a date and time: give the day alone, YYYY-MM-DD"
        if not _DAY.fullmatch(value):
            return written_otherwise(value) or f"'{_shown(value)}' is not a real date (use YYYY-MM-DD)"
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return f"'{_shown(value)}' is not a real date (use YYYY-MM-DD)"
    else:
        kind = "a list" if isinstance(value, (list, tuple)) else "an object" if isinstance(value, dict) else "not text"
        return f"must be a date as text (YYYY-MM-DD), not {kind}"
    if not EARLIEST <= day <= LATEST:
        return f"'{day.isoformat()}' is not between {EARLIEST} and {LATEST}; check the year"
    return None


def _read_day(value: Any) -> Any:
    if value is None:
        return None
    problem = day_problem(value)
    if problem:
        raise ValueError(problem)
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# A day in a JSON body or a query: "YYYY-MM-DD", EARLIEST to LATEST. Use as `Day | None`.
Day = Annotated[dt.date, BeforeValidator(_read_day)]
