"""Files built to exhaust memory or time are refused quickly, with a short, clear message.

Each bomb goes through the real `vcl-qa score` in a child process. Memory is the sure sign
(400 MB peak, the issue's limit: before the fix the 8-level alias bomb took 1.2 GB and the
3-million-paragraph Word file over 1 GB); time is only a guard against a hang (15 s, start-up
included, so that a busy machine does not fail the test). bench/bench_hostile.py prints the
times against the issue's 5 s.
"""
from __future__ import annotations

import io
import zipfile

import pytest

from hostile_files import (alias_bomb, cli, deep_bomb, docx_bombs, long_number_front_matter,
                           long_value_front_matter, many_relationships, numbering_docx_shapes, read_docx_command,
                           run_measured, slow_docx_shapes)
from vcl_qa import Letter, LetterError
from vcl_qa.engine.letter import docx_text

SECONDS, MEGABYTES = 15, 400

TEXT_BOMBS = {
    "alias_8_levels": (alias_bomb(8), "anchor or alias"),
    "alias_9_levels": (alias_bomb(9), "anchor or alias"),
    "deep_nesting": (deep_bomb(), "nested too deeply"),
    "long_number": (long_number_front_matter(), "characters"),
    "long_value": (long_value_front_matter(), "characters"),
}
# What each is refused for. A part that unpacks to over 400 times its packed size is refused
# before anything is parsed, so the first three bombs say that; the renamed ones (the main part
# called document.dat, main or document.bin) pack less tightly, so each meets the limit it
# was built for, read as a stream like any part named .xml.
DOCX_WORDS = {
    "empty_paragraphs": "word/document.xml unpacks to 670 times its packed size",
    "text_paragraphs": "limit is 200 KB",
    "empty_runs": "word/document.xml unpacks to 670 times its packed size",
    "deep_nesting": "word/document.xml unpacks to 497 times its packed size",
    "over_20_mb": "the limit is 20 MB",
    "many_parts": "parts",
    "renamed_main_part": "word/document.dat unpacks to 670 times its packed size",
    "renamed_many_elements": "far larger inside than a letter (over 500,000 elements)",
    "renamed_long_text": "limit is 200 KB",
    "renamed_deep_nesting": "its part word/document.bin is not XML that can be read",
}


def _score_measured(path):
    code, err, seconds, peak = run_measured(cli("score", str(path)))
    return code, err, seconds, peak


@pytest.mark.parametrize("name", sorted(TEXT_BOMBS))
def test_front_matter_bombs_are_refused_quickly(tmp_path, name):
    text, words = TEXT_BOMBS[name]
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    code, err, seconds, peak = _score_measured(path)
    assert code == 2, err
    assert words in err
    assert f"{name}.txt" in err
    assert len(err) < 600  # a short message, never the value itself
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < MEGABYTES, f"{peak:.0f} MB"


@pytest.mark.parametrize("name", sorted(DOCX_WORDS))
def test_docx_bombs_are_refused_quickly(tmp_path, name):
    path = tmp_path / f"{name}.docx"
    path.write_bytes(docx_bombs()[name])
    assert path.stat().st_size < 200 * 1024  # a small file: inside the upload and file limits
    code, err, seconds, peak = _score_measured(path)
    assert code == 2, err
    assert DOCX_WORDS[name] in err
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < MEGABYTES, f"{peak:.0f} MB"


SLOW_SHAPES = slow_docx_shapes()


@pytest.mark.parametrize("name", sorted(SLOW_SHAPES))
def test_small_word_files_built_to_be_read_slowly_are_read_quickly(tmp_path, name):
    """Review 10b, finding 4: files within every size limit took python-docx minutes to hours
    (a column merged down 900 rows 41 to 87 s; 1,000 sections sharing one header over 100 s; a
    cell spanning 2 billion columns 2.7 GB; 50,000 sections, text boxes 40 deep: killed after
    150 s). Each is read, in a child process that only reads it, under 15 s and 400 MB."""
    path = tmp_path / f"{name}.docx"
    path.write_bytes(SLOW_SHAPES[name])
    assert path.stat().st_size < 200 * 1024
    code, err, seconds, peak = run_measured(read_docx_command(str(path)), timeout=60)
    assert code == 0, err
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < MEGABYTES, f"{peak:.0f} MB"


