"""A letter sent as a file to POST /letters and POST /check (multipart/form-data, contract
section 1: a Word file's details as fields in the API request): the same answer as the JSON
body with the file's text, `word_warning` for a Word file still marked up, and a 422 naming
the part for every problem. Real Word files made by python-docx, through the real server."""
from __future__ import annotations

import io
import json
import zipfile

import docx
import httpx
import pytest

from live_server import LiveServer, auth, make_user

LETTER = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nI am writing to tell you that we "
          "have decided to stop the case against Mr Smith. I know this is not the news you hoped for.\n\n"
          "Yours sincerely\nA Prosecutor\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}


def word_file(text: str = LETTER, comment: bool = False) -> bytes:
    document = docx.Document()
    for para in text.rstrip("\n").split("\n\n"):
        p = document.add_paragraph(para.replace("\n", " ") if "Yours" not in para else "")
        if "Yours" in para:
            for i, line in enumerate(para.split("\n")):
                run = p.add_run(line)
                if i < len(para.split("\n")) - 1:
                    run.add_break()
        if comment and para.startswith("Dear"):
            document.add_comment(p.runs, text="check the name", author="A")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("api_files") / "vcl_qa.db"
    tokens = {"staff": make_user(db, "sam", "staff", "north"), "manager": make_user(db, "meg", "manager", None),
              "panel": make_user(db, "pat", "panel", None)}
    live = LiveServer(db).start()
    live.tokens = tokens
    yield live
    live.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["staff"]), timeout=60) as c:
        yield c


def send(api, path, data: bytes, name="letter.docx", **parts):
    fields = {k: (json.dumps(v) if k == "context" else str(v)) for k, v in parts.items()}
    return api.post(path, data=fields, files={"file": (name, data, "application/octet-stream")})


def text_of(api, data: bytes) -> str:
    """The text the service read from the Word file (the stored letter's)."""
    r = send(api, "/letters", data, context=CONTEXT)
    assert r.status_code == 201, r.text
    return api.get(f"/letters/{r.json()['id']}").json()["versions"][-1]["text"]


def test_a_word_letter_is_checked_as_its_text_sent_as_json(api):
    data = word_file()
    text = text_of(api, data)
    as_file = send(api, "/check", data, context=CONTEXT)
    as_json = api.post("/check", json={"text": text, "context": CONTEXT})
    assert as_file.status_code == as_json.status_code == 200, as_file.text
    got = as_file.json()
    assert got.pop("word_warning") is None
    assert got == as_json.json()


def test_a_word_letter_is_stored_as_the_json_body_would_store_it(api):
    data = word_file()
    r = send(api, "/letters", data, context=CONTEXT)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "version", "result", "word_warning"} and body["version"] == 1
    letter = api.get(f"/letters/{body['id']}").json()
    assert letter["versions"][0]["context"]["victim_name"] == "Ms Jane Okafor"
    as_json = api.post("/letters", json={"text": letter["versions"][0]["text"], "context": CONTEXT}).json()
    assert as_json["result"]["score"] == body["result"]["score"]
    assert as_json["result"]["findings"] == body["result"]["findings"]
    # a new version, as a file, based on the version read
    again = send(api, "/letters", word_file(LETTER.replace("Mr Smith", "Mr Jones")), letter_id=body["id"],
                 base_version=1)
    assert again.status_code == 201 and again.json()["version"] == 2
    stale = send(api, "/letters", data, letter_id=body["id"], base_version=1)
    assert stale.status_code == 409 and stale.json()["error"]["details"][0]["field"] == "base_version"


def test_a_word_file_with_comments_says_so(api):
    r = send(api, "/check", word_file(comment=True), context=CONTEXT)
    assert r.status_code == 200, r.text
    assert "1 comment" in r.json()["word_warning"]


def test_the_idempotency_key_works_for_a_file(api):
    data = word_file(LETTER.replace("Smith", "Idem"))
    first = api.post("/letters", data={"context": json.dumps(CONTEXT)}, headers={"Idempotency-Key": "file-1"},
                     files={"file": ("a.docx", data)})
    second = api.post("/letters", data={"context": json.dumps(CONTEXT)}, headers={"Idempotency-Key": "file-1"},
                      files={"file": ("a.docx", data)})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true" and second.json()["id"] == first.json()["id"]


