"""Word files in and out: the download is A4, British English, written by the service for the
writer, with plain named styles and (on request) a comment on each problem; an upload keeps its
page header (the case reference), footer, and tables where they stand; a letter downloaded and
uploaded again is the same text."""
from __future__ import annotations

import io
import re
import sqlite3
import zipfile

import docx
import httpx
import pytest

from live_server import SAMPLES, LiveServer, auth, make_user, sample_payloads, signed_in_client
from vcl_qa import Letter
from vcl_qa.engine.letter import docx_text
from vcl_qa.engine.run import score_letter
from vcl_qa.letters import word
from vcl_qa.letters.word import letter_docx

FLAWED = SAMPLES / "17_flawed_evidence_difficulties_jargon.txt"


def _download(comments: bool) -> tuple[Letter, bytes]:
    letter = Letter.from_file(FLAWED)
    findings = score_letter(letter).model_dump(mode="json")["findings"]
    return letter, letter_docx(letter.text, title="Letter 1, version 1", author="Sam Staff",
                               findings=findings, comments=comments)


@pytest.mark.parametrize("comments", [False, True])
def test_download_is_a4_british_english_by_the_writer(comments):
    letter, data = _download(comments)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    props = document.core_properties
    assert (props.author, props.last_modified_by, props.language) == ("Sam Staff", "Sam Staff", "en-GB")
    assert "python-docx" not in f"{props.author}{props.comments}{props.last_modified_by}"
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert set(re.findall(r'w:lang w:val="([^"]+)"', styles)) == {"en-GB"}
    used = {p.style.name for p in document.paragraphs}
    assert {"Letter heading", "Letter address", "Letter greeting", "Letter sign-off", "Normal"} <= used
    assert docx_text(data) == letter.text  # the same letter, either way
    comment_texts = [c.text for c in document.comments]
    if comments:
        assert any("legal or official wording" in t and "Try:" in t for t in comment_texts)
        assert any(t.startswith("Missing from the whole letter") for t in comment_texts)
    else:
        assert comment_texts == []


def test_a_sample_letter_has_one_comment_per_finding():
    """Under the cap (every real letter: the most findings on any is 36), each finding with
    words has its own comment, plus one listing what is missing from the whole letter, and no
    comment counting findings left out."""
    letter = Letter.from_file(FLAWED)
    findings = score_letter(letter).model_dump(mode="json")["findings"]
    data = letter_docx(letter.text, title="Letter 1, version 1", findings=findings, comments=True)
    texts = [c.text for c in docx.Document(io.BytesIO(data)).comments]
    with_words = [f for f in findings if f["start"] is not None and f["end"] > f["start"] and not f["suppressed"]]
    assert len(with_words) <= word.MOST_COMMENTS
    assert len(texts) == len(with_words) + 1
    assert texts[0].startswith("Missing from the whole letter")
    assert not any("more problems in this letter" in t for t in texts)


LONG_LINE = "Please note u must attend the court in relation to the case."


def _long_letter(lines: int) -> str:
    return "Dear Ms Okafor\n\n" + "\n".join([LONG_LINE] * lines) + "\n\nYours sincerely\n\nSam Staff\n"


@pytest.fixture(scope="module")
def long_letter():
    """1,000 lines, each with text-speak (must fix), jargon and "please note": 3,000 findings
    with words (the reviewer's 60 KB letter, whose download with comments took 30.6 s)."""
    text = _long_letter(1000)
    return text, score_letter(Letter(text=text)).model_dump(mode="json")["findings"]


def test_a_long_letter_has_at_most_the_cap_of_comments(long_letter, monkeypatch):
    text, findings = long_letter
    with_words = [f for f in findings if f["start"] is not None and f["end"] > f["start"]]
    assert len(with_words) >= 3000
    added = []
    real = docx.document.Document.add_comment
    monkeypatch.setattr(docx.document.Document, "add_comment",
                        lambda self, runs, **kw: added.append(runs) or real(self, runs, **kw))
    data = letter_docx(text, title="Letter 1, version 1", findings=findings, comments=True,
                       page="http://checker.example/letters/1")
    document = docx.Document(io.BytesIO(data))
    texts = [c.text for c in document.comments]
    # the cap, the comment counting the rest and the one on what is missing from the letter
    assert len(added) == len(texts) == word.MOST_COMMENTS + 2
    left = len(with_words) - word.MOST_COMMENTS
    assert texts[0].startswith(f"There are {left:,} more problems in this letter than have a comment here (")
    assert "http://checker.example/letters/1" in texts[0] and "must fix" in texts[0]
    assert texts[1].startswith("Missing from the whole letter")
    # must-fix first: 1,000 text-speak findings, so all 200 are on "u", in letter order
    assert all(t.startswith("Must fix: Text-speak") for t in texts[2:])
    # Work done in proportion to the letter: a line is cut only at a commented finding's edges
    # (not at all 3,000), so at most one run a line, two more for each comment and each
    # comment's reference run (before: 8,000 runs).
    runs = sum(len(p.runs) for p in document.paragraphs)
    assert runs <= len(document.paragraphs) + 3 * len(texts)
    assert docx_text(data) == text


