"""Word files read as they print: text in content controls, simple fields, tracked insertions and
text boxes is read; tracked deletions and hidden text are not.

python-docx's `Paragraph.text` reads only the runs directly in a paragraph, so a template's
content control still showing "Click or tap here to enter text.", an unmerged mail-merge field
"«Victim_Name»", or a greeting's name typed into a content control went unseen: a template
leftover passed as a finished letter, and a greeting with the right name was read as "Dear ".
Each file here is a real .docx written by python-docx, with the Word markup added as Word
writes it."""
from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from docx.oxml import parse_xml

from vcl_qa import Letter, LetterContext
from vcl_qa.engine.letter import docx_text
from vcl_qa.engine.run import score_letter

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
WP = 'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'

CONTEXT = LetterContext(decision="discontinued", decision_date=dt.date(2024, 3, 1), letter_date=dt.date(2024, 3, 1),
                        victim_category="standard", offence="assault", victim_name="Ms Jane Okafor")


def _run(text: str, extra: str = "") -> str:
    return f'<w:r {W}>{extra}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _word(*paragraphs: str) -> bytes:
    """A Word file whose body is the given paragraphs: plain strings become ordinary
    paragraphs, strings starting with '<' are XML put in the body as they are."""
    document = docx.Document()
    body = document.element.body
    for p in paragraphs:
        if p.startswith("<"):
            body.insert(len(body) - 1, parse_xml(p))  # before the section properties
        else:
            document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _para(*inner: str, props: str = "") -> str:
    return f'<w:p {W}>{props}{"".join(inner)}</w:p>'


def _block_control(text: str, placeholder: bool = True) -> str:
    shown = "<w:showingPlcHdr/>" if placeholder else ""
    return (f'<w:sdt {W}><w:sdtPr>{shown}<w:text/></w:sdtPr><w:sdtContent>'
            f'{_para(_run(text))}</w:sdtContent></w:sdt>')


def _inline_control(text: str) -> str:
    return f'<w:sdt {W}><w:sdtPr><w:alias w:val="Name"/><w:text/></w:sdtPr><w:sdtContent>{_run(text)}</w:sdtContent></w:sdt>'


def _text_box(text: str) -> str:
    """A text box as Word 2010 and later write it: a drawing, and a picture for older readers."""
    box = f'<w:txbxContent>{_para(_run(text))}</w:txbxContent>'
    return (f'<w:r {W} {MC} {WPS} {WP} {A} {V}><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
            f'<wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>'
            f'</mc:AlternateContent></w:r>')


def test_a_content_control_still_showing_its_prompt_is_reported_as_template_text():
    data = _word("Private - to be opened by addressee only", "Dear Ms Okafor",
                 "We have decided to stop the case against Mr Lane.",
                 _block_control("Click or tap here to enter text."), "Yours sincerely", "Sam Staff")
    text = docx_text(data)
    assert "Click or tap here to enter text." in text.splitlines()
    found = [f.text for f in score_letter(Letter(text=text, context=CONTEXT)).findings if f.rule == "content.placeholder"]
    assert found == ["Click or tap here to enter text"]


def test_a_greeting_whose_name_is_in_a_content_control_is_read_whole():
    data = _word(_para(_run("Dear "), _inline_control("Ms Okafor")), "We have decided to stop the case.")
    text = docx_text(data)
    assert text.splitlines()[0] == "Dear Ms Okafor"
    result = score_letter(Letter(text=text, context=CONTEXT))
    assert "content.salutation" not in {f.rule for f in result.findings}


def test_an_unmerged_mail_merge_field_is_read_and_reported():
    field = f'<w:fldSimple {W} w:instr=" MERGEFIELD Victim_Name \\* MERGEFORMAT ">{_run("«Victim_Name»")}</w:fldSimple>'
    data = _word(_para(_run("Dear "), field), "We have decided to stop the case.")
    text = docx_text(data)
    assert text.splitlines()[0] == "Dear «Victim_Name»"
    found = {f.text for f in score_letter(Letter(text=text, context=CONTEXT)).findings if f.rule == "content.placeholder"}
    assert found == {"«Victim_Name»"}


def test_tracked_changes_are_read_as_accepted():
    """The letter goes out with its tracked changes accepted: what was put in is read, what
    was taken out is not, and a paragraph taken out whole leaves no empty line."""
    inserted = (f'<w:ins {W} w:id="1" w:author="Team leader" w:date="2024-03-01T10:00:00Z">'
                f'{_run("You can ask us to look at the decision again.")}</w:ins>')
    deleted = (f'<w:del {W} w:id="2" w:author="Team leader" w:date="2024-03-01T10:00:00Z">'
               f'<w:r><w:delText xml:space="preserve">The decision is final. </w:delText></w:r></w:del>')
    gone = _para(f'<w:del {W} w:id="3" w:author="Team leader" w:date="2024-03-01T10:00:00Z">'
                 f'<w:r><w:delText>Please note the case is closed.</w:delText></w:r></w:del>',
                 props=f'<w:pPr {W}><w:rPr><w:del w:id="4" w:author="Team leader" w:date="2024-03-01T10:00:00Z"/></w:rPr></w:pPr>')
    data = _word("Dear Ms Okafor", _para(deleted, _run("We have stopped the case. "), inserted), gone, "Yours sincerely")
    assert docx_text(data) == ("Dear Ms Okafor\nWe have stopped the case. You can ask us to look at the decision again.\n"
                               "Yours sincerely\n")


