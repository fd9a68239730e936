"""The letters list (/letters) and the decisions register (/decisions) page by place, as the JSON
API's lists do (GET /letters `before_id`, GET /decisions `after`): their "Older letters" and "Next
page" links carry the last row's place in the list, not a page number. Paged by number, a letter
saved between page 1 and page 2 repeated a row on page 2, and a draft marked sent while the list
showed drafts skipped one; a decision registered with an earlier due date repeated a row, and one
whose letter went out skipped one. The filters ride along in every link, the count stays the
count of every matching row, an old `page=N` link still opens that page, and a place that is not
one the list gives is said, with the list from its start (never a 500).

Real uvicorn, a real SQLite file, the writes made between two pages through the API as another
person's would be; the page sizes made small (3 letters, 6 decisions) in a copy of the rules."""
from __future__ import annotations

import html
import re
import shutil

import httpx
import pytest

from live_server import LiveServer, auth, make_user
from web_site import signed_in, visible_text

TEXT = ("Dear Ms Okafor\n\nI am writing to tell you that we have decided to stop the case against "
        "Mr Smith. The only witness has moved abroad.\n\nYours sincerely\nA Prosecutor\n")
AS_OF = "2025-06-30"  # a Monday: every decision below is overdue by then, none sent
TEAMS = ("added", "sent", "filtered", "odd", "registered", "moved", "narrowed", "placed")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from vcl_qa.engine.rules_data import rules_dir

    folder = tmp_path_factory.mktemp("list_paging")
    rules = folder / "rules"
    shutil.copytree(rules_dir(), rules)
    web = rules / "web.yml"
    web.write_text(re.sub(r"(?m)^letters_per_page: \d+", "letters_per_page: 3", web.read_text()))
    db_path = folder / "vcl_qa.db"
    tokens = {team: make_user(db_path, f"Staff {team}", "staff", team) for team in TEAMS}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VCL_QA_RULES", str(rules))
        server = LiveServer(db_path).start()
    try:
        yield {"url": server.url, "tokens": tokens, "db": db_path}
    finally:
        server.stop()


def api(site, team: str) -> httpx.Client:
    return httpx.Client(base_url=f"{site['url']}/api/v1", headers=auth(site["tokens"][team]), timeout=60)


def letter(site, team: str, n: int, *, decision: str = "discontinued", dated: bool = True) -> int:
    context = {"decision": decision, "decision_date": "2025-06-02", "victim_category": "standard",
               "victim_name": "Ms Jane Okafor", "urn": f"42AB{n:07d}",
               **({"letter_date": "2025-06-03"} if dated else {})}
    with api(site, team) as client:
        r = client.post("/letters", json={"text": TEXT, "context": context})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def decision(site, team: str, urn: str, decided: str, kind: str = "discontinued", **extra) -> None:
    body = {"urn": urn, "decision": kind, "decision_date": decided, "victim_category": "enhanced", **extra}
    with api(site, team) as client:
        r = client.post("/decisions", json=body)
    assert r.status_code in (200, 201), r.text


def pager_link(page: str, *words: str) -> str | None:
    """The address of the pager's link whose words are one of `words` (the page's own links,
    whatever their markup: "Next page" then, "Older letters" now)."""
    nav = re.search(r'<nav[^>]*aria-label="Pages[^"]*"[^>]*>(.*?)</nav>', page, re.S)
    if not nav:
        return None
    for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', nav.group(1), re.S):
        if visible_text(text).strip() in words:
            return html.unescape(href)
    return None


OLDER = ("Older letters", "Next page")
NEWER = ("Newer letters", "Previous page")


def letter_ids(page: str) -> list[int]:
    body = page[page.index("<tbody>"):page.index("</tbody>")] if "<tbody>" in page else ""
    return [int(i) for i in re.findall(r'<a href="/letters/(\d+)">Letter', body)]


def urns(page: str) -> list[str]:
    return re.findall(r'<td data-label="Case reference">([^<]*)</td>', page)


def found(page: str) -> int:
    return int(re.search(r"(\d+) letters? found", page).group(1))


def get(client: httpx.Client, link: str) -> str:
    r = client.get(link)
    assert r.status_code == 200, (link, r.status_code, r.text[:300])
    return r.text


# --- /letters --------------------------------------------------------------------------------

def test_a_letter_saved_between_two_pages_repeats_none(site):
    ids = [letter(site, "added", n) for n in range(7)]
    client = signed_in(site, "added")
    first = get(client, "/letters")
    assert letter_ids(first) == ids[::-1][:3] and found(first) == 7
    letter(site, "added", 99)  # someone else saves a letter
    seen = letter_ids(first)
    page = first
    while (link := pager_link(page, *OLDER)):
        page = get(client, link)
        seen += letter_ids(page)
    # every letter there when the list was opened, once (by number: page 2 began again with the
    # last letter of page 1, now pushed down a place)
    assert seen == ids[::-1]


