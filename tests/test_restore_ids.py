"""After `vcl-qa restore --force` no id the replaced database handed out is handed out again
(review 10b, finding 6: letter 735 went from one victim to another), the restore is in the
audit log with the backups made since (finding 12), and a deleted letter's id is not reused.
Real server, real command, real SQLite files."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from live_server import ROOT, LiveServer, auth, form_token, make_user, page_words, sample_payloads, signed_in_client

FIRST_RELEASE = ROOT / "tests" / "upgrade" / "first_release.sqlite"


def cli(db: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


def query(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def highest_ids(db: Path) -> dict[str, int]:
    """The highest id handed out in each table with an integer id: its highest row, or its
    AUTOINCREMENT counter when it has one."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM pragma_table_list WHERE schema = 'main'"
                                             " AND type = 'table' AND name NOT LIKE 'sqlite_%'"
                                             " AND name != '_sqlite_migrations'")]
        seqs = dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall()) if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone() else {}
        out = {}
        for t in tables:
            if [r[2].upper() for r in conn.execute(f'PRAGMA table_info("{t}")') if r[5]] == ["INTEGER"]:
                out[t] = max(conn.execute(f'SELECT max(rowid) FROM "{t}"').fetchone()[0] or 0, seqs.get(t, 0))
        return out
    finally:
        conn.close()


def body(name: str) -> dict:
    """A flawed sample letter (it has findings to mark) for this victim."""
    b = sample_payloads()[13]
    return {"text": b["text"], "context": {**b["context"], "victim_name": name}}


def started(tmp_path) -> tuple[Path, str, str, LiveServer, httpx.Client]:
    """A database with a staff member and a manager, the real server on it, and an API client
    with the staff member's token (the caller stops the server)."""
    db = tmp_path / "vcl_qa.db"
    staff = make_user(db, "staff", "staff", "north")
    manager = make_user(db, "manager", "manager")
    server = LiveServer(db).start()
    return db, staff, manager, server, httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(staff), timeout=60)


def test_ids_issued_before_a_restore_are_never_issued_again(tmp_path):
    db, staff, manager, server, api = started(tmp_path)
    try:
        first = api.post("/letters", json=body("Ms Alice Before")).json()["id"]
        backup = tmp_path / "backups" / "b.db"
        backup.parent.mkdir(mode=0o700)
        made = cli(db, "backup", str(backup))
        assert made.returncode == 0, made.stderr

        # Acknowledged after the backup: a case system now keeps these ids.
        between = api.post("/letters", json=body("Ms Bella Between")).json()["id"]
        mark = api.post(f"/letters/{first}/suppressions",
                        json={"rule": "readability.passive", "reason": "the family's own words"})
        assert mark.status_code == 201, mark.text
        later_backup = tmp_path / "backups" / "later.db"
        assert cli(db, "backup", str(later_backup)).returncode == 0  # recorded only in the database replaced
        before = highest_ids(db)

        restored = cli(db, "restore", str(backup), "--force")  # while the server runs
        assert restored.returncode == 0, restored.stderr

        after = api.post("/letters", json=body("Mr Carl After"))
        assert after.status_code == 201, after.text
        assert after.json()["id"] > between
        assert api.get(f"/letters/{between}").status_code == 404  # never another victim's letter
        again = api.post(f"/letters/{first}/suppressions",
                         json={"rule": "readability.passive", "reason": "quoted from the court order"}).json()
        assert "id" in again, again
        assert again["id"] > mark.json()["id"]
        # The restore says which letters it could not bring back, and that their ids stay unused.
        assert "1 letter made after the backup is not in the restored database" in restored.stderr
        assert f"id {between}." in restored.stderr
        assert f"New letters start after id {between}" in restored.stderr

        # Every table's counter is at or above what the replaced database had handed out.
        now = highest_ids(db)
        assert all(now.get(t, 0) >= n for t, n in before.items()), (before, now)

        # The restore is in the audit log: who, from which file, what was set aside and lost.
        log = httpx.get(f"{server.url}/api/v1/audit", headers=auth(manager), timeout=30).json()["data"]
        entry = next(e for e in log if e["action"] == "database.restore")
        assert entry["user_name"] == "command line restore"
        assert entry["detail"]["backup"] == str(backup.resolve())
        assert entry["detail"]["os_user"]
        assert entry["detail"]["set_aside"].startswith(str(db.resolve()) + ".before-restore-")
        assert entry["detail"]["letters_lost"] == 1 and entry["detail"]["letters_lost_ids"] == str(between)
        assert entry["detail"]["highest_letter_id_kept"] == between
        metrics = httpx.get(f"{server.url}/metrics", timeout=30).text
        last_backup_metric = float(next(line.split()[-1] for line in metrics.splitlines()
                                        if line.startswith("vcl_qa_last_backup_timestamp_seconds")))
    finally:
        server.stop()

    # `status` tells the true last backup: the later one, recorded only in the database replaced.
    status = cli(db, "status", "--format", "json")
    facts = json.loads(status.stdout)
    assert facts["last_backup"]["path"] == str(later_backup.resolve()), facts["last_backup"]
    import datetime as dt

    assert last_backup_metric == dt.datetime.fromisoformat(facts["last_backup"]["at"]).timestamp()


