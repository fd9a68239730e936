"""Two people editing the same letter: the second save never silently throws away the first
one's changes. The page's edit form carries the version it was opened on, and saving over a
newer version is refused with both texts kept in view; the API takes `base_version` (409 on a
mismatch). Two signed-in sessions against the real server and SQLite file."""
from __future__ import annotations

import html
import re

import httpx
import pytest

from live_server import auth, signed_in_client, users_server

# Why a letter saved here today went out on an earlier day (asked for by marking it sent then).
SAID_WHY = {"sent_before_saved_reason": "posted first, saved here afterwards to record it"}

TEXT = ("Private - to be opened by addressee only\n\nDear Ms Okafor\n\nI am writing to tell you that "
        "we have decided to stop the case against Mr Lane. I know this is hard news.\n\nYours sincerely\n")
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-20",
           "victim_category": "enhanced", "victim_name": "Ms Jane Okafor"}
B_EDIT = TEXT.replace("hard news.", "hard news. Bob's added sentence about support.")
A_EDIT = TEXT.replace("Dear Ms Okafor", "Dear Ms Okafor,\n\nAnn's new opening paragraph.")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = users_server(tmp_path_factory, "edits", {"ann": ("Ann Staff", "staff", "north"), "bob": ("Bob Manager", "manager")})
    yield srv
    srv.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=auth(server.tokens["ann"]), timeout=60) as client:
        yield client


def session(server, who: str):
    return signed_in_client(server.url, server.tokens[who])


