"""Which database a command uses: said in its first line; only some commands may create one."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from vcl_qa.cli import main

ROOT = Path(__file__).resolve().parent.parent
LETTER = ROOT / "sample_letters" / "01_good_discontinued_assault_standard.txt"

# Commands that read or change stored data but must never create a database.
NEEDS_A_DATABASE = [
    ["users", "token", "alice"],
    ["users", "list"],
    ["export"],
    ["export", "--format", "jsonl"],
    ["purge", "--older-than", "30"],
    ["rescore"],
    ["import-decisions", str(ROOT / "sample_letters" / "decisions.csv")],
    ["digest"],
    ["digest", "--format", "csv"],
    ["panel", "periods"],
    ["panel", "draw", "--period", "2025Q1"],
    ["panel", "agreement", "--period", "2025Q1"],
    ["panel", "report", "--period", "2025Q1"],
]


@pytest.fixture
def where(tmp_path, monkeypatch):
    """A database path in a folder that does not exist yet."""
    path = tmp_path / "data" / "area.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("args", NEEDS_A_DATABASE, ids=" ".join)
def test_a_command_that_needs_a_database_stops_when_there_is_none(where, tmp_path, args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"No database at {where} (set VCL_QA_DB, or run `vcl-qa init`)\n"
    assert list(tmp_path.iterdir()) == []  # not even the folder


def test_a_relative_path_is_named_in_full(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VCL_QA_DB", "here.db")
    result = run("digest")
    assert result.exit_code == 2
    assert f"No database at {tmp_path.resolve() / 'here.db'} " in result.stderr
    assert not (tmp_path / "here.db").exists()


def test_the_default_path_is_vcl_qa_db_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VCL_QA_DB", raising=False)
    result = run("rescore")
    assert result.exit_code == 2
    assert f"No database at {tmp_path.resolve() / 'vcl_qa.db'} " in result.stderr


def test_init_creates_the_database_once(where):
    first = run("init")
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0] == f"Database: {where}"
    assert "Created a new, empty database" in first.stdout
    assert where.is_file()
    again = run("init")
    assert again.exit_code == 0
    assert "The database is up to date: 0 letters, 0 decisions, 0 users." in again.stdout


def test_init_turns_an_empty_file_into_a_database(where):
    where.parent.mkdir()
    where.write_bytes(b"")
    assert "Created a new, empty database" in run("init").stdout
    assert run("digest").exit_code == 0


def test_nothing_writes_to_a_file_that_is_not_a_database(where):
    where.parent.mkdir()
    where.write_text("notes, not a database\n")
    for args in (["init"], ["users", "add", "ann", "--role", "admin"], ["digest"], ["export"]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert f"{where} is not a database file" in result.stderr
    assert where.read_text() == "notes, not a database\n"


def test_another_sqlite_file_is_not_taken_for_a_vcl_qa_database(where):
    import sqlite3

    where.parent.mkdir()
    conn = sqlite3.connect(where)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    result = run("digest")
    assert result.exit_code == 2
    assert "No vcl-qa database at" in result.stderr and "no letters table" in result.stderr


def test_commands_meant_to_create_a_database_create_it_and_name_it_first(where, tmp_path):
    added = run("users", "add", "ann", "--role", "admin")
    assert added.exit_code == 0
    assert added.stderr.splitlines()[0] == f"Database: {where}"  # the token alone on stdout
    assert re.fullmatch(r"\S{43}\n", added.stdout)
    where.unlink()
    folder = tmp_path / "letters"
    folder.mkdir()
    shutil.copy(LETTER, folder)
    imported = run("import", folder, "--team", "north")
    assert imported.exit_code == 0
    assert imported.stderr.splitlines()[0] == f"Database: {where}"


@pytest.mark.parametrize("args,stream", [
    (["users", "list"], "stdout"),
    (["panel", "periods"], "stdout"),
    (["digest"], "stdout"),
    (["digest", "--format", "csv"], "stderr"),
    (["export"], "stderr"),
    (["rescore"], "stderr"),
    (["purge", "--older-than", "30", "--dry-run"], "stderr"),
    (["users", "token", "ann"], "stderr"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_every_command_names_its_database_in_its_first_line(where, args, stream):
    assert run("users", "add", "ann", "--role", "admin").exit_code == 0
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert getattr(result, stream).splitlines()[0] == f"Database: {where}"


def test_machine_formats_keep_standard_output_clean(where):
    assert run("init").exit_code == 0
    assert run("export").stdout.splitlines()[0].startswith("letter_id,")
    assert run("digest", "--format", "csv").stdout.startswith("urn,decision,")
    token = run("users", "add", "ann", "--role", "admin").stdout
    assert len(token.strip()) == 43 and "\n" not in token.strip()


def test_make_run_and_the_readme_name_the_same_database():
    makefile = (ROOT / "Makefile").read_text()
    default = re.search(r"^export VCL_QA_DB \?= \$\(CURDIR\)/(\S+)$", makefile, re.M)
    assert default, "the Makefile sets VCL_QA_DB for make run"
    readme = (ROOT / "README.md").read_text()
    assert f"`{default.group(1)}`" in readme
    assert f"export VCL_QA_DB={default.group(1)}" in readme


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_lock_and_scratch_files_are_ignored_by_git():
    names = ["vcl_qa.db", "vcl_qa.db.migrate-lock", "vcl_qa.db-writelock", "vcl_qa.db-wal",
             "vcl_qa.db-shm", "vcl_qa.db-journal", "var/vcl_qa.db", "docs/area.db.migrate-lock"]
    proc = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.split() == names
