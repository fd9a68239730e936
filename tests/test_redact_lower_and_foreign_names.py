"""Names typed in lower case after a cue or a lower-case title, and Vietnamese, Chinese and
Nordic names (rules/redaction.yml detectors.lower_case_name, surname_first, surnames). An
attacker's review: "the case against kyle dunn", "mr wisniewski", "Björn Ødegård", "Xi Wang",
"Tran Thi Mai" and "Nguyen Van An" ("[NAME] An") reached the panel."""
from __future__ import annotations

import pytest

from vcl_qa import LetterContext
from vcl_qa.panel.redact import redact

CTX = LetterContext(victim_name="Ms Jane Okafor")


@pytest.mark.parametrize("text, expect", [
    ("I am writing to tell you that we have decided to stop the case against kyle dunn. I am very sorry.",
     "I am writing to tell you that we have decided to stop the case against [NAME]. I am very sorry."),
    ("The reason is that the only witness, mr wisniewski, has moved abroad.",
     "The reason is that the only witness, [NAME], has moved abroad."),
    ("The defendant, kyle dunn, denied it, and his brother wayne dunn gave him an alibi.",
     "The defendant, [NAME], denied it, and his brother [NAME] gave him an alibi."),
    ("Björn Ødegård was charged with assaulting you. The witnesses, Xi Wang and Tran Thi Mai, could not be "
     "traced, and the defendant is Nguyen Van An's brother-in-law.",
     "[NAME] was charged with assaulting you. The witnesses, [NAME] and [NAME], could not be traced, and the "
     "defendant is [NAME]'s brother-in-law."),
    ("We have stopped the case against Nguyen Van An.", "We have stopped the case against [NAME]."),
])
def test_lower_case_and_foreign_names_are_hidden(text, expect):
    assert redact(text, CTX).text == expect


@pytest.mark.parametrize("text", [
    "We have stopped the case against him, and the charge against the man who was arrested.",
    "Your brother told us, and your son was there; the case against bail was put to the court.",
    "The evidence against your neighbour was weak, and the case against police staff is separate.",
    "We wrote to the Chinese Embassy and the Vietnamese community centre; the prosecutor, mr and mrs, spoke.",
    "The defendant said sorry, and the witness came to court on time.",
])
def test_ordinary_words_after_the_same_cues_stay(text):
    assert redact(text, CTX).text == text
