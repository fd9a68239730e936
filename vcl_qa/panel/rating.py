"""What a panel member does: read their queue, open an anonymised letter, rate it, mark
passages, then reveal the automatic findings and mark any as "not a problem".

Panel members reach items only through their own assignment codes (random, never the letter
id) and see only the anonymised text, the rubric and their own rating. Findings come only
after their rating is saved (no anchoring), with offsets mapped onto the anonymised text, or
dropped where the finding starts or ends inside a redacted detail; quoted words and messages
are anonymised too.
"""
from __future__ import annotations

import bisect
import json
import unicodedata
from typing import Any

from sqlite_utils import Database

from vcl_qa.errors import LetterError
from vcl_qa.engine.letter import context_from_mapping
from vcl_qa.panel.redact import redact
from vcl_qa.db import audit
from vcl_qa.db.connection import now, write_tx
from vcl_qa.letters.store import Conflict, NotFound
from vcl_qa.engine.rules import load_rules
from vcl_qa.panel import periods
from vcl_qa.panel.settings import SCALE, load_panel_rules

VERDICTS = ("not_a_problem", "agree")


def _status(row: dict) -> str:
    if row["revealed_at"]:
        return "revealed"
    return "rated" if row["rated_at"] else "to_rate"


QUEUE_SQL = (
    "SELECT a.id AS assignment_id, a.code, a.rated_at, a.revealed_at, a.item_id, p.name AS period,"
    " p.start_date AS period_start, p.end_date AS period_end,"
    " i.decision, i.offence, l.victim_category, l.bereaved, i.text, i.redactions, i.result_id,"
    " i.letter_id, i.version, r.id AS rating_id, r.overall, l.purged_at"
    " FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id"
    " JOIN panel_periods p ON p.id = i.period_id JOIN letters l ON l.id = i.letter_id"
    " LEFT JOIN panel_ratings r ON r.assignment_id = a.id"
    " WHERE a.rater_id = ? AND i.removed_at IS NULL"
    # A period held for a manager's check shows only the letters approved so far.
    " AND (p.preview = 0 OR i.approved_at IS NOT NULL)")


def queue(db: Database, user: Any, period: str | None = None, status: str | None = None) -> list[dict]:
    """The member's own queue: item codes and what they need to judge, never ids or names."""
    sql, params = QUEUE_SQL, [user.id]
    if period:
        sql += " AND p.name = ?"
        params.append(period)
    rows = [_queue_entry(r) for r in db.query(sql + " ORDER BY p.start_date, a.id", params)]
    return [r for r in rows if status is None or r["status"] == status]


def _queue_entry(row: dict) -> dict:
    return {"item_id": row["code"], "period": row["period"], "status": _status(row),
            "period_words": periods.period_words({"start_date": row["period_start"], "end_date": row["period_end"]}),
            "decision": row["decision"], "offence": row["offence"],
            "victim_category": row["victim_category"],
            "bereaved": None if row["bereaved"] is None else bool(row["bereaved"]),
            "overall": row["overall"]}


def _assignment(db: Database, user: Any, code: str) -> dict:
    rows = list(db.query(QUEUE_SQL + " AND a.code = ?", [user.id, code]))
    if not rows:
        raise NotFound("no such item in your queue")
    return rows[0]


def open_item(db: Database, user: Any, code: str) -> dict:
    """The anonymised letter with the rubric, the member's own rating and (once revealed) findings."""
    row = _assignment(db, user, code)
    out = _queue_entry(row)
    out["text"] = row["text"]
    # Purged under the retention rules: the panel's copy and comments were emptied (retention.py).
    out["text_removed"] = bool(row["purged_at"])
    out["rubric"] = load_panel_rules().rubric()
    out["rating"] = _rating(db, row["rating_id"]) if row["rating_id"] else None
    out["findings"] = findings_for(db, row) if row["revealed_at"] else None
    audit.record(db, user, "panel.item.read", "panel_item", row["item_id"])
    return out


