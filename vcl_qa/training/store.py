"""Training tables: every attempt (who, which exercise, when, score, passed) and the exercises
managers made from letters the panel rated poorly. Stores only: scoring is the service's job.

Nothing here touches the letters tables, so exercises never count in the letters list, the
dashboard or the panel's figures.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx

migrations = Migrations("training")


@migrations(name="0001_training")
def training_tables(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE training_exercises (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            brief TEXT NOT NULL,
            facts TEXT NOT NULL DEFAULT '[]',
            reader TEXT NOT NULL DEFAULT 'adult',
            context TEXT NOT NULL,
            teaches TEXT NOT NULL,
            letter TEXT NOT NULL,
            model_answer TEXT,
            from_letter_id INTEGER REFERENCES letters(id) ON DELETE SET NULL,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            retired_at TEXT,
            retired_by INTEGER REFERENCES users(id) ON DELETE SET NULL
        );
        CREATE TABLE training_attempts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            exercise_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            text TEXT NOT NULL,
            changes TEXT,
            score INTEGER NOT NULL,
            passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
            errors_left TEXT NOT NULL,
            result TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (user_id, exercise_id, number)
        );
        CREATE INDEX training_attempts_exercise ON training_attempts(exercise_id, user_id);
        """
    )


@migrations(name="0002_attempt_not_counted")
def attempt_not_counted(db: Database) -> None:
    # Why an attempt cannot count as a pass whatever its score (it is the model answer the
    # person was shown, or a letter about another case): a JSON list of {reason, message};
    # NULL for an attempt that can count (vcl_qa/training/own_work.py).
    db.execute("ALTER TABLE training_attempts ADD COLUMN not_counted TEXT")


class NotFound(LookupError):
    """No such exercise or attempt."""


class BuiltIn(Exception):
    """A standard exercise (from the rules folder) cannot be removed from the service."""


# --- exercises made from panel letters ------------------------------------------------------

def add_exercise(db: Database, user: Any, record: dict[str, Any]) -> int:
    with write_tx(db):
        cur = db.execute(
            "INSERT INTO training_exercises (title, brief, facts, reader, context, teaches, letter,"
            " model_answer, from_letter_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record["title"], record["brief"], json.dumps(record.get("facts") or []),
             record.get("reader") or "adult", json.dumps(record["context"]), json.dumps(record["teaches"]),
             record["letter"], record.get("model_answer"), record.get("from_letter_id"),
             getattr(user, "id", None), now()])
        audit.record(db, user, "training.exercise.create", "training_exercise", cur.lastrowid,
                     {"from_letter_id": record.get("from_letter_id")})
        return cur.lastrowid


def retire_exercise(db: Database, user: Any, number: int) -> None:
    with write_tx(db):
        row = db.execute("SELECT retired_at FROM training_exercises WHERE id = ?", [number]).fetchone()
        if row is None or row[0] is not None:
            raise NotFound(f"no exercise panel-{number}")
        db.execute("UPDATE training_exercises SET retired_at = ?, retired_by = ? WHERE id = ?",
                   [now(), getattr(user, "id", None), number])
        audit.record(db, user, "training.exercise.retire", "training_exercise", number)


def _exercise_row(row: dict) -> dict:
    for key in ("facts", "context", "teaches"):
        row[key] = json.loads(row[key]) if row[key] else []
    return row


def panel_exercises(db: Database, include_retired: bool = False) -> list[dict]:
    where = "" if include_retired else "WHERE retired_at IS NULL"
    return [_exercise_row(r) for r in db.query(f"SELECT * FROM training_exercises {where} ORDER BY id")]


def panel_exercise(db: Database, number: int) -> dict:
    rows = list(db.query("SELECT * FROM training_exercises WHERE id = ? AND retired_at IS NULL", [number]))
    if not rows:
        raise NotFound(f"no exercise panel-{number}")
    return _exercise_row(rows[0])


# --- attempts --------------------------------------------------------------------------------

def add_attempt(db: Database, user: Any, exercise_id: str, text: str, changes: dict, score: int,
                passed: bool, errors_left: list[str], result: dict,
                not_counted: list[dict] | None = None, guard: Callable[[], None] | None = None) -> dict:
    """Store one attempt; its number is this person's count for the exercise plus one.
    `not_counted`: why it cannot count as a pass (then `passed` is False). `guard`: called
    first inside the transaction, under the write lock (the daily storage check: an exception
    from it stores nothing)."""
    with write_tx(db):
        if guard is not None:
            guard()
        number = db.execute("SELECT count(*) FROM training_attempts WHERE user_id = ? AND exercise_id = ?",
                            [user.id, exercise_id]).fetchone()[0] + 1
        stamp = now()
        cur = db.execute(
            "INSERT INTO training_attempts (user_id, exercise_id, number, text, changes, score, passed,"
            " errors_left, result, created_at, not_counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [user.id, exercise_id, number, text, json.dumps(changes) if changes else None, score,
             int(passed and not not_counted), json.dumps(errors_left), json.dumps(result), stamp,
             json.dumps(not_counted) if not_counted else None])
    return {"id": cur.lastrowid, "number": number, "created_at": stamp}


