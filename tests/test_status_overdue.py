"""`vcl-qa status` warns of letters to victims that are overdue, as the README's daily check
relies on it to (a review found it silent with 18 overdue while the digest and /metrics counted
them), and exits 1; once the letter is recorded as sent, nothing needs doing. Real SQLite file,
the real command."""
from __future__ import annotations

import json

from click.testing import CliRunner

from vcl_qa import clock
from vcl_qa.cli import main
from vcl_qa.db import migrate, open_db
from vcl_qa.decisions import register as decisions
from vcl_qa.decisions import store
from vcl_qa.letters.bulk import Actor
from vcl_qa.ops import status

ACTOR = Actor("test")


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _database(tmp_path, monkeypatch, **extra):
    path = tmp_path / "vcl_qa.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    db = open_db(path)
    migrate(db)
    store.upsert_many(db, ACTOR, [decisions.record_from_mapping(
        {"urn": "42AB1234524", "decision": "discontinued", "decision_date": "2025-03-03",
         "victim_category": "enhanced", "team": "north", **extra})])
    status.record_backup(db, {"path": str(tmp_path / "b.db"), "bytes": 1, "integrity_check": "ok",
                              "created_at": clock.now().isoformat()})
    return db


def test_an_overdue_letter_is_a_warning_and_exits_1(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch).close()
    result = run("status")
    assert result.exit_code == 1, result.stdout
    assert "Letters the register needs: 1 overdue, 0 due today, 0 due later" in result.stdout
    assert ("Warning: 1 letter to a victim is overdue: the due date has passed and no letter has been sent. "
            "`vcl-qa digest` lists them.") in result.stdout
    facts = json.loads(run("status", "--format", "json").stdout)
    assert facts["decisions"] == {"due": 0, "due_today": 0, "overdue": 1}
    assert any("overdue" in w for w in facts["warnings"])


def test_once_the_letter_is_sent_nothing_needs_doing(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, letter_date="2025-03-04").close()
    result = run("status")
    assert "Letters the register needs: 0 overdue, 0 due today, 0 due later" in result.stdout
    assert "overdue" not in result.stdout.split("Letters the register needs")[1].split("\n", 1)[1]
    assert "Nothing needs doing." in result.stdout and result.exit_code == 0, result.stdout
