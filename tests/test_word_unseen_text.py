"""Word text a reader of the printed letter would not see, or would see otherwise than it is
stored (a review of the Word round trip, thirty-fourth session):
- the review right planted in white 1 pt type in a letter that lacked it: read as the letter's
  words, so the letter scored 96, Good, and "Right to review missing" was never said;
- Word's own right-to-left override (w:bdo) around a phone number, which prints it backwards:
  read as plain text, so nothing was said (the same made with Unicode marks was caught);
- a footnote mark typed as a raised 1 after "10 working days": read as "days1", so the review's
  time limit was not found in a good letter;
- the note on a file with only comments read "The letter was the comments were not read."
Real .docx files made by python-docx; the engine and the command line as staff run them."""
from __future__ import annotations

import datetime as dt
import io

import docx
from click.testing import CliRunner

from test_word_templates import _word  # a Word file of the given paragraphs (tests/ is on the path)
from vcl_qa import Letter, LetterContext
from vcl_qa.cli import main
from vcl_qa.engine.letter import read_docx
from vcl_qa.engine.run import score_letter

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTEXT = LetterContext(decision="discontinued", decision_date=dt.date(2025, 3, 3), letter_date=dt.date(2025, 3, 4),
                        victim_category="standard", offence="assault", victim_name="Ms Jane Okafor")
OPENING = ["Private - to be opened by addressee only", "Dear Ms Okafor",
           "I am writing to tell you that we have decided to stop the case against Mr Lane. I know this is "
           "not the news you hoped for, and I am sorry.",
           "The only witness who saw the fight has moved abroad and the police cannot find her, so we "
           "cannot prove who started it. This does not mean we doubt what you told the police. Please "
           "report anything else that happens to the police."]
REVIEW = ("You can ask us to look at this decision again. This is called the Victims' Right to Review. "
          "Please ask within 10 working days of this letter. We will accept a request up to 3 months after "
          "the decision.")
CLOSING = ["Victim Support can help you, free, on 0808 168 9111.",
           "If you have any questions, please call me on 01632 960214.", "Yours sincerely", "Sam Staff"]


def _run(text: str, props: str = "") -> str:
    return f'<w:r {W}>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _para(*inner: str, props: str = "") -> str:
    return f'<w:p {W}>{f"<w:pPr>{props}</w:pPr>" if props else ""}{"".join(inner)}</w:p>'


def _rules(data: bytes) -> set[str]:
    text, _ = read_docx(data)
    result = score_letter(Letter(text=text, context=CONTEXT), today=dt.date(2025, 3, 4))
    return {f.rule for f in result.findings if f.severity != "suggestion"}


def test_the_review_right_in_white_one_point_type_is_not_read_and_the_file_says_so():
    planted = _para(_run(REVIEW, '<w:color w:val="FFFFFF"/><w:sz w:val="2"/>'))
    text, note = read_docx(_word(*OPENING, planted, *CLOSING))
    assert "Victims' Right to Review" not in text
    assert note.startswith("The Word file still has hidden text (formatted as hidden, in white, or too small to read). "
                           "The hidden text was not read.")
    assert "content.vrr" in _rules(_word(*OPENING, planted, *CLOSING))
    # white alone, and tiny alone, each hide it too
    for props in ('<w:color w:val="ffffff"/>', '<w:sz w:val="4"/>'):
        assert "Victims' Right to Review" not in read_docx(_word(*OPENING, _para(_run(REVIEW, props)), *CLOSING))[0]
    # the letter with the paragraph as everyone sees it: read, and nothing said of hidden text
    text, note = read_docx(_word(*OPENING, REVIEW, *CLOSING))
    assert "Victims' Right to Review" in text and note is None
    assert "content.vrr" not in _rules(_word(*OPENING, REVIEW, *CLOSING))


def test_white_text_on_a_coloured_background_shows_and_is_read():
    """A heading in white on a dark band (run, paragraph or table cell shading, a highlight)."""
    white = '<w:color w:val="FFFFFF"/>'
    cell = (f'<w:tbl {W}><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="9000"/></w:tblGrid>'
            f'<w:tr><w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr>'
            f'{_para(_run(REVIEW, white))}</w:tc></w:tr></w:tbl>')
    # a table's style may shade its heading row, and a paragraph's or a character style its text,
    # with nothing of the cell's or run's own: white there is taken to show too
    styled_table = (f'<w:tbl {W}><w:tblPr><w:tblStyle w:val="GridTable4-Accent1"/></w:tblPr><w:tblGrid>'
                    f'<w:gridCol w:w="9000"/></w:tblGrid><w:tr><w:tc>{_para(_run(REVIEW, white))}</w:tc></w:tr></w:tbl>')
    for shown in (_para(_run(REVIEW, white + '<w:shd w:val="clear" w:color="auto" w:fill="000000"/>')),
                  _para(_run(REVIEW, white + '<w:highlight w:val="black"/>')),
                  _para(_run(REVIEW, white), props='<w:shd w:val="clear" w:color="auto" w:fill="333333"/>'),
                  cell, styled_table,
                  _para(_run(REVIEW, white), props='<w:pStyle w:val="IntenseQuote"/>'),
                  _para(_run(REVIEW, '<w:rStyle w:val="Banner"/>' + white))):
        text, note = read_docx(_word(*OPENING, shown, *CLOSING))
        assert "Victims' Right to Review" in text and note is None, shown