def _rating(db: Database, rating_id: int) -> dict:
    r = db.execute("SELECT overall, comment, created_at, updated_at FROM panel_ratings WHERE id = ?",
                   [rating_id]).fetchone()
    scores = dict(db.execute("SELECT item, score FROM panel_scores WHERE rating_id = ?", [rating_id]).fetchall())
    marks = [{"start": s, "end": e, "comment": c} for s, e, c in db.execute(
        'SELECT start, "end", comment FROM panel_marks WHERE rating_id = ? ORDER BY start, id', [rating_id])]
    order = load_panel_rules().item_ids
    return {"scores": {k: scores[k] for k in order if k in scores}, "overall": r[0], "comment": r[1],
            "marks": marks, "created_at": r[2], "updated_at": r[3]}


def _score_value(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not SCALE[0] <= value <= SCALE[1]:
        raise LetterError(f"a whole number from {SCALE[0]} to {SCALE[1]}", field=field)
    return value


def has_control(text: str) -> bool:
    """Control and format characters other than tabs and line breaks (NUL, ESC, a right-to-left
    override, a zero-width space...): refused in comments, as in names and in the reasons a
    finding is not a problem (docs/security.md). They could hide or reverse what the writer and
    the board read, or reach a terminal or a spreadsheet."""
    return any(unicodedata.category(c)[0] == "C" and c not in "\t\n\r" for c in text)


def without_control(text: str) -> str:
    """The text with those characters taken out (to show a refused comment back in its box)."""
    return "".join(c for c in text if not (unicodedata.category(c)[0] == "C" and c not in "\t\n\r"))


def _text_value(value: Any, field: str, limit: int, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LetterError("required", field=field)
        return None
    if not isinstance(value, str):
        raise LetterError("text", field=field)
    if len(value) > limit:
        raise LetterError(f"at most {limit} characters", field=field)
    if has_control(value):
        raise LetterError("the text has control characters in it (such as NUL, ESC or a right-to-left "
                          "override), which could hide or change what others read; type it again in "
                          "plain words (line breaks and tabs are fine)", field=field)
    # Unicode's own line and paragraph separators are line breaks here, as everywhere else.
    return value.replace("\u2028", "\n").replace("\u2029", "\n").strip()


def check_rating(body: dict, text_length: int) -> dict:
    """Validate a rating against the rubric in rules/panel.yml; errors name the field."""
    rules = load_panel_rules()
    limit = int(rules.limits.get("comment_chars", 2000))
    scores = body.get("scores")
    if not isinstance(scores, dict):
        raise LetterError("a score for each rubric item", field="scores")
    for key in scores:
        if key not in rules.item_ids:
            raise LetterError(f"not a rubric item (items: {', '.join(rules.item_ids)})", field=f"scores.{key}")
    clean = {k: _score_value(scores.get(k), f"scores.{k}") for k in rules.item_ids}
    marks = body.get("marks") or []
    if not isinstance(marks, list) or len(marks) > int(rules.limits.get("marks_per_rating", 20)):
        raise LetterError(f"a list of at most {rules.limits.get('marks_per_rating', 20)} marks", field="marks")
    out_marks = []
    for n, m in enumerate(marks):
        if not isinstance(m, dict):
            raise LetterError("a mark is {start, end, comment}", field=f"marks.{n}")
        start, end = m.get("start"), m.get("end")
        for key, v in (("start", start), ("end", end)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise LetterError("a character offset in the anonymised text", field=f"marks.{n}.{key}")
        if not 0 <= start < end <= text_length:
            raise LetterError(f"start < end, both within 0..{text_length}", field=f"marks.{n}")
        out_marks.append({"start": start, "end": end,
                          "comment": _text_value(m.get("comment"), f"marks.{n}.comment", limit, True)})
    return {"scores": clean, "overall": _score_value(body.get("overall"), "overall"),
            "comment": _text_value(body.get("comment"), "comment", limit), "marks": out_marks}


def rate(db: Database, user: Any, code: str, body: dict) -> tuple[dict, bool]:
    """Save (or, before the findings are revealed, replace) the member's rating.

    Returns (rating, created)."""
    row = _assignment(db, user, code)
    if row["purged_at"]:
        raise Conflict("this letter's text was removed under the retention rules; it can no longer be rated")
    rating = check_rating(body, len(row["text"]))
    stamp = now()
    with write_tx(db):
        row = _assignment(db, user, code)  # again, under the write lock
        if row["revealed_at"]:
            raise Conflict("the automatic findings were revealed; this rating can no longer change")
        created = row["rating_id"] is None
        if created:
            rating_id = db.execute(
                "INSERT INTO panel_ratings (assignment_id, overall, comment, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [row["assignment_id"], rating["overall"], rating["comment"], stamp, stamp]).lastrowid
        else:
            rating_id = row["rating_id"]
            db.execute("UPDATE panel_ratings SET overall = ?, comment = ?, updated_at = ? WHERE id = ?",
                       [rating["overall"], rating["comment"], stamp, rating_id])
            db.execute("DELETE FROM panel_scores WHERE rating_id = ?", [rating_id])
            db.execute("DELETE FROM panel_marks WHERE rating_id = ?", [rating_id])
        db.conn.executemany("INSERT INTO panel_scores (rating_id, item, score) VALUES (?, ?, ?)",
                            [(rating_id, k, v) for k, v in rating["scores"].items()])
        db.conn.executemany('INSERT INTO panel_marks (rating_id, start, "end", comment) VALUES (?, ?, ?, ?)',
                            [(rating_id, m["start"], m["end"], m["comment"]) for m in rating["marks"]])
        db.execute("UPDATE panel_assignments SET rated_at = ? WHERE id = ?", [stamp, row["assignment_id"]])
        audit.record(db, user, "panel.rate", "panel_item", row["item_id"], {"overall": rating["overall"]})
    return _rating(db, rating_id), created


def reveal(db: Database, user: Any, code: str) -> list[dict]:
    """Show the automatic findings; only after the member's own rating is saved."""
    row = _assignment(db, user, code)
    if not row["rating_id"]:
        raise Conflict("rate the letter first; the automatic findings are shown after your rating")
    if not row["revealed_at"]:
        with write_tx(db):
            db.execute("UPDATE panel_assignments SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                       [now(), row["assignment_id"]])
            audit.record(db, user, "panel.reveal", "panel_item", row["item_id"])
        row = _assignment(db, user, code)
    return findings_for(db, row)


# How many characters a member's note of the words that should have been hidden may have, and how
# many such notes one member may send about one letter (the managers' page lists every one).
DETAIL_WORDS_MOST = 500
DETAIL_REPORTS_MOST = 10


def report_detail(db: Database, user: Any, code: str, words: str | None = None) -> int:
    """A member says the letter still shows something that could tell who someone is (`words`:
    which, if they say). Kept for the managers' page of the period, where they hide it (or take
    the letter out once it is rated); the audit log says who reported on which letter, not the
    words. Returns how many times this member has reported the letter."""
    words = _text_value(words, "words", DETAIL_WORDS_MOST)
    row = _assignment(db, user, code)
    if row["purged_at"]:  # (its copy is gone, and a purge would never empty these words)
        raise Conflict("this letter's text was removed under the retention rules: there is nothing left to hide")
    with write_tx(db):
        made = db.execute("SELECT count(*) FROM panel_detail_reports WHERE item_id = ? AND rater_id = ?",
                          [row["item_id"], getattr(user, "id", None)]).fetchone()[0]
        if made >= DETAIL_REPORTS_MOST:
            raise LetterError(f"you have told the organiser about this letter {made} times already, which is the "
                              "most: they will see what you said", field="words")
        db.execute("INSERT INTO panel_detail_reports (item_id, rater_id, words, created_at) VALUES (?, ?, ?, ?)",
                   [row["item_id"], getattr(user, "id", None), words, now()])
        audit.record(db, user, "panel.detail_report", "panel_item", row["item_id"])
    # (the member's own count: how many others reported the letter is not theirs to know)
    return made + 1


def judge(db: Database, user: Any, code: str, number: int, verdict: str, note: str | None = None) -> dict:
    """Record the member's verdict on finding `number` (1-based, as listed): not a problem, or agree."""
    if verdict not in VERDICTS:
        raise LetterError(f"one of {', '.join(VERDICTS)}", field="verdict")
    note = _text_value(note, "note", int(load_panel_rules().limits.get("comment_chars", 2000)))
    row = _assignment(db, user, code)
    if not row["revealed_at"]:
        raise Conflict("reveal the automatic findings (after rating) before judging them")
    rows = _finding_rows(db, row["result_id"])
    if not 1 <= number <= len(rows):
        raise NotFound(f"no finding {number} on this item")
    finding = rows[number - 1]
    with write_tx(db):
        db.execute(
            "INSERT INTO panel_verdicts (assignment_id, finding_id, rule, verdict, note, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(assignment_id, finding_id) DO UPDATE SET"
            " verdict = excluded.verdict, note = excluded.note, created_at = excluded.created_at",
            [row["assignment_id"], finding["id"], finding["rule"], verdict, note, now()])
        audit.record(db, user, "panel.verdict", "panel_item", row["item_id"],
                     {"rule": finding["rule"], "verdict": verdict})
    return next(f for f in findings_for(db, row) if f["number"] == number)


def _finding_rows(db: Database, result_id: int | None) -> list[dict]:
    if result_id is None:
        return []
    return list(db.query(
        'SELECT id, rule, dimension, severity, message, start, "end", text FROM findings'
        " WHERE result_id = ? AND suppressed = 0 ORDER BY id", [result_id]))


def map_span(replacements: list[list], start: int | None, end: int | None) -> tuple[int, int] | None:
    """Offsets in the original text -> offsets in the anonymised text, or None when either end
    falls inside a redacted detail (or the finding has no offsets)."""
    if start is None or end is None:
        return None
    for s, e, _tag in replacements:
        if s < start < e or s < end < e:
            return None
    return _shift(replacements, start), _shift(replacements, end)


def _shift(replacements: list[list], pos: int) -> int:
    ends = [e for _s, e, _t in replacements]
    k = bisect.bisect_right(ends, pos)
    return pos + sum(len(t) - (e - s) for s, e, t in replacements[:k])


def findings_for(db: Database, row: dict) -> list[dict]:
    """The item's automatic findings as this member may see them, with their own verdicts."""
    reps = json.loads(row["redactions"])
    original, context = _original(db, row["letter_id"], row["version"])
    secrets_ = sorted({original[s:e] for s, e, _t in reps if e - s >= 3}, key=len, reverse=True)
    tags = {original[s:e]: t for s, e, t in reps}
    verdicts = {fid: (v, note) for fid, v, note in db.execute(
        "SELECT finding_id, verdict, note FROM panel_verdicts WHERE assignment_id = ?", [row["assignment_id"]])}
    out = []
    for n, f in enumerate(_finding_rows(db, row["result_id"]), start=1):
        span = map_span(reps, f["start"], f["end"])
        quoted = row["text"][span[0]:span[1]] if span else None
        message = f["message"] or ""
        if f["text"]:
            message = message.replace(f["text"], quoted if quoted is not None else "[...]")
        for secret in secrets_:
            message = message.replace(secret, tags[secret])
        message = redact(message, context).text
        verdict, note = verdicts.get(f["id"], (None, None))
        rule = load_rules().by_id.get(f["rule"])
        out.append({"number": n, "rule": f["rule"], "dimension": f["dimension"], "severity": f["severity"],
                    "title": rule.title if rule else f["rule"], "why": rule.why if rule else "",
                    "message": message, "start": span[0] if span else None, "end": span[1] if span else None,
                    "text": quoted, "verdict": verdict, "note": note})
    return out


def _original(db: Database, letter_id: int, version: int):
    row = db.execute("SELECT text, context FROM versions WHERE letter_id = ? AND version = ?",
                     [letter_id, version]).fetchone()
    context = json.loads(row[1]) if row else {}
    context.pop("suppress", None)
    return (row[0] or "") if row else "", context_from_mapping(context)
