"""Service commands: users add, import, export, purge, rescore, demo-setup."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vcl_qa import Letter
from vcl_qa.cli import main
from vcl_qa.db import open_db
from vcl_qa.letters.store import list_letters
from vcl_qa.db.users import user_by_token

SAMPLES = Path(__file__).resolve().parent.parent / "sample_letters"
GOOD = """---
decision: discontinued
decision_date: 2024-12-19
letter_date: 2024-12-20
victim_category: enhanced
victim_name: Ms Jane Okafor
urn: 42AB1234524
---
Private - to be opened by addressee only

Dear Ms Okafor

We have decided to stop the case. I am sorry for the upset this may cause you.
"""


@pytest.fixture
def dbfile(tmp_path, monkeypatch):
    path = tmp_path / "cli.db"
    monkeypatch.setenv("VCL_QA_DB", str(path))
    return path


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def count(path, table):
    db = open_db(path)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.close()


@pytest.fixture
def letters_dir(tmp_path):
    folder = tmp_path / "letters"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(GOOD)
    (folder / "sub" / "b.md").write_text(GOOD.replace("Okafor", "Nowak"))
    (folder / "broken.txt").write_text(GOOD.replace("victim_category: enhanced", "victim_categry: enhanced"))
    (folder / "undated.txt").write_text(GOOD.replace("letter_date: 2024-12-20\n", ""))
    return folder


def test_users_add_prints_a_working_token_once(dbfile):
    result = run("users", "add", "alice", "--role", "staff", "--team", "north")
    assert result.exit_code == 0
    token = result.stdout.strip()
    db = open_db(dbfile)
    assert user_by_token(db, token).name == "alice"
    db.close()
    again = run("users", "add", "alice", "--role", "staff", "--team", "north")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_users_add_staff_needs_team(dbfile):
    result = run("users", "add", "bob", "--role", "staff")
    assert result.exit_code == 2
    assert "team" in result.output


def test_import_reports_failures_and_stores_the_rest(dbfile, letters_dir):
    result = run("import", str(letters_dir), "--team", "north")
    assert result.exit_code == 1
    assert "Stored 3, new versions 0, marked sent 0, already there 0, failed 1" in result.stderr
    assert "broken.txt: field 'victim_categry': unknown field" in result.stderr
    assert count(dbfile, "letters") == 3
    assert count(dbfile, "versions") == 3


def test_import_names_every_wrong_field_of_a_file(dbfile, letters_dir):
    (letters_dir / "broken.txt").write_text(GOOD.replace("victim_category: enhanced", "victim_categry: enhanced")
                                            .replace("2024-12-19", "2024-12-32"))
    result = run("import", str(letters_dir), "--team", "north")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Database: {dbfile}"
    said = " ".join(result.stderr.split())  # long lines are wrapped to the terminal's width
    assert ("broken.txt: field 'decision_date': '2024-12-32' is not a real date (use YYYY-MM-DD); "
            "field 'victim_categry': unknown field (allowed: decision," in said)


def test_import_twice_adds_nothing_twice(dbfile, letters_dir):
    (letters_dir / "broken.txt").unlink()
    assert run("import", str(letters_dir)).exit_code == 0
    second = run("import", str(letters_dir))
    assert second.exit_code == 0
    assert "Stored 0, new versions 0, marked sent 0, already there 3, failed 0" in second.stderr
    assert count(dbfile, "letters") == 3


def test_import_asks_for_a_team_the_service_knows_and_stores_nothing_otherwise(dbfile, letters_dir):
    """With no --team, the letters went to team 'default' unsaid, where no staff member's list
    or team figures showed them; a misspelt --team, to a team of its own. Both are refused
    (exit 2) before a file is read, once the service knows a team; with none known yet (a new
    database), or 'default' known already, the letters go to 'default' as before."""
    (letters_dir / "broken.txt").unlink()
    assert run("users", "add", "Ann North", "--role", "staff", "--team", "north").exit_code == 0
    assert run("users", "add", "Sam South", "--role", "staff", "--team", "south").exit_code == 0
    left_out = run("import", str(letters_dir))
    assert left_out.exit_code == 2
    assert ("Error: say which team the letters are for, with --team: the teams are 'north', 'south'; "
            "nothing was stored") in " ".join(left_out.stderr.split())
    misspelt = run("import", str(letters_dir), "--sent", "--team", "nrth")
    assert misspelt.exit_code == 2
    assert ("Invalid value for --team: there is no team called 'nrth' (did you mean 'north'?); the teams are "
            "'north', 'south'; nothing was stored; for a new team, add its first user (vcl-qa users add NAME "
            "--role staff --team TEAM) and import the folder again") in " ".join(misspelt.stderr.split())
    assert count(dbfile, "letters") == 0 and count(dbfile, "versions") == 0
    stored = run("import", str(letters_dir), "--team", "south")
    assert stored.exit_code == 0 and "(team south)" in " ".join(stored.stderr.split())
    db = open_db(dbfile)
    assert [r[0] for r in db.execute("SELECT DISTINCT team FROM letters")] == ["south"]
    db.close()


def test_import_with_no_team_known_goes_to_default_and_says_so(dbfile, letters_dir):
    (letters_dir / "broken.txt").unlink()
    first = run("import", str(letters_dir))
    assert first.exit_code == 0 and "(team default)" in " ".join(first.stderr.split())
    assert run("users", "add", "Ann North", "--role", "staff", "--team", "north").exit_code == 0
    # 'default' is a team the service knows now (it has letters): left out, --team is still it
    again = run("import", str(letters_dir))
    assert again.exit_code == 0 and "already there 3" in again.stderr


def test_import_sent_uses_letter_date_and_needs_it(dbfile, letters_dir):
    result = run("import", str(letters_dir), "--sent", "--team", "north")
    assert "undated.txt: field 'letter_date': --sent needs letter_date" in result.stderr
    db = open_db(dbfile)
    rows = list(db.query("SELECT status, sent_date FROM letters"))
    db.close()
    assert rows == [{"status": "sent", "sent_date": "2024-12-20"}] * 2


def test_import_docx_with_sidecar(dbfile, tmp_path):
    import docx

    folder = tmp_path / "word"
    folder.mkdir()
    document = docx.Document()
    for para in GOOD.split("---\n")[2].split("\n\n"):
        document.add_paragraph(para)
    document.save(folder / "letter.docx")
    (folder / "letter.yml").write_text(GOOD.split("---\n")[1])
    assert run("import", str(folder)).exit_code == 0
    db = open_db(dbfile)
    row = next(db.query("SELECT l.urn, v.text FROM letters l JOIN versions v ON v.letter_id = l.id"))
    db.close()
    assert row["urn"] == "42AB1234524"
    assert "Dear Ms Okafor" in row["text"]


def test_export_csv_and_jsonl_carry_scores_but_no_personal_data(dbfile, letters_dir):
    run("import", str(letters_dir))
    out = run("export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    assert {"letter_id", "score", "verdict", "rules_version", "due_date"} <= set(rows[0])
    assert rows[0]["due_date"] == "2024-12-20"
    lines = run("export", "--format", "jsonl").stdout.strip().splitlines()
    assert [json.loads(line)["letter_id"] for line in lines] == [int(r["letter_id"]) for r in rows]
    findings = run("export", "--format", "csv", "--what", "findings").stdout
    assert findings.splitlines()[0].startswith("letter_id,version,team,rules_version,rule")
    for text in (out, "\n".join(lines), findings):
        assert "Okafor" not in text and "42AB1234524" not in text


def test_purge_removes_text_and_names_but_keeps_scores(dbfile, letters_dir):
    run("import", str(letters_dir))
    assert "Purged 0 letters" in run("purge", "--older-than", "30").stderr
    result = run("purge", "--older-than", "0", "--dry-run")
    assert "Would purge 0" in result.stderr  # stored today: not older than 0 days
    db = open_db(dbfile)
    db.execute("UPDATE letters SET created_at = '2020-01-01T00:00:00+00:00'")
    db.close()
    assert "Purged 3 letters" in run("purge", "--older-than", "365").stderr
    db = open_db(dbfile)
    dump = "\n".join(db.conn.iterdump())
    scores = [r[0] for r in db.execute("SELECT score FROM letters").fetchall()]
    searchable = list_letters(db, q="Okafor")[1]
    db.close()
    assert searchable == 0
    assert "Okafor" not in dump and "Nowak" not in dump and "42AB1234524" not in dump
    assert len(scores) == 3 and all(isinstance(s, int) for s in scores)
    assert len(list(csv.DictReader(io.StringIO(run("export").stdout)))) == 3
    assert "purged (no text) 3" in run("rescore").stderr


def test_rescore_with_current_rules_adds_nothing(dbfile, letters_dir):
    run("import", str(letters_dir))
    result = run("rescore")
    assert result.exit_code == 0
    assert "Re-scored 0, already current 3" in result.stderr
    assert count(dbfile, "results") == 3


def test_demo_setup_is_idempotent_and_prints_a_token_per_role(dbfile, tmp_path):
    folder = tmp_path / "samples"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.txt"))[:3]:
        shutil.copy(path, folder)
    first = run("demo-setup", "--folder", str(folder))
    assert first.exit_code == 0
    letters = count(dbfile, "letters")
    assert letters == 3
    second = run("demo-setup", "--folder", str(folder))
    assert count(dbfile, "letters") == letters
    assert count(dbfile, "users") == 5  # one per role, and a second panel member
    db = open_db(dbfile)
    for role in ("staff", "panel", "manager", "admin"):
        assert f"demo-{role}" in second.stdout
    tokens = [word for line in second.stdout.splitlines() for word in line.split() if len(word) == 43]
    assert [user_by_token(db, t).role for t in tokens] == ["staff", "panel", "manager", "admin", "panel"]
    old = [word for line in first.stdout.splitlines() for word in line.split() if len(word) == 43]
    assert [user_by_token(db, t) for t in old] == [None] * 5
    db.close()


def test_demo_setup_loads_the_project_samples(dbfile):
    result = run("demo-setup")
    assert result.exit_code == 0
    assert count(dbfile, "letters") == len(list(SAMPLES.glob("*.txt")))
    assert count(dbfile, "decisions") > 0
    assert count(dbfile, "panel_items") > 0
    assert "/sign-in" in result.stdout


def test_rescore_after_a_rules_change_keeps_the_old_results(dbfile, letters_dir):
    run("import", str(letters_dir))
    db = open_db(dbfile)
    db.execute("UPDATE letters SET rules_version = 'older-rules'")
    db.execute("UPDATE results SET rules_version = 'older-rules'")
    db.close()
    result = run("rescore")
    assert "Re-scored 3, already current 0" in result.stderr
    db = open_db(dbfile)
    versions = [r[0] for r in db.execute("SELECT rules_version FROM results ORDER BY id").fetchall()]
    latest = {r[0] for r in db.execute("SELECT rules_version FROM letters").fetchall()}
    db.close()
    assert versions[:3] == ["older-rules"] * 3
    assert len(versions) == 6 and "older-rules" not in versions[3:]
    assert latest == {versions[3]}
    assert "Re-scored 0, already current 3" in run("rescore").stderr


def test_docs_cover_every_service_command():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
    for command in ("vcl-qa serve", "vcl-qa users add", "vcl-qa users token", "vcl-qa users\nlist",
                    "vcl-qa import", "vcl-qa export", "vcl-qa purge", "vcl-qa rescore", "vcl-qa demo-setup"):
        assert command.replace("\n", " ") in docs.replace("\n", " "), command


def test_purge_keeps_a_purged_letter_linked_to_its_decision(dbfile, tmp_path):
    """The register must not turn a purged letter's decision into a 'missing' letter."""
    from vcl_qa.decisions.register import register

    letter = SAMPLES / "01_good_discontinued_assault_standard.txt"
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(letter, folder)
    run("import", str(folder), "--sent", "--team", "demo")  # a decision links its own team's letters
    header = "urn,decision,decision_date,victim_category,team,victim_name\n"
    ctx = Letter.from_file(letter).context
    (tmp_path / "d.csv").write_text(header + f"{ctx.urn},{ctx.decision},{ctx.decision_date},"
                                    f"{ctx.victim_category},demo,{ctx.victim_name}\n")
    run("import-decisions", str(tmp_path / "d.csv"))
    db = open_db(dbfile)
    before = [r["status"] for r in register(db, today=dt.date(2026, 1, 1))]
    # sent on its own (old) letter date: after the decision, so it is the decision's letter
    # (a letter sent before its decision is not, and the entry would stay overdue)
    db.execute("UPDATE letters SET sent_date = letter_date")
    db.close()
    assert "Purged 1 letters" in run("purge", "--older-than", "365").stderr
    db = open_db(dbfile)
    after = register(db, today=dt.date(2026, 1, 1))
    dump = "\n".join(db.conn.iterdump())
    db.close()
    assert before == ["sent_on_time"]
    assert [r["status"] for r in after] == ["sent_on_time"]
    assert ctx.urn not in dump and "Nowak" not in dump


