"""Training pages over HTTP against the real server: who reaches which page, the guide open to
all, the CSRF check on attempts, bad input answered on the page, and the progress CSV."""
from __future__ import annotations

import re

import httpx
import pytest

from live_server import LiveServer
from training_setup import poorly_rated_letter, users
from vcl_qa.training.exercises import built_in, load_exercises


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("web-training") / "vcl_qa.db"
    tokens = users(db)
    letter_id = poorly_rated_letter(db)
    server = LiveServer(db).start()
    yield {"url": server.url, "tokens": tokens, "letter_id": letter_id}
    server.stop()


def signed_in(site, role: str) -> httpx.Client:
    client = httpx.Client(base_url=site["url"], timeout=60)
    page = client.get("/sign-in")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": site["tokens"][role]}).status_code == 303
    return client


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("role,path,status", [
    ("staff", "/training", 200), ("manager", "/training", 200), ("panel", "/training", 403),
    ("admin", "/training", 403), ("staff", "/training/khan-brother", 200), ("panel", "/training/khan-brother", 403),
    ("staff", "/training/no-such-exercise", 404), ("staff", "/training/progress", 200),
    ("manager", "/training/progress", 200), ("panel", "/training/progress", 403),
    ("staff", "/training/progress.csv", 403), ("manager", "/training/progress.csv", 200),
    ("staff", "/training/from-panel", 403), ("manager", "/training/from-panel", 200),
    ("manager", "/training/from-panel/999", 404), ("staff", "/training/from-panel/1", 403),
    ("panel", "/guide", 200), ("admin", "/guide/empathy", 200), ("staff", "/guide/nothing", 404),
    ("staff", "/training/khan-brother?attempt=9", 404),
])
def test_each_role_reaches_only_its_training_pages(site, role, path, status):
    assert signed_in(site, role).get(path).status_code == status


@pytest.mark.parametrize("path", ["/guide", "/guide/content", "/guide/all"])
def test_the_guide_needs_no_sign_in(site, path):
    r = httpx.get(site["url"] + path, timeout=30)
    assert r.status_code == 200 and "Right to review missing" in httpx.get(site["url"] + "/guide/all").text


@pytest.mark.parametrize("path", ["/training", "/training/khan-brother", "/training/progress"])
def test_training_pages_send_visitors_to_sign_in(site, path):
    r = httpx.get(site["url"] + path, timeout=30)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


def test_an_attempt_needs_the_form_token_and_bad_input_is_said_on_the_page(site):
    client = signed_in(site, "south")
    page = client.get("/training/begum-due-date")
    assert client.post("/training/begum-due-date", data={"text": "Dear Ms Begum"}).status_code == 403
    token = csrf(page.text)
    empty = client.post("/training/begum-due-date", data={"csrf_token": token, "text": " "})
    assert empty.status_code == 400 and 'id="text-error"' in empty.text
    early = client.post("/training/begum-due-date", data={"csrf_token": token, "letter_date": "2024-12-01",
                                                          "text": built_in("begum-due-date").model_answer})
    assert early.status_code == 400 and 'id="letter_date-error"' in early.text
    assert "Ms Begum" in early.text  # the letter typed is kept
    done = client.post("/training/begum-due-date", data={"csrf_token": token, "letter_date": "2024-12-20",
                                                         "text": built_in("begum-due-date").model_answer})
    assert done.status_code == 303 and done.headers["location"].endswith("?attempt=1#result")
    result = client.get("/training/begum-due-date?attempt=1")
    assert "Well done: you passed" in result.text and 'id="model-answer"' in result.text


def test_the_progress_csv_lists_everyone_without_letter_text(site):
    client = signed_in(site, "manager")
    r = client.get("/training/progress.csv")
    assert r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0] == ("Team,Person,Role,Exercises passed,Exercises on offer,Exercises tried,Attempts,"
                        "Passed them all,Last activity (UK time),Role code")
    assert any(line.startswith(f"north,Sam Staff,Staff,0,{len(load_exercises())},") for line in lines)
    assert "Hollis" not in r.text and "Dear" not in r.text


def test_the_page_says_kindly_why_an_attempt_is_not_counted_and_refuses_junk(site):
    """Review 2, item 6: junk is refused beside the letter box (no score); the model answer,
    pasted once shown, is kept but the page says it is not a pass and what to do."""
    client = signed_in(site, "south")
    ex = built_in("sexual-offence-meeting")
    token = csrf(client.get(f"/training/{ex.id}").text)
    junk = client.post(f"/training/{ex.id}", data={"csrf_token": token, "text": "x"})
    assert junk.status_code == 400 and 'id="text-error"' in junk.text
    assert "the letter you were given has" in junk.text and 'id="score"' not in junk.text
    for n in range(1, 4):
        r = client.post(f"/training/{ex.id}", data={"csrf_token": token, "text": ex.letter})
        assert r.headers["location"].endswith(f"?attempt={n}#result")
    page = client.get(f"/training/{ex.id}?attempt=3")
    assert 'id="model-answer"' in page.text
    r = client.post(f"/training/{ex.id}", data={"csrf_token": token, "text": ex.model_answer})
    assert r.status_code == 303
    page = client.get(r.headers["location"].split("#")[0])
    assert "Attempt 4: not counted as a pass" in page.text and "Well done" not in page.text
    assert 'data-reason="model_answer"' in page.text and "in your own words" in page.text
    assert "The checker finds nothing here that must be fixed" in page.text


def test_the_exercise_date_is_typed_as_day_month_and_year(site):
    """The exercise's "Date the letter goes out" was the browser's date picker (mm/dd/yyyy in
    some browsers); now it is day, month and year like every date on the pages, a wrong one is
    named beside its boxes with what was typed kept, and one ISO date (an older form's) still works."""
    client = signed_in(site, "staff")
    page = client.get("/training/begum-due-date")
    assert 'type="date"' not in page.text
    assert '<fieldset class="date-input" role="group" id="letter_date"' in page.text
    token = csrf(page.text)
    answer = built_in("begum-due-date").model_answer
    bad = client.post("/training/begum-due-date", data={
        "csrf_token": token, "text": answer, "letter_date-day": "31", "letter_date-month": "11",
        "letter_date-year": "2024"})
    assert bad.status_code == 400
    message = re.search(r'id="letter_date-error">(.*?)</p>', bad.text, re.S).group(1)
    assert "The date the letter goes out must be a real date, for example 27 3 2025." in message
    assert 'href="#letter_date"' in bad.text and "Ms Begum" in bad.text
    assert re.search(r'name="letter_date-day"[^>]*value="31"', bad.text)  # kept as typed
    early = client.post("/training/begum-due-date", data={
        "csrf_token": token, "text": answer, "letter_date-day": "1", "letter_date-month": "12",
        "letter_date-year": "2024"})
    assert early.status_code == 400 and 'id="letter_date-error"' in early.text  # before the decision
    assert re.search(r'name="letter_date-month"[^>]*value="12"', early.text)
    done = client.post("/training/begum-due-date", data={
        "csrf_token": token, "text": answer, "letter_date-day": "20", "letter_date-month": "12",
        "letter_date-year": "2024"})
    assert done.status_code == 303
    result = client.get(done.headers["location"].split("#")[0])
    assert "Well done: you passed" in result.text
    assert re.search(r'name="letter_date-day"[^>]*value="20"', result.text)  # the date it was checked with
