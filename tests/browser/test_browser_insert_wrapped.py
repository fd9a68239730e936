"""Where "Insert this paragraph" puts a paragraph in a letter whose paragraphs are wrapped at
about 70 characters (a plain-text e-mail's), worked out by api/static/insert.js itself in the real
browser (the other browser tests press the button on a letter's page; this gives the script the
texts directly). A held-out letter's first
paragraph began "I am writing about your neighbour, Mr Keith Dunmore, and the notes left on" /
"your door last summer. I know how unsettling the past months have been for" / "you, living so
close to him.": its first two lines, short and with no full stop at the end, were taken for
subject lines under the greeting, and the decision's paragraph went in between "for" and "you,"."""
from __future__ import annotations

import pytest

from browser_helpers import placed

CONTEXT = {"decision": "discontinued", "decision_date": "2025-03-03", "letter_date": "2025-03-04",
           "victim_category": "standard", "victim_name": "Mrs Jane Ainsworth", "offence": "harassment"}
PARAGRAPH = "I am writing to tell you that we have decided to stop the case against Mr Dunmore."
SORRY = "I am sorry that this letter is reaching you later than it should have."

def _placed(page, text: str, value: str, where: str) -> str:
    return placed(page, text, value, where, CONTEXT)[0]


WRAPPED = """Dear Mrs Ainsworth

I am writing about your neighbour, Mr Keith Dunmore, and the notes left on
your door last summer. I know how unsettling the past months have been for
you, living so close to him.

The handwriting expert could not say the notes were written by him, and
nobody saw who left them.

Yours sincerely

Sam Staff
"""


def test_the_first_paragraph_goes_above_a_wrapped_paragraph_not_inside_it(script_page):
    new = _placed(script_page, WRAPPED, PARAGRAPH, "opening")
    assert new.startswith(f"Dear Mrs Ainsworth\n\n{PARAGRAPH}\n\nI am writing about your neighbour")
    assert "have been for\nyou, living so close to him." in new


def test_an_early_paragraph_goes_after_the_wrapped_paragraph_whole(script_page):
    new = _placed(script_page, WRAPPED, SORRY, "early")
    assert f"have been for\nyou, living so close to him.\n\n{SORRY}\n\nThe handwriting expert" in new


@pytest.mark.parametrize("apart", ["\n\n", "\n"])
def test_a_subject_line_under_the_greeting_still_stays_on_top(script_page, apart):
    """A heading under the greeting (its next line starts with a capital) is passed over, as before:
    the decision goes below it, set apart as the letter sets its paragraphs apart."""
    text = (f"Dear Mrs Ainsworth{apart}Notes left at your home{apart}I know how unsettling the past months "
            f"have been for you.{apart}The expert could not say who wrote them.{apart}Yours sincerely{apart}Sam Staff\n")
    new = _placed(script_page, text, PARAGRAPH, "opening")
    assert new.startswith(f"Dear Mrs Ainsworth{apart}Notes left at your home{apart}{PARAGRAPH}{apart}I know how")
