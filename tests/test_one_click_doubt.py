"""A one-click change that puts in a word of a concept the classifier may doubt is checked on
the whole letter. "notwithstanding" -> "despite" ("despite" is a word of a case-specific reason)
in a sentence the classifier doubts turned "The letter does not explain why" into "This may be
a reason that could fit any case", at the edited sentence: a finding the letter did not have
there, after a change offered as raising none (applying each of 835 one-click changes to 1,182
letters found it). The checks of the edit's window say whether a concept is found, never
whether it is doubted. The real engine and model."""
from __future__ import annotations

import datetime as dt

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

TEXT = ("Dear Mr Kerr\n\nI am writing to tell you about the charges against Mr Lane.\n\n"
        "At a hearing at Southwark Crown Court on 16 September 2022, the prosecution applied for the two counts "
        "on the indictment relating to your investment to lie on the file, and that application was granted by "
        "the Honourable Recorder presiding, notwithstanding the objection of the defence. This means that the "
        "charges will not go to trial unless the court gives permission.\n\n"
        "If you are unhappy with this decision, you can ask for it to be reviewed. Please ask within 10 working "
        "days of this letter.\n\nVictim Support can give you free help. Their number is 0808 157 0102. If you "
        "require any additional help, please call me on 01632 960288.\n\n"
        "Yours sincerely\n\nHelen Marsh\nVictim Liaison Officer\n")
CONTEXT = LetterContext(decision="discontinued", decision_date=dt.date(2025, 2, 4), letter_date=dt.date(2025, 2, 5),
                        victim_category="standard", offence="fraud")
TODAY = dt.date(2025, 12, 1)


def _places(findings, start: int, end: int, delta: int, after: bool) -> list[tuple]:
    """Each finding's rule and place, a place after the edit counted as before it, one over it as 'edit'."""
    out = []
    for f in findings:
        edge = end + (delta if after else 0)
        if f.start is None:
            out.append((f.rule, None))
        elif f.start < edge and start < (f.end or f.start) or f.start == start:
            out.append((f.rule, "edit"))
        else:
            out.append((f.rule, f.start - (delta if after and f.start >= edge else 0)))
    return sorted(out, key=str)


def test_every_one_click_change_here_raises_no_new_finding():
    letter = Letter(text=TEXT, context=CONTEXT)
    result = score_letter(letter, today=TODAY)
    word = next(f for f in result.findings if f.text == "notwithstanding")
    assert "despite" in word.suggestions  # still advice
    offered = [(f, r) for f in result.findings for r in f.replacements]
    assert offered  # the letter's other plain-word changes are still offered
    for f, replacement in offered:
        a, b = f.replace_start, f.replace_end
        delta = len(replacement) - (b - a)
        edited = score_letter(Letter(text=TEXT[:a] + replacement + TEXT[b:], context=CONTEXT), today=TODAY)
        before = _places(result.findings, a, b, delta, False)
        after = _places(edited.findings, a, b, delta, True)
        assert [p for p in after if p not in before] == [], (f.text, replacement)
