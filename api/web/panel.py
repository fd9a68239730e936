"""Panel members: their queue, an anonymised letter with the rubric, then the automatic findings
with "not a problem" buttons. Managers: panel periods (draw a sample) and the period report."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from vcl_qa import clock
from vcl_qa.engine.dates import long_date
from vcl_qa.errors import LetterError
from vcl_qa.panel import periods
from vcl_qa.panel import rating
from vcl_qa.panel import report
from vcl_qa.panel import sampling
from vcl_qa.panel.settings import SCALE, load_panel_rules
from vcl_qa.letters.store import Conflict, NotFound

from ..deps import DbDep
from ..security_headers import REPORT_POLICY
from .forms import DECISION_LABELS, OFFENCE_LABELS
from .letters import SEVERITY_WORDS, PageNotFound
from .marks import find_quote, segments
from .session import WebUser
from .session import Manager, Panel, PostedForm, redirect, render, role

PanelOrManager = Annotated[WebUser, Depends(role("panel", "manager"))]

router = APIRouter(include_in_schema=False)
CODE = re.compile(r"^[0-9a-f]{16}$")
PERIOD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
STATUS_WORDS = {"to_rate": "To rate", "rated": "Rated", "revealed": "Rated, findings seen"}
VERDICT_WORDS = {"not_a_problem": "Not a problem", "agree": "Agree"}
# What each tag in an anonymised letter stands for (the tags themselves are in rules/redaction.yml).
# Every tag has its words here: a lay reader cannot guess "other case ref" or "bank"
# (tests/browser/test_browser_panel_review.py reads the guide for each).
TAG_WORDS = {"victim": "the person the letter was written to",
             "name": "another person's name (everyone else named in the letter has this label, so two "
                     "[NAME] labels may be different people)",
             "address": "an address or street", "phone": "a phone number", "email": "an email address",
             "dob": "a date of birth", "case_ref": "a case or crime reference number",
             "other_case_ref": "a reference number from a different case: the letter gives another "
                               "case's reference, perhaps because it was copied from another letter",
             "organisation": "a firm or other organisation", "vehicle": "a vehicle number plate",
             "collar": "a police officer's number", "age": "someone's age", "school": "a school",
             "place": "a pub, shop or other place", "date": "the date something happened",
             "id_number": "a personal number, such as a passport, driving licence, National Insurance or NHS number",
             "bank": "bank account details, such as an account number or sort code",
             "number": "another long number that could show who someone is",
             "hidden": "words the panel's organiser chose to hide, or text that could not be shown safely"}
MARK_FIELD = re.compile(r"^mark_(?:quote|comment|start)_(\d{1,3})$")


def whole_number(raw: str, digits: int = 9) -> int | None:
    """A typed whole number (ASCII digits only: str.isdigit also takes '²', which int() refuses,
    and thousands of digits, which it refuses too); None when it is not one."""
    return int(raw) if re.fullmatch(rf"[0-9]{{1,{digits}}}", raw or "") else None


def _code(code: str) -> str:
    if not CODE.match(code):
        raise _not_in_list()
    return code


def _not_in_list() -> PageNotFound:
    """A letter that is not in the member's list, in their words: one open in another tab may have
    been taken out of the panel's sample since (a review: the page said "There is no such
    letter, or it belongs to another team", the staff's wording)."""
    return PageNotFound("This letter is not in your list",
                        "It may have been taken out of the panel's list since you opened it: if so, you do not "
                        "need to rate it. Go back to your list of letters to see what is left to rate.")


@router.get("/panel")
def queue_page(request: Request, user: Panel, db: DbDep):
    from vcl_qa.db.sign_in_links import SHOWN_DAYS

    from .auth import link_rows

    rows = rating.queue(db, user.user)
    # the sign-in links made for the member: whoever made one could have opened it (auth.py)
    return render(request, "review_queue.html", {
        "rows": rows, "status_words": STATUS_WORDS, "decisions": DECISION_LABELS, "offences": OFFENCE_LABELS,
        "to_rate": sum(1 for r in rows if r["status"] == "to_rate"), "links": link_rows(db, user.user),
        "link_days": SHOWN_DAYS}, user=user)


