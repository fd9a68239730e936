"""Letters, their versions and results as stored: tables, queries and writes, each write one
transaction; nothing is overwritten. Nothing here scores a letter: the letters service does."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import unicodedata
import zlib
from typing import TYPE_CHECKING, Any, Callable

from sqlite_utils import Database

from vcl_qa.db import audit, search
from vcl_qa.db.connection import now, write_tx
from vcl_qa import clock
from vcl_qa.engine.dates import long_date
from vcl_qa.letters import matching

if TYPE_CHECKING:  # the store keeps results; it never runs the engine
    from vcl_qa.engine.result import Result

# Columns of `letters` copied from the latest version's context, so lists can filter on them.
CONTEXT_COLUMNS = ("decision", "decision_date", "letter_date", "victim_category", "bereaved",
                   "offence", "victim_name", "urn")
SUMMARY_COLUMNS = ("id", "team", "status", "sent_date", *CONTEXT_COLUMNS, "latest_version",
                   "score", "verdict", "rules_version", "created_at", "updated_at", "purged_at")
# Also in a summary (the API's list gives sent_before_saved_reason: LetterSummary).
SENT_MARK_COLUMNS = ("sent_by_import", "sent_before_saved_reason")


class NotFound(Exception):
    """No such letter (or version); the API answers 404."""


class Conflict(Exception):
    """The change clashes with the letter's state (e.g. already sent); the API answers 409,
    naming `field` when one is to blame (`base_version`, `status`), for a program to act on."""

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        self.field = field


def sent_words(row: dict) -> str:
    """Why a sent letter takes no new version, and what to do."""
    return (f"letter {row['id']} was marked sent on {long_date(row['sent_date'])}; it cannot change. To change "
            "it, undo 'sent' first (a manager, or whoever marked it sent, that day), or check a new letter")


# An idempotency key: printable ASCII, no spaces (a UUID is usual), at most 200 characters.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def request_hash(request: dict) -> str:
    """The fingerprint an idempotency key is stored with: the request's fields, in any order."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


class KeyUsed(Exception):
    """Another request with the same idempotency key stored its letter first (nothing was
    written by this one): answer that letter (`submitted_with_key`)."""


class Stale(Conflict):
    """The letter changed between reading it and writing the change prepared from it (another
    request, worker or command got there first): read it again and redo the change."""


def letter_state(db: Database, letter_id: int) -> tuple:
    """What a change prepared outside the write transaction depends on: the latest version,
    whether and when it was sent (and how many times a sent mark was made or undone), whether
    it was purged, its newest suppression and how many were restored. Every one only ever
    moves forward, so an unchanged state means nothing relevant changed."""
    row = db.execute(
        "SELECT latest_version, (SELECT COALESCE(max(version), 0) FROM versions WHERE letter_id = l.id),"
        " status, sent_date, purged_at,"
        " (SELECT COALESCE(max(id), 0) FROM suppressions WHERE letter_id = l.id),"
        " sent_changes,"
        " (SELECT count(*) FROM suppressions WHERE letter_id = l.id AND revoked_at IS NOT NULL)"
        " FROM letters l WHERE id = ?", [letter_id]).fetchone()
    if row is None:
        raise NotFound(f"no letter {letter_id}")
    return tuple(row)


class Purged(Conflict):
    """The letter's text and personal details were removed under the retention rules: it takes
    no new version, suppression or sending (the API answers 409)."""


def refuse_purged(row: dict) -> None:
    if row.get("purged_at"):
        raise Purged(f"letter {row['id']} was purged on {clock.uk_long_date(str(row['purged_at']))} (its text and "
                     "personal details were removed); it cannot change. Check a new letter instead")


def _check_state(db: Database, letter_id: int, expected: tuple | None) -> None:
    """Inside the write transaction: the optimistic-concurrency check."""
    if expected is not None and letter_state(db, letter_id) != tuple(expected):
        raise Stale(f"letter {letter_id} changed while this change was being prepared")


def _letter_row(db: Database, letter_id: int) -> dict:
    rows = list(db.query("SELECT * FROM letters WHERE id = ?", [letter_id]))
    if not rows:
        raise NotFound(f"no letter {letter_id}")
    return rows[0]


def _stored_suppressions(db: Database, letter_id: int, as_of: dt.date | None = None,
                         version: int | None = None) -> list[dict]:
    """The letter's marks that stand ("not a problem", with their reasons); `as_of`: those that
    stood at the end of that UK day (made by then, and not restored by then). A mark on a
    wording has `places`: where in `version` (default: the latest) it sets the words aside
    (`places_at`)."""
    if as_of is None:
        where, params = " AND revoked_at IS NULL", [letter_id]
    else:
        day = as_of.isoformat()
        where = " AND uk_day(created_at) <= ? AND (revoked_at IS NULL OR uk_day(revoked_at) > ?)"
        params = [letter_id, day, day]
    rows = list(db.query(f"SELECT id, rule, term, reason FROM suppressions WHERE letter_id = ?{where} ORDER BY id",
                         params))
    if version is None and any(r["term"] is not None for r in rows):
        version = _letter_row(db, letter_id)["latest_version"]
    out = []
    for r in rows:
        mark = {"rule": r["rule"], "term": r["term"], "reason": r["reason"]}
        if r["term"] is not None:
            mark["places"] = places_at(db, letter_id, r["id"], version)
        out.append(mark)
    return out


# A mark on a wording sets the words aside only where they were when it was made (every place
# the wording had in that version), carried through each later version's edit as a finding's
# place is (letters/matching.py `carry`): the same words put in a new place were never looked
# at, so they count again. One row a mark a version (migration 0011); a version with no row
# for a standing mark (none is written without one) is carried to from the last that has.

def places_at(db: Database, letter_id: int, suppression_id: int, version: int) -> list[list[int]]:
    """Where a wording mark sets its words aside in `version` of the letter: [[start, end], ...]
    in that version's text; [] when the mark was made after it, or carrying failed."""
    row = db.execute(
        "SELECT v.version, p.places FROM suppression_places p JOIN versions v ON v.id = p.version_id"
        " WHERE p.suppression_id = ? AND v.version <= ? ORDER BY v.version DESC LIMIT 1",
        [suppression_id, version]).fetchone()
    if row is None:
        return []
    places = json.loads(row[1])
    if row[0] == version:
        return places
    texts = db.execute("SELECT text FROM versions WHERE letter_id = ? AND version >= ? AND version <= ?"
                       " ORDER BY version", [letter_id, row[0], version]).fetchall()
    for (old,), (new,) in zip(texts, texts[1:]):
        places = matching.carry(places, old, new)
    return places


