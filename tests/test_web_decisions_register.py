"""The decisions page (review 9): it takes the dashboard's filters (decision, the due date's
range) and says which are on, so the dashboard's "N were never sent" and "N not yet due" open a
list of exactly N; an entry whose linked letter went out before the decision says so.

Real server, the demo's data (tests/web_site.py)."""
from __future__ import annotations

import html
import re

import pytest

from web_site import field_error, signed_in, start, visible_text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "register_page")
    yield s
    s["server"].stop()


def _link_and_figure(page: str, pattern: str) -> tuple[str, int]:
    m = re.search(r'<a href="(/decisions\?[^"]*)"[^>]*>(?:<strong>)?(\d+)(?:</strong>)? ' + pattern, page)
    assert m, pattern
    return html.unescape(m.group(1)), int(m.group(2))


def _listed(client, link: str) -> tuple[int, str]:
    page = client.get(link)
    assert page.status_code == 200, page.text[:300]
    m = re.search(r'id="decisions-count" role="status">(.*?)</p>', page.text, re.S)
    text = visible_text(m.group(1))
    n = 0 if text.startswith("No ") else int(re.match(r"(\d+)", text).group(1))
    return n, page.text


FILTERS = [
    {"as_of": "2025-12-31"},
    {"as_of": "2025-12-30"},  # 2 due that day: the dashboard's "not yet due" counts them
    {"as_of": "2025-12-30", "date_from": "2025-12-30", "date_to": "2026-01-05"},
    {"as_of": "2025-12-31", "date_from": "2025-12-01", "date_to": "2025-12-31"},
    {"as_of": "2025-12-31", "date_from": "2025-12-22", "date_to": "2026-01-31", "team": "demo"},
    {"as_of": "2025-12-29", "decision": "discontinued"},
    {"as_of": "2025-12-31", "decision": "not_charged", "date_from": "2025-01-01"},
    {},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none")
def test_the_dashboards_links_list_exactly_what_it_counts(site, params):
    """Review 9, item 4: '10 were never sent' opened a list of 18 (the date and decision
    filters were dropped), and '4 not yet due' a list of 3 (the fourth was due today)."""
    client = signed_in(site, "manager")
    dash = client.get("/dashboard", params=params)
    assert dash.status_code == 200
    checked = 0
    if 'id="missing-link"' in dash.text:
        link, figure = _link_and_figure(dash.text, r"(?:was|were) never sent")
        for key in ("decision", "as_of", "team"):
            if params.get(key):
                assert f"{key}={params[key]}" in link
        for ours, theirs in (("date_from", "due_from"), ("date_to", "due_to")):
            if params.get(ours):
                assert f"{theirs}={params[ours]}" in link
        assert _listed(client, link)[0] == figure
        # "Letters not sent" under the charts opens the same list (it dropped the filters: a
        # manager's review found a team's page saying 2, and the link listing all 15)
        below = html.unescape(re.search(r'<a href="([^"]*)" id="not-sent-link">', dash.text).group(1))
        assert below == link
        checked += 1
    # "due today" and "due later" apart (review 11a, finding 12: "not yet due" counted both)
    for words, status in (("due today", "due_today"), ("due later", "due")):
        if f"{words}</a>" in dash.text:
            link, figure = _link_and_figure(dash.text, words)
            assert f"status={status}&" in link or link.endswith(f"status={status}")
            n, page = _listed(client, link)
            assert n == figure
            checked += 1
    assert checked, "the dashboard showed neither figure for these filters"


def test_not_yet_due_includes_due_today(site):
    client = signed_in(site, "manager")
    counts = {s: _listed(client, f"/decisions?status={s}&as_of=2025-12-30")[0]
              for s in ("due", "due_today", "not_yet_due")}
    assert counts["not_yet_due"] == counts["due"] + counts["due_today"]
    assert counts["due_today"] == 2 and counts["due"] == 4  # the demo's letters due that day and later


def test_the_page_says_which_filters_are_on_and_refuses_bad_ones(site):
    client = signed_in(site, "manager")
    page = client.get("/decisions", params={"status": "overdue", "team": "demo", "decision": "discontinued",
                                            "due_from": "2025-12-01", "due_to": "2025-12-31", "as_of": "2025-12-31"})
    text = visible_text(page.text)
    assert ("Only decisions matching these filters are listed and counted: Team demo; decision: Stop the case "
            "(discontinued); due from Monday 1 December 2025 to Wednesday 31 December 2025.") in text
    assert "Show every decision" in text
    # the tabs keep the filters
    assert re.search(r'href="/decisions\?status=due_today&amp;team=demo&amp;decision=discontinued&amp;'
                     r'due_from=2025-12-01&amp;due_to=2025-12-31&amp;as_of=2025-12-31"', page.text)
    bad = client.get("/decisions", params={"due_from": "2025-12-31", "due_to": "2025-12-01", "decision": "lost"})
    assert bad.status_code == 400
    assert "is before the 'due from' date" in field_error(bad.text, "due_to")
    assert field_error(bad.text, "decision") == "Choose a decision from the list."
    assert 'id="decisions-table"' not in bad.text  # never an unfiltered list
    assert "Only decisions matching" not in visible_text(client.get("/decisions").text)


def test_a_letter_sent_before_the_decision_is_flagged_on_the_page(site):
    """Review 9, item 2: the page said 'Sent on time' for a decision whose letter went out
    a week before it was made."""
    from vcl_qa.db import open_db
    from vcl_qa.decisions import register, store
    from vcl_qa.letters import service
    from vcl_qa.letters.bulk import Actor

    db = open_db(site["db"])
    try:
        [(row_id, _)] = store.upsert_many(db, Actor("test"), [register.record_from_mapping({
            "urn": "90NR0001726", "decision": "discontinued", "decision_date": "2025-11-28",
            "victim_category": "enhanced", "team": "demo"})])
        text = ("Dear Ms Lee\n\nI am writing to tell you that we have decided to stop the case. "
                "I am sorry for the upset this causes.\n\nYours sincerely\nA Prosecutor\n")
        letter_id = service.submit(db, Actor("test"), text, {
            "urn": "90NR0001726", "decision": "discontinued", "decision_date": "2025-11-20",
            "letter_date": "2025-11-21", "victim_category": "enhanced"}, team="demo", sent_date="2025-11-21")["id"]
    finally:
        db.close()
    client = signed_in(site, "manager")
    page = client.get("/decisions", params={"status": "overdue", "as_of": "2025-12-31"})
    row = re.search(r"<tr[^>]*>\s*<td[^>]*>90NR0001726</td>(.*?)</tr>", page.text, re.S)
    assert row, "the decision is overdue, not sent on time"
    words = visible_text(row.group(1))
    assert ("Check: A letter was sent on Friday 21 November 2025, before this decision (Friday 28 November "
            "2025): check it belongs to this decision (it is not counted as sent).") in words
    assert f"/letters/{letter_id}" in row.group(1)
    sent = client.get("/decisions", params={"status": "sent_on_time", "as_of": "2025-12-31"})
    assert "90NR0001726" not in sent.text
    api = client.get("/api/v1/decisions", params={"urn": "90NR0001726", "as_of": "2025-12-31"},
                     headers={"Authorization": f"Bearer {site['tokens']['manager']}"}).json()
    assert (api["data"][0]["status"], api["data"][0]["sent_on"]) == ("overdue", None)
    assert api["data"][0]["letter_warning"].startswith("a letter was sent on Friday 21 November 2025")
    db = open_db(site["db"])
    try:
        db.execute("DELETE FROM decisions WHERE id = ?", [row_id])
        db.conn.commit()
    finally:
        db.close()


def test_the_register_dates_are_typed_as_day_month_and_year(site):
    """The register's date filters used the browser's date picker (mm/dd/yyyy in some browsers)
    where every other date on the pages is typed as day, month and year; a link's ISO date (the
    dashboard's) still works."""
    client = signed_in(site, "manager")
    page = client.get("/decisions", params={"due_from-day": "1", "due_from-month": "12", "due_from-year": "2025",
                                            "due_to": "2025-12-31", "as_of": "2025-12-31"})
    assert page.status_code == 200
    assert "due from monday 1 december 2025 to wednesday 31 december 2025" in visible_text(page.text).lower()
    assert 'type="date"' not in page.text and 'name="due_to-day"' in page.text and 'value="31"' in page.text
    bad = client.get("/decisions", params={"due_from-day": "31", "due_from-month": "2", "due_from-year": "2025"})
    assert bad.status_code == 400
    assert field_error(bad.text, "due_from") == "The 'due from' date must be a real date, for example 27 3 2025."
    assert 'href="#due_from"' in bad.text


def test_each_linked_letter_is_labelled_sent_or_draft_and_each_cell_carries_its_column(site):
    """A manager's review: every letter linked to an open decision was listed as "Drafts", also
    one marked sent (before the decision date, so not counted). Now a sent letter says so with
    the day it went out, and a draft is a draft. And on a phone, where the table's headers are
    off screen, each cell names its column (`data-label`, shown by app.css), so the due date is
    never a date on its own."""
    from vcl_qa.db import open_db
    from vcl_qa.decisions import register, store
    from vcl_qa.letters import service
    from vcl_qa.letters.bulk import Actor

    text = ("Dear Ms Lee\n\nI am writing to tell you that we have decided to stop the case. "
            "I am sorry for the upset this causes.\n\nYours sincerely\nA Prosecutor\n")
    details = {"urn": "90NR0001727", "decision": "discontinued", "decision_date": "2025-11-20",
               "letter_date": "2025-11-21", "victim_category": "enhanced"}
    db = open_db(site["db"])
    try:
        [(row_id, _)] = store.upsert_many(db, Actor("test"), [register.record_from_mapping({
            "urn": "90NR0001727", "decision": "discontinued", "decision_date": "2025-11-28",
            "victim_category": "enhanced", "team": "demo"})])
        sent_id = service.submit(db, Actor("test"), text, details, team="demo", sent_date="2025-11-21")["id"]
        draft_id = service.submit(db, Actor("test"), text, {**details, "decision_date": "2025-11-28",
                                                            "letter_date": None}, team="demo")["id"]
    finally:
        db.close()
    try:
        page = signed_in(site, "manager").get("/decisions", params={"status": "overdue", "as_of": "2025-12-31"})
        row = re.search(r"<tr[^>]*>\s*<td[^>]*>90NR0001727</td>(.*?)</tr>", page.text, re.S)
        assert row, "the decision is overdue"
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row.group(0), re.S)
        headers = re.findall(r'<th scope="col">([^<]+)</th>', page.text.split('id="decisions-table"')[1])
        assert [label for label, _ in cells] == headers == ["Case reference", "Team", "Decision", "Due", "Status",
                                                            "Letter"]
        letter = re.sub(r"\s+([:,])", r"\1", visible_text(cells[-1][1]).strip())
        assert f"Letter {sent_id}: sent Friday 21 November 2025" in letter
        assert f"Draft: letter {draft_id}" in letter
        assert f"Drafts: letter {sent_id}" not in letter and f"letter {sent_id}," not in letter
        css = signed_in(site, "manager").get("/static/app.css").text
        narrow = css.split("@media (max-width: 40rem) {\n  #decisions-table thead")[1].split("}\n}")[0]
        assert '#decisions-table td[data-label]::before { content: attr(data-label) ": "' in narrow
    finally:
        db = open_db(site["db"])
        try:
            db.execute("DELETE FROM decisions WHERE id = ?", [row_id])
            db.conn.commit()
        finally:
            db.close()
