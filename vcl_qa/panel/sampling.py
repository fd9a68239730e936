"""Drawing a period's sample of sent letters, manual additions and removals, rater assignment.

A draw is repeatable: the letters sent in the period, the policy and the seed decide it.
Every letter whose automatic verdict is listed in `always_include_verdicts` goes in; of the
rest, `random_share` of each stratum (decision x offence by default) is drawn with a
`random.Random` seeded from the policy seed and the period name.
"""
from __future__ import annotations

import json
import math
import random
import secrets
from collections import defaultdict
from typing import Any

from sqlite_utils import Database

from vcl_qa.errors import LetterError
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.panel.redact import redact
from vcl_qa.labels import long_date
from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx
from vcl_qa.letters.store import Conflict, NotFound
from vcl_qa.decisions import store as decision_store
from vcl_qa.panel import periods
from vcl_qa.panel import settings


def _population(db: Database, period: dict) -> list[dict]:
    """Sent, unpurged letters whose sent date falls in the period, oldest id first."""
    return list(db.query(
        "SELECT l.id, l.team, l.decision, l.offence, l.victim_category, l.bereaved, l.verdict, l.score"
        " FROM letters l WHERE l.status = 'sent' AND l.purged_at IS NULL"
        " AND l.sent_date BETWEEN ? AND ? ORDER BY l.id",
        [period["start_date"], period["end_date"]]))


