"""Core tables: users, letters, versions, results, findings, suppressions, audit log, search."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("core")


@migrations(name="0001_core")
def core_tables(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('staff', 'panel', 'manager', 'admin')),
            team TEXT,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            token_created_at TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE letters (
            id INTEGER PRIMARY KEY,
            team TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent')),
            sent_date TEXT,
            source TEXT,
            decision TEXT,
            decision_date TEXT,
            letter_date TEXT,
            victim_category TEXT,
            bereaved INTEGER,
            offence TEXT,
            victim_name TEXT,
            urn TEXT,
            latest_version INTEGER NOT NULL DEFAULT 0,
            score INTEGER,
            verdict TEXT,
            rules_version TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            purged_at TEXT
        );
        CREATE INDEX letters_team ON letters(team, id);
        CREATE INDEX letters_urn ON letters(urn);
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            text TEXT,
            text_hash TEXT NOT NULL,
            context TEXT NOT NULL,
            author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            UNIQUE (letter_id, version)
        );
        CREATE TABLE results (
            id INTEGER PRIMARY KEY,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            rules_version TEXT NOT NULL,
            score INTEGER NOT NULL,
            verdict TEXT NOT NULL,
            dimensions TEXT NOT NULL,
            metrics TEXT NOT NULL,
            result TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX results_version ON results(version_id, id);
        CREATE INDEX results_letter ON results(letter_id, id);
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            rule TEXT NOT NULL,
            dimension TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT,
            start INTEGER,
            "end" INTEGER,
            line INTEGER,
            "column" INTEGER,
            text TEXT,
            suppressed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX findings_result ON findings(result_id);
        CREATE INDEX findings_rule ON findings(rule);
        CREATE TABLE suppressions (
            id INTEGER PRIMARY KEY,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            rule TEXT NOT NULL,
            term TEXT,
            reason TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX suppressions_letter ON suppressions(letter_id);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER,
            user_name TEXT,
            action TEXT NOT NULL,
            object_type TEXT,
            object_id INTEGER,
            detail TEXT
        );
        CREATE INDEX audit_object ON audit_log(object_type, object_id);
        """
    )
    # Full-text search over every version's text, kept in step by triggers.
    db["versions"].enable_fts(["text"], create_triggers=True, tokenize="porter")


@migrations(name="0002_token_expiry")
def token_expiry(db: Database) -> None:
    """An API token may stop working on a given day (NULL: never)."""
    db.execute("ALTER TABLE users ADD COLUMN token_expires_at TEXT")


@migrations(name="0003_undo_suppression_and_sending")
def undo_suppression_and_sending(db: Database) -> None:
    """A suppression can be restored (kept, marked revoked); a sent mark can be undone: who
    marked it and when, and a count of sent marks and undos (for optimistic concurrency)."""
    db.execute("ALTER TABLE suppressions ADD COLUMN revoked_at TEXT")
    db.execute("ALTER TABLE suppressions ADD COLUMN revoked_by INTEGER REFERENCES users(id) ON DELETE SET NULL")
    db.execute("ALTER TABLE letters ADD COLUMN sent_by INTEGER REFERENCES users(id) ON DELETE SET NULL")
    db.execute("ALTER TABLE letters ADD COLUMN sent_marked_at TEXT")
    db.execute("ALTER TABLE letters ADD COLUMN sent_changes INTEGER NOT NULL DEFAULT 0")


@migrations(name="0004_findings_by_letter")
def findings_by_letter(db: Database) -> None:
    """Findings looked up by letter (purge, delete, a letter's page) use an index, not a scan:
    purging 3,000 letters took 19.5 s without it and 5.0 s with it."""
    db.execute("CREATE INDEX IF NOT EXISTS findings_letter ON findings(letter_id, id)")


@migrations(name="0005_idempotency_keys")
def idempotency_keys(db: Database) -> None:
    """A client's `Idempotency-Key` for a letter it submitted (API): the same request sent
    again (a retry after a timeout) answers the letter it created instead of storing a copy.
    Per user; gone with the letter."""
    db.execute("""
        CREATE TABLE idempotency_keys (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (user_id, key)
        )""")


# The letters' column that keeps version numbers from being handed out twice (a restore sets it:
# vcl_qa/ops/backup.py). Added by the restore itself when the backup predates it, so that a
# server writing to the restored database before `migrate` runs finds it there.
VERSION_FLOOR_COLUMN = "version_floor"