def test_a_version_number_issued_before_a_restore_is_never_issued_again(tmp_path):
    """Versions 2 and 3 of a letter, made after the backup, are gone once it is restored; the
    case system may keep them, so the letter's next version is 4 (not a second version 2),
    through another backup and restore too; its page and the API compare the versions held."""
    db, staff, manager, server, api = started(tmp_path)
    try:
        b = body("Ms Alice Before")
        letter = api.post("/letters", json=b).json()["id"]
        untouched = api.post("/letters", json=body("Mr Uri Untouched")).json()["id"]
        backup = tmp_path / "backups" / "b.db"
        backup.parent.mkdir(mode=0o700)
        assert cli(db, "backup", str(backup)).returncode == 0
        for n, words in ((2, "hard to hear"), (3, "hard to take in")):
            made = api.post("/letters", json={"text": b["text"] + f"\n\nWe know this is {words}.\n",
                                              "letter_id": letter})
            assert made.status_code == 201 and made.json()["version"] == n, made.text

        restored = cli(db, "restore", str(backup), "--force")  # while the server runs
        assert restored.returncode == 0, restored.stderr
        assert (f"1 letter had versions made after the backup: its next version is numbered after the "
                f"highest it had, so no version number is given twice (letter {letter} at version 4)."
                in " ".join(restored.stderr.split())), restored.stderr

        # Written on version 3 before the restore: refused, saying why (not "now at version 1").
        stale = api.post("/letters", json={"text": b["text"] + "\n\nOn version 3.\n", "letter_id": letter,
                                           "base_version": 3})
        assert stale.status_code == 409
        assert (f"letter {letter} has no version 3 now: it was made after the backup the database was "
                "restored from, and the letter is back at version 1") in stale.json()["error"]["message"]
        never = api.post("/letters", json={"text": b["text"], "letter_id": letter, "base_version": 99})
        assert never.status_code == 409
        assert f"letter {letter} has no version 99: its latest is version 1" in never.json()["error"]["message"]
        with signed_in_client(server.url, staff) as web:
            # The page opened on version 3 before the restore, saved after it: refused, the text
            # kept; the box "Save my text in place of version 1" then saves it (it stayed refused).
            page = web.get(f"/letters/{letter}").text
            form = {"csrf_token": form_token(page), "text": b["text"] + "\n\nThis is not what you hoped for.\n",
                    "base_version": "3"}
            refused = web.post(f"/letters/{letter}/versions", data=form)
            assert refused.status_code == 409
            words = page_words(refused.text)
            assert ("Version 3, which you opened, was made after the backup the service was restored from, "
                    "so it is not held any more: the letter is at version 1") in words
            assert "after you opened version 3" not in words and "This is not what you hoped for." in refused.text
            saved = web.post(f"/letters/{letter}/versions", data={**form, "csrf_token": form_token(refused.text),
                                                                   "replace_version": "1"})
            assert saved.status_code == 303, page_words(saved.text)[:400]
        again = api.get(f"/letters/{letter}").json()
        assert again["latest_version"] == 4 and "This is not what you hoped for." in again["versions"][-1]["text"]
        assert api.post("/letters", json={"text": b["text"] + "\n", "letter_id": untouched}).json()["version"] == 2
        detail = api.get(f"/letters/{letter}").json()
        assert [v["version"] for v in detail["versions"]] == [1, 4] and detail["latest_version"] == 4
        compared = api.get(f"/letters/{letter}/compare")
        assert compared.status_code == 200, compared.text
        assert (compared.json()["from_version"], compared.json()["to_version"]) == (1, 4)
        assert api.get(f"/letters/{letter}/compare", params={"from": 2, "to": 4}).status_code == 404

        with signed_in_client(server.url, staff) as web:
            page = web.get(f"/letters/{letter}")
            assert page.status_code == 200
            words = page_words(page.text)
            assert "Changes from version 1" in words and "Changes from version 3" not in words
            assert "2 to 3 Not held here: made after the backup that was later restored." in words
            assert f'href="/letters/{letter}/compare?from=1&amp;to=4"' in page.text
            # A version not held, asked for by hand, falls back to those that are (no error page).
            odd = web.get(f"/letters/{letter}/compare", params={"from": 3, "to": 2})
            assert odd.status_code == 200 and "version 1" in page_words(odd.text)
            # ... and says so (an audit: it showed other versions without a word)
            assert "From version 3 is not held for this letter, so it is not shown." in page_words(odd.text)
            assert "To version 2 is not held for this letter" in page_words(odd.text)
            backwards = web.get(f"/letters/{letter}/compare", params={"from": 4, "to": 1})
            assert "From version 4 is after To version 1: the earlier is shown first." in page_words(backwards.text)
            plain = web.get(f"/letters/{letter}/compare", params={"from": 1, "to": 4})
            assert 'id="compare-notes"' not in plain.text

        log = httpx.get(f"{server.url}/api/v1/audit", headers=auth(manager), timeout=30).json()["data"]
        entry = next(e for e in log if e["action"] == "database.restore")
        assert entry["detail"]["version_numbers_kept"] == {str(letter): 3}

        # Backed up with versions 1 and 4, then version 5; restoring that backup: next is 6.
        second = tmp_path / "backups" / "second.db"
        assert cli(db, "backup", str(second)).returncode == 0
        assert api.post("/letters", json={"text": b["text"] + "\n\nWe are sorry.\n",
                                          "letter_id": letter}).json()["version"] == 5
        assert cli(db, "restore", str(second), "--force").returncode == 0
        # And the first backup again (version 1 only): the mark the copy set aside kept holds.
        assert cli(db, "restore", str(backup), "--force").returncode == 0
        after = api.post("/letters", json={"text": b["text"] + "\n\nWe are very sorry.\n",
                                           "letter_id": letter})
        assert after.json()["version"] == 6, after.text
    finally:
        server.stop()