def _elsewhere(db: Database, period: dict, letter_id: int | None = None) -> list[tuple[int, str]]:
    """Letters sent in the period (or the one letter) that are in another period's sample, and
    that period's name: a letter is rated once. Two periods over the same days (2024Q4 and
    2024-12, or 2025Q3 made twice as "2025q3") drew the same letters again, the same members
    were given them twice, and the letter's feedback listed each rating twice (an audit)."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT i.letter_id, p.name FROM panel_items i JOIN panel_periods p ON p.id = i.period_id"
        " JOIN letters l ON l.id = i.letter_id WHERE i.period_id != ? AND i.removed_at IS NULL"
        " AND (l.id = ? OR (? IS NULL AND l.sent_date BETWEEN ? AND ?)) ORDER BY i.letter_id",
        [period["id"], letter_id, letter_id, period["start_date"], period["end_date"]])]


def stratum_of(letter: dict, fields: list[str]) -> str:
    parts = []
    for f in fields:
        value = letter.get(f)
        if f == "bereaved" and value is not None:
            value = "bereaved" if value else "not_bereaved"
        parts.append(str(value) if value not in (None, "") else "unknown")
    return "/".join(parts) or "all"


def choose(letters: list[dict], policy: dict, rng: random.Random) -> tuple[list[tuple[dict, str]], dict]:
    """The sample as [(letter, reason)] with reason 'verdict' or 'random', and per-stratum counts."""
    strata: dict[str, list[dict]] = defaultdict(list)
    for letter in letters:
        strata[stratum_of(letter, policy["strata"])].append(letter)
    always, drawn, counts = [], [], {}
    include = set(policy["always_include_verdicts"])
    for key in sorted(strata):
        group = strata[key]
        must = [l for l in group if l["verdict"] in include]
        rest = [l for l in group if l["verdict"] not in include]
        k = min(len(rest), max(policy["min_per_stratum"], math.floor(policy["random_share"] * len(rest) + 0.5)))
        picked = sorted(rng.sample(rest, k), key=lambda l: l["id"]) if k else []
        always += must
        drawn += picked
        counts[key] = {"letters": len(group), "by_verdict": len(must), "random": len(picked)}
    cap = policy["max_letters"]
    always.sort(key=lambda l: (l["score"] if l["score"] is not None else 101, l["id"]))
    always = always[:cap]
    room = cap - len(always)
    if len(drawn) > room:
        drawn = sorted(rng.sample(drawn, room), key=lambda l: l["id"])
    return [(l, "verdict") for l in always] + [(l, "random") for l in drawn], counts


def _anonymised(db: Database, letter_id: int, hide: list[str] | None = None) -> dict:
    """The latest version anonymised (with any words a manager chose to hide), with its result
    id (for the findings shown later)."""
    row = db.execute(
        "SELECT v.id, v.version, v.text, v.context, l.team FROM versions v JOIN letters l ON l.id = v.letter_id"
        " AND v.version = l.latest_version WHERE l.id = ?", [letter_id]).fetchone()
    if row is None or not row[2]:
        raise Conflict(f"letter {letter_id} has no text to show the panel (purged?)")
    context = json.loads(row[3])
    context.pop("suppress", None)
    # The register's name for the same case (team and case reference) is hidden too: a letter
    # stored with no victim_name showed the panel the victim's first name ("Re: Bronwen [NAME]"),
    # and one whose details spell the name otherwise hid one spelling only (a review).
    registered = (decision_store.victim_names_for_case(db, row[4], context["urn"])
                  if context.get("urn") and "decisions" in db.table_names() else [])
    extra: list[str] = []
    for name in registered:
        if not context.get("victim_name"):
            context["victim_name"] = name
        elif name != context["victim_name"]:
            extra.append(name)
    red = redact(row[2], context_from_mapping(context), extra_names=extra, hide=hide or ())
    result = db.execute("SELECT id FROM results WHERE version_id = ? ORDER BY id DESC LIMIT 1",
                        [row[0]]).fetchone()
    return {"version": row[1], "text": red.text, "result_id": result[0] if result else None,
            "redactions": json.dumps([list(r) for r in red.replacements])}


def _insert_item(db: Database, period_id: int, letter: dict, anon: dict, stratum: str, reason: str,
                 note: str | None, user: Any, stamp: str) -> int:
    cur = db.execute(
        "INSERT INTO panel_items (period_id, letter_id, version, result_id, score, verdict, decision,"
        " offence, stratum, reason, note, text, redactions, added_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [period_id, letter["id"], anon["version"], anon["result_id"], letter["score"], letter["verdict"],
         letter["decision"], letter["offence"], stratum, reason, note, anon["text"], anon["redactions"],
         getattr(user, "id", None), stamp])
    return cur.lastrowid


def draw(db: Database, user: Any, name: str, seed: int | str | None = None,
         preview: bool | None = None) -> dict:
    """Draw (or, before any rating, re-draw) the period's sample and assign raters. With
    `preview`, the letters reach the panel only once a manager has approved each anonymised
    text (see `approve`); None keeps the period's choice (off for a new period)."""
    period = periods.ensure_period(db, user, name)
    pol = settings.policy(db)
    if seed is not None:
        pol["seed"] = seed
    rated = db.execute(
        "SELECT count(*) FROM panel_ratings r JOIN panel_assignments a ON a.id = r.assignment_id"
        " JOIN panel_items i ON i.id = a.item_id WHERE i.period_id = ?", [period["id"]]).fetchone()[0]
    if rated:
        raise Conflict(f"panel period '{name}' already has {rated} ratings; it cannot be drawn again")
    rng = random.Random(f"{pol['seed']}:{name}")
    kept = {r[0] for r in db.execute(
        "SELECT letter_id FROM panel_items WHERE period_id = ? AND (reason = 'manual' OR removed_at IS NOT NULL)",
        [period["id"]])}
    elsewhere = {letter_id for letter_id, _ in _elsewhere(db, period)}  # (a letter goes to the panel once)
    sent = [l for l in _population(db, period) if l["id"] not in kept]
    population = [l for l in sent if l["id"] not in elsewhere]
    sample, counts = choose(population, pol, rng)
    anon = {l["id"]: _anonymised(db, l["id"]) for l, _ in sample}
    stamp = now()
    summary = {"period": name, "seed": pol["seed"], "population": len(population),
               "by_verdict": sum(1 for _, r in sample if r == "verdict"),
               "random": sum(1 for _, r in sample if r == "random"), "strata": counts,
               # sent in the period, but left out: in another period's sample already
               "in_other_periods": len(sent) - len(population)}
    with write_tx(db):
        db.execute("DELETE FROM panel_items WHERE period_id = ? AND reason != 'manual' AND removed_at IS NULL",
                   [period["id"]])
        # (drawn letters deleted since the last draw: this draw replaces them; the rest stand, as
        # the rows kept above do)
        db.execute("DELETE FROM panel_deleted_items WHERE period_id = ? AND reason != 'manual' AND removed = 0",
                   [period["id"]])
        for letter, reason in sample:
            _insert_item(db, period["id"], letter, anon[letter["id"]], stratum_of(letter, pol["strata"]),
                         reason, None, user, stamp)
        db.execute("UPDATE panel_periods SET seed = ?, policy = ?, draw_summary = ?, drawn_at = ?,"
                   " drawn_by = ? WHERE id = ?",
                   [str(pol["seed"]), json.dumps(pol), json.dumps(summary), stamp,
                    getattr(user, "id", None), period["id"]])
        if preview is not None:
            db.execute("UPDATE panel_periods SET preview = ? WHERE id = ?", [int(bool(preview)), period["id"]])
        audit.record(db, user, "panel.draw", "panel_period", period["id"],
                     {"seed": pol["seed"], "letters": len(sample)})
        summary["assigned"] = assign(db, name, pol["raters_per_letter"], rng_seed=pol["seed"])
    summary["letters"] = len(items(db, name))
    return summary


