"""vcl-qa import-decisions and vcl-qa digest (contract section 5), on a real SQLite file."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from vcl_qa.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_letters" / "decisions.csv"
# Counted, not written out: the samples grow.
SAMPLE_DECISIONS = sum(1 for _ in csv.DictReader(SAMPLE.open(encoding="utf-8")))
SAMPLE_LETTERS = len(list(SAMPLE.parent.glob("*.txt")))


@pytest.fixture
def bare(tmp_path):
    """The command line on a path with no database yet."""
    runner = CliRunner()
    env = {"VCL_QA_DB": str(tmp_path / "vcl_qa.db")}

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def run(bare):
    assert bare("init").exit_code == 0
    # The sample register's teams are teams there are (a decision for any other is refused).
    for team in ("demo", "north"):
        assert bare("users", "add", f"{team} writer", "--role", "staff", "--team", team).exit_code == 0
    return bare


def test_digest_on_a_missing_database_stops_and_creates_nothing(bare, tmp_path):
    path = tmp_path / "vcl_qa.db"
    for args in (["digest"], ["digest", "--format", "csv"], ["import-decisions", SAMPLE]):
        result = bare(*args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == f"No database at {path} (set VCL_QA_DB, or run `vcl-qa init`)\n"
    assert list(tmp_path.iterdir()) == []


def test_digest_on_a_file_that_is_not_a_database(bare, tmp_path):
    (tmp_path / "vcl_qa.db").write_text("my notes\n")
    result = bare("digest")
    assert result.exit_code == 2 and "is not a database file" in result.stderr
    (tmp_path / "vcl_qa.db").write_bytes(b"")
    result = bare("digest")
    assert result.exit_code == 2 and "the file is empty" in result.stderr
    assert (tmp_path / "vcl_qa.db").read_bytes() == b""


def test_digest_of_an_empty_register_names_the_database_day_and_count(run, tmp_path):
    text = run("digest", "--today", "2025-12-29")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == f"Database: {tmp_path / 'vcl_qa.db'}"
    assert lines[2] == ("Counting Monday 29 December 2025 as today (the day asked for); "
                        "the register holds 0 decisions.")
    assert "The register is empty: import decisions with `vcl-qa import-decisions`." in text.stdout
    assert "Nothing due" not in text.stdout
    csv_out = run("digest", "--format", "csv")
    assert csv_out.stdout.splitlines() == [",".join(
        ["urn", "decision", "decision_date", "victim_category", "due_date", "status",
         "working_days_left", "working_days_late", "working_days", "team"])]
    assert csv_out.stderr.splitlines()[0] == f"Database: {tmp_path / 'vcl_qa.db'}"
    assert "today's date in the UK" in csv_out.stderr  # review 11a, finding 12: the UK date, not the computer's
    assert "The register is empty" in csv_out.stderr


def test_import_sample_then_again_changes_nothing(run):
    first = run("import-decisions", SAMPLE)
    assert first.exit_code == 0, first.output
    assert f"Registered {SAMPLE_DECISIONS} new, updated 0, unchanged 0, failed 0." in first.stderr
    again = run("import-decisions", SAMPLE)
    assert again.exit_code == 0
    assert f"Registered 0 new, updated 0, unchanged {SAMPLE_DECISIONS}, failed 0." in again.stderr


def test_import_reports_each_bad_row_by_row_and_field(run, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("urn,decision,decision_date,victim_category,team\n"
                    "42AB1234524,discontinued,2025-01-02,enhanced,north\n"
                    "42AB1234525,discontinued,2025-01-32,enhanced,north\n"
                    "42AB1234526,discontinued,2025-01-02,vulnerable,north\n", encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 1
    assert "Registered 1 new, updated 0, unchanged 0, failed 2." in result.stderr
    assert "row 3: field 'decision_date': '2025-01-32' is not a real date" in result.stderr
    assert "row 4: field 'victim_category': 'vulnerable' is not one of" in result.stderr
    # Fixing the bad rows and importing again adds only those.
    path.write_text(path.read_text().replace("2025-01-32", "2025-01-03").replace("vulnerable", "standard"))
    fixed = run("import-decisions", path)
    assert fixed.exit_code == 0
    assert "Registered 2 new, updated 0, unchanged 1, failed 0." in fixed.stderr


def test_import_refuses_a_row_whose_team_is_unknown(run, tmp_path):
    """A team nobody has ("nrth", "North") was registered: a register of its own that none of the
    team's letters link to, its decisions never in the team's digest. POST /decisions refused a
    manager's unknown team (a406537); the file now fails each such row, naming its line and the
    team, as any other bad row (the good rows are registered)."""
    import sqlite3

    path = tmp_path / "register.csv"
    path.write_text("urn,decision,decision_date,victim_category,team\n"
                    "42AB1234531,discontinued,2025-01-02,enhanced,north\n"
                    "42AB1234532,discontinued,2025-01-02,enhanced,nrth\n"
                    "42AB1234533,discontinued,2025-01-02,enhanced,North\n"
                    "42AB1234534,discontinued,2025-01-32,enhanced,east\n"
                    "42AB1234535,discontinued,2025-01-02,enhanced,demo\n"
                    "42AB1234536,discontinued,2025-01-02,enhanced,north\u200b\n", encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())  # the console wraps long lines
    assert "Registered 2 new, updated 0, unchanged 0, failed 4." in said
    new_team = ("for a new team, add its first user (vcl-qa users add NAME --role staff --team TEAM) "
                "and import the file again")
    assert ("row 3: field 'team': there is no team called 'nrth' (did you mean 'north'?); the teams are "
            f"'demo', 'north'; {new_team}") in said
    assert "row 4: field 'team': there is no team called 'North' (did you mean 'north'?)" in said
    # with every other problem of the row
    assert ("row 5: field 'decision_date': '2025-01-32' is not a real date (use YYYY-MM-DD); "
            "field 'team': there is no team called 'east'") in said
    assert ("row 7: field 'team': there is no team called 'north\\u200b' (it holds U+200B ZERO WIDTH SPACE; "
            "did you mean 'north'?)") in said
    assert said.count("row 7:") == 1 and said.count("U+200B") == 1  # said once
    with sqlite3.connect(tmp_path / "vcl_qa.db") as conn:
        assert conn.execute("SELECT urn, team FROM decisions ORDER BY urn").fetchall() == [
            ("42AB1234531", "north"), ("42AB1234535", "demo")]
    # A new team: once it has a user, its decisions are registered.
    assert run("users", "add", "east writer", "--role", "staff", "--team", "east").exit_code == 0
    path.write_text(path.read_text().replace("nrth", "north").replace("North", "north").replace("01-32", "01-03")
                    .replace("\u200b", ""))
    fixed = run("import-decisions", path)
    assert fixed.exit_code == 0, fixed.stderr
    assert "Registered 4 new, updated 0, unchanged 2, failed 0." in fixed.stderr


def test_import_refuses_an_unknown_team_option_before_registering_anything(run, tmp_path):
    import sqlite3

    path = tmp_path / "register.csv"
    path.write_text("urn,decision,decision_date,victim_category,team\n"
                    "42AB1234536,discontinued,2025-01-02,enhanced,north\n"
                    "42AB1234537,discontinued,2025-01-02,enhanced,\n", encoding="utf-8")
    result = run("import-decisions", path, "--team", "nroth")
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "Invalid value for --team: there is no team called 'nroth' (did you mean 'north'?)" in said
    assert "the teams are 'demo', 'north'; nothing was registered; for a new team, add its first user" in said
    with sqlite3.connect(tmp_path / "vcl_qa.db") as conn:
        assert conn.execute("SELECT count(*) FROM decisions").fetchone() == (0,)
    assert run("import-decisions", path, "--team", "demo").exit_code == 0


def test_import_unusable_file_exits_2(run, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("urn,decision,when\n1,discontinued,2025-01-02\n", encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 2
    assert "unknown column 'when'" in result.stderr


def test_import_a_column_given_twice_exits_2_naming_both(run, tmp_path):
    """A review: the second of two columns of one name (case aside) was taken, silently."""
    path = tmp_path / "register.csv"
    path.write_text("urn,decision,decision_date,victim_category,Victim_Category,team\n"
                    "A1,discontinued,2024-12-02,standard,enhanced,demo\n", encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 2
    assert ("column 'victim_category' is given twice, as columns 4 ('victim_category') and 5 ('Victim_Category')"
            in " ".join(result.stderr.split()))


@pytest.mark.parametrize("cell, line, column", [
    ("Ms " + "A" * 200_000, 3, "victim_name"),  # the review's file, smaller: any cell over 131,072
    ('"' + "line\n" * 30_000 + '"', 3, "victim_name"),  # quoted, over many lines: stops, takes no line for a row
])
def test_import_with_a_cell_too_long_for_the_csv_reader_names_the_line_and_stops(run, tmp_path, cell, line, column):
    """Review 10b, finding 10: a cell over 131,072 characters ended in a traceback
    (_csv.Error: field larger than field limit), naming neither line nor field."""
    import sqlite3

    path = tmp_path / "register.csv"
    path.write_text("urn,decision,decision_date,victim_category,team,victim_name\n"
                    "42AB1234524,discontinued,2025-01-02,enhanced,north,Ms Short\n"
                    f"42AB1234525,discontinued,2025-01-02,enhanced,north,{cell}\n"
                    "42AB1234526,discontinued,2025-01-02,enhanced,north,Ms After\n", encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())  # the console wraps long lines
    assert f"{path}: line {line}: the {column} cell is longer than 131,072 characters" in said
    assert "nothing was registered" in said and "Traceback" not in said
    assert len(result.stderr) < 1000  # never the cell itself
    with sqlite3.connect(tmp_path / "vcl_qa.db") as conn:
        assert conn.execute("SELECT count(*) FROM decisions").fetchone() == (0,)


def test_a_long_cell_in_the_header_is_named_too(run, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("urn,decision," + "x" * 140_000 + "\n", encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 2
    assert "line 1: a cell is longer than 131,072 characters" in " ".join(result.stderr.split())


def digest_rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_digest_csv_and_text_after_letters_are_sent(run):
    assert run("import-decisions", SAMPLE).exit_code == 0
    before = digest_rows(run("digest", "--today", "2025-12-29", "--format", "csv"))
    assert list(before[0]) == ["urn", "decision", "decision_date", "victim_category", "due_date",
                               "status", "working_days_left", "working_days_late", "working_days", "team"]
    # Before any letter is stored, every decision decided by that day is open.
    assert len(before) == SAMPLE_DECISIONS
    assert run("import", "--sent", "--team", "demo", ROOT / "sample_letters").exit_code == 0
    rows = digest_rows(run("digest", "--today", "2025-12-29", "--format", "csv"))
    assert all(int(r["working_days_left"]) >= 0 and int(r["working_days_late"]) >= 0 for r in rows)
    assert all(int(r["working_days"]) == int(r["working_days_left"]) - int(r["working_days_late"]) for r in rows)
    assert [(r["urn"], r["status"], r["working_days"]) for r in rows] == [
        ("52LS0447124", "overdue", "-335"),
        ("30SY0912324", "overdue", "-256"),
        ("52LS0581125", "overdue", "-174"),
        ("43HM0518725", "overdue", "-2"),
        ("07GM1120525", "due_today", "0"),
        ("05DY0381925", "due", "1"),
        ("14BR0672425", "due", "1"),
        ("12NF0934125", "due", "3"),
        ("42YC1902425", "due", "4"),   # its sample letter goes out on 30 December
        ("21WY0763325", "due", "4"),
        ("52LS0619925", "due", "4"),
        ("46KS0257425", "due", "5"),
    ]
    assert rows[4]["due_date"] == "2025-12-29" and rows[4]["decision_date"] == "2025-12-24"
    north = digest_rows(run("digest", "--today", "2025-12-29", "--format", "csv", "--team", "north"))
    assert [r["urn"] for r in north] == ["52LS0447124", "52LS0581125", "52LS0619925"]
    text = run("digest", "--today", "2025-12-29", "--team", "demo")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[1] == ("Letters to victims on Monday 29 December 2025 (team demo): "
                                           "2 overdue, 1 due today, 6 due later.")
    assert "43HM0518725" in text.stdout and "2 working days late" in text.stdout
    assert "Liam Carter" not in text.stdout  # no victim names in an e-mail


def test_the_digest_text_gives_days_in_words_and_the_csv_keeps_iso(run, tmp_path):
    """The morning e-mail is read by people: "decided 2025-12-22  due 2025-12-23" read as codes
    beside the summary's "Monday 29 December 2025". Its days are written as the pages write them;
    the CSV, read by programs, keeps YYYY-MM-DD."""
    import re

    assert run("import-decisions", SAMPLE).exit_code == 0
    extra = tmp_path / "not-needed.csv"
    extra.write_text("urn,decision,decision_date,victim_category,team,letter_required,no_letter_reason\n"
                     "42AB1234531,discontinued,2025-12-01,standard,demo,no,The victim asked not to be contacted.\n",
                     encoding="utf-8")
    assert run("import-decisions", extra).exit_code == 0
    text = run("digest", "--today", "2025-12-29", "--team", "demo").stdout
    body = text.split("\n", 1)[1]  # after the database's path
    assert re.findall(r"\d{4}-\d{2}-\d{2}", body) == []
    (line,) = [x for x in body.splitlines() if "43HM0518725" in x]
    assert "decided Monday 22 December 2025" in line and "due Tuesday 23 December 2025" in line
    (unneeded,) = [x for x in body.splitlines() if "42AB1234531" in x]
    assert "decided Monday 1 December 2025" in unneeded and "why: The victim asked" in unneeded
    # the columns still line up: every listed line has its "due" and "team" at one place
    listed = [x for x in body.splitlines() if x.startswith("  ") and " due " in x]
    assert len({x.index(" due ") for x in listed}) == 1
    rows = digest_rows(run("digest", "--today", "2025-12-29", "--team", "demo", "--format", "csv"))
    assert {r["urn"]: (r["decision_date"], r["due_date"]) for r in rows}["43HM0518725"] == ("2025-12-22", "2025-12-23")


def test_digest_counts_unlinked_letters(run):
    assert run("import", "--sent", "--team", "demo", ROOT / "sample_letters").exit_code == 0
    text = run("digest")
    assert "The register is empty" in text.stdout and "Nothing due" not in text.stdout
    assert f"{SAMPLE_LETTERS} stored letters match no decision in the register" in text.stdout
    # a past day counts only the letters stored by then (it counted every letter stored since)
    text = run("digest", "--today", "2025-12-29")
    assert "The register is empty" in text.stdout and "match no decision" not in text.stdout
    assert run("import-decisions", SAMPLE).exit_code == 0
    text = run("digest", "--today", "2020-01-01")
    assert "Nothing due or overdue: no decision in the register was made by this day." in text.stdout
    assert (f"the register holds {SAMPLE_DECISIONS} decisions ({SAMPLE_DECISIONS} decided after that day "
            "left out)") in text.stdout


def test_digest_rejects_a_bad_day(run):
    result = run("digest", "--today", "2025-02-30")
    assert result.exit_code == 2
    assert "2025-02-30" in result.output
    result = run("digest", "--today", "9999-01-01")
    assert result.exit_code == 2
    assert "'9999-01-01' is not between 2000-01-01 and 2099-12-31" in result.output


def test_the_csv_import_keeps_yes_and_no_as_people_write_them(run, tmp_path):
    """The API takes JSON true and false only; a spreadsheet's yes, no, true and false are read
    as before (docs/decisions.md)."""
    path = tmp_path / "register.csv"
    path.write_text("urn,decision,decision_date,victim_category,team,bereaved,letter_required,no_letter_reason\n"
                    "42AB1234527,discontinued,2025-01-02,enhanced,north,yes,,\n"
                    "42AB1234528,discontinued,2025-01-02,enhanced,north,no,true,\n"
                    "42AB1234529,discontinued,2025-01-02,enhanced,north,True,no,The family were told in person.\n"
                    "42AB1234530,discontinued,2025-01-02,enhanced,north,false,False,The victim asked not to be contacted.\n",
                    encoding="utf-8")
    result = run("import-decisions", path)
    assert result.exit_code == 0, result.stderr
    assert "Registered 4 new, updated 0, unchanged 0, failed 0." in result.stderr
    from vcl_qa.db import open_db

    db = open_db(Path(tmp_path / "vcl_qa.db"))
    try:
        got = {r[0]: (r[1], r[2]) for r in db.execute(
            "SELECT urn, bereaved, letter_required FROM decisions ORDER BY urn")}
    finally:
        db.close()
    assert got == {"42AB1234527": (1, 1), "42AB1234528": (0, 1), "42AB1234529": (1, 0), "42AB1234530": (0, 0)}


def test_the_digest_names_each_decision_in_the_words_the_pages_use(run):
    """A manager's review: the morning digest printed decision codes ("no_evidence_offered",
    "not_charged") where the pages say "Offer no evidence", "Not to charge" (vcl_qa/labels.py);
    the CSV keeps the codes, for programs."""
    from vcl_qa import labels

    assert run("import-decisions", SAMPLE).exit_code == 0
    text = run("digest", "--today", "2025-12-29").stdout
    listed = [line for line in text.splitlines() if line.startswith("  ") and " decided " in line]
    assert len(listed) > 3
    for code in labels.DECISIONS:
        assert not any(f" {code} " in line for line in listed), code
    assert sum(any(words in line for words in labels.DECISIONS.values()) for line in listed) == len(listed)
    assert {words for words in labels.DECISIONS.values() if any(words in line for line in listed)} >= {
        "Offer no evidence", "Not to charge"}
    assert "no_evidence_offered" in run("digest", "--today", "2025-12-29", "--format", "csv").stdout
