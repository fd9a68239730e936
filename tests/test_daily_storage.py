"""What one person's saves may store in a day (letters/service.py check_daily_storage): an
attacker's review filled the disk at 6 MB a save of a hostile 200 KB text (8 GB an hour from one
staff account). Real SQLite file; the limit made small with VCL_QA_DAILY_STORAGE_MB."""
from __future__ import annotations

import pytest

from live_server import sample_payloads
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import add_user
from vcl_qa.errors import LetterError
from vcl_qa.letters import service


@pytest.fixture
def db(tmp_path):
    d = open_db(tmp_path / "v.db")
    migrate(d)
    yield d
    d.close()


def test_a_person_over_the_days_storage_is_refused_and_nothing_is_saved(db, monkeypatch):
    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    alice = add_user(db, "alice", "staff", "north")[0]
    bob = add_user(db, "bob", "staff", "north")[0]
    p = sample_payloads()[0]
    long_text = p["text"] + "\n\n" + "We looked at the file again and the evidence was read. " * 3000  # ~170 KB
    first = service.submit(db, alice, long_text, p["context"], team="north")
    versions = db.execute("SELECT count(*) FROM versions").fetchone()[0]
    with pytest.raises(LetterError) as refused:
        for _ in range(5):
            service.submit(db, alice, long_text, p["context"], letter_id=first["id"])
    assert "in the last 24 hours" in str(refused.value) and refused.value.field == "text"
    saved = db.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert versions <= saved < versions + 5  # refused before five more
    # what was stored is counted, and others are not held back by it
    used = db.execute("SELECT SUM(stored_chars) FROM versions WHERE author_id = ?", [alice.id]).fetchone()[0]
    assert 170_000 * (saved) < used <= 1_000_000
    service.submit(db, bob, p["text"], p["context"], team="north")
    # the command line's imports are not counted
    service.submit(db, alice, long_text, p["context"], team="north", counted=False)


def test_a_day_later_the_same_person_can_save_again(db, monkeypatch):
    import datetime as dt

    from vcl_qa import clock

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    alice = add_user(db, "alice", "staff", "north")[0]
    p = sample_payloads()[0]
    long_text = p["text"] + "\n\n" + "We looked at the file again and the evidence was read. " * 3000
    with pytest.raises(LetterError):
        for _ in range(6):
            service.submit(db, alice, long_text, p["context"], team="north")
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + dt.timedelta(hours=25))
    service.submit(db, alice, long_text, p["context"], team="north")


def test_a_bad_setting_is_refused_plainly(monkeypatch):
    from vcl_qa import config

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "lots")
    with pytest.raises(ValueError, match="VCL_QA_DAILY_STORAGE_MB must be a whole number"):
        config.daily_storage_chars()


def test_the_service_will_not_start_with_a_bad_setting(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from vcl_qa.cli import main

    monkeypatch.setenv("VCL_QA_DB", str(tmp_path / "v.db"))
    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "-3")
    out = CliRunner().invoke(main, ["serve", "--port", "8099"])
    assert out.exit_code == 2
    assert "VCL_QA_DAILY_STORAGE_MB must be a whole number" in out.output
    assert not (tmp_path / "v.db").exists()  # stopped before anything was made


def _many_findings() -> str:
    """A letter of 800 short lines, each with a finding: about 0.97 million characters stored
    (its result is about 0.47 million as JSON, kept twice)."""
    return "Dear Ms Shah\n\n" + "".join(f"Line {i} in relation to the case.\n" for i in range(800))


