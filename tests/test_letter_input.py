"""Letters in: front matter, .docx with a sidecar, command-line overrides, and clear errors."""
import datetime as dt

import docx
import pytest

from vcl_qa import Letter, LetterError

GOOD = """---
decision: discontinued
decision_date: 2024-12-19
letter_date: 2024-12-20
victim_category: enhanced
bereaved: false
offence: assault
victim_name: Ms Jane Okafor
urn: 42AB1234524
---
Dear Ms Okafor

We have decided to stop the case.
"""


def write(tmp_path, text, name="letter.txt", mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_is_read(tmp_path):
    letter = Letter.from_file(write(tmp_path, GOOD))
    assert letter.context.decision == "discontinued"
    assert letter.context.decision_date == dt.date(2024, 12, 19)
    assert letter.context.urn == "42AB1234524"
    assert letter.text.startswith("Dear Ms Okafor")


def test_overrides_win_over_front_matter(tmp_path):
    letter = Letter.from_file(write(tmp_path, GOOD), decision="not_charged")
    assert letter.context.decision == "not_charged"


def test_letter_without_front_matter_has_empty_context(tmp_path):
    letter = Letter.from_file(write(tmp_path, "Dear Ms Okafor\n\nWe have stopped the case.\n"))
    assert letter.context.decision is None


@pytest.mark.parametrize("change,field,words", [
    ("colour: blue\n", "colour", "unknown field"),
    ("decision: maybe\n", "decision", "'maybe' is not one of"),
    ("victim_category: vip\n", "victim_category", "is not one of"),
    ("bereaved: perhaps\n", "bereaved", "not true or false"),
])
def test_bad_fields_are_named(tmp_path, change, field, words):
    text = GOOD.replace("---\nDear", change + "---\nDear")
    if change.startswith(("decision:", "victim_category:", "bereaved:")):
        key = change.split(":")[0]
        text = "\n".join(l for l in GOOD.splitlines() if not l.startswith(key + ":"))
        text = text.replace("---\nDear", change + "---\nDear")
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, text))
    assert err.value.field == field
    assert words in str(err.value)
    assert "letter.txt" in str(err.value)


def test_impossible_date(tmp_path):
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, GOOD.replace("2024-12-19", "2024-02-30")))
    assert err.value.field == "decision_date"
    assert "not a real date" in str(err.value)


def test_decision_after_letter_date(tmp_path):
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, GOOD.replace("letter_date: 2024-12-20", "letter_date: 2024-12-18")))
    assert "decision_date 2024-12-19 is after letter_date 2024-12-18" in str(err.value)


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "binary"),
    ("Dear Ms Okafor, caf\u00e9".encode("latin-1"), "not UTF-8"),
    (b"---\ndecision: discontinued\n", "never ends"),
    (b"---\ndecision: [unclosed\n---\nDear Ms Okafor\n", "not valid YAML"),
    (b"---\ndecision: discontinued\n---\n\n   \n", "no text"),
])
def test_unreadable_files(tmp_path, content, words):
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, content, mode="wb"))
    assert words in str(err.value)


@pytest.mark.parametrize("name,content,words", [
    ("letter.txt", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "this is a PDF file"),
    ("letter.pdf", b"%PDF-1.4\n", "this is a PDF file"),
    ("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Word 97-2003 (.doc)"),
    ("letter.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "protected with a password"),
    ("letter.rtf", b"{\\rtf1\\ansi Dear Ms Okafor}", "Rich Text (.rtf)"),
    ("letter.odt", b"PK\x03\x04\x14\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.text", "OpenDocument"),
])
def test_files_of_another_kind_are_named_with_what_to_do(tmp_path, name, content, words):
    """A PDF, an old Word file or a password-protected one is named for what it is (by its first
    bytes, whatever its name), with how to make a file vcl-qa reads: not scored as text, and not
    called damaged."""
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, content, name, mode="wb"))
    assert words in str(err.value) and ".docx" in str(err.value)


