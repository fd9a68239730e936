"""The one way dates are written for people: "Friday 20 December 2024"."""
from __future__ import annotations

import datetime as dt
import re


def long_date(day: dt.date | str, today: dt.date | None = None) -> str:
    """"Friday 20 December 2024"; with `today` given, the year is left out when it is this
    year's ("Friday 20 December")."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    text = f"{day:%A} {day.day} {day:%B}"
    if today is not None and day.year == today.year:
        return text
    return f"{text} {day.year}"


# A date written another way than YYYY-MM-DD: day and month first ("16/02/2026", as a UK
# spreadsheet saves it; "02/16/2026" in the US), its parts without their zeros ("2026-2-3"), or
# without dashes ("20260203").
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})")
_RUN_TOGETHER = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def written_otherwise(value: object) -> str | None:
    """What is wrong with a real date written otherwise than YYYY-MM-DD, with the date as it
    should be written ("'16/02/2026' is written day first: write dates as YYYY-MM-DD:
    2026-02-16"); None when `value` is no such date (a date that does not exist, or not a date).

    Never read as the date itself: a date written day and month first could be either where
    both are 12 or under ("03/02/2026": 3 February in the UK, 2 March in the US), so a day
    guessed at could be a month out, and the letter counted late or on time by it."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value.strip()
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        day_first, month_first = _day(year, second, first), _day(year, first, second)
        if day_first and month_first and day_first != month_first:
            return (f"'{text}' could be written day first or month first: write dates as YYYY-MM-DD: "
                    f"{day_first.isoformat()} if the day comes first (as in the UK), {month_first.isoformat()} "
                    "if the month does")
        if day_first:
            return f"'{text}' is written day first: write dates as YYYY-MM-DD: {day_first.isoformat()}"
        if month_first:
            return f"'{text}' is written month first: write dates as YYYY-MM-DD: {month_first.isoformat()}"
        return None
    m = _YEAR_FIRST.fullmatch(text) or _RUN_TOGETHER.fullmatch(text)
    if m:
        day = _day(int(m[1]), int(m[m.re.groups - 1]), int(m[m.re.groups]))
        if day is not None and day.isoformat() != text:
            return f"'{text}' is a date written another way: write dates as YYYY-MM-DD: {day.isoformat()}"
    return None
