"""The letters CSV gives "Victim's rights" in the check form's words, and says whether the letter
went to a bereaved family (a user review: the export read "Enhanced rights (most serious crime,
persistently targeted, vulnerable or intimidated)", dropping the "bereaved families, under-18s"
the form's option names, and no column said the letter was to a bereaved family).

The real server on a real SQLite file: the form's option as the check page gives it, the CSV as a
manager downloads it."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from live_server import LiveServer, make_user
from web_site import signed_in

TEXT = ("Dear Ms Grant\n\nWe have decided to stop the case, because the only witness has moved abroad and "
        "cannot be traced.\n\nI am sorry to bring you this news.\n\nYours sincerely\n\nJ Whitcombe\n")
BASE = {"decision": "discontinued", "decision_date": "2026-11-02", "letter_date": "2026-11-03",
        "offence": "assault", "victim_name": "Ms Olivia Grant"}
LETTERS = {  # name: (victim category, bereaved)
    "enhanced_bereaved": ("enhanced", True),
    "enhanced_not_bereaved": ("enhanced", False),
    "standard_not_said": ("standard", None),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    path = tmp_path_factory.mktemp("csv_rights") / "vcl_qa.db"
    tokens = {"staff": make_user(path, "Sam Staff", "staff", "east"), "manager": make_user(path, "Mo Manager", "manager")}
    db = open_db(path)
    ids = {}
    try:
        staff = user_by_name(db, "Sam Staff")
        for name, (category, bereaved) in LETTERS.items():
            ctx = {**BASE, "victim_category": category, **({} if bereaved is None else {"bereaved": bereaved})}
            ids[name] = service.submit(db, staff, TEXT, ctx, team="east")["id"]
    finally:
        db.close()
    server = LiveServer(path).start()
    yield {"url": server.url, "tokens": tokens, "ids": ids}
    server.stop()


def _form_option(page: str, value: str) -> str:
    """The check form's option for the victim's rights `value`, without its time limit."""
    option = re.search(rf'<option value="{value}"[^>]*>(.*?)</option>', page, re.S).group(1)
    return html.unescape(option).rsplit(":", 1)[0].strip()


def test_the_csv_gives_the_victims_rights_in_the_forms_words_and_says_bereaved(site):
    form = signed_in(site, "staff").get("/check").text
    enhanced = _form_option(form, "enhanced")
    assert enhanced.startswith("Enhanced rights (bereaved families, under-18s, ")
    export = signed_in(site, "manager").get("/letters.csv")
    assert export.status_code == 200
    reader = csv.DictReader(io.StringIO(export.text))
    assert reader.fieldnames[-1] == "Bereaved family"  # added last: no column moved
    rows = {int(r["Letter"]): r for r in reader}
    got = {name: (rows[i]["Victim's rights"], rows[i]["Bereaved family"]) for name, i in site["ids"].items()}
    assert got == {"enhanced_bereaved": (enhanced, "Yes"), "enhanced_not_bereaved": (enhanced, "No"),
                   "standard_not_said": (_form_option(form, "standard"), "")}
    assert got["standard_not_said"][0] == "Standard"


def test_a_bereaved_letter_keeps_its_time_limit_reason(site):
    """The columns beside it are unchanged: the code, and why the limit is 1 working day."""
    rows = {int(r["Letter"]): r for r in csv.DictReader(io.StringIO(signed_in(site, "manager").get("/letters.csv").text))}
    row = rows[site["ids"]["enhanced_bereaved"]]
    assert row["Victim category code"] == "enhanced" and row["Time limit"].startswith("1 working day")
