"""The CPS drafting checklist rules (issue 16): the private heading, reassurance about reporting
in future (its severity set by the offence), the victim's own views where they withdrew support,
and what the CPS does; the `withdrawal` field; and the suggested paragraphs, which clear their
finding and raise nothing new."""
import datetime as dt
from pathlib import Path

import pytest
import yaml

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.errors import LetterError

HERE = Path(__file__).resolve().parent / "checklist_letters"
EXPECTED = yaml.safe_load((HERE / "expected.yml").read_text(encoding="utf-8"))
TODAY = dt.date(2025, 12, 1)
GOOD = HERE / "good_withdrawal_views_domestic_abuse.txt"


def score(text: str, **context):
    return score_letter(Letter(text=text, context=LetterContext.model_validate(context)), today=TODAY)


def findings(result, rule: str):
    return [f for f in result.findings if f.rule == rule]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_checklist_letter_raises_exactly_its_rules(name):
    result = score_letter(Letter.from_file(HERE / name), today=TODAY)
    raised = {f.rule for f in result.findings if f.severity in ("error", "warning")}
    assert raised == set(EXPECTED[name])


# --- content.future_reporting: severity by offence ----------------------------------------

STOPPED = "We have decided to stop the case against Mr Lane. Thank you for your help."


@pytest.mark.parametrize("offence,severity", [
    ("domestic_abuse", "error"), ("hate_crime", "error"), ("sexual_offence", "error"),
    ("assault", "warning"), ("burglary", "warning"), (None, "warning"),
])
def test_future_reporting_is_an_error_where_repeat_victimisation_is_most_common(offence, severity):
    [f] = findings(score(STOPPED, decision="discontinued", offence=offence), "content.future_reporting")
    assert f.severity == severity


def test_future_reporting_error_costs_an_errors_points_and_caps_the_score():
    da = score(STOPPED, decision="discontinued", offence="domestic_abuse")
    theft = score(STOPPED, decision="discontinued", offence="theft")
    assert findings(da, "content.future_reporting")[0].penalty == 40
    assert findings(theft, "content.future_reporting")[0].penalty == 10
    assert da.has_errors() and da.verdict != "good"


@pytest.mark.parametrize("decision", ["charge_altered", "left_on_file"])
def test_future_reporting_does_not_apply_to_a_case_that_goes_on(decision):
    result = score(STOPPED, decision=decision, offence="domestic_abuse")
    assert findings(result, "content.future_reporting") == []
    assert not any("future_reporting" in n for n in result.dimensions["content"].not_assessed)


def test_future_reporting_not_assessed_without_a_decision():
    result = score(STOPPED, offence="domestic_abuse")
    assert findings(result, "content.future_reporting") == []
    assert any(n.startswith("content.future_reporting") for n in result.dimensions["content"].not_assessed)


# --- content.victim_views and the withdrawal field ----------------------------------------

NO_VIEWS = "We have decided to stop the case, because the only other witness cannot be found."


def test_victim_views_fires_only_when_the_victim_withdrew():
    assert findings(score(NO_VIEWS, withdrawal=True), "content.victim_views")[0].severity == "error"
    assert findings(score(NO_VIEWS, withdrawal=False), "content.victim_views") == []


@pytest.mark.parametrize("context", [{}, {"withdrawal": "unknown"}])
def test_victim_views_not_assessed_when_withdrawal_is_missing_or_unknown(context):
    result = score(NO_VIEWS, **context)
    assert findings(result, "content.victim_views") == []
    [note] = [n for n in result.dimensions["content"].not_assessed if n.startswith("content.victim_views")]
    assert "withdrawal" in note
    assert ("unknown" in note) == bool(context)


@pytest.mark.parametrize("value,expected", [
    (True, True), (False, False), ("unknown", "unknown"), ("Unknown", "unknown"),
    ("true", True), ("no", False), ("", None), (None, None),
])
def test_withdrawal_takes_true_false_or_unknown(value, expected):
    assert LetterContext(withdrawal=value).withdrawal == expected


def test_a_bad_withdrawal_value_names_the_field_and_the_choices():
    with pytest.raises(LetterError) as err:
        Letter.from_text("---\nwithdrawal: maybe\n---\nDear Ms Lowe\n\nWe have stopped the case.\n",
                         source="x.txt")
    assert "withdrawal" in str(err.value) and "'maybe' is not true, false or unknown" in str(err.value)


def test_withdrawal_front_matter_is_read():
    assert Letter.from_file(GOOD).context.withdrawal is True


# --- content.private_heading ----------------------------------------------------------------

BODY = "\n\nMs Jane Okafor\n14 Linden Road\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"


