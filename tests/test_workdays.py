"""Working-day arithmetic (vcl_qa.workdays) against a plain reference built from a bank-holiday
list written out here by hand, not taken from the `holidays` package."""
from __future__ import annotations

import bisect
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vcl_qa.engine.rules_data import load_calendar, rules_dir
from vcl_qa.engine.workdays import add_working_days, due_date, is_working_day, working_days_between

D = dt.date

# Every England and Wales bank holiday 2020-2027, substitute days included (gov.uk list).
BANK_HOLIDAYS = {
    2020: [D(2020, 1, 1), D(2020, 4, 10), D(2020, 4, 13), D(2020, 5, 8), D(2020, 5, 25),
           D(2020, 8, 31), D(2020, 12, 25), D(2020, 12, 28)],
    2021: [D(2021, 1, 1), D(2021, 4, 2), D(2021, 4, 5), D(2021, 5, 3), D(2021, 5, 31),
           D(2021, 8, 30), D(2021, 12, 27), D(2021, 12, 28)],
    # Spring bank holiday moved to 2 June; 3 June Platinum Jubilee; 19 September the Queen's funeral.
    2022: [D(2022, 1, 3), D(2022, 4, 15), D(2022, 4, 18), D(2022, 5, 2), D(2022, 6, 2),
           D(2022, 6, 3), D(2022, 8, 29), D(2022, 9, 19), D(2022, 12, 26), D(2022, 12, 27)],
    # 8 May the King's coronation.
    2023: [D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1), D(2023, 5, 8),
           D(2023, 5, 29), D(2023, 8, 28), D(2023, 12, 25), D(2023, 12, 26)],
    2024: [D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27),
           D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26)],
    2025: [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26),
           D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)],
    2026: [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
           D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
    2027: [D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
           D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
}
ALL_HOLIDAYS = {d for days in BANK_HOLIDAYS.values() for d in days}
FIRST, LAST = D(2020, 1, 1), D(2027, 12, 31)


def reference_working_days(extra: frozenset[dt.date] = frozenset()) -> list[dt.date]:
    """Every working day 2020-2027 in order: weekdays that are neither holidays nor closures."""
    days, day = [], FIRST
    while day <= LAST:
        if day.weekday() < 5 and day not in ALL_HOLIDAYS and day not in extra:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


WORKING = reference_working_days()


def ref_add(start: dt.date, n: int, working: list[dt.date] = WORKING) -> dt.date:
    """The n-th working day after start (start itself is day 0), by indexing the list."""
    if n == 0:
        return start
    return working[bisect.bisect_right(working, start) + n - 1]


def ref_between(start: dt.date, end: dt.date, working: list[dt.date] = WORKING) -> int:
    """Working days in (start, end], negative when end is before start, by counting the list."""
    if end < start:
        return -ref_between(end, start, working)
    return bisect.bisect_right(working, end) - bisect.bisect_right(working, start)


@pytest.fixture(autouse=True)
def fresh_calendar():
    """load_calendar is cached per process: clear it around each test."""
    load_calendar.cache_clear()
    yield
    load_calendar.cache_clear()


def test_default_calendar_has_no_extra_closures():
    # The reference assumes none; a closure added in rules/ must come with its own test.
    assert load_calendar().extra_non_working_days == frozenset()


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_weekday_holidays_of_each_year_are_exactly_the_listed_ones(year):
    day, found = D(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and not is_working_day(day):
            found.append(day)
        day += dt.timedelta(days=1)
    assert found == BANK_HOLIDAYS[year]


@pytest.mark.parametrize("day", [D(2022, 6, 3), D(2022, 9, 19), D(2023, 5, 8), D(2020, 5, 8), D(2022, 6, 2)])
def test_one_off_and_moved_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert is_working_day(day) is False


def test_usual_dates_of_moved_holidays_are_working_days():
    # 2020 early May holiday moved from Monday 4 May; 2022 spring holiday from Monday 30 May.
    assert is_working_day(D(2020, 5, 4)) is True
    assert is_working_day(D(2022, 5, 30)) is True


dates = st.dates(min_value=FIRST, max_value=D(2027, 11, 30))


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=20))
def test_add_working_days_matches_reference(start, n):
    assert add_working_days(start, n) == ref_add(start, n)