def carried_marks(db: Database, letter_id: int, text: str) -> tuple[list[dict], dict[int, list[list[int]]]]:
    """The standing marks as they apply to `text`, a new version of the letter (or a text being
    typed on its page): each wording mark's places in the latest version carried through the
    edit to `text`. Returns (the marks, as stored_suppressions gives them; {suppression id:
    places}, for write_version)."""
    row = _letter_row(db, letter_id)
    latest = row["latest_version"]
    old = db.execute("SELECT text FROM versions WHERE letter_id = ? AND version = ?", [letter_id, latest]).fetchone()
    marks, placed = [], {}
    for r in db.query("SELECT id, rule, term, reason FROM suppressions WHERE letter_id = ? AND revoked_at IS NULL"
                      " ORDER BY id", [letter_id]):
        mark = {"rule": r["rule"], "term": r["term"], "reason": r["reason"]}
        if r["term"] is not None:
            mark["places"] = placed[r["id"]] = matching.carry(
                places_at(db, letter_id, r["id"], latest), old[0] if old else None, text)
        marks.append(mark)
    return marks, placed


def _keep_places(db: Database, version_id: int, placed: dict[int, list[list[int]]]) -> None:
    """Inside a write transaction: each wording mark's places in a version just written."""
    db.conn.executemany("INSERT OR REPLACE INTO suppression_places (suppression_id, version_id, places) VALUES (?, ?, ?)",
                        [(sid, version_id, json.dumps(places)) for sid, places in placed.items()])


def _previous_context(db: Database, letter_id: int, version: int) -> dict:
    row = db.execute("SELECT context FROM versions WHERE letter_id = ? AND version = ?",
                     [letter_id, version]).fetchone()
    return json.loads(row[0]) if row else {}


def stored_size(text: str, data: dict) -> int:
    """About how many characters a version takes in the database: its text, and its result as
    JSON and again as findings rows."""
    return len(text) + 2 * len(json.dumps(data))


def stored_since(db: Database, user_id: int, since: str) -> int:
    """The characters the user's versions created since `since` (an ISO time) stored, the
    results of the re-scores they caused (a "not a problem" mark, a sent mark and its undo),
    and their training attempts."""
    used = db.execute(
        "SELECT (SELECT COALESCE(SUM(stored_chars), 0) FROM versions WHERE author_id = ? AND created_at >= ?)"
        " + (SELECT COALESCE(SUM(stored_chars), 0) FROM results WHERE author_id = ? AND created_at >= ?)",
        [user_id, since, user_id, since]).fetchone()[0]
    if "training_attempts" in db.table_names():
        # a training attempt keeps its text and its result (training/store.py add_attempt)
        used += db.execute("SELECT COALESCE(SUM(length(text) + COALESCE(length(result), 0)), 0) FROM training_attempts"
                           " WHERE user_id = ? AND created_at >= ?", [user_id, since]).fetchone()[0]
    return used


def latest_result_chars(db: Database, letter_id: int) -> int:
    """The characters the letter's latest result takes as JSON (what scoring it again stores,
    about: see `stored_size`)."""
    row = db.execute("SELECT length(result) FROM results WHERE letter_id = ? ORDER BY id DESC LIMIT 1",
                     [letter_id]).fetchone()
    return row[0] or 0 if row else 0


def _write_version(db, user, text, stored_ctx, result, *, team, letter_id, source, sent_date,
                   expected_state=None, idempotency: tuple[str, str] | None = None,
                   guard: Callable[[], None] | None = None, places: dict | None = None) -> dict:
    stamp = now()
    with write_tx(db):
        if guard is not None:
            guard()  # under the write lock: no other writer can store between its check and this write
        if letter_id is None:
            cur = db.execute(
                # stored as sent at once: only `vcl-qa import --sent` does (the file's letter_date)
                "INSERT INTO letters (team, author_id, status, sent_date, sent_by_import, source, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [team, getattr(user, "id", None), "sent" if sent_date else "draft", sent_date,
                 int(bool(sent_date)), source, stamp, stamp],
            )
            letter_id = cur.lastrowid
            version = 1
            action = "letter.create"
        else:
            row = _letter_row(db, letter_id)  # again, under the write lock
            refuse_purged(row)
            if row["status"] == "sent":
                raise Conflict(sent_words(row), field="status")
            _check_state(db, letter_id, expected_state)
            # Allocated here, under the write lock, from the versions themselves and the
            # highest number a restore kept back (`version_floor`: one handed out after the
            # backup is never handed out again).
            version = max(row.get("version_floor") or 0, db.execute(
                "SELECT COALESCE(max(version), 0) FROM versions WHERE letter_id = ?", [letter_id]).fetchone()[0]) + 1
            action = "letter.add_version"
        data = result.model_dump(mode="json")  # once: stored, and returned to the caller
        cur = db.execute(
            "INSERT INTO versions (letter_id, version, text, text_hash, context, author_id, created_at,"
            " stored_chars) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [letter_id, version, text, hashlib.sha256(text.encode("utf-8")).hexdigest(),
             json.dumps(stored_ctx), getattr(user, "id", None), stamp, stored_size(text, data)],
        )
        search.index_version(db, cur.lastrowid, text)  # (where search reads it differently)
        if idempotency is not None:
            try:
                db.execute("INSERT INTO idempotency_keys (user_id, key, request_hash, letter_id, version,"
                           " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           [getattr(user, "id", None), idempotency[0], idempotency[1], letter_id, version, stamp])
            except sqlite3.IntegrityError:
                raise KeyUsed(idempotency[0]) from None  # rolled back: the other request's letter stands
        if places:
            _keep_places(db, cur.lastrowid, places)
        _insert_result(db, letter_id, cur.lastrowid, result, stamp, data)
        _update_letter(db, letter_id, version, stored_ctx, result, stamp)
        audit.record(db, user, action, "letter", letter_id, {"version": version})
    return {"id": letter_id, "version": version, "result": data}


def _insert_result(db: Database, letter_id: int, version_id: int, result: Result, stamp: str,
                   data: dict | None = None) -> int:
    data = data if data is not None else result.model_dump(mode="json")
    cur = db.execute(
        "INSERT INTO results (letter_id, version_id, rules_version, score, verdict, dimensions,"
        " metrics, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [letter_id, version_id, result.rules_version, result.score, result.verdict,
         json.dumps(data["dimensions"]), json.dumps(data["metrics"]), json.dumps(data), stamp],
    )
    result_id = cur.lastrowid
    db.conn.executemany(
        'INSERT INTO findings (result_id, letter_id, rule, dimension, severity, message, start, "end",'
        ' line, "column", text, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [(result_id, letter_id, f.rule, f.dimension, f.severity, f.message, f.start, f.end, f.line,
          f.column, f.text, int(f.suppressed)) for f in result.findings],
    )
    return result_id


