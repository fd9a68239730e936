"""The training progress CSV (review 2, item 5): names and teams typed by whoever added the user
cannot become spreadsheet formulas, on the page and from the command line, and the headers are
plain words like the other exports."""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys

import httpx

from live_server import ROOT, LiveServer, make_user
from vcl_qa.csv_safe import FORMULA_START

HOSTILE_NAME = '=HYPERLINK("http://x","y")'
HOSTILE_TEAM = "=cmd|' /C calc'!A0"
OTHERS = {"+1+1": "north", "-2+3": "@SUM(1)", "@me": "-team"}
HEADER = ["Team", "Person", "Role", "Exercises passed", "Exercises on offer", "Exercises tried",
          "Attempts", "Passed them all", "Last activity (UK time)", "Role code",
          "Attempts at exercises taken off the list"]


def cli(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


def _no_formula_cells(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (cell, row)
    return rows


def test_the_command_line_csv_is_safe_from_formulas(tmp_path):
    db = tmp_path / "vcl_qa.db"
    added = cli(db, "users", "add", HOSTILE_NAME, "--role", "staff", "--team", HOSTILE_TEAM)
    assert added.returncode == 0, added.stderr
    for name, team in OTHERS.items():
        assert cli(db, "users", "add", "--role", "staff", "--team", team, "--", name).returncode == 0
    out = cli(db, "training", "progress", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = _no_formula_cells(out.stdout)
    people = {row[1]: row for row in rows[1:]}
    assert people["'" + HOSTILE_NAME][0] == "'" + HOSTILE_TEAM  # shown as typed, never run
    assert set(people) == {"'" + n for n in (HOSTILE_NAME, *OTHERS)}
    assert people["'" + HOSTILE_NAME][2] == "Staff" and people["'" + HOSTILE_NAME][9] == "staff"


def test_the_page_csv_is_safe_from_formulas(tmp_path):
    db = tmp_path / "vcl_qa.db"
    manager = make_user(db, "Mo Manager", "manager")
    make_user(db, HOSTILE_NAME, "staff", HOSTILE_TEAM)
    server = LiveServer(db).start()
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
        assert client.post("/sign-in", data={"pre_token": pre, "token": manager}).status_code == 303
        r = client.get("/training/progress.csv")
    finally:
        server.stop()
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = _no_formula_cells(r.text)
    assert ["'" + HOSTILE_TEAM, "'" + HOSTILE_NAME, "Staff"] == rows[1][:3]
