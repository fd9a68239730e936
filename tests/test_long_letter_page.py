"""A letter with thousands of findings: its page lists at most `findings_listed_most` of them,
and at most `findings_listed_alike` of the same check on the same words, and counts the rest, so
that it stays small enough for a phone (a 199 KB letter with 9,900 findings made a 27 MB page);
the Word download with comments has a comment on at most `word_comments_most`. A sample letter
still lists every finding. The JSON API keeps every finding."""
from __future__ import annotations

import html
import io
import json
import re

import docx
import httpx
import pytest

from api.web.session import settings as web_settings
from live_server import SAMPLES, LiveServer, auth, make_user, signed_in_client
from vcl_qa import Letter
from vcl_qa.letters import word

LINE = "Please note u must attend the court in relation to the case."
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced"}


def _long_letter(lines: int) -> str:
    return "Dear Ms Okafor\n\n" + "\n".join([LINE] * lines) + "\n\nYours sincerely\n\nSam Staff\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("long") / "vcl_qa.db"
    token = make_user(db, "Sam Staff", "staff", "north")
    server = LiveServer(db).start()
    sample = Letter.from_file(SAMPLES / "17_flawed_evidence_difficulties_jargon.txt")
    ids = {}
    for name, body in (("long", {"text": _long_letter(1000), "context": CONTEXT}),
                       ("marked", {"text": _long_letter(1000), "context": CONTEXT}),
                       ("sample", {"text": sample.text,
                                   "context": sample.context.model_dump(mode="json", exclude_none=True)})):
        r = httpx.post(f"{server.url}/api/v1/letters", json=body, headers=auth(token), timeout=120)
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    yield {"url": server.url, "token": token, "ids": ids}
    server.stop()


def _page(site, name: str) -> str:
    with signed_in_client(site["url"], site["token"]) as client:
        r = client.get(f"/letters/{site['ids'][name]}")
        assert r.status_code == 200
        return r.text


def _api(site, name: str) -> dict:
    r = httpx.get(f"{site['url']}/api/v1/letters/{site['ids'][name]}", headers=auth(site["token"]), timeout=60)
    return r.json()