def test_a_word_file_named_as_text_is_named(tmp_path):
    path = make_docx(tmp_path / "letter.txt", ["Dear Ms Okafor"])
    with pytest.raises(LetterError, match="Word document with another name: give it a .docx ending"):
        Letter.from_file(path)


def test_file_over_limit(tmp_path):
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, "Dear Ms Okafor\n" + "word " * 50_000))
    assert "limit is 200 KB" in str(err.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(LetterError, match="no such file"):
        Letter.from_file(tmp_path / "nope.txt")
    with pytest.raises(LetterError, match="is a folder"):
        Letter.from_file(tmp_path)


def make_docx(path, paragraphs):
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(path)
    return path


def test_docx_with_sidecar(tmp_path):
    path = make_docx(tmp_path / "draft.docx", ["Dear Ms Okafor", "", "We have decided to stop the case."])
    (tmp_path / "draft.yml").write_text("decision: discontinued\nvictim_name: Ms Jane Okafor\n")
    letter = Letter.from_file(path)
    assert letter.context.decision == "discontinued"
    assert "We have decided to stop the case." in letter.text


def test_docx_sidecar_with_unknown_field(tmp_path):
    path = make_docx(tmp_path / "draft.docx", ["Dear Ms Okafor"])
    (tmp_path / "draft.yml").write_text("victim: Ms Jane Okafor\n")
    with pytest.raises(LetterError) as err:
        Letter.from_file(path)
    assert err.value.field == "victim"


def test_broken_docx(tmp_path):
    with pytest.raises(LetterError, match="not a readable Word"):
        Letter.from_file(write(tmp_path, b"PK\x03\x04 not really a zip", "bad.docx", mode="wb"))


# A review: YAML 1.1 read "0042" as the octal number 34, "0x1A" as 26 and "1:30" as 90, so a
# numeric case reference was silently changed and linked to no register entry; and a field
# given twice kept the last one, silently ("decision" twice changes which checks apply).
@pytest.mark.parametrize("written", ["0042", "0x1A", "1:30", "+42", "1_000", "true", "1e3", "0o17"])
def test_a_case_reference_and_a_name_are_kept_as_written(tmp_path, written):
    text = GOOD.replace("urn: 42AB1234524", f"urn: {written}").replace("victim_name: Ms Jane Okafor",
                                                                         f"victim_name: {written}")
    letter = Letter.from_file(write(tmp_path, text))
    assert letter.context.urn == written
    assert letter.context.victim_name == written


@pytest.mark.parametrize("value", ["", "~", "null"])
def test_an_empty_case_reference_is_still_none(tmp_path, value):
    letter = Letter.from_file(write(tmp_path, GOOD.replace("urn: 42AB1234524", f"urn: {value}")))
    assert letter.context.urn is None


def test_a_field_given_twice_is_refused_with_its_line(tmp_path):
    text = GOOD.replace("decision: discontinued\n", "decision: discontinued\ndecision: charge_altered\n")
    with pytest.raises(LetterError) as caught:
        Letter.from_file(write(tmp_path, text))
    assert "gives 'decision' twice: keep only the one you mean (line 3)" in caught.value.message
    twice = GOOD.replace("---\nDear", "suppress:\n  - rule: readability.jargon\n    rule: empathy.cold\n"
                                      "    reason: our house style says so\n---\nDear")
    with pytest.raises(LetterError, match="gives 'rule' twice"):
        Letter.from_file(write(tmp_path, twice, name="twice.txt"))


# Review: a letter saved by Windows Notepad as "Unicode" (UTF-16 with a byte-order mark) was
# refused as "a binary file". Read by its byte-order mark, it is the same letter as in UTF-8.
SAVED_AS = {  # how each editor's encoding writes the file
    "utf-16-le with BOM (Notepad 'Unicode')": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16-be with BOM (Notepad 'Unicode big endian')": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-8 with BOM (Notepad 'UTF-8 with BOM')": lambda t: t.encode("utf-8-sig"),
    "utf-32 with BOM": lambda t: t.encode("utf-32"),
}
WINDOWS_GOOD = GOOD.replace("\n", "\r\n").replace("stop the case.", "stop the case \u2013 I\u2019m sorry. Caf\u00e9 Ll\u0177r.")


@pytest.mark.parametrize("encoding", sorted(SAVED_AS))
def test_a_text_file_with_a_byte_order_mark_is_read_as_in_utf8(tmp_path, encoding):
    path = write(tmp_path, SAVED_AS[encoding](WINDOWS_GOOD), mode="wb")
    letter = Letter.from_file(path)
    same = Letter.from_file(write(tmp_path, WINDOWS_GOOD.replace("\r\n", "\n"), "utf8.txt"))
    assert (letter.text, letter.context) == (same.text, same.context)
    assert letter.context.decision == "discontinued" and letter.context.urn == "42AB1234524"
    assert letter.text.startswith("Dear Ms Okafor\n") and "\ufeff" not in letter.text and "\r" not in letter.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_mark_is_refused_saying_to_save_as_utf8(tmp_path, codec):
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, GOOD.encode(codec), mode="wb"))
    assert "looks like text saved as UTF-16" in str(err.value) and "binary" not in str(err.value)
    assert "save it again as UTF-8 (in Notepad: File, Save as, Encoding: UTF-8)" in str(err.value)