@router.get("/panel/guide")
def guide_page(request: Request, user: PanelOrManager):
    """A one-page guide for new panel members: what to do, the rubric, what the labels mean."""
    from vcl_qa.panel.redact import load_rules as redaction_rules

    tags = [(tag, TAG_WORDS.get(kind, kind.replace("_", " "))) for kind, tag in redaction_rules().tags.items()]
    return render(request, "panel_guide.html", {"rubric": load_panel_rules().rubric(), "tags": tags,
                                                "verdict_words": VERDICT_WORDS}, user=user)


def _item_page(request, user, db, code, errors=None, values=None, notice=None, status=200, marks=None,
               detail_words=None):
    try:
        item = rating.open_item(db, user.user, code)
    except NotFound:
        raise _not_in_list() from None
    rubric = item["rubric"]
    # A purged letter's copy is empty: its marked passages point into text that is gone.
    saved = item["rating"]["marks"] if item["rating"] and not item["text_removed"] else []
    if values is None and item["rating"]:
        values = {**{f"score_{k}": str(v) for k, v in item["rating"]["scores"].items()},
                  "overall": str(item["rating"]["overall"]), "comment": item["rating"]["comment"] or ""}
    if marks is None:
        marks = [{"quote": item["text"][m["start"]:m["end"]], "comment": m["comment"], "start": m["start"]}
                 for m in saved]
    rows = [{**m, "i": i, "filled": True} for i, m in enumerate(marks)]
    if len(rows) < int(load_panel_rules().limits.get("marks_per_rating", 20)):
        rows.append({"quote": "", "comment": "", "start": None, "i": len(rows), "filled": False})
    # Where this letter stands in the member's list (the queue numbers them "letter 1", "letter 2"),
    # and the next one still to rate, so that the page can say what comes next.
    queue = rating.queue(db, user.user)
    number = next((n for n, r in enumerate(queue, start=1) if r["item_id"] == code), None)
    to_rate = [(n, r) for n, r in enumerate(queue, start=1) if r["status"] == "to_rate" and r["item_id"] != code]
    after = [(n, r) for n, r in to_rate if number is None or n > number]
    next_item = (after or to_rate or [None])[0]
    if item["findings"]:  # the most serious first; each keeps its number (the answer forms use it)
        rank = {"error": 0, "warning": 1, "suggestion": 2}
        item["findings"] = sorted(item["findings"], key=lambda f: (rank.get(f["severity"], 3), f["number"]))
    return render(request, "review_item.html", {
        "item": item, "rubric": rubric, "errors": errors or {}, "values": values or {}, "notice": notice,
        # "Your rating is saved" is shown where a saved rating lands (#after-rating), not above the letter
        "notice_at_top": notice is not None and not notice.startswith("Your rating"),
        "unanswered": [k for k in errors or {} if k.startswith("score_") or k == "overall"],
        "decisions": DECISION_LABELS, "offences": OFFENCE_LABELS, "severity_words": SEVERITY_WORDS,
        "number": number, "in_queue": len(queue), "still_to_rate": len(to_rate),
        "next_item": {"number": next_item[0], "code": next_item[1]["item_id"]} if next_item else None,
        "verdict_words": VERDICT_WORDS, "mark_rows": rows, "segments": segments(item["text"], saved),
        "marked": [{"n": n, "quote": item["text"][m["start"]:m["end"]], "comment": m["comment"]}
                   for n, m in enumerate(saved, start=1)],
        "detail_words": detail_words or "", "detail_most": rating.DETAIL_WORDS_MOST}, status, user)


def _posted_marks(values: dict[str, str]) -> list[dict]:
    """The passages on the form, in order, leaving out the ones with both boxes empty."""
    numbers = sorted({int(m.group(1)) for m in map(MARK_FIELD.match, values) if m})
    out = []
    for i in numbers:
        quote, comment = values.get(f"mark_quote_{i}", "").strip(), values.get(f"mark_comment_{i}", "").strip()
        start = values.get(f"mark_start_{i}", "")
        if quote or comment:
            out.append({"quote": quote, "comment": comment, "start": whole_number(start)})
    return out