def test_an_empty_tiny_run_is_no_hidden_text():
    spacer = _para(_run("", '<w:sz w:val="2"/>'))
    assert read_docx(_word(*OPENING, spacer, REVIEW, *CLOSING))[1] is None


def test_words_word_shows_right_to_left_are_reported_as_hidden_marks_are():
    backwards = _para(_run("If you have any questions, please call me on "),
                      f'<w:bdo {W} w:val="rtl">{_run("4120 069 23610")}</w:bdo>', _run("."))
    text, _ = read_docx(_word(*OPENING, REVIEW, backwards, "Yours sincerely", "Sam Staff"))
    assert "\u202e4120 069 23610\u202c" in text
    assert "content.hidden_order" in _rules(_word(*OPENING, REVIEW, backwards, "Yours sincerely", "Sam Staff"))
    words = _para(_run("You "), f'<w:dir {W} w:val="rtl">{_run("deliaf")}</w:dir>', _run(" to attend court."))
    assert "content.hidden_order" in _rules(_word(*OPENING, words, REVIEW, *CLOSING))
    # left to right (the default) changes nothing: read as it is, nothing said
    plain = _para(_run("Please call me on "), f'<w:bdo {W} w:val="ltr">{_run("01632 960214")}</w:bdo>', _run("."))
    text, _ = read_docx(_word(*OPENING, REVIEW, plain, "Yours sincerely", "Sam Staff"))
    assert "Please call me on 01632 960214." in text
    assert "content.hidden_order" not in _rules(_word(*OPENING, REVIEW, plain, "Yours sincerely", "Sam Staff"))


def test_a_footnote_mark_after_the_time_limit_is_not_run_into_the_word():
    marked = _para(_run("You can ask us to look at this decision again. This is called the Victims' Right to "
                        "Review. Please ask within 10 working days"), _run("1", '<w:vertAlign w:val="superscript"/>'),
                   _run(" of this letter. We will accept a request up to 3 months after the decision."))
    text, _ = read_docx(_word(*OPENING, marked, *CLOSING, "1 Working days are Monday to Friday, not bank holidays."))
    assert "10 working days\u200a\u00b9 of this letter" in text  # a hair space, then the raised figure
    assert not {"content.vrr", "content.vrr_time_limit"} & _rules(_word(*OPENING, marked, *CLOSING))
    # a raised figure that is not all digits is read as it is ("1st" with a raised "st")
    ordinal = _para(_run("The hearing on the 1"), _run("st", '<w:vertAlign w:val="superscript"/>'),
                    _run(" of May will not go ahead."))
    assert "The hearing on the 1st of May will not go ahead." in read_docx(_word(*OPENING, ordinal))[0]


def test_the_note_on_a_file_with_comments_only_reads_as_a_sentence(tmp_path):
    commented = _para(f'<w:commentRangeStart {W} w:id="7"/>', _run("I am sorry."), f'<w:commentRangeEnd {W} w:id="7"/>',
                      f'<w:r {W}><w:commentReference w:id="7"/></w:r>')
    path = tmp_path / "draft.docx"
    path.write_bytes(_word(*OPENING, commented, REVIEW, *CLOSING))
    out = CliRunner().invoke(main, ["score", str(path)])
    assert "The Word file still has 1 comment. The comments were not read. Before you print" in out.output
    assert "The letter was the" not in out.output


