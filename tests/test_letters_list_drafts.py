"""The letters list reads only the undated drafts it shows: each is judged as of today when
shown (letters.service), but a page with no verdict filter read every undated draft the filters
gave, on every page (68 ms of a 95 ms page with 5,000 stale drafts among 100,000 letters,
bench/bench_letters_page.py). The rows and counts are those of the letters in id order, drafts
among them, as before. A real SQLite file."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from vcl_qa.db import migrate, open_db
from vcl_qa.letters import service, store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_letters_page import build  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("drafts") / "vcl_qa.db")
    migrate(db)
    build(db, 2_000, random.Random(3))
    return db


def _asked(monkeypatch) -> list[int]:
    asked: list[int] = []
    real = store.scored_for

    def counting(db, ids):
        asked.extend(ids)
        return real(db, ids)

    monkeypatch.setattr(store, "scored_for", counting)
    return asked


def _undated(db) -> set[int]:
    return {r[0] for r in db.execute(f"SELECT l.id FROM letters l WHERE {store.UNDATED_DRAFT}")}


def test_a_page_reads_only_the_drafts_it_shows(db, monkeypatch):
    undated = _undated(db)
    assert len(undated) > 40  # (the bench's mix: about one letter in twenty)
    every = [r[0] for r in db.execute("SELECT id FROM letters ORDER BY id DESC")]
    asked = _asked(monkeypatch)
    got = service.letters_page(db, limit=25)
    assert [r["id"] for r in got["rows"]] == every[:25]
    assert got["count"] == len(every) and got["newer"] == 0 and got["older"] == len(every) - 25
    assert sorted(asked) == sorted(i for i in every[:25] if i in undated)
    older = service.letters_page(db, limit=25, before_id=every[500])
    assert [r["id"] for r in older["rows"]] == every[501:526] and older["newer"] == 501
    asked.clear()
    page, count = service.list_letters(db, limit=10, offset=30)
    assert [r["id"] for r in page] == every[30:40] and count == len(every)
    assert set(asked) <= undated and len(asked) <= 10


def test_a_verdict_filter_still_judges_every_draft(db, monkeypatch):
    """With a verdict filter each undated draft is judged (its verdict today decides whether
    it is listed), and the drafts come in id order with the rest."""
    undated = _undated(db)
    asked = _asked(monkeypatch)
    got = service.letters_page(db, limit=25, verdict="poor")
    assert set(asked) == undated
    poor = [r[0] for r in db.execute("SELECT id FROM letters WHERE verdict = 'poor' ORDER BY id DESC")]
    assert [r["id"] for r in got["rows"]] == poor[:25] and got["count"] == len(poor)
