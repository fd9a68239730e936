"""Comparing two versions of a letter: a problem still there after its sentence was edited (a
long sentence shortened by a one-click fix but still long, a reason that could fit any case
reworded) is "still there", never one fixed and one new; only a problem with no counterpart is
fixed or new; the counts add up, and the letter page, the compare page and the API agree."""
from __future__ import annotations

import re

import httpx
import pytest

from live_server import SAMPLES, LiveServer, auth, make_user, signed_in_client
from vcl_qa import Letter
from vcl_qa.letters import matching, service
from vcl_qa.letters import store as letters
from vcl_qa.letters.bulk import Actor

CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-19",
           "victim_category": "enhanced", "bereaved": False, "offence": "harassment",
           "victim_name": "Ms Olivia Grant", "urn": "41HT1099424"}
LONG = ("I am writing in relation to the case against Mr Pemberton, which was listed for trial at "
        "Hitchin Magistrates' Court on 14 January 2025 and in which you were the person harmed by an "
        "offence of harassment said to have taken place between June and September 2024.")
REASON = "There is insufficient evidence to provide a realistic prospect of conviction."
LETTER = ("Private - to be opened by addressee only\n\nDear Ms Grant\n\n" + LONG + "\n\n"
          "We have decided to stop the case. " + REASON + "\n\n"
          "I understand that this will be disappointing.\n\nYours sincerely\n\nJ Whitcombe\n")
WHO = Actor("test")


def one_click(text: str, findings: list[dict]) -> str:
    """The letter with every one-click replacement the checker offers put in (the first of
    each), as a drafter pressing each button would leave it."""
    edits = sorted((f["replace_start"], f["replace_end"], f["replacements"][0]) for f in findings
                   if f.get("replacements") and f.get("replace_start") is not None)
    out, last = [], 0
    for start, end, value in edits:
        if start >= last:
            out += [text[last:start], value]
            last = end
    return "".join(out) + text[last:]


def finding(rule, start=None, end=None, text=None, message="m"):
    return {"rule": rule, "start": start, "end": end, "text": text, "message": message,
            "severity": "warning", "suppressed": False}


def found(text: str, rule: str, words: str, message: str = "m") -> list[dict]:
    """A finding for every place `words` is in `text`."""
    return [finding(rule, m.start(), m.end(), words, message) for m in re.finditer(re.escape(words), text)]


def adds_up(diff: dict, before: int, after: int) -> None:
    assert len(diff["fixed"]) + len(diff["unchanged"]) + len(diff["set_aside"]) == before
    assert len(diff["new"]) + len(diff["unchanged"]) == after


def long_sentences(text: str, limit: int = 25) -> list[dict]:
    out = []
    for m in re.finditer(r"[^.\n]+\.", text):
        n = len(m.group().split())
        if n > limit:
            out.append(finding("readability.long_sentence", m.start(), m.end(), m.group().strip(),
                               f"This sentence has {n} words (more than {limit}). Break it up."))
    return out


# The matching itself, on findings made by hand.

def test_places_are_carried_through_the_edit():
    old = "Dear Ms Grant\n\nFirst line here.\nA sentence to go.\nLast words stay.\n"
    new = "Dear Ms Grant\n\nA new line on top.\nFirst line here.\nLast words stay.\n"
    moved = matching.OffsetMap(old, new)
    first, last = old.index("First"), old.index("Last")
    assert moved.offset(first) == new.index("First")
    assert moved.span(last, last + 4) == (new.index("Last"), new.index("Last") + 4)
    gone = old.index("A sentence")
    start, end = moved.span(gone, gone + len("A sentence to go."))
    assert start == end  # deleted: nothing of it is left to overlap
    assert matching.OffsetMap(old, old).span(3, 9) == (3, 9)
    assert matching.OffsetMap(None, None).span(3, 9) == (3, 9)  # a purged letter: no texts


def test_a_long_sentence_shortened_but_still_long_is_still_there():
    old = "Dear Ms Grant\n\n" + LONG + "\n"
    new = old.replace("in relation to", "about")
    diff = matching.compare_findings(long_sentences(old), long_sentences(new), old, new)
    assert (len(diff["fixed"]), len(diff["new"]), len(diff["unchanged"])) == (0, 0, 1)
    still = diff["unchanged"][0]
    assert still["message"].startswith("This sentence has 45 words")
    assert still["note"] == "was 47 words"
    assert still["before"]["message"].startswith("This sentence has 47 words")


