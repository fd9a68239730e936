"""A letter with no greeting: content.salutation offers the greeting to insert, built from the
victim's name as the check wants it ("Dear Ms de la Cruz,"), and the letter page puts it at the
top of the body (api/static/greeting.js; tests/browser/test_browser_greeting_insert.py presses
the button). No name, no button: the advice stays. The letter with the greeting put there scores
without the finding and raises nothing else new."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 6, 2)
RULE = "content.salutation"
HEADER = ("Private - to be opened by addressee only\n\nMs Anne-Marie de la Cruz\n4 Orchard Close\nLeicester\n"
          "LE18 2PN\n\n3 March 2025\n\nOur reference: 33LE0419225\n\n")
BODY = ("I am writing to tell you that we have decided to stop the case against Mr Lane. The only "
        "witness has moved abroad and cannot be traced.\n\nI understand that this will be disappointing."
        "\n\nYours sincerely\n\nSam Staff\n")


def _context(name: str | None) -> LetterContext:
    return LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=dt.date(2025, 3, 4),
                         victim_category="standard", offence="assault", victim_name=name)


def _score(text: str, name: str | None):
    return score_letter(Letter(text=text, context=_context(name)), today=TODAY)


def _greeting_findings(result):
    return [f for f in result.findings if f.rule == RULE]


@pytest.mark.parametrize("name, greeting", [
    ("Ms Anne-Marie de la Cruz", "Dear Ms de la Cruz,"),
    ("Mr Pieter van der Berg", "Dear Mr van der Berg,"),
    ("Ms Siobhán Ní Bhriain", "Dear Ms Ní Bhriain,"),
    ("DC John Smith", "Dear DC Smith,"),
    ("Detective Sergeant Amy Lee", "Dear Detective Sergeant Lee,"),
    ("Dr. Sian Hughes", "Dear Dr. Hughes,"),
    ("Mr Al Smith", "Dear Mr Smith,"),  # "Al" is a first name, not a particle
    ("Mr Smith", "Dear Mr Smith,"),
    ("Harjit Singh", "Dear Harjit Singh,"),
    ("Sarah Jones (mother of Ella)", "Dear Sarah Jones,"),
    ("Mr and Mrs Okafor", "Dear Mr and Mrs Okafor,"),  # both people, as the details name them
    ("Sir John Smith", "Dear Sir John,"),  # a knight or a dame: the first name
    ("Dame Judi Dench", "Dear Dame Judi,"),
    ("Professor Sir Ian Wood", "Dear Professor Wood,"),
    # a surname the titles list also holds is still the surname (it was read as a title, and
    # "Dear Ms Judge" called the wrong name for Ms Jane Judge, with itself as the suggestion)
    ("Ms Dame", "Dear Ms Dame,"),
    ("Ms Jane Judge", "Dear Ms Judge,"),
    ("Mr Peter Constable", "Dear Mr Constable,"),
    ("Mrs Ann Lord", "Dear Mrs Lord,"),
    # a case system's order, and letters after a name (the surname was "Jane", or "Jr")
    ("Okafor, Jane (Ms)", "Dear Ms Okafor,"),
    ("Ms Okafor, Jane", "Dear Ms Okafor,"),
    ("de la Cruz, Anne-Marie (Ms)", "Dear Ms de la Cruz,"),
    ("Mr John Smith Jr", "Dear Mr Smith,"),
    ("Dr Amina Yusuf, OBE", "Dear Dr Yusuf,"),
    # a staff review: "Dear Mr and Mrs Deepak Varma,", "Dear the Reverend Peter Hughes,"
    ("Mr and Mrs Deepak Varma", "Dear Mr and Mrs Varma,"),
    ("Mr & Mrs D Varma", "Dear Mr and Mrs Varma,"),
    ("Dr and Mr Sam Patel-Jones", "Dear Dr and Mr Patel-Jones,"),
    ("the Reverend Peter Hughes", "Dear Reverend Hughes,"),
    ("Mr David Okafor and Mrs Jane Okafor", "Dear Mr and Mrs Okafor,"),
    ("Deepak and Asha Varma", "Dear Deepak and Asha Varma,"),  # no titles: both, as named
    # a review of those: an initial "A" is no Welsh "a" (and), and "a" joins two people
    ("Mr and Mrs A Varma", "Dear Mr and Mrs Varma,"),
    ("Ms A Varma", "Dear Ms Varma,"),
    ("Mr a Mrs Huw Jones", "Dear Mr and Mrs Jones,"),
    # a staff review: a name typed all in small letters gave "Dear mrs o'brien,"
    ("mrs jane o'brien", "Dear Mrs O'Brien,"),
    ("ms anne-marie de la cruz", "Dear Ms de la Cruz,"),
])
def test_a_letter_with_no_greeting_is_offered_the_victims_greeting(name, greeting):
    found = _greeting_findings(_score(HEADER + BODY, name))
    assert len(found) == 1
    f = found[0]
    assert f.message == 'The letter has no greeting ("Dear ...").'
    # no place in the letter: the page offers it as a line to insert, not a replacement
    assert f.start is None and f.suggestions == [greeting] and f.replacements == []
    # put where the page puts it (after the header lines, before the first paragraph): no finding
    fixed = _score(HEADER + greeting + "\n\n" + BODY, name)
    assert _greeting_findings(fixed) == []


@pytest.mark.parametrize("name", [None, "", "(unknown)"])
def test_no_name_no_greeting_to_insert_and_the_advice_stays(name):
    found = _greeting_findings(_score(HEADER + BODY, name))
    assert [(f.message, f.suggestions, f.start) for f in found] == [
        ('The letter has no greeting ("Dear ...").', [], None)]


@pytest.mark.parametrize("name", ["Mr", "Sir"])
def test_no_button_when_the_greeting_built_would_not_pass_the_check_itself(name):
    """"Dear Mr" and "Dear Sir" greet no one: the writer is told the greeting is missing, and
    writes it. (Sir John Smith, Professor Sir Ian Wood and Ms Dame were here too, until the
    check knew how a knight is greeted and that the last word of a name is the surname:
    test_a_letter_with_no_greeting_is_offered_the_victims_greeting.)"""
    found = _greeting_findings(_score(HEADER + BODY, name))
    assert [(f.message, f.suggestions) for f in found] == [('The letter has no greeting ("Dear ...").', [])]


def test_a_welsh_letter_is_offered_a_welsh_greeting():
    path = ROOT / "sample_letters" / "39_good_welsh_discontinued_assault_standard.txt"
    letter = Letter.from_file(path)
    assert "\nAnnwyl Mr Rhys\n\n" in letter.text
    bare = letter.model_copy(update={"text": letter.text.replace("Annwyl Mr Rhys\n\n", "")})
    found = _greeting_findings(score_letter(bare, today=TODAY))
    assert [f.suggestions for f in found] == [["Annwyl Mr Rhys,"]]


def test_a_bilingual_letter_is_offered_the_greeting_of_the_language_it_starts_in():
    """Review 12: a letter in Welsh and English with no greeting was offered "Dear Mrs Hughes," to
    put above its Welsh first paragraph. Now the greeting goes in the first paragraph's language."""
    path = ROOT / "sample_letters" / "40_flawed_welsh_bilingual_late_placeholder_jargon.txt"
    letter = Letter.from_file(path)
    assert "\nAnnwyl Mrs Hughes\n\n" in letter.text and "\nDear Mrs Hughes\n\n" in letter.text
    bare = letter.text.replace("Annwyl Mrs Hughes\n\n", "").replace("Dear Mrs Hughes\n\n", "")
    result = score_letter(letter.model_copy(update={"text": bare}), today=TODAY)
    assert result.metrics["language"] == "cy+en"
    assert [f.suggestions for f in _greeting_findings(result)] == [["Annwyl Mrs Hughes,"]]
    # the same letter with its English half first: "Dear"
    top, rest = letter.text.split("Annwyl Mrs Hughes\n\n")
    welsh, english = rest.split("Dear Mrs Hughes\n\n")
    result = score_letter(letter.model_copy(update={"text": top + english.rstrip() + "\n\n" + welsh}), today=TODAY)
    assert result.metrics["language"] == "cy+en"
    assert [f.suggestions for f in _greeting_findings(result)] == [["Dear Mrs Hughes,"]]