@pytest.mark.parametrize("content, words", [
    (b"\xff\xfe" + "Dear Ms Okafor".encode("utf-16-le") + b"\x00\xd8", "not UTF-16 text (bad byte at position 30)"),
    (b"\xff\xfe" + "Dear Ms Okafor".encode("utf-16-le") + b"D", "not UTF-16 text"),
    (b"\xef\xbb\xbfDear Ms Okafor, caf\xe9", "not UTF-8 text (bad byte at position 22)"),
    (b"\xff\xfe" + "Dear\x00Ms".encode("utf-16-le"), "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00", "binary"),
])
def test_a_file_that_is_not_text_in_its_encoding_says_where(tmp_path, content, words):
    with pytest.raises(LetterError) as err:
        Letter.from_file(write(tmp_path, content, mode="wb"))
    assert words in str(err.value)


@pytest.mark.parametrize("body", ["\ufeff\n", "\u200b\u200b\n", "\u00ad \u0301\n"])
def test_a_letter_file_of_only_characters_nobody_sees_is_refused(tmp_path, body):
    """A file whose body shows nothing is no letter, like an empty one (an audit: `vcl-qa score`
    scored a file of two zero-width spaces)."""
    with pytest.raises(LetterError, match="no text: only characters that cannot be seen"):
        Letter.from_file(write(tmp_path, GOOD.split("Dear")[0] + body))
    assert Letter.from_file(write(tmp_path, GOOD.replace("Dear", "\u200bDear"))).text.startswith("\u200bDear")


def test_a_character_nobody_sees_is_named_in_words():
    """An audit: U+202E in a victim's name was called "such as a zero-width space", and in a
    reason "control characters (such as NUL or ESC)"; each message names the character."""
    from pydantic import ValidationError

    from vcl_qa import LetterContext
    from vcl_qa.letters.service import check_reason

    with pytest.raises(ValidationError, match=r"cannot be seen \(U\+202E RIGHT-TO-LEFT OVERRIDE\)"):
        LetterContext(decision="discontinued", victim_name="Ms\u202eJane Okafor")
    with pytest.raises(LetterError, match=r"cannot be seen or printed \(U\+202E RIGHT-TO-LEFT OVERRIDE\)"):
        check_reason("quoted word for word from the \u202ecourt order")
    with pytest.raises(LetterError, match=r"\(U\+0000 NUL\)"):
        check_reason("quoted word for word from the\x00 court order")
