"""A letter checked between midnight and 1 am in summer is counted on the UK day it was checked
(review 6: stored at 23:30 UTC on 30 June, it was found by a filter for 30 June and put in June
on the dashboard, while its result said it was dated 1 July). Real SQLite file."""
from __future__ import annotations

import datetime as dt

from vcl_qa.db.connection import open_db
from vcl_qa.db.migrations import migrate
from vcl_qa.letters import service, store
from vcl_qa.letters.bulk import Actor
from vcl_qa.reports import dashboard

TEXT = "Dear Ms Okafor\n\nWe have decided to stop the case against Mr Lane.\n\nYours sincerely\n"
CONTEXT = {"decision": "discontinued", "decision_date": "2026-06-29", "victim_category": "standard",
           "victim_name": "Ms Jane Okafor"}


def test_a_letter_stored_after_midnight_in_summer_counts_on_that_uk_day(tmp_path):
    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    out = service.submit(db, Actor("test"), TEXT, CONTEXT, team="north")
    for table, column in (("letters", "id"), ("versions", "letter_id"), ("results", "letter_id")):
        db.execute(f"UPDATE {table} SET created_at = '2026-06-30T23:30:00+00:00' WHERE {column} = ?", [out["id"]])
    db.conn.commit()
    july, june = dt.date(2026, 7, 1), dt.date(2026, 6, 30)
    assert [r["id"] for r in store.list_letters(db, date_from=july, date_to=july)[0]] == [out["id"]]
    assert store.list_letters(db, date_from=june, date_to=june)[1] == 0
    rows = dashboard.letters_in_scope(db)
    assert [r["month"] for r in rows] == ["2026-07"]
    assert dashboard.first_stored(db) == july
    assert dashboard.letters_in_scope(db, as_of=june) == []
    assert [r["id"] for r in dashboard.letters_in_scope(db, as_of=july)] == [out["id"]]


def test_in_winter_the_uk_day_is_the_utc_day(tmp_path):
    db = open_db(tmp_path / "vcl_qa.db")
    assert db.execute("SELECT uk_day('2026-12-31T23:30:00+00:00'), uk_day('2026-06-30T22:59:59+00:00')"
                      ).fetchone() == ("2026-12-31", "2026-06-30")