def _update_letter(db, letter_id, version, ctx, result, stamp) -> None:
    """The letter's summary columns; `version` None (a re-score) leaves latest_version alone."""
    values = {c: ctx.get(c) for c in CONTEXT_COLUMNS}
    values["bereaved"] = None if values["bereaved"] is None else int(values["bereaved"])
    if version is not None:
        values["latest_version"] = version
    sets = ", ".join(f"{c} = ?" for c in values)
    db.execute(
        f"UPDATE letters SET {sets}, score = ?, verdict = ?, rules_version = ?, updated_at = ? WHERE id = ?",
        [*values.values(), result.score, result.verdict, result.rules_version, stamp, letter_id],
    )


def latest_result(db: Database, letter_id: int, version: int | None = None) -> dict | None:
    sql = ("SELECT r.result FROM results r JOIN versions v ON v.id = r.version_id"
           " WHERE r.letter_id = ? AND v.version = COALESCE(?, (SELECT latest_version FROM letters"
           " WHERE id = ?)) ORDER BY r.id DESC LIMIT 1")
    row = db.execute(sql, [letter_id, version, letter_id]).fetchone()
    return json.loads(row[0]) if row else None


def latest_result_facts(db: Database, letter_id: int, version: int | None = None) -> tuple[str | None, str] | None:
    """The day latest_result's result was scored for (its metrics' letter_date) and its rules
    version, without reading the result (None when there is no result)."""
    row = db.execute("SELECT json_extract(r.metrics, '$.letter_date'), r.rules_version FROM results r"
                     " JOIN versions v ON v.id = r.version_id WHERE r.letter_id = ? AND v.version = COALESCE(?,"
                     " (SELECT latest_version FROM letters WHERE id = ?)) ORDER BY r.id DESC LIMIT 1",
                     [letter_id, version, letter_id]).fetchone()
    return (row[0], row[1]) if row else None


def scored_for(db: Database, letter_ids: list[int]) -> dict[int, str | None]:
    """The day each letter's latest result judged it as sent on (its metrics' letter_date: its own
    date, the day it was sent, or for an undated draft the day it was scored)."""
    out: dict[int, str | None] = {}
    for letter_id in letter_ids:
        row = db.execute("SELECT json_extract(metrics, '$.letter_date') FROM results WHERE letter_id = ?"
                         " ORDER BY id DESC LIMIT 1", [letter_id]).fetchone()
        out[letter_id] = row[0] if row else None
    return out


def summary(row: dict) -> dict:
    out = {c: row[c] for c in SUMMARY_COLUMNS}
    out["bereaved"] = None if row["bereaved"] is None else bool(row["bereaved"])
    out.update({c: row.get(c) for c in SENT_MARK_COLUMNS})
    # as GET /letters/{id} gives them, for the list too (GET /letters?sent_before_saved=true)
    out["first_saved_on"] = first_saved_on(row)
    out["sent_before_saved"] = sent_before_saved(row)
    return out


def get_letter(db: Database, letter_id: int, text_budget: int | None = None) -> dict:
    """The letter, every version and the latest result. `text_budget`: the most bytes (UTF-8) of
    version text to read, newest version first (the latest's always): an older version's text
    past it is None, with `text_left_out` True (None: every version's text). A retry loop saved
    one 190 KB letter 401 times, and reading it gave 78 MB (an attacker's review)."""
    row = _letter_row(db, letter_id)
    versions = list(db.query(
        "SELECT v.id, v.version, length(CAST(v.text AS BLOB)) AS bytes, v.text_hash, v.context, v.created_at, u.name AS author,"
        " (SELECT r.score FROM results r WHERE r.version_id = v.id ORDER BY r.id DESC LIMIT 1) AS score,"
        " (SELECT r.verdict FROM results r WHERE r.version_id = v.id ORDER BY r.id DESC LIMIT 1) AS verdict"
        " FROM versions v LEFT JOIN users u ON u.id = v.author_id WHERE v.letter_id = ? ORDER BY v.version",
        [letter_id]))
    wanted, used = [], 0
    for v in reversed(versions):  # newest first: once one is left out, every older one is too
        if text_budget is not None and wanted and used + (v["bytes"] or 0) > text_budget:
            break
        wanted.append(v["id"])
        used += v["bytes"] or 0
    texts: dict[int, str | None] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        texts.update(db.execute(f"SELECT id, text FROM versions WHERE id IN ({','.join('?' * len(chunk))})",
                                chunk).fetchall())
    for v in versions:
        v["context"] = json.loads(v["context"])
        v["text"] = texts.get(v["id"])
        v["text_left_out"] = v["id"] not in texts and v["bytes"] is not None
        del v["id"], v["bytes"]
    out = summary(row)
    out["context"] = versions[-1]["context"] if versions else {}
    out["versions"] = versions
    out["result"] = latest_result(db, letter_id)
    out["suppressions"] = suppressions(db, letter_id)
    out["sent_by"] = _user_name(db, row.get("sent_by"))
    out["sent_marked_at"] = row.get("sent_marked_at")
    out["first_saved_on"] = first_saved_on(row)
    out["sent_before_saved"] = sent_before_saved(row)
    out["sent_before_saved_reason"] = row.get("sent_before_saved_reason")
    return out


def first_saved_on(row: dict) -> str:
    """The UK date (ISO) the letter's first version was saved here (a letters row's created_at:
    the first version's own stamp)."""
    return clock.uk_date(str(row["created_at"])).isoformat()


