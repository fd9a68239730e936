"""A Word file with a DTD (an attacker's review): a .docx whose word/document.xml declared an
internal entity (`<!DOCTYPE w:document [<!ENTITY sorry "I am very sorry. ">]>`) and began the
decision's paragraph with `&sorry;` was accepted, and the whole paragraph was left out of the
letter checked and stored, with no error. Word never writes a DTD, so any XML part of a Word file
that declares one is refused as unreadable, as other unreadable Word files are: a LetterError
from the reader, exit 2 from `vcl-qa score`, 400 beside the file field on /check, nothing stored.
Files made by python-docx (with &, < and > in their text, which python-docx writes as XML's own
entities) read as before."""
from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import sys
import zipfile

import httpx
import pytest

from live_server import ROOT, LiveServer, make_user
from vcl_qa.engine.letter import docx_text
from vcl_qa.errors import LetterError

UNREADABLE = "this is not a readable Word (.docx) document: "
DECISION = "We have decided to stop the case against the man who assaulted you."


def made_by_python_docx(paragraphs=("Dear Ms Castellano", DECISION, "Yours sincerely", "J Smith")) -> bytes:
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "North Police"
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def with_part(data: bytes, name: str, change) -> bytes:
    """The file with its part `name` passed through `change` (bytes -> bytes)."""
    package = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in package.infolist():
            content = package.read(info.filename)
            z.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def after_declaration(doctype: bytes):
    return lambda xml: xml.replace(b"?>", b"?>" + doctype, 1)


def entity_at_paragraph_start(xml: bytes) -> bytes:
    """The review's file: an internal entity, used at the start of the decision's paragraph."""
    xml = after_declaration(b'<!DOCTYPE w:document [<!ENTITY sorry "I am very sorry. ">]>')(xml)
    return xml.replace(b"We have decided", b"&sorry;We have decided", 1)


def external_entity(xml: bytes) -> bytes:
    xml = after_declaration(b'<!DOCTYPE w:document [<!ENTITY host SYSTEM "file:///etc/hostname">]>')(xml)
    return xml.replace(b"We have decided", b"&host;We have decided", 1)


def billion_laughs(xml: bytes) -> bytes:
    levels = ['<!ENTITY l0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9)]
    xml = after_declaration(f"<!DOCTYPE w:document [{''.join(levels)}]>".encode())(xml)
    return xml.replace(b"We have decided", b"&l8;We have decided", 1)


def in_utf16(doctype: bytes):
    def change(xml: bytes) -> bytes:
        text = xml.decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'").replace(
            'encoding="UTF-8"', 'encoding="UTF-16"')
        text = text.replace("?>", "?>" + doctype.decode(), 1)
        return text.encode("utf-16")
    return change


HOSTILE = {
    # name -> (part changed, how, the part the message names)
    "internal_entity": ("word/document.xml", entity_at_paragraph_start, "word/document.xml"),
    "external_entity": ("word/document.xml", external_entity, "word/document.xml"),
    "doctype_without_entities": ("word/document.xml", after_declaration(b"<!DOCTYPE w:document>"),
                                 "word/document.xml"),
    "external_dtd": ("word/document.xml", after_declaration(b'<!DOCTYPE w:document SYSTEM "http://example.org/w.dtd">'),
                     "word/document.xml"),
    "in_utf16": ("word/document.xml", in_utf16(b'<!DOCTYPE w:document [<!ENTITY s "x">]>'), "word/document.xml"),
    "in_styles": ("word/styles.xml", after_declaration(b'<!DOCTYPE w:styles [<!ENTITY s "x">]>'), "word/styles.xml"),
    "in_header": ("word/header1.xml", after_declaration(b"<!DOCTYPE w:hdr>"), "word/header1.xml"),
    "in_relationships": ("_rels/.rels", after_declaration(b"<!DOCTYPE Relationships>"), "_rels/.rels"),
    "in_content_types": ("[Content_Types].xml", after_declaration(b"<!DOCTYPE Types>"), "[Content_Types].xml"),
}


def hostile(name: str) -> bytes:
    part, change, _named = HOSTILE[name]
    data = made_by_python_docx()
    changed = with_part(data, part, change)
    assert changed != data, f"{name}: the part was not changed"
    return changed


def test_the_reviews_file_was_read_without_its_paragraph_before():
    """What went wrong: the reader (entities never expanded) loses the whole paragraph, so the
    file must be refused, not read."""
    from lxml import etree

    xml = zipfile.ZipFile(io.BytesIO(hostile("internal_entity"))).read("word/document.xml")
    tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    assert "I am very sorry" not in "".join(tree.itertext())  # the entity is a node with no text


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_part_with_a_dtd_is_refused_as_unreadable_naming_the_part(name):
    with pytest.raises(LetterError) as caught:
        docx_text(hostile(name), "draft.docx")
    message = str(caught.value)
    assert message.startswith(f"draft.docx: {UNREADABLE}")
    assert f"its part {HOSTILE[name][2]} declares a DTD, <!DOCTYPE ...>)" in message
    assert "open it in Word, save it again as a Word document (.docx) and choose it again" in message
    assert f"{UNREADABLE}it holds code that Word never writes" in message


