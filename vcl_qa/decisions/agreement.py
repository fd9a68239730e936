"""Where a letter's own details and the register entry it is linked to disagree.

A letter is linked to the register by team, case reference and decision only. Its due date is
worked out from its own details (the letter page, its score, its findings), the decision's from
the register's (the register, the digest, the on-time rate). When the victim's rights, the
decision date or whether the victim is a bereaved relative differ (store.COMPARED), the two can
give different due dates for the same letter: the letter page
and the register row each say so, naming both values and the due date each gives, and the API
answers carry the same (`register_disagreements` on a letter, `letter_disagreements` on a
decision). Neither is picked silently: which is right is for a person to say.

A letter whose case is in the register only under another decision is not linked to it (and is
not counted for it): its page says that too.
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from vcl_qa import labels
from vcl_qa.decisions import register, store

CATEGORY_WORDS = {"enhanced": "enhanced rights", "standard": "standard rights"}


def _value(field: str, value: Any) -> str:
    """A detail as the messages say it: "standard rights", "decided Monday 24 November 2025",
    "a bereaved relative", "the decision “Not to charge”"."""
    if field == "victim_category":
        return labels.label(CATEGORY_WORDS, value) if value else "no victim's rights given"
    if field == "decision_date":
        return f"decided {labels.long_date(value)}" if value else "no decision date"
    if field == "bereaved":
        return "a bereaved relative" if value else "not a bereaved relative"
    if field == "decision":
        return f"the decision “{labels.label(labels.DECISIONS, value)}”" if value else "no decision"
    return str(value)


def _due(day: str | None) -> str:
    return f"due by {labels.long_date(day)}" if day else "no due date"


def _says(fields: list[dict], side: str) -> str:
    return ", ".join(_value(f["field"], f[side]) for f in fields)


def describe(d: dict, register_due: str | None, *, from_letter: bool, urn: str | None = None,
             status: str | None = None) -> str:
    """One disagreement in words, both values and the due date each gives. `d`: {"letter_id",
    "status", "fields", "letter_due_date"}; `register_due`: the entry's due date (ISO).
    `from_letter`: said on the letter's page (else on the register's row), with the entry's
    `status` when given."""
    letter_says, register_says = _says(d["fields"], "letter_value"), _says(d["fields"], "register_value")
    letter_due, entry_due = _due(d.get("letter_due_date")), _due(register_due)
    if from_letter:
        case = f" for case {urn}" if urn else ""
        fix = ("This letter was sent and cannot change: if the register is wrong, register the "
               "decision again with the right details" if d.get("status") == "sent" else
               "Correct whichever is wrong: save a new version with the right details, or register "
               "the decision again")
        counted = (f", and counts it as “{labels.label(labels.REGISTER_STATUSES, status)}”"
                   if status else "")
        return (f"This letter says {letter_says} ({letter_due}); the register entry{case} says "
                f"{register_says} ({entry_due}){counted}. This page (the score and the findings) counts from the "
                f"letter's details; the register, the digest and the on-time rate from the register's. "
                f"{fix}.")
    return (f"Letter {d['letter_id']} says {letter_says} ({letter_due}); this entry says {register_says} "
            f"({entry_due}). The status here counts from this entry, the letter's page from the "
            "letter's details. Correct whichever is wrong.")


def for_letter_rows(db: Database, letters: list[dict]) -> dict[int, str]:
    """For a page of letters (store rows: id, team, urn, decision), those whose own details
    disagree with the register entry they are linked to, each with it in words for a spreadsheet
    (`row_words`): {letter id: words}. A letters export gave "On time: Yes" from the letter's
    details where the register, the dashboard and the on-time rate counted the same letter sent
    late, and said nothing of it (a staff review)."""
    if "decisions" not in db.table_names():
        return {}
    wanted: dict[int, set[int]] = {}  # decision id -> the page's letters linked to it
    for letter in letters:
        if letter.get("urn") and letter.get("team"):
            for e in store.entries_for_case(db, letter["team"], letter["urn"]):
                if e["decision"] == letter.get("decision"):
                    wanted.setdefault(e["id"], set()).add(letter["id"])
    out: dict[int, str] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):  # (SQLite's limit on bound parameters)
        rows = register.with_status(store.linked_rows(db, ids=ids[start:start + 500]), register.StatusClock())
        for r in rows:
            for d in r["letter_disagreements"]:
                if d["letter_id"] in wanted.get(r["id"], ()):
                    out[d["letter_id"]] = row_words(d, r)
    return out


def row_words(d: dict, entry: dict) -> str:
    """One disagreement as a spreadsheet row says it: what the register says and counts, against
    the letter's details the row's own due date and "On time" come from."""
    status = labels.label(labels.REGISTER_STATUSES, entry["status"])
    return (f"The register says {_says(d['fields'], 'register_value')} ({_due(entry['due_date'])}) and counts "
            f"this letter “{status}”; this row counts from the letter's details "
            f"({_says(d['fields'], 'letter_value')}). Correct whichever is wrong.")


def for_rows(rows: list[dict]) -> list[dict]:
    """Register rows (register.register's, with `letter_disagreements` from the store) with
    each disagreement given the entry's due date and its words (`register_due_date`, `message`)."""
    for r in rows:
        r["letter_disagreements"] = [
            {**d, "register_due_date": r["due_date"],
             "message": describe(d, r["due_date"], from_letter=False)}
            for d in r.get("letter_disagreements") or []]
    return rows


def for_letter(db: Database, letter: dict) -> list[dict]:
    """How the register disagrees with this letter (store.get_letter's answer): for each entry it
    is linked to whose victim's rights, decision date or bereaved differ, {"decision_id", "fields",
    "letter_due_date", "register_due_date", "message"}; and when the case is in the register
    only under other decisions (so the letter is linked to none), one item for the decision,
    with `linked` false. Empty when they agree, or the letter names no case."""
    urn, team = letter.get("urn"), letter.get("team")
    if not urn or not team or "decisions" not in db.table_names():
        return []
    entries = store.entries_for_case(db, team, urn)
    if not entries:
        return []
    linked = [e["id"] for e in entries if e["decision"] == letter.get("decision")]
    if not linked:
        return [_other_decision(db, letter, [e for e in entries if e["decision"] != letter.get("decision")])]
    out = []
    rows = register.with_status(store.linked_rows(db, ids=linked), register.StatusClock())
    for r in rows:
        for d in r["letter_disagreements"]:
            if d["letter_id"] != letter["id"]:
                continue
            out.append({"decision_id": r["id"], "linked": True, "fields": d["fields"],
                        "letter_due_date": d["letter_due_date"], "register_due_date": r["due_date"],
                        "message": describe(d, r["due_date"], from_letter=True, urn=r["urn"],
                                            status=r["status"])})
    return out


def _other_decision(db: Database, letter: dict, entries: list[dict]) -> dict:
    """The case is registered, but not with this letter's decision."""
    rows = register.with_status(store.linked_rows(db, ids=[e["id"] for e in entries]), register.StatusClock())
    first = rows[0]
    theirs = " or ".join(f"“{labels.label(labels.DECISIONS, r['decision'])}”" for r in rows)
    mine = letter.get("decision")
    message = (f"The register has case {first['urn']} under {theirs}, not under this letter's decision "
               f"(“{labels.label(labels.DECISIONS, mine)}”), so this letter is not linked to it and not "
               "counted as its letter. If the decision is wrong on one side, correct it: save a new "
               "version with the right decision, or register this decision for the case."
               if mine else
               f"The register has case {first['urn']} under {theirs}, but this letter gives no "
               "decision, so it is not linked to it and not counted as its letter: add the decision.")
    return {"decision_id": first["id"], "linked": False,
            "fields": [{"field": "decision", "letter_value": mine, "register_value": first["decision"]}],
            "letter_due_date": ((letter.get("result") or {}).get("metrics") or {}).get("due_date"),
            "register_due_date": first["due_date"], "message": message}