@settings(max_examples=300, deadline=None)
@given(start=dates, end=dates)
def test_working_days_between_matches_reference(start, end):
    assert working_days_between(start, end) == ref_between(start, end)


@settings(max_examples=200, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=20))
def test_between_undoes_add(start, n):
    later = add_working_days(start, n)
    assert working_days_between(start, later) == n
    assert working_days_between(later, start) == -n
    if n > 0:
        assert is_working_day(later)


@settings(max_examples=200, deadline=None)
@given(day=dates)
def test_due_dates_are_one_and_five_working_days_on(day):
    assert due_date(day, "enhanced") == ref_add(day, 1)
    assert due_date(day, "standard") == ref_add(day, 5)
    assert due_date(day, None) is None


def test_add_working_days_refuses_negative_days():
    with pytest.raises(ValueError):
        add_working_days(D(2024, 1, 2), -1)


@pytest.mark.parametrize("decision,category,expected", [
    (D(2024, 12, 19), "enhanced", D(2024, 12, 20)),   # domain notes' worked examples
    (D(2024, 12, 19), "standard", D(2024, 12, 30)),
    (D(2025, 4, 17), "enhanced", D(2025, 4, 22)),
])
def test_worked_examples(decision, category, expected):
    assert due_date(decision, category) == expected


def fridays():
    day = D(2020, 1, 3)
    while day <= D(2027, 12, 24):
        yield day
        day += dt.timedelta(days=7)


def test_friday_decisions_are_due_on_the_next_working_day_after_the_weekend():
    checked = 0
    for friday in fridays():
        expected = friday + dt.timedelta(days=3)
        while expected in ALL_HOLIDAYS:
            expected += dt.timedelta(days=1)
        assert due_date(friday, "enhanced") == expected, friday
        checked += 1
    assert checked == 417


@pytest.mark.parametrize("friday,enhanced,standard", [
    (D(2024, 8, 23), D(2024, 8, 27), D(2024, 9, 2)),    # bank holiday Monday
    (D(2022, 9, 16), D(2022, 9, 20), D(2022, 9, 26)),   # the Queen's funeral on the Monday
    (D(2023, 5, 5), D(2023, 5, 9), D(2023, 5, 15)),     # the King's coronation on the Monday
    (D(2025, 12, 19), D(2025, 12, 22), D(2025, 12, 30)),  # Christmas and Boxing Day in the count
    (D(2026, 4, 3), D(2026, 4, 7), D(2026, 4, 13)),     # Good Friday decision, Easter Monday next
])
def test_friday_decisions(friday, enhanced, standard):
    assert friday.weekday() == 4
    assert due_date(friday, "enhanced") == enhanced
    assert due_date(friday, "standard") == standard


@pytest.mark.parametrize("holiday,enhanced,standard", [
    (D(2024, 12, 25), D(2024, 12, 27), D(2025, 1, 3)),
    (D(2022, 6, 3), D(2022, 6, 6), D(2022, 6, 10)),
    (D(2025, 4, 21), D(2025, 4, 22), D(2025, 4, 28)),
    (D(2023, 5, 8), D(2023, 5, 9), D(2023, 5, 15)),
])
def test_decision_made_on_a_bank_holiday(holiday, enhanced, standard):
    assert not is_working_day(holiday)
    assert due_date(holiday, "enhanced") == enhanced
    assert due_date(holiday, "standard") == standard


def test_saturday_decision_counts_from_monday():
    assert due_date(D(2024, 3, 9), "enhanced") == D(2024, 3, 11)
    assert working_days_between(D(2024, 3, 9), D(2024, 3, 11)) == 1


