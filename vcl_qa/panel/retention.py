"""Retention for the panel's copies: purging a letter (vcl_qa/letters/bulk.py: purge) also
empties the panel's anonymised copy of it and the panel's free text about it, since comments,
marked passages and notes can quote the letter. Ratings, scores, verdicts and the figures built
from them stay, so a finished period's statistics are unchanged."""
from __future__ import annotations

from sqlite_utils import Database

REMOVED_WORDS = "Its text was removed under the retention rules"


def purge_letter(db: Database, letter_id: int) -> int:
    """Inside the purge's write transaction; returns how many panel copies were emptied."""
    if "panel_items" not in db.table_names():
        return 0
    items = [r[0] for r in db.execute("SELECT id FROM panel_items WHERE letter_id = ?", [letter_id])]
    if not items:
        return 0
    marks = ", ".join("?" * len(items))
    assignments = f"SELECT id FROM panel_assignments WHERE item_id IN ({marks})"
    db.execute(f"UPDATE panel_items SET text = '', redactions = '[]', hidden_words = NULL,"
               f" note = CASE WHEN note IS NULL THEN NULL ELSE '(purged)' END,"
               f" remove_reason = CASE WHEN remove_reason IS NULL THEN NULL ELSE '(purged)' END"
               f" WHERE id IN ({marks})", items)
    db.execute(f"UPDATE panel_ratings SET comment = NULL WHERE assignment_id IN ({assignments})", items)
    db.execute(f"UPDATE panel_marks SET comment = '' WHERE rating_id IN"
               f" (SELECT id FROM panel_ratings WHERE assignment_id IN ({assignments}))", items)
    db.execute(f"UPDATE panel_verdicts SET note = NULL WHERE assignment_id IN ({assignments})", items)
    if "panel_detail_reports" in db.table_names():  # (the words a member said should be hidden)
        db.execute(f"UPDATE panel_detail_reports SET words = NULL WHERE item_id IN ({marks})", items)
    return len(items)
