"""`vcl-qa status` and `vcl-qa purge` speak UK time and days in words, as the README says and the
pages do: the last backup was given in UTC ("1 July 2026 23:30 UTC" for a backup made at 00:30
on 2 July in summer) and the purge's cut-off as ISO text ("before 2026-06-01"). Real SQLite file,
the real commands."""
from __future__ import annotations

import re

from click.testing import CliRunner

from vcl_qa.cli import main
from vcl_qa.db import migrate, open_db
from vcl_qa.ops import status

SUMMER_NIGHT_UTC = "2026-07-01T23:30:00+00:00"  # 00:30 on Thursday 2 July, UK summer time


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_last_backup_is_given_on_the_uk_clock(tmp_path, monkeypatch):
    path = tmp_path / "vcl_qa.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    db = open_db(path)
    migrate(db)
    status.record_backup(db, {"path": str(tmp_path / "b.db"), "bytes": 1, "integrity_check": "ok",
                              "created_at": SUMMER_NIGHT_UTC})
    db.execute("UPDATE audit_log SET at = ? WHERE action = 'database.backup'", [SUMMER_NIGHT_UTC])
    db.conn.commit()
    db.close()
    out = run("status").stdout
    assert "Last backup: Thursday 2 July 2026, 00:30" in out
    assert "UTC" not in out


def test_the_purge_gives_its_cut_off_day_in_words(tmp_path, monkeypatch):
    path = tmp_path / "vcl_qa.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    monkeypatch.setenv("VCL_QA_KEEP_LETTERS_DAYS", "30")
    monkeypatch.setenv("VCL_QA_KEEP_AUDIT_DAYS", "30")
    migrate(open_db(path))
    result = run("purge", "--dry-run")
    assert result.exit_code == 0
    said = result.stderr
    assert re.search(r"older than 30 days \(before \w+day \d{1,2} \w+ 20\d\d\)", said), said
    assert re.search(r"Register: 0 entries decided before \w+day \d{1,2} \w+ 20\d\d", said), said
    assert not re.search(r"\d{4}-\d{2}-\d{2}", said), said