def test_an_altered_heading_is_marked_where_it_is_with_the_standard_one_to_put_in_its_place():
    text = "Private and confidential" + BODY
    [f] = findings(score(text), "content.private_heading")
    assert (f.start, f.end, f.text) == (0, 24, "Private and confidential")
    assert f.suggestions == ["Private - to be opened by addressee only"]
    assert "not the standard one" in f.message


def test_a_missing_heading_has_no_place_and_suggests_the_line():
    [f] = findings(score(BODY.lstrip()), "content.private_heading")
    assert f.start is None and f.suggestions == ["Private - to be opened by addressee only"]


def test_the_heading_after_the_greeting_is_not_the_letter_heading():
    text = "Dear Ms Okafor\n\nPrivate - to be opened by addressee only\n\nWe have stopped the case.\n"
    assert findings(score(text), "content.private_heading")


# --- content.cps_role -------------------------------------------------------------------------

def test_the_code_named_without_saying_what_it_is_is_marked_at_its_name():
    text = ("The Crown Prosecution Service decides whether cases go to court. We stopped the case "
            "under the Code for Crown Prosecutors.")
    [f] = findings(score(text), "content.cps_role")
    assert f.text == "Code for Crown Prosecutors" and f.severity == "suggestion"
    explained = text + " The Code is the set of rules every prosecutor must follow."
    assert findings(score(explained), "content.cps_role") == []


# --- the suggested paragraphs ---------------------------------------------------------------

def _without(paragraph_start: str) -> str:
    """The good withdrawal letter with the paragraph that starts so taken out."""
    text = Letter.from_file(GOOD).text
    paras = text.split("\n\n")
    return "\n\n".join(p for p in paras if not p.startswith(paragraph_start))


@pytest.mark.parametrize("rule,paragraph", [
    ("content.future_reporting", "This decision does not mean"),
    ("content.victim_views", "You told PC Shah"),
    ("content.cps_role", "The Crown Prosecution Service (CPS) decides"),
])
def test_the_suggested_paragraph_clears_its_finding_and_raises_nothing_new(rule, paragraph):
    """As a writer would use it: insert the suggestion where the paragraph was, fill in any
    bracketed part, and score again."""
    letter = Letter.from_file(GOOD)
    text = _without(paragraph)
    before = score_letter(Letter(text=text, context=letter.context), today=TODAY)
    [f] = findings(before, rule)
    insert = f.suggestions[0]
    assert "[" not in insert  # (a drafting note in it once went into letters unflagged)
    paras = text.split("\n\n")
    at = next(i for i, p in enumerate(paras) if p.startswith("If you think our decision is wrong"))
    paras.insert(at, insert)  # in the body, before the review paragraph
    after = score_letter(Letter(text="\n\n".join(paras), context=letter.context), today=TODAY)
    assert findings(after, rule) == []
    new = {(g.rule, g.severity) for g in after.findings} - {(g.rule, g.severity) for g in before.findings}
    assert {r for r, s in new if s != "suggestion"} == set()


def test_the_new_rules_are_contract_rules_with_the_contract_severities():
    rules = load_rules().by_id
    assert {rid: (rules[rid].severity, rules[rid].contract) for rid in (
        "content.private_heading", "content.future_reporting", "content.victim_views",
        "content.cps_role")} == {
        "content.private_heading": ("warning", True), "content.future_reporting": ("warning", True),
        "content.victim_views": ("error", True), "content.cps_role": ("suggestion", True)}


def test_vcl_qa_rules_lists_the_new_rules_with_the_other_severity():
    from click.testing import CliRunner

    from vcl_qa.cli import main

    out = CliRunner().invoke(main, ["rules"]).output
    line = next(x for x in out.splitlines() if x.startswith("content.future_reporting"))
    assert "warning" in line and "(error where offence is domestic_abuse, hate_crime or sexual_offence)" in line
    for rid in ("content.private_heading", "content.victim_views", "content.cps_role"):
        assert rid in out


def test_vcl_qa_score_takes_withdrawal_on_the_command_line(tmp_path):
    import json

    from click.testing import CliRunner

    from vcl_qa.cli import main

    path = tmp_path / "letter.txt"
    path.write_text("Dear Ms Lowe\n\n" + NO_VIEWS + "\n", encoding="utf-8")

    def views(*args):
        out = CliRunner().invoke(main, ["score", str(path), "--format", "json", *args]).output
        return [f["severity"] for f in json.loads(out)["findings"] if f["rule"] == "content.victim_views"]

    assert views("--withdrawal", "true") == ["error"]
    assert views("--withdrawal", "false") == []
    assert views("--withdrawal", "unknown") == []
    bad = CliRunner().invoke(main, ["score", str(path), "--withdrawal", "maybe"])
    assert bad.exit_code == 2 and "withdrawal" in bad.output