def _mark_spans(db, user, code: str, marks: list[dict], errors: dict[str, str]) -> list[dict]:
    """Each quoted passage found in the anonymised letter, as the library's {start, end, comment};
    a message beside each box that is empty or whose words are not in the letter."""
    if not marks:
        return []
    try:
        text = rating.open_item(db, user.user, code)["text"]
    except NotFound:
        raise _not_in_list() from None
    out = []
    for i, m in enumerate(marks):
        span = find_quote(text, m["quote"], m["start"]) if m["quote"] else None
        if not m["quote"]:
            errors[f"mark_quote_{i}"] = "Copy the words from the letter that your comment is about."
        elif span is None:
            errors[f"mark_quote_{i}"] = ("These words are not in the letter. Copy them exactly as the letter"
                                         " shows them, labels such as [VICTIM] included.")
        if not m["comment"]:
            errors[f"mark_comment_{i}"] = "Say what you think of these words."
        if span:
            out.append({"start": span[0], "end": span[1], "comment": m["comment"]})
    return out


LOCKED_MESSAGE = ("You have already looked at the automatic findings for this letter, so your rating "
                  "cannot change now.")
NOT_SAVED = " The answers you just sent were not saved: your saved rating is under “Your rating”."
CONTROL_MESSAGE = ("{what} had characters in it that could hide or change what others read (such as an "
                   "escape code or a right-to-left override). They are taken out below: check the words "
                   "and save again.")


def _form_field(field: str) -> str:
    """The form box for a field the library names ('scores.clarity', 'marks.0.comment')."""
    parts = field.split(".")
    if parts[0] == "scores":
        return f"score_{parts[1]}" if len(parts) > 1 else "overall"
    if parts[0] == "marks":
        n = parts[1] if len(parts) > 1 else "0"
        return f"mark_comment_{n}" if parts[-1] == "comment" else f"mark_quote_{n}"
    return field


@router.get("/panel/{code}")
def item_page(request: Request, code: str, user: Panel, db: DbDep, saved: str | None = None):
    notice = {"rating": "Your rating is saved.", "verdict": "Your answer is saved.",
              "detail": DETAIL_THANKS}.get(saved or "")
    return _item_page(request, user, db, _code(code), notice=notice)


# Handlers that write are plain `def`s (the thread pool), so a database lock held elsewhere
# holds up only them, never the event loop.
@router.post("/panel/{code}/rating")
def save_rating(request: Request, code: str, user: Panel, form: PostedForm, db: DbDep):
    _code(code)
    ids = load_panel_rules().item_ids
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    rubric = load_panel_rules()
    low, high = SCALE
    for key in (*ids, "overall"):
        name = key if key == "overall" else f"score_{key}"
        raw = values.get(name, "")
        number = whole_number(raw)
        if number is not None and low <= number <= high:
            scores[key] = number
        else:
            errors[name] = f"{rubric.label(key)}: choose an answer from {low} to {high}."
    marks = _posted_marks(values)
    spans = _mark_spans(db, user, code, marks, errors)
    if not errors:
        body = {"scores": {k: scores[k] for k in ids}, "overall": scores["overall"],
                "comment": values.get("comment") or None, "marks": spans}
        try:
            rating.rate(db, user.user, code, body)
        except LetterError as exc:
            name = _form_field(exc.field or "comment")
            what = "Your comment" if name == "comment" else "Your comment on these words"
            errors[name] = (CONTROL_MESSAGE.format(what=what) if rating.has_control(values.get(name, ""))
                            else exc.message)
        except Conflict as exc:
            # The rating is closed (findings seen in another tab, or the letter purged): the form is
            # gone from the page, so the message points at "Your rating" and says what became of
            # the answers just sent.
            errors["rating-heading"] = (LOCKED_MESSAGE if "revealed" in str(exc)
                                        else f"{str(exc)[:1].upper()}{str(exc)[1:]}.") + NOT_SAVED
        except NotFound:
            raise _not_in_list() from None
    if errors:  # shown back without control characters: the message beside the box says why
        values = {k: rating.without_control(v) for k, v in values.items()}
        marks = [{**m, "quote": rating.without_control(m["quote"]), "comment": rating.without_control(m["comment"])}
                 for m in marks]
        return _item_page(request, user, db, code, errors, values, status=400, marks=marks)
    return redirect(f"/panel/{code}?saved=rating#after-rating")


