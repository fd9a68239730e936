"""The decisions register: one row per case decision that needs a letter (urn + decision).

Nothing derived is stored: due dates and statuses are worked out when read (vcl_qa.decisions),
and whether a letter went out comes from joining the letters table by case reference and
decision, so storing or sending a letter changes its decision's status at once.

Retention (vcl-qa purge) replaces a purged letter's case reference by a one-way pseudonym
(`case_pseudonym`). Each decision keeps the pseudonym of its own case reference (`urn_key`), so a
decision still holding its reference stays linked to its purged letters, and a purged decision
(whose `urn` is then its `urn_key`) is found again when its case is registered once more.
"""
from __future__ import annotations

import hashlib
import json
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


@migrations(name="0004_urn_key")
def urn_key(db: Database) -> None:
    """Each decision's case reference as a purged letter carries it (`case_pseudonym`): the link
    to purged letters, and how a purged entry is recognised when its case is registered again."""
    db.execute("ALTER TABLE decisions ADD COLUMN urn_key TEXT")
    for decision_id, urn in db.execute("SELECT id, urn FROM decisions").fetchall():
        db.execute("UPDATE decisions SET urn_key = ? WHERE id = ?", [_key(urn), decision_id])
    db.execute("CREATE INDEX decisions_urn_key ON decisions(team, urn_key, decision)")


@migrations(name="0005_letter_date_kept")
def letter_date_kept(db: Database) -> None:
    """Whether an entry's letter_date is the day a letter saved here went out, kept when that
    letter was deleted (`keep_sent_day`): the only record left that it was sent, which a feed's
    null does not clear (`upsert_many`). Entries kept before this column, from the audit log."""
    db.execute("ALTER TABLE decisions ADD COLUMN letter_date_kept INTEGER NOT NULL DEFAULT 0")
    if "audit_log" not in db.table_names():
        return
    for decision_id, detail in db.execute(
            "SELECT object_id, detail FROM audit_log WHERE action = 'decision.letter_date_kept'"
            " AND object_type = 'decision' ORDER BY id").fetchall():
        day = (json.loads(detail) if detail else {}).get("letter_date")
        db.execute("UPDATE decisions SET letter_date_kept = 1 WHERE id = ? AND letter_date = ?", [decision_id, day])


PURGED = "purged-"


def case_pseudonym(urn: str) -> str:
    """What a purged case reference becomes: the same for the same case (any letter case), so
    a purged letter stays linked to its decision, but the reference itself is gone."""
    return PURGED + hashlib.sha256(urn.strip().upper().encode()).hexdigest()[:16]


def _key(urn: str) -> str:
    """A decision's urn_key: its case reference's pseudonym (a purged entry's urn already is)."""
    return urn if urn.startswith(PURGED) else case_pseudonym(urn)


class OtherTeam(Exception):
    """Kept for callers that still catch it: since registers are per team, nothing raises it."""