def test_other_words_in_another_place_are_one_fixed_and_one_new():
    old = "Dear Ms Grant\n\nWe have stopped the case.\nThe evidence is weak.\n"
    new = "Dear Ms Grant\n\nWe have stopped the case.\nThe witness moved abroad.\n"
    before = found(old, "readability.jargon", "stopped")
    after = found(new, "readability.jargon", "witness")
    diff = matching.compare_findings(before, after, old, new)
    assert ([f["text"] for f in diff["fixed"]], [f["text"] for f in diff["new"]]) == (["stopped"], ["witness"])
    assert diff["unchanged"] == []


def test_the_same_words_flagged_several_times_are_each_matched_once():
    old = "Prior to the trial, prior to the hearing, and prior to the review, we wrote.\n"
    new = old.replace("prior to the hearing", "before the hearing")
    before = found(old.lower(), "readability.jargon", "prior to")
    after = found(new.lower(), "readability.jargon", "prior to")
    diff = matching.compare_findings(before, after, old, new)
    adds_up(diff, 3, 2)
    assert [f["start"] for f in diff["fixed"]] == [old.index("prior to the hearing")]  # the one replaced
    assert diff["new"] == []


def test_a_sentence_split_in_two():
    old = "Dear Ms Grant\n\n" + LONG + "\n"
    assert [len(f["text"].split()) for f in long_sentences(old)] == [47]
    # Split after its first words: the first part is short, the rest still long.
    split = old.replace("Mr Pemberton, which", "Mr Pemberton. It")
    assert [len(f["text"].split()) for f in long_sentences(split)] == [36]
    diff = matching.compare_findings(long_sentences(old), long_sentences(split), old, split)
    assert (len(diff["fixed"]), len(diff["new"]), len(diff["unchanged"])) == (0, 0, 1)
    assert diff["unchanged"][0]["note"] == "was 47 words"
    # Split into parts that are all short: the long sentence is fixed.
    parts = split.replace(" 2025 and in which", " 2025. In that case")
    assert long_sentences(parts) == []
    diff = matching.compare_findings(long_sentences(old), long_sentences(parts), old, parts)
    assert (len(diff["fixed"]), len(diff["new"]), len(diff["unchanged"])) == (1, 0, 0)
    # Two long sentences where there was one: one is the old one, the other is new.
    both = old.replace(" 2025 and in which", " 2025 after a long wait of many months for all of you."
                       " In that case, which was a hard one for everyone involved,")
    assert [len(f["text"].split()) for f in long_sentences(both)] == [35, 31]
    diff = matching.compare_findings(long_sentences(old), long_sentences(both), old, both)
    assert (len(diff["fixed"]), len(diff["new"]), len(diff["unchanged"])) == (0, 1, 1)


def test_letter_wide_findings_match_by_rule():
    before = [finding("content.vrr", message="No review right."),
              finding("readability.reading_ease", message="Flesch Reading Ease 55.8 (aim for 60)"),
              finding("content.reason", 10, 40, "difficulties with the evidence",
                      'The only reason given could fit any case: "difficulties with the evidence".')]
    after = [finding("readability.reading_ease", message="Flesch Reading Ease 58.9 (aim for 60)"),
             finding("content.reason", message="The letter does not explain why.")]
    diff = matching.compare_findings(before, after, "x" * 60, "y" * 50)
    assert [f["rule"] for f in diff["fixed"]] == ["content.vrr"]
    assert diff["new"] == []
    assert [(f["rule"], f["note"]) for f in diff["unchanged"]] == [
        ("readability.reading_ease", "was 55.8"), ("content.reason", None)]


def test_same_text_other_context_and_a_purged_letter():
    text = "Dear Ms Grant\n\n" + LONG + "\n"
    # The reader became a young person: the same sentence, a lower limit, still there.
    diff = matching.compare_findings(long_sentences(text), long_sentences(text, limit=20), text, text)
    assert (len(diff["fixed"]), len(diff["new"]), diff["unchanged"][0]["note"]) == (0, 0, "was 25")
    # Purged: no texts, no words, places kept: findings pair by rule, as many as both have.
    purged = [finding("readability.jargon", 5, 9), finding("readability.jargon", 20, 24)]
    diff = matching.compare_findings(purged, purged[:1], None, None)
    adds_up(diff, 2, 1)