def _cards(page: str, list_id: str = "findings") -> list[str]:
    block = page.split(f'id="{list_id}">', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li class="finding .*?</li>', block, flags=re.S)


def _number(words: str) -> int:
    return int(words.replace(",", ""))


def test_a_long_letter_page_lists_the_first_and_counts_the_rest(site):
    most, alike = int(web_settings()["findings_listed_most"]), int(web_settings()["findings_listed_alike"])
    page = _page(site, "long")
    active = [f for f in _api(site, "long")["result"]["findings"] if not f["suppressed"]]
    assert len(active) > 3000  # the JSON API keeps every finding
    cards = _cards(page)
    assert len(cards) <= most
    words = [html.unescape(m) for card in cards for m in re.findall(r'class="show-words"[^>]*>“<bdi>([^”]*)</bdi>”', card)]
    for w in set(words):
        assert words.count(w) <= alike, w
    assert words.count("u") == alike
    # the last card of each kind counts the others like it
    more = [_number(n) for n in re.findall(r"And ([\d,]+) more like this further on", page)]
    assert sorted(more) == [1000 - alike] * 3
    # every finding is either listed or counted under the list, by check
    unlisted = _number(re.search(r"Not listed here \(([\d,]+)\)", page).group(1))
    assert len(cards) + unlisted == len(active)
    listed_groups = re.findall(r'<li><span class="badge sev-\w+">[^<]+</span> [^:<]+: ([\d,]+)', page)
    assert sum(_number(n) for n in listed_groups) == unlisted
    assert f'<span id="findings-count">{len(active)}</span>' in page
    assert 'id="findings-listed" >' in page or 'id="findings-listed">' in page  # the note is shown
    # the editor's script is given the listed findings only, and how many to list after a check
    data = json.loads(page.split('id="letter-editor-data">')[1].split("</script>")[0])
    assert len(data["findings"]) == len(cards)
    assert data["listed"] == {"most": most, "alike": alike}
    # 1,000 lines: the letter twice (editor and script) and the cards; before: 6.2 MB
    assert len(page.encode()) < 300_000


def test_a_sample_letter_page_lists_every_finding(site):
    page = _page(site, "sample")
    active = [f for f in _api(site, "sample")["result"]["findings"] if not f["suppressed"]]
    assert len(_cards(page)) == len(active) > 5
    assert "Not listed here" not in page and "more like this" not in page
    assert re.search(r'id="findings-listed" hidden', page)


def test_one_mark_on_words_found_a_thousand_times_lists_ten(site):
    """'Not a problem' on "please note" sets aside all 1,000: the set-aside list is capped too."""
    findings = _api(site, "marked")["result"]["findings"]
    rule = next(f["rule"] for f in findings if (f["text"] or "").lower() == "please note")
    r = httpx.post(f"{site['url']}/api/v1/letters/{site['ids']['marked']}/suppressions", headers=auth(site["token"]),
                   json={"rule": rule, "term": "Please note", "reason": "quoted from the court's own order"}, timeout=120)
    assert r.status_code in (200, 201), r.text
    page = _page(site, "marked")
    assert "Marked “not a problem” (1000)" in page
    assert len(_cards(page, "set-aside")) == int(web_settings()["findings_listed_alike"])
    assert re.search(r"And 990 more like this \(the same words\)", page)
    assert "990 more marked “not a problem” are not listed here." in page


def test_the_download_with_comments_is_capped(site):
    with signed_in_client(site["url"], site["token"]) as client:
        r = client.get(f"/letters/{site['ids']['sample']}/letter.docx", params={"comments": "true"})
        sample_comments = [c.text for c in docx.Document(io.BytesIO(r.content)).comments]
        r = client.get(f"/letters/{site['ids']['long']}/letter.docx", params={"comments": "true"})
        assert r.status_code == 200
        texts = [c.text for c in docx.Document(io.BytesIO(r.content)).comments]
    most = int(web_settings().get("word_comments_most", word.MOST_COMMENTS))
    assert len(texts) <= most + 2  # the cap, the count of the rest, what is missing from the letter
    assert texts[0].startswith("There are ") and f"/letters/{site['ids']['long']}" in texts[0]
    assert not any(t.startswith("There are ") for t in sample_comments)


def test_listing_caps_the_list_and_counts_every_finding():
    from api.web.letter_view import listing

    def finding(i: int, severity: str, words: str) -> dict:
        return {"n": i, "rule": f"rule.{words[:1].lower()}", "title": f"Check {words[:1].lower()}", "severity": severity,
                "severity_words": severity.title(), "text": words, "start": i, "end": i + 1}

    # must-fix first, as the page orders them: 50 alike ("U" and "u" are the same words), then
    # 300 different words
    active = [finding(i, "error", "u" if i % 2 else "U") for i in range(50)]
    active += [finding(50 + i, "warning", f"w{i}") for i in range(300)]
    shown, unlisted = listing(active, most=100, alike=10)
    assert len(shown) == 100
    assert [f["n"] for f in shown[:10]] == list(range(10))  # the first ten alike, in order
    assert shown[9]["more_alike"] == 40 and all(f["more_alike"] == 0 for f in shown[10:])
    assert [f["text"] for f in shown[10:]] == [f"w{i}" for i in range(90)]  # then the next ones
    assert [(g["severity"], g["count"]) for g in unlisted] == [("error", 40), ("warning", 210)]
    assert unlisted[1]["words"] == ["w90", "w91", "w92"]
    assert len(shown) + sum(g["count"] for g in unlisted) == len(active)
    # under both caps, nothing changes
    shown, unlisted = listing(active[45:60], most=100, alike=10)
    assert len(shown) == 15 and unlisted == [] and not any(f["more_alike"] for f in shown)
