"""Shared test set-up. The live-server helpers live in tests/live_server.py (import from there)."""
from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest


def _noon_today() -> None:
    """One date for the whole run: the service's clock (vcl_qa.clock, VCL_QA_CLOCK_OFFSET, which
    the servers and commands the tests start inherit) is set so that the run starts at noon on
    the real UK date. A run of 18 minutes that began at 23:50 would otherwise see two dates:
    the tests work out what "today" should be when they are collected, the server when asked."""
    from vcl_qa import clock

    if os.environ.get(clock.OFFSET_ENV, "").strip():
        return  # set by whoever runs the tests: theirs
    real = dt.datetime.now(dt.timezone.utc)
    noon = dt.datetime.combine(real.astimezone(clock.UK).date(), dt.time(12), tzinfo=clock.UK)
    os.environ[clock.OFFSET_ENV] = str(round((noon - real).total_seconds()))


_noon_today()


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A copy of the rules folder in use (VCL_QA_RULES points at it) for the test to change;
    the rules are loaded afresh before and after."""
    from vcl_qa.engine.rules import load_rules
    from vcl_qa.engine.rules_data import rules_dir
    from vcl_qa.training import exercises

    caches = (load_rules, exercises.load_exercises, exercises.settings)

    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    monkeypatch.setenv("VCL_QA_RULES", str(folder))
    for cached in caches:
        cached.cache_clear()
    yield folder
    monkeypatch.delenv("VCL_QA_RULES")
    for cached in caches:
        cached.cache_clear()


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated SQLite database file (a test file may define its own `db`)."""
    from vcl_qa.db import migrate, open_db

    database = open_db(tmp_path / "store.db")
    migrate(database)
    yield database
    database.close()