def test_suppressed_findings_are_left_out():
    before = [finding("readability.jargon", 0, 5, "prior"),
              {**finding("empathy.cold", 6, 10, "cold"), "suppressed": True}]
    diff = matching.compare_findings(before, before[:1], "prior cold", "prior cold")
    assert (diff["fixed"], diff["new"], len(diff["unchanged"])) == ([], [], 1)


def test_a_finding_marked_not_a_problem_since_is_set_aside_not_fixed():
    """Review 8: marking a finding "not a problem" made the letter page say "1 fixed", though
    its words were still in the letter."""
    before = [finding("readability.jargon", 0, 5, "prior"), finding("empathy.cold", 6, 10, "cold")]
    after = [before[0], {**before[1], "suppressed": True}]
    diff = matching.compare_findings(before, after, "prior cold", "prior cold")
    assert (diff["fixed"], diff["new"], len(diff["unchanged"])) == ([], [], 1)
    assert [f["text"] for f in diff["set_aside"]] == ["cold"]


# Real letters, scored and stored by the service.

# (`db`: a fresh migrated database, tests/conftest.py)

def test_reviewers_case_one_click_fixes_leave_nothing_new(db):
    first = service.submit(db, WHO, LETTER, CONTEXT, team="north")
    rules_before = [f["rule"] for f in first["result"]["findings"]]
    assert {"readability.long_sentence", "content.reason", "readability.jargon"} <= set(rules_before)
    fixed_text = one_click(LETTER, first["result"]["findings"])
    assert "in relation to" not in fixed_text and "insufficient" not in fixed_text
    second = service.submit(db, WHO, fixed_text, {}, letter_id=first["id"])
    diff = letters.compare(db, first["id"], 1, 2)
    adds_up(diff, len(first["result"]["findings"]), len(second["result"]["findings"]))
    assert diff["new"] == []
    assert sorted(f["text"] for f in diff["fixed"]) == ["in relation to", "insufficient"]
    still = {f["rule"]: f for f in diff["unchanged"]}
    assert still["readability.long_sentence"]["note"] == "was 47 words"
    assert "insufficient evidence" in still["content.reason"]["before"]["message"]
    assert "not enough evidence" in still["content.reason"]["message"]


def test_a_new_problem_is_new_and_a_removed_one_fixed(db):
    first = service.submit(db, WHO, LETTER, CONTEXT, team="north")
    text = LETTER.replace(LONG + "\n\n", "").replace(
        "I understand that this will be disappointing.",
        "I understand that this will be disappointing. Please note that you failed to attend court.")
    second = service.submit(db, WHO, text, {}, letter_id=first["id"])
    diff = letters.compare(db, first["id"], 1, 2)
    adds_up(diff, len(first["result"]["findings"]), len(second["result"]["findings"]))
    assert "readability.long_sentence" in [f["rule"] for f in diff["fixed"]]
    assert "readability.long_sentence" not in [f["rule"] for f in diff["unchanged"] + diff["new"]]
    assert "empathy.blame" in [f["rule"] for f in diff["new"]]
    assert "content.reason" in [f["rule"] for f in diff["unchanged"]]


def test_every_sample_letter_after_its_one_click_fixes_has_nothing_new(db):
    for path in sorted(SAMPLES.glob("*.txt")):
        letter = Letter.from_file(path)
        ctx = letter.context.model_dump(mode="json", exclude_none=True)
        first = service.submit(db, WHO, letter.text, ctx, team="north")
        second = service.submit(db, WHO, one_click(letter.text, first["result"]["findings"]), {},
                                letter_id=first["id"])
        diff = letters.compare(db, first["id"], 1, 2)
        active = [len([f for f in r["result"]["findings"] if not f.get("suppressed")]) for r in (first, second)]
        adds_up(diff, *active)
        assert diff["new"] == [], (path.name, [(f["rule"], f["text"]) for f in diff["new"]])


