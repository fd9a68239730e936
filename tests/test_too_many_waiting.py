"""At most `VCL_QA_MOST_WAITING` (16) of one person's requests wait for the scoring slot at once;
one more is answered at once, 429 "too many waiting" with Retry-After, nothing done. Each waiting
request holds one of the server's threads (40 a process), which every other request needs too: an
attacker's review kept 50 long checks in flight as one user, and another user's `GET /me` waited
up to 18 s, a short check 8-10 s. Another person is never refused for someone else's queue. The
lock itself (threads), and the real server: the API and the check page."""
from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from api.concurrency import FairLock, TooManyWaiting, requester
from live_server import LiveServer, auth, make_user, sample_payloads, signed_in_client
from test_fair_scoring import _until  # (waits for a condition, with a time limit)
from vcl_qa import config


def _waiter(lock: FairLock, who, results: list, gate: threading.Event | None = None):
    def work():
        requester.set(who)
        try:
            with lock:
                results.append((who, "held"))
                if gate is not None:
                    gate.wait(10)
        except TooManyWaiting as exc:
            results.append((who, f"refused {exc.most}"))
    t = threading.Thread(target=work)
    t.start()
    return t


def test_one_more_than_the_most_waiting_is_refused_at_once_and_others_are_not():
    lock, results, gate = FairLock(most_waiting=2), [], threading.Event()
    threads = [_waiter(lock, "ann", results, gate)]
    _until(lambda: results == [("ann", "held")])
    threads += [_waiter(lock, "ann", results, gate) for _ in range(2)]
    _until(lambda: lock.waiting() == 2)
    threads.append(_waiter(lock, "ann", results, gate))  # a third waiting: refused, its thread freed
    _until(lambda: ("ann", "refused 2") in results)
    threads.append(_waiter(lock, "bob", results, gate))  # Bob's own turn: never refused for Ann's queue
    _until(lambda: lock.waiting() == 3)
    threads += [_waiter(lock, None, results, gate) for _ in range(3)]  # no user: not limited
    _until(lambda: lock.waiting() == 6)
    gate.set()
    for t in threads:
        t.join(10)
    assert sorted(results, key=str) == sorted([("ann", "held")] * 3 + [("ann", "refused 2")] + [("bob", "held")]
                                              + [(None, "held")] * 3, key=str)
    assert lock.waiting() == 0


def test_a_request_that_has_held_the_slot_is_never_refused_its_second_turn():
    """Mark sent, then read the letter back: the second wait must not answer "nothing was done"
    after the letter was marked sent (a review's race, with the queue full between the two)."""
    import contextvars

    lock, results, gate = FairLock(most_waiting=1), [], threading.Event()
    threads = [_waiter(lock, "ann", results, gate)]
    _until(lambda: results == [("ann", "held")])
    threads.append(_waiter(lock, "ann", results, gate))
    _until(lambda: lock.waiting() == 1)  # Ann's queue is full

    second: list = []

    def request_with_two_turns():
        requester.set("ann")
        from api import concurrency
        concurrency._served.set(True)  # as after its first turn (the letter marked sent)
        try:
            with lock:
                second.append("held")
        except TooManyWaiting:
            second.append("refused")

    t = threading.Thread(target=contextvars.copy_context().run, args=(request_with_two_turns,))
    t.start()
    _until(lambda: lock.waiting() == 2)  # waiting beyond the most, not refused
    threads.append(_waiter(lock, "ann", results, gate))  # a new request of hers: refused
    _until(lambda: ("ann", "refused 1") in results)
    gate.set()
    t.join(10)
    for th in threads:
        th.join(10)
    assert second == ["held"]


def test_the_most_waiting_is_a_setting(monkeypatch):
    assert FairLock().most_waiting == config.MOST_WAITING_PER_USER == 16
    monkeypatch.setenv("VCL_QA_MOST_WAITING", "3")
    assert FairLock().most_waiting == 3
    monkeypatch.setenv("VCL_QA_MOST_WAITING", "0")
    with pytest.raises(ValueError, match="VCL_QA_MOST_WAITING must be a whole number"):
        FairLock()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("waiting") / "vcl_qa.db"
    tokens = {name: make_user(db, name, "staff", "north") for name in ("Ann Long", "Bob Short")}
    live = LiveServer(db, env={"VCL_QA_MOST_WAITING": "1"}).start()  # one waiting, one more refused
    live.tokens = tokens
    yield live
    live.stop()