@router.post("/panel/{code}/reveal")
def reveal(request: Request, code: str, user: Panel, form: PostedForm, db: DbDep):
    try:
        rating.reveal(db, user.user, _code(code))
    except NotFound:
        raise _not_in_list() from None
    except Conflict as exc:
        return _item_page(request, user, db, code, {"reveal": str(exc)}, status=409)
    return redirect(f"/panel/{code}#findings")


DETAIL_THANKS = ("Thank you. The panel's organiser will see what you reported and hide it, or take the letter "
                 "out of the panel's list. Please do not discuss it with anyone. You can still rate the letter.")


@router.post("/panel/{code}/detail")
def report_detail(request: Request, code: str, user: Panel, form: PostedForm, db: DbDep):
    """A member tells the organiser the letter shows something that should have been hidden."""
    words = str(form.get("words", ""))
    try:
        rating.report_detail(db, user.user, _code(code), words or None)
    except NotFound:
        raise _not_in_list() from None
    except (LetterError, Conflict) as exc:
        message = exc.message if isinstance(exc, LetterError) else str(exc)
        return _item_page(request, user, db, code, {"detail-words": message[0].upper() + message[1:] + "."},
                          status=400, detail_words=rating.without_control(words))
    return redirect(f"/panel/{code}?saved=detail")


@router.post("/panel/{code}/findings/{number}")
def judge(request: Request, code: str, number: int, user: Panel, form: PostedForm, db: DbDep):
    try:
        rating.judge(db, user.user, _code(code), number, str(form.get("verdict", "")),
                     str(form.get("note", "")) or None)
    except NotFound:
        raise _not_in_list() from None
    except (LetterError, Conflict) as exc:
        return _item_page(request, user, db, code, {"findings": str(exc)}, status=400)
    return redirect(f"/panel/{code}?saved=verdict#finding-{number}")


# ---- managers: periods, drawing a sample, the period report -------------------------------

def _periods(db) -> list[dict]:
    return [{**p, "words": periods.period_words(p)} for p in periods.list_periods(db)]


def _members(db) -> list[dict]:
    """Panel members who can sign in (a manager can send each a one-time sign-in link)."""
    return list(db.query("SELECT id, name FROM users WHERE role = 'panel' AND disabled = 0 ORDER BY lower(name)"))


@router.get("/panel-periods")
def periods_page(request: Request, user: Manager, db: DbDep, drawn: str | None = None):
    return render(request, "panel_periods.html", {"periods": _periods(db), "drawn": drawn, "members": _members(db),
                                                  "errors": {}, "values": {}}, user=user)


@router.post("/panel-periods")
def draw_sample(request: Request, user: Manager, form: PostedForm, db: DbDep):
    name = str(form.get("period", "")).strip()
    errors = {}
    if not PERIOD.match(name):
        errors["period"] = "Give the period a name such as 2025Q1 (a quarter) or 2025-03 (a month)."
    else:
        try:
            # From the pages, a manager checks the anonymised letters first unless they untick it.
            out = sampling.draw(db, user.user, name, preview=str(form.get("preview", "")) == "yes")
        except LetterError as exc:
            errors["period"] = exc.message
        except Conflict as exc:
            errors["period"] = str(exc)
    if errors:
        return render(request, "panel_periods.html", {"periods": _periods(db), "drawn": None, "members": _members(db),
                                                      "errors": errors, "values": {"period": name}}, 400, user)
    if str(form.get("preview", "")) == "yes":
        return redirect(f"/panel-periods/{out['period']}?drawn=1")
    return redirect(f"/panel-periods?drawn={out['period']}")


def _period_or_404(db, name: str) -> dict:
    if not PERIOD.match(name):
        raise PageNotFound()
    try:
        return periods.get_period(db, name)
    except NotFound:
        raise PageNotFound() from None


def _preview_page(request, user, db, name: str, errors=None, notice=None, status=200):
    period = _period_or_404(db, name)
    items = sampling.preview_items(db, name)
    for it in items:  # (the day each report was made, as the pages say days)
        for r in it["detail_reports"]:
            r["day"] = long_date(clock.uk_date(r["reported_at"]))
    # Letters drawn straight to the panel are in its queues already: none waits for approval.
    waiting = sum(1 for i in items if not i["approved_at"]) if period["preview"] else 0
    return render(request, "panel_preview.html", {
        "period": {**period, "words": periods.period_words(period)}, "items": items, "errors": errors or {},
        "notice": notice, "waiting": waiting, "progress": sampling.member_progress(db, name),
        "decisions": DECISION_LABELS, "offences": OFFENCE_LABELS}, status, user)