def test_what_the_slow_shapes_read_is_what_python_docx_gave():
    lines = docx_text(SLOW_SHAPES["merged_column_900_rows"]).splitlines()
    assert lines == ["Dear Ms Smith", *["a"] * 900, "Dear Ms Okafor"]  # the merged cell in each row it covers
    header = docx_text(SLOW_SHAPES["sections_sharing_a_header"]).split("\n\n")[0].splitlines()
    assert header == [f"h{i}" for i in range(4000)]  # the shared header once
    # a box inside a box is read once, where it stands (before: again for each box around it)
    assert docx_text(SLOW_SHAPES["text_boxes_40_deep"]).count("x") == 50 * 40


NUMBERING_SHAPES = numbering_docx_shapes()
# What each is refused for; None: it is read.
NUMBERING_WORDS = {"numbered_paragraphs_100000": "more than 200 KB of text with its list numbers; the limit is 200 KB",
                   "bullets_40000": None, "styles_5000_deep": None, "numbering_links_2000": None}


@pytest.mark.parametrize("name", sorted(NUMBERING_SHAPES))
def test_word_files_built_to_make_list_numbers_slow_are_read_quickly(tmp_path, name):
    """Word's list numbers are worked out paragraph by paragraph (engine/word_lists.py), each
    definition read once: 100,000 list items (refused at the text limit once their numbers
    pass it), 40,000 bullets of nine lists among 20,000, a style based on styles 5,000 deep,
    definitions linked on through 2,000 numbering styles round a loop. Each is read, or
    refused, in a child process that only reads it, under 15 s and 400 MB."""
    path = tmp_path / f"{name}.docx"
    path.write_bytes(NUMBERING_SHAPES[name])
    assert path.stat().st_size < 200 * 1024
    code, err, seconds, peak = run_measured(read_docx_command(str(path), "Dear Ms Smith\n1. Step one\n"), timeout=60)
    words = NUMBERING_WORDS[name]
    assert (code, words is None or words in err) == (0 if words is None else 2, True), err
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < MEGABYTES, f"{peak:.0f} MB"


def test_what_the_list_number_shapes_read():
    """The healthy list at the top of each is numbered; bullets are bullets; a style more than
    20 base styles from its numbering, or a list more than 3 numbering-style links from its
    definition (round a loop), is read without a number rather than followed on."""
    bullets = docx_text(NUMBERING_SHAPES["bullets_40000"]).splitlines()
    assert bullets == ["Dear Ms Smith", "1. Step one", *["•"] * 40_000, "Dear Ms Okafor"]
    for name in ("styles_5000_deep", "numbering_links_2000"):
        lines = docx_text(NUMBERING_SHAPES[name]).splitlines()
        assert lines == ["Dear Ms Smith", "1. Step one", *[""] * 20_000, "Dear Ms Okafor"], name