def form_of(page: str) -> dict:
    """The edit form's hidden fields, as the browser would send them."""
    form = page[page.index('id="edit-form"'):]
    form = form[:form.index("</form>")]
    return {m.group(1): html.unescape(m.group(2))
            for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def textarea(page: str) -> str:
    return html.unescape(re.search(r'<textarea id="text"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1))


def new_letter(api) -> int:
    r = api.post("/letters", json={"text": TEXT, "context": CONTEXT})
    assert r.status_code == 201
    return r.json()["id"]


def test_second_save_over_a_newer_version_is_refused_and_keeps_both_texts(server, api):
    letter_id = new_letter(api)
    with session(server, "ann") as ann, session(server, "bob") as bob:
        ann_form = form_of(ann.get(f"/letters/{letter_id}").text)  # both open version 1
        bob_form = form_of(bob.get(f"/letters/{letter_id}").text)
        assert ann_form["base_version"] == bob_form["base_version"] == "1"
        r = bob.post(f"/letters/{letter_id}/versions", data={**bob_form, "text": B_EDIT})
        assert r.status_code == 303 and r.headers["location"].endswith("saved=version")
        r = ann.post(f"/letters/{letter_id}/versions", data={**ann_form, "text": A_EDIT})
        assert r.status_code == 409
        page = r.text
        message = re.sub(r"\s+", " ", re.search(r'id="error-summary">(.*?)</div>', page, re.S).group(1))
        assert "Bob Manager saved version 2 of this letter" in message
        assert "after you opened version 1, so your changes were not saved" in message
        assert textarea(page) == A_EDIT  # nothing Ann typed is lost
        newer = page[page.index('id="newer-version"'):]
        assert "Bob&#39;s added sentence about support." in newer or "Bob's added sentence about support." in newer
        assert f'href="/letters/{letter_id}/compare?from=1&amp;to=2"' in newer
        # the form still carries the version Ann opened: Save alone is refused again (below)
        assert form_of(page)["base_version"] == "1"
        assert 'name="replace_version" value="2"' in page
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["latest_version"] == 2 and letter["versions"][-1]["text"] == B_EDIT


def checkbox(page: str) -> str:
    tag = re.search(r'<input type="checkbox" form="edit-form" id="replace-version"[^>]*>', page).group(0)
    label = re.search(r'<label for="replace-version">(.*?)</label>', page, re.S).group(1)
    return tag + label


def test_saving_again_after_a_conflict_needs_the_tick_and_never_loses_the_text(server, api):
    """Review 10a, finding 8: after the refusal, pressing Save again at once saved over Bob's
    version with no warning (the form had been moved on to version 2). Now Save alone is
    refused again with Ann's text kept; the box "Save my text in place of version 2" saves it."""
    letter_id = new_letter(api)
    with session(server, "ann") as ann, session(server, "bob") as bob:
        ann_form = form_of(ann.get(f"/letters/{letter_id}").text)
        bob_form = form_of(bob.get(f"/letters/{letter_id}").text)
        assert bob.post(f"/letters/{letter_id}/versions", data={**bob_form, "text": B_EDIT}).status_code == 303
        page = ann.post(f"/letters/{letter_id}/versions", data={**ann_form, "text": A_EDIT}).text
        assert "Save my text in place of version 2" in checkbox(page)
        # Save pressed again, as the page now stands, box not ticked: refused, nothing lost
        again = ann.post(f"/letters/{letter_id}/versions", data={**form_of(page), "text": A_EDIT})
        assert again.status_code == 409
        assert textarea(again.text) == A_EDIT
        assert "after you opened version 1, so your changes were not saved" in again.text
        assert "Then tick “Save my text in place of version 2” and save" in again.text
        assert api.get(f"/letters/{letter_id}").json()["latest_version"] == 2
        # Bob saves version 3 while Ann decides: her tick for version 2 does not replace it
        bob_form = form_of(bob.get(f"/letters/{letter_id}").text)
        bob3 = B_EDIT.replace("Yours sincerely", "Bob's third paragraph.\n\nYours sincerely")
        assert bob.post(f"/letters/{letter_id}/versions", data={**bob_form, "text": bob3}).status_code == 303
        stale = ann.post(f"/letters/{letter_id}/versions",
                         data={**form_of(again.text), "text": A_EDIT, "replace_version": "2"})
        assert stale.status_code == 409 and textarea(stale.text) == A_EDIT
        assert "Save my text in place of version 3" in checkbox(stale.text)
        assert api.get(f"/letters/{letter_id}").json()["versions"][-1]["text"] == bob3
        # ticked for the version now shown: Ann's text is saved, in place of Bob's version 3
        done = ann.post(f"/letters/{letter_id}/versions",
                        data={**form_of(stale.text), "text": A_EDIT, "replace_version": "3"})
        assert done.status_code == 303 and done.headers["location"].endswith("saved=version")
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["latest_version"] == 4 and letter["versions"][-1]["text"] == A_EDIT
    assert letter["versions"][2]["text"] == bob3  # Bob's version stays in the history


def test_saving_on_the_latest_version_still_works(server, api):
    letter_id = new_letter(api)
    with session(server, "ann") as ann:
        form = form_of(ann.get(f"/letters/{letter_id}").text)
        assert ann.post(f"/letters/{letter_id}/versions", data={**form, "text": A_EDIT}).status_code == 303
        form = form_of(ann.get(f"/letters/{letter_id}").text)
        assert form["base_version"] == "2"
        assert ann.post(f"/letters/{letter_id}/versions", data={**form, "text": A_EDIT + "\n"}).status_code == 303
    assert api.get(f"/letters/{letter_id}").json()["latest_version"] == 3


def test_a_form_without_a_base_version_saves_as_before(server, api):
    letter_id = new_letter(api)
    with session(server, "ann") as ann:
        form = form_of(ann.get(f"/letters/{letter_id}").text)
        form.pop("base_version")
        assert ann.post(f"/letters/{letter_id}/versions", data={**form, "text": A_EDIT}).status_code == 303


def test_api_base_version(api):
    letter_id = new_letter(api)
    ok = api.post("/letters", json={"letter_id": letter_id, "base_version": 1, "text": B_EDIT})
    assert ok.status_code == 201 and ok.json()["version"] == 2
    stale = api.post("/letters", json={"letter_id": letter_id, "base_version": 1, "text": A_EDIT})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict"
    assert f"letter {letter_id} is now at version 2" in error["message"] and "base_version 2" in error["message"]
    assert api.get(f"/letters/{letter_id}").json()["latest_version"] == 2
    # without base_version, as before: the last save wins
    assert api.post("/letters", json={"letter_id": letter_id, "text": A_EDIT}).status_code == 201
    # base_version alone names no letter
    alone = api.post("/letters", json={"text": TEXT, "context": CONTEXT, "base_version": 1})
    assert alone.status_code == 422
    assert [d["field"] for d in alone.json()["error"]["details"]] == ["base_version"]


def test_saving_a_letter_marked_sent_meanwhile_keeps_the_text_to_check_as_a_new_letter(server, api):
    """Review 10a, finding 14: Ann edits while Bob marks the letter sent (another tab, another
    person): her Save went to "?error=sent" and her text was gone. Now the page says so, with her
    text kept read-only and "Check this as a new letter", which opens the check page with it in
    the box and the case details filled in (nothing stored until she checks it)."""
    letter_id = new_letter(api)
    with session(server, "ann") as ann:
        form = form_of(ann.get(f"/letters/{letter_id}").text)
        assert api.post(f"/letters/{letter_id}/sent", json={"sent_date": "2024-12-20", **SAID_WHY}).status_code == 200
        r = ann.post(f"/letters/{letter_id}/versions", data={**form, "text": A_EDIT})
        assert r.status_code == 409
        summary = re.sub(r"\s+", " ", re.search(r'id="error-summary">(.*?)</div>', r.text, re.S).group(1))
        assert "This letter was marked as sent while you were changing it, so your changes were not saved" in summary
        kept = re.search(r'<textarea id="unsaved-text" name="text" rows="14" readonly[^>]*>\n?(.*?)</textarea>',
                         r.text, re.S)
        assert kept and html.unescape(kept.group(1)) == A_EDIT
        carry = r.text[r.text.index('id="check-as-new-form"'):]
        carry = carry[:carry.index("</form>")]
        assert 'action="/check"' in r.text[r.text.index('id="unsaved"'):] and "Check this as a new letter" in carry
        fields = {m.group(1): html.unescape(m.group(2))
                  for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', carry)}
        assert fields["decision"] == "discontinued" and fields["decision_date"] == "2024-12-19"
        assert fields["victim_name"] == "Ms Jane Okafor" and "letter_date" not in fields
        stored = api.get("/letters").json()["count"]
        check = ann.post("/check", data={**fields, "text": html.unescape(kept.group(1))})
        assert check.status_code == 200 and "There is a problem" not in check.text
        assert textarea(check.text) == A_EDIT
        assert re.search(r'<option value="discontinued"\s+selected', check.text)
        assert 'value="Ms Jane Okafor"' in check.text
        assert re.search(r'name="decision_date-day"[^>]*value="19"', check.text)
        assert api.get("/letters").json()["count"] == stored  # only shown, not checked yet
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["status"] == "sent" and letter["latest_version"] == 1


def test_a_sentence_typed_over_a_word_prompt_keeps_one_full_stop(server, api):
    """Review 10a, finding 9: "Click or tap here to enter text." filled in with a sentence left
    "there was none.." (the finding covers the prompt without its full stop)."""
    text = TEXT.replace("I know this is hard news.", "I know this is hard news. Click or tap here to enter text.")
    r = api.post("/letters", json={"text": text, "context": CONTEXT})
    letter_id = r.json()["id"]
    prompt = next(f for f in r.json()["result"]["findings"] if f["rule"] == "content.placeholder")
    with session(server, "ann") as ann:
        page = ann.get(f"/letters/{letter_id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = ann.post(f"/letters/{letter_id}/changes", data={
            "csrf_token": token, "start": prompt["start"], "end": prompt["end"], "original": prompt["text"],
            "value": "We looked for other evidence but there was none."})
        assert r.status_code == 303
    latest = api.get(f"/letters/{letter_id}").json()["versions"][-1]["text"]
    assert "hard news. We looked for other evidence but there was none.\n" in latest


# --- "Not a problem" marked on a page a newer version has overtaken --------------------------

VRR = ("\n\nYou have the right to ask for this decision to be reviewed. This is called the Victims' Right to "
       "Review. Please ask within 10 working days of the date of this letter. We will still accept a request "
       "up to 3 months from that date.\n")


def mark_form(page: str, rule: str) -> dict:
    """The hidden fields of a finding's "Not a problem" form, as the browser would send them."""
    for form in re.findall(r'<form method="post" action="/letters/\d+/suppressions">(.*?)</form>', page, re.S):
        fields = {m.group(1): html.unescape(m.group(2))
                  for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
        if fields.get("rule") == rule:
            return fields
    raise AssertionError(f"no 'Not a problem' form for {rule}")


def test_a_mark_on_a_finding_a_newer_version_took_out_says_so(server, api):
    """Ann opens version 1 and marks its missing review right 'not a problem'; meanwhile Bob
    saved version 2, which has the review right. The page said "Someone else changed this
    letter at the same moment. Please try again." (trying again could never work); now it says
    nothing was marked, who saved which version, and to read the version the page now shows."""
    letter_id = new_letter(api)
    with session(server, "ann") as ann, session(server, "bob") as bob:
        form = mark_form(ann.get(f"/letters/{letter_id}").text, "content.vrr")
        assert form["version"] == "1"
        bob_form = form_of(bob.get(f"/letters/{letter_id}").text)
        assert bob.post(f"/letters/{letter_id}/versions", data={**bob_form, "text": TEXT + VRR}).status_code == 303
        r = ann.post(f"/letters/{letter_id}/suppressions",
                     data={**form, "reason": "told by telephone on the day"}, follow_redirects=False)
        assert r.status_code == 409
        summary = re.sub(r"\s+", " ", re.search(r'id="error-summary">(.*?)</div>', r.text, re.S).group(1))
        assert "Nothing was marked not a problem: Bob Manager saved version 2 of this letter on " in summary
        assert "after you opened version 1, and that finding is not in version 2" in summary
        assert "This page now shows version 2: read it, and mark what it still finds" in summary
        assert "try again" not in summary.lower()
        assert 'name="version" value="2"' in r.text  # the page's forms are now of version 2
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["latest_version"] == 2 and letter["suppressions"] == []


def test_a_mark_on_a_finding_a_newer_version_still_has_is_made(server, api):
    letter_id = new_letter(api)
    with session(server, "ann") as ann:
        form = mark_form(ann.get(f"/letters/{letter_id}").text, "content.vrr")
        assert api.post("/letters", json={"letter_id": letter_id, "text": B_EDIT}).status_code == 201
        r = ann.post(f"/letters/{letter_id}/suppressions",
                     data={**form, "reason": "told by telephone on the day"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("saved=suppressed")
    letter = api.get(f"/letters/{letter_id}").json()
    assert [(s["rule"], s["reason"]) for s in letter["suppressions"]] == [("content.vrr", "told by telephone on the day")]


# --- A one-click change made on a page a newer version has overtaken --------------------------

JARGON = TEXT.replace("I know this is hard news.", "I know this is hard news. The complainant was upset by the delay.")


def change_form(page: str, original: str) -> dict:
    """The hidden fields of the no-script form of a finding's one-click change."""
    for form in re.findall(r'<form method="post" action="/letters/\d+/changes" class="change-form">(.*?)</form>',
                           page, re.S):
        fields = {m.group(1): html.unescape(m.group(2))
                  for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
        if fields.get("original") == original:
            fields["value"] = html.unescape(re.search(r'name="value" value="([^"]*)"', form).group(1))
            return fields
    raise AssertionError(f"no one-click change for {original!r}")


def test_a_change_on_a_version_someone_has_since_changed_is_refused(server, api):
    """A one-click change checked on version 1 ("The complainant was upset" -> "You were upset")
    was applied to Bob's version 2, where the same words still sat at the same place but the
    sentence round them had changed ("The complainant was, she said, upset": "You were, she said,
    upset", a change the checker never offered there). The form carries the version it was made
    for now, and a change on an older one is refused, saying who saved which version."""
    r = api.post("/letters", json={"text": JARGON, "context": CONTEXT})
    letter_id = r.json()["id"]
    with session(server, "ann") as ann, session(server, "bob") as bob:
        form = change_form(ann.get(f"/letters/{letter_id}").text, "The complainant was")
        assert form["value"] == "You were" and form["version"] == "1"
        bob_text = JARGON.replace("The complainant was upset", "The complainant was, she said, upset")
        bob_form = form_of(bob.get(f"/letters/{letter_id}").text)
        assert bob.post(f"/letters/{letter_id}/versions", data={**bob_form, "text": bob_text}).status_code == 303
        assert bob_text[int(form["start"]):int(form["end"])] == form["original"]  # same words, same place
        r = ann.post(f"/letters/{letter_id}/changes", data=form, follow_redirects=False)
        assert r.status_code == 409
        summary = re.sub(r"\s+", " ", re.search(r'id="error-summary">(.*?)</div>', r.text, re.S).group(1))
        assert "Nothing was changed: Bob Manager saved version 2 of this letter on " in summary
        assert "after you opened version 1" in summary
        assert "This page now shows version 2" in summary
        assert 'name="version" value="2"' in r.text  # the page's forms are now of version 2
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["latest_version"] == 2 and letter["versions"][-1]["text"] == bob_text
    assert "You were" not in letter["versions"][-1]["text"]


def test_a_change_on_the_latest_version_is_made(server, api):
    r = api.post("/letters", json={"text": JARGON, "context": CONTEXT})
    letter_id = r.json()["id"]
    with session(server, "ann") as ann:
        form = change_form(ann.get(f"/letters/{letter_id}").text, "The complainant was")
        r = ann.post(f"/letters/{letter_id}/changes", data=form, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("saved=changed")
    letter = api.get(f"/letters/{letter_id}").json()
    assert letter["latest_version"] == 2
    assert "hard news. You were upset by the delay." in letter["versions"][-1]["text"]


def test_a_save_refused_by_ones_own_save_in_another_tab_says_so(server, api):
    """Ann, in two tabs, saved version 2 in one; the other tab's save and one-click change said
    "Ann Staff saved version 2 of this letter" as if someone with her name had. Now: "You, in
    another tab or window, saved version 2"."""
    r = api.post("/letters", json={"text": JARGON, "context": CONTEXT})
    letter_id = r.json()["id"]
    with session(server, "ann") as tab1, session(server, "ann") as tab2:
        page = tab2.get(f"/letters/{letter_id}").text
        change, form = change_form(page, "The complainant was"), form_of(page)
        assert tab1.post(f"/letters/{letter_id}/versions",
                         data={**form_of(tab1.get(f"/letters/{letter_id}").text), "text": B_EDIT}).status_code == 303
        for r in (tab2.post(f"/letters/{letter_id}/versions", data={**form, "text": A_EDIT}),
                  tab2.post(f"/letters/{letter_id}/changes", data=change)):
            assert r.status_code == 409
            summary = re.sub(r"\s+", " ", re.search(r'id="error-summary">(.*?)</div>', r.text, re.S).group(1))
            # (after "Nothing was changed:" in a small letter)
            assert re.search(r"(?i)\byou, in another tab or window, saved version 2 of this letter on ", summary)
            assert "Ann Staff" not in summary
