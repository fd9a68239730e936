"""Upgrades: a database made and filled by the first release (tests/upgrade/first_release.sqlite,
made by its own code: see make_first_release.py there) is brought up to date by this release,
every letter reads back through the API and the pages, and `vcl-qa rescore` says how many
verdicts the new rules changed."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from live_server import ROOT, LiveServer, auth

FIRST = Path(__file__).resolve().parent / "upgrade" / "first_release.sqlite"
sys.path.insert(0, str(FIRST.parent))
from make_first_release import TOKENS  # noqa: E402


def cli(db: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def old_db(tmp_path) -> Path:
    path = tmp_path / "vcl_qa.db"
    shutil.copy(FIRST, path)
    return path


def test_the_first_release_database_upgrades_and_reads_back(old_db):
    before = rows(FIRST, "SELECT letter_id, version, text, context FROM versions ORDER BY letter_id, version")
    assert rows(FIRST, "SELECT migration_set FROM _sqlite_migrations") == [("core",)]
    server = LiveServer(old_db).start()  # `vcl-qa serve` migrates before serving
    try:
        staff, manager = auth(TOKENS["Old Staff"]), auth(TOKENS["Old Manager"])
        listed = httpx.get(f"{server.url}/api/v1/letters?limit=100", headers=manager, timeout=30).json()
        got = []
        for item in listed["data"]:
            r = httpx.get(f"{server.url}/api/v1/letters/{item['id']}", headers=staff, timeout=30)
            assert r.status_code == 200, r.text
            letter = r.json()
            got += [(item["id"], v["version"], v["text"]) for v in letter["versions"]]
        page = httpx.get(f"{server.url}/api/v1/audit", headers=manager, timeout=30)
        assert page.status_code == 200
    finally:
        server.stop()
    assert sorted(got) == [(lid, v, text) for lid, v, text, _ in before]
    assert listed["count"] == 15
    applied = {r[0] for r in rows(old_db, "SELECT migration_set FROM _sqlite_migrations")}
    assert applied >= {"core", "panel", "decisions", "web"}
    assert rows(old_db, "PRAGMA integrity_check") == [("ok",)]


def test_rescore_after_the_upgrade_reports_the_verdicts_that_changed(old_db):
    assert cli(old_db, "status").returncode in (0, 1)  # reads an old database without changing it
    result = cli(old_db, "rescore")
    assert result.returncode == 0, result.stderr
    # The first release's placeholder engine called every letter good; today's rules do not.
    now = dict(rows(old_db, "SELECT id, verdict FROM letters WHERE purged_at IS NULL"))
    changed = sum(1 for v in now.values() if v != "good")
    assert changed >= 2
    assert f"{changed} verdict{'s' if changed != 1 else ''} changed: " in result.stderr
    assert "Re-scored 13" in result.stderr and "purged (no text) 2" in result.stderr
    again = cli(old_db, "rescore")
    assert "No verdict changed." in again.stderr


def test_a_first_release_backup_restores_into_this_release(tmp_path):
    target = tmp_path / "restored" / "vcl_qa.db"
    result = cli(target, "restore", str(FIRST))
    assert result.returncode == 0, result.stderr
    assert "Upgraded to this release: " in result.stderr and "decisions:" in result.stderr
    assert rows(target, "SELECT count(*) FROM letters") == [(15,)]
