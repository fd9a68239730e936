"""A "not a problem" mark on a wording sets the words aside where they were when it was made,
carried through later edits (the same sentence edited is the same place), never where the same
words are put later: a reason given for "complainant" in one sentence ("quoted from the court
order here") said nothing about the word in a sentence written afterwards, and hid it unseen.
The new place counts, says it was marked elsewhere, and takes a mark of its own in one step.
Marks made before (migration 0011) keep covering every place the words had in the version they
were made on. Against the real server and SQLite file (tests/live_server.py), and the service on
a real SQLite file for the migration."""
from __future__ import annotations

import html
import re

import httpx
import pytest

from live_server import auth, signed_in_client, users_server

RULE = "readability.jargon"
REASON = "quoted from the court order here"
CTX = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
       "victim_category": "standard", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}
V1 = ("Dear Ms Okafor\n\nThe court order names the complainant as the person harmed.\n\n"
      "We have decided to stop the case against Mr Smith.\n\nYours sincerely\nA Prosecutor\n")
# the marked sentence edited (words added before it) and the word put in a new sentence
V2 = V1.replace("The court order names", "As you know, the court order names").replace(
    "We have decided", "We have told the complainant that we decided")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = users_server(tmp_path_factory, "mark-places", {"sam": ("Sam Staff", "staff", "north"),
                                                         "sue": ("Sue South", "staff", "south")})
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["sam"]), timeout=60) as client:
        yield client


def jargon(result: dict) -> list[dict]:
    return [f for f in result["findings"] if f["rule"] == RULE and (f.get("text") or "").lower() == "complainant"]


def marked_letter(api) -> tuple[int, dict]:
    r = api.post("/letters", json={"text": V1, "context": CTX})
    assert r.status_code == 201, r.text
    letter_id = r.json()["id"]
    mark = api.post(f"/letters/{letter_id}/suppressions", json={"rule": RULE, "term": "complainant", "reason": REASON})
    assert mark.status_code == 201, mark.text
    return letter_id, mark.json()


def test_the_same_words_in_a_new_place_count_again_and_say_so(api):
    letter_id, mark = marked_letter(api)
    at = V1.index("complainant")
    assert mark["places"] == [{"start": at, "end": at + len("complainant")}]
    r = api.post("/letters", json={"letter_id": letter_id, "text": V2})
    assert r.status_code == 201, r.text
    result = r.json()["result"]
    old, new = sorted(jargon(result), key=lambda f: f["start"])
    # the sentence marked, edited: still the same place, still set aside
    assert old["start"] == V2.index("complainant") and old["suppressed"] and not old.get("marked_elsewhere")
    # the new sentence: counted, and said to be marked elsewhere, with the reason given there
    assert new["start"] == V2.rindex("complainant") and not new["suppressed"] and new["penalty"] > 0
    assert new.get("marked_elsewhere") == REASON
    # the set-aside list counts the one finding the mark set aside, as the score does
    listed = api.get("/set-aside", params={"severity": old["severity"]}).json()["data"]
    assert [row["findings"] for row in listed if row["letter_id"] == letter_id] == [1]
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["score"] == result["score"]
    assert [s["version"] for s in letter["suppressions"]] == [1]


