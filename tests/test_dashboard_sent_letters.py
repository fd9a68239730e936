"""Review 11a, finding 6: with no decisions register, the dashboard's "Letters sent on time"
counted drafts that were never sent (a draft dated by its due date read as "on time"; an
undated draft, scored on the day it was saved, as late), in the summary and by month. Now only
letters actually sent are judged for time. Every figure on the page and in its CSV is checked
against a hand count. The real server, on a real SQLite file."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from live_server import LiveServer
from vcl_qa import clock, labels
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.letters import service
from web_site import signed_in, visible_text

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
# Decided Thursday 20 November 2025, enhanced rights: due Friday 21 November.
CASE = {"decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "enhanced"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("sent-only") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    token = add_user(db, "manager", "manager")[1]
    ids = {}
    for name, letter_date, sent in (("A1", "2025-11-21", "2025-11-21"),   # sent on its due date: on time
                                    ("A2", "2025-11-24", "2025-11-24"),   # sent Monday: 1 working day late
                                    ("A3", "2025-11-22", "2025-11-22"),   # sent Saturday after a Friday due date: late
                                    ("A4", "2025-11-21", None),           # a draft dated on time, never sent
                                    ("A5", None, None)):                  # an undated draft, never sent
        ctx = {**CASE, **({"letter_date": letter_date} if letter_date else {})}
        ids[name] = service.submit(db, staff, TEXT, ctx, team="east")["id"]
        if sent:
            service.mark_sent(db, staff, ids[name], dt.date.fromisoformat(sent),
                              before_saved_reason="posted first, saved here afterwards to record it")
    db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": {"manager": token}, "ids": ids}
    server.stop()


def test_only_letters_sent_count_as_on_time_or_late(site):
    page = signed_in(site, "manager").get("/dashboard")
    assert page.status_code == 200
    text = visible_text(page.text)
    # By hand: three letters went out (A1, A2, A3); one of them (A1) on time. The drafts count neither way.
    assert "33.3% of sent letters on time" in text
    assert "1 of the 3 sent letters with a due date was sent on or before its due date." in text
    assert "Drafts are not counted until they are sent." in text
    assert "40.0%" not in text and "checked letters on time" not in text
    headline = re.search(r'id="headline">(.*?)</ul>', page.text, re.S).group(1)
    assert re.findall(r"<strong>([^<]+)</strong>", headline)[:2] == ["5", "3"]  # 5 checked, 3 sent
    # On time by month: the month sent; November 2025 holds the three sent letters and nothing
    # else; the month the undated draft was saved has no sent letter, so no row.
    table = re.search(r'aria-labelledby="h-timeliness">(.*?)</section>', page.text, re.S).group(1)
    rows = [[visible_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    assert rows == [["November 2025", "1", "3", "33.3"]]
    assert '<th scope="col" class="num">Sent</th>' in table
    assert ("Counted by the month each letter was sent (drafts are not counted until they are sent)."
            in visible_text(table))


def test_the_csv_counts_the_same_letters(site):
    response = signed_in(site, "manager").get("/dashboard.csv")
    rows = {r["Month (YYYY-MM)"]: r for r in csv.DictReader(io.StringIO(response.text))}
    this_month = clock.today().isoformat()[:7]  # the undated draft's month: the day it was stored
    assert set(rows) == {"2025-11", this_month}
    november, saved = rows["2025-11"], rows[this_month]
    # By hand: November holds A1-A4 (A4 by its date), three of them sent; the undated draft A5
    # falls in the month it was stored, not sent. No register: its columns are empty.
    assert (november["Month"], november["Letters checked"], november["Letters sent"]) == ("November 2025", "4", "3")
    assert (saved["Month"], saved["Letters checked"], saved["Letters sent"]) == (labels.month_words(this_month), "1", "0")
    for row in rows.values():
        assert (row["Letters due"], row["Sent on time"], row["Sent late"], row["Never sent"], row["On time (%)"]) == (
            "", "", "", "", "")


def test_a_draft_on_its_own_is_never_on_time(tmp_path):
    """The library's own figure, on a real SQLite file: a draft dated by its due date is not
    "on time", and a month of drafts alone has no on-time figure."""
    from vcl_qa.reports import dashboard

    db = open_db(tmp_path / "d.db")
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    service.submit(db, staff, TEXT, {**CASE, "letter_date": "2025-11-21"}, team="east")
    rows = dashboard.letters_in_scope(db)
    assert [(r["status"], r["on_time"]) for r in rows] == [("draft", None)]
    assert (dashboard.summary(rows)["judged_for_time"], dashboard.summary(rows)["timeliness_rate"]) == (0, None)
    assert [(m["judged_for_time"], m["timeliness_rate"]) for m in dashboard.by_month(rows)] == [(0, None)]
    db.close()
