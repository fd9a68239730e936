"""Several processes changing one letter at once (as several server workers and a command do):
no change is lost, latest_version never goes back, and no submission fails.

Before optimistic concurrency a re-score read the letter, scored it, and wrote back the
latest_version it had read: a version added meanwhile was hidden, and every later submission
to that letter failed on the UNIQUE (letter_id, version) constraint (a 500 from the API).
"""
from __future__ import annotations

import multiprocessing
import sqlite3
import time
import traceback
from pathlib import Path

import httpx
import pytest

from live_server import LiveServer, auth, make_user, sample_payloads

pytestmark = pytest.mark.slow


def _payload() -> dict:
    """A flawed sample with many findings: enough different marks for every writer below."""
    return sample_payloads()[16]


def _marks() -> list[dict]:
    """Marks 'not a problem' for the payload's findings, each once (a second mark of one is a
    409; a check that found nothing, or lateness, cannot be marked): the whole passive check
    first, then each other finding by its words, or its whole check when it has none."""
    from vcl_qa import Letter, score_letter
    from vcl_qa.engine.letter import context_from_mapping
    from vcl_qa.engine.rules import load_rules

    rules = load_rules().by_id
    body = _payload()
    result = score_letter(Letter(text=body["text"], context=context_from_mapping(body["context"])))
    marks, seen = [{"rule": "readability.passive"}], {("readability.passive", None)}
    for f in result.findings:
        if f.rule == "readability.passive" or not rules[f.rule].markable:
            continue
        term = f.text if f.start is not None and f.text else None
        key = (f.rule, term.lower() if term else None)
        if key not in seen:
            seen.add(key)
            marks.append({"rule": f.rule, **({"term": term} if term else {})})
    return marks


def _submitter(db_path: str, letter_id: int, n: int, out) -> None:
    """A worker adding `n` versions, one after another."""
    from vcl_qa.db import open_db
    from vcl_qa.letters import bulk, service

    db = open_db(db_path)
    body = _payload()
    done = []
    try:
        for i in range(n):
            out_ = service.submit(db, bulk.Actor("submitter"), f"{body['text']}\nRevision {i}.\n", {},
                                  letter_id=letter_id, source="test")
            done.append(out_["version"])
        out.put(("ok", done))
    except Exception:
        out.put(("error", traceback.format_exc()))
    finally:
        db.close()


def _rescorer(db_path: str, letter_id: int, seconds: float, out) -> None:
    """A worker re-scoring the letter's latest version again and again (as `vcl-qa rescore`)."""
    from vcl_qa.db import open_db
    from vcl_qa.letters import bulk, service

    db = open_db(db_path)
    count = 0
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            service.rescore(db, letter_id, force=True, user=bulk.Actor("rescorer"))
            count += 1
        out.put(("ok", count))
    except Exception:
        out.put(("error", traceback.format_exc()))
    finally:
        db.close()


def _suppressor(db_path: str, letter_id: int, n: int, out) -> None:
    from vcl_qa.db import open_db
    from vcl_qa.letters import bulk, service

    db = open_db(db_path)
    try:
        marks = _marks()
        for i in range(n):  # one mark per finding: a second mark of the same one is refused (409)
            service.suppress(db, bulk.Actor("suppressor"), letter_id, marks[i]["rule"],
                             f"quoted from the court, {i}", term=marks[i].get("term"))
        out.put(("ok", n))
    except Exception:
        out.put(("error", traceback.format_exc()))
    finally:
        db.close()


def _new_letter(db_path: Path) -> int:
    from vcl_qa.db import migrate, open_db
    from vcl_qa.letters import bulk, service

    db = open_db(db_path)
    try:
        migrate(db)
        body = _payload()
        return service.submit(db, bulk.Actor(), body["text"], body["context"], team="north")["id"]
    finally:
        db.close()


def _run(*targets) -> list:
    ctx = multiprocessing.get_context("spawn")
    queues = [ctx.Queue() for _ in targets]
    procs = [ctx.Process(target=t, args=(*args, q)) for (t, args), q in zip(targets, queues)]
    for p in procs:
        p.start()
    answers = [q.get(timeout=300) for q in queues]  # in the order the workers were given
    for p in procs:
        p.join(timeout=60)
    errors = [a[1] for a in answers if a[0] == "error"]
    assert not errors, errors[0]
    return [a[1] for a in answers]