def test_comments_go_to_the_most_serious_first_then_in_letter_order():
    letter = Letter.from_file(FLAWED)
    findings = score_letter(letter).model_dump(mode="json")["findings"]
    with_words = sorted((f for f in findings if f["start"] is not None and f["end"] > f["start"]
                         and not f["suppressed"]), key=lambda f: f["start"])
    assert len(with_words) > 3
    data = letter_docx(letter.text, title="Letter 1", findings=findings, comments=True, most_comments=3)
    texts = [c.text for c in docx.Document(io.BytesIO(data)).comments]
    assert len(texts) == 3 + 2
    rank = {"error": 0, "warning": 1, "suggestion": 2}
    chosen = sorted(with_words, key=lambda f: (rank[f["severity"]], f["start"]))[:3]
    chosen.sort(key=lambda f: f["start"])
    assert [t.split(": ", 1)[1].split(" Try:")[0].split(" Suggestion:")[0] for t in texts[2:]] == [
        f["message"] for f in chosen]
    assert texts[0].startswith(f"There are {len(with_words) - 3:,} more problems in this letter")


LIST_STEPS = ["1. Write to us at the address above", "2. Ask within 10 working days of this letter",
              "• Victim Support: 0808 168 9111"]


def _word_file(header: str | None = None, footer: str | None = None, table_first: bool = True,
               lists: bool = False) -> bytes:
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    document.add_paragraph("Private - to be opened by addressee only")
    if table_first:
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Ms Jane Okafor", "20 December 2024"
        table.cell(1, 0).text = "1 High Street, Bristol"
    for line in ("Dear Ms Okafor", "We have decided to stop the case."):
        document.add_paragraph(line)
    if lists:  # Word's own numbered and bulleted lists: the numbers are Word's, not the text's
        document.add_paragraph("You can ask us to look at the decision again:")
        for step in LIST_STEPS:
            document.add_paragraph(step.split(" ", 1)[1], style="List Bullet" if step[0] == "•" else "List Number")
    for line in ("Yours sincerely", "Sam Staff"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_upload_keeps_header_footer_and_table_order():
    text = docx_text(_word_file("Our reference: 42AB1234524", "CPS Wessex, 3 Queen Street, Bristol"))
    lines = text.splitlines()
    assert lines[0] == "Our reference: 42AB1234524"
    assert lines.index("Ms Jane Okafor  20 December 2024") < lines.index("Dear Ms Okafor")
    assert lines.index("1 High Street, Bristol") < lines.index("Dear Ms Okafor")
    assert lines[-1] == "CPS Wessex, 3 Queen Street, Bristol"
    # The reference is read, so the letter's details can be checked against it.
    assert "42AB1234524" in Letter(text=text).text


def test_a_cell_of_several_lines_does_not_run_into_the_next_cell():
    """Found in a staff review: an address cell beside the reference cell gave "Leeds LS6 2QT  Our
    reference: 13AB4567824" on one line, in the letter checked and in the one downloaded again."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Mr Yusuf Khan\n4 Mill Lane\nLeeds LS6 2QT"
    table.cell(0, 1).text = "Our reference: 13AB4567824\n3 December 2026"
    table.cell(1, 0).text, table.cell(1, 1).text = "Telephone", "01632 960214"
    for line in ("Dear Mr Khan", "We have decided to stop the case.", "Yours sincerely", "Sam Staff"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    lines = docx_text(buf.getvalue()).splitlines()
    assert lines[:6] == ["Mr Yusuf Khan", "4 Mill Lane", "Leeds LS6 2QT", "Our reference: 13AB4567824",
                         "3 December 2026", "Telephone  01632 960214"]
    assert lines[6] == "Dear Mr Khan"


def test_header_line_already_in_the_body_is_not_repeated():
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Dear Ms Okafor"
    document.add_paragraph("Dear Ms Okafor")
    buf = io.BytesIO()
    document.save(buf)
    assert docx_text(buf.getvalue()) == "Dear Ms Okafor\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("word") / "vcl_qa.db"
    token = make_user(db, "Sam Staff", "staff", "north")
    live = LiveServer(db).start()
    live.token = token
    yield live
    live.stop()


def test_round_trip_upload_check_download_upload(server):
    """A Word file uploaded, checked, downloaded and uploaded again gives the same text, its
    list numbers and bullets included (written in the download as text at the start of their
    lines, as the letter was read)."""
    client = httpx.Client(base_url=server.url, timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": server.token}).status_code == 303
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)
    original = _word_file("Our reference: 42AB1234524", lists=True)
    assert all(step in docx_text(original).splitlines() for step in LIST_STEPS)
    r = client.post("/check", data={"csrf_token": csrf, "decision": "discontinued",
                                    "decision_date": "2024-12-19", "letter_date": "2024-12-20",
                                    "victim_category": "enhanced"},
                    files={"file": ("draft.docx", original, "application/octet-stream")})
    assert r.status_code == 303, r.text[:500]
    letter_url = r.headers["location"]
    for comments in ("false", "true"):
        download = client.get(f"{letter_url}/letter.docx", params={"comments": comments})
        assert download.status_code == 200
        assert docx_text(download.content) == docx_text(original)


def test_a_letter_with_control_characters_downloads_as_word(server):
    """Text pasted from Word can hold its manual line break (\\v) and page break (\\f), which a
    Word file (XML) cannot: the download turns them into line breaks, and any other control
    character (refused in new text since, but kept in letters stored before) into a space, and
    never fails."""
    body = sample_payloads()[0]
    body["text"] = body["text"].replace("\n\n", "\n\x0b\n", 1).rstrip("\n") + "\x0cEnd of letter.\n"
    r = httpx.post(f"{server.url}/api/v1/letters", json=body, headers=auth(server.token), timeout=60)
    assert r.status_code == 201, r.text
    letter_id = r.json()["id"]
    with sqlite3.connect(server.db) as conn:  # as a letter stored before the others were refused
        conn.execute("UPDATE versions SET text = replace(text, 'End of letter.', ?) WHERE letter_id = ?",
                     ["End\x07 of\x00 letter\x1b.", letter_id])
    with signed_in_client(server.url, server.token) as client:
        for comments in ("false", "true"):
            download = client.get(f"/letters/{letter_id}/letter.docx", params={"comments": comments})
            assert download.status_code == 200, download.text[:300]
            text = docx_text(download.content)
            assert "End  of  letter ." in text and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_xml_safe_keeps_every_offset():
    from vcl_qa.letters.word import xml_safe

    text = "a\x0bb\x0cc\x00d\x1fe\tf\ng\ud800h\uffff"
    out = xml_safe(text)
    assert len(out) == len(text)
    assert out == "a\nb\nc d e\tf\ng h "


# --- paragraphs set apart, and the page says the download is a new plain document (review 10a, 4)

WORD_LETTER = ["Private - to be opened by addressee only", "Mrs Susan Hale", "12 Mill Lane", "Norwich",
               "NR1 4AB", "Dear Mrs Hale",
               "We have decided not to charge Mr Whitby. I know this is not the news you hoped for.",
               "The evidence does not show that his driving fell far below the standard of a careful driver.",
               "I would like to offer you a meeting to explain our decision.",
               "Yours sincerely", "Martin Gale", "Crown Prosecutor"]


def _space_after(paragraph):
    """The space after a paragraph as Word works it out: its own, else its style's, else the
    style it is based on."""
    if paragraph.paragraph_format.space_after is not None:
        return paragraph.paragraph_format.space_after
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.space_after is not None:
            return style.paragraph_format.space_after
        style = style.base_style
    return docx.shared.Pt(0)


def _together(paragraph) -> bool:
    """Word's "don't add space between paragraphs of the same style" on its style."""
    ppr = paragraph.style.element.pPr
    return ppr is not None and ppr.find(docx.oxml.ns.qn("w:contextualSpacing")) is not None


def test_a_word_letter_s_paragraphs_do_not_run_together_in_the_download(server):
    """A letter from a Word file has one line a paragraph and no blank lines: the download gave
    each paragraph 0 pt after, so the greeting and every paragraph ran together. Now each has
    space after, as Word's own Normal style, except the lines of the address and the signature
    (kept together), and the letter page says the download is a new plain document."""
    document = docx.Document()
    for line in WORD_LETTER:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    with signed_in_client(server.url, server.token) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)
        r = client.post("/check", data={"csrf_token": csrf, "decision": "not_charged",
                                        "decision_date": "2024-12-19", "letter_date": "2024-12-20",
                                        "victim_category": "enhanced"},
                        files={"file": ("draft.docx", buf.getvalue(), "application/octet-stream")})
        assert r.status_code == 303, r.text[:500]
        page = client.get(r.headers["location"]).text
        down = client.get(r.headers["location"] + "/letter.docx")
    paragraphs = {p.text: p for p in docx.Document(io.BytesIO(down.content)).paragraphs}
    assert list(paragraphs) == WORD_LETTER
    for text in ("Dear Mrs Hale", WORD_LETTER[6], WORD_LETTER[7], WORD_LETTER[8], "Yours sincerely",
                 "NR1 4AB", "Private - to be opened by addressee only"):
        assert _space_after(paragraphs[text]).pt >= 8, text
    address = [paragraphs[line] for line in WORD_LETTER[1:5]]
    assert all(_together(p) for p in address) and not _together(paragraphs["Dear Mrs Hale"])
    # beside the Download (Word) button: a new plain document, the original layout not kept
    note = re.sub(r"\s+", " ", re.search(r'<p class="hint download-note" id="download-note">(.*?)</p>', page, re.S).group(1))
    assert "new, plain Word document" in note
    assert "headers, footers, tables, bold" in note and "is not kept" in note
    assert "numbers and bullets of lists are kept, as text at the start of their lines" in note
    assert "copy the changed words back into your original" in note
    assert 'id="download" aria-describedby="download-note"' in page


