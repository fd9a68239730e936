"""vcl-qa backup and restore: consistent copies under load, 0600, a manifest, and restores
that refuse a damaged copy and never replace a database without --force."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from live_server import ROOT, LiveServer, make_user, stored_texts, submit_many
from vcl_qa.cli import main

CLIENTS = 16
LETTERS = 480


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def cli(db: Path, *args) -> subprocess.CompletedProcess:
    """The real command in its own process, as cron or a systemd timer would run it."""
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


def letter_texts(db: Path) -> dict[int, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT letter_id, text FROM versions WHERE version = 1").fetchall())
    finally:
        conn.close()


@pytest.fixture
def dbfile(tmp_path, monkeypatch):
    path = tmp_path / "live.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    make_user(path, "staff", "staff", "north")
    return path


@pytest.mark.slow
def test_backup_under_load_from_16_clients_keeps_every_acknowledged_letter(tmp_path):
    db = tmp_path / "live.db"
    token = make_user(db, "loader", "staff", "north")
    backups = tmp_path / "backups"
    backups.mkdir()
    server = LiveServer(db, workers=2).start()
    taken: list[tuple[dict[int, str], subprocess.CompletedProcess]] = []
    acked: dict[int, str] = {}  # filled by the clients as each 201 arrives
    quarter_in = threading.Event()
    first_done = threading.Event()

    def back_up_meanwhile() -> None:
        quarter_in.wait(120)
        for _ in range(2):  # two backups while the clients keep writing
            before = acked.copy()  # acknowledged before this backup began (copy is atomic)
            taken.append((before, cli(db, "backup", str(backups))))
            first_done.set()

    def on_ack(n: int) -> None:
        if n >= LETTERS // 4:
            quarter_in.set()
        # The last letters wait for the first backup to finish, so that it is always taken while
        # letters are still being written, however busy the machine is.
        if n >= LETTERS - 2 * CLIENTS and not first_done.is_set():
            first_done.wait(120)

    worker = threading.Thread(target=back_up_meanwhile)
    worker.start()
    try:
        out = submit_many(server.url, token, LETTERS, CLIENTS, into=acked,
                          on_ack=on_ack)
    finally:
        quarter_in.set()
        first_done.set()
        worker.join(300)
        server.stop()
    assert out["errors"] == 0 and dict(out["statuses"]) == {201: LETTERS}
    final = cli(db, "backup", str(backups / "final.db"))
    assert final.returncode == 0, final.stderr
    assert len(taken) == 2 and all(p.returncode == 0 for _, p in taken), [p.stderr for _, p in taken]

    # The final backup, restored to a new place, holds every acknowledged letter word for word.
    restored = tmp_path / "restored" / "vcl_qa.db"
    result = cli(restored, "restore", str(backups / "final.db"))
    assert result.returncode == 0, result.stderr
    assert stored_texts(restored, out["acked"]) == out["acked"]
    # Each backup taken during the load is consistent and holds every letter acknowledged
    # before it began, word for word.
    for before, proc in taken:
        path = Path(proc.stdout.strip())
        manifest = json.loads(Path(f"{path}.json").read_text())
        assert manifest["integrity_check"] == "ok"
        texts = letter_texts(path)
        assert before and {i: texts.get(i) for i in before} == before
        assert manifest["row_counts"]["letters"] == len(texts)
        assert all(texts[i] == out["acked"][i] for i in texts), "a backup holds a letter differently"
        conn = sqlite3.connect(path)
        try:  # every letter in the copy has its version and its result: no half-written letter
            orphans = conn.execute("SELECT count(*) FROM letters l WHERE NOT EXISTS (SELECT 1 FROM"
                                   " results r WHERE r.letter_id = l.id)").fetchone()[0]
        finally:
            conn.close()
        assert orphans == 0
    sizes = [json.loads(Path(f"{Path(p.stdout.strip())}.json").read_text())["row_counts"]["letters"]
             for _, p in taken]
    print("letters in the backups taken under load:", sizes, "of", LETTERS)
    assert 0 < sizes[0] <= sizes[1] <= LETTERS
    assert sizes[0] < LETTERS  # the first was taken while the clients were still writing


def test_mid_load_backup_holds_letters_acknowledged_before_it(tmp_path):
    """The promise a backup makes: whatever was acknowledged before it started is in it."""
    db = tmp_path / "live.db"
    token = make_user(db, "loader", "staff", "north")
    server = LiveServer(db).start()
    try:
        first = submit_many(server.url, token, 40, 8)
        proc = cli(db, "backup", str(tmp_path / "mid.db"))
        later = submit_many(server.url, token, 20, 8)
    finally:
        server.stop()
    assert proc.returncode == 0, proc.stderr
    restored = tmp_path / "restored.db"
    assert cli(restored, "restore", str(tmp_path / "mid.db")).returncode == 0
    assert stored_texts(restored, first["acked"]) == first["acked"]
    assert not set(stored_texts(restored, later["acked"]))  # made after the backup


def test_backup_is_private_with_a_manifest(dbfile, tmp_path):
    target = tmp_path / "out" / "copy.db"
    target.parent.mkdir()
    result = run("backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(target.resolve())
    assert result.stderr.startswith(f"Database: {dbfile.resolve()}")
    manifest = json.loads(Path(f"{target}.json").read_text())
    for path in (target, Path(f"{target}.json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(manifest) >= {"created_at", "rules_version", "row_counts", "integrity_check", "sha256",
                             "schema", "app_version"}
    assert manifest["integrity_check"] == "ok"
    assert manifest["row_counts"]["users"] == 1 and manifest["row_counts"]["letters"] == 0
    assert manifest["rules_version"]
    assert "core:0001_core" in manifest["schema"]
    assert not [p.name for p in target.parent.iterdir() if p.name.endswith(("-wal", "-shm", ".partial"))]
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    # The same name again is refused: a backup is never overwritten.
    again = run("backup", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_backup_into_a_folder_gets_a_dated_name_and_status_shows_it(dbfile, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    result = run("backup", str(folder))
    assert result.exit_code == 0
    made = Path(result.stdout.strip())
    assert made.parent == folder.resolve() and made.name.startswith("vcl_qa-") and made.suffix == ".db"
    status = run("status", "--format", "json")
    facts = json.loads(status.stdout)
    assert facts["last_backup"]["path"] == str(made)
    assert facts["last_backup"]["integrity_check"] == "ok"


def test_restore_never_replaces_a_database_without_force(dbfile, tmp_path):
    run("backup", str(tmp_path / "b.db"))
    make_user(dbfile, "added-after", "panel")
    before = dbfile.read_bytes()
    result = run("restore", str(tmp_path / "b.db"))
    assert result.exit_code == 2
    assert "--force" in result.stderr and "already a database" in result.stderr
    assert dbfile.read_bytes() == before
    forced = run("restore", str(tmp_path / "b.db"), "--force")
    assert forced.exit_code == 0, forced.stderr
    conn = sqlite3.connect(dbfile)
    names = [r[0] for r in conn.execute("SELECT name FROM users")]
    conn.close()
    assert names == ["staff"]
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name and p.suffix != ".json"]
    assert len(kept) == 1 and str(kept[0]) in forced.stderr
    conn = sqlite3.connect(kept[0])
    assert {r[0] for r in conn.execute("SELECT name FROM users")} == {"staff", "added-after"}
    conn.close()


def test_restore_while_a_connection_is_open_swaps_the_content_at_once(dbfile, tmp_path):
    from vcl_qa.db import open_db

    run("backup", str(tmp_path / "b.db"))
    make_user(dbfile, "added-after", "panel")
    db = open_db(dbfile)  # as a server worker holds one
    try:
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 2
        assert run("restore", str(tmp_path / "b.db"), "--force").exit_code == 0
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def test_restore_refuses_a_copy_that_fails_its_integrity_check(dbfile, tmp_path):
    from live_server import sample_payloads
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = open_db(dbfile)
    staff = user_by_name(db, "staff")
    for body in sample_payloads()[:8]:
        service.submit(db, staff, body["text"], body["context"], team="north")
    db.close()
    copy = tmp_path / "b.db"
    run("backup", str(copy))
    Path(f"{copy}.json").unlink()  # no manifest: the integrity check alone must catch it
    data = bytearray(copy.read_bytes())
    page = 4096
    conn = sqlite3.connect(copy)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'versions'").fetchone()[0]
    conn.close()
    start = (root - 1) * page
    data[start + 8: start + 400] = b"\x07" * 392  # scribble over a table page's cell pointers
    copy.write_bytes(bytes(data))
    target = tmp_path / "new.db"
    result = run("restore", str(copy))
    assert result.exit_code == 2
    env_target = cli(target, "restore", str(copy))
    assert env_target.returncode == 2
    assert "integrity check" in env_target.stderr or "cannot be read" in env_target.stderr
    assert not target.exists() or target.stat().st_size == 0


def test_restore_refuses_a_copy_changed_since_its_manifest(dbfile, tmp_path):
    copy = tmp_path / "b.db"
    run("backup", str(copy))
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE users SET role = 'admin'")
    conn.commit()
    conn.close()
    result = cli(tmp_path / "new.db", "restore", str(copy))
    assert result.returncode == 2 and "checksum" in result.stderr
    assert not (tmp_path / "new.db").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(dbfile, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    result = run("restore", str(bogus), "--force")
    assert result.exit_code == 2 and "not a database backup" in result.stderr
    assert run("restore", str(tmp_path / "missing.db")).exit_code == 2


def test_backup_and_status_need_a_database_and_create_none(tmp_path, monkeypatch):
    missing = tmp_path / "nothing-here.db"
    monkeypatch.setenv("VCL_QA_DB", str(missing))
    for args in (["backup", str(tmp_path / "b.db")], ["status"]):
        result = run(*args)
        assert result.exit_code == 2
        assert f"No database at {missing}" in result.stderr
    assert not missing.exists() and not (tmp_path / "b.db").exists()


def test_backup_into_a_new_folder_given_with_a_slash(dbfile, tmp_path):
    result = run("backup", f"{tmp_path}/new/backups/")
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "new" / "backups"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert Path(result.stdout.strip()).parent == folder.resolve()


@pytest.mark.parametrize("made, said", [
    ("2026-07-01T23:30:00+00:00", "Thursday 2 July 2026, 00:30"),  # summer: BST, the next UK day
    ("2026-01-15T23:30:00+00:00", "Thursday 15 January 2026, 23:30"),  # winter: GMT
])
def test_restore_says_when_the_backup_was_made_on_the_uk_clock(dbfile, tmp_path, monkeypatch, made, said):
    """`vcl-qa restore` said "from the backup made 2026-07-01T23:30:00+00:00", the manifest's
    UTC text, where `vcl-qa status` says when the last backup was made on the UK's clock."""
    import datetime as dt

    from vcl_qa.ops import backup as backups

    backups.backup(dbfile, tmp_path / "b.db", now=dt.datetime.fromisoformat(made))
    monkeypatch.setenv("VCL_QA_DB", str(tmp_path / "new.db"))
    result = run("restore", str(tmp_path / "b.db"))
    assert result.exit_code == 0, result.stderr
    assert f"from the backup made {said};" in result.stderr
    assert "+00:00" not in result.stderr and "UTC" not in result.stderr
    assert "and 1 user from" in result.stderr  # (it said "1 users")


