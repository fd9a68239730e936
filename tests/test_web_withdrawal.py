"""The check form's withdrawal question, over HTTP against the real server: the answer reaches
the checks (content.victim_views), and a value that is not yes or no is named next to the field.
The JSON API (submit) takes the field too, as true, false or "unknown"."""
from __future__ import annotations

import html
import re

import httpx
import pytest

from live_server import LiveServer, make_user
from web_site import csrf, signed_in

LETTER = (
    "Private - to be opened by addressee only\n\nDear Ms Grant\n\n"
    "We have decided to stop the case, because the only witness has moved abroad and cannot be"
    " traced.\n\nI understand that this will be disappointing.\n\nYours sincerely\n\nJ Whitcombe\n"
)
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-19",
           "victim_category": "enhanced", "bereaved": "no", "offence": "harassment",
           "victim_name": "Ms Olivia Grant", "urn": "41HT1099424"}
VIEWS = "The victim withdrew their support, but the letter never refers"


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
    return client.post("/check", data={"csrf_token": token, "text": LETTER, **CONTEXT, **overrides})


def test_the_form_asks_whether_the_victim_withdrew(client):
    page = client.get("/check").text
    field = re.search(r'<select id="withdrawal" name="withdrawal"[^>]*>(.*?)</select>', page, re.S)
    assert field and re.findall(r'<option value="([^"]*)"', field.group(1)) == ["", "yes", "no"]
    assert 'aria-describedby="withdrawal-hint"' in page


@pytest.mark.parametrize("answer,flagged", [("yes", True), ("no", False), ("", False)])
def test_the_answer_reaches_the_victim_views_check(client, answer, flagged):
    r = submit(client, withdrawal=answer)
    assert r.status_code == 303
    page = html.unescape(client.get(r.headers["location"]).text)
    assert (VIEWS in page) == flagged


def test_a_bad_answer_is_named_next_to_the_field(client):
    r = submit(client, withdrawal="perhaps")
    assert r.status_code == 400
    error = re.search(r'id="withdrawal-error">(.*?)</p>', r.text, re.S).group(1)
    assert "Did the victim withdraw support? Choose one of the answers listed." in \
        html.unescape(re.sub(r"<[^>]+>", "", error))


@pytest.mark.parametrize("value,flagged,unknown", [(True, True, False), (False, False, False),
                                                  ("unknown", False, True)])
def test_the_api_takes_true_false_or_unknown(site, value, flagged, unknown):
    r = httpx.post(site["url"] + "/api/v1/letters", timeout=30,
                   headers={"Authorization": f"Bearer {site['tokens']['staff']}"},
                   json={"text": LETTER, "context": {**CONTEXT, "bereaved": False, "withdrawal": value}})
    assert r.status_code == 201, r.text
    result = r.json()["result"]
    assert any(f["rule"] == "content.victim_views" for f in result["findings"]) == flagged
    notes = result["dimensions"]["content"]["not_assessed"]
    assert any(n.startswith("content.victim_views") for n in notes) == unknown


def test_the_api_names_a_bad_withdrawal_value(site):
    r = httpx.post(site["url"] + "/api/v1/letters", timeout=30,
                   headers={"Authorization": f"Bearer {site['tokens']['staff']}"},
                   json={"text": LETTER, "context": {**CONTEXT, "bereaved": False, "withdrawal": 3}})
    assert r.status_code in (400, 422)
    assert "withdrawal" in r.text
