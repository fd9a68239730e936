"""The managers' training progress (a helper's review, using it as a manager): each figure
agrees with the one beside it. Attempts at an exercise since taken off the list counted in
"Attempts" but not in "Tried" ("Tried 0, Attempts 3"); "People" counted a manager who had tried
an exercise, and a staff account switched off, as people doing the training, while the board's
line beside it counted staff. Real SQLite files; the library, the command line and the page of
the real server."""
from __future__ import annotations

import csv
import io
import re

import httpx
from click.testing import CliRunner

from live_server import LiveServer, page_words
from training_setup import poorly_rated_letter, users
from vcl_qa.cli import main
from vcl_qa.db import open_db
from vcl_qa.db.users import add_user, disable_user, update_user, user_by_name
from vcl_qa.training import service
from vcl_qa.training.exercises import built_in, load_exercises

KHAN = built_in("khan-brother")


def _withdrawn_and_others(path) -> int:
    """Sam tries an exercise made from a panel letter three times, and khan-brother once; the
    panel exercise is then taken off the list. The manager tries khan-brother; Lee (staff) tries
    it and is switched off; Pia (staff) tries it and moves to the panel. Returns the letter id."""
    users(path)
    letter_id = poorly_rated_letter(path)
    db = open_db(path)
    try:
        mo, sam = user_by_name(db, "Mo Manager"), user_by_name(db, "Sam Staff")
        made = service.create_from_panel(db, mo, letter_id, "A cold letter to a father",
                                         "The panel found this letter cold. Fix it.")
        for _ in range(3):
            service.attempt(db, sam, made["id"], made["text"])
        service.attempt(db, sam, KHAN.id, KHAN.letter)
        service.retire(db, mo, made["id"])
        service.attempt(db, mo, KHAN.id, KHAN.model_answer)
        lee = add_user(db, "Lee Leaver", "staff", "north")[0]
        pia = add_user(db, "Pia Moved", "staff", "south")[0]
        for person in (lee, pia):
            service.attempt(db, person, KHAN.id, KHAN.model_answer)
        disable_user(db, lee.id)
        update_user(db, pia.id, "panel", "south")
    finally:
        db.close()
    return letter_id


def test_tried_and_attempts_count_the_same_exercises_and_withdrawn_ones_apart(tmp_path):
    path = tmp_path / "vcl_qa.db"
    _withdrawn_and_others(path)
    db = open_db(path)
    try:
        sam = user_by_name(db, "Sam Staff")
        data = service.progress(db)
        row = {r["name"]: r for r in data["data"]}["Sam Staff"]
        assert (row["exercises_tried"], row["attempts"], row["attempts_withdrawn"]) == (1, 1, 3)
        assert row["exercises"] == len(load_exercises())  # the panel exercise is off the list
        own = service.progress(db, sam)["data"][0]  # as Sam sees it
        assert (own["exercises_tried"], own["attempts"], own["attempts_withdrawn"]) == (1, 1, 3)
        board = service.board_summary(db)
        assert (board["started"], board["attempts"]) == (1, 1)  # Sam's one attempt on offer
        assert board["line"].endswith("; 1 has started; 1 attempt so far.")
        rows = list(csv.DictReader(io.StringIO(service.progress_csv(db))))
        sam_row = next(r for r in rows if r["Person"] == "Sam Staff")
        assert (sam_row["Exercises tried"], sam_row["Attempts"], sam_row["Attempts at exercises taken off the list"]) == (
            "1", "1", "3")
        assert list(rows[0])[9] == "Role code"  # no column a spreadsheet reads by place has moved
    finally:
        db.close()


def test_the_figures_count_the_staff_the_training_is_for(tmp_path):
    path = tmp_path / "vcl_qa.db"
    _withdrawn_and_others(path)
    db = open_db(path)
    try:
        data = service.progress(db)
        assert {r["name"] for r in data["data"]} == {"Sam Staff", "Sunita South"}  # active staff
        others = {r["name"]: r for r in data["others"]}
        assert set(others) == {"Mo Manager", "Lee Leaver", "Pia Moved"}
        assert others["Lee Leaver"]["switched_off"] and others["Pia Moved"]["role"] == "panel"
        assert others["Mo Manager"]["exercises_passed"] == 1  # listed with their figures, counted nowhere
        teams = {t["team"]: (t["people"], t["started"], t["completed"]) for t in data["teams"]}
        assert teams == {"north": (1, 1, 0), "south": (1, 0, 0)}
        assert sum(t["people"] for t in data["teams"]) == service.board_summary(db)["staff"] == 2
        csv_rows = list(csv.DictReader(io.StringIO(service.progress_csv(db))))
        assert [(r["Person"], r["Role"]) for r in csv_rows] == [
            ("Sam Staff", "Staff"), ("Sunita South", "Staff"), ("Mo Manager", "Manager"),
            ("Lee Leaver", "Staff (switched off)"), ("Pia Moved", "Panel")]
    finally:
        db.close()


def test_the_command_line_lists_the_others_apart(tmp_path, monkeypatch):
    path = tmp_path / "vcl_qa.db"
    _withdrawn_and_others(path)
    monkeypatch.setenv("VCL_QA_DB", str(path))
    out = CliRunner().invoke(main, ["training", "progress"])
    assert out.exit_code == 0, out.output
    staff, _, others = out.output.partition("Others who have tried (not counted above):")
    assert "Sam Staff" in staff and "tried 1, 1 attempts (and 3 at exercises taken off the list)" in staff
    assert "Mo Manager" not in staff and "Mo Manager (manager)" in others
    assert "Lee Leaver (staff, switched off)" in others


def test_the_managers_page_shows_figures_that_agree(tmp_path):
    path = tmp_path / "vcl_qa.db"
    _withdrawn_and_others(path)
    db = open_db(path)
    try:
        token = add_user(db, "Meg Manager", "manager")[1]
    finally:
        db.close()
    server = LiveServer(path).start()
    try:
        client = httpx.Client(base_url=server.url, timeout=60)
        pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
        assert client.post("/sign-in", data={"pre_token": pre, "token": token}).status_code == 303
        page = client.get("/training/progress").text
    finally:
        server.stop()

    def table(name: str) -> str:
        return page_words(re.search(rf'<table id="{name}".*?</table>', page, re.S).group(0))

    people, teams, others = table("people-progress"), table("team-progress"), table("others-progress")
    n = len(load_exercises())
    assert f"Sam Staff 0 of {n} 1 1 (and 3 at exercises taken off the list)" in people
    assert "Mo Manager" not in people and "Lee Leaver" not in people and "Pia Moved" not in people
    assert "No team" not in teams  # the manager's (no team) is not a team of people doing the training
    assert "north 1 1 0" in teams and "south 1 0 0" in teams
    assert "Mo Manager (manager)" in others and "Lee Leaver (staff, switched off)" in others
    assert "Pia Moved (panel member)" in others
    words = page_words(page)
    assert "count the same exercises" in words and "not counted" in words
    assert "Training: 0 of 2 staff have passed all" in words and "1 has started; 1 attempt so far." in words
