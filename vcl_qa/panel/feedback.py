"""Feedback to authors: the panel's ratings, comments, marked passages and verdicts on a letter.

Raters are shown as "Panel member A", "B", ... per letter, in no order a reader can know, and with
no time: authors and managers learn what was said, not who said it (a manager sees who was given
each letter, and the audit log when each member rated it)."""
from __future__ import annotations

import string

from sqlite_utils import Database

from vcl_qa.letters.store import NotFound
from vcl_qa.panel import periods
from vcl_qa.panel.settings import load_panel_rules


def letters_with_feedback(db: Database, team: str | None = None) -> list[dict]:
    """Letters (of `team`, or all) with at least one panel rating, newest period first."""
    where, params = "", []
    if team is not None:
        where, params = " AND l.team = ?", [team]
    return list(db.query(
        "SELECT i.letter_id, l.team, p.name AS period, i.decision, i.offence, i.score,"
        " count(r.id) AS ratings, round(avg(r.overall), 2) AS mean_overall"
        " FROM panel_items i JOIN panel_periods p ON p.id = i.period_id JOIN letters l ON l.id = i.letter_id"
        " JOIN panel_assignments a ON a.item_id = i.id JOIN panel_ratings r ON r.assignment_id = a.id"
        f" WHERE i.removed_at IS NULL{where} GROUP BY i.id ORDER BY p.start_date DESC, i.letter_id DESC",
        params))


def feedback(db: Database, letter_id: int) -> dict:
    """Every panel rating of the letter, with the passages marked (quoted from the anonymised text)."""
    items = list(db.query(
        "SELECT i.id, p.name AS period, p.start_date, p.end_date, i.text, i.score, i.verdict,"
        " (SELECT purged_at IS NOT NULL FROM letters l WHERE l.id = i.letter_id) AS text_removed FROM panel_items i"
        " JOIN panel_periods p ON p.id = i.period_id WHERE i.letter_id = ? AND i.removed_at IS NULL"
        " ORDER BY p.start_date", [letter_id]))
    if not db.execute("SELECT 1 FROM letters WHERE id = ?", [letter_id]).fetchone():
        raise NotFound(f"no letter {letter_id}")
    order = load_panel_rules().item_ids
    out = []
    for item in items:
        for n, r in enumerate(db.query(
                "SELECT r.id, r.overall, r.comment, r.updated_at, a.id AS assignment_id FROM panel_ratings r"
                # (in the order of the members' codes, random: in the order they were given the
                # letter, "Panel member A" was the first name in the managers' list of its raters,
                # and the time of each rating matched the audit log's entry naming the member)
                " JOIN panel_assignments a ON a.id = r.assignment_id WHERE a.item_id = ? ORDER BY a.code",
                [item["id"]])):
            scores = dict(db.execute("SELECT item, score FROM panel_scores WHERE rating_id = ?", [r["id"]]).fetchall())
            marks = [{"start": s, "end": e, "passage": item["text"][s:e], "comment": c} for s, e, c in db.execute(
                'SELECT start, "end", comment FROM panel_marks WHERE rating_id = ? ORDER BY start, id', [r["id"]])]
            verdicts = list(db.query(
                "SELECT rule, verdict, note FROM panel_verdicts WHERE assignment_id = ? ORDER BY id",
                [r["assignment_id"]]))
            # the period as every other page says it ("October to December 2026"), never its code
            out.append({"period": item["period"], "period_words": periods.period_words(item),
                        "rater": f"Panel member {string.ascii_uppercase[n % 26]}",
                        "scores": {k: scores[k] for k in order if k in scores}, "overall": r["overall"],
                        "comment": r["comment"], "marks": marks, "verdicts": verdicts,
                        "text_removed": bool(item["text_removed"])})
    return {"letter_id": letter_id, "ratings": out, "count": len(out),
            "rubric": load_panel_rules().rubric()}
