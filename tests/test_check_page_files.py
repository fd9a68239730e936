"""The check page's words for a Word file it cannot use (review 10a, finding 12): each names the
file, starts with a capital, says what is wrong with that file (empty, no text in it, a PDF, too
large) beside the file field, and neither calls the service "vcl-qa" nor tells someone to paste
into the page they are on; the page for a form too large to send does not say a Word file's
sender has text in the box. The real server and SQLite file."""
from __future__ import annotations

import html
import io
import re

import docx
import httpx
import pytest

from live_server import LiveServer, make_user

DETAILS = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("check_files") / "vcl_qa.db"
    token = make_user(db, "Sam Staff", "staff", "north")
    server = LiveServer(db).start()
    with httpx.Client(base_url=server.url, timeout=60) as c:
        pre = re.search(r'name="pre_token" value="([^"]+)"', c.get("/sign-in").text).group(1)
        assert c.post("/sign-in", data={"pre_token": pre, "token": token}).status_code == 303
        c.token = token  # for the API, to read back a letter the page stored
        yield c
    server.stop()


def _send(client, name: str, data: bytes) -> httpx.Response:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)
    return client.post("/check", data={"csrf_token": csrf, **DETAILS},
                       files={"file": (name, data, "application/octet-stream")})


def _errors(page: str) -> dict[str, str]:
    """Each field's message, as said beside it."""
    return {m.group(1): re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))).strip()
            .removeprefix("Error: ")
            for m in re.finditer(r'id="([a-z_]+)-error">(.*?)</p>', page, re.S)}


def _plain(message: str) -> None:
    assert message[:1].isupper(), message
    assert "vcl-qa" not in message and "check page" not in message and "paste" not in message.lower()
    assert "still in the box" not in message


def _blank_word_file() -> bytes:
    buf = io.BytesIO()
    docx.Document().save(buf)  # a real Word file with no text at all
    return buf.getvalue()


def test_a_word_file_with_no_text_is_named_beside_the_file_field(client):
    r = _send(client, "blank_doc.docx", _blank_word_file())
    assert r.status_code == 400
    errors = _errors(r.text)
    # before: "Paste the letter here, or choose a Word file below." beside the text box
    assert list(errors) == ["file"]
    assert errors["file"].startswith("The file “blank_doc.docx” has no text in it.")
    _plain(errors["file"])


def test_an_empty_file_is_said_to_be_empty(client):
    errors = _errors(_send(client, "empty.docx", b"").text)
    assert list(errors) == ["file"]
    assert errors["file"].startswith("The file “empty.docx” is empty")
    _plain(errors["file"])


@pytest.mark.parametrize("name", ["really_pdf.docx", "report.pdf"])
def test_a_pdf_is_named_in_the_page_s_own_words(client, name):
    errors = _errors(_send(client, name, b"%PDF-1.7\n" + b"0" * 500).text)
    assert list(errors) == ["file"]
    assert errors["file"].startswith(f"The file “{name}” is ") and "PDF file" in errors["file"]
    assert "which the letter checker cannot read" in errors["file"]
    assert "save it as a Word Document (.docx), then choose that file." in errors["file"]
    _plain(errors["file"])


def test_a_word_file_over_the_limit_says_the_limit_and_what_to_do(client):
    big = _send(client, "big.docx", b"PK\x03\x04" + b"0" * (3 * 2**20))  # under the form's limit
    errors = _errors(big.text)
    assert errors["file"].startswith("The file “big.docx” is over 2 MB")
    assert "save a copy without them" in errors["file"]
    _plain(errors["file"])
    # an audit: a 4.3 MB Word file (a photo in it) met the general error page, naming no file,
    # with the form's details lost; the form takes up to 16 MB, to say so beside the field
    photo = _send(client, "photo.docx", b"PK\x03\x04" + b"0" * (int(4.3 * 2**20)))
    assert photo.status_code == 400 and _errors(photo.text)["file"].startswith("The file “photo.docx” is over 2 MB")
    huge = _send(client, "big20mb.docx", b"PK\x03\x04" + b"0" * (20 * 2**20))  # over it: the error page
    assert huge.status_code == 413
    message = re.sub(r"\s+", " ", re.search(r"<h1>That was too much to send</h1>\s*<p>(.*?)</p>", huge.text, re.S).group(1))
    assert "a Word file can be up to 2 MB" in html.unescape(message)
    assert "still in the box" not in message and "vcl-qa" not in message