def _without_greeting(text: str) -> tuple[str, str]:
    """The letter with its greeting line (and the blank line after it) taken out; the line."""
    lines = text.split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith(("Dear ", "Annwyl ")))
    greeting = lines.pop(i)
    while i < len(lines) and not lines[i].strip():
        lines.pop(i)
    return "\n".join(lines), greeting


def test_a_sample_letter_given_the_greeting_back_raises_what_it_did_and_no_greeting_finding():
    """Sample letter 01 without its greeting, and with the offered one put back where the page
    puts it: after the reference line and the subject heading (a header line to the checker when
    it comes before the greeting), before the first paragraph."""
    letter = Letter.from_file(ROOT / "sample_letters" / "01_good_discontinued_assault_standard.txt")
    bare, greeting = _without_greeting(letter.text)
    assert greeting == "Dear Mr Nowak"
    before = score_letter(letter.model_copy(update={"text": bare}), today=TODAY)
    assert [f.suggestions for f in _greeting_findings(before)] == [["Dear Mr Nowak,"]]
    fixed_text = bare.replace("The case against Lee Barker\n\n", "The case against Lee Barker\n\nDear Mr Nowak,\n\n", 1)
    fixed = score_letter(letter.model_copy(update={"text": fixed_text}), today=TODAY)
    original = score_letter(letter, today=TODAY)
    assert _greeting_findings(fixed) == []
    assert sorted(f.rule for f in fixed.findings) == sorted(f.rule for f in original.findings)
    assert sorted(f.rule for f in before.findings) == sorted([f.rule for f in original.findings] + [RULE])


