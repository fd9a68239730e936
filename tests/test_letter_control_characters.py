"""A control character in a letter's text (review: a NUL was kept, and written into the letter
page's text box, where the browser made it U+FFFD, so the next save changed the letter) is
refused wherever text comes in, naming where it stands: the API, the pages, `vcl-qa score` and
`vcl-qa import` (one check: vcl_qa/engine/letter.py `control_character_problem`). Tabs, line
breaks, and Word's line and page breaks (vertical tab, form feed) are letters' own."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import httpx
import pytest

from live_server import ROOT, LiveServer, auth, make_user, signed_in_client
from web_site import field_error

LINES = ["Dear Ms Okafor", "", "We have decided to stop the case against Mr Smith.",
         "I am sorry for the upset this causes.", "", "Yours sincerely", "Jo Bloggs"]


def with_char(char: str, line: int = 3, column: int = 14) -> str:
    """The letter with `char` put before `column` of `line` (both counted from 1)."""
    lines = list(LINES)
    lines[line - 1] = lines[line - 1][:column - 1] + char + lines[line - 1][column - 1:]
    return "\n".join(lines) + "\n"


def said(char_name: str, line: int = 3, column: int = 14) -> str:
    return f"line {line}, column {column}: a control character ({char_name})"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("control") / "vcl_qa.db"
    srv = LiveServer(db).start()
    srv.token = make_user(db, "Sam Staff", "staff", "north")
    yield srv
    srv.stop()


def stored(server) -> int:
    with sqlite3.connect(server.db) as conn:
        return conn.execute("SELECT count(*) FROM versions").fetchone()[0]


@pytest.mark.parametrize("char, name", [("\x00", "U+0000 NUL"), ("\x1b", "U+001B ESCAPE"), ("\x01", "U+0001"),
                                        ("\x7f", "U+007F DELETE"), ("\x9b", "U+009B CONTROL SEQUENCE INTRODUCER")])
@pytest.mark.parametrize("path", ["/letters", "/check"])
def test_the_api_refuses_a_control_character_naming_where_it_stands(server, path, char, name):
    before = stored(server)
    r = httpx.post(f"{server.url}/api/v1{path}", json={"text": with_char(char)}, headers=auth(server.token),
                   timeout=60)
    assert r.status_code == 422, r.text
    (detail,) = r.json()["error"]["details"]
    assert detail["field"] == "text" and detail["message"].startswith(said(name) + ", which no letter holds")
    assert stored(server) == before


def test_more_than_one_is_counted_and_the_first_named(server):
    text = with_char("\x00", 4, 3).replace("Jo Bloggs", "Jo\x00 Bloggs\x00")
    r = httpx.post(f"{server.url}/api/v1/check", json={"text": text}, headers=auth(server.token), timeout=60)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["message"].startswith(
        "line 4, column 3: a control character (U+0000 NUL) (and 2 more after it), which no letter holds")


def test_tabs_and_line_and_page_breaks_are_kept(server):
    text = with_char("\t").replace("\n\nWe", "\r\n\x0bWe").replace("\n\nYours", "\x0c\nYours")
    r = httpx.post(f"{server.url}/api/v1/letters", json={"text": text}, headers=auth(server.token), timeout=60)
    assert r.status_code == 201, r.text


def test_the_check_page_says_so_beside_the_text_box(server):
    with signed_in_client(server.url, server.token) as client:
        page = client.get("/check").text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        before = stored(server)
        r = client.post("/check", data={"csrf_token": csrf, "text": with_char("\x00"), "decision": "discontinued"})
    assert r.status_code == 400, r.text[:300]
    # (as the page says it: from a capital)
    assert field_error(r.text, "text").startswith("L" + said("U+0000 NUL")[1:])
    assert stored(server) == before


def cli(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db), "COLUMNS": "250"},
                          capture_output=True, text=True, timeout=300)


def test_score_and_import_name_the_file_and_the_place(tmp_path):
    """Placed by the file's own lines (front matter too); a NUL past the first 4 KB, which the
    reader's look for a binary file does not reach, as well."""
    folder = tmp_path / "letters"
    folder.mkdir()
    late = folder / "late_nul.txt"
    late.write_text("---\ndecision: discontinued\n---\n" + "Dear Ms Okafor\n\n" + "We are sorry.\n" * 400
                    + "Yours\x00 sincerely\n", encoding="utf-8")
    escape = folder / "escape.txt"
    escape.write_text(with_char("\x1b[31m"), encoding="utf-8")
    score = cli(tmp_path / "db", "score", str(late))
    assert score.returncode == 2
    assert f"{late}: line 406, column 6: a control character (U+0000 NUL)" in " ".join(score.stderr.split())
    assert cli(tmp_path / "vcl_qa.db", "init").returncode == 0
    imported = cli(tmp_path / "vcl_qa.db", "import", str(folder), "--team", "north")
    words = " ".join(imported.stderr.split())
    assert "escape.txt: line 3, column 14: a control character (U+001B ESCAPE)" in words, words
    with sqlite3.connect(tmp_path / "vcl_qa.db") as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (0,)
