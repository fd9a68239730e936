"""Figures a manager reads out to inspectors, worked out again by hand from a real SQLite file:

- the dashboard's "Figures as on" with From and To: a letter drafted and dated in November and
  marked sent on 2 December was a November draft on 30 November, yet "as on 30 November" it was
  missing from November and listed in December (under its November month), because From and To
  read the sent date it was given later;
- percentages are rounded as a spreadsheet rounds them, a half upwards (1 of 16 on time is 6.3%,
  not 6.2%; 1 of 8 is 13%, not 12%), and never read 100% with a letter late or 0% with one on time;
- the morning digest says "1 stored letter matches", not "match".
"""
from __future__ import annotations

import datetime as dt

from vcl_qa import labels
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register, store
from vcl_qa.letters import service
from vcl_qa.letters.bulk import Actor
from vcl_qa.panel.agreement import share_words
from vcl_qa.reports import dashboard, timeliness

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
NOVEMBER = {"date_from": dt.date(2025, 11, 1), "date_to": dt.date(2025, 11, 30)}
DECEMBER = {"date_from": dt.date(2025, 12, 1), "date_to": dt.date(2025, 12, 31)}


def test_figures_as_on_choose_letters_by_the_day_they_counted_on_then(tmp_path):
    db = open_db(tmp_path / "as-on.db")
    migrate(db)
    staff = add_user(db, "east-staff", "staff", "east")[0]
    # Decided Thursday 27 November 2025, dated Friday 28 November, saved that day, marked sent
    # (by post) on Tuesday 2 December.
    ctx = {"decision": "discontinued", "decision_date": "2025-11-27", "victim_category": "standard",
           "letter_date": "2025-11-28"}
    letter = service.submit(db, staff, TEXT, ctx, team="east")["id"]
    with db.conn:
        for table in ("letters", "versions", "results"):
            db.execute(f"UPDATE {table} SET created_at = '2025-11-28T10:00:00+00:00'")
    service.mark_sent(db, staff, letter, dt.date(2025, 12, 2))
    with db.conn:
        db.execute("UPDATE letters SET sent_marked_at = '2025-12-02T10:00:00+00:00'")
        db.execute("UPDATE results SET created_at = '2025-12-02T10:00:00+00:00' WHERE id = "
                   "(SELECT max(id) FROM results)")

    # As on 30 November: a draft dated 28 November, so a November letter.
    as_on = dt.date(2025, 11, 30)
    everything = dashboard.letters_in_scope(db, as_of=as_on)
    assert [(r["day"], r["status"]) for r in everything] == [("2025-11-28", "draft")]
    november = dashboard.letters_in_scope(db, as_of=as_on, **NOVEMBER)
    assert [(r["id"], r["month"]) for r in november] == [(letter, "2025-11")]
    assert [m["month"] for m in dashboard.by_month(november)] == ["2025-11"]
    assert dashboard.letters_in_scope(db, as_of=as_on, **DECEMBER) == []

    # Today (and as on 2 December) it is a letter sent in December, as before.
    assert dashboard.letters_in_scope(db, **NOVEMBER) == []
    assert [r["month"] for r in dashboard.letters_in_scope(db, **DECEMBER)] == ["2025-12"]
    assert [r["status"] for r in dashboard.letters_in_scope(db, as_of=dt.date(2025, 12, 2), **DECEMBER)] == ["sent"]
    db.close()


def test_percentages_round_a_half_upwards_and_never_to_all_or_none():
    assert labels.percent(57, 80) == 71.3      # 71.25: Python's round() gave 71.2
    assert labels.percent(1, 16) == 6.3        # 6.25: round() gave 6.2
    assert labels.percent(1, 8, 0) == 13       # 12.5: round() gave 12
    assert labels.percent(37, 52) == 71.2
    assert labels.percent(1, 3) == 33.3 and labels.percent(2, 3) == 66.7
    assert labels.percent(1999, 2000) == 99.9  # not 100.0 with one letter late
    assert labels.percent(1, 2001) == 0.1      # not 0.0 with one letter on time
    assert labels.percent(199, 200, 0) == 99 and labels.percent(1, 201, 0) == 1
    assert labels.percent(0, 7) == 0 and labels.percent(7, 7) == 100
    assert labels.percent(0, 0) is None
    assert share_words(1, 8, noun="letters") == "13% (1 of 8 letters)"


def test_the_register_rate_is_the_one_a_spreadsheet_gives(tmp_path):
    """16 letters due by Wednesday 3 December 2025 (enhanced rights, decided the day before):
    1 sent on its due date, 15 never sent. 1 of 16 is 6.25%: 6.3% on the dashboard, its CSV and
    the timeliness report alike (each said 6.2%)."""
    db = open_db(tmp_path / "rate.db")
    migrate(db)
    records = [register.record_from_mapping(
        {"urn": f"42AB{n:07d}", "decision": "discontinued", "decision_date": "2025-12-02",
         "victim_category": "enhanced", "team": "north", **({"letter_date": "2025-12-03"} if n == 0 else {})},
        today=dt.date(2025, 12, 10)) for n in range(16)]
    store.upsert_many(db, Actor("test"), records)
    today = dt.date(2025, 12, 10)
    figures = timeliness.from_register(db, today=today)
    assert (figures.on_time, figures.due, figures.missing) == (1, 16, 15)
    assert figures.rate == 6.3
    assert [(m["month"], m["rate"]) for m in figures.by_month] == [("2025-12", 6.3)]
    report = register.timeliness_report(db, today=today)
    assert {r["timeliness_rate"] for r in report} == {6.3}
    db.close()


def test_the_digest_says_one_letter_matches(tmp_path):
    d = register.Digest(dt.date(2025, 12, 10), True, None, [], 1, 1, 0, unlinked=1)
    assert "1 stored letter matches no decision in the register" in register.digest_text(d)
    d.unlinked = 2
    assert "2 stored letters match no decision in the register" in register.digest_text(d)


def test_averages_round_a_half_upwards_once_from_the_exact_figure():
    """The dashboard's average score used Python's round() (20 scores adding up to 1,601, 80.05,
    shown 80.0 where a spreadsheet gives 80.1), and the board report rounded its averages twice
    (1,681 over 21 letters, 80.048, to 80.05 and then to 80.1, not 80.0)."""
    from vcl_qa.panel import report
    from vcl_qa.panel.agreement import figure_words

    assert labels.average(1601, 20) == 80.1 and labels.average(1681, 21) == 80.0
    assert labels.average(5, 2, 0) == 3 and labels.average(829, 200, 2) == 4.15
    assert labels.average(0, 0) is None
    assert figure_words(report._mean([80] * 20 + [81]), 1) == "80.0"  # 80.048
    assert figure_words(report._mean([80] * 19 + [81]), 1) == "80.1"  # 80.05 exactly
    rows = [{"score": 80, "verdict": "good", "status": "sent", "on_time": None}] * 19 + [{"score": 81, "verdict": "good", "status": "sent", "on_time": None}]
    assert dashboard.summary([{**r} for r in rows])["mean_score"] == 80.1