def assign(db: Database, name: str, raters: int | None = None, rng_seed: Any = None) -> int:
    """Give each item in the period up to `raters` different panel members, spreading the load
    evenly; returns how many assignments were added."""
    period = periods.get_period(db, name)
    raters = raters or settings.policy(db)["raters_per_letter"]
    pool = [r[0] for r in db.execute("SELECT id FROM users WHERE role = 'panel' AND disabled = 0 ORDER BY id")]
    pool_set = set(pool)
    rng = random.Random(f"{rng_seed if rng_seed is not None else period['seed']}:{name}:assign")
    load = defaultdict(int)
    for rater_id, n in db.execute(
            "SELECT a.rater_id, count(*) FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id"
            " WHERE i.period_id = ? GROUP BY a.rater_id", [period["id"]]):
        load[rater_id] = n
    added = 0
    stamp = now()
    with write_tx(db):
        # A member switched off gives up the letters they had not rated (a review: switched on
        # again, those letters had three raters; while off, the progress list still counted them).
        db.execute("DELETE FROM panel_assignments WHERE rated_at IS NULL AND rater_id IN (SELECT id FROM users"
                   " WHERE role != 'panel' OR disabled = 1) AND item_id IN (SELECT id FROM panel_items"
                   " WHERE period_id = ?)", [period["id"]])
        for (item_id,) in db.execute(
                "SELECT id FROM panel_items WHERE period_id = ? AND removed_at IS NULL ORDER BY id",
                [period["id"]]).fetchall():
            held = dict(db.execute("SELECT rater_id, rated_at IS NOT NULL FROM panel_assignments WHERE item_id = ?",
                                   [item_id]).fetchall())
            # (a rating a member switched off since gave still counts, and holds its place)
            have = {r for r, rated in held.items() if rated or r in pool_set}
            free = [r for r in pool if r not in held]
            tiebreak = {r: rng.random() for r in free}
            for rater in sorted(free, key=lambda r: (load[r], tiebreak[r]))[:max(0, raters - len(have))]:
                db.execute("INSERT INTO panel_assignments (code, item_id, rater_id, assigned_at)"
                           " VALUES (?, ?, ?, ?)", [secrets.token_hex(8), item_id, rater, stamp])
                load[rater] += 1
                added += 1
    return added