def test_a_letter_typed_one_line_a_paragraph_reads_the_inserted_greeting():
    """A Word file's letter: no blank lines. The page sets the greeting apart by a blank line on
    each side; the checker then finds it, and the lines above stay the header."""
    word_style = HEADER.replace("\n\n", "\n") + BODY.replace("\n\n", "\n")
    assert [f.suggestions for f in _greeting_findings(_score(word_style, "Ms Anne-Marie de la Cruz"))] == [
        ["Dear Ms de la Cruz,"]]
    fixed = word_style.replace("33LE0419225\n", "33LE0419225\n\nDear Ms de la Cruz,\n\n", 1)
    result = _score(fixed, "Ms Anne-Marie de la Cruz")
    assert _greeting_findings(result) == []
    assert "content.private_heading" not in {f.rule for f in result.findings}


def test_a_welsh_letter_greets_a_couple_with_the_welsh_and():
    """A review: the couple's greeting was built with "and" whatever the letter's language
    ("Annwyl Mr and Mrs Jones,"); in Welsh it is "a"."""
    from vcl_qa import Letter, LetterContext
    from vcl_qa.engine.run import score_letter

    body = ("Rydym wedi penderfynu rhoi\u2019r gorau i\u2019r achos yn erbyn Mr Lewis. Nid oedd digon o dystiolaeth."
            "\n\nYn gywir\n\nSam\n")
    for name in ("Mr a Mrs Huw Jones", "Mr Huw Jones a Mrs Ann Jones", "Mr and Mrs Huw Jones"):
        result = score_letter(Letter(text=body, context=LetterContext(victim_name=name)))
        assert [f.suggestions for f in result.findings if f.rule == "content.salutation"] == [
            ["Annwyl Mr a Mrs Jones,"]], name


def test_a_young_person_named_with_no_title_is_greeted_by_the_first_name():
    """A 14-year-old named "Jayden Clarke" in the details was offered "Dear Jayden Clarke," (a
    staff review); an adult so named still gets the whole name, and a young person with a
    title the title and surname."""
    def offered(name, reader):
        ctx = _context(name).model_copy(update={"reader": reader})
        found = _greeting_findings(score_letter(Letter(text=HEADER + BODY, context=ctx), today=TODAY))
        return found[0].suggestions

    assert offered("Jayden Clarke", "young_person") == ["Dear Jayden,"]
    assert offered("Jayden Clarke", "adult") == ["Dear Jayden Clarke,"]
    assert offered("Mr Jayden Clarke", "young_person") == ["Dear Mr Clarke,"]


def test_a_greeting_judged_again_is_judged_the_same_and_per_name_reader_and_rules(rules_copy):
    """kinds/salutation.py keeps what a greeting line says to the details' name (`_judged`),
    per settings, line, name and reader: the finding, its suggestions and whether it stays
    advice are the same kept as worked out; another name, reader or rule set is judged
    afresh, never given another's answer."""
    from vcl_qa.engine.kinds import salutation
    from vcl_qa.engine.rules import load_rules

    def said(text: str, name: str | None, reader: str = "adult"):
        ctx = _context(name).model_copy(update={"reader": reader})
        result = score_letter(Letter(text=text, context=ctx), today=TODAY)
        return [(f.message, f.suggestions, f.replacements, f.start, f.end) for f in _greeting_findings(result)]

    wrong = HEADER + "Dear Mr Lane,\n\n" + BODY
    impersonal = HEADER + "Dear Sir or Madam,\n\n" + BODY
    couple = HEADER + "Dear Mr and Mrs Cruz,\n\n" + BODY
    cases = [(wrong, "Ms Anne-Marie de la Cruz", "adult"), (wrong, "Jayden Clarke", "young_person"),
             (wrong, "Jayden Clarke", "adult"), (impersonal, "Ms Anne-Marie de la Cruz", "adult"),
             (impersonal, "MS ANNE OKAFOR", "adult"), (couple, "Ms Anne-Marie de la Cruz", "adult"),
             (HEADER + "Dear Ms de la Cruz,\n\n" + BODY, "Ms Anne-Marie de la Cruz", "adult")]
    salutation._JUDGED.clear()
    fresh = [said(*case) for case in cases]
    assert len(salutation._JUDGED) >= len(cases)  # (and the lines the one-click checks put in)
    assert [said(*case) for case in cases] == fresh  # kept: the same
    salutation._JUDGED.clear()
    assert [said(*case) for case in cases[::-1]] == fresh[::-1]  # worked out again, in another order
    assert fresh[1] != fresh[2] and fresh[1][0][1] == ["Dear Jayden"]  # the reader counts
    assert fresh[0][0][1] == ["Dear Ms de la Cruz"] and fresh[0][0][2]  # a button
    assert fresh[5][0][2] == []  # two people greeted: advice, no button
    assert fresh[-1] == []
    # another rule set (its own wording) is never given the first one's answers
    path = rules_copy / "content.yml"
    path.write_text(path.read_text().replace("does not match the victim''s name", "names someone else, not"))
    load_rules.cache_clear()
    again = said(wrong, "Ms Anne-Marie de la Cruz")
    assert "names someone else" in again[0][0] and again[0][1:] == fresh[0][0][1:]
