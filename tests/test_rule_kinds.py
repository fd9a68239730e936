"""Rule kinds are typed: a key a kind does not know, or a shared setting (`when`, `scope`,
`within`) it would ignore, stops the rules from loading with the file, rule and key named;
`when` is decided by the engine for every kind; `within` limits a kind to a concept's sentences."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vcl_qa import Letter, LetterContext
from vcl_qa.cli import main
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import RulesError

ROOT = Path(__file__).resolve().parent.parent



def edit_rule(folder: Path, fname: str, rid: str, **changes) -> None:
    path = folder / fname
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == rid)
    rule.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_rule(folder: Path, fname: str, rule: dict) -> None:
    path = folder / fname
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"].append({"severity": "warning", "title": "Test rule", "message": "Test: {text}",
                          "why": "For the test.", "source": "The test", **rule})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_misspelt_key_stops_loading_naming_file_rule_and_key(rules_copy):
    edit_rule(rules_copy, "empathy.yml", "empathy.cold", case_sensitve=True)
    with pytest.raises(RulesError) as err:
        load_rules()
    text = str(err.value)
    assert str(rules_copy / "empathy.yml") in text
    assert "empathy.cold" in text and "case_sensitve" in text


def test_when_on_a_kind_that_ignores_it_stops_loading(rules_copy):
    edit_rule(rules_copy, "timeliness.yml", "timeliness.late", when={"bereaved": True})
    with pytest.raises(RulesError, match=r"timeliness\.late: key 'when' has no effect on a 'timeliness' rule"):
        load_rules()


def test_scope_on_a_kind_that_ignores_it_stops_loading(rules_copy):
    edit_rule(rules_copy, "content.yml", "content.vrr", scope="letter")
    with pytest.raises(RulesError, match=r"content\.vrr: key 'scope' has no effect on a 'required' rule"):
        load_rules()


def test_a_wrongly_typed_setting_and_an_unknown_condition_are_named(rules_copy):
    edit_rule(rules_copy, "readability.yml", "readability.long_sentence", max_words="many")
    with pytest.raises(RulesError, match=r"readability\.long_sentence: key 'max_words'"):
        load_rules()
    shutil.copy(ROOT / "rules" / "readability.yml", rules_copy / "readability.yml")
    load_rules.cache_clear()
    edit_rule(rules_copy, "content.yml", "content.meeting", when={"bereavd": True})
    with pytest.raises(RulesError, match=r"content\.meeting: key 'when\.bereavd': not a letter detail"):
        load_rules()


def test_every_command_exits_2_on_a_bad_rules_folder(rules_copy, tmp_path):
    edit_rule(rules_copy, "empathy.yml", "empathy.cold", colour="red")
    letter = tmp_path / "l.txt"
    letter.write_text("Dear Ms Okafor\n\nWe have stopped the case.\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["score", str(letter)], ["rules"], ["digest", "--db", str(tmp_path / "x.db")]):
        res = runner.invoke(main, args)
        assert res.exit_code == 2, (args, res.output)
        assert "empathy.cold" in res.output and "colour" in res.output
    # and the installed entry point says the same
    proc = subprocess.run([sys.executable, "-m", "vcl_qa", "rules"], capture_output=True, text=True,
                          env={"VCL_QA_RULES": str(rules_copy), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2 and "unknown key 'colour'" in proc.stderr


TEXT = ("Dear Ms Okafor\n\nI am so sorry for the loss of your brother. We must inform you that the case "
        "has been discontinued. I know this is hard news.\n\nYours sincerely\nJ Whitcombe\n")


def test_when_is_honoured_by_every_kind(rules_copy):
    add_rule(rules_copy, "empathy.yml", {"id": "empathy.test_when", "kind": "existence",
                                          "when": {"bereaved": True}, "patterns": ["hard news"],
                                          "examples": {"flag": [], "pass": []}})
    def fired(**ctx):
        r = score_letter(Letter(text=TEXT, context=LetterContext(**ctx)))
        unknown = any(n.startswith("empathy.test_when") for n in r.dimensions["empathy"].not_assessed)
        return any(f.rule == "empathy.test_when" for f in r.findings), unknown
    assert fired(bereaved=True) == (True, False)
    assert fired(bereaved=False) == (False, False)
    assert fired() == (False, True)


def test_within_limits_a_kind_to_the_sentences_of_a_concept(rules_copy):
    # "jargon inside the condolence" as pure YAML: the words of the condolence sentence only.
    add_rule(rules_copy, "empathy.yml", {"id": "empathy.test_within", "kind": "existence",
                                          "within": "condolence", "patterns": ["loss", "discontinued"],
                                          "examples": {"flag": [], "pass": []}})
    r = score_letter(Letter(text=TEXT, context=LetterContext(bereaved=True)))
    hits = [f.text for f in r.findings if f.rule == "empathy.test_within"]
    assert hits == ["loss"]  # "discontinued" is in another sentence
    no_condolence = TEXT.replace("I am so sorry for the loss of your brother. ", "")
    r = score_letter(Letter(text=no_condolence, context=LetterContext(bereaved=True)))
    assert not [f for f in r.findings if f.rule == "empathy.test_within"]


def test_within_names_a_known_concept(rules_copy):
    edit_rule(rules_copy, "empathy.yml", "empathy.cold", within="condolances")
    with pytest.raises(RulesError, match="unknown concept 'condolances'"):
        load_rules()


def test_a_broken_exercise_file_stops_the_server_starting(rules_copy, tmp_path):
    first = sorted((rules_copy / "training").glob("*.yml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nbreif: a misspelt key\n", encoding="utf-8")
    # the installed command in a child process (a server that did start would be stopped by the timeout)
    proc = subprocess.run([sys.executable, "-m", "vcl_qa", "serve", "--port", "1"], capture_output=True,
                          text=True, timeout=120, env={"VCL_QA_RULES": str(rules_copy), "PATH": "/usr/bin:/bin",
                                                       "VCL_QA_DB": str(tmp_path / "s.db")})
    assert proc.returncode == 2, proc.stderr
    assert first.name in proc.stderr and "breif" in proc.stderr


def test_an_unknown_key_in_a_concept_stops_loading(rules_copy):
    path = rules_copy / "concepts.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["review_right"]["stopwords"] = "the a an"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError, match=r"concept review_right: unknown key 'stopwords'"):
        load_rules()