def test_merged_and_spanning_cells_read_as_python_docx_lists_them():
    """The table reader takes the w:tc elements itself; each row's text is what python-docx's
    row.cells gave (a cell spanning columns once, a merged cell's text in each row it covers,
    a cell the same as the one before it not repeated)."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=4)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"r{r}c{c}"
    table.cell(0, 0).merge(table.cell(2, 0))  # down three rows
    table.cell(0, 1).merge(table.cell(0, 3))  # across three columns
    table.cell(1, 2).merge(table.cell(3, 3))  # a block of three rows by two columns
    table.cell(3, 0).text = "Phone 0300 123 1234"
    inner = table.cell(3, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).merge(inner.cell(1, 0))
    inner.cell(0, 0).text, inner.cell(0, 1).text, inner.cell(1, 1).text = "in", "b1", "b2"
    buf = io.BytesIO()
    document.save(buf)
    # What python-docx's row.cells gave (the reader before; checked against it on this table
    # and on thousands of random tables with spans, merges, gaps and nesting). python-docx's
    # merge keeps the merged cells' texts as paragraphs of the one cell.
    # A row with a cell of several lines has each cell on lines of its own (a staff review: an
    # address's last line ran into the reference beside it); cells of one line each share a line.
    merged, block = "r0c0\nr1c0\nr2c0", "r1c2\nr1c3\nr2c2\nr2c3\nr3c2\nr3c3"
    rows = [f"{merged}\nr0c1\nr0c2\nr0c3",  # the column merged down three rows; the cell spanning three
            f"{merged}\nr1c1\n{block}",  # the block of three rows by two columns, once in each row
            f"{merged}\nr2c1\n{block}",
            f"Phone 0300 123 1234\nr3c1\nin  b1\nin  b2\n{block}"]  # a merged cell in a table in a cell
    assert docx_text(buf.getvalue()) == "\n".join(rows) + "\n"


def test_reading_stops_at_its_limit_whatever_the_shape(monkeypatch):
    """The overall bound: the reader looks at no more than config.MAX_DOCX_ELEMENTS_READ
    elements (twice the elements a file may hold; an ordinary file is read once). Shown here
    with the limit set low, as no shape known now gets past it."""
    import docx

    from vcl_qa import config

    document = docx.Document()
    for i in range(2000):
        document.add_paragraph(f"Paragraph {i}.")
    buf = io.BytesIO()
    document.save(buf)
    assert "Paragraph 1999." in docx_text(buf.getvalue())
    monkeypatch.setattr(config, "MAX_DOCX_ELEMENTS_READ", 1000)
    with pytest.raises(LetterError, match=r"far more reading than a letter \(over 1,000 elements read; "
                                          r"the limit is 1,000\)"):
        docx_text(buf.getvalue(), "long.docx")


def test_a_word_file_linking_far_more_parts_than_a_letter_is_refused():
    """100,000 relationships (311 KB) took python-docx 2 to 5 s and 196 MB; refused while
    counted, before python-docx."""
    with pytest.raises(LetterError, match="over 5,000 relationships"):
        docx_text(many_relationships(), "links.docx")


def test_alias_is_refused_even_when_harmless():
    with pytest.raises(LetterError) as err:
        Letter.from_text("---\nvictim_name: &n Ms Jane Okafor\nurn: *n\n---\nDear Ms Okafor\n")
    assert "anchor or alias" in err.value.message
    assert "(line 2)" in err.value.message  # the line in the file, counting the opening ---


def test_yaml_error_names_the_file_line():
    with pytest.raises(LetterError) as err:
        Letter.from_text("---\ndecision: discontinued\nurn: [unclosed\n---\nDear Ms Okafor\n")
    assert "not valid YAML (line 3)" in err.value.message


def test_bad_value_is_quoted_only_as_an_excerpt():
    with pytest.raises(LetterError) as err:
        Letter.from_text("---\nvictim_name: " + "Okafor " * 70 + "\n---\nDear Ms Okafor\n")
    assert err.value.field == "victim_name"
    assert len(str(err.value)) < 200
    assert "limit is 200" in err.value.message


def test_list_where_one_value_belongs():
    with pytest.raises(LetterError) as err:
        Letter.from_text("---\ndecision: [" + ", ".join(["stop"] * 1000) + "]\n---\nDear Ms Okafor\n")
    assert err.value.field == "decision"
    assert "single value" in err.value.message
    assert len(str(err.value)) < 200


def test_front_matter_over_its_limit(tmp_path):
    text = "---\n" + "".join(f"# note {i}\n" for i in range(3000)) + "decision: discontinued\n---\n" + \
        "Dear Ms Okafor\n"
    with pytest.raises(LetterError, match="limit is 16 KB"):
        Letter.from_text(text)


def test_suppressions_still_read():
    letter = Letter.from_text("---\nsuppress:\n  - rule: readability.jargon\n    term: notwithstanding\n"
                              "    reason: a quotation from the court\n---\nDear Ms Okafor\n")
    assert letter.context.suppress[0].term == "notwithstanding"


def test_docx_sidecar_bomb(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Dear Ms Okafor")
    document.save(tmp_path / "draft.docx")
    (tmp_path / "draft.yml").write_text(alias_bomb(9).split("---\n")[1])
    with pytest.raises(LetterError, match="anchor or alias"):
        Letter.from_file(tmp_path / "draft.docx")
    (tmp_path / "draft.yml").write_text("# padding\n" * 200_000)
    with pytest.raises(LetterError, match="limit for a letter's details is 16 KB"):
        Letter.from_file(tmp_path / "draft.docx")


def test_ordinary_docx_still_reads(tmp_path):
    import docx

    document = docx.Document()
    for i in range(2000):  # a long letter is still well inside every limit
        document.add_paragraph(f"Paragraph {i} of a long letter about the case.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Phone", "0300 123 1234"
    document.save(tmp_path / "long.docx")
    text = docx_text((tmp_path / "long.docx").read_bytes())
    assert "Paragraph 1999 of a long letter" in text
    assert text.rstrip().endswith("Phone  0300 123 1234")


def test_a_picture_that_packs_tightly_is_still_read(tmp_path):
    """The packing-ratio limit is for parts read as XML: a blank bitmap logo (3 MB, packing
    about 1,000 to 1) is kept as bytes, never parsed, so the letter is read."""
    import struct

    import docx

    width, height = 1000, 1000
    pixels = b"\xff" * (width * 3 * height)
    bmp = (b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
           + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0) + pixels)
    (tmp_path / "logo.bmp").write_bytes(bmp)
    document = docx.Document()
    document.add_picture(str(tmp_path / "logo.bmp"))
    document.add_paragraph("Dear Ms Okafor")
    document.save(tmp_path / "logo.docx")
    data = (tmp_path / "logo.docx").read_bytes()
    [picture] = [p for p in zipfile.ZipFile(io.BytesIO(data)).infolist() if p.filename.endswith(".bmp")]
    assert picture.file_size > 400 * picture.compress_size and picture.file_size > 2**20
    assert docx_text(data).strip() == "Dear Ms Okafor"


def test_not_a_zip_at_all():
    with pytest.raises(LetterError, match="not a readable Word"):
        docx_text(b"PK\x03\x04" + b"\x00" * 100)


def test_a_long_line_of_acronyms_reads_each_line_once(monkeypatch):
    """A pasted line of thousands of acronyms or template markers ("[INSERT DATE] <<x>> ..."):
    each acronym asked whether its line is a heading in capitals made the line be read again,
    and 114 KB of such a line took 23 s. Each line's share of capitals is now worked out once a
    letter, however many acronyms it has."""
    from vcl_qa.engine.kinds import acronym
    from vcl_qa.engine.run import score_letter

    reads: list[int] = []
    real = acronym._capitals_share
    monkeypatch.setattr(acronym, "_capitals_share", lambda line: reads.append(len(line)) or real(line))
    text = "Dear Ms Shah\n\n" + " ".join("[INSERT DATE] we wrote to the CPS about the case" for _ in range(2_000)) + "\n\nYours"
    found = [f for f in score_letter(Letter(text=text)).findings if f.rule == "readability.acronym"]
    assert found  # the acronyms are still reported
    assert len(reads) <= 3  # one long line, read once (not once for each of its 6,000 abbreviations)


def test_a_run_on_sentence_of_many_matches_is_read_once_for_each_condition(monkeypatch):
    """A pattern with an `unless` or `only` condition asks it of the sentence each match is
    in: a pasted "sentence" of 150 KB with thousands of matches ("the body was found ... the
    decision is final", empathy.cold) was read thousands of times (9 s). Each condition is
    now asked once a sentence, and every match is still reported."""
    from vcl_qa.engine.kinds import existence
    from vcl_qa.engine.run import score_letter

    reads: list[int] = []
    real = existence.sentence_text
    monkeypatch.setattr(existence, "sentence_text", lambda state, offset: reads.append(offset) or real(state, offset))
    chunk = "the body was found and the case has been finalised and the decision is final"
    text = "Dear Ms Shah\n\n" + " ".join(chunk for _ in range(1_000)) + "\n\nYours sincerely\n\nA Writer"
    found = [f for f in score_letter(Letter(text=text)).findings if f.rule == "empathy.cold"]
    assert len(found) >= 2_000  # each match still reported
    assert len(reads) <= 10  # the run-on sentence read once for each condition


def test_a_long_run_of_marks_reaches_the_classifier_in_pieces(monkeypatch):
    """A review found that a sentence ending in thousands of "[" (or ")", "!", '"') took a time
    that grew with the square of the run (8,000: 25 s), in spaCy's tokenizer, run by the
    sentence classifier on whole sentences, holding the interpreter's lock: every other request
    of the server waited. The classifier is now given such a run in pieces, as the structure's
    tokenizer already was (config.LONGEST_TOKEN_RUN), and reads the same sentences otherwise."""
    from vcl_qa import config
    from vcl_qa.engine import classifier
    from vcl_qa.engine.run import score_letter

    nlp = classifier.load_model()
    if nlp is None:
        pytest.skip("no sentence classifier built (make model)")
    longest: list[int] = []
    real = nlp.tokenizer

    def tokenizer(text):
        longest.append(max((len(run) for run in text.split()), default=0))
        return real(text)

    monkeypatch.setattr(nlp, "tokenizer", tokenizer)
    text = ("Dear Ms Okafor\n\nWe have decided to stop the case because the film did not show who started the fight"
            + "[" * 6_000 + "\n\nYou can ask us to review this decision" + ")" * 6_000
            + "\n\nI would like to offer you a meeting to explain" + "!" * 6_000 + "\n\nYours sincerely\nSam Staff\n")
    result = score_letter(Letter(text=text))
    assert result.findings  # scored, as any letter
    assert longest and max(longest) <= config.LONGEST_TOKEN_RUN
    # an ordinary sentence is read as before: no run is cut
    assert classifier.normalise("We stopped the case on 12 March.") == "we stopped the case on 00 march."
    assert classifier.normalise("x" * 450) == " ".join(["x" * 200, "x" * 200, "x" * 50])


@pytest.mark.parametrize("unit", ["'", "\u2018\u2019", '"\'', "\u00a3", "'s", "'."])
def test_a_long_run_of_apostrophes_is_read_in_time_growing_with_its_length(monkeypatch, unit):
    """An attacker's review: 200 KB of apostrophes took 4.5 to 6 s to score, in spaCy's
    tokenizer, which split the suffixes of each 200-character piece one at a time, searching
    the whole of what was left each time (time growing with the square of the piece). The
    suffix search now reads the end of the piece (engine/nlp.py TailSuffix): the characters it
    reads grow with the run's length, and the tokens are spaCy's own."""
    from vcl_qa.engine.nlp import get_nlp
    from vcl_qa.engine.run import score_letter
    from vcl_qa.engine.structure import tokenize

    quick = get_nlp().tokenizer.suffix_search.__self__
    read: list[int] = []

    class Counting:
        def __init__(self, regex):
            self.regex = regex

        def search(self, string, pos=0):
            read.append(len(string) - pos)
            return self.regex.search(string, pos)

    monkeypatch.setattr(quick, "regex", Counting(quick.regex))
    for size in (200, 2_000):
        read.clear()
        tokenize((unit * size)[:size - 1] + "!")  # (a run not met before)
        assert sum(read) <= 20 * size, (size, sum(read))  # spaCy's own search: about 100 * size
    result = score_letter(Letter(text=(unit * 50_000)[:100_000]))
    assert result.score is not None