def test_a_text_file_with_front_matter_gives_its_details(api):
    data = ("---\ndecision: discontinued\ndecision_date: 2024-12-19\nbereaved: no\n---\n" + LETTER).encode()
    r = send(api, "/letters", data, name="letter.md", context={"victim_name": "Ms Jane Okafor"})
    assert r.status_code == 201, r.text
    context = api.get(f"/letters/{r.json()['id']}").json()["versions"][0]["context"]
    assert (context["decision_date"], context["bereaved"], context["victim_name"]) == ("2024-12-19", False,
                                                                                      "Ms Jane Okafor")
    bad = send(api, "/letters", b"---\ncolour: red\n---\n" + LETTER.encode(), name="l.txt")
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "file"


def _fields(r) -> dict:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid"
    return {d["field"]: d["message"] for d in error["details"]}


def test_every_wrong_part_is_named_at_once(api):
    r = api.post("/letters", files={"context": (None, '{"decision": "dropped", "colour": 1,}'),
                                    "letter_id": (None, "01"), "extra": (None, "x")})
    fields = _fields(r)
    assert set(fields) == {"file", "context", "letter_id", "extra"}
    assert "required" in fields["file"] and "line 1" in fields["context"] and "comma" in fields["context"]
    assert "digits alone" in fields["letter_id"] and "unknown part" in fields["extra"]
    r = send(api, "/check", word_file(), context={"decision": "dropped", "colour": 1, "bereaved": "yes"})
    assert set(_fields(r)) == {"context.decision", "context.colour", "context.bereaved"}
    r = api.post("/check", files={"file": (None, "Dear Ms Okafor"), "context": (None, "[]")})
    fields = _fields(r)
    assert "must be a file" in fields["file"] and "JSON object" in fields["context"]
    dup = api.post("/check", content=b'--b\r\nContent-Disposition: form-data; name="context"\r\n\r\n'
                   b'{"urn": "A", "urn": "B"}\r\n--b\r\nContent-Disposition: form-data; name="file"; '
                   b'filename="a.txt"\r\n\r\nDear Ms Okafor\r\n--b--\r\n',
                   headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert "given twice" in _fields(dup)["context.urn"]


def test_a_damaged_bombed_or_wrong_file_is_named(api):
    fields = _fields(send(api, "/check", b"PK\x03\x04 not really a zip", context=CONTEXT))
    assert "not a readable Word" in fields["file"] and "letter.docx" in fields["file"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<a>" + b" " * (30 * 2**20) + b"</a>")
    fields = _fields(send(api, "/check", bomb.getvalue(), context=CONTEXT))
    assert "unpacks to" in fields["file"]
    fields = _fields(send(api, "/check", b"%PDF-1.4 ...", name="letter.pdf", context=CONTEXT))
    assert "PDF" in fields["file"]
    fields = _fields(send(api, "/check", b"x" * (2 * 2**20 + 10), name="big.docx", context=CONTEXT))
    assert "over 2 MB" in fields["file"]
    empty = _fields(send(api, "/letters", b"", name="e.txt", context=CONTEXT))
    assert "empty" in empty["file"]


def test_a_long_text_file_is_named_as_the_file(api):
    fields = _fields(send(api, "/letters", ("Dear Ms Okafor. " * 14000).encode(), name="long.txt", context=CONTEXT))
    assert list(fields) == ["file"] and "200 KB" in fields["file"]


def test_roles_are_checked_before_the_file_is_read(server):
    data = word_file()
    url = f"{server.url}/api/v1"
    for path in ("/letters", "/check"):
        files = {"file": ("a.docx", data)}
        assert httpx.post(url + path, files=files).status_code == 401
        assert httpx.post(url + path, files=files, headers=auth("nope")).status_code == 401
        r = httpx.post(url + path, files=files, headers=auth(server.tokens["panel"]))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # a manager names the team, as in the JSON body
    r = httpx.post(url + "/letters", files={"file": ("a.docx", data)}, headers=auth(server.tokens["manager"]),
                   data={"context": json.dumps(CONTEXT)}, timeout=60)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "team"
    r = httpx.post(url + "/letters", files={"file": ("a.docx", data)}, headers=auth(server.tokens["manager"]),
                   data={"context": json.dumps(CONTEXT), "team": "north"}, timeout=60)
    assert r.status_code == 201, r.text


def test_a_file_over_the_request_limit_is_413_and_json_keeps_its_limit(api):
    r = send(api, "/check", b"x" * (17 * 2**20), name="huge.docx")
    assert r.status_code == 413 and "2 MB" in r.json()["error"]["message"]
    r = api.post("/check", content=b'{"text": "' + b"x" * (600 * 1024) + b'"}',
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413