def test_white_text_in_a_letterhead_or_a_text_box_is_read():
    """A letterhead's white words on its banner picture (a page header), or in a filled text box:
    the shape's fill is not read, so white there is taken to show."""
    from docx.shared import RGBColor

    document = docx.Document()
    run = document.sections[0].header.paragraphs[0].add_run("Crown Prosecution Service, 27 Park Place, Leeds LS1 2SZ")
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    for p in OPENING + [REVIEW] + CLOSING:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    text, note = read_docx(buf.getvalue())
    assert "27 Park Place, Leeds LS1 2SZ" in text and note is None
    inside = _para(_run("Our office: 0113 496 0000", '<w:color w:val="FFFFFF"/>'))
    box = _para(f'<w:r {W}><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" fillcolor="#1F3864">'
                f'<v:textbox><w:txbxContent>{inside}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
    text, note = read_docx(_word(*OPENING, box, REVIEW, *CLOSING))
    assert "Our office: 0113 496 0000" in text and note is None


def test_a_raised_figure_in_a_footnote_style_or_moved_up_is_a_footnote_mark_and_a_raised_number_keeps_its_digits():
    """A review of the first fix: a "1" raised by the footnote mark's character style, or by
    w:position, still read "days1"; and folding superscripts to spaces lost a whole raised
    number ("within ¹⁰ working days" no longer read "10")."""
    for props in ('<w:rStyle w:val="FootnoteReference"/>', '<w:position w:val="6"/>'):
        marked = _para(_run(REVIEW.replace(" of this letter.", "")), _run("1", props), _run(" of this letter."))
        assert not {"content.vrr", "content.vrr_time_limit"} & _rules(_word(*OPENING, marked, *CLOSING)), props
    raised = _para(_run("You can ask us to look at this decision again. This is called the Victims' Right to Review. "
                        "Please ask within "), _run("10", '<w:vertAlign w:val="superscript"/>'),
                   _run(" working days of this letter. We will accept a request up to 3 months after the decision."))
    text, _ = read_docx(_word(*OPENING, raised, *CLOSING))
    assert "within \u00b9\u2070 working days" in text  # no hair space after a space
    assert "content.vrr_time_limit" not in _rules(_word(*OPENING, raised, *CLOSING))


def test_an_unseen_run_keeps_its_line_breaks_tabs_spaces_and_text_boxes():
    """A review of the first fix: a run in 1 pt or white type was left out whole, so a line break
    in it ran "Yours sincerely" into the name, a 1 pt space joined "10 working" and "days", and a
    text box anchored in a 1 pt run (a common Word trick) lost the contact details it held."""
    tiny = '<w:sz w:val="2"/>'
    spaced = _para(_run("You can ask us to look at this decision again. This is called the Victims' Right to Review. "
                        "Please ask within 10 working"), _run(" ", tiny), _run("days of this letter. We will accept a "
                                                                                 "request up to 3 months after the decision."))
    text, note = read_docx(_word(*OPENING, spaced, *CLOSING))
    assert "within 10 working days of this letter" in text and note is None  # a space hides nothing
    broken = _para(_run("Yours sincerely"), f'<w:r {W}><w:rPr>{tiny}</w:rPr><w:br/></w:r>', _run("Sam Staff"))
    assert "Yours sincerely\nSam Staff" in read_docx(_word(*OPENING, REVIEW, broken))[0]
    inside = _para(_run("If you have any questions, please call me on 01632 960214."))
    box = _para(f'<w:r {W}><w:rPr>{tiny}</w:rPr><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml">'
                f'<v:textbox><w:txbxContent>{inside}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
    text, note = read_docx(_word(*OPENING, REVIEW, box, "Yours sincerely", "Sam Staff"))
    assert "please call me on 01632 960214" in text and note is None


def test_white_text_on_a_pattern_shading_shows():
    """A file converted from .doc gives a dark band as a solid pattern in w:color over fill auto."""
    band = _para(_run(REVIEW, '<w:color w:val="FFFFFF"/><w:shd w:val="solid" w:color="1F3864" w:fill="auto"/>'))
    text, note = read_docx(_word(*OPENING, band, *CLOSING))
    assert "Victims' Right to Review" in text and note is None


def test_left_to_right_inside_right_to_left_puts_the_words_back_in_order():
    """A review of the first fix: Word's left-to-right setting inside a right-to-left one shows
    the number in order, but was read as if the whole were reversed (a false must-fix)."""
    nested = _para(_run("If you have any questions, please call me on "),
                   f'<w:bdo {W} w:val="rtl"><w:bdo w:val="ltr">{_run("01632 960214")}</w:bdo></w:bdo>', _run("."))
    text, _ = read_docx(_word(*OPENING, REVIEW, nested, "Yours sincerely", "Sam Staff"))
    assert "\u202e\u202d01632 960214\u202c\u202c" in text
    assert "content.hidden_order" not in _rules(_word(*OPENING, REVIEW, nested, "Yours sincerely", "Sam Staff"))
    words = _para(_run("You "), f'<w:bdo {W} w:val="rtl"><w:dir w:val="ltr">{_run("failed")}</w:dir></w:bdo>',
                  _run(" to tell us."))
    assert "content.hidden_order" not in _rules(_word(*OPENING, REVIEW, words, *CLOSING))
    # right to left inside right to left is still reported
    twice = _para(_run("Please call me on "), f'<w:dir {W} w:val="rtl"><w:bdo w:val="rtl">{_run("41206 9 23610")}'
                  f'</w:bdo></w:dir>', _run("."))
    assert "content.hidden_order" in _rules(_word(*OPENING, REVIEW, twice, "Yours sincerely", "Sam Staff"))
