"""vcl-qa restore at its edges (review 2, items 1, 2 and 8): a restore on a running server loses
no letter the server confirmed; a damaged database is copied aside byte for byte and replaced
with --force, never a traceback; a file that is not a vcl-qa database is refused, and a backup
without letters does not replace a database with letters unless asked to."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from live_server import ROOT, LiveServer, make_user, sample_payloads, submit_many

LETTERS = 360


def cli(db: Path, *args) -> subprocess.CompletedProcess:
    """The real command in its own process."""
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


def texts(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT text FROM versions")}
    finally:
        conn.close()


def rows(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def kept_aside(folder: Path, name: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(f"{name}.before-restore-")
                  and not p.name.endswith((".json", "-wal", "-shm")))


def with_letters(db: Path, n: int = 4) -> None:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    conn = open_db(db)
    try:
        staff = user_by_name(conn, "staff")
        for body in sample_payloads()[:n]:
            service.submit(conn, staff, body["text"], body["context"], team="north")
    finally:
        conn.close()


@pytest.fixture
def backup_file(tmp_path) -> Path:
    """A sound backup: one user (staff), two letters."""
    source = tmp_path / "source" / "vcl_qa.db"
    source.parent.mkdir()
    make_user(source, "staff", "staff", "north")
    with_letters(source, 2)
    out = tmp_path / "b.db"
    assert cli(source, "backup", str(out)).returncode == 0
    return out


# --- item 1: a restore while the server takes letters ----------------------------------------

@pytest.mark.slow
def test_restore_on_a_running_server_keeps_every_confirmed_letter(tmp_path):
    """Every letter the server answered 201 for is in the restored database or in the copy put
    aside; a writer that had to wait for the restore gets 201 (or a 503, nothing saved), never
    a 500 and never a lost letter."""
    db = tmp_path / "live.db"
    token = make_user(db, "loader", "staff", "north")
    server = LiveServer(db).start()
    acked: dict[int, str] = {}
    started, done = threading.Event(), threading.Event()
    outcome: dict = {}
    try:
        before = submit_many(server.url, token, 20, 4)
        assert len(before["acked"]) == 20
        assert cli(db, "backup", str(tmp_path / "b.db")).returncode == 0
        # A larger database makes the copy put aside take a while (as a real one would), so
        # that letters keep arriving while it is made.
        conn = sqlite3.connect(db, timeout=30)
        conn.execute("CREATE TABLE padding (b BLOB)")
        conn.executemany("INSERT INTO padding VALUES (randomblob(100000))", [()] * 400)
        conn.commit()
        conn.close()

        def restore_meanwhile() -> None:
            started.wait(120)
            outcome["proc"] = cli(db, "restore", str(tmp_path / "b.db"), "--force")
            done.set()

        def on_ack(n: int) -> None:
            if n >= 30:
                started.set()
            if n >= LETTERS - 40 and not done.is_set():
                done.wait(120)  # the last letters wait: the restore always happens mid-load

        worker = threading.Thread(target=restore_meanwhile)
        worker.start()
        load = submit_many(server.url, token, LETTERS, 8, on_ack=on_ack, into=acked)
        worker.join()
    finally:
        server.stop()
    proc = outcome["proc"]
    assert proc.returncode == 0, proc.stderr
    assert set(load["statuses"]) <= {201, 503}, load["statuses"]
    aside = kept_aside(tmp_path, "live.db")
    assert len(aside) == 1 and str(aside[0]) in proc.stderr
    live, kept = texts(db), texts(aside[0])
    lost = [t for t in acked.values() if t not in live and t not in kept]
    assert not lost, (f"{len(lost)} confirmed letters are in neither database: "
                      f"{[t.rsplit('Load test letter', 1)[-1].strip() for t in lost[:5]]}")
    # Letters came in on both sides of the restore, so the test saw one mid-load.
    assert any(t in kept for t in acked.values()) and any(t in live for t in acked.values())


# --- item 2: a damaged database with --force -------------------------------------------------

def test_restore_force_over_a_file_that_is_not_a_database(tmp_path, backup_file):
    live = tmp_path / "live.db"
    live.write_bytes(b"junk\n")
    refused = cli(live, "restore", str(backup_file))
    assert refused.returncode == 2
    assert "is damaged" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr and live.read_bytes() == b"junk\n"
    forced = cli(live, "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Traceback" not in forced.stderr and "No database at" not in forced.stderr
    aside = kept_aside(tmp_path, "live.db")
    assert len(aside) == 1 and aside[0].read_bytes() == b"junk\n"
    assert oct(aside[0].stat().st_mode & 0o777) == "0o600"
    assert "damaged" in forced.stderr and str(aside[0]) in forced.stderr
    assert rows(live, "letters") == 2 and rows(live, "users") == 1


def test_restore_force_over_a_truncated_database_keeps_it_byte_for_byte(tmp_path, backup_file):
    live = tmp_path / "live.db"
    make_user(live, "staff", "staff", "north")
    make_user(live, "someone", "panel")
    with_letters(live, 12)
    data = live.read_bytes()
    damaged = data[: len(data) * 3 // 5]
    live.write_bytes(damaged)
    refused = cli(live, "restore", str(backup_file))
    assert refused.returncode == 2 and "is damaged" in refused.stderr, refused.stderr
    forced = cli(live, "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Traceback" not in forced.stderr
    aside = kept_aside(tmp_path, "live.db")
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    conn = sqlite3.connect(live)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in conn.execute("SELECT name FROM users")] == ["staff"]
    conn.close()
    assert rows(live, "letters") == 2


def test_restore_force_over_a_damaged_database_keeps_its_wal_and_shm_too(tmp_path, backup_file):
    live = tmp_path / "live.db"
    live.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    Path(f"{live}-wal").write_bytes(b"not a real log" * 100)
    Path(f"{live}-shm").write_bytes(b"\x01" * 32768)
    forced = cli(live, "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr
    aside = kept_aside(tmp_path, "live.db")[0]
    assert aside.read_bytes() == b"SQLite format 3\x00" + b"\xff" * 2000
    assert Path(f"{aside}-wal").read_bytes() == b"not a real log" * 100
    assert Path(f"{aside}-shm").read_bytes() == b"\x01" * 32768
    assert rows(live, "letters") == 2
    assert cli(live, "status").returncode in (0, 1)  # the restored database opens and is sound


# --- item 8: only a vcl-qa database, and not an empty one over letters by accident ------------

def test_restore_refuses_an_sqlite_file_that_is_not_a_vcl_qa_database(tmp_path):
    live = tmp_path / "live.db"
    make_user(live, "staff", "staff", "north")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    before = live.read_bytes()
    result = cli(live, "restore", str(other), "--force")
    assert result.returncode == 2
    assert "is not a vcl-qa database" in result.stderr
    assert "_sqlite_migrations, users, letters, versions, results tables" in result.stderr
    assert live.read_bytes() == before and not kept_aside(tmp_path, "live.db")
    # Some of the tables, not all: the missing one is named.
    partial = tmp_path / "partial.db"
    conn = sqlite3.connect(partial)
    for table in ("users", "letters", "versions", "results"):
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    result = cli(live, "restore", str(partial), "--force")
    assert result.returncode == 2 and "it has no _sqlite_migrations table " in result.stderr, result.stderr


def test_a_backup_without_letters_replaces_letters_only_when_asked(tmp_path):
    empty = tmp_path / "empty-source.db"
    make_user(empty, "staff", "staff", "north")
    assert cli(empty, "backup", str(tmp_path / "empty.db")).returncode == 0
    live = tmp_path / "live.db"
    make_user(live, "staff", "staff", "north")
    with_letters(live, 3)
    before = live.read_bytes()
    refused = cli(live, "restore", str(tmp_path / "empty.db"), "--force")
    assert refused.returncode == 2
    assert "holds no letters" in refused.stderr and "holds 3" in refused.stderr
    assert "--allow-no-letters" in refused.stderr
    assert live.read_bytes() == before and not kept_aside(tmp_path, "live.db")
    allowed = cli(live, "restore", str(tmp_path / "empty.db"), "--force", "--allow-no-letters")
    assert allowed.returncode == 0, allowed.stderr
    assert rows(live, "letters") == 0
    assert rows(kept_aside(tmp_path, "live.db")[0], "letters") == 3