def test_marks_and_sent_marks_that_score_again_count_and_are_refused_over_the_day(db, monkeypatch):
    """Each "not a problem" mark, its restore, a sent mark on another day and its undo scores the
    letter again and stores a result: an account already refused a save stored 18 million
    characters in six requests by making and restoring one mark. They count, and over the day's
    storage they are refused before anything is written."""
    import datetime as dt

    from vcl_qa import clock

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "2")
    bob = add_user(db, "bob", "staff", "north")[0]
    p = sample_payloads()[0]
    letter = service.submit(db, bob, _many_findings(), p["context"], team="north")["id"]
    mark = service.suppress(db, bob, letter, "readability.jargon", "quoted from the court order here")
    results = db.execute("SELECT count(*) FROM results").fetchone()[0]
    used = service.store.stored_since(db, bob.id, "2000-01-01")
    assert used > 1_800_000  # the save and the re-score the mark made, both counted
    with pytest.raises(service.DailyStorageFull) as refused:
        service.unsuppress(db, bob, letter, mark["id"])
    said = str(refused.value)
    assert "scoring this letter again would store" in said and "nothing was saved or changed" in said
    assert "of the 2 million one person may store in a day" in said
    # nothing was changed: the mark stands, no result was stored
    assert db.execute("SELECT revoked_at FROM suppressions WHERE id = ?", [mark["id"]]).fetchone()[0] is None
    sent_day = dt.date.fromisoformat(p["context"]["letter_date"]) + dt.timedelta(days=1)
    with pytest.raises(service.DailyStorageFull):
        service.mark_sent(db, bob, letter, sent_day, "posted on the day and recorded here later")
    assert db.execute("SELECT status FROM letters WHERE id = ?", [letter]).fetchone()[0] == "draft"
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == results
    # the command line's re-scores are not counted, nor held back
    service.rescore(db, letter, force=True, user=None)
    # a day later the same person may again
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + dt.timedelta(hours=25))
    service.unsuppress(db, bob, letter, mark["id"])


def test_training_attempts_count_and_are_refused_over_the_day(db, monkeypatch):
    """A training attempt keeps its text and its result: 3 million characters an attempt of a
    long text with thousands of problems, from an account whose saves were already refused."""
    from vcl_qa.training import service as training

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    carol = add_user(db, "carol", "staff", "north")[0]
    long_attempt = "Dear Ms Shah\n\n" + "".join(f"Line {i} in relation to the case.\n" for i in range(1200))
    training.attempt(db, carol, "khan-brother", long_attempt)
    attempts = db.execute("SELECT count(*) FROM training_attempts").fetchone()[0]
    with pytest.raises(service.DailyStorageFull) as refused:
        training.attempt(db, carol, "khan-brother", long_attempt)
    assert refused.value.field == "text" and "nothing was saved" in str(refused.value)
    assert db.execute("SELECT count(*) FROM training_attempts").fetchone()[0] == attempts
    # and a save is refused by the same count
    p = sample_payloads()[0]
    with pytest.raises(service.DailyStorageFull):
        service.submit(db, carol, _many_findings(), p["context"], team="north")


def test_the_api_refuses_over_the_day_as_docs_api_md_says(tmp_path, monkeypatch):
    """The real server: a save over the day's storage is 422 `invalid` on `text` (docs/api.md, "A
    day's storage"), a mark over it 422 naming no field, and nothing is stored either way."""
    import httpx

    from live_server import LiveServer, auth, make_user

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    token = make_user(tmp_path / "v.db", "dee", "staff", "north")
    server = LiveServer(tmp_path / "v.db").start()
    try:
        api = f"{server.url}/api/v1"
        p = sample_payloads()[0]
        body = {"text": _many_findings(), "context": p["context"]}
        first = httpx.post(f"{api}/letters", json=body, headers=auth(token), timeout=120)
        assert first.status_code == 201
        again = httpx.post(f"{api}/letters", json=body, headers=auth(token), timeout=120)
        assert again.status_code == 422
        error = again.json()["error"]
        assert error["code"] == "invalid" and error["details"][0]["field"] == "text"
        assert error["message"].startswith("text: this would store 0.97 million characters, and your saves in the "
                                           "last 24 hours have stored 0.97 million of the 1 million")
        mark = httpx.post(f"{api}/letters/{first.json()['id']}/suppressions", headers=auth(token), timeout=120,
                          json={"rule": "readability.jargon", "reason": "quoted from the court order here"})
        assert mark.status_code == 422 and mark.json()["error"]["details"][0]["field"] is None
        assert "scoring this letter again would store" in mark.json()["error"]["message"]
        listed = httpx.get(f"{api}/letters", headers=auth(token)).json()
        assert listed["count"] == 1
        assert httpx.get(f"{api}/letters/{first.json()['id']}", headers=auth(token)).json()["suppressions"] == []
    finally:
        server.stop()