def test_the_new_place_is_marked_in_one_step_with_its_own_reason(api, server):
    letter_id, first = marked_letter(api)
    api.post("/letters", json={"letter_id": letter_id, "text": V2}).raise_for_status()
    r = api.post(f"/letters/{letter_id}/suppressions",
                 json={"rule": RULE, "term": "complainant", "reason": "the victim used this word herself"})
    assert r.status_code == 201, r.text
    second = r.json()
    at = V2.rindex("complainant")
    assert second["places"] == [{"start": at, "end": at + len("complainant")}]
    findings = sorted(jargon(second["result"]), key=lambda f: f["start"])
    assert [f["suppressed"] for f in findings] == [True, True]
    assert [f["suppressed_reason"] for f in findings] == [REASON, "the victim used this word herself"]
    # each mark is listed with the finding it set aside, and its own reason
    listed = {row["id"]: row for row in api.get("/set-aside", params={"severity": findings[0]["severity"]}).json()["data"]
              if row["letter_id"] == letter_id}
    assert {i: row["findings"] for i, row in listed.items()} == {first["id"]: 1, second["id"]: 1}
    # every place now set aside: a third mark on the words repeats one (409), as before
    again = api.post(f"/letters/{letter_id}/suppressions",
                     json={"rule": RULE, "term": "Complainant", "reason": "yet another reason given"})
    assert again.status_code == 409 and "already marked not a problem" in again.json()["error"]["message"]
    # restoring the first mark counts its place again, not the other's
    back = api.delete(f"/letters/{letter_id}/suppressions/{first['id']}").json()
    assert back["counts_again"] is True and back["also_restored"] == []
    findings = sorted(jargon(back["result"]), key=lambda f: f["start"])
    assert [f["suppressed"] for f in findings] == [False, True]


def test_the_letter_page_says_the_new_place_was_marked_elsewhere_and_offers_the_mark(api, server):
    letter_id, _ = marked_letter(api)
    api.post("/letters", json={"letter_id": letter_id, "text": V2}).raise_for_status()
    with contextlib_signed_in(server) as web:
        page = html.unescape(web.get(f"/letters/{letter_id}").text)
    assert ("Marked “not a problem” elsewhere in this letter, not here (the reason given there: "
            f"“{REASON}”). Look at this one: it counts until you mark it too, with its own reason.") in page
    card = page[page.index("finding-elsewhere"):]
    card = card[:card.index("</li>")]
    assert 'name="term" value="complainant"' in card and "Mark as not a problem" in card


def contextlib_signed_in(server):
    return signed_in_client(server.url, server.tokens["sam"])


def test_words_rewritten_count_again_rather_than_being_guessed_the_same(api):
    letter_id, _ = marked_letter(api)
    rewritten = V1.replace("The court order names the complainant as the person harmed.",
                           "Mr Smith hurt the complainant, the court heard.")
    result = api.post("/letters", json={"letter_id": letter_id, "text": rewritten}).json()["result"]
    (f,) = jargon(result)
    assert not f["suppressed"] and f.get("marked_elsewhere") == REASON


def test_the_check_as_you_type_carries_the_marks_through_the_edit(api, server):
    letter_id, _ = marked_letter(api)
    typed = V1.replace("The court order", "Sadly, the court order").replace(
        "We have decided", "We spoke to the complainant and decided")
    r = api.post("/check", json={"text": typed, "context": CTX, "marks_of": letter_id})
    assert r.status_code == 200, r.text
    findings = sorted(jargon(r.json()), key=lambda f: f["start"])
    assert [(f["start"], f["suppressed"], f.get("marked_elsewhere")) for f in findings] == [
        (typed.index("complainant"), True, None), (typed.rindex("complainant"), False, REASON)]
    # another team's letter (or none) is not found
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["sue"]), timeout=60) as sue:
        assert sue.post("/check", json={"text": typed, "context": CTX, "marks_of": letter_id}).status_code == 404
    assert api.post("/check", json={"text": typed, "context": CTX, "marks_of": 10 ** 9}).status_code == 404
    # the letter page asks for it (its script sends marks_of, not the marks' words)
    with contextlib_signed_in(server) as web:
        page = web.get(f"/letters/{letter_id}").text
    data = re.search(r'"marks_of": (\d+)', html.unescape(page))
    assert data and int(data.group(1)) == letter_id


# --- migration 0011: marks made before keep meaning what they meant ----------------------------