def add_version_floor(conn) -> bool:
    """Add `letters.version_floor` when missing (a plain `sqlite3.Connection` or a sqlite-utils
    Database); True when it was added."""
    cols = [r[1] for r in conn.execute("PRAGMA table_info(letters)").fetchall()]
    if VERSION_FLOOR_COLUMN in cols:
        return False
    conn.execute(f"ALTER TABLE letters ADD COLUMN {VERSION_FLOOR_COLUMN} INTEGER")
    return True


@migrations(name="0006_version_floor")
def version_floor(db: Database) -> None:
    """The highest version number a letter has ever been given, when above its versions held
    (NULL: its versions tell). A restore sets it for a letter changed after the backup: the
    case system may keep version 3 of letter 12, made after the backup and not in it, and the
    next version must not be another version 3."""
    add_version_floor(db)


@migrations(name="0007_stored_chars")
def stored_chars(db: Database) -> None:
    """The characters each version stored (its text, and its result twice: as JSON and as
    findings rows), by whom and when, so that what one person stores in a day can be counted
    without reading it (letters/service.py `check_daily_storage`): an attacker's review filled
    the disk at 6 MB a save, 8 GB an hour, from one staff account. Older versions count 0."""
    db.execute("ALTER TABLE versions ADD COLUMN stored_chars INTEGER")
    db.execute("CREATE INDEX IF NOT EXISTS versions_author ON versions(author_id, created_at)")


@migrations(name="0008_sent_before_saved")
def sent_before_saved(db: Database) -> None:
    """A letter marked sent on a day before it was first saved here counts in the on-time figures
    on a date nobody here can check: the reason the person who marked it gave (NULL when none
    was needed, or it was marked before one was asked for), and whether the sent mark came from
    `vcl-qa import --sent` (the date is the file's letter_date; no reason is asked). Letters
    already sent are taken as imported when the last `letter.sent` entry of the audit log has no
    user (the command line), or there is none (only an import stores a letter as sent at once)."""
    db.execute("ALTER TABLE letters ADD COLUMN sent_before_saved_reason TEXT")
    db.execute("ALTER TABLE letters ADD COLUMN sent_by_import INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE letters SET sent_by_import = 1 WHERE status = 'sent' AND COALESCE(("
        "SELECT a.user_id IS NULL FROM audit_log a WHERE a.object_type = 'letter' AND a.object_id = letters.id"
        " AND a.action = 'letter.sent' ORDER BY a.id DESC LIMIT 1), 1) = 1")


@migrations(name="0009_rescored_chars")
def rescored_chars(db: Database) -> None:
    """The characters a re-score's result stored (as JSON and as findings rows), and who caused
    it, counted with their saves in `check_daily_storage`: a "not a problem" mark made and
    restored, or a letter marked sent and the mark undone, scores the letter again and stores a
    result, and a review stored 18 million characters that way in six requests from an account
    already refused a save. A version's own result stays counted with the version (NULL here)."""
    db.execute("ALTER TABLE results ADD COLUMN stored_chars INTEGER")
    db.execute("ALTER TABLE results ADD COLUMN author_id INTEGER")
    db.execute("CREATE INDEX IF NOT EXISTS results_author ON results(author_id, created_at)")


@migrations(name="0010_judged_sources")
def judged_sources(db: Database) -> None:
    """A version's result scored in full for a day other than its own date, kept so that the
    result for any other day on which the letter is late (or, another row, on time) is worked
    out from it without scoring the text again (engine/redate.py; letters/service.py
    `judged_on`): an undated draft is judged as if it went out today wherever it is shown, and
    an attacker's review found 150 hostile drafts scored again in full on each new day, in each
    server worker and after each restart (77 s for the first list of the day). Keyed by a hash
    of everything the result depends on but the day (`key`: the text, the details without the
    date, the "not a problem" marks, the source), the rules version and the engine's
    fingerprint (its code, classifier and libraries), and the lateness. `result`: the full
    result as zlib-compressed JSON; `head`: the part that changes with the day and what the
    rest amounts to (JSON), enough for the score and verdict. Gone with the letter (or the
    version), and when the letter is purged (vcl_qa/letters/bulk.py)."""
    db.execute("""
        CREATE TABLE judged_sources (
            id INTEGER PRIMARY KEY,
            letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
            version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            rules_version TEXT NOT NULL,
            engine TEXT NOT NULL,
            late INTEGER NOT NULL,  -- 1 late, 0 on time, -1 cannot be told (no due date)
            head TEXT NOT NULL,
            result BLOB NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (key, rules_version, engine, late)
        )""")
    db.execute("CREATE INDEX judged_sources_letter ON judged_sources(letter_id, id)")
    db.execute("CREATE INDEX judged_sources_version ON judged_sources(version_id)")
