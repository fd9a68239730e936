"""`vcl-qa score` and `vcl-qa rules` as a user runs them: through click's CliRunner (in
process, fast), and once as a real subprocess through the installed entry point."""
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
from click.testing import CliRunner

from vcl_qa.cli import main
from vcl_qa.engine.letter import CONTEXT_FIELDS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_letters"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args):
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return Ran(res.exit_code, res.stdout, res.stderr)


def test_the_installed_command_scores_every_sample_as_jsonl():
    proc = subprocess.run([str(Path(sys.executable).parent / "vcl-qa"), "score", str(SAMPLES),
                           "--format", "jsonl"], capture_output=True, text=True, cwd=ROOT)
    assert len(proc.stdout.splitlines()) == len(list(SAMPLES.glob("*.txt")))
    assert proc.returncode == 1, proc.stderr


def test_jsonl_gives_one_valid_result_per_sample():
    proc = run("score", str(SAMPLES), "--format", "jsonl")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    files = sorted(SAMPLES.glob("*.txt"))
    assert len(rows) == len(files)
    assert {Path(r["path"]).name for r in rows} == {f.name for f in files}
    for r in rows:
        assert 0 <= r["score"] <= 100
        assert r["verdict"] in ("good", "needs_work", "poor")
        assert set(r["dimensions"]) == {"timeliness", "content", "readability", "empathy"}
        assert r["rules_version"]
    assert proc.returncode == 1  # the flawed samples have errors