def _legacy_database(tmp_path):
    """A database as the release before kept it: a draft and a sent letter, each with a mark on
    "complainant" made on version 1, and a version 2 putting the word in a new sentence, scored
    as it was then (the mark set the words aside wherever they were)."""
    from vcl_qa.db.connection import open_db
    from vcl_qa.db.migrations import migrate
    from vcl_qa.letters import service, store
    from vcl_qa.letters.bulk import Actor

    path = tmp_path / "vcl_qa.db"
    db = open_db(path)
    migrate(db)
    ids = []
    for _ in range(2):
        out = service.submit(db, Actor("writer"), V1, CTX, team="north")
        service.suppress(db, Actor("writer"), out["id"], RULE, REASON, term="complainant")
        ids.append(out["id"])
    db.execute("DROP TABLE suppression_places")
    db.execute("ALTER TABLE suppressions DROP COLUMN version")
    db.execute("DELETE FROM _sqlite_migrations WHERE migration_set = 'core' AND name = '0011_mark_places'")
    for letter_id in ids:  # version 2 as the release before stored it
        old_marks = [{"rule": RULE, "term": "complainant", "reason": REASON}]
        stored_ctx, result = service._score(V2, CTX, old_marks, None)
        assert all(f.suppressed for f in result.findings if f.rule == RULE and f.text == "complainant")
        store.write_version(db, Actor("writer"), V2, stored_ctx, result, team=None, letter_id=letter_id,
                            source=None, sent_date=None)
    db.execute("UPDATE letters SET status = 'sent', sent_date = '2024-12-20' WHERE id = ?", [ids[1]])
    db.conn.commit()
    db.close()
    return path, ids


def test_migration_keeps_old_marks_on_the_places_they_were_made_on(tmp_path):
    from vcl_qa.db.connection import open_db
    from vcl_qa.db.migrations import migrate
    from vcl_qa.letters import service, store

    path, (draft, sent) = _legacy_database(tmp_path)
    db = open_db(path)
    assert "core:0011_mark_places" in migrate(db)
    old_at, new_at = V2.index("complainant"), V2.rindex("complainant")
    for letter_id in (draft, sent):
        assert [r[0] for r in db.execute("SELECT version FROM suppressions WHERE letter_id = ?", [letter_id])] == [1]
        assert store.places_at(db, letter_id, _mark_id(db, letter_id), 1) == [[V1.index("complainant"),
                                                                                V1.index("complainant") + 11]]
    # the draft: the place marked, carried to version 2; the new place is not, and the audit log says
    # it will count again (the stored result is as it was until the letter is scored again)
    assert store.places_at(db, draft, _mark_id(db, draft), 2) == [[old_at, old_at + 11]]
    (entry,) = db.execute("SELECT detail FROM audit_log WHERE action = 'letter.mark_places' AND object_id = ?",
                          [draft]).fetchall()
    assert '"count_again": 1' in entry[0]
    assert all(f["suppressed"] for f in jargon(store.latest_result(db, draft)))
    # `vcl-qa rescore` (bulk.rescore_all) scores that draft again, and only it
    from vcl_qa.letters import bulk

    assert bulk.rescore_all(db)["rescored"] == 1
    rescored = store.latest_result(db, draft)
    findings = sorted(jargon(rescored), key=lambda f: f["start"])
    assert [(f["suppressed"], f.get("marked_elsewhere")) for f in findings] == [(True, None), (False, REASON)]
    # the sent letter: its marks stand as they were when it went out
    assert sorted(store.places_at(db, sent, _mark_id(db, sent), 2)) == [[old_at, old_at + 11], [new_at, new_at + 11]]
    assert not db.execute("SELECT 1 FROM audit_log WHERE action = 'letter.mark_places' AND object_id = ?",
                          [sent]).fetchall()
    assert all(f["suppressed"] for f in jargon(service.rescore(db, sent, force=True)))


def _mark_id(db, letter_id: int) -> int:
    return db.execute("SELECT id FROM suppressions WHERE letter_id = ?", [letter_id]).fetchone()[0]


def test_a_file_s_own_suppress_still_sets_the_words_aside_everywhere():
    from vcl_qa import Letter, LetterContext
    from vcl_qa.engine.letter import Suppression
    from vcl_qa.engine.run import score_letter

    ctx = LetterContext(**CTX, suppress=[Suppression(rule=RULE, term="complainant", reason=REASON)])
    result = score_letter(Letter(text=V2, context=ctx)).model_dump(mode="json")
    assert [f["suppressed"] for f in jargon(result)] == [True, True]
