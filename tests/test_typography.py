"""Typographic quotes, dashes and special spaces (as Word types them) are matched as plain ones,
while findings, offsets and one-click replacements keep the letter's own characters."""
from __future__ import annotations

import datetime as dt

import pytest

from vcl_qa import Letter
from vcl_qa.engine.letter import LetterContext
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.typography import fold

TODAY = dt.date(2025, 3, 4)


def _context(name: str = "Ms Siobhan O'Neill") -> LetterContext:
    return LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=TODAY,
                         victim_category="enhanced", victim_name=name, offence="assault")


def _score(text: str, name: str = "Ms Siobhan O'Neill"):
    return score_letter(Letter(text=text, context=_context(name)), today=TODAY)


def _rules(result) -> set[str]:
    return {f.rule for f in result.findings}


def test_fold_keeps_length_and_makes_plain():
    text = "Don’t “wait” – it’s\u00a0fine\u2011ish — ‘ok’\u202f"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "Don't \"wait\" - it's fine-ish - 'ok' "
    assert fold("plain text") == "plain text"


@pytest.mark.parametrize("greeting,name", [
    ("Dear Ms O’Neill", "Ms Siobhan O'Neill"),
    ("Dear Ms O'Neill", "Ms Siobhan O’Neill"),
    ("Dear Siobhan O‘Neill", "Ms Siobhan O'Neill"),
    ("Dear Mr Ellis‑Jones", "Mr Owen Ellis-Jones"),  # a non-breaking hyphen
    ("Dear\u00a0Ms\u00a0O’Neill", "Ms Siobhan O'Neill"),
])
def test_greeting_with_typographic_characters_is_the_right_name(greeting, name):
    result = _score(f"{greeting}\n\nWe have decided to stop the case against Mr Lane.\n", name)
    assert "content.salutation" not in _rules(result)


def test_wrong_name_is_still_wrong_and_quoted_as_written():
    result = _score("Dear Ms O’Neil\n\nWe have decided to stop the case against Mr Lane.\n")
    found = [f for f in result.findings if f.rule == "content.salutation"]
    assert found and found[0].text == "Dear Ms O’Neil"


def test_patterns_written_with_plain_quotes_match_curly_ones():
    # empathy.blame is written with a plain apostrophe ("didn\x27t"); Word's ’ must not hide it
    text = "Dear Ms O’Neill\n\nWe have stopped the case because you didn’t attend court on 3 March.\n"
    blame = [f for f in _score(text).findings if f.rule == "empathy.blame"]
    assert blame and blame[0].text == "you didn’t attend"
    start = text.index("you didn’t attend")
    assert (blame[0].start, blame[0].end) == (start, start + len("you didn’t attend"))


def test_non_breaking_spaces_and_dashes_do_not_hide_content():
    text = ("Private – to be opened by addressee only\n\nDear Ms O’Neill\n\n"
            "We have decided to stop the case.\n\nVictim\u00a0Support can help you: call 0808\u00a0168\u00a09111.\n")
    rules = _rules(_score(text))
    assert "content.support" not in rules
    assert "content.private_heading" not in rules


def test_replacements_are_built_from_the_letter_as_written():
    # The finding's words hold non-breaking spaces: the one-click text keeps them where it does
    # not change the words, so putting it in changes only what the edit changes.
    text = ("Dear Ms O’Neill\n\nI’m sorry. The case was stopped on 3 March as you\u00a0failed\u00a0to "
            "come to court.\n\nYours sincerely\n\nSam Staff\n")
    result = _score(text)
    blame = [f for f in result.findings if f.rule == "empathy.blame" and f.replacements]
    assert blame, "expected a one-click replacement for the blaming words"
    f = blame[0]
    original = text[f.replace_start:f.replace_end]
    assert original.startswith("you\u00a0") and original.endswith("\u00a0to")
    for replacement in f.replacements:
        assert replacement.startswith("you\u00a0") and replacement.endswith("\u00a0to")
        edited = text[:f.replace_start] + replacement + text[f.replace_end:]
        assert "I’m sorry" in edited and "Dear Ms O’Neill" in edited
        again = _score(edited)
        assert not [g for g in again.findings if g.rule == "empathy.blame"]


def test_every_replacement_in_a_curly_letter_clears_its_finding():
    text = ("Dear Ms O’Neill\n\nI’m writing to tell you that we’ve decided to stop the case against "
            "Mr Lane. The complainant’s account was not supported by the film. We were notified "
            "that the CCTV—the only film—had been recorded over prior to the trial.\n\n"
            "Yours sincerely\n\nSam Staff\n")
    result = _score(text)
    with_replacements = [f for f in result.findings if f.replacements]
    assert with_replacements
    for f in with_replacements:
        for replacement in f.replacements:
            edited = text[:f.replace_start] + replacement + text[f.replace_end:]
            assert "’" in edited[:f.replace_start] + edited[f.replace_start + len(replacement):]
            after = _score(edited)
            assert not [g for g in after.findings if g.rule == f.rule
                        and g.start is not None and g.start < f.replace_start + len(replacement)
                        and g.end > f.replace_start]


def test_fold_is_the_tables_translation_of_any_text():
    """fold replaces each typographic character it finds throughout, rather than translating
    every character: the same text as str.translate with the table, for each character alone,
    all of them together, and mixed with accents, pound signs, emoji and plain text; and the
    plain forms are never themselves folded (so the order they are replaced in is no matter)."""
    import random

    from vcl_qa.engine.typography import TABLE, fold

    plain = {v for v in TABLE.values()}
    assert all(isinstance(v, str) and len(v) == 1 and ord(v) not in TABLE for v in plain)
    chars = [chr(k) for k in TABLE]
    for c in chars:
        assert fold(f"a{c}b") == f"a{c}b".translate(TABLE) and len(fold(c)) == 1
    everything = "".join(chars)
    assert fold(everything) == everything.translate(TABLE)
    rng = random.Random(5)
    pool = chars + list("abc XYZ.,'\"-\n\u00e9\u00a3\u0175\U0001f600")
    for _ in range(500):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert fold(text) == text.translate(TABLE), text
    assert fold("plain text") == "plain text" and fold("caf\u00e9 \u00a35") == "caf\u00e9 \u00a35"
