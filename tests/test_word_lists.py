"""Word's automatic list numbers and bullets are read as text at the start of their lines.

In Word, "1. Write to us" in a numbered list is the paragraph "Write to us" with a list number
that Word adds as it shows the page (w:numPr, defined in numbering.xml). The reader used to
leave the number out, so the letter checked, shown and downloaded was not the letter written.
Each file here is a real .docx made by python-docx; the numbering definitions are written into
its numbering part as Word writes them."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from vcl_qa import Letter
from vcl_qa.engine.letter import docx_text, read_docx
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.structure import analyse
from vcl_qa.letters.word import letter_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _saved(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _define(document, *definitions: str) -> None:
    """Add w:abstractNum and w:num definitions to the document's numbering part (abstract
    definitions before the lists, as Word orders them)."""
    numbering = document.part.numbering_part.element
    for xml in definitions:
        element = parse_xml(xml)
        first_list = numbering.find(qn("w:num"))
        if element.tag == qn("w:abstractNum") and first_list is not None:
            first_list.addprevious(element)
        else:
            numbering.append(element)


def _abstract(abstract_id, *levels: str, extra: str = "") -> str:
    return f'<w:abstractNum {W} w:abstractNumId="{abstract_id}">{extra}{"".join(levels)}</w:abstractNum>'


def _level(level, fmt: str, pattern: str, start="1", extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{level}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{pattern}"/>{extra}</w:lvl>')


def _list(num_id, abstract_id, overrides: str = "") -> str:
    return f'<w:num {W} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def _restart(level, start) -> str:
    return f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'


def _item(document, text: str, num_id, level=0) -> None:
    """A paragraph in list `num_id` at `level`, named on the paragraph itself (w:numPr)."""
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(  # before the section properties
        f'<w:p {W}><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>'
        f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'))


def _lines(document) -> list[str]:
    return docx_text(_saved(document)).splitlines()


def test_the_list_number_style_numbers_the_steps_and_goes_on_after_other_paragraphs():
    document = docx.Document()
    document.add_paragraph("You can ask us to look at the decision again:")
    for step in ("Write to us at the address above.", "Say which case it is.", "Ask within 10 working days."):
        document.add_paragraph(step, style="List Number")
    document.add_paragraph("If you need help, call us.")
    document.add_paragraph("Ask within 3 months at the latest.", style="List Number")  # Word goes on: 4.
    document.add_paragraph("Another list starts at 1.", style="List Number 2")
    assert _lines(document) == [
        "You can ask us to look at the decision again:", "1. Write to us at the address above.",
        "2. Say which case it is.", "3. Ask within 10 working days.", "If you need help, call us.",
        "4. Ask within 3 months at the latest.", "1. Another list starts at 1."]


def test_the_list_bullet_style_is_a_bullet_not_the_symbol_font_s_character():
    document = docx.Document()
    document.add_paragraph("People who can help:")
    document.add_paragraph("Victim Support: 0808 168 9111", style="List Bullet")
    document.add_paragraph("Samaritans: 116 123", style="List Bullet 2")
    text = docx_text(_saved(document))
    assert text.splitlines() == ["People who can help:", "• Victim Support: 0808 168 9111", "• Samaritans: 116 123"]
    assert "\uf0b7" not in text  # Word's bullet in the Symbol font, a private-use character


@pytest.mark.parametrize("fmt, pattern, start, labels", [
    ("decimal", "(%1)", "1", ["(1)", "(2)", "(3)"]),
    ("lowerLetter", "%1)", "1", ["a)", "b)", "c)"]),
    ("upperLetter", "%1.", "1", ["A.", "B.", "C."]),
    ("lowerRoman", "%1.", "1", ["i.", "ii.", "iii."]),
    ("upperRoman", "%1)", "4", ["IV)", "V)", "VI)"]),
    ("decimal", "Step %1:", "3", ["Step 3:", "Step 4:", "Step 5:"]),
    ("decimalZero", "%1.", "9", ["09.", "10.", "11."]),
    ("bullet", "o", "1", ["•", "•", "•"]),  # Courier New's "o"
    ("bullet", "\uf0a7", "1", ["•", "•", "•"]),  # a Wingdings square
])
def test_a_list_of_its_own_is_numbered_by_its_format_pattern_and_start(fmt, pattern, start, labels):
    document = docx.Document()
    _define(document, _abstract(100, _level(0, fmt, pattern, start)), _list(100, 100))
    steps = ("Call us", "Write to us", "Email us")
    for step in steps:
        _item(document, step, 100)
    assert _lines(document) == [f"{label} {step}" for label, step in zip(labels, steps)]


def test_a_list_numbered_none_has_no_label():
    document = docx.Document()
    _define(document, _abstract(100, _level(0, "none", "")), _list(100, 100))
    _item(document, "Call us", 100)
    document.add_paragraph("Then:", style="List Number")
    assert _lines(document) == ["Call us", "1. Then:"]


def test_a_two_level_list_indents_the_lower_level_and_restarts_it_under_each_step():
    """The third level's pattern names the levels above it, as numbers (w:isLgl, "legal"
    numbering; without it "2.a.1.")."""
    document = docx.Document()
    _define(document, _abstract(100, _level(0, "decimal", "%1."), _level(1, "lowerLetter", "%2."),
                                _level(2, "decimal", "%1.%2.%3.", extra="<w:isLgl/>")), _list(100, 100))
    for text, level in (("Write to us", 0), ("by post", 1), ("by email", 1), ("Ask within 10 working days", 0),
                        ("of this letter", 1), ("as the law sets out", 2), ("and the scheme", 2)):
        _item(document, text, 100, level)
    assert _lines(document) == ["1. Write to us", "    a. by post", "    b. by email", "2. Ask within 10 working days",
                                "    a. of this letter", "        2.1.1. as the law sets out",
                                "        2.1.2. and the scheme"]


def test_a_list_restarts_where_its_definition_says_so_and_lists_sharing_one_count_on():
    """As Word counts: lists (w:num) of one abstract definition share its count; a list with a
    w:startOverride restarts that level at its first item there."""
    document = docx.Document()
    _define(document, _abstract(100, _level(0, "decimal", "%1.")), _list(100, 100), _list(101, 100, _restart(0, 1)),
            _list(102, 100, _restart(0, 7)), _list(103, 100, _restart(0, "x")))
    for text, num_id in (("a", 100), ("b", 100), ("c", 101), ("d", 101), ("e", 100), ("f", 102), ("g", 103)):
        _item(document, text, num_id)
    # a startOverride that is not a number does not restart: the count goes on
    assert _lines(document) == ["1. a", "2. b", "1. c", "2. d", "3. e", "7. f", "8. g"]


def _damaged(definitions: tuple[str, ...], num_id="100", level="0") -> list[str]:
    """A healthy list item, then one whose list is damaged as given."""
    document = docx.Document()
    document.add_paragraph("Write to us", style="List Number")
    _define(document, *definitions)
    _item(document, "Call us", num_id, level)
    text, warning = read_docx(_saved(document))
    assert warning is None
    return text.splitlines()


@pytest.mark.parametrize("definitions, num_id, level", [
    ((), "100", "0"),  # a list that is not there
    ((_list(100, 999),), "100", "0"),  # its abstract definition is not there
    ((_abstract(100, _level(0, "decimal", "%1.", start="one")), _list(100, 100)), "100", "0"),  # start not a number
    ((_abstract(100, _level(0, "decimal", "%1.", start="99999999999")), _list(100, 100)), "100", "0"),  # too big
    ((_abstract(100, _level(0, "decimal", "%1.")), _list(100, 100)), "abc", "0"),  # the list's id not a number
    ((_abstract(100, _level(0, "decimal", "%1.")), _list(100, 100)), "100", "x"),  # level not a number
    ((_abstract(100, _level(0, "decimal", "%1.")), _list(100, 100)), "100", "12"),  # no such level in Word
    ((_abstract(100, _level(0, "decimal", "%1.")), _list(100, 100)), "100", "3"),  # a level not defined
    ((_abstract(100, _level(0, "decimal", "%1." * 2000)), _list(100, 100)), "100", "0"),  # a pattern far too long
    ((f'<w:num {W} w:numId="100"><w:abstractNumId w:val="many"/></w:num>',), "100", "0"),
    ((_abstract(100, extra='<w:numStyleLink w:val="Nowhere"/>'), _list(100, 100)), "100", "0"),  # a link to nothing
    ((_abstract(100, _level(0, "decimal", "%1.")), _list(100, 100)), "0", "0"),  # numId 0: no numbering
])
def test_a_damaged_list_reads_without_its_label_and_without_error(definitions, num_id, level):
    assert _damaged(definitions, num_id, level) == ["1. Write to us", "Call us"]


def test_a_word_file_without_a_usable_numbering_part_reads_its_items_without_labels():
    document = docx.Document()
    document.add_paragraph("Write to us", style="List Number")
    data = _saved(document)
    assert docx_text(data) == "1. Write to us\n"
    # the numbering part left out of the file
    without = docx.Document(io.BytesIO(data))
    for rel_id, rel in list(without.part.rels.items()):
        if rel.reltype.endswith("/numbering"):
            del without.part.rels[rel_id]
    assert docx_text(_saved(without)) == "Write to us\n"
    # the numbering part given a type that is not XML: python-docx keeps it as bytes
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml", b"application/octet-stream")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as package:
        for name, part in parts.items():
            package.writestr(name, part)
    assert docx_text(buf.getvalue()) == "Write to us\n"


def test_numbering_through_a_style_s_base_style_and_a_numbering_style_link():
    """A paragraph style based on a numbered style is numbered too, and a definition that is
    a numbering style's (w:numStyleLink) uses that style's list, sharing its count."""
    document = docx.Document()
    styles = document.styles.element
    styles.append(parse_xml(f'<w:style {W} w:type="paragraph" w:styleId="Steps"><w:name w:val="Steps"/>'
                            '<w:basedOn w:val="ListNumber"/></w:style>'))
    styles.append(parse_xml(f'<w:style {W} w:type="numbering" w:styleId="StepList"><w:name w:val="Step list"/>'
                            '<w:pPr><w:numPr><w:numId w:val="100"/></w:numPr></w:pPr></w:style>'))
    _define(document, _abstract(100, _level(0, "upperLetter", "%1)"), extra='<w:styleLink w:val="StepList"/>'),
            _abstract(101, extra='<w:numStyleLink w:val="StepList"/>'), _list(100, 100), _list(101, 101))
    document.add_paragraph("Write to us", style="Steps")
    _item(document, "Call us", 100)
    _item(document, "Email us", 101)
    assert _lines(document) == ["1. Write to us", "A) Call us", "B) Email us"]


STEPS = ["You can ask us to look at our decision again", "Ask within 10 working days of this letter",
         "You can still ask up to 3 months after the decision."]


def test_an_easy_read_letter_s_numbered_review_steps_are_read_and_scored_each_on_its_own_line(tmp_path):
    document = docx.Document()
    for line in ("Dear Ms Okafor", "We have stopped the case against Mr Lane.",
                 "The film does not show who hit you.", "What you can do:"):
        document.add_paragraph(line)
    for step in STEPS:
        document.add_paragraph(step, style="List Number")
    for line in ("Call us on 01632 960123.", "Yours sincerely", "Sam Staff"):
        document.add_paragraph(line)
    path = tmp_path / "easy.docx"
    path.write_bytes(_saved(document))
    letter = Letter.from_file(path, decision="discontinued", decision_date="2024-03-01", letter_date="2024-03-04",
                              victim_category="standard", offence="assault", victim_name="Ms Jane Okafor",
                              reader="easy_read")
    lines = letter.text.splitlines()
    assert lines[4:7] == [f"{n}. {step}" for n, step in enumerate(STEPS, 1)]
    # each step is read as the prose it is, a sentence of its own (a list item starts one); read
    # without their numbers, the two short steps with no full stop were taken for headings
    document = analyse(letter.text)
    assert [line.kind for line in document.lines[4:7]] == ["prose"] * 3
    assert [s.text for s in document.sentences if any(step in s.text for step in STEPS)] == STEPS
    result = score_letter(letter)
    assert "readability.easy_read_steps" not in {f.rule for f in result.findings}


def _listed_letter() -> bytes:
    document = docx.Document()
    document.add_paragraph("Dear Ms Okafor")
    document.add_paragraph("You can ask us to look at the decision again:")
    _define(document, _abstract(100, _level(0, "decimal", "%1."), _level(1, "lowerLetter", "%2)")), _list(100, 100))
    for text, level in (("Write to us", 0), ("by post", 1), ("by email", 1), ("Ask within 10 working days.", 0)):
        _item(document, text, 100, level)
    document.add_paragraph("People who can help:")
    document.add_paragraph("Victim Support", style="List Bullet")
    document.add_paragraph("Yours sincerely")
    return _saved(document)


@pytest.mark.parametrize("comments", [False, True])
def test_the_word_download_writes_the_labels_as_text_and_reads_back_the_same(comments):
    text = docx_text(_listed_letter())
    assert text.splitlines()[2:8] == ["1. Write to us", "    a) by post", "    b) by email",
                                      "2. Ask within 10 working days.", "People who can help:", "• Victim Support"]
    findings = score_letter(Letter(text=text)).model_dump(mode="json")["findings"]
    data = letter_docx(text, title="Letter 1", findings=findings, comments=comments)
    assert docx_text(data) == text
    downloaded = docx.Document(io.BytesIO(data))
    assert all(p._p.pPr is None or p._p.pPr.numPr is None for p in downloaded.paragraphs)  # plain text, no lists
    assert "    a) by post" in [p.text for p in downloaded.paragraphs]