LETTER = ("---\nvictim_name: Ms Jane Okafor\nurn: 42AB1234524\n---\nDear Ms Okafor\n\nWe have decided to stop the "
          "case against Mr Lane \u2013 I\u2019m sorry. Caf\u00e9 Ll\u0177r.\n\nYours sincerely\n")


def _stored(client, r: httpx.Response) -> dict:
    """The letter an upload stored (the page answers 303 to the letter's page), read over the API."""
    assert r.status_code == 303, _errors(r.text)
    letter_id = re.fullmatch(r".*/letters/(\d+)", r.headers["location"]).group(1)
    got = httpx.get(f"{str(client.base_url).rstrip('/')}/api/v1/letters/{letter_id}", timeout=60,
                    headers={"Authorization": f"Bearer {client.token}"})
    assert got.status_code == 200, got.text
    return got.json()


@pytest.mark.parametrize("name, encode", [
    ("notepad_unicode.txt", lambda t: b"\xff\xfe" + t.replace("\n", "\r\n").encode("utf-16-le")),
    ("notepad_unicode_big_endian.txt", lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
    ("utf8_with_bom.md", lambda t: t.encode("utf-8-sig")),
])
def test_a_text_file_saved_as_unicode_is_checked_as_the_utf8_file_is(client, tmp_path, name, encode):
    """Review: a letter Notepad saved as "Unicode" (UTF-16 with a byte-order mark) was refused as
    "This looks like a binary file, not a text letter." A real file, written and read back."""
    path = tmp_path / name
    path.write_bytes(encode(LETTER))
    stored = _stored(client, _send(client, name, path.read_bytes()))
    plain = tmp_path / "utf8.txt"
    plain.write_text(LETTER, encoding="utf-8")
    expected = _stored(client, _send(client, "utf8.txt", plain.read_bytes()))
    text = stored["versions"][-1]["text"]
    assert text == expected["versions"][-1]["text"] and text.startswith("Dear Ms Okafor\n\n")
    assert "\u2013 I\u2019m sorry. Caf\u00e9 Ll\u0177r." in text and "\r" not in text and "\ufeff" not in text
    context = stored["versions"][-1]["context"]
    assert (context["victim_name"], context["urn"]) == ("Ms Jane Okafor", "42AB1234524")  # its own details read
    assert stored["result"]["score"] == expected["result"]["score"]


def test_utf16_without_its_mark_is_named_with_how_to_save_it(client, tmp_path):
    path = tmp_path / "no_mark.txt"
    path.write_bytes(LETTER.encode("utf-16-le"))
    r = _send(client, "no_mark.txt", path.read_bytes())
    assert r.status_code == 400
    errors = _errors(r.text)
    assert list(errors) == ["file"]
    assert errors["file"].startswith("This looks like text saved as UTF-16 (Notepad's “Unicode”)")
    assert errors["file"].endswith("save it again as UTF-8 (in Notepad: File, Save as, Encoding: UTF-8).")
    _plain(errors["file"])


def test_a_detail_the_service_refuses_is_named_in_a_sentence_in_the_summary(client):
    """A case detail the library refuses says which question it is about, from a capital, in
    the summary at the top and beside the field: the library's "at most 200 characters" alone,
    in small letters, named nothing (a whole sentence, the dates out of order, stays as it is)."""
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)
    page = client.post("/check", data={"csrf_token": csrf, **DETAILS, "victim_name": "Ms " + "Okafor" * 40,
                                       "reader": "a judge", "offence": "arson", "text": "Dear Ms Okafor\n\nWe have stopped the case."})
    assert page.status_code == 400
    errors = _errors(page.text)
    assert errors["victim_name"] == "Name the letter should greet: at most 200 characters."
    assert errors["reader"] == "Who will read the letter? Choose one of the answers listed."
    assert errors["offence"] == "Offence: choose one of the answers listed."
    summary = re.search(r'id="error-summary">(.*?)</div>', page.text, re.S).group(1)
    assert "Name the letter should greet: at most 200 characters." in html.unescape(summary)
    for message in errors.values():
        _plain(message)
    out_of_order = {**DETAILS, "decision_date": "2024-12-21"}
    page = client.post("/check", data={"csrf_token": csrf, **out_of_order,
                                       "text": "Dear Ms Okafor\n\nWe have stopped the case."})
    assert _errors(page.text)["letter_date"].startswith("The letter is dated Friday 20 December 2024, before")