def add_letter(db: Database, user: Any, name: str, letter_id: int, reason: str) -> dict:
    """A manager puts a sent letter into the period's sample by hand, with a reason."""
    reason = _reason(reason)
    period = periods.ensure_period(db, user, name)
    rows = list(db.query("SELECT id, team, decision, offence, victim_category, bereaved, verdict, score,"
                         " status, sent_date FROM letters WHERE id = ?", [letter_id]))
    if not rows:
        raise NotFound(f"no letter {letter_id}")
    letter = rows[0]
    if letter["status"] != "sent":
        raise Conflict(f"letter {letter_id} has not been sent; only sent letters go to the panel")
    if not period["start_date"] <= (letter["sent_date"] or "") <= period["end_date"]:
        # The panel is told the letter was sent in the period, and the board's report counts it
        # there: a letter from another time belongs in a period of its own.
        raise Conflict(f"letter {letter_id} was sent on {_day_words(letter['sent_date'])}, outside panel period "
                       f"'{name}' ({_day_words(period['start_date'])} to {_day_words(period['end_date'])}); "
                       "add it to a period that covers the day it was sent")
    existing = db.execute("SELECT id, removed_at, reason, version FROM panel_items WHERE period_id = ? AND letter_id = ?",
                          [period["id"], letter_id]).fetchone()
    if existing and existing[1] is None:
        raise Conflict(f"letter {letter_id} is already in panel period '{name}'")
    other = _elsewhere(db, period, letter_id)
    if other:
        raise Conflict(f"letter {letter_id} is already in panel period '{other[0][1]}', whose days overlap "
                       f"'{name}'; a letter goes to the panel once. Take it out of '{other[0][1]}' first to "
                       f"move it here")
    pol = settings.policy(db)
    if existing:
        rated = db.execute("SELECT count(*) FROM panel_assignments WHERE item_id = ? AND rated_at IS NOT NULL",
                           [existing[0]]).fetchone()[0]
        latest = db.execute("SELECT latest_version FROM letters WHERE id = ?", [letter_id]).fetchone()[0]
        if existing[3] == latest:
            return _put_back(db, user, name, period, existing[0], letter_id, reason, pol)
        if rated:
            # (the panel's copy is of the version taken out; the one sent now is another text)
            raise Conflict(
                f"letter {letter_id} was rated {rated} time{'' if rated == 1 else 's'} in panel period '{name}' as "
                f"version {existing[3]} before it was taken out, and the letter sent now is version {latest}: put back, "
                "those ratings would be lost, or counted for a text that did not go out, so it stays out of the sample")
    anon = _anonymised(db, letter_id)
    stamp = now()
    with write_tx(db):
        if existing:
            db.execute("DELETE FROM panel_items WHERE id = ?", [existing[0]])  # (never rated: nothing lost)
        # A drawn letter taken out and put back is in the sample as drawn again (the board report
        # counts it so: a review found it reported as added by hand, the draw one letter short)
        how = existing[2] if existing and existing[2] in ("verdict", "random") else "manual"
        item_id = _insert_item(db, period["id"], letter, anon, stratum_of(letter, pol["strata"]),
                               how, reason, user, stamp)
        audit.record(db, user, "panel.item.add", "panel_period", period["id"],
                     {"letter_id": letter_id, "reason": reason})
        assign(db, name, pol["raters_per_letter"])
    return _item_row(db, item_id)


def _put_back(db: Database, user: Any, name: str, period: dict, item_id: int, letter_id: int, reason: str,
              pol: dict) -> dict:
    """A letter taken out of the sample put back, the same version: its sample row as it was,
    with its raters and their ratings, which count again (it was deleted and drawn afresh: the
    ratings went with it, and the report counted fewer with no word of why; a review)."""
    with write_tx(db):
        db.execute("UPDATE panel_items SET removed_at = NULL, removed_by = NULL, remove_reason = NULL, note = ?"
                   " WHERE id = ?", [reason, item_id])
        audit.record(db, user, "panel.item.add", "panel_period", period["id"],
                     {"letter_id": letter_id, "reason": reason, "put_back": True})
        assign(db, name, pol["raters_per_letter"])
    return _item_row(db, item_id)