def _two_at_once(monkeypatch, path, module, check: str, work) -> list:
    """`work(db)` in two threads at once, each with its own connection to the SQLite file at
    `path`, while a third holds the write lock until both have passed `module.check` (the real
    check, counted: the one made before the lock). What each returned, or the DailyStorageFull
    it raised."""
    import threading

    from vcl_qa.db.connection import write_tx

    checked = threading.Semaphore(0)
    real_check = getattr(module, check)

    def counting_check(*args, **kwargs):
        real_check(*args, **kwargs)
        checked.release()

    monkeypatch.setattr(module, check, counting_check)
    outcomes: list = []

    def one() -> None:
        db = open_db(path)
        try:
            outcomes.append(work(db))
        except service.DailyStorageFull as exc:
            outcomes.append(exc)
        finally:
            db.close()

    holder = open_db(path)
    threads = [threading.Thread(target=one) for _ in range(2)]
    with write_tx(holder):  # another writer holds the lock while both are checked
        for t in threads:
            t.start()
        for _ in threads:
            assert checked.acquire(timeout=120)  # both passed the check made before the lock
    for t in threads:
        t.join(timeout=120)
    holder.close()
    return outcomes


@pytest.mark.parametrize("second_is", ["new letter", "new version"])
def test_two_saves_at_once_with_room_for_one_store_one(tmp_path, monkeypatch, second_is):
    """Two saves by one person at once, each checked against the day's storage before either
    was written (both wait for the write lock another writer holds): the check is made again
    under the lock (store.write_version `guard`), so one is stored and the other refused with
    nothing written, instead of both taking the person over the day's limit. Real threads, each
    with its own connection to one SQLite file; the write lock held by a third."""
    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    path = tmp_path / "v.db"
    setup = open_db(path)
    migrate(setup)
    alice = add_user(setup, "alice", "staff", "north")[0]
    p = sample_payloads()[0]
    long_text = p["text"] + "\n\n" + "We looked at the file again and the evidence was read. " * 3000  # ~172,000 stored
    letter = None
    for _ in range(4):  # ~690,000 of the 1,000,000: room for one more, not two
        letter = service.submit(setup, alice, long_text, p["context"], team="north")["id"]
    before = setup.execute("SELECT count(*) FROM versions").fetchone()[0]

    def save(db):
        if second_is == "new letter":
            return service.submit(db, alice, long_text, p["context"], team="north")
        return service.submit(db, alice, long_text, p["context"], letter_id=letter)

    outcomes = _two_at_once(monkeypatch, path, service, "check_daily_storage", save)
    stored = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, service.DailyStorageFull)]
    assert len(stored) == 1 and len(refused) == 1, outcomes
    assert "nothing was saved" in str(refused[0])
    assert setup.execute("SELECT count(*) FROM versions").fetchone()[0] == before + 1
    used = setup.execute("SELECT SUM(stored_chars) FROM versions WHERE author_id = ?", [alice.id]).fetchone()[0]
    assert used <= 1_000_000
    setup.close()


def test_two_training_attempts_at_once_with_room_for_one_store_one(tmp_path, monkeypatch):
    """As for saves: a training attempt's storage is checked again under the write lock."""
    from vcl_qa.training import service as training

    monkeypatch.setenv("VCL_QA_DAILY_STORAGE_MB", "1")
    path = tmp_path / "v.db"
    setup = open_db(path)
    migrate(setup)
    carol = add_user(setup, "carol", "staff", "north")[0]
    attempt_text = "Dear Ms Shah\n\n" + "".join(f"Line {i} in relation to the case.\n" for i in range(400))
    training.attempt(setup, carol, "khan-brother", attempt_text)
    one = setup.execute("SELECT length(text) + length(result) FROM training_attempts").fetchone()[0]
    assert 100_000 < one < 500_000
    while (setup.execute("SELECT count(*) FROM training_attempts").fetchone()[0] + 2) * one <= 1_000_000:
        training.attempt(setup, carol, "khan-brother", attempt_text)  # until there is room for one, not two
    before = setup.execute("SELECT count(*) FROM training_attempts").fetchone()[0]
    outcomes = _two_at_once(monkeypatch, path, training, "check_attempt_storage",
                            lambda db: training.attempt(db, carol, "khan-brother", attempt_text))
    assert sum(isinstance(o, dict) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, service.DailyStorageFull) for o in outcomes) == 1
    assert setup.execute("SELECT count(*) FROM training_attempts").fetchone()[0] == before + 1
    setup.close()