def test_hidden_text_is_not_read():
    hidden = _run("[Insert the reason here] ", extra="<w:rPr><w:vanish/></w:rPr>")
    shown_again = _run("because the film did not show who hit you.", extra='<w:rPr><w:vanish w:val="false"/></w:rPr>')
    data = _word(_para(_run("We have stopped the case "), hidden, shown_again))
    assert docx_text(data) == "We have stopped the case because the film did not show who hit you.\n"


def test_a_text_box_is_read_once_after_its_paragraph():
    data = _word(_para(_run("Victim Liaison Unit"), _text_box("Call us on 01632 960123")), "Dear Ms Okafor")
    assert docx_text(data).splitlines() == ["Victim Liaison Unit", "Call us on 01632 960123", "Dear Ms Okafor"]


def test_content_controls_in_a_table_cell_and_a_page_header_are_read():
    document = docx.Document()
    cell = document.add_table(rows=1, cols=2).cell(0, 0)
    cell._tc.append(parse_xml(_block_control("Enter the date", placeholder=False)))
    cell._tc.remove(cell._tc.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")[0])
    document.sections[0].header._element.append(parse_xml(_block_control("Our reference: 42AB1234524", placeholder=False)))
    document.add_paragraph("Dear Ms Okafor")
    buf = io.BytesIO()
    document.save(buf)
    lines = docx_text(buf.getvalue()).splitlines()
    assert "Our reference: 42AB1234524" in lines and "Enter the date" in lines


@pytest.mark.parametrize("leftover, found", [
    ("We will write again on Click or tap to enter a date.", "Click or tap to enter a date"),
    ("The case was Choose an item. by the court.", "Choose an item"),
    ("The hearing on {hearing date} will not now go ahead.", "{hearing date}"),
    ("Please call us on 01632 ######.", "######"),
    ("Our reference: INSERT URN", "INSERT URN"),
])
def test_word_template_leftovers_in_a_plain_letter(leftover, found):
    text = f"Dear Ms Okafor\n\nWe have decided to stop the case against Mr Lane.\n\n{leftover}\n\nYours sincerely\n"
    result = score_letter(Letter(text=text, context=CONTEXT))
    assert [f.text for f in result.findings if f.rule == "content.placeholder"] == [found]


@pytest.mark.parametrize("line", [
    "Please call me on 01632 960123 and choose option 2.",
    "You can enter the reference at the top of this letter on the online form.",
    "When you call, press # and then 2 to reach our team.",
    "He said he was “sorry”, but the film shows otherwise.",
])
def test_ordinary_words_near_template_leftovers_pass(line):
    text = f"Dear Ms Okafor\n\nWe have decided to stop the case against Mr Lane.\n\n{line}\n\nYours sincerely\n"
    result = score_letter(Letter(text=text, context=CONTEXT))
    assert "content.placeholder" not in {f.rule for f in result.findings}


def _marked_up(comment: bool = True, change: bool = True, hidden: bool = False) -> bytes:
    inner = [_run("We have stopped the case. ")]
    if change:
        inner.append(f'<w:ins {W} w:id="1" w:author="Team leader" w:date="2024-03-01T10:00:00Z">'
                     f'{_run("You can ask us to look at it again.")}</w:ins>')
    if comment:
        inner += [f'<w:commentRangeStart {W} w:id="7"/>', _run("I am sorry."), f'<w:commentRangeEnd {W} w:id="7"/>',
                  f'<w:r {W}><w:commentReference w:id="7"/></w:r>']
    if hidden:
        inner.append(_run(" Note to self.", extra="<w:rPr><w:vanish/></w:rPr>"))
    return _word("Dear Ms Okafor", _para(*inner))


def test_a_word_file_with_tracked_changes_or_comments_says_what_to_do_before_printing():
    from vcl_qa.engine.letter import read_docx

    text, warning = read_docx(_marked_up())
    assert "You can ask us to look at it again." in text
    assert warning.startswith("The Word file still has 1 tracked change and 1 comment.")
    assert "accept or reject every change and delete the comments" in warning
    assert "hidden text" in read_docx(_marked_up(comment=False, change=False, hidden=True))[1]
    assert read_docx(_word("Dear Ms Okafor", "We have stopped the case."))[1] is None


def test_the_command_line_notes_a_marked_up_word_file(tmp_path):
    from click.testing import CliRunner

    from vcl_qa.cli import main

    (tmp_path / "draft.docx").write_bytes(_marked_up())
    (tmp_path / "clean.docx").write_bytes(_word("Dear Ms Okafor", "We have stopped the case."))
    result = CliRunner().invoke(main, ["score", str(tmp_path / "draft.docx"), str(tmp_path / "clean.docx")])
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "draft.docx: The Word file still has 1 tracked change and 1 comment" in notes[0]