def remove_letter(db: Database, user: Any, name: str, letter_id: int, reason: str) -> dict:
    """Take a letter out of the period's sample (kept on record with the reason)."""
    reason = _reason(reason)
    period = periods.get_period(db, name)
    with write_tx(db):
        row = db.execute("SELECT id FROM panel_items WHERE period_id = ? AND letter_id = ? AND removed_at IS NULL",
                         [period["id"], letter_id]).fetchone()
        if row is None:
            raise NotFound(f"letter {letter_id} is not in panel period '{name}'")
        db.execute("UPDATE panel_items SET removed_at = ?, removed_by = ?, remove_reason = ? WHERE id = ?",
                   [now(), getattr(user, "id", None), reason, row[0]])
        audit.record(db, user, "panel.item.remove", "panel_period", period["id"],
                     {"letter_id": letter_id, "reason": reason})
    return _item_row(db, row[0])


# The longest reason for adding a letter to a sample or taking one out (the API's limit too).
REASON_MOST = 500


def _reason(reason: Any) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise LetterError("say why", field="reason")
    return reason.strip()[:REASON_MOST]


ITEM_SQL = (
    "SELECT i.id, i.letter_id, p.name AS period, i.reason, i.note, i.score, i.verdict, i.decision,"
    " i.offence, i.stratum, i.removed_at, i.remove_reason, i.created_at,"
    " (SELECT group_concat(u.name, ', ') FROM panel_assignments a JOIN users u ON u.id = a.rater_id"
    "  WHERE a.item_id = i.id) AS raters,"
    " (SELECT count(*) FROM panel_assignments a WHERE a.item_id = i.id AND a.rated_at IS NOT NULL) AS ratings"
    " FROM panel_items i JOIN panel_periods p ON p.id = i.period_id")


def _item_row(db: Database, item_id: int) -> dict:
    return _public_item(next(iter(db.query(f"{ITEM_SQL} WHERE i.id = ?", [item_id]))))


def _public_item(row: dict) -> dict:
    row = dict(row)
    # (by name: in the order they were given the letter, the first was the feedback's "Panel
    # member A", a review)
    row["raters"] = sorted(row["raters"].split(", ")) if row["raters"] else []
    return row


def items(db: Database, name: str, include_removed: bool = False) -> list[dict]:
    """The period's sample for managers: letter ids, why each is in, raters and ratings so far."""
    period = periods.get_period(db, name)
    extra = "" if include_removed else " AND i.removed_at IS NULL"
    return [_public_item(r) for r in db.query(f"{ITEM_SQL} WHERE i.period_id = ?{extra} ORDER BY i.id",
                                              [period["id"]])]


# --- a manager checks each anonymised letter before the panel sees it ---------------------

def preview_items(db: Database, name: str) -> list[dict]:
    """The period's letters as the panel will read them, with the words hidden by hand, whether
    each is approved (and, once rated, no longer changeable), and what panel members reported
    should have been hidden (`detail_reports`, oldest first)."""
    period = periods.get_period(db, name)
    rows = db.query(
        "SELECT i.id, i.letter_id, i.decision, i.offence, i.reason, i.text, i.hidden_words, i.approved_at,"
        " (SELECT count(*) FROM panel_assignments a WHERE a.item_id = i.id AND a.rated_at IS NOT NULL) AS ratings,"
        " (SELECT purged_at IS NOT NULL FROM letters l WHERE l.id = i.letter_id) AS text_removed"
        " FROM panel_items i WHERE i.period_id = ? AND i.removed_at IS NULL ORDER BY i.id", [period["id"]])
    reports: dict[int, list[dict]] = {}
    for r in db.query("SELECT d.item_id, d.words, d.created_at FROM panel_detail_reports d JOIN panel_items i"
                      " ON i.id = d.item_id WHERE i.period_id = ? ORDER BY d.id", [period["id"]]):
        reports.setdefault(r["item_id"], []).append({"words": r["words"], "reported_at": r["created_at"]})
    return [{**r, "hidden_words": json.loads(r["hidden_words"]) if r["hidden_words"] else [],
             "detail_reports": reports.get(r["id"], [])} for r in rows]


