"""What one person's saves may store in a day (letters/service.py check_daily_storage): an
attacker's review filled the disk at 6 MB a save of a hostile 200 KB text (8 GB an hour from one
staff account). Real SQLite file; the limit made small with VCL_QA_DAILY_STORAGE_MB."""
from __future__ import annotations

import pytest

from live_server import sample_payloads
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.errors import LetterError
from vcl_qa.letters import service


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "v.db")
    migrate(d)
    yield d
    d.close()


def test_a_person_over_the_days_storage_is_refused_and_nothing_is_saved(db, monkeypatch):
    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    alice = add_user(db, "alice", "staff", "north")[0]
    bob = add_user(db, "bob", "staff", "north")[0]
    p = sample_payloads()[0]
    long_text = p["text"] + "\n\n" + "We looked at the file again and the evidence was read. " * 3000  # ~170 KB
    first = service.submit(db, alice, long_text, p["context"], team="north")
    versions = db.execute("SELECT count(*) FROM versions").fetchone()[0]
    with pytest.raises(LetterError) as refused:
        for _ in range(5):
            service.submit(db, alice, long_text, p["context"], letter_id=first["id"])
    assert "in the last 24 hours" in str(refused.value) and refused.value.field == "text"
    saved = db.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert versions <= saved < versions + 5  # refused before five more
    # what was stored is counted, and others are not held back by it
    used = db.execute("SELECT SUM(stored_chars) FROM versions WHERE author_id = ?", [alice.id]).fetchone()[0]
    assert 170_000 * (saved) < used <= 1_000_000
    service.submit(db, bob, p["text"], p["context"], team="north")
    # the command line's imports are not counted
    service.submit(db, alice, long_text, p["context"], team="north", counted=False)


def test_a_day_later_the_same_person_can_save_again(db, monkeypatch):
    import datetime as dt

    from vcl_qa import clock

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    alice = add_user(db, "alice", "staff", "north")[0]
    p = sample_payloads()[0]
    long_text = p["text"] + "\n\n" + "We looked at the file again and the evidence was read. " * 3000
    with pytest.raises(LetterError):
        for _ in range(6):
            service.submit(db, alice, long_text, p["context"], team="north")
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + dt.timedelta(hours=25))
    service.submit(db, alice, long_text, p["context"], team="north")


def test_a_bad_setting_is_refused_plainly(monkeypatch):
    from vcl_qa import config

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "lots")
    with pytest.raises(ValueError, match="VCL_QA_DAILY_STORAGE_MB must be a whole number"):
        config.daily_storage_chars()


def test_the_service_will_not_start_with_a_bad_setting(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from vcl_qa.cli import main

    monkeypatch.setenv("VCL_QA_DB", str(tmp_path / "v.db"))
    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "-3")
    out = CliRunner().invoke(main, ["serve", "--port", "8099"])
    assert out.exit_code == 2
    assert "VCL_QA_DAILY_STORAGE_MB must be a whole number" in out.output
    assert not (tmp_path / "v.db").exists()  # stopped before anything was made
