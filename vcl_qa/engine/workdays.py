"""Working-day arithmetic for England and Wales: the one implementation every part uses.

Day 0 is the decision date. A working day is Monday to Friday and not an England and Wales bank
holiday (the `holidays` package, one-off holidays included) nor an extra closure day listed in
rules/calendar.yml.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from functools import lru_cache

import holidays

from vcl_qa.engine.rules_data import load_calendar


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def _extra_closures() -> frozenset[dt.date]:
    return load_calendar().extra_non_working_days


def is_working_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _bank_holidays(day.year) and day not in _extra_closures()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself is day 0): the first day on
    which the working days counted from 1 January reach `days` more than on `start` (the
    year's counts, `_year_counts`, looked up, not each day in between)."""
    if days < 0:
        raise ValueError("days must be zero or more")
    if not days:
        return start
    closures = _extra_closures()
    year, counts = start.year, _year_counts(start.year, closures)
    want = counts[_day_of_year(start)] + days
    while want > counts[-1]:  # (into the next year: its counts start again from none)
        want -= counts[-1]
        year += 1
        counts = _year_counts(year, closures)
    return dt.date(year, 1, 1) + dt.timedelta(days=bisect_left(counts, want))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when end is earlier."""
    if end < start:
        return -working_days_between(end, start)
    closures = _extra_closures()
    first = _year_counts(start.year, closures)
    if start.year == end.year:
        return first[_day_of_year(end)] - first[_day_of_year(start)]
    count = first[-1] - first[_day_of_year(start)]
    for year in range(start.year + 1, end.year):
        count += _year_counts(year, closures)[-1]
    return count + _year_counts(end.year, closures)[_day_of_year(end)]


def _day_of_year(day: dt.date) -> int:
    """0 for 1 January."""
    return day.toordinal() - dt.date(day.year, 1, 1).toordinal()


@lru_cache(maxsize=256)
def _year_counts(year: int, closures: frozenset[dt.date]) -> tuple[int, ...]:
    """For each day of the year (0 for 1 January), the working days from 1 January up to and
    including it (worked out once a year and calendar: a letter's dates are counted with two
    look-ups, not day by day)."""
    holidays_then = _bank_holidays(year)
    counts, count = [], 0
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5 and day not in holidays_then and day not in closures:
            count += 1
        counts.append(count)
        day += dt.timedelta(days=1)
    return tuple(counts)


# Bereaved close relatives count as victims of the most serious crime (domain notes section 1):
# they are owed the enhanced service, so its time limit, whatever category was chosen.
ENHANCED = "enhanced"
BEREAVED_WHY = "bereaved families are owed the enhanced service"


def category_for(victim_category: str | None, bereaved: bool | None = None) -> str | None:
    """The category whose time limit applies: `victim_category`, or the enhanced one for a
    bereaved close relative (`bereaved` True) when its limit is shorter. A young reader does not
    change it: the domain notes do not require it (choose the enhanced category for them)."""
    if victim_category is None or bereaved is not True:
        return victim_category
    limits = load_calendar().limits
    own, enhanced = limits.get(str(victim_category)), limits.get(ENHANCED)
    if own is not None and enhanced is not None and enhanced < own:
        return ENHANCED
    return victim_category


def limit_reason(victim_category: str | None, bereaved: bool | None = None) -> str | None:
    """Why the limit is not the chosen category's ("bereaved"), or None when it is."""
    return "bereaved" if category_for(victim_category, bereaved) != victim_category else None


def limit_for(victim_category: str | None, bereaved: bool | None = None) -> int | None:
    """Working days allowed for the victim category (settings in rules/calendar.yml); for a
    bereaved close relative, the enhanced limit when it is shorter (`category_for`)."""
    category = category_for(victim_category, bereaved)
    if category is None:
        return None
    return load_calendar().limits.get(str(category))


def due_date(decision_date: dt.date, victim_category: str | None,
             bereaved: bool | None = None) -> dt.date | None:
    limit = limit_for(victim_category, bereaved)
    if limit is None:
        return None
    return add_working_days(decision_date, limit)