# Through the running service: the API, the letter page and the compare page agree.

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("compare") / "vcl_qa.db"
    token = make_user(db_path, "sam", "staff", "north")
    live = LiveServer(db_path).start()
    live.token = token
    yield live
    live.stop()


def _list(page: str, name: str) -> list[str]:
    items = re.search(rf'<ul id="{name}-list">(.*?)</ul>', page, re.S).group(1)
    return [i for i in re.findall(r"<li>(.*?)</li>", items, re.S) if i != "None"]


def test_the_pages_and_the_api_count_the_same(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.token), timeout=60) as api:
        first = api.post("/letters", json={"text": LETTER, "context": CONTEXT}).json()
        letter_id = first["id"]
        with signed_in_client(server.url, server.token) as web:
            page = web.get(f"/letters/{letter_id}")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            text = one_click(LETTER, first["result"]["findings"])
            r = web.post(f"/letters/{letter_id}/versions", data={"csrf_token": csrf, "text": text})
            assert r.status_code == 303
            page = web.get(r.headers["location"]).text
            compare = web.get(f"/letters/{letter_id}/compare").text
        body = api.get(f"/letters/{letter_id}/compare").json()
    counts = (len(body["fixed"]), len(body["new"]), len(body["unchanged"]))
    assert counts[:2] == (2, 0)
    assert f"Since version 1: {counts[0]} fixed, {counts[1]} new, {counts[2]} still there." in page
    assert tuple(len(_list(compare, k)) for k in ("fixed", "new", "unchanged")) == counts
    assert f"Fixed ({counts[0]})" in compare and "New (0)" in compare
    assert any("45 words" in item and "(was 47 words in version 1)" in item
               for item in _list(compare, "unchanged"))


def test_a_version_that_changed_only_the_letter_details_says_which(server):
    """A version saved with the same words and a new letter date and name (the details a drafter
    fills in under the letter) scored 65 then 37 with three new problems, and the compare page
    showed not one change: the word-by-word view only. It now lists the details changed, in the
    form's words, and says that the words are the same."""
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.token), timeout=60) as api:
        letter_id = api.post("/letters", json={"text": LETTER, "context": CONTEXT}).json()["id"]
        r = api.post("/letters", json={"letter_id": letter_id, "text": LETTER, "context": {
            "letter_date": "2024-12-30", "victim_name": "Mr Oliver Grant", "reader": "young_person"}})
        assert r.status_code == 201
        body = api.get(f"/letters/{letter_id}/compare").json()
        with signed_in_client(server.url, server.token) as web:
            compare = web.get(f"/letters/{letter_id}/compare").text
            same = web.get(f"/letters/{letter_id}/compare?from=1&to=1").text
    # the API says the same, with the values as stored (an integrating system reads codes)
    assert body["same_words"] is True
    assert body["details_changed"] == [
        {"field": "letter_date", "from": "2024-12-19", "to": "2024-12-30"},
        {"field": "reader", "from": CONTEXT.get("reader", "adult"), "to": "young_person"},
        {"field": "victim_name", "from": "Ms Olivia Grant", "to": "Mr Oliver Grant"}]
    details = re.search(r'id="details-changed"(.*?)</section>', compare, re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", i).replace("&#39;", "'") for i in re.findall(r"<li>(.*?)</li>", details, re.S)]
    assert items == [
        "Letter date: Thursday 19 December 2024 in version 1; Monday 30 December 2024 in version 2.",
        "Name the letter should greet: Ms Olivia Grant in version 1; Mr Oliver Grant in version 2.",
        "Who will read the letter: An adult in version 1; A young person (under 18) in version 2."]
    assert "The words of the letter are the same in both versions." in compare
    assert 'class="diff-ins"><span' not in compare and 'class="diff-del"><span' not in compare
    assert 'id="details-changed"' not in same and 'id="same-words"' not in same
    assert "Version 1 is compared with itself: choose two different versions." in same
    assert 'id="compare-notes"' not in compare


def test_a_version_with_new_words_and_the_same_details_lists_no_details(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.token), timeout=60) as api:
        letter_id = api.post("/letters", json={"text": LETTER, "context": CONTEXT}).json()["id"]
        assert api.post("/letters", json={"letter_id": letter_id, "text": LETTER.replace("Dear", "Dear dear")}).status_code == 201
        with signed_in_client(server.url, server.token) as web:
            compare = web.get(f"/letters/{letter_id}/compare").text
        body = api.get(f"/letters/{letter_id}/compare").json()
    assert 'id="details-changed"' not in compare and 'id="same-words"' not in compare
    assert body["details_changed"] == [] and body["same_words"] is False
    assert '<ins class="diff-ins"><span class="visually-hidden">[added: </span>dear' in compare