def test_a_deleted_letters_id_is_not_given_to_the_next_letter(tmp_path):
    db = tmp_path / "vcl_qa.db"
    staff = make_user(db, "staff", "staff", "north")
    manager = make_user(db, "manager", "manager")
    server = LiveServer(db).start()
    try:
        gone = httpx.post(f"{server.url}/api/v1/letters", json=body("Ms Dora Deleted"),
                          headers=auth(staff), timeout=60).json()["id"]
        assert httpx.delete(f"{server.url}/api/v1/letters/{gone}", headers=auth(manager)).status_code == 204
        new = httpx.post(f"{server.url}/api/v1/letters", json=body("Mr Ed Next"), headers=auth(staff),
                         timeout=60).json()["id"]
        assert new > gone
    finally:
        server.stop()


def test_restoring_an_old_release_backup_keeps_the_ids_above_the_replaced_database(tmp_path):
    """The first release's backup has no AUTOINCREMENT and its migrations rebuild tables (the
    decisions register) after the restore: the marks of the database replaced still hold."""
    from vcl_qa.db import ids, migrate, open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = tmp_path / "vcl_qa.db"
    shutil.copy(FIRST_RELEASE, db)
    conn = open_db(db)
    try:
        migrate(conn)
        staff = user_by_name(conn, "Old Staff")
        for payload in sample_payloads()[:3]:
            service.submit(conn, staff, payload["text"], payload["context"], team=staff.team)
        conn.execute("INSERT INTO decisions (urn, decision, decision_date, victim_category, team,"
                     " created_at, updated_at) VALUES ('01XX9999925', 'discontinued', '2025-01-06',"
                     " 'standard', ?, 'now', 'now')", [staff.team])
        conn.conn.commit()
    finally:
        conn.close()
    before = highest_ids(db)
    assert before["letters"] > max(r[0] for r in query(FIRST_RELEASE, "SELECT id FROM letters"))

    result = cli(db, "restore", str(FIRST_RELEASE), "--force")
    assert result.returncode == 0, result.stderr
    assert "Upgraded to this release: " in result.stderr

    conn = open_db(db)
    try:
        assert ids.without_autoincrement(conn.conn) == []
        staff = user_by_name(conn, "Old Staff")
        new = service.submit(conn, staff, *(lambda p: (p["text"], p["context"]))(sample_payloads()[4]),
                             team=staff.team)["id"]
        cur = conn.execute("INSERT INTO decisions (urn, decision, decision_date, victim_category, team,"
                           " created_at, updated_at) VALUES ('01XX9999926', 'discontinued', '2025-01-06',"
                           " 'standard', ?, 'now', 'now')", [staff.team])
        decision = cur.lastrowid
        conn.conn.commit()
    finally:
        conn.close()
    assert new > before["letters"] and decision > before["decisions"]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_restoring_an_old_release_backup_keeps_version_numbers_before_any_upgrade(tmp_path):
    """A backup older than the column that keeps version numbers gets it from the restore
    itself, under the writers' lock, before `migrate` runs: a server writing to the restored
    database meanwhile finds it there."""
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service
    from vcl_qa.ops import backup as backups

    db = tmp_path / "vcl_qa.db"
    shutil.copy(FIRST_RELEASE, db)
    letter = max(r[0] for r in query(FIRST_RELEASE, "SELECT id FROM letters"))
    held = query(FIRST_RELEASE, "SELECT max(version) FROM versions WHERE letter_id = ?", [letter])[0][0]
    conn = open_db(db)
    try:
        migrate(conn)
        staff = user_by_name(conn, "Old Staff")
        text = query(FIRST_RELEASE, "SELECT text FROM versions WHERE letter_id = ? AND version = ?", [letter, held])[0][0]
        for k in range(2):
            service.submit(conn, staff, text + f"\n\nWe are sorry ({k}).\n", {}, letter_id=letter)
    finally:
        conn.close()
    assert "version_floor" not in [r[1] for r in query(FIRST_RELEASE, "PRAGMA table_info(letters)")]

    out = backups.restore(FIRST_RELEASE, db, force=True)  # no migrate after it
    assert out["versions_kept"] == {letter: held + 2}
    assert query(db, "SELECT version_floor FROM letters WHERE id = ?", [letter]) == [(held + 2,)]
    assert query(db, "SELECT count(*) FROM letters WHERE version_floor IS NOT NULL") == [(1,)]