def closure_rules(tmp_path: Path, days: list[str]) -> Path:
    """A copy of rules/ whose calendar lists `days` as extra closures."""
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    calendar = yaml.safe_load((copy / "calendar.yml").read_text(encoding="utf-8"))
    calendar["extra_non_working_days"] = days
    (copy / "calendar.yml").write_text(yaml.safe_dump(calendar), encoding="utf-8")
    return copy


def test_configured_extra_closure_day(tmp_path, monkeypatch):
    assert due_date(D(2025, 12, 24), "enhanced") == D(2025, 12, 29)
    monkeypatch.setenv("VCL_QA_RULES", str(closure_rules(tmp_path, ["2025-12-29", "2024-05-10"])))
    load_calendar.cache_clear()
    assert load_calendar().extra_non_working_days == {D(2025, 12, 29), D(2024, 5, 10)}
    assert is_working_day(D(2025, 12, 29)) is False
    assert due_date(D(2025, 12, 24), "enhanced") == D(2025, 12, 30)
    assert due_date(D(2024, 5, 9), "enhanced") == D(2024, 5, 13)  # Friday closure
    assert working_days_between(D(2025, 12, 24), D(2025, 12, 31)) == 2


@settings(max_examples=100, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=20))
def test_extra_closures_match_reference(tmp_path_factory, start, n):
    closures = ["2021-07-09", "2024-12-27", "2025-12-29", "2026-12-24"]
    rules = closure_rules(tmp_path_factory.mktemp("closures"), closures)
    working = reference_working_days(frozenset(D.fromisoformat(c) for c in closures))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VCL_QA_RULES", str(rules))
        load_calendar.cache_clear()
        try:
            assert add_working_days(start, n) == ref_add(start, n, working)
            assert working_days_between(start, ref_add(start, n, working)) == n
        finally:
            load_calendar.cache_clear()


def test_between_counts_every_day_across_the_whole_range():
    """Working days are counted by look-ups a year at a time: the count over the whole range
    of dates a letter may carry (2000-2099), across each new year and back, is the count day by
    day."""
    from vcl_qa import config

    first, last = config.EARLIEST_DATE, config.LATEST_DATE
    by_day, day, year_end = 0, first, {}
    while day < last:
        day += dt.timedelta(days=1)
        by_day += is_working_day(day)
        if day.month == 12 and day.day == 31:
            year_end[day] = by_day
    assert working_days_between(first, last) == by_day
    assert working_days_between(last, first) == -by_day
    for end, count in year_end.items():  # 31 December: the edge of each year's look-up
        assert working_days_between(first, end) == count, end
        assert working_days_between(end, end + dt.timedelta(days=1)) == is_working_day(end + dt.timedelta(days=1))
    assert working_days_between(D(2024, 12, 31), D(2025, 1, 2)) == 1  # 1 January a bank holiday
    assert working_days_between(D(2024, 2, 28), D(2024, 3, 1)) == 2  # 29 February a Thursday


def test_add_working_days_by_year_counts_is_day_by_day_across_every_year():
    """add_working_days looks the day up in the year's counts: the day found counting day by
    day, from every start in the last and first weeks of each year of the range a letter may
    carry (where the look-up goes on into the next year), and from every day of two years."""
    from vcl_qa import config

    def by_day(start, n):
        day = start
        while n:
            day += dt.timedelta(days=1)
            n -= is_working_day(day)
        return day

    starts = [D(y, 12, 31) - dt.timedelta(days=k) for y in range(config.EARLIEST_DATE.year, 2098) for k in range(-8, 10)]
    starts += [D(2024, 1, 1) + dt.timedelta(days=k) for k in range(731)]
    for start in starts:
        for n in (0, 1, 2, 5, 9, 20):
            assert add_working_days(start, n) == by_day(start, n), (start, n)
    for start in starts[::97]:
        assert add_working_days(start, 600) == by_day(start, 600), start  # over two new years
