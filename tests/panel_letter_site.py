"""A real SQLite file and server for the panel's pages and the staff letter page's panel
feedback: one letter of team east sent in October 2026, in the 2026Q4 sample, rated by a panel
member (its findings revealed to them), and the users who read it (import from here)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from live_server import LiveServer, make_user

SENT = dt.date(2026, 10, 6)
# Its findings, stored in the order found, are not in the order of severity (a should-fix reason
# the second opinion doubts, a suggestion, another suggestion, then a should-fix problem), so a
# page listing them most serious first shows them in another order than their numbers.
TEXT = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\n"
        "I am writing to tell you that we have stopped the case against Mr Hale. "
        "I am sorry to bring you this news.\n\n"
        "This decision was made because of the way one of the witness accounts developed in this case.\n\n"
        "If you think we got this wrong, you can ask another prosecutor to look at the case again. "
        "Please ask within 10 working days of getting this letter, and at the latest within 3 months.\n\n"
        "Victim Support can help you on 0808 168 9111. You can call me on 0113 496 0000.\n\n"
        "Yours sincerely\n\nAmy Price\nVictim Liaison Unit")
CONTEXT = {"decision": "discontinued", "decision_date": (SENT - dt.timedelta(days=1)).isoformat(),
           "letter_date": SENT.isoformat(), "victim_category": "standard", "offence": "assault",
           "victim_name": "Ms Jane Okafor"}
RATING = {"scores": {"clarity": 4, "empathy": 4, "explanation": 3, "next_steps": 4}, "overall": 4,
          "comment": "Kind, but the reason is vague.", "marks": []}


def build(path: Path) -> dict:
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service
    from vcl_qa.panel import rating, sampling

    tokens = {"staff": make_user(path, "Sam Staff", "staff", "east"),
              "manager": make_user(path, "Mo Manager", "manager"),
              "panel": make_user(path, "Pat Panel", "panel")}
    db = open_db(path)
    try:
        migrate(db)
        staff, manager, panel = (user_by_name(db, n) for n in ("Sam Staff", "Mo Manager", "Pat Panel"))
        letter_id = service.submit(db, staff, TEXT, CONTEXT, team="east")["id"]
        service.mark_sent(db, staff, letter_id, SENT, before_saved_reason="posted first, saved here afterwards to record it")
        sampling.draw(db, manager, "2026Q4")
        if not db.execute("SELECT 1 FROM panel_items WHERE letter_id = ? AND removed_at IS NULL", [letter_id]).fetchone():
            sampling.add_letter(db, manager, "2026Q4", letter_id, "to read a letter whose reason was doubted")
        (code,) = [q["item_id"] for q in rating.queue(db, panel)]
        rating.rate(db, panel, code, RATING)
        findings = rating.reveal(db, panel, code)
    finally:
        db.close()
    return {"tokens": tokens, "letter_id": letter_id, "code": code, "findings": findings}


def start(tmp_path_factory, name: str) -> dict:
    path = tmp_path_factory.mktemp(name) / "vcl_qa.db"
    built = build(path)
    server = LiveServer(path).start()
    return {**built, "url": server.url, "db": path, "server": server}