@router.get("/panel-periods/{name}")
def preview_page(request: Request, name: str, user: Manager, db: DbDep, done: str | None = None, drawn: str | None = None):
    """The period's letters as the panel will read them: hide more words, then approve."""
    notice = {"hidden": "The letter is anonymised again with those words hidden.",
              "approved": "Approved: the panel members can now read it.",
              "removed": "The letter is out of the panel's list: its removal and the reason are on record."}.get(done or "")
    if drawn:
        notice = "The sample is drawn. Check each letter below before the panel sees it."
    return _preview_page(request, user, db, name, notice=notice)


@router.post("/panel-periods/{name}/items/{item_id}/hide")
def hide_words(request: Request, name: str, item_id: int, user: Manager, form: PostedForm, db: DbDep):
    _period_or_404(db, name)
    words = str(form.get("words", "")).replace(",", "\n").splitlines()
    try:
        sampling.hide_words(db, user.user, name, item_id, words)
    except NotFound:
        raise PageNotFound() from None
    except (LetterError, Conflict) as exc:
        message = exc.message if isinstance(exc, LetterError) else str(exc)
        return _preview_page(request, user, db, name, {f"words-{item_id}": message[0].upper() + message[1:] + "."},
                             status=400)
    return redirect(f"/panel-periods/{name}?done=hidden#item-{item_id}")


@router.post("/panel-periods/{name}/items/{item_id}/remove")
def remove_item(request: Request, name: str, item_id: int, user: Manager, form: PostedForm, db: DbDep):
    """Take a letter out of the period's sample, with a reason (as the API's .../remove): a letter
    a panel member says still shows who someone is, once rated and its text fixed, or any other.
    Managers had no page for it: a refused delete told them to use the API."""
    period = _period_or_404(db, name)
    row = db.execute("SELECT letter_id FROM panel_items WHERE id = ? AND period_id = ? AND removed_at IS NULL",
                     [item_id, period["id"]]).fetchone()
    if row is None:
        raise PageNotFound()
    reason = str(form.get("reason", ""))
    if len(reason.strip()) > sampling.REASON_MOST:  # (the API refuses it too: never cut short unsaid)
        return _preview_page(request, user, db, name, {f"reason-{item_id}": (
            f"Say why in {sampling.REASON_MOST} characters or fewer (this has {len(reason.strip()):,}).")}, status=400)
    try:
        sampling.remove_letter(db, user.user, name, row[0], reason)
    except NotFound:
        raise PageNotFound() from None
    except LetterError:
        return _preview_page(request, user, db, name, {f"reason-{item_id}": "Say why the letter is taken out."},
                             status=400)
    return redirect(f"/panel-periods/{name}?done=removed")


@router.post("/panel-periods/{name}/approve")
def approve(request: Request, name: str, user: Manager, form: PostedForm, db: DbDep):
    _period_or_404(db, name)
    raw = str(form.get("item_id", ""))
    number = whole_number(raw, digits=11)
    if raw and number is None:  # a letter was meant but the number is not one: approve nothing
        raise PageNotFound()
    sampling.approve(db, user.user, name, [number] if number is not None else None)
    return redirect(f"/panel-periods/{name}?done=approved" + (f"#item-{number}" if number is not None else ""))


def _report_or_404(db, name: str) -> dict:
    if not PERIOD.match(name):
        raise PageNotFound()
    try:
        return report.build(db, name)
    except NotFound:
        raise PageNotFound() from None


@router.get("/panel-periods/{name}/report")
def period_report(name: str, user: Manager, db: DbDep):
    data = _report_or_404(db, name)
    return Response(report.render_html(data), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_POLICY})


@router.get("/panel-periods/{name}/report.csv")
def period_report_csv(name: str, user: Manager, db: DbDep):
    data = _report_or_404(db, name)
    return Response(report.render_csv(data), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="panel-report-{name}.csv"'})
