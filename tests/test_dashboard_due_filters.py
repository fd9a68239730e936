"""The dashboard takes the decisions page's names for its dates (a review): `/decisions` filters by
`due_from` and `due_to`, the dashboard by `date_from` and `date_to` (its From and To, the same
filter: docs/decisions.md), and the dashboard ignored `due_from`/`due_to`, showing the whole
register's figures with nothing saying no filter was on. Now either name is the same filter on the
page and its CSV, the two given with different dates are refused beside the box, and the page
says which filters its figures are for (or that none is on), as the decisions page does. Against
the real server and the demo's data."""
from __future__ import annotations

import re

import pytest

from web_site import field_error, signed_in, start, visible_text

DATES = {"date_from": "2024-12-01", "date_to": "2024-12-31"}
DUE = {"due_from": "2024-12-01", "due_to": "2024-12-31"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "dashboard_due_filters")
    yield s
    s["server"].stop()


def _headline(page: str) -> str:
    return visible_text(re.search(r'id="timeliness-headline">(.*?)</section>', page, re.S).group(1))


def _filters_line(page: str) -> str:
    m = re.search(r'<p id="filters-on"[^>]*>(.*?)</p>', page, re.S)
    return visible_text(m.group(1)).strip() if m else ""


def test_due_from_and_due_to_filter_the_dashboard_as_its_own_dates_do(site):
    client = signed_in(site, "manager")
    own, theirs, everything = (client.get("/dashboard", params=p) for p in (DATES, DUE, {}))
    assert own.status_code == theirs.status_code == everything.status_code == 200
    assert _headline(theirs.text) == _headline(own.text) != _headline(everything.text)
    # the figures after the headline too: the letters checked, the problems, the links onwards
    # (but the CSV link, which keeps the query as given: the CSV takes either name)
    body = re.compile(r'id="timeliness-headline">.*', re.S)
    csv_link = re.compile(r'href="/dashboard\.csv\?[^"]*"')
    assert csv_link.sub("", body.search(theirs.text).group(0)) == csv_link.sub("", body.search(own.text).group(0))
    assert "due_from=2024-12-01&amp;due_to=2024-12-31" in theirs.text  # links to /decisions keep them
    # the boxes show the dates the link gave
    for name, value in (("date_from-day", "1"), ("date_to-day", "31"), ("date_from-month", "12"),
                        ("date_to-year", "2024")):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', theirs.text), name


def test_one_of_each_name_and_with_a_team(site):
    client = signed_in(site, "manager")
    mixed = client.get("/dashboard", params={"team": "demo", "due_from": "2024-12-01", "date_to": "2024-12-31"})
    own = client.get("/dashboard", params={"team": "demo", **DATES})
    assert mixed.status_code == 200
    assert _headline(mixed.text) == _headline(own.text)
    assert _filters_line(mixed.text) == _filters_line(own.text)


def test_the_csv_takes_them_too(site):
    client = signed_in(site, "manager")
    own, theirs, everything = (client.get("/dashboard.csv", params=p) for p in (DATES, DUE, {}))
    assert own.status_code == theirs.status_code == 200
    assert theirs.text == own.text != everything.text


def test_the_page_says_which_filters_its_figures_are_for(site):
    client = signed_in(site, "manager")
    page = client.get("/dashboard", params={"team": "demo", "decision": "not_charged", **DUE})
    assert _filters_line(page.text) == (
        "Only letters and decisions matching these filters are counted: Team demo; decision: Not to charge; "
        "from Sunday 1 December 2024 to Tuesday 31 December 2024. "
        "Show the figures for every team, decision and date")
    assert 'id="clear-filters"' in page.text and 'href="/dashboard"' in page.text
    one_side = client.get("/dashboard", params={"due_to": "2024-12-31"})
    assert _filters_line(one_side.text).startswith(
        "Only letters and decisions matching these filters are counted: To Tuesday 31 December 2024.")
    as_of = client.get("/dashboard", params={"as_of": "2025-12-31", "due_from": "2024-12-01"})
    assert 'href="/dashboard?as_of=2025-12-31" id="clear-filters"' in as_of.text
    assert _filters_line(client.get("/dashboard").text) == (
        "No filter is on: the figures are for every team, decision and date.")


@pytest.mark.parametrize("params, field, message", [
    ({"date_from": "2024-12-01", "due_from": "2024-11-01"}, "date_from",
     "The From date was given twice, as Sunday 1 December 2024 and as Friday 1 November 2024 (the second in a "
     "link made on the decisions page). Choose one date and press Show."),
    ({"date_to": "2024-12-31", "due_to-day": "30", "due_to-month": "12", "due_to-year": "2024"}, "date_to",
     "The To date was given twice, as Tuesday 31 December 2024 and as Monday 30 December 2024 (the second in a "
     "link made on the decisions page). Choose one date and press Show."),
    ({"due_from": "2024-02-30"}, "date_from",
     "The 'due from' date ('2024-02-30') is not a date: type the day, month and year, for example 27 3 2025."),
    ({"due_from": "2025-03-01", "due_to": "2025-01-31"}, "date_to",
     "The To date (Friday 31 January 2025) is before the From date (Saturday 1 March 2025). Change one of them."),
])
def test_two_dates_for_one_filter_or_a_wrong_one_are_refused_beside_the_box(site, params, field, message):
    client = signed_in(site, "manager")
    page = client.get("/dashboard", params=params)
    assert page.status_code == 400
    assert field_error(page.text, field) == message
    assert 'class="error-summary"' in page.text and 'role="img"' not in page.text  # no figures
    assert 'id="filters-on"' not in page.text
    answer = client.get("/dashboard.csv", params=params)
    assert answer.status_code == 400 and message in answer.text


def test_the_same_date_under_both_names_is_one_filter(site):
    client = signed_in(site, "manager")
    both = client.get("/dashboard", params={**DATES, **DUE})
    assert both.status_code == 200
    assert _headline(both.text) == _headline(client.get("/dashboard", params=DATES).text)