def test_every_table_with_an_integer_id_never_reuses_one_even_one_added_later(tmp_path, monkeypatch):
    import types

    from sqlite_utils.migrations import Migrations

    from vcl_qa.db import ids, migrate, open_db
    from vcl_qa.db import migrations as migrate_module

    db = open_db(tmp_path / "x.db")
    migrate(db)
    assert ids.without_autoincrement(db.conn) == []
    assert {"letters", "versions", "results", "findings", "suppressions", "users", "audit_log",
            "decisions", "panel_items", "training_attempts"} <= set(ids.id_tables(db.conn))

    module = types.ModuleType("later_area")
    module.migrations = Migrations("later_area")

    @module.migrations(name="0001_things")
    def things(conn):
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, letter_id INTEGER REFERENCES letters(id))")
        conn.execute("CREATE INDEX things_letter ON things(letter_id)")

    sets = migrate_module.migration_sets()
    monkeypatch.setattr(migrate_module, "migration_sets", lambda: [*sets, module.migrations])
    migrate(db)
    assert ids.without_autoincrement(db.conn) == []
    db.execute("INSERT INTO things (id) VALUES (7)")
    db.execute("DELETE FROM things WHERE id = 7")
    db.conn.commit()
    assert db.execute("INSERT INTO things (letter_id) VALUES (NULL)").lastrowid == 8
    assert "things_letter" in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()



def test_the_rebuild_leaves_no_stale_copy_of_a_letter_in_the_file(tmp_path):
    """Making a table AUTOINCREMENT copies it and drops the old one: the old pages are zeroed
    (secure_delete, whatever the connection or SQLite build had), so no copy of a letter's text
    is left in free pages to outlive the letter's purge."""
    from vcl_qa.db import ids

    db = tmp_path / "vcl_qa.db"
    shutil.copy(FIRST_RELEASE, db)
    assert db.read_bytes().count(b"Clover Street") == 1
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA secure_delete = 0")
        assert "versions" in ids.ensure(conn)
        assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 0  # put back as it was
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0
    finally:
        conn.close()
    assert db.read_bytes().count(b"Clover Street") == 1  # the live copy only
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT count(*) FROM versions_fts WHERE versions_fts MATCH 'Clover'") == [(1,)]