# Marked sent on a day before the letter was first saved here (the UK date of its first version):
# its sent date, and so whether it was on time, rests on the word of whoever marked it. Not a
# letter stored or marked sent by `vcl-qa import --sent`, whose date is the file's letter_date.
SENT_BEFORE_SAVED = ("(l.status = 'sent' AND l.sent_by_import = 0 AND l.sent_date IS NOT NULL"
                     " AND l.sent_date < uk_day(l.created_at))")


def sent_before_saved(row: dict) -> bool:
    """A letters row (or summary) as SENT_BEFORE_SAVED judges it."""
    return bool(row.get("status") == "sent" and not row.get("sent_by_import") and row.get("sent_date")
                and row["sent_date"] < first_saved_on(row))


def get_version(db: Database, letter_id: int, version: int) -> dict:
    """One version of the letter, with its text (None once purged); NotFound when it has no such
    version."""
    _letter_row(db, letter_id)
    row = next(iter(db.query(
        "SELECT v.version, v.text, v.text_hash, v.context, v.created_at, u.name AS author,"
        " (SELECT r.score FROM results r WHERE r.version_id = v.id ORDER BY r.id DESC LIMIT 1) AS score,"
        " (SELECT r.verdict FROM results r WHERE r.version_id = v.id ORDER BY r.id DESC LIMIT 1) AS verdict"
        " FROM versions v LEFT JOIN users u ON u.id = v.author_id WHERE v.letter_id = ? AND v.version = ?",
        [letter_id, version])), None)
    if row is None:
        raise NotFound(f"letter {letter_id} has no version {version}")
    row["context"] = json.loads(row["context"])
    row["text_left_out"] = False
    return row


def suppressions(db: Database, letter_id: int) -> list[dict]:
    """Every suppression of the letter, restored ones too (`revoked_at` set), with who and when."""
    return list(db.query(
        "SELECT s.id, s.rule, s.term, s.reason, u.name AS by, s.created_at, s.revoked_at,"
        " r.name AS revoked_by, s.version FROM suppressions s LEFT JOIN users u ON u.id = s.user_id"
        " LEFT JOIN users r ON r.id = s.revoked_by WHERE s.letter_id = ? ORDER BY s.id", [letter_id]))