def test_a_draft_sent_while_the_drafts_are_listed_skips_no_other(site):
    ids = [letter(site, "sent", n) for n in range(7)]
    client = signed_in(site, "sent")
    first = get(client, "/letters?status=draft")
    assert letter_ids(first) == ids[::-1][:3]
    from vcl_qa import clock

    with api(site, "sent") as other:  # someone marks the newest draft sent: it leaves the list
        r = other.post(f"/letters/{ids[-1]}/sent", json={"sent_date": clock.today().isoformat()})
        assert r.status_code == 200, r.text
    second = get(client, pager_link(first, *OLDER))
    # by number, page 2 began at the 7th draft of those left, and the 4th newest was never shown
    assert letter_ids(second) == ids[::-1][3:6]
    assert "status=draft" in pager_link(second, *OLDER)


def test_the_filters_ride_along_both_ways_and_the_count_stays(site):
    """A team's letters of two decisions, some undated drafts (judged as of today) among them: the
    decision and status filters are in every link, and each matching letter is listed once going
    down, while someone saves a matching letter and one the filters leave out."""
    made = []
    for n in range(11):
        made.append((letter(site, "filtered", 100 + n, decision=("discontinued", "not_charged")[n % 3 == 0],
                            dated=n % 4 != 1), n % 3 == 0))
    wanted = [i for i, other in made if not other][::-1]  # discontinued, newest first
    client = signed_in(site, "filtered")
    pages = [get(client, "/letters?decision=discontinued&status=draft")]
    assert found(pages[0]) == len(wanted) == 7
    added = letter(site, "filtered", 150)  # matches: newer than every letter listed
    letter(site, "filtered", 151, decision="not_charged")  # left out by the filters
    while (link := pager_link(pages[-1], *OLDER)):
        assert "decision=discontinued" in link and "status=draft" in link
        pages.append(get(client, link))
    assert [i for p in pages for i in letter_ids(p)] == wanted
    assert [found(p) for p in pages] == [7, 8, 8]  # every matching letter, wherever the page is
    assert "Page 1 of" not in pages[0]
    # where each page stands as it is now, one newer letter above it: 5th to 7th of 8
    assert "Showing 5 to 7, newest first." in visible_text(pages[1])
    assert "5 to 7 of 8 letters" in visible_text(pages[1])
    back = [pages[-1]]
    while (link := pager_link(back[-1], *NEWER)):
        assert "decision=discontinued" in link and "status=draft" in link
        back.append(get(client, link))
    # the same pages going up, then the first page as it is now, the new letter at its top
    assert [letter_ids(p) for p in back[:3]] == [letter_ids(p) for p in pages[::-1]]
    assert [letter_ids(p) for p in back[3:]] == [[added, *wanted[:2]]]
    assert pager_link(back[-1], *NEWER) is None and pager_link(pages[-1], *OLDER) is None
    # by result too (each undated draft's as of today): every letter under one result, once
    from vcl_qa import labels

    by_result = []
    for verdict in labels.VERDICTS:
        page = get(client, f"/letters?decision=discontinued&status=draft&verdict={verdict}")
        by_result += letter_ids(page)
        while (link := pager_link(page, *OLDER)):
            assert f"verdict={verdict}" in link
            page = get(client, link)
            by_result += letter_ids(page)
    assert sorted(by_result) == sorted([added, *wanted])


def test_a_place_the_list_does_not_give_is_said_and_old_page_links_still_work(site):
    ids = [letter(site, "odd", 200 + n) for n in range(7)]
    newest = ids[::-1]
    client = signed_in(site, "odd")
    for query in ("before_id=abc", "before_id=0", "before_id=-4", "after_id=1e9", "before_id=" + "9" * 30,
                  f"before_id={ids[3]}&after_id={ids[1]}", "page=x", "page=0"):
        r = client.get(f"/letters?{query}")
        assert r.status_code == 200, (query, r.text[:300])
        note = re.search(r'id="list-note">(.*?)</p>', r.text, re.S)
        assert note and "list starts from the newest letter" in visible_text(note.group(1)), query
        assert letter_ids(r.text) == newest[:3], query
    # a place with nothing after it now (the letters deleted, or no longer matching): said
    stale = get(client, f"/letters?before_id={ids[0]}")
    assert f"No letter older than letter {ids[0]} matches these filters now" in visible_text(stale)
    assert letter_ids(stale) == newest[:3]
    # a bookmark of page 2 from before: page 2 as it stands now, and paged by place from there
    old = get(client, "/letters?page=2")
    assert letter_ids(old) == newest[3:6] and 'id="old-page-note"' in old
    assert "before_id=" in pager_link(old, *OLDER) and "page=" not in pager_link(old, *OLDER)
    gone = get(client, "/letters?page=40")
    assert "old link to page 40 of the list, which has fewer pages now" in visible_text(gone)
    assert letter_ids(gone) == newest[:3]