def upsert_many(db: Database, user: Any, records: Sequence[dict], *, only_team: str | None = None,
                source: str = "api", changes: list[list[str]] | None = None,
                not_cleared: list[list[str]] | None = None) -> list[tuple[int, str]]:
    """Insert or update decisions by (urn, decision), all in one transaction.

    Returns (id, outcome) per record, outcome 'created', 'updated' or 'unchanged'; re-sending
    the same records changes nothing. A record is matched within its own team's register only:
    another team's register is never read or changed, so nothing here can tell whether it
    holds the same case. `only_team` (staff): every record must be for that team.

    A record holds only the fields it gives (register.record_from_mapping): a field it leaves
    out keeps the registered value (a feed with no `letter_date` column is not saying the
    letter was never sent); a field given as None clears it. A new entry takes None (and a
    letter required) for what is left out. The stored spelling of the case reference is kept
    (matching ignores letter case). `changes`, when given, receives per record the names of
    the fields it changed (empty when created or unchanged).

    A letter_date kept from a sent letter deleted since (`keep_sent_day`) is the only record
    left that the letter went out: None does not clear it (a feed's null says it does not know
    the day, not that no letter was sent), and `not_cleared`, when given, receives per record
    the fields so kept. Another day given replaces it, as any letter_date.

    A record for a case whose entry was purged (vcl-qa purge) is matched to that entry, never
    stored twice. Its other fields are updated as for any entry; its case reference and victim's
    name are stored again only when the entry needs them to be acted on: still open (no letter
    sent, a letter needed) or linked to letters not purged. A closed entry stays purged.
    """
    out: list[tuple[int, str]] = []
    stamp = now()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with write_tx(db):
        for rec in records:
            if only_team is not None and rec.get("team") != only_team:
                raise ValueError("a record for another team reached the register")  # callers check
            key = case_pseudonym(rec["urn"])
            row = _entry(db, rec["team"], rec["decision"], rec["urn"], key)
            if row is None:
                values = [_db_value(rec.get(f, _NEW.get(f))) for f in FIELDS]
                cur = db.execute(
                    f"INSERT INTO decisions ({', '.join(FIELDS)}, urn_key, created_at, updated_at)"
                    f" VALUES ({', '.join('?' * len(FIELDS))}, ?, ?, ?)", [*values, key, stamp, stamp])
                out.append((cur.lastrowid, "created"))
                counts["created"] += 1
                if changes is not None:
                    changes.append([])
                if not_cleared is not None:
                    not_cleared.append([])
                continue
            stored = dict(zip(FIELDS, row[1:-1]))
            merged = {f: _db_value(rec[f]) if f in rec else stored[f] for f in FIELDS}
            kept_day = bool(row[-1])
            held = []
            if kept_day and stored["letter_date"] and "letter_date" in rec and rec["letter_date"] is None:
                merged["letter_date"], held = stored["letter_date"], ["letter_date"]
            if not_cleared is not None:
                not_cleared.append(held)
            if stored["urn"].startswith(PURGED):
                if not _needs_reference(db, row[0], merged):
                    merged["urn"], merged["victim_name"] = stored["urn"], stored["victim_name"]  # stays purged
            else:
                merged["urn"] = stored["urn"]  # the same reference (any letter case): as first written
            changed = [f for f in FIELDS if merged[f] != stored[f]]
            if changes is not None:
                changes.append(changed)
            if not changed:
                out.append((row[0], "unchanged"))
            else:
                # (a day given in place of a kept one is the register's own from now on)
                db.execute(f"UPDATE decisions SET {', '.join(f'{f} = ?' for f in FIELDS)},"
                           " urn_key = ?, letter_date_kept = ?, updated_at = ? WHERE id = ?",
                           [*merged.values(), _key(merged["urn"]),
                            int(kept_day and merged["letter_date"] == stored["letter_date"]), stamp, row[0]])
                out.append((row[0], "updated"))
            counts[out[-1][1]] += 1
        if counts["created"] or counts["updated"]:
            # Counts only: case references and names stay out of the audit log.
            audit.record(db, user, "decisions.register", "decision", None, {**counts, "source": source})
    return out


def _entry(db: Database, team: str, decision: str, urn: str, key: str) -> tuple | None:
    """(id, *FIELDS, letter_date_kept) of the team's entry for this case reference and decision
    (any letter case), else of the first (lowest id) whose urn_key is the reference's pseudonym
    (a purged entry of the same case); None when there is neither.

    Two look-ups, each by an index (the UNIQUE (team, urn, decision) constraint's, and
    decisions_urn_key), so a record costs the same however large the register. As one query
    with `urn = ? OR urn_key = ?`, SQLite used only the team column of an index and read every
    entry of the team for each record: a batch of 1,000 into a register of 30,000 held the
    write lock for 100 s (review 10b, finding 5)."""
    columns = f"id, {', '.join(FIELDS)}, letter_date_kept"
    row = db.execute(f"SELECT {columns} FROM decisions WHERE team = ? AND urn = ? AND decision = ?",
                     [team, urn, decision]).fetchone()
    if row is None:
        row = db.execute(f"SELECT {columns} FROM decisions WHERE team = ? AND urn_key = ? AND decision = ?"
                         " ORDER BY id LIMIT 1", [team, key, decision]).fetchone()
    return row


# What a new entry takes for a field its record leaves out.
_NEW = {"letter_required": True}