def _user_name(db: Database, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    row = db.execute("SELECT name FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else None


def letter_team(db: Database, letter_id: int) -> str:
    row = db.execute("SELECT team FROM letters WHERE id = ?", [letter_id]).fetchone()
    if not row:
        raise NotFound(f"no letter {letter_id}")
    return row[0]


# A letter's day for reports and filters: its sent date, else its letter date, else the day stored.
LETTER_DAY = "COALESCE(l.sent_date, l.letter_date, uk_day(l.created_at))"  # the UK date (db/connection.py)


def letter_filters(*, team: str | None = None, decision: str | None = None, verdict: str | None = None,
                   status: str | None = None, date_from: dt.date | None = None,
                   date_to: dt.date | None = None, sent_before_saved: bool | None = None) -> tuple[list[str], list]:
    """SQL conditions (on `letters l`) and their parameters for the usual filters.
    `sent_before_saved`: True, only letters marked sent on a day before they were first saved
    here (SENT_BEFORE_SAVED); False, none of them."""
    where, params = [], []
    if sent_before_saved is not None:
        where.append(SENT_BEFORE_SAVED if sent_before_saved else f"NOT {SENT_BEFORE_SAVED}")
    for col, value in (("team", team), ("decision", decision), ("verdict", verdict), ("status", status)):
        if value is not None:
            where.append(f"l.{col} = ?")
            params.append(value)
    if date_from:
        where.append(f"{LETTER_DAY} >= ?")
        params.append(date_from.isoformat())
    if date_to:
        where.append(f"{LETTER_DAY} <= ?")
        params.append(date_to.isoformat())
    return where, params


# An undated draft (as letters.service.undated_draft): not sent, not purged, its latest version
# with no letter date. Its stored score is as of the day it was saved.
UNDATED_DRAFT = "(l.status != 'sent' AND l.purged_at IS NULL AND COALESCE(l.letter_date, '') = '')"


def list_letters(db: Database, *, team: str | None = None, decision: str | None = None,
                 verdict: str | None = None, status: str | None = None,
                 date_from: dt.date | None = None, date_to: dt.date | None = None,
                 q: str | None = None, limit: int | None = 50, offset: int = 0,
                 undated: bool | None = None, before_id: int | None = None,
                 after_id: int | None = None,
                 sent_before_saved: bool | None = None) -> tuple[list[dict], int]:
    """Filtered summaries (no text), newest first, as stored. Dates compare the sent date, else
    the letter date, else the day it was stored. `q` is a full-text search of the latest version.
    `undated`: True, only undated drafts (`UNDATED_DRAFT`); False, none of them; `limit` None: all.
    `before_id`: only letters with a lower id (a client paging newest first while letters are
    added passes the last id it was given, instead of an offset that shifts with them).
    `after_id`: only letters with a higher id, the nearest first (oldest first: the letters page's
    "Newer letters" reads the page just above the first letter it showed).
    letters.service.list_letters judges undated drafts as of today, as their pages do."""
    where, params = letter_filters(team=team, decision=decision, verdict=verdict, status=status,
                                   date_from=date_from, date_to=date_to, sent_before_saved=sent_before_saved)
    if undated is not None:
        where.append(UNDATED_DRAFT if undated else f"NOT {UNDATED_DRAFT}")
    if before_id is not None:
        where.append("l.id < ?")
        params.append(before_id)
    if after_id is not None:
        where.append("l.id > ?")
        params.append(after_id)
    if q and q.strip():
        match = fts_query(db, q)
        if match:
            # The text as search reads it where that differs from the text as stored (vcl_qa/db/
            # search.py: "Griﬃths" pasted from a PDF is found by "Griffiths"), else as stored: a
            # version with a plain text is not read as stored, where a soft hyphen or a
            # zero-width space split its words ("Pem" found "Pem\u00adberton").
            where.append(
                "l.id IN (SELECT v.letter_id FROM versions v WHERE v.version = (SELECT latest_version"
                " FROM letters WHERE id = v.letter_id) AND ((v.id IN (SELECT rowid FROM versions_fts"
                f" WHERE versions_fts MATCH ?) AND v.id NOT IN (SELECT rowid FROM {search.PLAIN_TABLE}))"
                f" OR v.id IN (SELECT rowid FROM {search.PLAIN_TABLE} WHERE {search.PLAIN_TABLE} MATCH ?)))"
            )
            params.extend([match, match])
        else:
            where.append("0")  # nothing searchable in it (only quotes or symbols): no letter matches
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    order = "ASC" if after_id is not None else "DESC"
    rows = db.query(f"SELECT l.* FROM letters l {clause} ORDER BY l.id {order} LIMIT ? OFFSET ?",
                    [*params, -1 if limit is None else limit, offset])
    count = db.execute(f"SELECT count(*) FROM letters l {clause}", params).fetchone()[0]
    return [summary(r) for r in rows], count


def fts_query(db: Database, q: str) -> str:
    """Words to search for as a full-text query that cannot be a syntax error: control
    characters (a NUL cuts SQLite's text short) dropped, each word quoted as a literal, words
    with no letter or digit left out. Empty when nothing is left to search for."""
    cleaned = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in search.search_words(q))
    words = [w for w in cleaned.split() if any(c.isalnum() for c in w)]
    return db.quote_fts(" ".join(words)) if words else ""


def previous_version(held: list[int], version: int) -> int:
    """The version held before `version` (numbers may skip those a restore kept back: 1, 2, 5);
    `version` itself when none is held before it (the first, or one not held: compared with
    itself, nothing fixed or new)."""
    earlier = [v for v in held if v < version]
    return max(earlier) if earlier else version


def compare(db: Database, letter_id: int, old: int, new: int) -> dict:
    """Findings fixed, new and still there ("unchanged") between two versions: matched as a
    reader would, by rule and by words or place, the earlier version's places carried through
    the edit (`matching.py`), so a sentence edited but still too long is still there, not one
    fixed and one new. fixed + unchanged = the findings of `old`; new + unchanged = those of
    `new`. Each unchanged finding (as in `new`) has `before` (its message, words and place in
    `old`) and `note` (e.g. "was 28 words", when only its figures changed)."""
    _letter_row(db, letter_id)
    findings, texts = {}, {}
    for v in (old, new):
        res = latest_result(db, letter_id, v)
        if res is None:
            raise NotFound(f"letter {letter_id} has no version {v}")
        findings[v] = res["findings"]
        row = db.execute("SELECT text FROM versions WHERE letter_id = ? AND version = ?",
                         [letter_id, v]).fetchone()
        texts[v] = row[0] if row else None
    out = matching.compare_findings(findings[old], findings[new], texts[old], texts[new])
    contexts = {v: _latest_context(db, letter_id, v) for v in (old, new)}
    # the letter details each version was scored with, where they differ: a version with the
    # same words and a new letter date can score otherwise, and this says why
    changed = [{"field": k, "from": contexts[old].get(k), "to": contexts[new].get(k)}
               for k in sorted(set(contexts[old]) | set(contexts[new]) - {"suppress"})
               if k != "suppress" and contexts[old].get(k) != contexts[new].get(k)]
    return {"letter_id": letter_id, "from_version": old, "to_version": new, **out,
            "same_words": texts[old] == texts[new], "details_changed": changed}


def _latest_context(db: Database, letter_id: int, version: int) -> dict:
    row = db.execute("SELECT context FROM versions WHERE letter_id = ? AND version = ?",
                     [letter_id, version]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def delete(db: Database, user: Any, letter_id: int) -> None:
    """Delete a letter with its versions and results. Refused (Conflict) while it is in the sample
    of a panel period the panel has started rating: deleting it would change that period's
    figures (and its board report) with no record; a manager takes it out of the sample with a
    reason first."""
    with write_tx(db):
        _letter_row(db, letter_id)
        _refuse_panel_sampled(db, letter_id)
        _keep_panel_rows(db, letter_id)
        db.execute("DELETE FROM letters WHERE id = ?", [letter_id])
        audit.record(db, user, "letter.delete", "letter", letter_id)


def _keep_panel_rows(db: Database, letter_id: int) -> None:
    """What each panel sample the letter is in (none rated: `_refuse_panel_sampled`) knew of it,
    kept for the board report (panel_deleted_items): deleted, its sample row went with it, and
    the report counted one letter fewer drawn, and the draw's share found poor otherwise, with
    no word of a change. (Plain SQL on the panel's tables: the store imports no feature.)"""
    if "panel_deleted_items" not in db.table_names():
        return
    db.execute("INSERT INTO panel_deleted_items (period_id, letter_id, reason, verdict, removed, deleted_at)"
               " SELECT period_id, letter_id, reason, verdict, removed_at IS NOT NULL, ? FROM panel_items"
               " WHERE letter_id = ?", [now(), letter_id])


def _refuse_panel_sampled(db: Database, letter_id: int, doing: str = "deleting it",
                          then: str = "it can be deleted", rated_only: bool = True) -> None:
    """Refuse (Conflict) `doing` to a letter in the sample of a panel period the panel has
    started rating (`rated_only`), or of any period. (Plain SQL on the panel's tables: the store
    imports no feature.)"""
    if "panel_items" not in db.table_names():
        return
    started = (" AND EXISTS (SELECT 1 FROM panel_assignments a JOIN panel_items o ON o.id = a.item_id"
               " WHERE o.period_id = i.period_id AND a.rated_at IS NOT NULL)") if rated_only else ""
    row = db.execute(
        "SELECT p.name, (SELECT count(*) FROM panel_assignments a WHERE a.item_id = i.id"
        " AND a.rated_at IS NOT NULL), EXISTS (SELECT 1 FROM panel_assignments a JOIN panel_items o"
        " ON o.id = a.item_id WHERE o.period_id = i.period_id AND a.rated_at IS NOT NULL)"
        " FROM panel_items i JOIN panel_periods p ON p.id = i.period_id"
        f" WHERE i.letter_id = ? AND i.removed_at IS NULL{started}"
        " ORDER BY p.start_date LIMIT 1", [letter_id]).fetchone()
    if row is None:
        return
    period, ratings, begun = row
    rated = (f"the panel has rated it {ratings} time{'' if ratings == 1 else 's'}" if ratings
             else "the panel has started rating that period's letters" if begun
             else "the panel may read it (a manager can take it out, or draw the sample again before any rating)")
    raise Conflict(
        f"letter {letter_id} is in the sample of panel period '{period}' and {rated}; {doing} would "
        f"change that period's figures and board report. To take it out of the sample, a manager removes it "
        f"with a reason (on the panel review's page for the period, \"Take letter ... out\", or POST "
        f"/api/v1/panel/periods/{period}/items/{letter_id}/remove with "
        '{"reason": "..."}); its ratings then stop counting and the removal and its reason stay on record (the audit log). '
        f"Then {then}")


def record_sent(db: Database, user: Any, letter_id: int, sent: str,
                expected_state: tuple | None = None, before_saved_reason: str | None = None,
                imported: bool = False) -> None:
    """Mark the letter sent on `sent` (ISO date); refuses a letter already sent.
    `before_saved_reason`: why it went out before it was first saved here (kept with the mark
    and in the audit entry); `imported`: the mark comes from `vcl-qa import --sent`."""
    with write_tx(db):
        row = _letter_row(db, letter_id)
        refuse_purged(row)
        if row["status"] == "sent":
            raise Conflict(f"letter {letter_id} was already marked sent, on {long_date(row['sent_date'])}: nothing "
                           "was changed (a request sent again after a timeout has done its work)", field="status")
        _check_state(db, letter_id, expected_state)
        stamp = now()
        db.execute("UPDATE letters SET status = 'sent', sent_date = ?, sent_by = ?, sent_marked_at = ?,"
                   " sent_before_saved_reason = ?, sent_by_import = ?, sent_changes = sent_changes + 1,"
                   " updated_at = ? WHERE id = ?",
                   [sent, getattr(user, "id", None), stamp, before_saved_reason, int(imported), stamp, letter_id])
        detail = {"sent_date": sent}
        if before_saved_reason is not None:
            detail.update(first_saved_on=first_saved_on(row), sent_before_saved_reason=before_saved_reason)
        audit.record(db, user, "letter.sent", "letter", letter_id, detail)


def record_unsent(db: Database, user: Any, letter_id: int, expected_state: tuple | None = None) -> str:
    """Undo a sent mark: the letter is a draft again (the undo is in the audit log, with the
    date it had been marked sent). Returns that date."""
    with write_tx(db):
        row = _letter_row(db, letter_id)
        refuse_purged(row)
        if row["status"] != "sent":
            raise Conflict(f"letter {letter_id} is not marked as sent")
        _check_state(db, letter_id, expected_state)
        # (a draft again, it could be changed and marked sent on another day, outside the period,
        # while its ratings of the text that went out still counted: a review)
        # (in any period's sample, rated or not: the letter could be changed and marked sent
        # outside the period while the panel read the copy of the one that went out; a review)
        _refuse_panel_sampled(db, letter_id, "undoing its sent mark", "its sent mark can be undone", rated_only=False)
        db.execute("UPDATE letters SET status = 'draft', sent_date = NULL, sent_by = NULL, sent_marked_at = NULL,"
                   " sent_before_saved_reason = NULL, sent_by_import = 0, sent_changes = sent_changes + 1,"
                   " updated_at = ? WHERE id = ?",
                   [now(), letter_id])
        audit.record(db, user, "letter.unsent", "letter", letter_id,
                     {"sent_date": row["sent_date"], "marked_by": row.get("sent_by"),
                      "marked_at": row.get("sent_marked_at")})
    return row["sent_date"]


class AlreadySetAside(Conflict):
    """The finding is already marked 'not a problem' in this letter (the API answers 409)."""


def _active_suppressions(db: Database, letter_id: int) -> list[dict]:
    return list(db.query(
        "SELECT s.*, u.name AS by FROM suppressions s LEFT JOIN users u ON u.id = s.user_id"
        " WHERE s.letter_id = ? AND s.revoked_at IS NULL ORDER BY s.id", [letter_id]))


def revoke_suppression(db: Database, user: Any, letter_id: int, suppression_id: int,
                       same: Callable[[dict, dict], bool] | None = None) -> dict:
    """Restore a finding marked 'not a problem': the suppression is kept, marked revoked (who
    and when), and counts no more. Standing suppressions that `same` says set aside the same
    thing (duplicates kept from before they were refused) are restored with it, so that a
    restore is never undone by its twin. Returns the suppression as it was, with `also` (the
    ids restored with it)."""
    with write_tx(db):
        refuse_purged(_letter_row(db, letter_id))
        rows = list(db.query("SELECT * FROM suppressions WHERE id = ? AND letter_id = ?",
                             [suppression_id, letter_id]))
        if not rows:
            raise NotFound(f"letter {letter_id} has no suppression {suppression_id}")
        if rows[0]["revoked_at"]:
            raise Conflict(f"suppression {suppression_id} was already restored on "
                           f"{clock.uk_when(rows[0]['revoked_at'])}, UK time")
        latest = _letter_row(db, letter_id)["latest_version"]
        active = _active_suppressions(db, letter_id)
        for s in [*active, rows[0]]:
            if s["term"] is not None:
                s["places"] = places_at(db, letter_id, s["id"], latest)
        twins = [s["id"] for s in active
                 if s["id"] != suppression_id and same is not None and same(s, rows[0])]
        stamp = now()
        for sid in (suppression_id, *twins):
            db.execute("UPDATE suppressions SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                       [stamp, getattr(user, "id", None), sid])
        audit.record(db, user, "letter.unsuppress", "letter", letter_id,
                     {"suppression": suppression_id, "rule": rows[0]["rule"],
                      **({"also": twins} if twins else {})})
    return {**rows[0], "also": twins}


def set_aside(db: Database, *, team: str | None = None, severity: str = "error",
              limit: int = 500, offset: int = 0, before_id: int | None = None) -> tuple[list[dict], int]:
    """Findings of a severity that are marked 'not a problem' in the latest result of each
    letter, with the suppression's reason, who and when; newest first. Returns (rows, count).

    Each finding set aside is listed under the mark that set it aside, as the engine decided
    when it scored the letter (engine/run.py: suppress): the finding's `suppressed_reason` is
    that mark's reason. The store does not match words itself (it never runs the engine, whose
    matching leaves out invisible characters such as a soft hyphen and makes quotes plain): a
    lower-cased comparison of the words missed a mark in force on "indict\u00adment"
    (review 11b, finding 7). Words are compared only to tell apart two marks on one check with
    the same reason, see _marked_by."""
    where, params = ["s.revoked_at IS NULL", "l.purged_at IS NULL"], []
    if team is not None:
        where.append("l.team = ?")
        params.append(team)
    if before_id is not None:  # marks older than the last of the page before (newest first)
        where.append("s.id < ?")
        params.append(before_id)
    candidates = list(db.query(
        "SELECT s.id, s.letter_id, s.rule, s.term, s.reason, s.created_at, u.name AS by, l.team,"
        " l.status, l.latest_version FROM suppressions s JOIN letters l ON l.id = s.letter_id"
        f" LEFT JOIN users u ON u.id = s.user_id WHERE {' AND '.join(where)} ORDER BY s.id DESC", params))
    by_letter: dict[int, list[dict]] = {}
    for c in candidates:
        by_letter.setdefault(c["letter_id"], []).append(c)
    matched: dict[int, list[dict]] = {}
    for letter_id, marks in by_letter.items():
        marks = sorted(marks, key=lambda m: m["id"])  # the order the engine is given them in
        for m in marks:
            if m["term"] is not None:
                m["places"] = places_at(db, letter_id, m["id"], m["latest_version"])
        for f in (latest_result(db, letter_id) or {"findings": []})["findings"]:
            if not f.get("suppressed") or f["severity"] != severity:
                continue
            mark = _marked_by(f, marks)
            if mark is not None:
                matched.setdefault(mark["id"], []).append(f)
    rows = [{**{k: v for k, v in c.items() if k != "places"}, "severity": severity, "message": matched[c["id"]][0]["message"],
             "text": matched[c["id"]][0].get("text"), "findings": len(matched[c["id"]])}
            for c in candidates if c["id"] in matched]
    return rows[offset:offset + limit], len(rows)


def _rough_words(text: str | None) -> str:
    """Words compared without their case and without format characters (a soft hyphen, a
    zero-width space), composed: only to choose between marks the engine's answer leaves open."""
    return unicodedata.normalize("NFC", "".join(c for c in (text or "") if unicodedata.category(c) != "Cf")).lower()


def _marked_by(finding: dict, marks: list[dict]) -> dict | None:
    """The standing mark (of one letter, oldest first) that set this finding aside: of the marks
    on its check with the reason the engine gave it (`suppressed_reason`), the first for the
    whole check or for its words; when the words tell none apart, the only such mark. None when
    no mark did (the area vocabulary set it aside, or the result predates the mark)."""
    same = [m for m in marks if m["rule"] == finding["rule"] and m["reason"] == finding.get("suppressed_reason")]
    if finding.get("start") is not None and finding.get("end") is not None:
        # a mark on these words made for other places in the letter did not set this one aside
        same = [m for m in same if m.get("places") is None or any(
            min(finding["end"], e) - max(finding["start"], b) > 0 for b, e in m["places"])] or same
    words = _rough_words(finding.get("text"))
    for m in same:
        if m["term"] is None or _rough_words(m["term"]) == words:
            return m
    return same[0] if len(same) == 1 else None


class VersionMoved(Stale):
    """A mark was checked against a version that is no longer the latest (or a sent mark was
    made or undone since): nothing was written; check the finding again."""


def add_suppression(db: Database, user: Any, letter_id: int, rule: str, reason: str,
                    term: str | None, clash: Callable[[list[dict]], str | None] | None = None,
                    checked: tuple[int, int] | None = None, places: list[list[int]] | None = None) -> int:
    """Record that a finding is not a problem in this letter; returns the suppression id.
    `clash`, given the letter's standing suppressions (with `by`, the name), says why this one
    would repeat one of them: then nothing is written (AlreadySetAside). `checked`: the
    (latest_version, sent_changes) the finding was found in (mark_state); when the letter has
    moved on since, nothing is written (VersionMoved), so that a mark is never stored for a
    check the latest version no longer finds (review 11b, finding 8). `places`: for a mark on a
    wording, where in the latest version it sets the words aside (kept for that version, and
    carried into later ones); the standing marks `clash` is given have theirs too."""
    with write_tx(db):
        row = _letter_row(db, letter_id)
        refuse_purged(row)
        if checked is not None and mark_state(row) != tuple(checked):
            raise VersionMoved(f"letter {letter_id} changed while the finding was being checked")
        latest = row["latest_version"]
        active = _active_suppressions(db, letter_id)
        for s in active:
            if s["term"] is not None:
                s["places"] = places_at(db, letter_id, s["id"], latest)
        why = clash(active) if clash is not None else None
        if why:
            raise AlreadySetAside(why)
        cur = db.execute(
            "INSERT INTO suppressions (letter_id, rule, term, reason, user_id, created_at, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [letter_id, rule, term, reason, getattr(user, "id", None), now(), latest],
        )
        if term is not None:
            version_id = db.execute("SELECT id FROM versions WHERE letter_id = ? AND version = ?",
                                    [letter_id, latest]).fetchone()[0]
            _keep_places(db, version_id, {cur.lastrowid: places or []})
        audit.record(db, user, "letter.suppress", "letter", letter_id,
                     {"rule": rule, "version": latest, **({"places": len(places or [])} if term is not None else {})})
    return cur.lastrowid


def mark_state(row: dict) -> tuple[int, int]:
    """What a finding marked 'not a problem' was checked against (a letters row): its latest
    version, and how many times a sent mark was made or undone (the day it is judged on)."""
    return (row["latest_version"], row.get("sent_changes") or 0)


def latest_version_row(db: Database, letter_id: int, version: int | None = None) -> tuple[dict, tuple | None]:
    """The letter's row and (version id, text, context JSON) of its latest version (or of `version`)."""
    row = _letter_row(db, letter_id)
    v = db.execute("SELECT id, text, context FROM versions WHERE letter_id = ? AND version = ?",
                   [letter_id, row["latest_version"] if version is None else version]).fetchone()
    return row, v


def add_result(db: Database, user: Any, letter_id: int, version_id: int, version: int,
               context: dict, result: Result, expected_state: tuple | None = None) -> None:
    """Store another result for the latest version (a re-score); the old results stay.
    `expected_state` (letter_state when scoring began): Stale when the letter moved on since."""
    stamp = now()
    with write_tx(db):
        row = _letter_row(db, letter_id)
        _check_state(db, letter_id, expected_state)
        if row["latest_version"] != version:
            raise Stale(f"letter {letter_id} has a newer version than {version}")
        data = result.model_dump(mode="json")
        result_id = _insert_result(db, letter_id, version_id, result, stamp, data)
        # counted towards the daily storage of whoever caused it (letters/service.py check_daily_storage)
        db.execute("UPDATE results SET author_id = ?, stored_chars = ? WHERE id = ?",
                   [getattr(user, "id", None), stored_size("", data), result_id])
        _update_letter(db, letter_id, None, context, result, stamp)
        audit.record(db, user, "letter.rescore", "letter", letter_id,
                     {"rules_version": result.rules_version})


def stored_suppressions(db: Database, letter_id: int, as_of: dt.date | None = None,
                        version: int | None = None) -> list[dict]:
    return _stored_suppressions(db, letter_id, as_of, version)


def version_author(db: Database, letter_id: int, version: int) -> tuple[str | None, str | None]:
    """Who saved a version, and when (None, None when there is no such version)."""
    row = db.execute("SELECT u.name, v.created_at FROM versions v LEFT JOIN users u ON u.id = v.author_id"
                     " WHERE v.letter_id = ? AND v.version = ?", [letter_id, version]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def previous_context(db: Database, letter_id: int, version: int) -> dict:
    return _previous_context(db, letter_id, version)


def letter_row(db: Database, letter_id: int) -> dict:
    return _letter_row(db, letter_id)


def write_version(db: Database, user: Any, text: str, stored_ctx: dict, result: Result, *,
                  team: str | None, letter_id: int | None, source: str | None,
                  sent_date: str | None, expected_state: tuple | None = None,
                  idempotency: tuple[str, str] | None = None,
                  guard: Callable[[], None] | None = None, places: dict | None = None) -> dict:
    """Store a new letter or a new version with its result, in one transaction; the version
    number is allocated inside it. `expected_state`: see letter_state (Stale when it moved).
    `places`: each standing wording mark's places in the new version (carried_marks).
    `idempotency`: (key, request hash), stored with it; KeyUsed (nothing written) when this
    user's key is already stored. `guard`: called first inside the transaction, under the
    write lock (an exception from it writes nothing): the daily storage check, which made
    before the lock would let two saves at once each see room for one."""
    return _write_version(db, user, text, stored_ctx, result, team=team, letter_id=letter_id,
                          source=source, sent_date=sent_date, expected_state=expected_state,
                          idempotency=idempotency, guard=guard, places=places)


def submitted_with_key(db: Database, user_id: int, key: str) -> dict | None:
    """What this user's idempotency key stored: {"request_hash", "id", "version", "result"}
    (the result the version was first scored with), or None."""
    row = db.execute("SELECT request_hash, letter_id, version FROM idempotency_keys WHERE user_id = ? AND key = ?",
                     [user_id, key]).fetchone()
    if row is None:
        return None
    found = db.execute(
        "SELECT r.result FROM results r JOIN versions v ON v.id = r.version_id"
        " WHERE v.letter_id = ? AND v.version = ? ORDER BY r.id LIMIT 1", [row[1], row[2]]).fetchone()
    return {"request_hash": row[0], "id": row[1], "version": row[2],
            "result": json.loads(found[0]) if found else None}


# --- results kept to be worked out for another day (letters/service.py judged_on) -----------

JUDGED_SOURCES_KEPT = 8  # per letter, the newest (another version's, or other marks', go first)


def judged_source(db: Database, key: str, rules_version: str, engine: str, late: int,
                  part: str = "result") -> Any:
    """A kept result (`part` "result": its JSON; "head": its head's JSON) for these inputs,
    this rules version, this engine and this lateness, or None."""
    column = {"result": "result", "head": "head"}[part]
    try:
        row = db.execute(f"SELECT {column} FROM judged_sources WHERE key = ? AND rules_version = ? AND engine = ?"
                         " AND late = ?", [key, rules_version, engine, late]).fetchone()
    except sqlite3.OperationalError:  # (a database not migrated yet: nothing kept)
        return None
    if row is None:
        return None
    try:
        return zlib.decompress(row[0]).decode() if part == "result" else row[0]
    except (zlib.error, UnicodeDecodeError):  # (a damaged row is as good as none: scored again)
        return None


# How long keeping a judged result waits for a database another writer holds (keep_judged_source).
KEEP_WAIT_MS = 2_000


def keep_judged_source(db: Database, letter_id: int, version_id: int, key: str, rules_version: str,
                       engine: str, late: int, head: str, result: str) -> bool:
    """Keep a result to work out others from (compressed: a hostile letter's 5 MB of JSON is
    about 110 KB), unless the letter is purged or the version gone; the letter's kept results
    of another rules version or engine go, and past JUDGED_SOURCES_KEPT the oldest. False when
    it could not be written now (the database busy or read-only): it is kept another time."""
    packed = zlib.compress(result.encode(), 6)
    try:
        # (a read's work, kept to save scoring again: never worth holding the read up for)
        with write_tx(db, wait_ms=KEEP_WAIT_MS):
            if not db.execute("SELECT 1 FROM letters l JOIN versions v ON v.letter_id = l.id WHERE l.id = ?"
                              " AND v.id = ? AND l.purged_at IS NULL AND v.text IS NOT NULL",
                              [letter_id, version_id]).fetchone():
                return False
            db.execute("DELETE FROM judged_sources WHERE letter_id = ? AND (rules_version != ? OR engine != ?)",
                       [letter_id, rules_version, engine])
            db.execute("INSERT OR REPLACE INTO judged_sources (letter_id, version_id, key, rules_version, engine,"
                       " late, head, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [letter_id, version_id, key, rules_version, engine, late, head, packed, now()])
            db.execute("DELETE FROM judged_sources WHERE letter_id = ? AND id NOT IN (SELECT id FROM judged_sources"
                       " WHERE letter_id = ? ORDER BY id DESC LIMIT ?)", [letter_id, letter_id, JUDGED_SOURCES_KEPT])
    except sqlite3.OperationalError:
        return False
    return True


def forget_judged_sources(db: Database, letter_id: int) -> None:
    """Every kept result of the letter goes (its purge: they quote its words)."""
    if "judged_sources" in db.table_names():
        db.execute("DELETE FROM judged_sources WHERE letter_id = ?", [letter_id])