def test_a_billion_laughs_dtd_is_still_refused_as_unreadable():
    with pytest.raises(LetterError) as caught:
        docx_text(with_part(made_by_python_docx(), "word/document.xml", billion_laughs), "draft.docx")
    assert str(caught.value).startswith(f"draft.docx: {UNREADABLE}")


def test_python_docx_files_read_as_before_with_xmls_own_entities_in_their_text():
    text = docx_text(made_by_python_docx(("Dear Ms Castellano", DECISION, 'Tom & Jerry <said> "no" \'yes\'',
                                          "Yours sincerely")))
    assert text == (f"North Police\n\nDear Ms Castellano\n{DECISION}\nTom & Jerry <said> \"no\" 'yes'\n"
                    "Yours sincerely\n")
    xml = zipfile.ZipFile(io.BytesIO(made_by_python_docx(("A & B",)))).read("word/document.xml")
    assert b"A &amp; B" in xml  # a predefined entity in the file, read as the character


def test_predefined_and_character_references_typed_into_the_xml_still_read():
    def change(xml: bytes) -> bytes:
        return xml.replace(b"We have decided", b"&#87;e &lt;have&gt; &quot;decided&apos; &#x26;", 1)
    text = docx_text(with_part(made_by_python_docx(), "word/document.xml", change))
    assert "We <have> \"decided' & to stop the case" in text


def cli(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vcl_qa.cli import main; main()", *args],
                          cwd=ROOT, env={**os.environ, "VCL_QA_DB": str(db)},
                          capture_output=True, text=True, timeout=300)


def test_score_refuses_it_and_exits_2(tmp_path):
    path = tmp_path / "dtd_entity.docx"
    path.write_bytes(hostile("internal_entity"))
    result = cli(tmp_path / "unused.db", "score", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    said = " ".join(result.stderr.split())
    assert f"{path}: {UNREADABLE}it holds code that Word never writes" in said
    assert "its part word/document.xml declares a DTD" in said


def test_import_reports_it_and_stores_the_rest(tmp_path):
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "a_dtd.docx").write_bytes(hostile("internal_entity"))
    (folder / "b_ok.docx").write_bytes(made_by_python_docx())
    db = tmp_path / "vcl_qa.db"
    result = cli(db, "import", str(folder), "--team", "north")
    assert result.returncode == 1, result.stdout + result.stderr
    said = " ".join(result.stderr.split())
    assert f"a_dtd.docx: {UNREADABLE}it holds code that Word never writes" in said
    assert "its part word/document.xml declares a DTD" in said
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT source FROM letters")} == {"b_ok.docx"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("docx_dtd") / "vcl_qa.db"
    token = make_user(db, "Sam Staff", "staff", "north")
    live = LiveServer(db).start()
    live.token = token
    yield live
    live.stop()


def _signed_in(server) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": server.token}).status_code == 303
    return client


def _check(client: httpx.Client, data: bytes) -> httpx.Response:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)
    return client.post("/check", data={"csrf_token": csrf, "victim_name": "Ms Bronwen Castellano",
                                       "decision": "discontinued", "decision_date": "2026-11-30"},
                       files={"file": ("dtd_entity.docx", data,
                                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document")})


def _letters(server) -> int:
    with sqlite3.connect(server.db) as conn:
        return conn.execute("SELECT count(*) FROM letters").fetchone()[0]


@pytest.mark.parametrize("name", ["internal_entity", "external_entity", "in_styles"])
def test_the_check_page_refuses_it_beside_the_file_field_and_stores_nothing(server, name):
    client = _signed_in(server)
    before = _letters(server)
    r = _check(client, hostile(name))
    assert r.status_code == 400, r.text[:300]
    error = re.search(r'id="file-error">(.*?)</p>', r.text, re.S)
    assert error and "not a readable Word (.docx) document: " in error.group(1)
    assert "declares a DTD" in error.group(1)
    assert "Sorry, something went wrong" not in r.text
    assert _letters(server) == before


def test_the_check_page_still_stores_a_python_docx_file_with_every_paragraph(server):
    client = _signed_in(server)
    r = _check(client, made_by_python_docx())
    assert r.status_code == 303, r.text[:300]
    with sqlite3.connect(server.db) as conn:
        text = conn.execute("SELECT text FROM versions ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    assert DECISION in text and "Dear Ms Castellano" in text
