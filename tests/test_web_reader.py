"""The check form asks who will read the letter, over HTTP against the real server: the answer
reaches the checks (shorter sentences and simpler words for a young person), a value that is
not one of the readers is named next to the field, and the JSON API takes `reader` too."""
from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest

from live_server import LiveServer, make_user
from web_site import csrf, signed_in
from vcl_qa import Letter

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Letter.from_file(ROOT / "sample_letters" / "36_flawed_young_person_long_sentences_hard_words.txt")
CONTEXT = {k: ("yes" if v is True else "no" if v is False else str(v))
           for k, v in SAMPLE.context.model_dump(mode="json", exclude_none=True).items()
           if k not in ("suppress", "reader")}
MESSAGE = "may be hard for this reader"  # the finding, not the list of every rule's title


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("web") / "vcl_qa.db"
    token = make_user(db_path, "sam", "staff", "north")
    server = LiveServer(db_path).start()
    yield {"url": server.url, "tokens": {"staff": token}}
    server.stop()


@pytest.fixture
def client(site):
    c = signed_in(site, "staff")
    yield c
    c.close()


def submit(client, **overrides):
    token = csrf(client.get("/check").text)
    return client.post("/check", data={"csrf_token": token, "text": SAMPLE.text, **CONTEXT, **overrides})


def test_the_form_asks_who_will_read_the_letter(client):
    page = client.get("/check").text
    field = re.search(r'<select id="reader" name="reader"[^>]*>(.*?)</select>', page, re.S)
    assert field and re.findall(r'<option value="([^"]*)"', field.group(1)) == ["adult", "young_person", "easy_read"]
    assert re.search(r'<option value="adult" selected>', field.group(1))
    assert 'aria-describedby="reader-hint"' in page


@pytest.mark.parametrize("answer,flagged", [("young_person", True), ("adult", False), ("", False)])
def test_the_answer_reaches_the_checks(client, answer, flagged):
    r = submit(client, reader=answer)
    assert r.status_code == 303
    page = html.unescape(client.get(r.headers["location"]).text)
    assert (MESSAGE in page) == flagged


def test_a_bad_answer_is_named_next_to_the_field(client):
    r = submit(client, reader="toddler")
    assert r.status_code == 400
    error = re.search(r'id="reader-error">(.*?)</p>', r.text, re.S).group(1)
    assert "Who will read the letter? Choose one of the answers listed." in html.unescape(re.sub(r"<[^>]+>", "", error))


@pytest.mark.parametrize("value,flagged", [("young_person", True), ("easy_read", True), ("adult", False)])
def test_the_api_takes_the_reader(site, value, flagged):
    context = {**SAMPLE.context.model_dump(mode="json", exclude_none=True), "reader": value}
    r = httpx.post(site["url"] + "/api/v1/letters", timeout=30,
                   headers={"Authorization": f"Bearer {site['tokens']['staff']}"},
                   json={"text": SAMPLE.text, "context": context})
    assert r.status_code == 201, r.text
    rules = {f["rule"] for f in r.json()["result"]["findings"]}
    assert ("readability.young_reader_words" in rules) == flagged


def test_the_api_names_a_bad_reader(site):
    r = httpx.post(site["url"] + "/api/v1/letters", timeout=30,
                   headers={"Authorization": f"Bearer {site['tokens']['staff']}"},
                   json={"text": SAMPLE.text, "context": {"reader": 3}})
    assert r.status_code in (400, 422)
    assert r.json()["error"]["details"][0]["field"] == "context.reader"


def test_the_letter_page_says_what_was_not_checked_for_a_welsh_letter(client):
    welsh = Letter.from_file(ROOT / "sample_letters" / "39_good_welsh_discontinued_assault_standard.txt")
    context = {k: ("yes" if v is True else "no" if v is False else str(v))
               for k, v in welsh.context.model_dump(mode="json", exclude_none=True).items()
               if k not in ("suppress",)}
    page = client.get("/check")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/check", data={"csrf_token": token, "text": welsh.text, **context})
    assert r.status_code == 303
    letter = client.get(r.headers["location"])
    box = re.search(r'<div class="inset" id="not-checked">(.*?)</div>', letter.text, re.S)
    assert box, "no 'Not checked' box"
    words = html.unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
    assert "Welsh" in words and "were not checked" in words
    # its readability score is sentence length alone: "partly checked" beside it, not beside
    # the time limit (all of it checked)
    assert re.search(r'id="part-readability">\d+ \(partly checked\)</strong>', letter.text)
    assert re.search(r'id="part-timeliness">\d+</strong>', letter.text)
    # an English letter with every detail given has no such box, and no part partly checked
    english = client.get(submit(client, reader="adult").headers["location"]).text
    assert 'id="not-checked"' not in english and "partly checked" not in english
