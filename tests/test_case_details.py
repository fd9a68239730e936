"""content.other_case: a letter started from another case's letter and only re-greeted carries
that person's name, address and case reference. The checker compares the name the letter is
addressed to, and any case reference printed in it, with the letter's details."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.run import score_letter

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 6, 2)


def _found(text: str, **context) -> list[tuple[str, str]]:
    result = score_letter(Letter(text=text, context=LetterContext(**context)), today=TODAY)
    return [(f.text, f.message) for f in result.findings if f.rule == "content.other_case"]


def test_a_good_letter_re_greeted_for_another_victim_is_caught():
    """A reviewer's case: a good letter to one bereaved family, its greeting changed for
    another case. Its address block and reference still belong to the first family."""
    letter = Letter.from_file(ROOT / "sample_letters" / "06_good_discontinued_homicide_bereaved.txt")
    own = letter.context
    assert _found(letter.text, **own.model_dump(exclude_none=True)) == []
    greeting = next(line for line in letter.text.splitlines() if line.startswith("Dear "))
    text = letter.text.replace(greeting, "Dear Mr Ansell")
    other = own.model_copy(update={"victim_name": "Mr Peter Ansell", "urn": "51KQ7700325"})
    found = _found(text, **other.model_dump(exclude_none=True))
    assert len(found) == 2
    (addressee, message), (reference, ref_message) = found
    assert own.victim_name.split()[-1] in addressee and "Mr Peter Ansell" in message
    assert reference.replace(" ", "") == own.urn.replace(" ", "") and "51KQ7700325" in ref_message


def test_the_same_person_and_case_written_other_ways_pass():
    body = "\n\nDear {greet}\n\nWe have decided to stop the case.\n"
    for head, greet, name in [
        ("Mr and Mrs T Ansell\n2 Quarry Road", "Mr and Mrs Ansell", "Mr Peter Ansell"),
        ("MRS JOAN O’NEILL-BRYCE\n9 Firth Street", "Mrs O'Neill-Bryce", "Mrs Joan O'Neill-Bryce"),
        ("Rev. Samuel Adeyemi\nThe Vicarage", "Reverend Adeyemi", "Revd Samuel Adeyemi"),
        ("The Head Teacher\nHollins Primary School", "Mrs Webb", "Mrs Clare Webb"),  # no titled line
        # a case system's order, letters after the name, a note, a surname that is also a title
        ("Ms Jane Okafor\n9 Firth Street", "Ms Okafor", "Okafor, Jane (Ms)"),
        ("Mr J Smith\n9 Firth Street", "Mr Smith", "Mr John Smith Jr"),
        ("Ms Sarah Jones\n9 Firth Street", "Ms Jones", "Sarah Jones (mother of Ella)"),
        ("Ms J Judge\n9 Firth Street", "Ms Judge", "Ms Jane Judge"),
    ]:
        text = f"Private - to be opened by addressee only\n\n{head}\nOur ref: 51 KQ 7700325{body.format(greet=greet)}"
        assert _found(text, victim_name=name, urn="51KQ7700325") == [], head


def test_another_name_or_reference_is_caught_each_once():
    text = ("Private - to be opened by addressee only\n\nMs Harriet Cole\n9 Firth Street\nRef: 33 TT 1234522\n\n"
            "Dear Mr Ansell\n\nWe have decided to stop the case (reference 33TT1234522).\n")
    found = _found(text, victim_name="Mr Peter Ansell", urn="51KQ7700325")
    assert [t for t, _ in found] == ["Ms Harriet Cole", "33 TT 1234522"]


def test_a_surname_first_name_still_catches_another_addressee():
    text = "Mrs Denise Okonkwo\n9 Firth Street\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
    assert [t for t, _ in _found(text, victim_name="Okafor, Jane (Ms)")] == ["Mrs Denise Okonkwo"]


def test_not_assessed_without_the_name_or_the_reference():
    result = score_letter(Letter(text="Ms Harriet Cole\n\nDear Mr Ansell\n\nWe have stopped the case.\n"), today=TODAY)
    assert not [f for f in result.findings if f.rule == "content.other_case"]
    assert any(n.startswith("content.other_case") for n in result.dimensions["content"].model_dump().get("not_assessed", []))


def test_a_pasted_list_of_other_cases_is_a_few_findings_not_thousands():
    text = "Dear Mr Ansell\n\n" + " ".join(f"See {20 + i % 70}CD{i:07d}." for i in range(3000)) + "\n"
    assert len(_found(text, victim_name="Mr Peter Ansell", urn="51KQ7700325")) == 5
