"""`vcl-qa import` run again on a folder (review 2, item 9): a file changed since it was stored
becomes a new version of the same letter, --sent marks a stored draft as sent, each is said
plainly, and an unchanged folder is still a no-op. A sent letter, or one someone has since
saved on the pages, is not overwritten: the file is reported instead."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from live_server import ROOT, SAMPLES

NAME = "14_flawed_late_no_apology.txt"


def cli(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db), "COLUMNS": "250"},
                          capture_output=True, text=True, timeout=300)


def said(result: subprocess.CompletedProcess) -> str:
    return " ".join(result.stderr.split())


def letters(db) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(
            "SELECT id, status, sent_date, latest_version, letter_date, offence FROM letters ORDER BY id")]
    finally:
        conn.close()


def versions(db, letter_id: int) -> list[tuple[int, dict]]:
    conn = sqlite3.connect(db)
    try:
        return [(v, json.loads(c)) for v, c in conn.execute(
            "SELECT version, context FROM versions WHERE letter_id = ? ORDER BY version", [letter_id])]
    finally:
        conn.close()


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "imp"
    out.mkdir()
    shutil.copy(SAMPLES / NAME, out / NAME)
    return out


def edit(folder, old: str, new: str) -> None:
    path = folder / NAME
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_sent_on_a_stored_draft_marks_it_sent_and_says_so(tmp_path, folder):
    db = tmp_path / "vcl_qa.db"
    assert "Stored 1," in said(cli(db, "import", str(folder), "--team", "t2"))
    sent = cli(db, "import", str(folder), "--team", "t2", "--sent")
    assert sent.returncode == 0, sent.stderr
    assert "marked sent 1, already there 0" in said(sent)
    assert f"{NAME}: letter 1 marked as sent on 2024-12-23 (--sent)" in said(sent)
    assert letters(db) == [{"id": 1, "status": "sent", "sent_date": "2024-12-23", "latest_version": 1,
                            "letter_date": "2024-12-23", "offence": "assault"}]
    again = cli(db, "import", str(folder), "--team", "t2", "--sent")
    assert again.returncode == 0 and "marked sent 0, already there 1, failed 0" in said(again)


def test_a_changed_file_becomes_a_new_version_of_the_same_letter(tmp_path, folder):
    db = tmp_path / "vcl_qa.db"
    assert cli(db, "import", str(folder), "--team", "t2").returncode == 0
    edit(folder, "letter_date: 2024-12-23", "letter_date: 2024-12-20")  # a corrected detail
    dated = cli(db, "import", str(folder), "--team", "t2")
    assert dated.returncode == 0, dated.stderr
    assert "Stored 0, new versions 1," in said(dated)
    assert f"{NAME}: changed since it was stored as letter 1: stored as version 2 of it" in said(dated)
    edit(folder, "Why we stopped the case\n", "Why we stopped the case (sorry this is late)\n")
    body = cli(db, "import", str(folder), "--team", "t2")
    assert "new versions 1," in said(body) and "version 3 of it" in said(body)
    edit(folder, "offence: assault\n", "")  # a detail taken out is taken out of the letter too
    cli(db, "import", str(folder), "--team", "t2")
    assert letters(db) == [{"id": 1, "status": "draft", "sent_date": None, "latest_version": 4,
                            "letter_date": "2024-12-20", "offence": None}]
    assert [v for v, _ in versions(db, 1)] == [1, 2, 3, 4]
    assert "offence" not in versions(db, 1)[-1][1] and versions(db, 1)[0][1]["offence"] == "assault"
    unchanged = cli(db, "import", str(folder), "--team", "t2")
    assert unchanged.returncode == 0
    assert "Stored 0, new versions 0, marked sent 0, already there 1, failed 0" in said(unchanged)
    assert len(letters(db)) == 1 and letters(db)[0]["latest_version"] == 4
    # Another team's import of the same file is that team's own letter (a team the service
    # knows: its first user added; an unknown --team is refused, nothing stored)
    assert cli(db, "import", str(folder), "--team", "t3").returncode == 2 and len(letters(db)) == 1
    assert cli(db, "users", "add", "Tess Three", "--role", "staff", "--team", "t3").returncode == 0
    assert "Stored 1," in said(cli(db, "import", str(folder), "--team", "t3"))


def test_a_changed_file_with_sent_is_stored_then_marked_sent(tmp_path, folder):
    db = tmp_path / "vcl_qa.db"
    cli(db, "import", str(folder), "--team", "t2")
    edit(folder, "Why we stopped the case\n", "Why we stopped the case (sorry this is late)\n")
    both = cli(db, "import", str(folder), "--team", "t2", "--sent")
    assert both.returncode == 0, both.stderr
    assert "new versions 1, marked sent 1," in said(both)
    assert letters(db)[0]["status"] == "sent" and letters(db)[0]["latest_version"] == 2


def test_a_sent_letter_is_not_changed_by_its_file_and_the_file_is_reported(tmp_path, folder):
    db = tmp_path / "vcl_qa.db"
    cli(db, "import", str(folder), "--team", "t2", "--sent")
    edit(folder, "Why we stopped the case\n", "Why we stopped the case (sorry this is late)\n")
    result = cli(db, "import", str(folder), "--team", "t2")
    assert result.returncode == 1
    assert (f"{NAME}: the file has changed since it was stored as letter 1, which was sent on "
            "2024-12-23 and takes no new version: the changes were not stored") in said(result)
    assert len(letters(db)) == 1 and letters(db)[0]["latest_version"] == 1


def test_a_version_saved_on_the_pages_is_never_overwritten_by_the_file(tmp_path, folder):
    from live_server import make_user
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.letters import service

    db = tmp_path / "vcl_qa.db"
    make_user(db, "Sam Staff", "staff", "t2")
    cli(db, "import", str(folder), "--team", "t2")
    conn = open_db(db)
    try:  # as the letter page's "Save as a version" does
        sam = user_by_name(conn, "Sam Staff")
        text = service.check_text((folder / NAME).read_text().split("---\n", 2)[2])
        service.submit(conn, sam, text + "\nEdited on the page.\n", {}, letter_id=1, base_version=1)
    finally:
        conn.close()
    unchanged = cli(db, "import", str(folder), "--team", "t2")
    assert unchanged.returncode == 0 and "already there 1" in said(unchanged)
    edit(folder, "Why we stopped the case\n", "Why we stopped the case (sorry this is late)\n")
    changed = cli(db, "import", str(folder), "--team", "t2")
    assert changed.returncode == 1
    assert "version 2 of that letter was saved since by someone on the pages" in said(changed)
    assert letters(db)[0]["latest_version"] == 2 and len(letters(db)) == 1
