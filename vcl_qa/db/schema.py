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


@migrations(name="0011_mark_places")
def mark_places(db: Database) -> None:
    """A "not a problem" mark on a wording sets the words aside only where they were when it
    was made, carried through later edits (vcl_qa/letters/store.py `places_at`): before, a
    reason given for "complainant" in one sentence ("quoted from the court order here") hid the
    word when it was put in any other sentence later, a finding set aside that nobody had looked
    at. `suppressions.version`: the version a mark was made on. `suppression_places`: each
    wording mark's places ([[start, end], ...] in characters of that version's text), a row a
    version. Marks made before keep meaning what they meant when they were made: every place the
    wording had in the version they were made on (the last saved by then), carried through each
    later version; a sent letter's marks stand as they were when it went out (every place of the
    wording in its latest version). A draft whose latest result hides the wording somewhere
    those places do not reach gets an audit entry (`letter.mark_places`: the marks and how many
    findings count again); they count, each shown as marked elsewhere and not here, the next
    time the letter is scored (a new version, a mark or restore, or `vcl-qa rescore`, which
    scores such drafts again: their rules version is cleared here)."""
    db.execute("ALTER TABLE suppressions ADD COLUMN version INTEGER")
    db.execute("""
        CREATE TABLE suppression_places (
            id INTEGER PRIMARY KEY,
            suppression_id INTEGER NOT NULL REFERENCES suppressions(id) ON DELETE CASCADE,
            version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
            places TEXT NOT NULL,
            UNIQUE (suppression_id, version_id)
        )""")
    db.execute("CREATE INDEX suppression_places_version ON suppression_places(version_id)")
    _place_existing_marks(db)


@migrations(name="0012_search_plain")
def search_plain(db: Database) -> None:
    """Search finds a word however its letters were typed: a letter pasted from a PDF with "fi"
    as one character ("Mrs Griﬃths"), or with full-width letters, is found by "Griffiths"
    (vcl_qa/db/search.py). The index of plain texts, and the texts of the versions stored
    before it, in it."""
    from vcl_qa.db.search import create_plain_index, index_stored_versions

    create_plain_index(db)
    index_stored_versions(db)


# The words of a finding as a mark compares them (engine/run.py: suppress), without the engine:
# compatibility forms read as plain letters and invisible characters left out, typographic
# quotes, dashes and spaces plain, any case. Used once, by migration 0011.
_FOLD = str.maketrans({**{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4"},
                       **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033"},
                       **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
                       **{c: " " for c in "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                                         "\u2008\u2009\u200a\u205f\u3000"}})


def _words_key(text: str | None) -> str:
    from vcl_qa.db.search import plain_for_search  # (compatibility forms plain, invisible ones out)

    text = text or ""
    return (plain_for_search(text) or text).translate(_FOLD).lower()


def _place_existing_marks(db: Database) -> None:
    import json

    from vcl_qa.db.connection import now
    from vcl_qa.letters.matching import carry

    marks = list(db.query(
        "SELECT s.id, s.letter_id, s.rule, s.term, s.created_at, s.revoked_at, l.status FROM suppressions s"
        " JOIN letters l ON l.id = s.letter_id WHERE l.purged_at IS NULL ORDER BY s.letter_id, s.id"))
    by_letter: dict[int, list[dict]] = {}
    for m in marks:
        by_letter.setdefault(m["letter_id"], []).append(m)

    def findings(version_id: int) -> list[dict]:
        return list(db.query('SELECT rule, text, start, "end", suppressed FROM findings WHERE result_id ='
                             " (SELECT max(id) FROM results WHERE version_id = ?)", [version_id]))

    for letter_id, letter_marks in by_letter.items():
        versions = list(db.query("SELECT id, version, text, created_at FROM versions WHERE letter_id = ?"
                                 " ORDER BY version", [letter_id]))
        if not versions:
            continue
        latest = versions[-1]
        sent = letter_marks[0]["status"] == "sent"
        latest_places: dict[int, list[list[int]]] = {}
        # the version each mark was made on: as its audit entry says (letter.suppress, with the
        # version since it was recorded), else the last saved by then
        said: dict[tuple, list[int]] = {}
        for a in db.query("SELECT at, detail FROM audit_log WHERE action = 'letter.suppress' AND object_type = 'letter'"
                          " AND object_id = ? ORDER BY id", [letter_id]):
            detail = json.loads(a["detail"] or "{}")
            if isinstance(detail.get("version"), int):
                said.setdefault((a["at"], detail.get("rule")), []).append(detail["version"])
        for m in letter_marks:
            told = said.get((m["created_at"], m["rule"])) or []
            made = next((v for v in versions if told and v["version"] == told.pop(0)), None) or next(
                (v for v in reversed(versions) if v["created_at"] <= m["created_at"]), versions[0])
            db.execute("UPDATE suppressions SET version = ? WHERE id = ?", [made["version"], m["id"]])
            if m["term"] is None:
                continue
            key = _words_key(m["term"])
            places = [[f["start"], f["end"]] for f in findings(made["id"])
                      if f["rule"] == m["rule"] and f["start"] is not None and f["end"] is not None
                      and _words_key(f["text"]) == key]
            rows = [(m["id"], made["id"], places)]
            before = made
            for v in versions[versions.index(made) + 1:]:
                places = carry(places, before["text"], v["text"])
                rows.append((m["id"], v["id"], places))
                before = v
            if sent and m["revoked_at"] is None:  # marks stand as they were when the letter went out
                everywhere = [[f["start"], f["end"]] for f in findings(latest["id"])
                              if f["rule"] == m["rule"] and f["start"] is not None and f["end"] is not None
                              and _words_key(f["text"]) == key]
                places = sorted({tuple(p) for p in [*places, *everywhere]})
                rows[-1] = (m["id"], latest["id"], [list(p) for p in places])
            db.conn.executemany("INSERT INTO suppression_places (suppression_id, version_id, places)"
                                " VALUES (?, ?, ?)", [(sid, vid, json.dumps(p)) for sid, vid, p in rows])
            if m["revoked_at"] is None:
                latest_places[m["id"]] = rows[-1][2]
        if sent or not latest_places:
            continue
        # A draft whose latest result hides the wording where no mark's places reach: said in
        # the audit log (the findings count again the next time the letter is scored).
        standing = [m for m in letter_marks if m["revoked_at"] is None]
        whole = {m["rule"] for m in standing if m["term"] is None}
        again, which = 0, set()
        for f in findings(latest["id"]):
            if not f["suppressed"] or f["rule"] in whole or f["start"] is None or f["end"] is None:
                continue
            same = [m for m in standing if m["term"] is not None and m["rule"] == f["rule"]
                    and _words_key(m["term"]) == _words_key(f["text"])]
            if same and not any(min(f["end"], e) - max(f["start"], b) > 0
                                for m in same for b, e in latest_places.get(m["id"], [])):
                again += 1
                which.update(m["id"] for m in same)
        if again:
            # scored again by `vcl-qa rescore` (bulk.rescore_all reads a letter with another rules
            # version than the engine's as one to score again): until then its page and figures
            # show the result it had
            db.execute("UPDATE letters SET rules_version = NULL WHERE id = ?", [letter_id])
            db.execute("INSERT INTO audit_log (at, user_id, user_name, action, object_type, object_id, detail)"
                       " VALUES (?, NULL, NULL, 'letter.mark_places', 'letter', ?, ?)",
                       [now(), letter_id, json.dumps({"suppressions": sorted(which), "count_again": again,
                                                      "version": latest["version"]})])
