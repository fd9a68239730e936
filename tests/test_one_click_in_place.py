"""One-click changes that passed every check and still damaged the letter (an audit pressed 227
buttons on 50 letters written to trap them, and read every sentence after; none raised a new
finding, since no rule reads what they broke). Each case here is a sentence from those letters:
the button is gone where it would damage the letter, and stays where the words are the letter's
own plain jargon. The finding itself is still there in every case (advice, with its suggestion)."""
from __future__ import annotations

import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

CONTEXT = dict(decision="discontinued", decision_date="2025-03-03", letter_date="2025-03-04",
               victim_category="enhanced", victim_name="Mr Daniel Prior", urn="42AB1234524")
HEAD = "Private - to be opened by addressee only\n\nDear Mr Prior\n\nI am sorry to tell you that we have stopped the case.\n\n"
TAIL = "\n\nYours sincerely\n\nJ Whitcombe\nVictim Liaison Officer\n"


def _applied(sentence: str, word: str, context: dict | None = None) -> tuple[list, list[str]]:
    """The findings at `word` in `sentence`, and the sentence as each one-click change leaves it."""
    text = HEAD + sentence + TAIL
    letter = Letter(text=text, context=LetterContext(**{**CONTEXT, **(context or {})}))
    at = text.index(sentence) + sentence.index(word)
    found = [f for f in score_letter(letter).findings
             if f.start is not None and f.start <= at < f.end and f.rule.startswith(("readability", "empathy"))]
    out = []
    for f in found:
        for r in f.replacements:
            new = text[:f.replace_start] + r + text[f.replace_end:]
            out.append(new[len(HEAD):len(new) - len(TAIL)])
    return found, out


# (sentence, the flagged word, what a button must never give)
DAMAGE = [
    # e-mail and web addresses
    ("Please email VLU.WestMidlands@cps.gov.uk with any questions.", "VLU", "(VLU).WestMidlands"),
    ("You can read more at www.cps.gov.uk/VRR if you wish.", "VRR", "Review (VRR)"),
    # someone's own words, in quotation marks
    ("Mr Minns told the officer: \u201cI was informed prior to the search that nothing was found.\u201d", "informed", "I was told"),
    ("\u2018The complainant is unavailable\u2019 was what the court was told.", "complainant", "You are unavailable"),
    ("The victim said \"The CPS told me the trial was definite.\"", "CPS", "Crown Prosecution Service (CPS) told me"),
    # names and titles
    ("We wrote to your shop, Discontinued Books Ltd, last week.", "Discontinued", "stopped Books"),
    ("I spoke to Ms Jean Prior to ask about the dates.", "Prior", "Jean before"),
    ("The Personal Effects Officer at West Yorkshire Police will call you.", "Personal", "belongings Officer"),
    # a word said twice
    ("We will tell and inform you of any change.", "inform", "tell and tell"),
    ("Please accept any help and assistance you are offered.", "assistance", "help and help"),
    ("Subsequently, later that day, the police arrested him.", "Subsequently", "Later, later"),
    # the other sense of a word
    ("The evidence we have informed our decision in this case.", "informed", "told our decision"),
    ("DC Paul Shaw, exhibits great care with family belongings.", "exhibits", "items great care"),
    ("He did not exhibit any sign of guilt.", "exhibit", "not item any"),
    ("I know how determined you were to see this through.", "determined", "how decided"),
    ("The civil proceeding you started is a separate matter.", "proceeding", "civil going ahead"),
    ("We would advise caution before you speak to him.", "advise", "tell caution"),
    ("This follows a concerning development in the case.", "concerning", "an about"),  # (no jargon: not reported)
    ("The aforementioned garage records show the car was there.", "aforementioned", "This garage records"),
    ("We will keep your family and you informed.", "informed", "you told"),
    ("You are required by law to be told about this.", "required", "needed by law"),
    ("As required by the law, we must tell you.", "required", "needed by the law"),
    ("You may wish to retain a solicitor for the civil claim.", "retain", "keep a solicitor"),
    ("The court will require him to pay his own costs.", "require", "need him to pay"),
    ("The complainant in a hate crime case does not have to prove what the man was thinking.", "complainant",
     "You in a hate crime"),
    ("I trust this explains our reasons.", "trust", "helps our reasons"),
]


@pytest.mark.parametrize("sentence, word, never", DAMAGE, ids=[d[2] for d in DAMAGE])
def test_no_button_damages_the_letter(sentence, word, never):
    found, after = _applied(sentence, word)
    assert not any(never in a for a in after), after


# The same words where a button reads well: it stays.
KEPT = [
    ("Subsequently, the police arrested him.", "Subsequently", "Later, the police arrested him."),
    ("We will inform you of the date.", "inform", "We will tell you of the date."),
    ("The aforementioned letter says when.", "aforementioned", "This letter says when."),
    ("1. Prior to the trial, we spoke to the witness.", "Prior", "1. Before the trial, we spoke to the witness."),
    ("The exhibits will be returned to you.", "exhibits", "The items will be returned to you."),
    ("We have decided to discontinue the case.", "discontinue", "We have decided to stop the case."),
    ("- Exhibits held by the police will be returned to you.", "Exhibits",
     "- Items held by the police will be returned to you."),
    ("If you are advised by your insurer to keep the receipts, please do so.", "advised",
     "If you are told by your insurer to keep the receipts, please do so."),
]


@pytest.mark.parametrize("sentence, word, reads", KEPT, ids=[k[1] for k in KEPT])
def test_a_button_that_reads_well_stays(sentence, word, reads):
    _, after = _applied(sentence, word)
    assert reads in after, after
