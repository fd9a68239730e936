"""The decisions register: one row per case decision that needs a letter (urn + decision).

Nothing derived is stored: due dates and statuses are worked out when read (vcl_qa.decisions),
and whether a letter went out comes from joining the letters table by case reference and
decision, so storing or sending a letter changes its decision's status at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx

migrations = Migrations("decisions")

# Columns a caller supplies (everything else is bookkeeping).
FIELDS = ("urn", "decision", "decision_date", "victim_category", "bereaved", "offence", "team",
          "victim_name", "letter_date", "letter_required", "no_letter_reason")


@migrations(name="0001_decisions")
def decisions_table(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            urn TEXT NOT NULL COLLATE NOCASE,
            decision TEXT NOT NULL,
            decision_date TEXT NOT NULL,
            victim_category TEXT NOT NULL,
            bereaved INTEGER,
            offence TEXT,
            team TEXT NOT NULL,
            victim_name TEXT,
            letter_date TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (urn, decision)
        );
        CREATE INDEX decisions_team ON decisions(team, decision_date);
        -- Letters are linked to decisions by case reference (any letter case) and decision.
        CREATE INDEX letters_decision_link ON letters(urn COLLATE NOCASE, decision);
        """
    )


@migrations(name="0002_decisions_per_team")
def decisions_per_team(db: Database) -> None:
    """Each team has its own register: the same case reference and decision may be registered
    by two teams without either seeing or blocking the other."""
    db.executescript(
        """
        CREATE TABLE decisions_new (
            id INTEGER PRIMARY KEY,
            urn TEXT NOT NULL COLLATE NOCASE,
            decision TEXT NOT NULL,
            decision_date TEXT NOT NULL,
            victim_category TEXT NOT NULL,
            bereaved INTEGER,
            offence TEXT,
            team TEXT NOT NULL,
            victim_name TEXT,
            letter_date TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (team, urn, decision)
        );
        INSERT INTO decisions_new SELECT id, urn, decision, decision_date, victim_category, bereaved,
            offence, team, victim_name, letter_date, created_at, updated_at FROM decisions;
        DROP TABLE decisions;
        ALTER TABLE decisions_new RENAME TO decisions;
        CREATE INDEX decisions_team ON decisions(team, decision_date);
        CREATE INDEX letters_team_decision_link ON letters(team, urn COLLATE NOCASE, decision);
        """
    )


@migrations(name="0003_letter_required")
def letter_required(db: Database) -> None:
    """A decision may be registered as needing no letter, with the reason (status not_required:
    never missing or overdue, and outside the timeliness rate)."""
    db.execute("ALTER TABLE decisions ADD COLUMN letter_required INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE decisions ADD COLUMN no_letter_reason TEXT")


class OtherTeam(Exception):
    """Kept for callers that still catch it: since registers are per team, nothing raises it."""


def upsert_many(db: Database, user: Any, records: Sequence[dict], *, only_team: str | None = None,
                source: str = "api") -> list[tuple[int, str]]:
    """Insert or update decisions by (urn, decision), all in one transaction.

    Returns (id, outcome) per record, outcome 'created', 'updated' or 'unchanged'; re-sending
    the same records changes nothing. A record is matched within its own team's register only:
    another team's register is never read or changed, so nothing here can tell whether it
    holds the same case. `only_team` (staff): every record must be for that team.
    """
    out: list[tuple[int, str]] = []
    stamp = now()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with write_tx(db):
        for rec in records:
            if only_team is not None and rec.get("team") != only_team:
                raise ValueError("a record for another team reached the register")  # callers check
            values = [_db_value(rec.get(f)) for f in FIELDS]
            row = db.execute(
                f"SELECT id, {', '.join(FIELDS)} FROM decisions WHERE team = ? AND urn = ? AND decision = ?",
                [rec["team"], rec["urn"], rec["decision"]]).fetchone()
            if row is None:
                cur = db.execute(
                    f"INSERT INTO decisions ({', '.join(FIELDS)}, created_at, updated_at)"
                    f" VALUES ({', '.join('?' * len(FIELDS))}, ?, ?)", [*values, stamp, stamp])
                out.append((cur.lastrowid, "created"))
            elif list(row[1:]) == values:
                out.append((row[0], "unchanged"))
            else:
                db.execute(f"UPDATE decisions SET {', '.join(f'{f} = ?' for f in FIELDS)},"
                           " updated_at = ? WHERE id = ?", [*values, stamp, row[0]])
                out.append((row[0], "updated"))
            counts[out[-1][1]] += 1
        if counts["created"] or counts["updated"]:
            # Counts only: case references and names stay out of the audit log.
            audit.record(db, user, "decisions.register", "decision", None, {**counts, "source": source})
    return out


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


# The earliest date a linked letter went out: a sent letter's sent date, else its letter date.
# A decision links only the letters of its own team.
_LINK = "l.team = d.team AND l.urn = d.urn COLLATE NOCASE AND l.decision = d.decision"
_LINKED = (
    "SELECT d.*,"
    f" (SELECT MIN(COALESCE(l.sent_date, l.letter_date)) FROM letters l WHERE {_LINK}"
    "   AND l.status = 'sent') AS letter_sent_on,"
    f" (SELECT group_concat(l.id) FROM letters l WHERE {_LINK}) AS letter_ids"
    " FROM decisions d"
)


def linked_rows(db: Database, *, team: str | None = None, urn: str | None = None,
                decision: str | None = None, decided_from: str | None = None,
                decided_to: str | None = None, ids: Iterable[int] | None = None) -> list[dict]:
    """Decisions (filtered) with the first sent date and ids of the letters linked to each."""
    where, params = [], []
    for col, value in (("team", team), ("urn", urn), ("decision", decision)):
        if value is not None:
            where.append(f"d.{col} = ?")
            params.append(value)
    if decided_from:
        where.append("d.decision_date >= ?")
        params.append(decided_from)
    if decided_to:
        where.append("d.decision_date <= ?")
        params.append(decided_to)
    if ids is not None:
        ids = list(ids)
        where.append(f"d.id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = []
    for r in db.query(_LINKED + clause + " ORDER BY d.id", params):
        r["bereaved"] = None if r["bereaved"] is None else bool(r["bereaved"])
        r["letter_required"] = bool(r["letter_required"])
        r["letter_ids"] = [int(i) for i in r["letter_ids"].split(",")] if r["letter_ids"] else []
        rows.append(r)
    return rows


def unlinked_letters(db: Database, *, team: str | None = None, limit: int = 50,
                     offset: int = 0) -> tuple[list[dict], int]:
    """Letters whose case reference and decision match no registered decision, newest first."""
    where = [f"NOT EXISTS (SELECT 1 FROM decisions d WHERE {_LINK})"]
    params: list[Any] = []
    if team is not None:
        where.append("l.team = ?")
        params.append(team)
    clause = " WHERE " + " AND ".join(where)
    rows = list(db.query(
        "SELECT l.id, l.team, l.status, l.sent_date, l.urn, l.decision, l.decision_date, l.letter_date,"
        f" l.created_at FROM letters l{clause} ORDER BY l.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset]))
    count = db.execute(f"SELECT count(*) FROM letters l{clause}", params).fetchone()[0]
    return rows, count
