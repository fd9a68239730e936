"""An Easy Read letter is offered paragraphs written for its reader (`insert_easy_read` in
rules/*.yml): a review put every offered paragraph into the held-out Easy Read letters, and the
CPS's ("The Crown Prosecution Service (CPS) is independent of the police. We decide whether to
charge a person with a crime, and we present cases at court."), Victim Support's and the review
right's raised the Easy Read checks (a sentence over 15 words, two ideas in one, the review's
steps on one line) that the letter had passed: a one-click paragraph that makes a good letter
worse. Each Easy Read paragraph, put in where it is missing, clears its finding and raises no
finding the letter did not have; a letter to any other reader is offered the paragraph as before."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from vcl_qa import Letter
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 5, 7)
GOOD = Letter.from_file(ROOT / "sample_letters" / "37_good_not_charged_theft_easy_read.txt")

# What each rule's paragraph stands for, taken out of the good Easy Read letter.
TAKEN_OUT = {
    "content.cps_role": ["Who we are\n\nWe are the Crown Prosecution Service.\n\nWe decide if a person should go to court for a crime.\n\n"],
    "content.support": ["Help\n\nVictim Support can help you.\n\nCall them on 0808 168 9111.\n\n"
                        "Your support worker, Anna, can call them with you.\n\n"],
    "content.vrr": ["If you are not happy\n\nYou can ask us to look at our decision again.\n\n"
                    "This is called the Victims' Right to Review.\n\nStep 1: Call us or write to us.\n\n"
                    "Step 2: Ask within 10 working days of this letter.\n\n"
                    "Step 3: You can still ask up to 3 months after the decision.\n\nYou do not need a lawyer.\n\n"],
}


def _score(letter: Letter):
    return score_letter(letter, today=TODAY)


def _without(rule_id: str) -> Letter:
    text = GOOD.text
    for part in TAKEN_OUT[rule_id]:
        assert part in text
        text = text.replace(part, "")
    return GOOD.model_copy(update={"text": text})


def _before_sign_off(text: str, paragraph: str) -> str:
    at = text.index("Questions\n")
    return text[:at] + paragraph + "\n\n" + text[at:]


def test_the_good_easy_read_letter_needs_nothing():
    assert [f.rule for f in _score(GOOD).findings if f.severity != "suggestion"] == []


@pytest.mark.parametrize("rule_id", sorted(TAKEN_OUT))
def test_an_easy_read_paragraph_clears_its_finding_and_raises_none(rule_id):
    rule = load_rules().by_id[rule_id]
    letter = _without(rule_id)
    before = _score(letter)
    found = [f for f in before.findings if f.rule == rule_id]
    assert len(found) == 1 and found[0].suggestions, [f.rule for f in before.findings]
    offered = found[0].suggestions[0]
    assert offered != rule.config.insert  # the Easy Read words, not the ordinary paragraph
    assert all(len(s.split()) <= 15 for line in offered.split("\n\n") for s in line.split(". "))
    after = _score(letter.model_copy(update={"text": _before_sign_off(letter.text, offered)}))
    assert rule_id not in {f.rule for f in after.findings}
    added = Counter(f.rule for f in after.findings) - Counter(f.rule for f in before.findings)
    assert not added, [(f.rule, f.text) for f in after.findings if f.rule in added]


@pytest.mark.parametrize("decision", ["discontinued", "not_charged", "no_evidence_offered", "charge_altered", "left_on_file"])
def test_the_decision_is_offered_in_easy_read_words(decision):
    """Short sentences, one idea each, each on its own line; blanks to fill in as the ordinary
    paragraph has them."""
    text = GOOD.text.replace("We will not charge the man who took your money.\n\n", "")
    ctx = GOOD.context.model_copy(update={"decision": decision})
    found = [f for f in _score(Letter(text=text, context=ctx)).findings if f.rule == "content.decision"]
    assert len(found) == 1
    offered = found[0].suggestions[0]
    assert offered == load_rules().by_id["content.decision"].config.insert_easy_read[decision]
    assert all(len(line.split()) <= 15 for line in offered.split("\n\n"))


@pytest.mark.parametrize("rule_id", sorted(TAKEN_OUT))
def test_any_other_reader_is_offered_the_paragraph_as_before(rule_id):
    letter = _without(rule_id)
    adult = letter.model_copy(update={"context": letter.context.model_copy(update={"reader": "adult"})})
    found = [f for f in _score(adult).findings if f.rule == rule_id]
    insert = load_rules().by_id[rule_id].config.insert
    assert found and found[0].suggestions and found[0].suggestions[0].split()[-4:] == insert.split()[-4:]
