"""Words from a letter or a search never become markup or SQL: letter text with HTML is shown
as text on the letter page, and search words with SQL in them match only those words."""
from __future__ import annotations

import re

import httpx
import pytest

from live_server import LiveServer, auth, make_user

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TEXT = f"Dear Ms Okafor\n\nWe have decided to stop the case. {SCRIPT}\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("inject") / "vcl_qa.db"
    token = make_user(db, "sam", "staff", "north")
    make_user(db, "olu", "staff", "south")
    server = LiveServer(db).start()
    api = httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(token), timeout=60)
    letter = api.post("/letters", json={"text": TEXT, "context": {"victim_name": f"Ms {SCRIPT}"}}).json()["id"]
    yield {"url": server.url, "token": token, "api": api, "letter": letter}
    server.stop()


def test_letter_text_with_html_is_shown_as_text(site):
    client = httpx.Client(base_url=site["url"], timeout=60)
    pre = re.search(r'name="pre_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    client.post("/sign-in", data={"pre_token": pre, "token": site["token"]})
    for path in (f"/letters/{site['letter']}", "/letters"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in client.get(f"/letters/{site['letter']}").text


@pytest.mark.parametrize("q", ["' OR 1=1 --", "x\" OR \"1\"=\"1", "stop) OR (1=1", "*"])
def test_search_words_are_only_words(site, q):
    r = site["api"].get("/letters", params={"q": q})
    assert r.status_code == 200
    assert r.json()["count"] == 0  # no letter holds these words; nothing else leaks through
