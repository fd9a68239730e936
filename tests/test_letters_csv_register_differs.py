"""/letters.csv says where the register disagrees with a letter's own details (victim's rights,
decision date, bereaved): a staff review found a letter whose details said standard rights
exported as "On time: Yes" while the register, the dashboard and the on-time rate counted it sent
late (the register said enhanced), with nothing in the row to say so. The "Register differs"
column says what the register says and counts. Real SQLite file, the real server."""
from __future__ import annotations

import csv
import datetime as dt
import io

from live_server import LiveServer
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.decisions import register
from vcl_qa.decisions import store as decisions_store
from vcl_qa.letters import service
from web_site import signed_in

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\nI am sorry to tell you that we have "
        "decided to stop the case.\n\nYours sincerely\nJ Whitcombe\nVictim Liaison Officer\n")
# decided Thursday 20 November 2025: standard rights due Thursday 27 November, enhanced Friday 21
DETAILS = {"decision": "discontinued", "decision_date": "2025-11-20", "letter_date": "2025-11-24"}


def test_the_csv_row_says_what_the_register_says_where_they_differ(tmp_path):
    path = tmp_path / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    staff = add_user(db, "south-staff", "staff", "south")[0]
    token = add_user(db, "manager", "manager")[1]
    ids = {}
    for name, urn, category in (("differs", "41ZZ0000101", "standard"), ("agrees", "41ZZ0000102", "enhanced"),
                                ("unregistered", "41ZZ0000103", "standard")):
        ids[name] = service.submit(db, staff, TEXT, {**DETAILS, "urn": urn, "victim_category": category},
                                   team="south")["id"]
        service.mark_sent(db, staff, ids[name], dt.date(2025, 11, 24),
                          before_saved_reason="posted first, saved here afterwards to record it")
    decisions_store.upsert_many(db, staff, [register.record_from_mapping(
        {"urn": urn, "decision": "discontinued", "decision_date": "2025-11-20", "victim_category": "enhanced",
         "team": "south"}) for urn in ("41ZZ0000101", "41ZZ0000102")])
    db.close()
    server = LiveServer(path).start()
    try:
        text = signed_in({"url": server.url, "tokens": {"manager": token}}, "manager").get("/letters.csv").text
    finally:
        server.stop()
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames[-2:] == ["Register differs", "Bereaved family"]  # each added last in its turn
    rows = {int(r["Letter"]): r for r in reader}
    differs = rows[ids["differs"]]
    assert (differs["On time"], differs["Due date"]) == ("Yes", "2025-11-27")  # from the letter's details
    assert differs["Register differs"] == (
        "The register says enhanced rights (due by Friday 21 November 2025) and counts this letter “Sent late”; "
        "this row counts from the letter's details (standard rights). Correct whichever is wrong.")
    assert rows[ids["agrees"]]["Register differs"] == ""
    assert rows[ids["unregistered"]]["Register differs"] == ""