def _needs_reference(db: Database, decision_id: int, rec: dict) -> bool:
    """Whether a purged entry, registered again (`rec`: its fields once the record is applied,
    so a letter_date left out of the record is still the registered one), must show its case
    reference again: it is open (a letter needed and none sent) or has letters that are not
    purged."""
    linked = db.execute(
        f"SELECT count(*), sum({COUNTS_AS_SENT}), sum(l.purged_at IS NULL) FROM decisions d"
        f" JOIN letters l ON {_LINK} WHERE d.id = ?", [decision_id]).fetchone()
    _, sent, kept = linked
    open_ = bool(rec.get("letter_required", True)) and not rec.get("letter_date") and not sent
    return open_ or bool(kept)


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


# The earliest date a linked letter went out: a sent letter's sent date, else its letter date.
# A decision links only the letters of its own team: those with its case reference (any letter
# case) and those purged since, which carry the reference's pseudonym (urn_key).
# (Written with IN, not OR: SQLite then looks each one up in letters_team_decision_link.)
LINK = "l.team = d.team AND l.decision = d.decision AND l.urn COLLATE NOCASE IN (d.urn, d.urn_key)"
_LINK = LINK
# A linked letter counts as the decision's letter only when it went out on or after the
# decision date: a letter sent before the decision was made cannot be the letter about it
# (another decision's, or a date wrong on one side). Such a letter is reported instead
# (letter_sent_before), so the register can say why the decision is still due.
SENT_DAY = "COALESCE(l.sent_date, l.letter_date)"
COUNTS_AS_SENT = f"l.status = 'sent' AND {SENT_DAY} >= d.decision_date"
_LINKED = (
    "SELECT d.*,"
    f" (SELECT MIN({SENT_DAY}) FROM letters l WHERE {_LINK} AND {COUNTS_AS_SENT}) AS letter_sent_on,"
    f" (SELECT MAX({SENT_DAY}) FROM letters l WHERE {_LINK} AND l.status = 'sent'"
    f"   AND {SENT_DAY} < d.decision_date) AS letter_sent_before,"
    f" (SELECT group_concat(l.id) FROM letters l WHERE {_LINK}) AS letter_ids"
    " FROM decisions d"
)


def _where(team: str | None = None, urn: str | None = None, decision: str | None = None,
           decided_from: str | None = None, decided_to: str | None = None,
           ids: Iterable[int] | None = None) -> tuple[str, list]:
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
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def linked_rows(db: Database, *, team: str | None = None, urn: str | None = None,
                decision: str | None = None, decided_from: str | None = None,
                decided_to: str | None = None, ids: Iterable[int] | None = None) -> list[dict]:
    """Decisions (filtered) with the first sent date and ids of the letters linked to each, and
    the linked letters whose own details disagree with the entry (`letter_disagreements`)."""
    ids = list(ids) if ids is not None else None
    clause, params = _where(team, urn, decision, decided_from, decided_to, ids)
    disagree = _disagreements(db, clause, params)
    rows = []
    for r in db.query(_LINKED + clause + " ORDER BY d.id", params):
        r.pop("urn_key", None)  # bookkeeping: the link to purged letters
        r["bereaved"] = None if r["bereaved"] is None else bool(r["bereaved"])
        r["letter_required"] = bool(r["letter_required"])
        r["letter_ids"] = sorted(int(i) for i in r["letter_ids"].split(",")) if r["letter_ids"] else []
        r["letter_disagreements"] = disagree.get(r["id"], [])
        rows.append(r)
    return rows


