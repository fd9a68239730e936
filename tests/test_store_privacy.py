"""The database holds every letter: its file, -wal and -shm, lock files and exports are the
owner's alone (0600), and a folder made for it is 0700. Before: 0644 in a 0755 folder."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

from live_server import ROOT, make_user
from vcl_qa.db import migrate, open_db
from vcl_qa.letters import bulk, service


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_database_its_wal_and_its_folder_are_private(tmp_path):
    old = os.umask(0o022)  # the usual umask, under which files come out 0644
    try:
        path = tmp_path / "var" / "data" / "vcl_qa.db"
        db = open_db(path)
        try:
            migrate(db)
            service.submit(db, bulk.Actor(), "Dear Ms Okafor\n\nWe have stopped the case.\n",
                           {"victim_name": "Ms Jane Okafor"}, team="north")
            files = [path, path.with_name("vcl_qa.db-wal"), path.with_name("vcl_qa.db-shm"),
                     path.with_name("vcl_qa.db.migrate-lock"), path.with_name("vcl_qa.db-writelock")]
            for f in files:
                assert f.exists(), f
                assert mode(f) == 0o600, (f.name, oct(mode(f)))
            assert mode(path.parent) == 0o700
        finally:
            db.close()
    finally:
        os.umask(old)


def test_an_existing_readable_database_is_made_private(tmp_path):
    path = tmp_path / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    db.close()
    os.chmod(path, 0o644)
    open_db(path).close()
    assert mode(path) == 0o600


def test_export_file_is_private(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    make_user(db_path, "sam", "staff", "north")
    out = tmp_path / "results.csv"
    out.write_text("old")
    os.chmod(out, 0o644)
    r = subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", "export", "-o", str(out)],
                       cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db_path)}, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert mode(out) == 0o600
    assert out.read_text().startswith("letter_id,")
