"""Where a paragraph to insert goes is each rule's setting (`insert_place` in rules/*.yml), read
by the letter page and a training exercise alike (api/web/letter_view.py `insert_where`,
api/static/insert.js; tests/browser/test_browser_insert_place.py and test_browser_training.py
press the buttons). A place the pages cannot put a paragraph in is refused with the rule named."""
from __future__ import annotations

import pytest

from api.web.letter_view import insert_data, insert_where
from vcl_qa.engine.rules import load_rules
from vcl_qa.errors import RulesError


def test_the_decision_opens_the_letter_and_feelings_come_early():
    places = {r.id: insert_where(r) for r in load_rules().rules}
    assert places["content.decision"] == "opening"
    for rule in ("empathy.acknowledgement", "empathy.condolence", "empathy.delay_apology"):
        assert places[rule] == "early", rule
    assert places["content.vrr"] == places["content.meeting"] == places["content.support"] == "body"
    assert places["content.salutation"] == "greeting"
    assert insert_where(None) == "body"


def test_every_rule_with_a_paragraph_to_insert_has_a_place():
    for rule in load_rules().rules:
        if getattr(rule.config, "insert", None):
            assert insert_where(rule) in {"top", "greeting", "opening", "early", "body"}, rule.id


def test_a_place_the_pages_do_not_know_is_refused_with_the_rule_named(rules_copy):
    path = rules_copy / "empathy.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("insert_place: early", "insert_place: first", 1), encoding="utf-8")
    with pytest.raises(RulesError) as refused:
        load_rules()
    assert "empathy.acknowledgement" in str(refused.value) and "insert_place" in str(refused.value)


def test_the_pages_are_told_the_rules_places_and_the_decisions_words():
    text = ("Dear Ms Okafor\n\nThank you for waiting.\n\nWe have decided to stop the case against Mr Lane.\n\n"
            "Yours sincerely\nSam Staff\n")
    data = insert_data(load_rules().rules, text, {"decision": "discontinued"})
    assert data["opening_rules"] == ["content.decision"]
    assert set(data["early_rules"]) == {"empathy.acknowledgement", "empathy.condolence", "empathy.delay_apology",
                                        "content.cps_role"}
    assert data["decision_words"] and data["decision_words"] in "We have decided to stop the case against Mr Lane."
    assert "decided" in data["decision_words"]
    assert data["sign_off"] and data["greeting"] and data["reference_line"]
    # details that cannot be read give no words (the paragraph then goes after the first one)
    assert insert_data(load_rules().rules, text, {"decision": "no such decision"})["decision_words"] is None
    assert insert_data(load_rules().rules, text, None)["decision_words"] is None