def test_purge_clears_old_closed_decisions_in_the_register(dbfile, tmp_path):
    """Only a closed entry (its letter sent, here recorded in the register) loses its reference
    and name; an old one still waiting for its letter, and a recent one, keep them (review 6,
    item 1: an overdue case turned into `purged-...` could no longer be told apart)."""
    from vcl_qa import clock

    recent = (clock.today() - dt.timedelta(days=30)).isoformat()
    header = "urn,decision,decision_date,victim_category,team,victim_name,letter_date\n"
    (tmp_path / "d.csv").write_text(header + "01AB2222222,not_charged,2019-03-04,standard,demo,Mr Ivo Pretorius,2019-03-05\n"
                                    "01AB4444444,not_charged,2019-03-04,standard,demo,Mrs Still Waiting,\n"
                                    f"01AB3333333,not_charged,{recent},standard,demo,Ms Recent Person,\n")
    assert run("init").exit_code == 0
    assert run("users", "add", "demo writer", "--role", "staff", "--team", "demo").exit_code == 0  # a team there is
    assert run("import-decisions", str(tmp_path / "d.csv")).exit_code == 0
    out = run("purge", "--older-than", "365").stderr
    assert "Purged 0 letters older than 365 days." in out
    assert "Register: 1 entry decided before " in out and " purged (closed, every letter purged)" in out
    assert "Register: 1 entry decided before " in out and "keeps its case reference and victim's name: still open" in out
    db = open_db(dbfile)
    dump = "\n".join(db.conn.iterdump())
    count = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
    db.close()
    assert count == 3
    assert "Pretorius" not in dump and "01AB2222222" not in dump
    assert "Still Waiting" in dump and "01AB4444444" in dump
    assert "Recent Person" in dump and "01AB3333333" in dump
