"""Shared set-up for the panel tests: a real SQLite file with users and the sample letters sent."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from live_server import sample_payloads, sent_on
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import service
from vcl_qa.db.users import add_user


def seeded_db(path: Path, panel_members: int = 3, q1_letters: int = 24):
    """Staff in teams north and south, a manager, panel members; every sample letter sent:
    the first `q1_letters` in 2025Q1, the rest in 2024Q4. Returns (db, users, letter_ids)."""
    db = open_db(path)
    migrate(db)
    users = {"north": add_user(db, "north-staff", "staff", "north")[0],
             "south": add_user(db, "south-staff", "staff", "south")[0],
             "manager": add_user(db, "manager", "manager")[0]}
    for n in range(panel_members):
        users[f"panel{n}"] = add_user(db, f"panel-{n}", "panel")[0]
    ids = []
    for i, p in enumerate(sample_payloads()):
        team = "north" if i % 2 == 0 else "south"
        day = dt.date(2025, 1, 6) + dt.timedelta(days=2 * i) if i < q1_letters else dt.date(2024, 11, 1) + dt.timedelta(days=i)
        p = sent_on(p, day)
        r = service.submit(db, users[team], p["text"], p["context"], team=team)
        service.mark_sent(db, users[team], r["id"], day,
                          before_saved_reason="posted first, saved here afterwards to record it")
        ids.append(r["id"])
    return db, users, ids


def good_rating(overall: int = 4, comment: str | None = "Clear and kind.", **scores) -> dict:
    base = {"clarity": overall, "empathy": overall, "explanation": overall, "next_steps": overall}
    base.update(scores)
    return {"scores": base, "overall": overall, "comment": comment, "marks": []}