def attempt(db: Database, user_id: int, exercise_id: str, number: int | None = None) -> dict:
    """One of a person's attempts at an exercise (the latest when `number` is None)."""
    sql = "SELECT * FROM training_attempts WHERE user_id = ? AND exercise_id = ?"
    params: list[Any] = [user_id, exercise_id]
    if number is not None:
        sql += " AND number = ?"
        params.append(number)
    rows = list(db.query(sql + " ORDER BY number DESC LIMIT 1", params))
    if not rows:
        raise NotFound(f"no attempt at {exercise_id}")
    row = rows[0]
    row["changes"] = json.loads(row["changes"]) if row["changes"] else {}
    row["errors_left"] = json.loads(row["errors_left"])
    row["result"] = json.loads(row["result"])
    row["passed"] = bool(row["passed"])
    row["not_counted"] = json.loads(row["not_counted"]) if row.get("not_counted") else []
    return row


def status_by_exercise(db: Database, user_id: int) -> dict[str, dict]:
    """Per exercise this person tried: attempts, passed (ever), best score, first pass, last try.
    The best score is of the attempts that could count: not the model answer, not another case."""
    out = {}
    for r in db.query(
            "SELECT exercise_id, count(*) AS attempts, max(passed) AS passed,"
            " max(CASE WHEN not_counted IS NULL THEN score END) AS best_score,"
            " min(CASE WHEN passed = 1 THEN created_at END) AS passed_at, max(created_at) AS last_at"
            " FROM training_attempts WHERE user_id = ? GROUP BY exercise_id", [user_id]):
        r["passed"] = bool(r["passed"])
        out[r["exercise_id"]] = r
    return out


def people(db: Database, user_id: int | None = None) -> list[dict]:
    """Every active staff member, and anyone else who has tried an exercise, with their counts:
    attempts at each exercise tried (`by_exercise`: the service counts them over the exercises
    on offer, and apart for those since taken off the list), exercise ids passed, last
    activity, and whether the account is switched off. `user_id`: that person only."""
    where = "WHERE (u.role = 'staff' AND u.disabled = 0) OR a.user_id IS NOT NULL"
    params: list[Any] = []
    if user_id is not None:
        where = "WHERE u.id = ?"
        params = [user_id]
    rows = list(db.query(
        "SELECT u.id, u.name, u.role, u.team, u.disabled, max(a.created_at) AS last_at,"
        " json_group_array(DISTINCT a.exercise_id) FILTER (WHERE a.passed = 1) AS passed"
        f" FROM users u LEFT JOIN training_attempts a ON a.user_id = u.id {where}"
        " GROUP BY u.id ORDER BY coalesce(u.team, ''), u.name", params))
    counts: dict[int, dict[str, int]] = {}
    sql = "SELECT user_id, exercise_id, count(*) FROM training_attempts"
    for uid, exercise_id, n in db.execute(sql + (" WHERE user_id = ?" if user_id is not None else "")
                                          + " GROUP BY user_id, exercise_id", params).fetchall():
        counts.setdefault(uid, {})[exercise_id] = n
    for r in rows:
        r["passed"] = json.loads(r["passed"]) if r["passed"] else []
        r["disabled"] = bool(r["disabled"])
        r["by_exercise"] = counts.get(r["id"], {})
    return rows


def attempts_between(db: Database, start: str | None = None, end: str | None = None,
                     user_ids: list[int] | None = None, exercise_ids: list[str] | None = None) -> int:
    """How many attempts were made between two ISO dates (inclusive, UK days), or in all;
    `user_ids`, `exercise_ids`: by those people only, at those exercises only (the board's line
    counts the staff it names, at the exercises on offer, as its other figures do). Both
    ends compare the UK day each attempt was made (`uk_day`, as the dashboard's and the panel's
    dates do): an attempt at 00:30 on 1 July UK summer time, stored as 23:30 UTC on 30 June,
    counts in July (review 11a, finding 10)."""
    sql, params = "SELECT count(*) FROM training_attempts WHERE 1 = 1", []
    if start:
        sql += " AND uk_day(created_at) >= ?"
        params.append(start)
    if end:
        sql += " AND uk_day(created_at) <= ?"
        params.append(end)
    if user_ids is not None:
        sql += " AND user_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(user_ids)))
    if exercise_ids is not None:
        sql += " AND exercise_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(exercise_ids)))
    return db.execute(sql, params).fetchone()[0]
