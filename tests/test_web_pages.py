"""Web pages over HTTP against the real server: sign-in, session cookie, CSRF, roles, the check
form's messages, .docx in and out, search and CSV, and no personal data on panel pages."""
from __future__ import annotations

import hashlib
import html
import io
import json
import re
import sqlite3

import docx
import httpx
import pytest

from live_server import SAMPLES, LiveServer, make_user
from web_site import visible_text

LETTER = (
    "Private - to be opened by addressee only\n\nDear Ms Grant\n\n"
    "I am writing in relation to the case against Mr Pemberton. We have decided to stop the case,"
    " because the only witness has moved abroad and cannot be traced.\n\n"
    "I understand that this will be disappointing.\n\nYours sincerely\n\nJ Whitcombe\n"
)
CONTEXT = {"decision": "discontinued", "decision_date": "2024-12-19", "letter_date": "2024-12-19",
           "victim_category": "enhanced", "bereaved": "no", "offence": "harassment",
           "victim_name": "Ms Olivia Grant", "urn": "41HT1099424"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from vcl_qa.panel import sampling
    from vcl_qa.db import open_db
    from vcl_qa.letters import bulk
    from vcl_qa.db.users import user_by_name

    db_path = tmp_path_factory.mktemp("web") / "vcl_qa.db"
    tokens = {"staff": make_user(db_path, "sam", "staff", "north"),
              "other": make_user(db_path, "olu", "staff", "south"),
              "manager": make_user(db_path, "mia", "manager"),
              "panel": make_user(db_path, "pat", "panel"),
              "admin": make_user(db_path, "ada", "admin")}
    db = open_db(db_path)
    try:
        bulk.import_folder(db, SAMPLES, "north", sent=True)
        sampling.draw(db, user_by_name(db, "mia"), "2024Q4")
    finally:
        db.close()
    server = LiveServer(db_path).start()
    yield {"url": server.url, "tokens": tokens, "db": db_path}
    server.stop()


def _pre_token(client: httpx.Client) -> str:
    page = client.get("/sign-in")
    return re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)


def signed_in(site, role: str) -> httpx.Client:
    client = httpx.Client(base_url=site["url"], timeout=30)
    r = client.post("/sign-in", data={"pre_token": _pre_token(client), "token": site["tokens"][role]})
    assert r.status_code == 303
    return client


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def field_error(html: str, field: str) -> str:
    m = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else ""


def submit(client: httpx.Client, **overrides) -> httpx.Response:
    page = client.get("/check")
    data = {"csrf_token": csrf(page.text), "text": LETTER, **CONTEXT, **overrides}
    return client.post("/check", data=data)


@pytest.mark.parametrize("path", ["/", "/check", "/letters", "/letters/1", "/dashboard", "/panel",
                                  "/panel-periods", "/account"])