# --- /decisions ------------------------------------------------------------------------------

def _register(site, team: str, prefix: str, n: int = 10, kind=lambda i: "discontinued") -> list[str]:
    """n overdue decisions, each decided a working day after the one before (so due in that order)."""
    days = [f"2025-06-{d:02d}" for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19)][:n]
    made = []
    for i, day in enumerate(days):
        urn = f"{prefix}{i:07d}"
        decision(site, team, urn, day, kind=kind(i))
        made.append(urn)
    return made


def _walk(client, first: str, words=("Next page",)) -> list[str]:
    pages = [get(client, first)]
    while (link := pager_link(pages[-1], *words)):
        pages.append(get(client, link))
    return pages


def test_a_decision_registered_between_two_pages_repeats_none(site):
    made = _register(site, "registered", "10RG")
    client = signed_in(site, "registered")
    first = get(client, f"/decisions?status=overdue&as_of={AS_OF}")
    assert urns(first) == made[:6]
    decision(site, "registered", "10RG9999999", "2025-05-30")  # due before them all: at the top
    seen = urns(first)
    page = first
    while (link := pager_link(page, "Next page")):
        assert "status=overdue" in link and f"as_of={AS_OF}" in link
        page = get(client, link)
        seen += urns(page)
    assert seen == made  # page 2 began again with the 6th by number


def test_a_decision_whose_letter_went_out_between_two_pages_skips_no_other(site):
    made = _register(site, "moved", "11MV")
    client = signed_in(site, "moved")
    first = get(client, f"/decisions?status=overdue&as_of={AS_OF}")
    assert urns(first) == made[:6]
    # a letter for the second went out (recorded elsewhere): it leaves the overdue list
    decision(site, "moved", made[1], "2025-06-03", letter_date="2025-06-20")
    second = get(client, pager_link(first, "Next page"))
    assert urns(second) == made[6:]  # by number the 7th was skipped


def test_the_register_filters_ride_along_both_ways(site):
    kind = lambda i: ("discontinued", "not_charged")[i % 4 == 0]  # noqa: E731 (a quarter another decision)
    made = _register(site, "narrowed", "12NR", n=14, kind=kind)
    wanted = [u for i, u in enumerate(made) if kind(i) == "discontinued"]
    client = signed_in(site, "narrowed")
    query = (f"/decisions?decision=discontinued&as_of={AS_OF}&due_from-day=1&due_from-month=6"
             "&due_from-year=2025&due_to-day=30&due_to-month=6&due_to-year=2025")
    pages = [get(client, query)]
    # registered meanwhile: one the filters list (due first of all), one they leave out
    decision(site, "narrowed", "12NR9999999", "2025-05-30")
    decision(site, "narrowed", "12NR9999998", "2025-05-30", kind="not_charged")
    while (link := pager_link(pages[-1], "Next page")):
        for part in ("decision=discontinued", f"as_of={AS_OF}", "due_from=2025-06-01", "due_to=2025-06-30"):
            assert part in link
        pages.append(get(client, link))
    assert [u for p in pages for u in urns(p)] == wanted and len(pages) == 2
    assert "Page 1 of" not in pages[0]
    assert "8 to 11 of 11 decisions" in visible_text(pages[1])  # one more above it now
    up = pager_link(pages[1], "Previous page")
    assert "decision=discontinued" in up and "due_to=2025-06-30" in up
    back = get(client, up)
    assert urns(back) == urns(pages[0])  # the page above it, as it was
    top = get(client, pager_link(back, "Previous page"))
    assert urns(top) == ["12NR9999999", *wanted[:5]] and pager_link(top, "Previous page") is None


def test_a_register_place_the_page_does_not_give_is_said(site):
    made = _register(site, "placed", "13PL")
    client = signed_in(site, "placed")
    base = f"/decisions?status=overdue&as_of={AS_OF}"
    for place in ("after=garbage", "after=open.2025-06-99.1", "after=shut.2025-06-02.1", "before=open..",
                  "after=" + "x" * 200, f"after=open.2025-06-03.1&before=open.2025-06-04.1", "page=zz"):
        r = client.get(f"{base}&{place}")
        assert r.status_code == 200, (place, r.text[:300])
        note = re.search(r'id="list-note">(.*?)</p>', r.text, re.S)
        assert note and "list starts from the most urgent" in visible_text(note.group(1)), place
        assert urns(r.text) == made[:6], place
    stale = get(client, f"{base}&after=closed.2000-01-03.1")  # nothing after it now
    assert "No decision comes after that place in the list now" in visible_text(stale)
    old = get(client, f"{base}&page=2")
    assert urns(old) == made[6:] and 'id="old-page-note"' in old
    assert "before=" in pager_link(old, "Previous page")
    gone = get(client, f"{base}&page=9")
    assert "old link to page 9 of the list, which has fewer pages now" in visible_text(gone)