def member_progress(db: Database, name: str) -> list[dict]:
    """Each panel member's progress in the period (for the manager): {"name", "rated",
    "assigned"}, least done first. Never their ratings."""
    period = periods.get_period(db, name)
    rows = db.query(
        "SELECT u.name AS name, count(*) AS assigned, count(a.rated_at) AS rated"
        " FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id JOIN users u ON u.id = a.rater_id"
        " WHERE i.period_id = ? AND i.removed_at IS NULL GROUP BY a.rater_id, u.name"
        " ORDER BY 1.0 * count(a.rated_at) / count(*), u.name", [period["id"]])
    return [dict(r) for r in rows]


def _item(db: Database, name: str, item_id: int) -> tuple[dict, dict]:
    period = periods.get_period(db, name)
    rows = list(db.query("SELECT * FROM panel_items WHERE id = ? AND period_id = ? AND removed_at IS NULL",
                         [item_id, period["id"]]))
    if not rows:
        raise NotFound(f"no letter {item_id} in panel period '{name}'")
    return period, rows[0]


MAX_HIDDEN = 50  # words or phrases hidden by hand in one letter


def hide_words(db: Database, user: Any, name: str, item_id: int, words: list[str]) -> dict:
    """Anonymise the letter again, also hiding these words or phrases (a new list replaces the
    old). Refused once anyone has rated it: their marked passages point into the text."""
    words = [w.strip() for w in words if w and w.strip()]
    if len(words) > MAX_HIDDEN or any(len(w) > 200 for w in words):
        raise LetterError(f"at most {MAX_HIDDEN} words or phrases of up to 200 characters", field="words")
    _period, item = _item(db, name, item_id)
    anon = _anonymised(db, item["letter_id"], words)
    with write_tx(db):
        rated = db.execute("SELECT count(*) FROM panel_assignments WHERE item_id = ? AND rated_at IS NOT NULL",
                           [item_id]).fetchone()[0]
        if rated:
            raise Conflict("this letter has been rated already; its text can no longer change")
        db.execute("UPDATE panel_items SET text = ?, redactions = ?, hidden_words = ? WHERE id = ?",
                   [anon["text"], anon["redactions"], json.dumps(words) if words else None, item_id])
        # Counts only: the words themselves may be personal.
        audit.record(db, user, "panel.item.hide", "panel_item", item_id, {"words": len(words)})
    return next(r for r in preview_items(db, name) if r["id"] == item_id)


def approve(db: Database, user: Any, name: str, item_ids: list[int] | None = None) -> int:
    """Let these letters (all the period's, with None) reach the panel; returns how many were
    approved now."""
    period = periods.get_period(db, name)
    where, params = "period_id = ? AND removed_at IS NULL AND approved_at IS NULL", [period["id"]]
    if item_ids is not None:
        where += f" AND id IN ({', '.join('?' * len(item_ids))})" if item_ids else " AND 0"
        params += list(item_ids)
    with write_tx(db):
        n = db.execute(f"UPDATE panel_items SET approved_at = ?, approved_by = ? WHERE {where}",
                       [now(), getattr(user, "id", None), *params]).rowcount
        if n:
            audit.record(db, user, "panel.item.approve", "panel_period", period["id"], {"letters": n})
    return n


def _day_words(day: str | None) -> str:
    """A stored day as people write it ("Thursday 22 September 2022"); "an unknown day" for none."""
    return long_date(day) if day else "an unknown day"