def test_the_word_by_word_view_of_a_long_repetitive_letter_is_bounded():
    """The compare page's word-by-word view ran difflib over every word of both versions: a
    200 KB letter of repeated lines took 523 s of server time. Lines are matched first; a
    changed stretch too big to compare word by word is shown taken out and put in whole. Both
    versions can always be read back from the pieces."""
    from api.web.letter_view import WORD_DIFF_CELLS, word_diff

    line = "Please note u must attend in relation to the matter as the case is listed. "
    for old in ("Dear Ms Okafor\n\n" + "\n".join(line + str(i) for i in range(2600)),
                "Dear Ms Okafor\n\n" + "\n".join([line] * 2600)):
        new = old.replace("matter", "case", 700)
        pieces = word_diff(old, new)
        assert "".join(t for k, t in pieces if k != "del") == new
        assert "".join(t for k, t in pieces if k != "ins") == old
        assert len(pieces) < 50  # the big changed stretch is whole, not thousands of words
    # a small change is still shown word by word
    assert word_diff("Dear Ms Okafor\n\nWe have stopped the case.\nCall me.",
                     "Dear Ms Okafor\n\nWe have decided to stop the case.\nCall me.") == [
        ("same", "Dear Ms Okafor\n\nWe have "), ("del", "stopped "), ("ins", "decided to stop "),
        ("same", "the case.\nCall me.")]
    assert WORD_DIFF_CELLS >= 100_000  # a long paragraph rewritten is still compared word by word


def test_versions_that_would_be_matched_slowly_are_matched_within_a_bound():
    """difflib looks at every pair of equal lines again around every block it finds: two 196 KB
    versions of 60,000 lines drawn from 150 values took 8 s of server time, lines with a changed
    one between each 36 s (an attacker's review). Its work is bounded (config.DIFF_WORK); beyond
    it the lines found once in each version are matched, and the rest is taken out and put in
    whole. Times: bench/bench_hostile.py run_compare_shapes."""
    import random

    from api.web.letter_view import word_diff

    rng = random.Random(1)
    values = [str(i) for i in range(150)]
    old, new = ("Dear Ms Okafor\n" + "\n".join(rng.choice(values) for _ in range(60_000)) + "\nYours\n"
                for _ in range(2))
    pieces = word_diff(old, new)
    assert "".join(t for k, t in pieces if k != "del") == new
    assert "".join(t for k, t in pieces if k != "ins") == old
    assert pieces[0] == ("same", "Dear Ms Okafor\n") and pieces[-1][0] == "same" and len(pieces) < 10
    # lines found once in each version still anchor the view: each changed line is its own change
    old, new = ("\n".join(f"Paragraph {i}.\n{w} {i}" for i in range(20_000)) for w in ("was", "is"))
    pieces = word_diff(old, new)
    assert "".join(t for k, t in pieces if k != "del") == new
    assert [t for k, t in pieces if k == "del"][:2] == ["was ", "was "]
    assert sum(k == "ins" for k, _ in pieces) == 20_000


def test_the_cheaper_matching_reads_both_versions_back(monkeypatch):
    """With no work allowed to difflib, any two versions still come back whole from the pieces."""
    import random

    from api.web import letter_view
    from vcl_qa import config

    monkeypatch.setattr(config, "DIFF_WORK", 0)
    rng = random.Random(3)
    lines = ["Dear Ms Okafor\n", "\n", "We have stopped the case.\n", "Call me.\n", "Yours\n", "x\n", "y"]
    for _ in range(300):
        old, new = ("".join(rng.choice(lines) for _ in range(rng.randint(0, 12))) for _ in range(2))
        pieces = letter_view.word_diff(old, new)
        assert "".join(t for k, t in pieces if k != "del") == new
        assert "".join(t for k, t in pieces if k != "ins") == old
