"""The one way dates are written for people: "Friday 20 December 2024"."""
from __future__ import annotations

import datetime as dt


def long_date(day: dt.date | str, today: dt.date | None = None) -> str:
    """"Friday 20 December 2024"; with `today` given, the year is left out when it is this
    year's ("Friday 20 December")."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    text = f"{day:%A} {day.day} {day:%B}"
    if today is not None and day.year == today.year:
        return text
    return f"{text} {day.year}"
