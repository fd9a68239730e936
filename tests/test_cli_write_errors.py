"""A file the command line cannot write says so in a line, exit 2, never a traceback (a review:
`vcl-qa export -o` into a folder that does not exist, and `vcl-qa backup` where the service may
not write, as a scheduled backup meets after a change of owner, printed Python's traceback)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from live_server import ROOT, make_user


def cli(db: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "live.db"
    make_user(path, "staff", "staff", "north")
    return path


def test_export_into_a_folder_that_is_not_there(db, tmp_path):
    out = cli(db, "export", "-o", str(tmp_path / "no" / "such" / "x.csv"))
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert f"There is no folder {tmp_path / 'no' / 'such'}" in out.stderr
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where nobody may make a file")
def test_export_and_backup_where_nothing_may_be_written(db):
    out = cli(db, "export", "-o", "/proc/x.csv")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "Cannot write /proc/x.csv" in out.stderr
    back = cli(db, "backup", "/proc/x.db")
    assert back.returncode == 2 and "Traceback" not in back.stderr
    assert "Cannot write the backup at /proc/" in back.stderr


def test_a_backup_that_can_be_written_still_is(db, tmp_path):
    out = cli(db, "backup", str(tmp_path / "b.db"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "b.db").is_file()