def test_pages_send_visitors_to_sign_in(site, path):
    r = httpx.get(site["url"] + path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sign-in?next=")


def test_sign_in_cookie_is_httponly_lax_and_only_its_hash_is_stored(site):
    client = httpx.Client(base_url=site["url"])
    r = client.post("/sign-in", data={"pre_token": _pre_token(client), "token": site["tokens"]["staff"]})
    assert r.status_code == 303 and r.headers["location"] == "/check"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("vclqa_session="))
    session_id = cookie.split(";")[0].split("=", 1)[1]
    flags = [p.strip().lower() for p in cookie.split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    conn = sqlite3.connect(site["db"])
    stored = [row[0] for row in conn.execute("SELECT id_hash FROM web_sessions")]
    conn.close()
    assert hashlib.sha256(session_id.encode()).hexdigest() in stored
    assert session_id not in stored
    assert client.get("/check").status_code == 200


def test_wrong_token_or_missing_form_token_does_not_sign_in(site):
    client = httpx.Client(base_url=site["url"])
    r = client.post("/sign-in", data={"pre_token": _pre_token(client), "token": "not-a-token"})
    assert r.status_code == 400
    assert "not valid" in field_error(r.text, "token")
    assert "vclqa_session" not in r.headers.get("set-cookie", "")
    fresh = httpx.Client(base_url=site["url"])  # no sign-in form cookie: a cross-site post
    r = fresh.post("/sign-in", data={"pre_token": "guess", "token": site["tokens"]["staff"]})
    assert r.status_code == 400
    assert "vclqa_session" not in r.headers.get("set-cookie", "")


def test_forms_need_the_csrf_token(site):
    client = signed_in(site, "staff")
    r = client.post("/check", data={"text": LETTER, **CONTEXT})
    assert r.status_code == 403
    r = client.post("/check", data={"csrf_token": "x" * 64, "text": LETTER, **CONTEXT})
    assert r.status_code == 403
    assert client.post("/sign-out", data={}).status_code == 403
    assert client.get("/check").status_code == 200  # still signed in


def test_sign_out_ends_the_session_even_for_a_copied_cookie(site):
    client = signed_in(site, "staff")
    cookie = client.cookies.get("vclqa_session")
    r = client.post("/sign-out", data={"csrf_token": csrf(client.get("/check").text)})
    assert r.status_code == 303
    replay = httpx.Client(base_url=site["url"], cookies={"vclqa_session": cookie})
    assert replay.get("/check").status_code == 303


@pytest.mark.parametrize("role,path,status", [
    ("staff", "/dashboard", 403), ("staff", "/panel", 403), ("staff", "/panel-periods", 403),
    ("panel", "/check", 403), ("panel", "/letters", 403), ("panel", "/letters/1", 403),
    ("panel", "/dashboard", 403), ("manager", "/panel", 403), ("admin", "/check", 403),
    ("admin", "/account", 200), ("manager", "/dashboard", 200), ("manager", "/letters/1", 200),
    ("staff", "/letters/1", 200), ("other", "/letters/1", 404), ("panel", "/panel", 200),
])
def test_each_role_reaches_only_its_pages(site, role, path, status):
    assert signed_in(site, role).get(path).status_code == status


def test_next_goes_only_to_local_pages(site):
    for target, expected in (("/letters?q=x", "/letters?q=x"), ("//evil.example/", "/check"),
                             ("https://evil.example/", "/check")):
        client = httpx.Client(base_url=site["url"])
        r = client.post("/sign-in", data={"pre_token": _pre_token(client), "token": site["tokens"]["staff"],
                                          "next": target})
        assert r.headers["location"] == expected


def test_pages_carry_a_strict_content_security_policy(site):
    r = signed_in(site, "staff").get("/check")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


def test_check_form_names_each_bad_field(site):
    client = signed_in(site, "staff")
    r = submit(client, decision="dropped", decision_date="", text="",
               **{"decision_date-day": "30", "decision_date-month": "2", "decision_date-year": "2024"})
    assert r.status_code == 400
    assert "What did we decide? Choose one of the answers listed." in field_error(r.text, "decision")
    assert "must be a real date" in field_error(r.text, "decision_date")
    assert "Paste the letter" in field_error(r.text, "text")
    assert 'aria-invalid="true"' in r.text
    assert re.search(r'id="decision_date-day"[^>]*value="30"', r.text)  # what was typed is kept
    r = submit(client, decision_date="", **{"decision_date-day": "19", "decision_date-year": "2024"})
    assert "must include a month" in field_error(r.text, "decision_date")
    # the dates out of order, in the page's words (a staff review: it said "decision_date
    # 2024-12-20 is after letter_date 2024-12-19", the API's field names and ISO dates)
    r = submit(client, decision_date="2024-12-20", letter_date="2024-12-19")
    assert html.unescape(field_error(r.text, "letter_date")).removeprefix("Error: ") == (
        "The letter is dated Thursday 19 December 2024, before the decision (Friday 20 December 2024). "
        "Check both dates.")
    assert "letter_date" not in visible_text(r.text) and "is after" not in visible_text(r.text)


def test_a_managers_team_must_be_a_team_there_is(site):
    """The check form refuses a team no one has, as the API does (review 11b, finding 5): a
    slip would store the letter where its team cannot see it. Nothing is stored."""
    client = signed_in(site, "manager")
    before = client.get("/letters").text.count('href="/letters/')
    r = submit(client, team="Nroth")
    assert r.status_code == 400
    message = html.unescape(field_error(r.text, "team"))
    assert "There is no team called 'Nroth'" in message and "did you mean 'north'?" in message
    r = submit(client, team="north\u200b")
    assert "U+200B" in html.unescape(field_error(r.text, "team"))
    assert client.get("/letters").text.count('href="/letters/') == before
    r = submit(client, team="north")
    assert r.status_code == 303


def test_checked_letter_page_shows_score_due_date_and_suggestions(site):
    client = signed_in(site, "staff")
    r = submit(client)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert re.search(r'id="score">\d+<', page.text)
    assert "Due by Friday 20 December 2024." in page.text
    assert "1 working day to spare on the letter's date" in page.text
    assert 'name="value" value="about"' in page.text  # "in relation to" -> "about", one click
    assert "Insert this paragraph" in page.text  # the missing review-right paragraph
    assert "&lt;/script" not in page.text.split('id="letter-editor-data">')[1].split("</script>")[0]
    # The editor's script names each check by its plain title when it lists findings again after
    # a check made while typing: the rules' titles and the personal titles a greeting may start
    # with (Mr, Dr ...) were both "titles", and the second list replaced the first, so a card
    # re-drawn by the script was headed "content.vrr".
    data = json.loads(page.text.split('id="letter-editor-data">')[1].split("</script>")[0])
    assert data["rule_titles"]["content.vrr"] == "Right to review missing"
    assert all(data["rule_titles"][f["rule"]] for f in data["findings"])
    assert "mr" in data["titles"] and isinstance(data["titles"], list)


def test_new_version_and_comparison(site):
    client = signed_in(site, "staff")
    location = submit(client).headers["location"]
    page = client.get(location)
    better = LETTER.replace("in relation to", "about")
    r = client.post(f"{location}/versions", data={"csrf_token": csrf(page.text), "text": better})
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "version 2" in page.text
    assert "Since version 1: 1 fixed" in page.text
    page = client.get(f"{location}/compare")
    fixed = re.search(r'<ul id="fixed-list">(.*?)</ul>', page.text, re.S).group(1)
    assert "in relation to" in fixed
    assert '<del class="diff-del"><span class="visually-hidden">[removed: </span>in relation to' in page.text


def test_a_refused_detail_on_saving_a_version_names_its_question(site):
    """A detail the library refuses, given when saving a new version, is said with the question
    it is about, from a capital; nothing is saved."""
    client = signed_in(site, "staff")
    location = submit(client).headers["location"]
    page = client.get(location)
    r = client.post(f"{location}/versions", data={"csrf_token": csrf(page.text), "text": LETTER + "More.",
                                                 "victim_name": "Ms " + "Okafor" * 40})
    assert r.status_code == 400
    assert "Name the letter should greet: at most 200 characters." in html.unescape(r.text)
    r = client.post(f"{location}/versions", data={"csrf_token": csrf(page.text), "text": LETTER + "More.",
                                                 "reader": "toddler"})
    assert r.status_code == 400
    assert "Who will read the letter? Choose one of the answers listed." in html.unescape(r.text)
    assert "version 2" not in client.get(location).text


def test_docx_upload_and_download(site, tmp_path):
    client = signed_in(site, "staff")
    document = docx.Document()
    for para in LETTER.strip().split("\n\n"):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    page = client.get("/check")
    fields = {"csrf_token": csrf(page.text), "text": "", **CONTEXT}
    r = client.post("/check", data=fields, files={"file": ("draft.docx", buf.getvalue(),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")})
    assert r.status_code == 303
    down = client.get(r.headers["location"] + "/letter.docx")
    assert down.status_code == 200
    assert "attachment" in down.headers["content-disposition"]
    back = docx.Document(io.BytesIO(down.content))
    text = "\n".join(p.text for p in back.paragraphs)
    assert "We have decided to stop the case" in text and "Dear Ms Grant" in text
    bad = client.post("/check", data=fields, files={"file": ("draft.pdf", b"%PDF-1.4", "application/pdf")})
    assert bad.status_code == 400 and "Word" in field_error(bad.text, "file")
    # Told by what the file is, not only by its name: a PDF or an old Word file named .txt.
    for name, data, words in (("draft.txt", b"%PDF-1.4\n", "The file “draft.txt” is a PDF file"),
                              ("draft.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "old Word 97-2003"),
                              ("draft.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "protected with a password")):
        bad = client.post("/check", data=fields, files={"file": (name, data, "application/octet-stream")})
        assert bad.status_code == 400 and words in field_error(bad.text, "file"), name


def test_mark_sent_then_no_more_versions(site):
    client = signed_in(site, "staff")
    location = submit(client).headers["location"]
    page = client.get(location)
    # (saved here today, it went out on an earlier day: why is asked for, as on the page)
    why = "posted first, saved here afterwards to record it"
    r = client.post(f"{location}/sent", data={"csrf_token": csrf(page.text), "sent_date": "2024-12-20",
                                               "sent_before_saved_reason": why})
    assert r.status_code == 400 and "Tick the box" in r.text  # must-fix problems are left
    # ticked on the page that listed them (it carries the checks listed, as a browser sends them)
    seen = re.search(r'name="seen" value="([^"]*)"', r.text).group(1)
    r = client.post(f"{location}/sent", data={"csrf_token": csrf(page.text), "sent_date": "2024-12-20",
                                               "sent_before_saved_reason": why, "confirm": "yes", "seen": seen})
    assert r.headers["location"].endswith("saved=sent")
    page = client.get(location)
    assert "sent on Friday 20 December 2024" in page.text and "/versions" not in page.text
    r = client.post(f"{location}/versions", data={"csrf_token": csrf(page.text), "text": LETTER + "Typed."})
    # not saved, and the text typed is kept to copy or check as a new letter (test_edit_conflicts)
    assert r.status_code == 409 and "so your changes were not saved" in r.text
    assert 'id="unsaved-text"' in r.text and "Typed." in r.text


def test_letters_search_and_csv_export(site):
    client = signed_in(site, "manager")
    everything = client.get("/letters")
    total = int(re.search(r"(\d+) letters? found", everything.text).group(1))
    found = client.get("/letters", params={"q": "condolences"})
    some = int(re.search(r"(\d+) letters? found", found.text).group(1))
    assert 0 < some < total
    rows = client.get("/letters.csv", params={"q": "condolences"}).text.strip().split("\n")
    assert rows[0].startswith("Letter,Team,Status,Decision,Decision date,Due date,Letter date,Sent date,"
                              "Working days late")
    assert len(rows) == some + 1
    assert "victim_name" not in rows[0]  # no personal data in the export
    assert len(client.get("/letters.csv").text.strip().split("\n")) == total + 1


def test_staff_list_shows_only_their_team(site):
    other = signed_in(site, "other")
    assert "0 letters found" in other.get("/letters").text
    assert "0 letters found" in other.get("/letters", params={"team": "north"}).text


# Review 9: the letters list's From and To used the browser's date picker (mm/dd/yyyy in some
# browsers); every other date is typed as day, month and year.
def _found(page: str) -> int:
    return int(re.search(r"(\d+) letters? found", page).group(1))


def test_letters_list_dates_are_typed_as_day_month_and_year(site):
    client = signed_in(site, "manager")
    page = client.get("/letters")
    assert 'type="date"' not in page.text
    for name in ("date_from", "date_to"):
        assert all(f'name="{name}-{p}"' in page.text for p in ("day", "month", "year"))
    total = _found(page.text)
    typed = client.get("/letters", params={"date_from-day": "1", "date_from-month": "12", "date_from-year": "2024",
                                           "date_to-day": "31", "date_to-month": "12", "date_to-year": "2024"})
    assert typed.status_code == 200 and 0 < _found(typed.text) < total
    # A link or bookmark with the ISO dates the list took before still works, and fills the boxes.
    iso = client.get("/letters", params={"date_from": "2024-12-01", "date_to": "2024-12-31"})
    assert iso.status_code == 200 and _found(iso.text) == _found(typed.text)
    for name, value in (("date_from-day", "1"), ("date_from-month", "12"), ("date_from-year", "2024"),
                        ("date_to-day", "31")):
        assert re.search(rf'<input [^>]*name="{name}"[^>]*value="{value}"', iso.text), name
    csv_rows = client.get("/letters.csv", params={"date_from-day": "1", "date_from-month": "12",
                                                  "date_from-year": "2024", "date_to-day": "31",
                                                  "date_to-month": "12", "date_to-year": "2024"}).text
    assert len(csv_rows.strip().split("\n")) == _found(typed.text) + 1


@pytest.mark.parametrize("params, field, message", [
    ({"date_from-day": "31", "date_from-month": "2", "date_from-year": "2024"}, "date_from",
     "The From date must be a real date, for example 27 3 2025"),
    ({"date_to-day": "1", "date_to-year": "2024"}, "date_to", "The To date must include a month"),
    ({"date_from-day": "1", "date_from-month": "12", "date_from-year": "24"}, "date_from",
     "The From date must be a real date, with the year in 4 figures, for example 27 3 2025"),
    ({"date_from": "2024-02-30"}, "date_from", "The From date must be a real date, for example 27 3 2025"),
    ({"date_from": "2025-03-01", "date_to": "2025-01-01"}, "date_to",
     "The To date (Wednesday 1 January 2025) is before the From date (Saturday 1 March 2025). Change one of them."),
])
def test_letters_list_says_when_a_date_is_impossible(site, params, field, message):
    """Before, an impossible date was dropped without a word and every letter was listed."""
    client = signed_in(site, "manager")
    page = client.get("/letters", params=params)
    assert page.status_code == 400
    assert field_error(page.text, field) == f"Error: {message}"
    assert f'<a href="#{field}">{html.escape(message)}</a>' in page.text  # the error summary links to it
    assert "<title>Error: Letters" in page.text and "letters found" not in page.text
    csv = client.get("/letters.csv", params=params)
    assert csv.status_code == 400 and message in csv.text


def test_panel_pages_show_no_personal_data(site):
    from vcl_qa import Letter

    client = signed_in(site, "panel")
    queue = client.get("/panel")
    codes = re.findall(r'href="/panel/([0-9a-f]{16})"', queue.text)
    assert codes
    pages = [queue.text] + [client.get(f"/panel/{code}").text for code in codes]
    secrets = set()
    for path in SAMPLES.glob("*.txt"):
        ctx = Letter.from_file(path).context
        secrets.update(v for v in (ctx.victim_name, ctx.urn) if v)
    for html in pages:
        for secret in secrets:
            assert secret not in html
    assert any("[VICTIM]" in html for html in pages[1:])


def test_panel_rating_needs_every_score_and_shows_findings_after(site):
    client = signed_in(site, "panel")
    code = re.findall(r'href="/panel/([0-9a-f]{16})"', client.get("/panel").text)[-1]
    page = client.get(f"/panel/{code}")
    assert "Show the automatic findings" not in page.text
    r = client.post(f"/panel/{code}/rating", data={"csrf_token": csrf(page.text), "score_clarity": "4"})
    assert r.status_code == 400 and "Overall: choose an answer from 1 to 5" in field_error(r.text, "overall")
    assert "Empathy: choose an answer" in field_error(r.text, "score_empathy")  # each names its question
    assert "score_clarity-error" not in r.text  # the one answered is kept
    scores = {f"score_{k}": "3" for k in ("clarity", "empathy", "explanation", "next_steps")}
    r = client.post(f"/panel/{code}/rating", data={"csrf_token": csrf(page.text), **scores, "overall": "2"})
    assert r.status_code == 303
    r = client.post(f"/panel/{code}/reveal", data={"csrf_token": csrf(page.text)})
    page = client.get(f"/panel/{code}")
    assert "Not a problem" in page.text and "Save my rating" not in page.text


SCORES = {f"score_{k}": "3" for k in ("clarity", "empathy", "explanation", "next_steps")}


def _sample_secrets() -> set[str]:
    from vcl_qa import Letter

    secrets = set()
    for path in SAMPLES.glob("*.txt"):
        ctx = Letter.from_file(path).context
        secrets.update(v for v in (ctx.victim_name, ctx.urn) if v)
    return secrets


def _anonymised(page_html: str) -> str:
    inner = re.search(r'id="anonymised-letter">(.*?)</div>', page_html, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", inner))


def test_panel_member_marks_passages_and_the_author_sees_them(site):
    client = signed_in(site, "panel")
    codes = re.findall(r'href="/panel/([0-9a-f]{16})"', client.get("/panel").text)
    for code in codes[2:-1]:  # the other panel tests use the second and the last
        page = client.get(f"/panel/{code}")
        text = _anonymised(page.text)
        if "\nDear [VICTIM]\n" in text and text.count("[VICTIM]") >= 2:
            break
    greeting = text.index("Dear [VICTIM]")
    first_victim = text.index("[VICTIM]")
    assert first_victim < greeting  # the address block names the victim first
    after = re.match(r"Dear \[VICTIM\](\s+)(\S+ \S+ \S+)", text[greeting:])
    across = "Dear [VICTIM] " + after.group(2)  # typed on one line; the letter has a line break there
    r = client.post(f"/panel/{code}/rating", data={
        "csrf_token": csrf(page.text), **SCORES, "overall": "3",
        "mark_quote_0": across, "mark_comment_0": "A warm opening.",
        "mark_quote_1": "[VICTIM]", "mark_comment_1": "The first time the name appears.",
        "mark_quote_5": "[VICTIM]", "mark_start_5": str(greeting + 5), "mark_comment_5": "This one, the greeting.",
        "mark_quote_7": "", "mark_comment_7": ""})
    assert r.status_code == 303
    conn = sqlite3.connect(site["db"])
    stored = conn.execute(
        'SELECT m.start, m."end", m.comment FROM panel_marks m JOIN panel_ratings r ON r.id = m.rating_id'
        " JOIN panel_assignments a ON a.id = r.assignment_id WHERE a.code = ? ORDER BY m.start", [code]).fetchall()
    letter_id = conn.execute("SELECT i.letter_id FROM panel_assignments a JOIN panel_items i ON i.id = a.item_id"
                             " WHERE a.code = ?", [code]).fetchone()[0]
    conn.close()
    whole = "Dear [VICTIM]" + after.group(1) + after.group(2)
    assert stored == [(first_victim, first_victim + 8, "The first time the name appears."),
                      (greeting, greeting + len(whole), "A warm opening."),
                      (greeting + 5, greeting + 13, "This one, the greeting.")]

    page = client.get(f"/panel/{code}")
    assert _anonymised(page.text) == text  # highlighting adds marks, not words
    first = re.search(r'<mark class="panel-mark" id="passage-2" data-n="2">(.*?)</mark>', page.text, re.S)
    assert html.unescape(first.group(1)) == "Dear "  # passage 3 starts inside passage 2
    notes = re.search(r'<ol class="marks-list".*?</ol>', page.text, re.S).group(0)
    assert "A warm opening." in notes and "This one, the greeting." in notes
    assert "mark_quote_3" in page.text  # the three passages on the form, then an empty one
    for secret in _sample_secrets():
        assert secret not in page.text

    author = signed_in(site, "staff").get(f"/letters/{letter_id}")
    assert author.status_code == 200
    marked = [html.unescape(m) for m in re.findall(r'<mark class="panel-mark">(.*?)</mark>', author.text, re.S)]
    assert whole in marked and "[VICTIM]" in marked
    assert "A warm opening." in author.text


def test_panel_mark_with_words_not_in_the_letter_says_so_beside_the_box(site):
    client = signed_in(site, "panel")
    code = re.findall(r'href="/panel/([0-9a-f]{16})"', client.get("/panel").text)[1]
    page = client.get(f"/panel/{code}")
    opening = _anonymised(page.text).split("\n")[0]
    r = client.post(f"/panel/{code}/rating", data={
        "csrf_token": csrf(page.text), **SCORES, "overall": "4",
        "mark_quote_0": "words that this letter never uses", "mark_comment_0": "Unclear.",
        "mark_quote_1": opening, "mark_comment_1": " "})
    assert r.status_code == 400
    assert "not in the letter" in field_error(r.text, "mark_quote_0")
    assert "Say what you think" in field_error(r.text, "mark_comment_1")
    assert field_error(r.text, "mark_quote_1") == ""
    assert 'href="#mark_quote_0"' in r.text  # the error summary links to the box
    assert "words that this letter never uses</textarea>" in r.text  # what was typed is kept
    assert 'value="4" checked' in r.text
    assert "Save my rating" in client.get(f"/panel/{code}").text  # nothing was saved
    for secret in _sample_secrets():
        assert secret not in r.text


def test_dashboard_filters_and_csv(site):
    client = signed_in(site, "manager")
    page = client.get("/dashboard")
    assert page.text.count('role="img"') == 5
    letters = int(re.search(r"<strong>(\d+)</strong> letters checked", page.text).group(1))
    narrow = client.get("/dashboard", params={"decision": "charge_altered"})
    fewer = int(re.search(r"<strong>(\d+)</strong> letters checked", narrow.text).group(1))
    assert 0 < fewer < letters
    rows = client.get("/dashboard.csv", params={"decision": "charge_altered"}).text.strip().split("\n")
    assert rows[0].startswith("Month,Month (YYYY-MM),Letters checked,Letters sent")
    assert sum(int(r.split(",")[2]) for r in rows[1:]) == fewer
    report = client.get("/panel-periods/2024Q4/report")
    assert report.status_code == 200 and "October to December 2024" in report.text


def test_not_a_problem_removes_one_finding_with_a_reason(site):
    client = signed_in(site, "staff")
    location = submit(client).headers["location"]
    page = client.get(location)
    assert page.text.count('name="value" value="about"') == 1
    r = client.post(f"{location}/suppressions", data={"csrf_token": csrf(page.text), "rule": "readability.jargon",
                                                       "term": "in relation to", "reason": ""})
    assert r.status_code == 400 and "say why" in r.text  # a reason is required, said on the page
    r = client.post(f"{location}/suppressions", data={"csrf_token": csrf(page.text), "rule": "readability.jargon",
                                                       "term": "in relation to", "reason": "quoting the court"})
    assert r.headers["location"].endswith("saved=suppressed")
    page = client.get(location)
    assert 'name="value" value="about"' not in page.text
    assert "<s>&#34;in relation to&#34; is legal or official wording" in page.text  # kept, struck through
    assert "quoting the court" in page.text and "sam" in page.text


def test_mark_sent_before_the_decision_says_why(site):
    client = signed_in(site, "staff")
    location = submit(client).headers["location"]
    page = client.get(location)
    r = client.post(f"{location}/sent", data={"csrf_token": csrf(page.text), "sent_date": "2020-01-01"})
    assert r.status_code == 400  # the page itself says why (no words carried in the address)
    assert "before the decision" in r.text


def test_a_marked_up_word_upload_says_what_to_do_before_printing(site):
    """A Word file with a tracked change is checked as if accepted, and the letter page says to
    accept the changes and delete comments before printing (Word prints them)."""
    from docx.oxml import parse_xml

    client = signed_in(site, "staff")
    document = docx.Document()
    for para in LETTER.strip().split("\n\n"):
        document.add_paragraph(para)
    ins = ('<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" '
           'w:author="Team leader" w:date="2024-03-01T10:00:00Z"><w:r><w:t>Thank you.</w:t></w:r></w:ins>')
    document.paragraphs[-1]._p.append(parse_xml(ins))
    buf = io.BytesIO()
    document.save(buf)
    fields = {"csrf_token": csrf(client.get("/check").text), "text": "", **CONTEXT}
    r = client.post("/check", data=fields, files={"file": ("draft.docx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 303 and r.headers["location"].endswith("?saved=word-markup")
    page = client.get(r.headers["location"]).text
    assert "still has tracked changes, comments or hidden text" in page and "Thank you." in page


def test_the_letters_team_filter_lists_every_team_the_dashboard_does(site):
    """Found in a manager's review: /letters listed the teams that had letters, the dashboard
    every team the service knows; a team with staff but no letter yet (south here) was missing."""
    from vcl_qa.db import open_db
    from vcl_qa.db.teams import known_teams

    client = signed_in(site, "manager")
    page = client.get("/letters").text
    select = re.search(r'<select[^>]*name="team"[^>]*>(.*?)</select>', page, re.S).group(1)
    listed = re.findall(r'<option value="([^"]+)"', select)
    db = open_db(site["db"])
    try:
        assert listed == known_teams(db) and "south" in listed
    finally:
        db.close()


def test_the_letters_list_writes_dates_in_words(site):
    """A staff review: the list showed "2025-03-06" and "Sent 2026-11-03" while every other page
    writes a date in words ("Thursday 6 March 2025")."""
    page = visible_text(signed_in(site, "staff").get("/letters").text)
    assert re.search(r"Sent \w+day \d{1,2} \w+ \d{4}", page)
    rows = page[page.index("Decision date"):]
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", rows), rows[:400]


@pytest.mark.parametrize("day, month, year, said", [
    ("1", "Dec", "2024", "2024-12-01"), ("5", "September", "2025", "2025-09-05"), ("5", "sept.", "2025", "2025-09-05"),
    ("first", "12", "2024", "must have the day as a number, for example 27 3 2025"),
    ("-1", "1", "2024", "must have the day as a number, for example 27 3 2025"),
    ("1", "Decembre", "2024", "must have the month as a number from 1 to 12, for example 27 3 2025"),
    ("1", "12", "24", "must be a real date, with the year in 4 figures, for example 27 3 2025"),
])
def test_a_date_typed_in_boxes_names_the_box_that_is_wrong(day, month, year, said):
    """An audit: a month typed "Dec" or a day "first" was told the date needed "the year in 4
    figures", of a year that had them. A month's name is read as its number."""
    from api.web.forms import date_from_form

    form = {"d-day": day, "d-month": month, "d-year": year}
    if said[0].isdigit():
        assert date_from_form(form, "d") == said
    else:
        with pytest.raises(ValueError) as err:
            date_from_form(form, "d")
        assert str(err.value) == said