def _long(n: int) -> dict:
    """A letter of 100 KB of made-up words, different each time (the engine remembers what each
    paragraph gave, so a letter met before is quick): most of a second to check."""
    import random
    import string

    rnd, words = random.Random(n), []
    while sum(map(len, words)) + len(words) < 100_000:
        words.append("".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(3, 9)))
                     + ("." if len(words) % 15 == 14 else ""))
    first = sample_payloads()[0]
    return {**first, "text": "Dear Ms Okafor\n\n" + " ".join(words) + "."}


def _flood_until_refused(server, answers: list, start: int) -> list[threading.Thread]:
    """Ann sends four long checks at once (one is checked, one waits, the others are refused)
    and this returns as soon as one is refused, while her queue is still full."""
    bodies = [_long(n) for n in range(start, start + 4)]  # (made first: they take a moment to make)

    def post(body: dict):
        answers.append(httpx.post(f"{server.url}/api/v1/check", json=body,
                                  headers=auth(server.tokens["Ann Long"]), timeout=300))

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while not any(r.status_code == 429 for r in answers) and time.monotonic() < deadline and \
            any(t.is_alive() for t in threads):
        time.sleep(0.005)
    return threads


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _word_file() -> bytes:
    import io

    from docx import Document

    doc = Document()
    for line in sample_payloads()[1]["text"].split("\n\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _check_form(browser) -> dict:
    page = browser.get("/check").text
    form = {n: re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf_token", "submission")}
    short = sample_payloads()[1]
    return {**form, "text": short["text"], **{k: v for k, v in short["context"].items() if isinstance(v, str)}}


def test_the_api_and_the_check_page_refuse_one_more_and_serve_another_person(server):
    for attempt in range(3):  # (the long checks end in one to two seconds: a slow send misses the moment)
        answers: list = []
        with signed_in_client(server.url, server.tokens["Ann Long"]) as browser:
            form = _check_form(browser)
            threads = _flood_until_refused(server, answers, 10 * attempt)
            refused = [r for r in answers if r.status_code == 429]
            # Ann's queue is full: her page's check is refused too, with a page that says why; and
            # so is a Word file she uploads, even with a date the form then refuses: the file is
            # read under the scoring slot, one at a time (twenty read at once took a server to 4 GB)
            upload = browser.post("/check", data={**form, "text": "", "decision_date-day": "31",
                                                  "decision_date-month": "2", "decision_date-year": "2024"},
                                  files={"file": ("letter.docx", _word_file(), DOCX)}) if refused else None
            page = browser.post("/check", data=form) if refused else None
        # Bob is served meanwhile: his own check is never refused for Ann's queue
        bob = httpx.post(f"{server.url}/api/v1/check", json=sample_payloads()[1],
                         headers=auth(server.tokens["Bob Short"]), timeout=300)
        me = httpx.get(f"{server.url}/api/v1/me", headers=auth(server.tokens["Bob Short"]), timeout=30)
        for t in threads:
            t.join(300)
        if page is not None and page.status_code == 429 and upload.status_code == 429:
            break
    else:
        pytest.fail("Ann's long checks never filled her queue while her page was sent, in three tries")
    r = refused[0]
    assert r.headers["retry-after"] == "2"
    assert r.json()["error"]["code"] == "too_many_waiting"
    assert r.json()["error"]["message"].startswith("you already have 1 letter waiting to be checked, the most")
    assert all(a.status_code in (200, 429) for a in answers) and any(a.status_code == 200 for a in answers)
    assert page.headers["retry-after"] == "2"
    assert "You have several letters waiting to be checked" in page.text
    assert "nothing was done with this one" in page.text
    assert bob.status_code == 200 and me.status_code == 200
    assert "You have several letters waiting to be checked" in upload.text


def test_an_uploaded_word_file_with_a_wrong_date_is_read_and_refused_as_before(server):
    """(The other side of the test above: with nothing waiting, the same upload is read and the
    form says what is wrong with the date.)"""
    with signed_in_client(server.url, server.tokens["Bob Short"]) as browser:
        form = _check_form(browser)
        r = browser.post("/check", data={**form, "text": "", "decision_date-day": "31", "decision_date-month": "2",
                                         "decision_date-year": "2024"},
                         files={"file": ("letter.docx", _word_file(), DOCX)})
    assert r.status_code == 400 and "The date of the decision" in r.text
