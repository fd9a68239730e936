"""Shared set-up for the training tests: a real SQLite file with users and one sent letter the
panel rated poorly (a bereaved family written to coldly), ready to become an exercise."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from live_server import SAMPLES, make_user
from vcl_qa import Letter
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import user_by_name
from vcl_qa.letters import service
from vcl_qa.panel import rating, sampling

POOR_LETTER = SAMPLES / "26_flawed_bereaved_no_condolence_cold.txt"
# Words of that letter that must never reach an exercise made from it.
PERSONAL = ["Hollis", "Terence", "Kieran", "Craig Mellor", "Mellor", "Bailgate", "LN1 3AR",
            "32LN0620525", "Mark Devlin", "mark.devlin", "01632 960902"]


def users(db_path: Path) -> dict[str, str]:
    """One user per role (and a second staff member in another team); returns their tokens."""
    return {"staff": make_user(db_path, "Sam Staff", "staff", "north"),
            "south": make_user(db_path, "Sunita South", "staff", "south"),
            "manager": make_user(db_path, "Mo Manager", "manager"),
            "panel": make_user(db_path, "Pat Panel", "panel"),
            "panel2": make_user(db_path, "Priya Panel", "panel"),
            "admin": make_user(db_path, "Ada Admin", "admin")}


def poorly_rated_letter(db_path: Path, overall: int = 1) -> int:
    """Store the cold bereaved letter as sent, draw it for the panel and have both panel members
    rate it `overall`; returns the letter id."""
    db = open_db(db_path)
    try:
        migrate(db)
        staff, manager = user_by_name(db, "Sam Staff"), user_by_name(db, "Mo Manager")
        letter = Letter.from_file(POOR_LETTER)
        ctx = letter.context.model_dump(mode="json", exclude_none=True)
        out = service.submit(db, staff, letter.text, ctx, team="north")
        service.mark_sent(db, staff, out["id"], dt.date.fromisoformat(ctx["letter_date"]),
                          before_saved_reason="posted first, saved here afterwards to record it")
        sampling.draw(db, manager, "2025Q4")
        for name in ("Pat Panel", "Priya Panel"):
            member = user_by_name(db, name)
            for entry in rating.queue(db, member):
                rating.rate(db, member, entry["item_id"], {
                    "scores": {"clarity": 2, "empathy": overall, "explanation": 3, "next_steps": 3},
                    "overall": overall, "marks": [],
                    "comment": "Cold: it calls Kieran 'the deceased' and offers no sympathy."})
        return out["id"]
    finally:
        db.close()
