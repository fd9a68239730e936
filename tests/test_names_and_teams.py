"""Review 11b, findings 4 and 5: a name cannot pass for another, and a team is one there is.

A user "demo\\u200b-manager" looked exactly like the manager in the audit log and in the 409 a
writer reads; "evil\\u202egpj.exe" showed as "evilexe.jpg"; a manager's team "Nroth", " north",
"ｎｏｒｔｈ" or "no\\u202erth" stored the letter (or the register entry) in a new team its team
never sees, split the report into rows that print alike, and a team sent with letter_id was
ignored. Against the real server, with its own SQLite file; stored names are left as they were.
"""
from __future__ import annotations

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from vcl_qa.db import migrate, open_db
from vcl_qa.db.users import UserExists, add_user, check_label, update_user
from vcl_qa.errors import LetterError

TEXT = "Private - to be opened by addressee only\n\nDear Ms Okafor\n\nWe have decided to stop the case.\n"
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor", "urn": "42AB1234524"}
KNOWN = "the teams are 'north', 'south'"
HIDDEN = [("demo\u200b-manager", "U+200B ZERO WIDTH SPACE"),
          ("evil\u202egpj.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
          ("bom\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
          ("soft\u00adhyphen", "U+00AD SOFT HYPHEN"),
          ("join\u2060er", "U+2060 WORD JOINER"),
          ("filler\u3164", "U+3164 HANGUL FILLER")]
LOOK_ALIKES = [("ｄｅｍｏ-manager", "U+FF44 FULLWIDTH LATIN SMALL LETTER D, a look-alike of 'd'"),
               ("demo-m\u0430nager", "mixes Latin and Cyrillic letters (U+0430 CYRILLIC SMALL LETTER A)"),
               ("demo\u00a0manager", "U+00A0 NO-BREAK SPACE, which looks like a space but is not one")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("names") / "vcl_qa.db").start()
    srv.tokens = {"staff": make_user(srv.db, "north-staff", "staff", "north"),
                  "south": make_user(srv.db, "south-staff", "staff", "south"),
                  "manager": make_user(srv.db, "demo-manager", "manager"),
                  "admin": make_user(srv.db, "admin", "admin")}
    yield srv
    srv.stop()


def call(server, role, method, path, **kw) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/v1{path}", headers=auth(server.tokens[role]),
                         timeout=60, **kw)


def refused(r: httpx.Response, field: str) -> str:
    assert r.status_code == 422, r.text
    (detail,) = r.json()["error"]["details"]
    assert detail["field"] == field, r.text
    assert r.json()["error"]["message"] == f"{field}: {detail['message']}"
    return detail["message"]


def user_names(server) -> list[str]:
    return [u["name"] for u in call(server, "admin", "GET", "/users").json()["data"]]


# --- finding 4: names ------------------------------------------------------------------------

@pytest.mark.parametrize("name, character", HIDDEN)
def test_a_name_with_a_hidden_character_is_refused_naming_it(server, name, character):
    r = call(server, "admin", "POST", "/users", json={"name": name, "role": "staff", "team": "north"})
    message = refused(r, "name")
    assert f"it holds {character}" in message and "pass for another" in message
    hidden = next(c for c in name if not c.isascii())
    r = call(server, "admin", "POST", "/users", json={"name": "ok-name2", "role": "staff", "team": f"nor{hidden}th"})
    assert f"it holds {character}" in refused(r, "team")
    assert len(user_names(server)) == 4


@pytest.mark.parametrize("name, words", LOOK_ALIKES)
def test_a_look_alike_name_is_refused_naming_the_character(server, name, words):
    r = call(server, "admin", "POST", "/users", json={"name": name, "role": "staff", "team": "north"})
    assert words in refused(r, "name")


def test_ordinary_names_with_accents_and_apostrophes_are_taken(server):
    for name, team in (("Siân Llŷr", "north"), ("Seán O’Brien", "south"), ("Zoë Brontë-Smith", None)):
        r = call(server, "admin", "POST", "/users", json={"name": name, "role": "manager" if team is None else "staff",
                                                          "team": team})
        assert r.status_code == 201, r.text
        assert r.json()["user"]["name"] == name


def test_a_team_spelt_like_another_is_refused_naming_it(server):
    for i, team in enumerate(("North", " north ", "NORTH")):
        r = call(server, "admin", "POST", "/users", json={"name": f"tia{i}", "role": "staff", "team": team})
        if team.strip() == "north":  # spaces round a team are left out, as round a name
            assert r.status_code == 201, r.text
            assert r.json()["user"]["team"] == "north"
            continue
        assert refused(r, "team") == (f"'{team}' looks the same as the team 'north' there is, without being it: "
                                      "give 'north' exactly (or a name that differs)")


def test_a_name_stored_before_cannot_be_copied_and_is_kept(tmp_path):
    """Names stored before the check are not changed; a new name that looks the same as one
    of them (or differs only in case, width or a hidden character) is refused as taken."""
    db = open_db(tmp_path / "store.db")
    migrate(db)
    db.execute("INSERT INTO users (name, role, team, token_hash, created_at, token_created_at)"
               " VALUES ('demo\u200b-manager', 'staff', 'north', 'x', '2025-01-01', '2025-01-01')")
    db.conn.commit()
    for copy in ("demo-manager", "Demo-Manager", "DEMO-MANAGER"):
        with pytest.raises(UserExists) as caught:
            add_user(db, copy, "manager")
        assert str(caught.value) == "a user called 'demo\\u200b-manager' already exists"
    assert [r[0] for r in db.execute("SELECT name FROM users")] == ["demo\u200b-manager"]
    user, _ = add_user(db, "Jose\u0301", "manager")  # an accent typed apart from its letter: joined
    assert user.name == "José"
    with pytest.raises(UserExists):
        add_user(db, "josé", "staff", "north")
    with pytest.raises(LetterError) as caught:  # the admin pages change a team the same way
        update_user(db, user.id, "staff", "nor\u200bth")
    assert caught.value.field == "team" and "U+200B ZERO WIDTH SPACE" in caught.value.message
    db.close()


def test_check_label_names_the_character_for_every_caller():
    with pytest.raises(LetterError) as caught:
        check_label("no\u202erth", "team")
    assert caught.value.field == "team"
    assert caught.value.message.startswith("it holds U+202E RIGHT-TO-LEFT OVERRIDE, an invisible formatting character")
    with pytest.raises(LetterError) as caught:
        check_label("tab\there", "name")
    assert caught.value.message == ("no control characters (tabs, line breaks and the like): it holds U+0009 TAB, "
                                    "a control character")
    check_label("Siân Llŷr", "name")


# --- finding 5: teams on letters and decisions -----------------------------------------------

@pytest.mark.parametrize("team, shown, hint", [
    ("Nroth", "Nroth", "did you mean 'north'?"),
    (" north", " north", "did you mean 'north'?"),
    ("north ", "north ", "did you mean 'north'?"),
    ("ｎｏｒｔｈ", "ｎｏｒｔｈ", "did you mean 'north'?"),
    ("no\u202erth", "no\\u202erth", "it holds U+202E RIGHT-TO-LEFT OVERRIDE; did you mean 'north'?"),
    ("north\u200b", "north\\u200b", "it holds U+200B ZERO WIDTH SPACE; did you mean 'north'?"),
])
def test_a_managers_team_that_is_not_a_team_is_refused(server, team, shown, hint):
    expected = f"there is no team called '{shown}' ({hint}); {KNOWN}"
    r = call(server, "manager", "POST", "/letters", json={"text": TEXT, "context": CONTEXT, "team": team})
    assert refused(r, "team") == expected
    decision = {"urn": "42AB1234524", "decision": "discontinued", "decision_date": "2024-12-19",
                "victim_category": "enhanced", "team": team}
    r = call(server, "manager", "POST", "/decisions", json=decision)
    assert refused(r, "team") == expected
    r = call(server, "manager", "POST", "/decisions", json={"decisions": [{**decision, "team": "north"}, decision]})
    assert refused(r, "decisions.1.team") == expected
    # nothing stored, so the slip never becomes a team a filter or a report would take
    assert call(server, "manager", "GET", "/letters").json()["count"] == 0
    assert call(server, "manager", "GET", "/decisions", params={"as_of": "2025-01-06"}).json()["count"] == 0
    assert call(server, "manager", "GET", "/letters", params={"team": team}).status_code == 422


def test_a_known_team_is_taken_and_its_staff_see_the_letter(server):
    r = call(server, "manager", "POST", "/letters", json={"text": TEXT, "context": CONTEXT, "team": "south"})
    assert r.status_code == 201, r.text
    assert call(server, "south", "GET", f"/letters/{r.json()['id']}").status_code == 200
    r = call(server, "manager", "POST", "/decisions", json={"urn": "43AB1234524", "decision": "discontinued",
                                                            "decision_date": "2024-12-19", "victim_category": "enhanced",
                                                            "team": "south"})
    assert r.status_code == 201, r.text


def test_a_team_given_with_letter_id_must_be_the_letters(server):
    letter = call(server, "staff", "POST", "/letters", json={"text": TEXT, "context": CONTEXT}).json()["id"]
    r = call(server, "manager", "POST", "/letters", json={"letter_id": letter, "text": TEXT + "\n", "team": "south"})
    assert refused(r, "team") == (f"letter {letter} belongs to team 'north'; a new version stays in its letter's "
                                  "team, so 'south' cannot be given with letter_id (leave team out, or give 'north')")
    got = call(server, "staff", "GET", f"/letters/{letter}").json()
    assert (got["team"], got["latest_version"]) == ("north", 1)
    for body in ({"team": "north"}, {}):  # the letter's own team, or none: a new version
        r = call(server, "manager", "POST", "/letters", json={"letter_id": letter, "text": TEXT + "\n" * 2, **body})
        assert r.status_code == 201, r.text
    r = call(server, "staff", "POST", "/letters", json={"letter_id": letter, "text": TEXT, "team": "north"})
    assert r.status_code == 201, r.text
    assert call(server, "staff", "GET", f"/letters/{letter}").json()["latest_version"] == 4
