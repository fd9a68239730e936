"""The morning digest says when a letter's own details disagree with its register entry: one
"Note:" line per such letter, naming the case, what each says and the due date each gives (the
register page and the API said so; the digest counted from the register without a word). The
real `vcl-qa` commands on a real SQLite file; the letters stored by the letters service."""
from __future__ import annotations

import os
import subprocess
import sys

from vcl_qa import Letter

from live_server import ROOT, SAMPLES

SAMPLE = Letter.from_file(SAMPLES / "01_good_discontinued_assault_standard.txt")
DECIDED = "2025-11-24"  # a Monday: enhanced rights due Tuesday 25 November, standard Monday 1 December


def vcl_qa(db_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args], cwd=ROOT,
                          env={**os.environ, "VCL_QA_DB": str(db_path)}, capture_output=True, text=True, timeout=120)


def draft(db_path, urn: str, **changes) -> int:
    from vcl_qa.db import migrate, open_db
    from vcl_qa.db.users import add_user, user_by_name
    from vcl_qa.letters import service

    db = open_db(db_path)
    try:
        migrate(db)
        if user_by_name(db, "Sam Staff") is None:
            add_user(db, "Sam Staff", "staff", "north")
        ctx = {**SAMPLE.context.model_dump(mode="json", exclude_none=True), "urn": urn, "decision": "discontinued",
               "decision_date": DECIDED, "letter_date": "2025-11-28", "victim_category": "enhanced", **changes}
        return service.submit(db, user_by_name(db, "Sam Staff"), SAMPLE.text, ctx, team="north")["id"]
    finally:
        db.close()


def test_the_digest_notes_each_letter_that_disagrees_with_its_entry(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    assert vcl_qa(db_path, "init").returncode == 0
    # the team's writer first: the register takes decisions for teams there are only
    assert vcl_qa(db_path, "users", "add", "Sam Staff", "--role", "staff", "--team", "north").returncode == 0
    csv = tmp_path / "decisions.csv"
    csv.write_text("urn,decision,decision_date,victim_category,bereaved,offence,team\n"
                   f"71DA0000001,discontinued,{DECIDED},enhanced,false,assault,north\n"
                   f"71DA0000002,discontinued,{DECIDED},enhanced,false,assault,north\n")
    imported = vcl_qa(db_path, "import-decisions", str(csv))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    differs = draft(db_path, "71DA0000001", victim_category="standard")
    draft(db_path, "71DA0000002")  # agrees: no note

    out = vcl_qa(db_path, "digest", "--today", "2025-11-26")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    notes = [line.strip() for line in lines if line.strip().startswith("Note:")]
    assert notes == [
        f"Note: case 71DA0000001: letter {differs} says standard rights (due by Monday 1 December 2025); "
        "the register says enhanced rights (due by Tuesday 25 November 2025). This list counts from the "
        "register; correct whichever is wrong."]
    # under its own entry's line
    entry = next(i for i, line in enumerate(lines) if line.strip().startswith("71DA0000001"))
    assert lines[entry + 1].strip() == notes[0]
