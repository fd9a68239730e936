"""`vcl-qa import --sent` never stores a letter as sent on a day it cannot have gone out (review
11a, finding 1): a letter_date after today (UK) is refused file by file with the reason, as
marking a letter sent anywhere else is (service.check_sent_date); the import
goes on with the other files, and nothing of the refused file is stored or changed. The summary's
"marked sent" counts the new letters stored as sent too. The real command on a real SQLite file;
"today" is the UK's (vcl_qa.clock)."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys

import pytest

from vcl_qa import clock
from vcl_qa.engine.dates import long_date
from vcl_qa.errors import LetterError
from vcl_qa.letters import service
from vcl_qa.letters.bulk import Actor

from live_server import ROOT, SAMPLES

BODY = (SAMPLES / "01_good_discontinued_assault_standard.txt").read_text().split("---\n", 2)[2]
TODAY = clock.today()
LATER = TODAY + dt.timedelta(days=18)
DECIDED = TODAY - dt.timedelta(days=2)


def letter_file(path, *, letter_date: dt.date, decision_date: dt.date = DECIDED, urn: str = "N6") -> None:
    path.write_text(f"---\ndecision: discontinued\ndecision_date: {decision_date}\nletter_date: {letter_date}\n"
                    f"victim_category: standard\nurn: {urn}\nvictim_name: Mr Tomasz Nowak\n---\n{BODY}")


def cli(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db), "COLUMNS": "300"},
                          capture_output=True, text=True, timeout=300)


def said(result: subprocess.CompletedProcess) -> str:
    return " ".join(result.stderr.split())


def letters(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT source, status, sent_date, latest_version FROM letters ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_letter_dated_after_today_is_refused_and_the_rest_stored_as_sent(tmp_path):
    folder = tmp_path / "imp"
    folder.mkdir()
    letter_file(folder / "future.txt", letter_date=LATER)
    letter_file(folder / "sent.txt", letter_date=DECIDED, urn="N4")
    db = tmp_path / "vcl_qa.db"
    out = cli(db, "import", str(folder), "--sent", "--team", "north")
    assert out.returncode == 1, out.stderr
    # the new letter stored as sent is counted as marked sent (it was "marked sent 0")
    assert "Stored 1, new versions 0, marked sent 1, already there 0, failed 1 (team north)." in said(out)
    assert (f"future.txt: field 'letter_date': --sent would store it as sent on its letter_date, but "
            f"its letter_date, {long_date(LATER)}, is after today ({long_date(TODAY)}): it cannot have "
            "been sent yet. Nothing was stored: correct the letter_date, or import the file without "
            "--sent to store it as a draft") in said(out)
    assert letters(db) == [("sent.txt", "sent", DECIDED.isoformat(), 1)]  # nothing of future.txt


def test_a_stored_draft_dated_after_today_is_not_marked_sent_nor_changed(tmp_path):
    folder = tmp_path / "imp"
    folder.mkdir()
    letter_file(folder / "future.txt", letter_date=LATER)
    db = tmp_path / "vcl_qa.db"
    first = cli(db, "import", str(folder), "--team", "north")  # without --sent: a draft, dated ahead
    assert first.returncode == 0 and "Stored 1," in said(first)
    again = cli(db, "import", str(folder), "--sent", "--team", "north")
    assert again.returncode == 1
    assert "marked sent 0, already there 0, failed 1" in said(again)
    assert "is after today" in said(again)
    # changed as well: no new version is stored before the date is refused
    letter_file(folder / "future.txt", letter_date=LATER + dt.timedelta(days=1))
    changed = cli(db, "import", str(folder), "--sent", "--team", "north")
    assert changed.returncode == 1 and "new versions 0, marked sent 0" in said(changed)
    assert letters(db) == [("future.txt", "draft", None, 1)]


def test_submit_refuses_to_store_a_new_letter_as_sent_after_today(db):
    """The service itself, whoever calls it: the check mark_sent makes."""
    ctx = {"decision": "discontinued", "decision_date": DECIDED.isoformat(), "letter_date": LATER.isoformat(),
           "victim_category": "standard"}
    with pytest.raises(LetterError) as err:
        service.submit(db, Actor("test"), BODY, ctx, team="north", sent_date=LATER.isoformat())
    assert err.value.field == "sent_date" and "after today" in err.value.message
    assert db.execute("SELECT count(*) FROM letters").fetchone()[0] == 0
    ok = service.submit(db, Actor("test"), BODY, {**ctx, "letter_date": TODAY.isoformat()}, team="north",
                        sent_date=TODAY.isoformat())
    assert db.execute("SELECT status, sent_date FROM letters WHERE id = ?", [ok["id"]]).fetchone() == \
        ("sent", TODAY.isoformat())


def test_an_import_never_marks_sent_a_version_someone_saved_since(tmp_path):
    """A review (thirty-second session): `--sent` marked the letter's latest version sent, so a
    version saved on the pages after the file was imported would be recorded as the one that went
    out. The file's own version is marked, or nothing: the file is reported, the letter left a
    draft for its writer to check."""
    from vcl_qa.db import open_db

    folder = tmp_path / "imp"
    folder.mkdir()
    letter_file(folder / "a.txt", letter_date=DECIDED)
    db = tmp_path / "vcl_qa.db"
    assert cli(db, "import", str(folder), "--team", "north").returncode == 0  # stored as a draft
    conn = open_db(db)
    try:
        letter_id = conn.execute("SELECT id FROM letters").fetchone()[0]
        from vcl_qa.db.users import add_user

        staff = add_user(conn, "sam-staff", "staff", "north")[0]
        service.submit(conn, staff, BODY.replace("\nYours", "\nThank you for your patience.\n\nYours", 1),
                       {"decision": "discontinued", "decision_date": DECIDED.isoformat(),
                        "letter_date": DECIDED.isoformat(), "victim_category": "standard", "urn": "N6",
                        "victim_name": "Mr Tomasz Nowak"}, team="north", letter_id=letter_id, base_version=1)
    finally:
        conn.close()
    out = cli(db, "import", str(folder), "--sent", "--team", "north")
    assert out.returncode == 1, out.stderr
    assert "version 2 was saved since by someone on the pages or through the API" in said(out)
    assert letters(db) == [("a.txt", "draft", None, 2)]


def test_running_the_same_import_again_does_not_undo_an_undone_sent_mark(tmp_path):
    """A figures review: a manager undid letter 1's sent mark (DELETE /letters/1/sent); running
    the same `import --sent` again printed "letter 1 marked as sent on ..." and counted it as
    sent again, silently, with no reason asked. Now the file is reported and the letter left a
    draft; a draft never marked is still marked by --sent, as before."""
    from types import SimpleNamespace

    from vcl_qa.db import open_db

    folder = tmp_path / "imp"
    folder.mkdir()
    letter_file(folder / "a_sent.txt", letter_date=DECIDED, urn="N4")
    db = tmp_path / "vcl_qa.db"
    assert cli(db, "import", str(folder), "--sent", "--team", "north").returncode == 0
    letter_file(folder / "b_draft.txt", letter_date=DECIDED, urn="N5")
    assert cli(db, "import", str(folder), "--team", "north").returncode == 0  # b stored as a draft
    conn = open_db(db)
    try:
        service.undo_sent(conn, SimpleNamespace(id=None, name="Mo Manager", role="manager"), 1)
    finally:
        conn.close()
    assert letters(db) == [("a_sent.txt", "draft", None, 1), ("b_draft.txt", "draft", None, 1)]
    again = cli(db, "import", str(folder), "--sent", "--team", "north")
    assert again.returncode == 1
    assert ("a_sent.txt: letter 1 was marked as sent before, and that mark was undone since (on its page or "
            "through the API): --sent does not mark it again, and nothing of the file was stored. If it did go "
            "out, mark it as sent on its page, saying when; to store the file's changes as a draft, import it "
            "without --sent") in said(again)
    assert "marked sent 1, already there 0, failed 1" in said(again)
    assert letters(db) == [("a_sent.txt", "draft", None, 1), ("b_draft.txt", "sent", DECIDED.isoformat(), 1)]
    # changed since (a comma): nothing stored, not marked (a review of this fix)
    (folder / "a_sent.txt").write_text((folder / "a_sent.txt").read_text().replace("Lee Barker", "Lee Barker,", 1))
    changed = cli(db, "import", str(folder), "--sent", "--team", "north")
    assert changed.returncode == 1 and "a_sent.txt: letter 1 was marked as sent before" in said(changed)
    assert letters(db)[0] == ("a_sent.txt", "draft", None, 1)
