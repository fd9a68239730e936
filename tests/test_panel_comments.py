"""Panel comments and marks on the real server: control characters (NUL, ESC, a right-to-left
override) are refused in the API and on the rating page, as in names and set-aside reasons
(docs/security.md), so the writer's letter page never shows them; tabs and line breaks stay.
Scores are whole numbers: true or false is refused, naming the field."""
from __future__ import annotations

import re

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from panel_setup import good_rating, seeded_db
from vcl_qa.panel import rating, sampling

HOSTILE = ["\u202e=1+1 evil", "nul\x00here", "esc\x1b[31m red", "bell\x07", "zero\u200bwidth", "del\x7f", "c1\x9b31m"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("panel-comments") / "vcl_qa.db"
    db, users, _ = seeded_db(path, panel_members=1)
    sampling.draw(db, users["manager"], "2025Q1")
    codes = [q["item_id"] for q in rating.queue(db, users["panel0"])]
    db.close()
    tokens = {"panel": make_user(path, "Penny Panel", "panel"), "manager": make_user(path, "Max Manager", "manager")}
    server = LiveServer(path).start()
    # Penny has no items of her own yet: give her a share of the sample.
    r = httpx.post(f"{server.url}/api/v1/panel/periods/2025Q1/assign", headers=auth(tokens["manager"]), timeout=60)
    assert r.status_code in (200, 201), r.text
    mine = httpx.get(f"{server.url}/api/v1/review-queue", headers=auth(tokens["panel"]), timeout=60).json()["data"]
    assert mine, "the panel member has a queue"
    yield {"url": server.url, "tokens": tokens, "codes": [m["item_id"] for m in mine], "other": codes,
           "server": server}
    server.stop()


def rate(site, code: str, body: dict) -> httpx.Response:
    return httpx.post(f"{site['url']}/api/v1/review-queue/{code}/ratings", json=body,
                      headers=auth(site["tokens"]["panel"]), timeout=60)


def problem(r: httpx.Response) -> tuple[str, str]:
    d = r.json()["error"]["details"][0]
    return d["field"], d["message"]


@pytest.mark.parametrize("bad", HOSTILE)
def test_a_comment_with_control_characters_is_refused(site, bad):
    code = site["codes"][0]
    r = rate(site, code, good_rating(comment=bad))
    assert r.status_code == 422, r.text
    field, message = problem(r)
    assert field == "comment" and "control characters" in message
    body = good_rating()
    body["marks"] = [{"start": 0, "end": 4, "comment": bad}]
    r = rate(site, code, body)
    assert r.status_code == 422 and problem(r)[0] == "marks.0.comment"


def test_tabs_and_line_breaks_in_a_comment_are_kept(site):
    code = site["codes"][0]
    r = rate(site, code, good_rating(comment="First line.\nSecond line,\tafter a tab.\r\nThird\u2028fourth."))
    assert r.status_code in (200, 201), r.text
    assert r.json()["comment"] == "First line.\nSecond line,\tafter a tab.\r\nThird\nfourth."


@pytest.mark.parametrize("where", ["clarity", "overall", "mark"])
@pytest.mark.parametrize("value", [True, False])
def test_true_or_false_is_not_a_score(site, where, value):
    body = good_rating()
    if where == "overall":
        body["overall"] = value
    elif where == "mark":
        body["marks"] = [{"start": value, "end": 4, "comment": "Kind words."}]
    else:
        body["scores"][where] = value
    r = rate(site, site["codes"][0], body)
    assert r.status_code == 422, r.text
    field, message = problem(r)
    assert field == {"clarity": "scores.clarity", "overall": "overall", "mark": "marks.0.start"}[where]
    assert "not true or false" in message and "whole number" in message


def _signed_in(site) -> httpx.Client:
    client = httpx.Client(base_url=site["url"], timeout=60)
    page = client.get("/sign-in")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/sign-in", data={"pre_token": pre, "token": site["tokens"]["panel"]}).status_code == 303
    return client


def test_the_rating_page_refuses_them_beside_the_comment_box(site):
    client = _signed_in(site)
    code = site["codes"][-1]
    page = client.get(f"/panel/{code}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "overall": "3", "comment": "Looks fine \u202e=1+1 evil\x1b[31m"}
    for key in ("clarity", "empathy", "explanation", "next_steps"):
        form[f"score_{key}"] = "3"
    r = client.post(f"/panel/{code}/rating", data=form)
    assert r.status_code == 400
    assert 'id="comment-error"' in r.text and "Your comment had characters in it that could hide or change what others read" in r.text
    assert "\u202e" not in r.text and "\x1b" not in r.text  # shown back in the box without them
    assert "Looks fine =1+1 evil[31m</textarea>" in r.text
    form["comment"] = "Looks fine, and kind."
    assert client.post(f"/panel/{code}/rating", data=form).status_code == 303


@pytest.mark.parametrize("field", ["raters_per_letter", "min_per_stratum", "random_share", "seed"])
def test_the_sampling_policy_takes_no_true_or_false_for_a_number(site, field):
    r = httpx.put(f"{site['url']}/api/v1/panel/policy", json={field: True},
                  headers=auth(site["tokens"]["manager"]), timeout=60)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["field"].startswith(field)
    assert "true or false" in r.text