def test_a_blank_line_is_the_gap_between_paragraphs():
    """A letter typed with blank lines between paragraphs is not spaced twice."""
    text = "Dear Ms Okafor\n\nWe have decided to stop the case.\n\nI am sorry.\n\nYours sincerely\nSam Staff\n"
    paragraphs = docx.Document(io.BytesIO(letter_docx(text, title="t"))).paragraphs
    assert [p.text for p in paragraphs] == text.rstrip("\n").split("\n")
    for p in paragraphs:
        gap_of_its_own = p.text in ("Yours sincerely",)
        assert (_space_after(p).pt >= 8) == gap_of_its_own, p.text


def test_address_blocks_typed_with_line_breaks_stay_apart():
    """A user review: the CPS office's address and the victim's, each one paragraph with its lines
    broken by Shift+Enter, came in as one run of lines ("Reading RG1 1AA" then "Mrs Patricia
    Okonkwo-Hale"), in the editor and in the Word file downloaded again. Above the greeting such
    a paragraph is set apart from the next by a blank line; the body's paragraphs are as Word has
    them, and so is a table's row."""
    from vcl_qa.letters.word import letter_docx

    document = docx.Document()
    for block in (["Crown Prosecution Service", "1 Friar Street", "Reading RG1 1AA"],
                  ["Mrs Patricia Okonkwo-Hale", "4 Elm Road", "Slough SL2 5QT"]):
        p = document.add_paragraph(block[0])
        for line in block[1:]:
            p.runs[-1].add_break()
            p.add_run(line)
    document.add_paragraph("4 December 2026")
    document.add_paragraph("Dear Mrs Okonkwo-Hale")
    p = document.add_paragraph("We have decided to stop the case.")
    p.runs[-1].add_break()
    p.add_run("I am sorry.")
    document.add_paragraph("Yours sincerely")
    buf = io.BytesIO()
    document.save(buf)
    text = docx_text(buf.getvalue())
    assert text == ("Crown Prosecution Service\n1 Friar Street\nReading RG1 1AA\n\n"
                    "Mrs Patricia Okonkwo-Hale\n4 Elm Road\nSlough SL2 5QT\n\n4 December 2026\n"
                    "Dear Mrs Okonkwo-Hale\nWe have decided to stop the case.\nI am sorry.\nYours sincerely\n")
    again = docx.Document(io.BytesIO(letter_docx(text, title="Letter")))
    texts = [p.text for p in again.paragraphs]
    assert texts[texts.index("Reading RG1 1AA") + 1] == ""  # a gap before the victim's address
