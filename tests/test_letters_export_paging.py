"""The letters export (/letters.csv) reads the letters a page at a time: each page after the
last letter of the one before, not by offset. Counted by offset, a draft marked sent while an
export of drafts ran moved every later row up one, and the next page skipped a letter; a letter
saved meanwhile moved them down one, and the next page repeated a letter. Real SQLite file, the
real service functions, the writes made between two pages as another person's would be."""
from __future__ import annotations

import datetime as dt

import pytest

from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user, user_by_name
from vcl_qa.letters import service

TEXT = "Dear Ms Grant\n\nWe have decided to stop the case.\n\nYours sincerely\nJ Whitcombe\n"


def case(n: int) -> dict:
    return {"decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "standard",
            "letter_date": "2025-11-21", "urn": f"01AB{n:07d}"}


@pytest.fixture
def letters(tmp_path):
    db = open_db(tmp_path / "vcl_qa.db")
    migrate(db)
    add_user(db, "writer", "staff", team="north")
    writer = user_by_name(db, "writer")
    ids = [service.submit(db, writer, TEXT, case(n), team="north")["id"] for n in range(5)]
    return db, writer, ids


def exported(db, writer, between, **filters) -> list[int]:
    """The ids the export gives, `between()` run after its first page."""
    out = []
    for i, rows in enumerate(service.each_page(db, page=2, **filters)):
        out += [r["id"] for r in rows]
        if i == 0:
            between()
    return out


def test_a_draft_marked_sent_during_an_export_of_drafts_skips_no_other(letters):
    db, writer, ids = letters
    newest = ids[-1]
    got = exported(db, writer, lambda: service.mark_sent(db, writer, newest, dt.date(2025, 11, 21), "written in Word and posted that day"), status="draft")
    assert got == sorted(ids, reverse=True)  # each draft there when the export began, once


def test_a_letter_saved_during_an_export_repeats_none(letters):
    db, writer, ids = letters
    got = exported(db, writer, lambda: service.submit(db, writer, TEXT, case(9), team="north"))
    assert got == sorted(ids, reverse=True)