def letters_sent_on(db: Database, letter_ids: Iterable[int]) -> dict[int, str | None]:
    """Of these letters, those marked sent, each with the day it went out (its sent date, else
    its letter date; None when it has neither): a letter not listed is a draft. The register page
    says which of a decision's letters went out, also one sent before the decision (not counted)."""
    ids = sorted(set(letter_ids))
    out: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = ids[start:start + 500]
        out.update(db.execute(f"SELECT l.id, {SENT_DAY} FROM letters l WHERE l.status = 'sent'"
                              f" AND l.id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    return out


# The details a letter and its register entry both hold from which each works out the day the
# letter is due (the decision is the link itself). When they differ, the letter's page and the
# register would each count from their own: both are shown, never one picked silently. A detail
# the letter leaves out is no disagreement (its page asks for it); `bereaved` left out of the
# register means no, so only a letter saying yes against it differs.
COMPARED = {"victim_category": "l.victim_category != d.victim_category",
            "decision_date": "l.decision_date != d.decision_date",
            "bereaved": "l.bereaved != COALESCE(d.bereaved, 0)"}


def _disagreements(db: Database, clause: str, params: list) -> dict[int, list[dict]]:
    """For the decisions `clause` selects: each linked letter whose victim_category, decision
    date or bereaved (as its latest version gives them) differs from the entry's, as
    {decision id: [{"letter_id", "status", "fields": [{"field", "letter_value", "register_value"}],
    "letter_due_date"}]}; the letter's due date is its latest result's (None when it has none)."""
    differs = [f"(l.{f} IS NOT NULL AND {cond}) AS differs_{f}" for f, cond in COMPARED.items()]
    sql = ("SELECT d.id AS decision_id, l.id AS letter_id, l.status, "
           + ", ".join(f"l.{f} AS letter_{f}, d.{f} AS register_{f}" for f in COMPARED) + ", "
           + ", ".join(differs)
           + ", (SELECT r.metrics FROM results r WHERE r.letter_id = l.id ORDER BY r.id DESC LIMIT 1) AS metrics"
           f" FROM decisions d JOIN letters l ON {LINK}{clause}{' AND' if clause else ' WHERE'} ("
           + " OR ".join(f"(l.{f} IS NOT NULL AND {cond})" for f, cond in COMPARED.items())
           + ") ORDER BY d.id, l.id")
    out: dict[int, list[dict]] = {}
    for r in db.query(sql, params):
        metrics = json.loads(r["metrics"]) if r["metrics"] else {}
        out.setdefault(r["decision_id"], []).append({
            "letter_id": r["letter_id"], "status": r["status"],
            "fields": [{"field": f, "letter_value": _shown(f, r[f"letter_{f}"]),
                        "register_value": _shown(f, r[f"register_{f}"])}
                       for f in COMPARED if r[f"differs_{f}"]],
            "letter_due_date": metrics.get("due_date")})
    return out


def _shown(field: str, value: Any) -> Any:
    return bool(value) if field == "bereaved" and value is not None else value


def entries_for_case(db: Database, team: str, urn: str) -> list[dict]:
    """The team's register entries for a case reference (any letter case; a purged letter's
    pseudonym finds its entry by urn_key): id, decision and whether a letter is needed."""
    return list(db.query(
        "SELECT id, decision, letter_required FROM decisions WHERE team = ? AND urn = ?"
        " UNION SELECT id, decision, letter_required FROM decisions WHERE team = ? AND urn_key = ?"
        " ORDER BY id", [team, urn, team, urn]))


def victim_names_for_case(db: Database, team: str | None, urn: str) -> list[str]:
    """The victim's names the team's register entries for a case reference give (found as
    `entries_for_case` finds them: any letter case, a purged letter's pseudonym by urn_key),
    the most recently changed first; none purged."""
    rows = db.execute(
        "SELECT victim_name, max(updated_at) FROM decisions WHERE team IS ? AND (urn = ? OR urn_key = ?)"
        " AND victim_name IS NOT NULL AND trim(victim_name) != '' GROUP BY victim_name ORDER BY 2 DESC",
        [team, urn, _key(urn)]).fetchall()
    return [r[0] for r in rows]


def count_rows(db: Database, *, team: str | None = None, urn: str | None = None,
               decision: str | None = None, decided_from: str | None = None,
               decided_to: str | None = None) -> int:
    """How many decisions `linked_rows` would give for the same filters."""
    clause, params = _where(team, urn, decision, decided_from, decided_to)
    return db.execute("SELECT count(*) FROM decisions d" + clause, params).fetchone()[0]


# LINK from the letter's side, as two look-ups (by reference, by a purged letter's pseudonym).
_UNLINKED = ("NOT EXISTS (SELECT 1 FROM decisions d WHERE d.team = l.team AND d.urn = l.urn AND d.decision = l.decision)",
             "NOT EXISTS (SELECT 1 FROM decisions d WHERE d.team = l.team AND d.urn_key = l.urn"
             " AND d.decision = l.decision)")


def unlinked_sent(db: Database, *, team: str | None = None, decision: str | None = None,
                  sent_by: str | None = None) -> list[dict]:
    """The sent letters (with the filters; `sent_by`: gone out by that day) whose case reference
    and decision match no registered decision, oldest first: the register's on-time figures
    cannot count them (reports/timeliness.py `unregistered`)."""
    where, params = [*_UNLINKED, "l.status = 'sent'"], []
    for cond, value in (("l.team = ?", team), ("l.decision = ?", decision), (f"{SENT_DAY} <= ?", sent_by)):
        if value is not None:
            where.append(cond)
            params.append(value)
    return list(db.query(f"SELECT l.id, l.team, l.decision, l.decision_date, l.victim_category, l.bereaved,"
                         f" {SENT_DAY} AS sent_on FROM letters l"
                         f" WHERE {' AND '.join(where)} ORDER BY l.id", params))


def unlinked_letters(db: Database, *, team: str | None = None, limit: int = 50,
                     offset: int = 0, before_id: int | None = None,
                     stored_by: str | None = None) -> tuple[list[dict], int]:
    """Letters whose case reference and decision match no registered decision, newest first
    (`before_id`: only letters with a lower id, the last of the page before)."""
    where = list(_UNLINKED)
    params: list[Any] = []
    if team is not None:
        where.append("l.team = ?")
        params.append(team)
    if before_id is not None:
        where.append("l.id < ?")
        params.append(before_id)
    if stored_by is not None:  # (the digest for a past day: not a letter stored after it)
        where.append("uk_day(l.created_at) <= ?")
        params.append(stored_by)
    clause = " WHERE " + " AND ".join(where)
    rows = list(db.query(
        "SELECT l.id, l.team, l.status, l.sent_date, l.urn, l.decision, l.decision_date, l.letter_date,"
        f" l.created_at FROM letters l{clause} ORDER BY l.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset]))
    count = db.execute(f"SELECT count(*) FROM letters l{clause}", params).fetchone()[0]
    return rows, count


def keep_sent_day(db: Database, user: Any, letter_id: int) -> list[dict]:
    """Before the letter `letter_id` is deleted (inside the caller's transaction): each decision
    that counts it as its letter sent (COUNTS_AS_SENT), and would otherwise lose the day its
    letter went out, keeps that day as its own `letter_date`, so the register, the dashboard and
    past figures still count the letter as sent that day (deleting a letter's words does not
    unsend it; one that never went out is unmarked first, then deleted). A day already given by
    another linked letter, or by the entry's own letter_date, is not lost and nothing changes.
    Audited per decision (decision.letter_date_kept, with the date it replaced). Returns
    [{"decision_id", "letter_date", "was"}] for the decisions changed."""
    if "decisions" not in db.table_names():
        return []
    kept = []
    counted = db.execute(
        f"SELECT d.id, d.decision_date, d.letter_date, {SENT_DAY} FROM decisions d JOIN letters l ON {LINK}"
        f" WHERE l.id = ? AND {COUNTS_AS_SENT}", [letter_id]).fetchall()
    for decision_id, decided, recorded, day in counted:
        other = db.execute(
            f"SELECT MIN({SENT_DAY}) FROM decisions d JOIN letters l ON {LINK}"
            f" WHERE d.id = ? AND l.id != ? AND {COUNTS_AS_SENT}", [decision_id, letter_id]).fetchone()[0]
        left = [d for d in (other, recorded) if d and d >= decided]
        if left and min(left) <= day:
            continue  # the register still reads the same day without this letter
        db.execute("UPDATE decisions SET letter_date = ?, letter_date_kept = 1, updated_at = ? WHERE id = ?",
                   [day, now(), decision_id])
        audit.record(db, user, "decision.letter_date_kept", "decision", decision_id,
                     {"letter_id": letter_id, "letter_date": day, "was": recorded})
        kept.append({"decision_id": decision_id, "letter_date": day, "was": recorded})
    return kept
