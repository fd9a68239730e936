"""`severity_when`: any rule may set a different severity for the cases a condition names (the
first entry that holds wins; a field it needs that is missing leaves the rule's own severity).
Its conditions are checked when the rules load, like `when`."""
from __future__ import annotations


import pytest
import yaml

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import RulesError



def edit_rule(folder, fname, rid, **changes):
    path = folder / fname
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(r for r in data["rules"] if r["id"] == rid).update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


COLD = "Dear Ms Okafor\n\nPlease note that the case has been stopped.\n"


def severity(**ctx):
    r = score_letter(Letter(text=COLD, context=LetterContext(**ctx)))
    return [f.severity for f in r.findings if f.rule == "empathy.cold"]


def test_an_existence_rule_takes_severity_when_first_match_wins(rules_copy):
    edit_rule(rules_copy, "empathy.yml", "empathy.cold", severity_when=[
        {"when": {"bereaved": True}, "severity": "error"},
        {"when": {"offence": ["homicide", "assault"]}, "severity": "suggestion"},
    ])
    assert severity(bereaved=True, offence="assault") == ["error"]
    assert severity(bereaved=False, offence="assault") == ["suggestion"]
    assert severity(bereaved=False, offence="theft") == ["warning"]
    assert severity() == ["warning"]  # fields missing: the rule's own severity


def test_severity_when_with_an_unknown_detail_stops_loading(rules_copy):
    edit_rule(rules_copy, "empathy.yml", "empathy.cold",
              severity_when=[{"when": {"ofence": ["assault"]}, "severity": "error"}])
    with pytest.raises(RulesError) as err:
        load_rules()
    assert "empathy.cold" in str(err.value) and "severity_when.0.when.ofence" in str(err.value)


@pytest.mark.parametrize("entry,key", [
    ({"when": {"bereaved": True}, "severity": "fatal"}, "severity"),
    ({"when": {"bereaved": True}, "severity": "error", "extra": 1}, "extra"),
    ({"severity": "error"}, "when"),
])
def test_a_badly_written_entry_is_named(rules_copy, entry, key):
    edit_rule(rules_copy, "empathy.yml", "empathy.cold", severity_when=[entry])
    with pytest.raises(RulesError) as err:
        load_rules()
    assert "empathy.cold" in str(err.value) and f"severity_when.0.{key}" in str(err.value)
