"""Review 11a, finding 7: /letters.csv said "Working days late: 0" for a letter sent after its
due date on a weekend or bank holiday, and had no on-time column, so a manager filtering
"Working days late > 0" counted it on time; `vcl-qa export --format csv` had the same trap
(working_days_taken 1 beside a 1-day limit it did not give). Now both say whether the letter
went out on time ("On time": Yes, No, Not sent; `on_time`: yes, no, not_sent), give the limit,
and the CSV never says "0" working days late for a late letter (docs/decisions.md: the pages
say "sent late: after the due date"). The real server and the real command, on a real SQLite
file."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner

from live_server import LiveServer
from vcl_qa.cli import main
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.letters import service
from web_site import signed_in

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
FRIDAY_DUE = {"decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "enhanced"}  # due Fri 21 Nov
CHRISTMAS = {"decision": "discontinued", "decision_date": "2025-12-23", "victim_category": "enhanced"}  # due Wed 24 Dec
STANDARD = {"decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "standard"}  # due Thu 27 Nov
UNDER_A_DAY = "less than 1: sent after the due date, on a day that is not a working day"
# name: (details, letter date, sent on), and what each CSV says:
# (due date, "On time", "Working days late", "Time limit"), (on_time, working_days_late, limit)
LETTERS = {
    "saturday": (FRIDAY_DUE, "2025-11-22", "2025-11-22"),
    "boxing_day": (CHRISTMAS, "2025-12-26", "2025-12-26"),
    "monday": (FRIDAY_DUE, "2025-11-24", "2025-11-24"),
    "on_time": (FRIDAY_DUE, "2025-11-21", "2025-11-21"),
    "on_the_day_standard": (STANDARD, "2025-11-27", "2025-11-27"),
    "draft": (FRIDAY_DUE, "2025-11-21", None),
}
PAGE = {"saturday": ("2025-11-21", "No", UNDER_A_DAY, "1 working day"),
        "boxing_day": ("2025-12-24", "No", UNDER_A_DAY, "1 working day"),
        "monday": ("2025-11-21", "No", "1", "1 working day"),
        "on_time": ("2025-11-21", "Yes", "0", "1 working day"),
        "on_the_day_standard": ("2025-11-27", "Yes", "0", "5 working days"),
        "draft": ("2025-11-21", "Not sent", "", "1 working day"),
        "no_details": ("", "", "", "")}
EXPORT = {"saturday": ("no", "0", "1"), "boxing_day": ("no", "0", "1"), "monday": ("no", "1", "1"),
          "on_time": ("yes", "0", "1"), "on_the_day_standard": ("yes", "0", "5"),
          "draft": ("not_sent", "", "1"), "no_details": ("", "", "")}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("late-csv") / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "south-staff", "staff", "south")[0]
    token = add_user(db, "manager", "manager")[1]
    ids = {}
    for name, (details, letter_date, sent) in LETTERS.items():
        ids[name] = service.submit(db, staff, TEXT, {**details, "letter_date": letter_date}, team="south")["id"]
        if sent:
            service.mark_sent(db, staff, ids[name], dt.date.fromisoformat(sent),
                              before_saved_reason="posted first, saved here afterwards to record it")
    ids["no_details"] = service.submit(db, staff, TEXT, {"letter_date": "2025-11-21"}, team="south")["id"]
    db.close()
    return {"path": path, "token": token, "ids": ids}


def test_the_letters_csv_says_late_letters_were_late(stored):
    server = LiveServer(stored["path"]).start()
    try:
        text = signed_in({"url": server.url, "tokens": {"manager": stored["token"]}}, "manager").get("/letters.csv").text
    finally:
        server.stop()
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames
    assert columns[:11] == ["Letter", "Team", "Status", "Decision", "Decision date", "Due date", "Letter date",
                            "Sent date", "Working days late", "On time", "Time limit"]
    rows = {int(r["Letter"]): r for r in reader}
    for name, want in PAGE.items():
        row = rows[stored["ids"][name]]
        assert (row["Due date"], row["On time"], row["Working days late"], row["Time limit"]) == want, name
    # Filtering for late letters by the new column finds all three, the weekend and holiday ones too.
    assert sorted(n for n, i in stored["ids"].items() if rows[i]["On time"] == "No") == ["boxing_day", "monday", "saturday"]
    assert not any(r["On time"] == "No" and r["Working days late"] == "0" for r in rows.values())


def test_the_export_command_gives_the_limit_and_whether_it_was_on_time(stored, tmp_path):
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "-o", str(out)],
                                env={"VCL_QA_DB": str(stored["path"])})
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert reader.fieldnames[-4:] == ["limit_working_days", "limit_reason", "on_time", "working_days_late"]
    rows = {int(r["letter_id"]): r for r in reader}
    for name, want in EXPORT.items():
        row = rows[stored["ids"][name]]
        assert (row["on_time"], row["working_days_late"], row["limit_working_days"]) == want, name
        assert row["due_date"] == PAGE[name][0], name
    # JSON lines carry the same, as values
    lines = CliRunner().invoke(main, ["export", "--format", "jsonl"], env={"VCL_QA_DB": str(stored["path"])})
    import json

    by_id = {r["letter_id"]: r for r in map(json.loads, lines.stdout.splitlines())}
    saturday = by_id[stored["ids"]["saturday"]]
    assert (saturday["on_time"], saturday["working_days_late"], saturday["limit_working_days"],
            saturday["limit_reason"]) == ("no", 0, 1, None)