def _check_consistent(db_path: Path, letter_id: int) -> tuple[int, int]:
    conn = sqlite3.connect(str(db_path))
    try:
        latest = conn.execute("SELECT latest_version FROM letters WHERE id = ?", [letter_id]).fetchone()[0]
        top = conn.execute("SELECT max(version) FROM versions WHERE letter_id = ?", [letter_id]).fetchone()[0]
        # The letter's score is that of its latest version's newest result.
        score = conn.execute("SELECT score FROM letters WHERE id = ?", [letter_id]).fetchone()[0]
        newest = conn.execute(
            "SELECT r.score FROM results r JOIN versions v ON v.id = r.version_id"
            " WHERE v.letter_id = ? AND v.version = ? ORDER BY r.id DESC LIMIT 1", [letter_id, top]).fetchone()[0]
    finally:
        conn.close()
    assert latest == top
    assert score == newest
    return latest, top


def test_rescore_and_submissions_in_separate_processes(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    letter_id = _new_letter(db_path)
    versions, rescores = _run((_submitter, (str(db_path), letter_id, 12)),
                              (_rescorer, (str(db_path), letter_id, 6.0)))
    assert versions == list(range(2, 14))  # every submission stored, numbered in order
    assert rescores > 0
    assert _check_consistent(db_path, letter_id) == (13, 13)


def test_two_submitters_a_rescorer_and_a_suppressor(tmp_path):
    db_path = tmp_path / "vcl_qa.db"
    letter_id = _new_letter(db_path)
    a, b, _, _ = _run((_submitter, (str(db_path), letter_id, 8)), (_submitter, (str(db_path), letter_id, 8)),
                      (_rescorer, (str(db_path), letter_id, 4.0)), (_suppressor, (str(db_path), letter_id, 4)))
    assert sorted(a + b) == list(range(2, 18))  # no version number given twice, none lost
    assert _check_consistent(db_path, letter_id) == (17, 17)
    conn = sqlite3.connect(str(db_path))
    try:  # the latest result was scored with every suppression
        result = conn.execute("SELECT result FROM results WHERE letter_id = ? ORDER BY id DESC LIMIT 1",
                              [letter_id]).fetchone()[0]
    finally:
        conn.close()
    import json

    passive = [f for f in json.loads(result)["findings"] if f["rule"] == "readability.passive"]
    assert passive and all(f["suppressed"] for f in passive)


def test_api_with_two_workers_never_answers_500(tmp_path):
    """Versions and suppressions through the real server with two worker processes, while a
    command re-scores the same letter."""
    import asyncio

    db_path = tmp_path / "vcl_qa.db"
    token = make_user(db_path, "sam", "staff", "north")
    server = LiveServer(db_path, workers=2).start()
    try:
        body = _payload()
        first = httpx.post(f"{server.url}/api/v1/letters", json=body, headers=auth(token), timeout=60)
        assert first.status_code == 201
        letter_id = first.json()["id"]
        statuses: list[int] = []
        rules = iter(_marks())  # each finding marked once (a second mark of one is a 409)

        async def client(n: int) -> None:
            async with httpx.AsyncClient(base_url=server.url, headers=auth(token), timeout=120) as http:
                for i in range(6):
                    if (n + i) % 3 == 0:
                        r = await http.post(f"/api/v1/letters/{letter_id}/suppressions",
                                            json={**next(rules), "reason": f"quoted from the order {n}.{i}"})
                    else:
                        r = await http.post("/api/v1/letters", json={
                            "letter_id": letter_id, "text": f"{body['text']}\nClient {n}, change {i}.\n"})
                    statuses.append(r.status_code)

        async def main() -> None:
            await asyncio.gather(*(client(n) for n in range(6)))

        ctx = multiprocessing.get_context("spawn")  # and `vcl-qa rescore` at the same time
        out = ctx.Queue()
        rescorer = ctx.Process(target=_rescorer, args=(str(db_path), letter_id, 8.0, out))
        rescorer.start()
        asyncio.run(main())
        assert out.get(timeout=120)[0] == "ok"
        rescorer.join(timeout=60)
        assert 500 not in statuses
        assert set(statuses) <= {201}, statuses
        detail = httpx.get(f"{server.url}/api/v1/letters/{letter_id}", headers=auth(token), timeout=60).json()
        assert detail["latest_version"] == len(detail["versions"]) == 1 + 24  # 24 versions posted
    finally:
        server.stop()
    _check_consistent(db_path, letter_id)
