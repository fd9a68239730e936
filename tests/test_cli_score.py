"""`vcl-qa score` and `vcl-qa rules` as a user runs them: through click's CliRunner (in
process, fast), and once as a real subprocess through the installed entry point."""
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
from click.testing import CliRunner

from vcl_qa.cli import main

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


def test_text_format_is_grouped_and_quotes_the_words():
    proc = run("score", str(SAMPLES / "28_flawed_sir_madam_placeholder.txt"))
    assert proc.returncode == 1
    out = proc.stdout
    assert "Score " in out and "Content" in out
    assert "Dear Sir/Madam" in out
    assert "-> try: Dear " in out
    assert "line " in out


def test_bad_input_exits_two_and_names_the_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("---\ndecision: maybe\n---\nDear Ms Okafor\n\nWe stopped the case.\n")
    proc = run("score", str(bad))
    assert proc.returncode == 2
    assert "bad.txt" in proc.stderr and "decision" in proc.stderr


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


def test_rules_lists_every_rule():
    proc = run("rules")
    assert proc.returncode == 0
    for rule_id in ("content.vrr", "empathy.blame", "timeliness.late", "readability.jargon"):
        assert rule_id in proc.stdout