def test_two_restores_in_the_same_second_each_set_the_database_aside(dbfile, tmp_path):
    """The copy a restore keeps aside is named by the second it was made: a second restore in
    that second was refused ("... already exists: give a new file name"), and a test restoring
    twice failed on a fast machine. The next free second is taken; retention still reads it."""
    import datetime as dt

    from vcl_qa.ops import backup as backups
    from vcl_qa.ops.retention import SET_ASIDE

    backups.backup(dbfile, tmp_path / "b.db")
    moment = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.timezone.utc)
    backups.restore(tmp_path / "b.db", dbfile, force=True, now=moment)
    backups.restore(tmp_path / "b.db", dbfile, force=True, now=moment)
    aside = sorted(p.name for p in dbfile.parent.iterdir() if SET_ASIDE.search(p.name))
    assert aside == [f"{dbfile.name}.before-restore-20260701T233000Z",
                     f"{dbfile.name}.before-restore-20260701T233001Z"]


def test_two_backups_into_a_folder_in_the_same_second_are_both_kept(dbfile, tmp_path):
    """A folder's backup is named by the second it was taken: a second backup in that second
    (a scheduled one and one by hand, or a quick machine's two in a row, as the load test above
    takes them) was refused ("... already exists: give a new file name"). It takes the next free
    second's name, so the names still sort in the order taken, each with its manifest."""
    import datetime as dt

    from vcl_qa.ops import backup as backups

    folder = tmp_path / "backups"
    moment = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.timezone.utc)
    made = [backups.backup(dbfile, f"{folder}/", now=moment) for _ in range(3)]
    assert [m["backup"] for m in made] == [f"vcl_qa-20260701T23300{k}Z.db" for k in range(3)]
    for m in made:
        assert backups.check(Path(m["path"]))["integrity_check"] == "ok"
        assert json.loads(Path(m["path"] + ".json").read_text())["created_at"] == moment.isoformat()
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".partial")]
    # a name given is never taken over, and never changed
    with pytest.raises(backups.BackupError, match="already exists"):
        backups.backup(dbfile, made[0]["path"])


def test_a_backup_where_the_file_system_has_no_hard_links(dbfile, tmp_path, monkeypatch):
    """The backup is put in place with a hard link (never over a file made meanwhile); a share
    with no hard links refuses one, and the backup is put in place by name, as before."""
    from vcl_qa.ops import backup as backups

    def no_links(src, dst, *a, **k):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(backups.os, "link", no_links)  # (no such share on this machine: its refusal)
    (tmp_path / "share").mkdir()
    made = backups.backup(dbfile, tmp_path / "share" / "b.db")
    assert backups.check(Path(made["path"]))["integrity_check"] == "ok"
    assert not [p.name for p in (tmp_path / "share").iterdir() if p.name.endswith(".partial")]
