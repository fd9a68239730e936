"""A paragraph typed as one line with no full stop (a Word file's paragraph, a paragraph in the
editor) ends its sentence at its line's end when the next line starts with a capital; a
paragraph wrapped at a line length (a plain-text e-mail) reads on across its lines as before
(engine/structure.py _ends_long_line, rules/structure.yml unwrapped_line_min_chars).

Before, a Word letter whose opening paragraph had no full stop had it read into the next
paragraph's first sentence: "This sentence has 37 words (more than 25). Break it up." quoted a
sentence nobody wrote."""
import datetime as dt
import io

import docx
import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine import structure
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.letter import docx_text
from vcl_qa.engine.structure import analyse

OPENING = ("I am writing to tell you about the decision we have made in the case against Mr Hale "
           "and to explain what this means for you and what happens next")
DECISION = ("We have decided to stop the case. The CCTV footage did not show who started the fight, "
            "and the two witnesses gave accounts that differed on who struck first.")
CONTEXT = LetterContext(decision="discontinued", decision_date=dt.date(2026, 11, 25),
                        letter_date=dt.date(2026, 11, 26), victim_category="standard", offence="assault",
                        victim_name="Ms Jane Okafor")


def sentences(body: str) -> list[str]:
    return [" ".join(s.text.split()) for s in analyse("Dear Ms Okafor,\n" + body + "\n\nYours sincerely,\n").sentences]


def test_a_long_line_with_no_full_stop_ends_its_sentence_before_a_capital():
    assert len(OPENING) >= structure.patterns().unwrapped_line_min_chars
    assert sentences(OPENING + "\n" + DECISION) == [
        OPENING, "We have decided to stop the case.",
        "The CCTV footage did not show who started the fight, and the two witnesses gave accounts "
        "that differed on who struck first."]
    # a figure starts a new sentence too
    assert sentences(OPENING + "\n10 working days is the time limit.")[1] == "10 working days is the time limit."


def test_a_paragraph_wrapped_at_a_line_length_reads_on_across_its_lines():
    """A plain-text e-mail wraps at 72-80: a line of it ending before a name or any capital
    is no end of a sentence."""
    import textwrap

    wrapped = textwrap.fill(OPENING + " for Mr Hale. " + DECISION, width=78)
    assert "\n" in wrapped
    lines = wrapped.split("\n")
    assert all(len(x) < structure.patterns().unwrapped_line_min_chars for x in lines)
    body = ("I am writing about the decision we have made in the case against\n"
            "Mr Daniel Hale, who was charged with assault on 3 March this year.")
    assert sentences(body) == [" ".join(body.split())]
    assert sentences(wrapped)[0] == OPENING + " for Mr Hale."


@pytest.mark.parametrize("ending", [",", " and", " or the", " because of", " including"])
def test_a_long_line_breaking_off_mid_phrase_goes_on(ending):
    """A line ending at a comma or mid-phrase (`list_item_goes_on`) goes on into the next line,
    however long it is."""
    line = OPENING + ending
    assert sentences(line + "\nVictim Support on 0808 168 9111.") == [line + " Victim Support on 0808 168 9111."]


def test_a_long_line_before_a_small_letter_goes_on():
    assert sentences(OPENING + "\nwhich we know will be hard.") == [OPENING + " which we know will be hard."]


def test_the_length_is_the_rules_folders(rules_copy):
    path = rules_copy / "structure.yml"
    yml = path.read_text(encoding="utf-8")
    assert "unwrapped_line_min_chars: 90" in yml
    structure.patterns.cache_clear()
    try:
        path.write_text(yml.replace("unwrapped_line_min_chars: 90", "unwrapped_line_min_chars: 400"), encoding="utf-8")
        structure.patterns.cache_clear()
        assert len(sentences(OPENING + "\n" + DECISION)) == 2  # (joined again)
        # an area's rules folder made before the setting: the 90 the code had
        path.write_text("\n".join(x for x in yml.splitlines() if not x.startswith("unwrapped_line_min_chars:")),
                        encoding="utf-8")
        structure.patterns.cache_clear()
        assert structure.patterns().unwrapped_line_min_chars == 90
        assert len(sentences(OPENING + "\n" + DECISION)) == 3
    finally:
        structure.patterns.cache_clear()


def _word_file(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _long_sentences(result) -> list[str]:
    return [f.text for f in result.findings if f.rule == "readability.long_sentence"]


def test_a_word_letter_paragraph_with_no_full_stop_is_not_joined_to_the_next():
    """A real Word file (python-docx): its paragraphs come as lines with no blank line between."""
    data = _word_file(["Ms Jane Okafor", "12 High Street", "Reading RG1 1AA", "", "Dear Ms Okafor,",
                       "Re: the case against Mr Daniel Hale", OPENING, DECISION,
                       "I am sorry for the distress this decision may cause you.",
                       "Yours sincerely,", "Sam Staff", "Victim Liaison Officer"])
    letter = Letter(text=docx_text(data), context=CONTEXT)
    assert OPENING + "\n" + DECISION in letter.text
    long = _long_sentences(score_letter(letter))
    # the opening paragraph, 30 words, is long on its own; it no longer takes in the next
    assert [" ".join(x.split()) for x in long] == [OPENING]
    shorter = OPENING.replace(" and to explain what this means for you and what happens next", " and what happens next")
    assert len(shorter) >= structure.patterns().unwrapped_line_min_chars
    assert _long_sentences(score_letter(Letter(text=letter.text.replace(OPENING, shorter), context=CONTEXT))) == []


def test_a_one_click_change_that_takes_a_line_under_the_length_is_judged_on_the_letter_it_makes():
    """ "inform" -> "tell" takes a line of 90 characters, with no full stop, to 88: its sentence
    then reads on into the next line's. The change is checked on the sentences it makes
    (line_shape says the line's length changed), never on the letter's own: each replacement
    offered, applied, raises nothing the letter did not have."""
    from vcl_qa.engine.structure import line_shape

    line = "I am writing to inform you about the decision we have made in the case against Mr Dan Hale"
    assert len(line) == 90 and line_shape(line) != line_shape(line.replace("inform", "tell"))
    text = ("Dear Ms Okafor,\n\n" + line + "\nWe have decided to stop the case because the CCTV did not show "
            "who started the fight.\n\nI am sorry for the distress this may cause you.\n\nYours sincerely,\n\nSam Staff\n")
    before = score_letter(Letter(text=text, context=CONTEXT))
    had = {(f.rule, f.text) for f in before.findings}
    offered = [(f, r) for f in before.findings for r in f.replacements]
    for f, r in offered:
        after = text[:f.replace_start] + r + text[f.replace_end:]
        gained = {(g.rule, g.text) for g in score_letter(Letter(text=after, context=CONTEXT)).findings} - had
        assert not {rule for rule, _ in gained} - {f.rule}, (r, gained)
    jargon = [f for f in before.findings if f.rule == "readability.jargon" and f.text == "inform"]
    assert [(f.suggestions, f.replacements) for f in jargon] == [(["tell"], [])]  # (a sentence of 29 words)
    # four characters more ("Mr Daniel Hale"): the line stays long, and the button is offered
    longer = score_letter(Letter(text=text.replace("Dan Hale", "Daniel Hale"), context=CONTEXT))
    assert [f.replacements for f in longer.findings if f.rule == "readability.jargon"] == [["tell"]]
