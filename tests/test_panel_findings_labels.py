"""On the panel member's findings page, each "Agree" / "Not a problem" button's screen-reader label
names the finding as the page shows it: its place in the list and its title (a user review heard
": finding 12", ": finding 13", ": finding 2": the stored numbers, out of order once the list is
sorted most serious first). The real server on a real SQLite file, the page's own HTML."""
from __future__ import annotations

import html
import re

import pytest
from panel_letter_site import start
from web_site import signed_in


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = start(tmp_path_factory, "panel_labels")
    yield s
    s["server"].stop()


def _items(page: str) -> list[dict]:
    listing = re.search(r'<ol class="findings">(.*?)</ol>', page, re.S).group(1)
    out = []
    for li in re.findall(r'<li class="finding[^"]*" id="finding-\d+">.*?</li>', listing, re.S):
        out.append({"number": int(re.search(r'id="finding-(\d+)"', li).group(1)),
                    "title": html.unescape(re.search(r'<strong class="finding-title">(.*?)</strong>', li, re.S).group(1)),
                    "labels": [html.unescape(x) for x in re.findall(
                        r'<button type="submit" name="verdict"[^>]*aria-label="([^"]*)"', li, re.S)]})
    return out


def test_each_buttons_label_names_the_finding_by_its_place_and_title(site):
    page = signed_in(site, "panel").get(f"/panel/{site['code']}")
    assert page.status_code == 200
    items = _items(page.text)
    assert len(items) == len(site["findings"]) >= 3
    # (the list is most serious first, so the stored numbers are not in order: what the review heard)
    assert [i["number"] for i in items] != sorted(i["number"] for i in items)
    for place, item in enumerate(items, start=1):
        # (the button's name whole, its visible words first: "Agree: finding 1, No offer to meet";
        # a hidden span after them was read "Not a problem : finding 1", a screenshot review)
        assert sorted(item["labels"]) == [f"Agree: finding {place}, {item['title']}",
                                  f"Not a problem: finding {place}, {item['title']}"], item


def test_each_form_still_answers_its_own_finding(site):
    """The form's address keeps the stored number: the answer goes to the finding shown."""
    page = signed_in(site, "panel").get(f"/panel/{site['code']}").text
    for item in _items(page):
        li = re.search(rf'<li class="finding[^"]*" id="finding-{item["number"]}">(.*?)</li>', page, re.S).group(1)
        assert f'action="/panel/{site["code"]}/findings/{item["number"]}"' in li