def test_json_for_one_good_letter_exits_zero():
    proc = run("score", str(SAMPLES / "02_good_not_charged_sexual_offence_enhanced.txt"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["verdict"] == "good"
    assert result["metrics"]["due_date"]


def test_text_format_speaks_as_the_pages_do():
    proc = run("score", str(SAMPLES / "28_flawed_sir_madam_placeholder.txt"))
    assert proc.returncode == 1
    out = proc.stdout
    assert "Score " in out and "What it says" in out
    assert 'Must fix      Impersonal greeting or wrong name: paragraph 5, "Dear Sir/Madam"' in out
    assert "Try: Dear " in out
    assert "Worth a look  Passive voice: paragraph " in out
    # No line:column (kept in --format json), no programmers' severity words, no colour codes.
    assert not re.search(r"line \d+:\d+", out)
    assert "ERROR" not in out and "warning" not in out and "suggestion" not in out
    assert "\x1b[" not in out
    data = json.loads(run("score", str(SAMPLES / "28_flawed_sir_madam_placeholder.txt"), "--format", "json").stdout)
    assert all(f["line"] and f["column"] for f in data["findings"] if f["start"] is not None)


def test_not_checked_says_which_detail_to_set(tmp_path):
    path = tmp_path / "l.txt"
    path.write_text("---\ndecision: discontinued\n---\nDear Ms Okafor\n\nWe have decided to stop the case.\n")
    out = run("score", str(path)).stdout
    assert "On time not checked" in out
    assert 'Set bereaved to check "No offer to meet" and "No condolences".' in out
    assert 'Set decision_date and victim_category to check "Letter late"' in out
    assert "content.meeting" not in out and "letter's details" not in out


def test_quiet_prints_the_score_alone_and_many_files_end_with_a_summary():
    good = str(SAMPLES / "02_good_not_charged_sexual_offence_enhanced.txt")
    one = run("score", "--quiet", good)
    assert one.returncode in (0, 1) and re.fullmatch(r"\d{1,3}\n", one.stdout)
    assert one.stdout == f"{json.loads(run('score', '--format', 'json', good).stdout)['score']}\n"
    many = run("score", "-q", str(SAMPLES))
    lines = many.stdout.splitlines()
    assert len(lines) == len(list(SAMPLES.glob("*.txt")))
    assert all(re.fullmatch(r"\d{1,3}\t\S+\.txt", line) for line in lines)
    assert re.fullmatch(rf"{len(lines)} letters scored: \d+ good, \d+ needs work(, \d+ poor)?; "
                        r"\d+ with something that must be fixed\.\n", many.stderr)
    text = run("score", str(SAMPLES / "01_good_discontinued_assault_standard.txt"),
               str(SAMPLES / "28_flawed_sir_madam_placeholder.txt")).stdout
    assert re.fullmatch(r"2 letters scored: (1 good, 1 needs work|2 needs work); [12] with something "
                        r"that must be fixed\.", text.rstrip().splitlines()[-1])
    assert run("score", "-q", "--format", "jsonl", str(SAMPLES)).returncode == 2


def test_colour_only_on_a_terminal():
    from vcl_qa import Letter, score_letter
    from vcl_qa.engine.report import render_text

    letter = Letter.from_file(SAMPLES / "28_flawed_sir_madam_placeholder.txt")
    result = score_letter(letter)
    coloured = render_text("x", letter, result, color=True)
    assert "\x1b[31m\x1b[1mMust fix\x1b[0m" in coloured
    assert "\x1b[" not in render_text("x", letter, result)


def test_paragraph_numbers():
    from vcl_qa.engine.report import _paragraph_starts, paragraph_number

    text = "Private\n\nDear Ms Okafor\n\n\nFirst line\nsame paragraph\n  \nLast"
    starts = _paragraph_starts(text)
    assert [paragraph_number(starts, text.index(w)) for w in ("Private", "Dear", "First", "same", "Last")] == [
        1, 2, 3, 3, 4]
    word = "Dear Ms Okafor\nWe stopped the case.\nYours"  # a Word document: one paragraph a line
    assert paragraph_number(_paragraph_starts(word), word.index("Yours")) == 3


def test_bad_input_exits_two_and_names_the_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("---\ndecision: maybe\n---\nDear Ms Okafor\n\nWe stopped the case.\n")
    proc = run("score", str(bad))
    assert proc.returncode == 2
    assert "bad.txt" in proc.stderr and "decision" in proc.stderr


def test_every_wrong_detail_in_a_letter_file_is_named_at_once(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("---\ndecison: discontinued\nvictim_category: vulnerable\ndecision_date: 2024-02-30\n---\n"
                   "Dear Ms Okafor\n\nWe stopped the case.\n")
    proc = run("score", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[:4] == [
        f"error: {bad}: 3 problems in the letter's details:",
        f"  field 'decison': unknown field (allowed: {', '.join(CONTEXT_FIELDS)})",
        "  field 'victim_category': 'vulnerable' is not one of 'enhanced' or 'standard'",
        "  field 'decision_date': '2024-02-30' is not a real date (use YYYY-MM-DD)",
    ]


def test_json_refuses_many_files():
    proc = run("score", str(SAMPLES), "--format", "json")
    assert proc.returncode == 2
    assert "jsonl" in proc.stderr


def test_docx_with_options(tmp_path):
    path = tmp_path / "draft.docx"
    d = docx.Document()
    for p in ["Dear Ms Okafor", "We have decided to stop the case against Mr Lane."]:
        d.add_paragraph(p)
    d.save(path)
    proc = run("score", str(path), "--format", "json", "--decision", "discontinued", "--victim-name", "Ms Jane Okafor")
    result = json.loads(proc.stdout)
    assert "content.vrr" in {f["rule"] for f in result["findings"]}
    assert "content.salutation" not in {f["rule"] for f in result["findings"]}


def test_a_word_letters_findings_are_placed_by_its_own_paragraphs(tmp_path):
    """Review 10: a Word letter with a header read before a blank line put every finding in
    "paragraph 2"; each Word paragraph is a paragraph."""
    path = tmp_path / "draft.docx"
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Private - to be opened by addressee only"
    for p in ["Dear Ms Okafor", "We have decided to stop the case against Mr Lane.",
              "Prior to the hearing, the prosecutor looked at the file.",
              "The complainant was told by telephone.", "Yours sincerely", "Sam Staff"]:
        d.add_paragraph(p)
    d.save(path)
    out = run("score", str(path), "--decision", "discontinued", "--victim-name", "Ms Jane Okafor").stdout
    assert re.search(r'paragraph 4, "Prior to"', out), out
    assert re.search(r'paragraph 5, "complainant"', out), out


def test_suppression_is_reported_not_dropped(tmp_path):
    text = (SAMPLES / "18_flawed_decision_unclear.txt").read_text()
    text = text.replace("---\n", "---\nsuppress:\n  - {rule: readability.jargon, term: prior to, reason: area wording agreed with the panel}\n", 1)
    path = tmp_path / "s.txt"
    path.write_text(text)
    result = json.loads(run("score", str(path), "--format", "json").stdout)
    prior = [f for f in result["findings"] if (f["text"] or "").lower() == "prior to"]
    assert prior and all(f["suppressed"] and f["penalty"] == 0 for f in prior)
    assert prior[0]["suppressed_reason"] == "area wording agreed with the panel"
    others = [f for f in result["findings"] if f["rule"] == "readability.jargon" and (f["text"] or "").lower() != "prior to"]
    assert others and not any(f["suppressed"] for f in others)


def test_a_suppression_naming_no_rule_is_an_error_not_silence(tmp_path):
    """A typo in a rule id set aside nothing and said nothing (second review): it is an error
    that names the file, the field and the likely rule."""
    text = (SAMPLES / "18_flawed_decision_unclear.txt").read_text()
    text = text.replace("---\n", "---\nsuppress:\n  - {rule: readability.jargn, reason: agreed with the panel}\n", 1)
    path = tmp_path / "typo.txt"
    path.write_text(text)
    proc = run("score", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert (f"{path}, field 'suppress': no rule is called 'readability.jargn' (did you mean "
            "readability.jargon?)") in proc.stderr


def test_rules_lists_every_rule():
    proc = run("rules")
    assert proc.returncode == 0
    for rule_id in ("content.vrr", "empathy.blame", "timeliness.late", "readability.jargon"):
        assert rule_id in proc.stdout


def test_a_letter_saved_by_notepad_as_unicode_is_scored_as_the_utf8_file_is(tmp_path):
    """Review: `vcl-qa score` on a file Notepad saved as "Unicode" (UTF-16 with a byte-order mark)
    said "this looks like a binary file, not a text letter" and exited 2."""
    text = (SAMPLES / "02_good_not_charged_sexual_offence_enhanced.txt").read_text(encoding="utf-8")
    utf8 = run("score", str(SAMPLES / "02_good_not_charged_sexual_offence_enhanced.txt"), "--format", "json")
    for name, data in (("unicode.txt", b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")),
                       ("unicode_big_endian.txt", b"\xfe\xff" + text.encode("utf-16-be")),
                       ("utf8_bom.md", text.encode("utf-8-sig"))):
        path = tmp_path / name
        path.write_bytes(data)
        proc = run("score", str(path), "--format", "json")
        assert proc.returncode == 0, (name, proc.stderr)
        assert json.loads(proc.stdout) == json.loads(utf8.stdout), name


def test_utf16_without_its_mark_says_to_save_as_utf8(tmp_path):
    path = tmp_path / "no_mark.txt"
    path.write_bytes("Dear Ms Okafor\n\nWe have decided to stop the case.\n".encode("utf-16-le"))
    proc = run("score", str(path))
    assert proc.returncode == 2
    assert "no_mark.txt" in proc.stderr and "looks like text saved as UTF-16" in proc.stderr
    assert "save it again as UTF-8" in proc.stderr and "binary" not in proc.stderr
