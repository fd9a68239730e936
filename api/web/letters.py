"""A checked letter (highlights, findings, suggestions, versions, sending, Word download) and the
letters list with search and CSV export."""
from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from vcl_qa.engine import report, workdays
from vcl_qa.panel import feedback as panel_feedback
from vcl_qa.errors import LetterError
from vcl_qa import csv_safe, labels
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.letter import control_characters_shown
from vcl_qa.engine.result import DIMENSIONS
from vcl_qa.engine.rules import load_rules
from vcl_qa.db import audit
from vcl_qa.db.teams import known_teams
from vcl_qa.decisions import agreement
from vcl_qa.letters import store
from vcl_qa.letters import service
from vcl_qa.letters import word
from vcl_qa.reports import exports
from vcl_qa import clock

from ..deps import DbDep
from ..deps import check_visible, scoring_slot
from . import letter_view
from .check import named_error
from .forms import DECISION_LABELS, FIELD_ORDER, context_from_form, date_from_form, date_parts
from .session import PostedForm, StaffOrManager, redirect, render, settings

router = APIRouter(include_in_schema=False)

SEVERITY_WORDS = labels.SEVERITIES
VERDICT_WORDS = labels.VERDICTS
DIMENSION_WORDS = labels.DIMENSIONS


class PageNotFound(Exception):
    """No such letter, or not one this user may see (404 page). `heading` and `message`: the
    page's words, where the staff wording ("... or it belongs to another team") is not the
    reader's (a panel member's letter taken out of the sample)."""

    def __init__(self, heading: str | None = None, message: str | None = None):
        super().__init__(heading, message)
        self.heading, self.message = heading, message


def due_in_words(metrics: dict, status: str, sent_date: str | None, today: dt.date | None = None) -> str | None:
    """'due by Friday 20 December: 1 working day left' or '2 working days late', counted from the
    letter's date (the engine's) for a sent or dated letter, else from today."""
    if not metrics.get("due_date"):
        return None
    due = dt.date.fromisoformat(metrics["due_date"])
    today = today or clock.today()
    on = dt.date.fromisoformat(sent_date or metrics.get("letter_date") or today.isoformat())
    left = workdays.working_days_between(on, due)
    unit = lambda n: "working day" if abs(n) == 1 else "working days"  # noqa: E731
    if on > due and left == 0:  # a weekend or bank holiday after the due date: late all the same
        return f"late: {'sent' if sent_date else 'dated'} after the due date of {long_date(due, today)}"
    if left < 0:
        return f"{-left} {unit(left)} late (it was due by {long_date(due, today)})"
    if status == "sent":
        return f"sent on time (due by {long_date(due, today)})"
    if left == 0:
        return f"due by {long_date(due, today)}: due on the letter's date, no working days left"
    return f"due by {long_date(due, today)}: {left} {unit(left)} left"


# What `?error=` may ask the letter page to say: keys only, so that no link can put its own
# words on this page. Messages with details are shown by the handler itself (status 400).
ERROR_MESSAGES = {
    "sent": "This letter has been sent, so it cannot change. Check a new letter instead.",
    "purged": "This letter's text and personal details were removed under the retention rules, "
              "so it cannot change. Check a new letter instead.",
    "date": "The sent date is not a real date.",
    "busy": "Someone else changed this letter at the same moment. Please try again.",
    "moved": "The letter changed since that suggestion was made, so it was not applied. "
             "Look at the letter again and use the suggestion shown now.",
}
SAVED_MESSAGES = {
    "version": "Saved as a new version and checked again.",
    "changed": "Changed and saved as a new version, then checked again.",
    "suppressed": "Marked as not a problem in this letter. It stays in the list, struck through, "
                  "and the score was worked out again.",
    "restored": "Restored: that finding counts again, and the score was worked out again.",
    "restored-still": "That mark was restored, but the finding still does not count: another mark "
                      "sets the whole check aside (shown under “Marked not a problem”). Restore that "
                      "one too for it to count.",
    "restored-gone": "That mark was restored. The words it was about are not in the latest version, "
                     "so the score did not change.",
    "unsent": "The letter is a draft again. The undo is in the audit log.",
    "word-markup": "Checked. Your Word file still has tracked changes, comments or hidden text. "
                   "It was checked as if the changes were accepted, without the comments and "
                   "hidden text. Before you print or send it, open it in Word and accept or reject "
                   "every change, and delete the comments and hidden text (Review tab): Word "
                   "prints changes and comments unless told not to.",
}


def _conflict_key(exc: Exception) -> str:
    if isinstance(exc, store.Purged):
        return "purged"
    return "sent" if "sent" in str(exc) else "busy"


def _load(db, user, letter_id: int, text_budget: int | None = 0) -> dict:
    """The letter for a page: the latest version's text only, unless `text_budget` says more
    (store.get_letter: a letter saved hundreds of times read every version's text)."""
    if not 1 <= letter_id < 2**63:  # beyond SQLite's integers: no such letter
        raise PageNotFound()
    try:
        check_visible(db, user.user, letter_id)
        return store.get_letter(db, letter_id, text_budget=text_budget)
    except store.NotFound:
        raise PageNotFound() from None


# Each list's name: one per severity ("worth a look" in labels.SEVERITIES' words).
SET_ASIDE_KINDS = {"error": "Must-fix problems", "warning": "Should-fix problems",
                   "suggestion": f"Suggestions ({SEVERITY_WORDS['suggestion'].lower()})"}


def _set_aside_problem(severity: str) -> str | None:
    """Why `severity` cannot be listed, or None: must fix ("error", the default), should fix
    ("warning": a wrong, shorter review deadline, review 10a) and suggestions ("suggestion") can.
    Anything else is said, never swapped for the must-fix list as if it had been asked for."""
    if severity in SET_ASIDE_KINDS:
        return None
    return (f"'{severity[:30]}' is not a kind of problem. Choose must-fix problems (severity=error), "
            "should-fix problems (severity=warning) or suggestions (severity=suggestion).")


@router.get("/letters/set-aside")
def set_aside_page(request: Request, user: StaffOrManager, db: DbDep, severity: str = "error"):
    """Must-fix (or, `severity=warning`, should-fix; `severity=suggestion`, suggestions)
    findings marked 'not a problem' in the user's area (staff: their team)."""
    problem = _set_aside_problem(severity)
    if problem:
        return render(request, "set_aside.html", {"problem": problem, "severity": None, "rows": [], "count": 0,
                                                  "kind": "Problems"}, 400, user)
    rows, count = store.set_aside(db, team=user.team if user.role == "staff" else None, severity=severity)
    audit.record_read(db, user.user, "letters.set_aside", "letter", None, {"count": count, "severity": severity})
    return render(request, "set_aside.html", {"rows": rows, "count": count, "when": letter_view.when,
                                              "severity": severity, "kind": SET_ASIDE_KINDS[severity]}, user=user)


@router.get("/letters/set-aside.csv")
def set_aside_csv(user: StaffOrManager, db: DbDep, severity: str = "error"):
    problem = _set_aside_problem(severity)
    if problem:
        return Response(problem + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    rows, count = store.set_aside(db, team=user.team if user.role == "staff" else None, severity=severity,
                                  limit=100_000)
    buf = io.StringIO()
    writer = csv_safe.DictWriter(buf, fieldnames=SET_ASIDE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({"Letter": r["letter_id"], "Team": r["team"], "Check": _title(r["rule"]),
                      "Words": r["text"] or "", "Finding": r["message"], "Reason": r["reason"],
                      "Marked by": r["by"] or "", "Marked (UK time)": letter_view.when_csv(r["created_at"]),
                      "Check code": r["rule"]} for r in rows)
    audit.record_read(db, user.user, "letters.set_aside_export", "letter", None, {"rows": count})
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="set-aside.csv"'})


# Plain headers, the check's code last in a column headed "... code" (as /letters.csv), and the
# time it was marked as the training CSV gives one ("2025-03-04 14:05", UK time).
SET_ASIDE_COLUMNS = ("Letter", "Team", "Check", "Words", "Finding", "Reason", "Marked by", "Marked (UK time)",
                     "Check code")


def _title(rule_id: str) -> str:
    rule = load_rules().by_id.get(rule_id)
    return rule.title if rule else rule_id


@router.get("/letters/{letter_id}")
def letter_page(request: Request, letter_id: int, user: StaffOrManager, db: DbDep,
                saved: str | None = None, error: str | None = None):
    """The letter page; `error` and `saved` are keys of ERROR_MESSAGES and SAVED_MESSAGES."""
    return _letter_view(request, letter_id, user, db, saved, ERROR_MESSAGES.get(error or ""))


def _letter_view(request: Request, letter_id: int, user, db, saved: str | None = None,
                 error_text: str | None = None, status: int = 200, text: str | None = None,
                 newer: dict | None = None, refused_mark: dict | None = None, unsaved: str | None = None):
    """`refused_mark`: a "Not a problem" form that was refused (its rule, term, card number and
    the reason typed): that finding's box is shown open, with the reason kept and the error
    beside it, and the error summary links to it. `unsaved`: text typed for a letter that can
    no longer change (sent or purged meanwhile), shown read-only with "Check this as a new
    letter" (the check page, with it in the box and this letter's case details)."""
    letter = _load(db, user, letter_id)
    audit.record_read(db, user.user, "letter.read", "letter", letter_id)
    saved_result = letter["result"]
    with scoring_slot:  # an undated draft saved on an earlier day: as it stands today (not stored)
        current, saved_for = service.current_result(db, letter)
    letter["result"] = current
    result = current or {"findings": [], "metrics": {}, "dimensions": {}}
    listed = {"most": int(settings().get("findings_listed_most", 100)),
              "alike": int(settings().get("findings_listed_alike", 10))}
    view = letter_view.view_context(letter, result, user, **listed)
    reason_error = _reason_error(view["findings"], refused_mark, error_text) if refused_mark else None
    control_note = None
    if text is not None:  # what the writer sent, kept when it could not be saved
        view["text"] = text
    elif letter["status"] != "sent" and view["text"]:  # saved before control characters were refused
        view["text"], control_note = control_characters_shown(view["text"])
    comparison = None
    held = [v["version"] for v in letter["versions"]]
    if len(held) > 1:  # the last two held (numbers may skip those a restore kept back)
        comparison = store.compare(db, letter_id, held[-2], held[-1])
    context = dict(letter.get("context") or {})
    context.pop("suppress", None)
    rules = load_rules().rules
    # the check while typing applies the letter's standing marks, each on a wording where its
    # words were, carried through the edits typed (`marks_of`: store.carried_marks)
    data = {"letter": letter_id, "version": letter["latest_version"], "text": view["text"], "context": context,
            "marks_of": letter_id,
            "findings": [_script_finding(f) for f in view["findings"]],
            # how many findings the list shows (the page's own findings are those it lists)
            "listed": listed,
            "editable": letter["status"] != "sent", "verdicts": VERDICT_WORDS, "severities": SEVERITY_WORDS,
            "rule_titles": {r.id: r.title for r in rules}, "top_rules": [r.id for r in rules if r.kind == "header_line"],
            # a greeting for a letter with none: at the top of its body (api/static/greeting.js)
            "greeting_rules": [r.id for r in rules if letter_view.insert_where(r) == "greeting"],
            "unmarkable_rules": [r.id for r in rules if not r.markable],
            # where a paragraph goes (api/static/insert.js): the sign-offs, greetings, header and
            # reference lines the checker knows (rules/structure.yml), each rule's
            # `insert_place`, and the words that give the decision (an early paragraph goes after them)
            **letter_view.insert_data(rules, view["text"], context)}
    saved_text = SAVED_MESSAGES.get(saved or "")
    if saved in ("version", "changed"):
        saved_text = saved_text.replace("a new version", f"version {letter['latest_version']}")
    if saved == "sent":
        saved_text = f"Marked as sent on {long_date(letter['sent_date'])}." if letter["sent_date"] else None
    return render(request, "letter.html", {
        **view, "letter": letter, "result": result, "data_json": _script_json(data),
        "comparison": comparison, "saved": saved_text, "error": error_text, "control_note": control_note,
        "dimensions": [(d, DIMENSION_WORDS[d], _dimension(result["dimensions"].get(d, {}))) for d in DIMENSIONS],
        "verdict_words": VERDICT_WORDS.get(result.get("verdict"), ""), "decisions": DECISION_LABELS,
        "feedback": panel_feedback.feedback(db, letter_id), "long_date": long_date,
        "may_undo_sent": letter["status"] == "sent" and service.may_undo_sent(user.user, store.letter_row(db, letter_id)),
        "days": letter_view.days, "when": letter_view.when, "unchecked": _unchecked(result), "newer": newer,
        "reason_error": reason_error, "error_link": f"reason-{reason_error['n']}" if reason_error else None,
        "unsaved": unsaved, "carried": _carried_details(letter) if unsaved is not None else {},
        "undated": service.undated_draft(letter), "today": clock.today(),
        "past_dated": letter_view.past_dated(letter, result.get("metrics") or {}),
        "saved_for": saved_for, "saved_score": (saved_result or {}).get("score"),
        "disagreements": agreement.for_letter(db, letter),
    }, status, user=user)


def _carried_details(letter: dict) -> dict[str, str]:
    """The letter's case details as the check form takes them (dates as ISO, yes and no), for
    checking typed text as a new letter. Not the letter date: a new letter has its own."""
    out = {}
    for field, value in (letter.get("context") or {}).items():
        if field in FIELD_ORDER and field != "letter_date" and value is not None and value != "":
            out[field] = {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)
    if letter.get("team"):
        out["team"] = str(letter["team"])
    return out


def _reason_error(findings: list[dict], mark: dict, message: str | None) -> dict | None:
    """The card a refused "Not a problem" form belongs to: the one it came from (its number),
    when that card is still the same check and words, else the first with that check and words.
    None when no card listed has them (the error is then said at the top only)."""
    def same(f: dict) -> bool:
        words = f.get("text") if f.get("start") is not None and f.get("text") else None
        return f.get("rule") == mark["rule"] and words == mark["term"] and f.get("markable", True)

    card = next((f for f in findings if str(f.get("n")) == mark["n"] and same(f)), None) \
        or next((f for f in findings if same(f)), None)
    if card is None:
        return None
    return {"n": card["n"], "message": message, "reason": mark["reason"]}


def _dimension(dim: dict) -> dict:
    """A dimension's figures, and whether it was only partly checked (engine/report.py)."""
    return {**dim, "partly": bool(dim.get("assessed")) and report.partly_checked(dim.get("not_assessed") or [])}


def _unchecked(result: dict) -> list[str]:
    """What could not be checked for a reason other than a missing detail (those are asked for
    in the form): "The letter is in Welsh, so these were not checked: ...". The text report's
    sentences, so the pages and the command line say the same."""
    dims = {d: SimpleNamespace(not_assessed=(result.get("dimensions", {}).get(d) or {}).get("not_assessed") or [])
            for d in DIMENSIONS}
    sentences, _ = report.not_checked(SimpleNamespace(dimensions=dims))
    return [s for s in sentences if not s.startswith("Set ")]


def _script_finding(f: dict) -> dict:
    return {k: f.get(k) for k in ("n", "start", "end", "text", "severity", "kind", "rule",
                                  "replace_start", "replace_end", "replacements")}


def _problem(request: Request, letter_id: int, user, db, message: str, text: str | None = None):
    """The letter page again, saying what was wrong (400), instead of a redirect."""
    return _letter_view(request, letter_id, user, db, error_text=message, status=400, text=text)


# The handlers that score or write are plain `def`s: they run in the thread pool (scoring under
# the API's scoring slot), so a long letter or a database lock held elsewhere stalls only them.
@router.post("/letters/{letter_id}/versions")
def save_version(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    """Save the edited letter as a new version, with any letter details filled in below it."""
    _load(db, user, letter_id)
    text = str(form.get("text", ""))
    values: dict[str, str] = {}
    for field in FIELD_ORDER:
        try:
            values[field] = date_from_form(form, field) if field in letter_view.DATE_FIELDS \
                else str(form.get(field, "") or "").strip()
        except ValueError as exc:
            return _problem(request, letter_id, user, db, f"{letter_view.FIELD_LABELS[field]} {exc}.", text)
    context, errors = context_from_form({k: v for k, v in values.items() if v})
    if errors:
        field, message = next(iter(errors.items()))
        return _problem(request, letter_id, user, db,
                        named_error(field, message), text)
    # The version the form was opened on: saving over a newer one is refused (below), so that a
    # second person's save never silently throws away the first one's changes. A form without it
    # (a page opened before this field existed) saves as before.
    base = _version_number(form.get("base_version"))
    # After a refusal, the form still carries the version it was opened on, so pressing Save
    # again is refused again: only the box "Save my text in place of version N" (N: the newer
    # version shown) saves over it, and only while N is still the latest.
    replacing = _version_number(form.get("replace_version"))
    # (after a restore the version shown is older than the one opened: the tick saves over it too)
    if base is not None and replacing is not None and replacing != base:
        return _save(request, letter_id, user, db, text, context, "version", replacing, opened=base)
    return _save(request, letter_id, user, db, text, context, "version", base)


def _version_number(raw) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _save(request, letter_id: int, user, db, text: str, context: dict, saved: str,
          base_version: int | None = None, opened: int | None = None):
    """`opened`: the version the form was opened on, when the writer chose to save over a newer
    one (`base_version`); a refusal then still names and keeps the version they opened."""
    try:
        with scoring_slot:
            service.submit(db, user.user, text, context, letter_id=letter_id, source="web",
                           base_version=base_version)
    except LetterError as exc:
        return _problem(request, letter_id, user, db, exc.message[:1].upper() + exc.message[1:] + ".", text)
    except service.NewerVersion as exc:
        if saved == "changed":  # a one-click change: saved meanwhile, nothing typed to keep
            return _change_outdated(request, letter_id, user, db, exc.base, exc.latest)
        return _newer_version(request, letter_id, user, db, exc, text, opened if opened is not None else exc.base)
    except store.Conflict as exc:
        key = _conflict_key(exc)
        if key == "busy":  # still a draft: the page again, the text kept in the editor
            return _letter_view(request, letter_id, user, db, error_text=ERROR_MESSAGES[key], status=409, text=text)
        # Sent (in another tab, or by someone else) or purged while this was typed: the letter
        # cannot change, but the typed text is kept, to copy or to check as a new letter.
        return _letter_view(request, letter_id, user, db, error_text=UNSAVED_MESSAGES[key], status=409,
                            unsaved=text)
    return redirect(f"/letters/{letter_id}?saved={saved}")


UNSAVED_MESSAGES = {
    "sent": "This letter was marked as sent while you were changing it, so your changes were not saved: "
            "a sent letter cannot change. Your text is kept below. Copy it, or press “Check this as a new "
            "letter” to check it as a new letter.",
    "purged": "This letter's text and personal details were removed under the retention rules while you "
              "were changing it, so your changes were not saved. Your text is kept below. Copy it, or "
              "press “Check this as a new letter” to check it as a new letter.",
}


def _saver(user, author: str | None, *, mid_sentence: bool = False) -> str:
    """Who saved the newer version, as the person refused reads it: their own name would read as
    someone else with it; it was them, in another tab or window (`mid_sentence`: after a colon,
    "you" and "someone else" in small letters)."""
    if author and author == user.name:
        who = "You, in another tab or window,"
    elif author:
        return author
    else:
        who = "Someone else"
    return who[:1].lower() + who[1:] if mid_sentence else who


def _newer_version(request, letter_id: int, user, db, exc, text: str, opened: int):
    """Someone saved a newer version while this person edited an older one (`opened`): nothing
    is saved; the page shows their own text still in the editor, the newer version beside the
    message with a link to what changed, and the box "Save my text in place of version N".
    The form still carries the version opened, so Save alone is refused again (409)."""
    letter = _load(db, user, letter_id)
    newer = {"version": exc.latest, "base": opened if 1 <= opened < exc.latest else None,
             "author": exc.author, "text": letter["versions"][-1]["text"] or "", "opened": opened}
    by = _saver(user, exc.author)
    when = f" on {letter_view.when(exc.saved_at)}" if exc.saved_at else ""
    if opened > exc.latest:  # not newer work: the letter went back (a restore), or no such version
        what = ("was made after the backup the service was restored from, so it is not held any more"
                if exc.restored else "is not a version of this letter")
        happened = (f"Version {opened}, which you opened, {what}: the letter is at version {exc.latest}, "
                    f"saved by {exc.author or 'someone'}{when}. Your changes were not saved.")
    else:
        happened = (f"{by} saved version {exc.latest} of this letter{when}, after you opened version "
                    f"{opened}, so your changes were not saved.")
    message = (f"{happened} Your text is still in the box below. "
               f"Read version {exc.latest} (under this message) and bring its changes into your text. "
               f"Then tick “Save my text in place of version {exc.latest}” and save: without the tick, "
               "saving is refused again, so nobody's changes are replaced by mistake.")
    return _letter_view(request, letter_id, user, db, error_text=message, status=409, text=text,
                        newer=newer)


@router.post("/letters/{letter_id}/changes")
def change_words(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    """One change to the latest version, without scripts: a suggested replacement, or the value
    for template text. Made only on the version the page showed (`version`: the change was
    checked against that version's sentence, and a newer one may have the same words at the same
    place in a sentence changed round them), and only if the words are still where they were."""
    letter = _load(db, user, letter_id)
    text = letter["versions"][-1]["text"] or ""
    latest = letter["latest_version"]
    seen = _version_number(form.get("version"))
    if seen is not None and seen != latest:
        return _change_outdated(request, letter_id, user, db, seen, latest)
    try:
        start, end = int(form.get("start", "")), int(form.get("end", ""))
    except ValueError:
        return redirect(f"/letters/{letter_id}?error=moved")
    if not 0 <= start <= end <= len(text) or text[start:end] != str(form.get("original", "")):
        return redirect(f"/letters/{letter_id}?error=moved")
    value = str(form.get("value", "") or "")
    if not value.strip():
        label = str(form.get("label", "") or "the missing words")
        return _problem(request, letter_id, user, db, f"Type {label.lower()} in the box, then press Put it in.")
    if value.rstrip()[-1:] in (".", "!", "?") and text[end:end + 1] == ".":
        end += 1  # a sentence typed over "Click or tap here to enter text." brings its own full stop
    # saved only over the version just read: one saved meanwhile refuses it the same way
    return _save(request, letter_id, user, db, text[:start] + value + text[end:], {}, "changed", latest)


def _moved_words(user, author: str | None, saved_at: str | None, seen: int, latest: int, why: str = "") -> str:
    """What happened to the letter since the page opened version `seen` (`why`: what it was
    opened for, " to mark it as sent"): who saved which version and when, or that the version
    opened is not held any more (a restore took the letter back, or no such version)."""
    when = f" on {letter_view.when(saved_at)}" if saved_at else ""
    if seen < latest:
        return f"{_saver(user, author, mid_sentence=True)} saved version {latest} of this letter{when}, after you opened version {seen}{why}"
    return (f"version {seen}, which you opened, is not held any more: the letter is at version "
            f"{latest}, saved by {author or 'someone'}{when}")


def _change_outdated(request, letter_id: int, user, db, seen: int, latest: int):
    """A one-click change pressed on a page of version `seen` when the letter is at `latest`:
    nothing is changed (the change was worked out for the sentence as it was in `seen`), and the
    page, now showing the latest version, says who saved it and what to do."""
    author, saved_at = store.version_author(db, letter_id, latest)
    happened = _moved_words(user, author, saved_at, seen, latest)
    message = (f"Nothing was changed: {happened}. The change was worked out for the words around it "
               f"in version {seen}, which may read differently now. This page now shows version "
               f"{latest}: read it, and use the change there if it is still offered.")
    return _letter_view(request, letter_id, user, db, error_text=message, status=409)


@router.post("/letters/{letter_id}/suppressions")
def suppress(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    """'Not a problem in this letter' for one finding (its rule, and its words when it has any)."""
    _load(db, user, letter_id)
    rule = str(form.get("rule", ""))
    term = str(form.get("term", "")) or None
    reason = str(form.get("reason", ""))
    try:
        with scoring_slot:
            service.suppress(db, user.user, letter_id, rule, reason, term,
                             seen_version=_version_number(form.get("version")))
    except service.MarkOutdated as exc:
        return _mark_outdated(request, letter_id, user, db, exc)
    except LetterError as exc:
        # The page again, with that finding's box open, the reason kept and the summary linking to it.
        mark = {"rule": rule, "term": term, "n": str(form.get("n", "")), "reason": reason}
        return _letter_view(request, letter_id, user, db, error_text="Not a problem: " + exc.message + ".",
                            status=400, refused_mark=mark)
    except store.AlreadySetAside as exc:
        return _letter_view(request, letter_id, user, db, error_text=f"Not a problem: {exc}.", status=409)
    except store.Conflict as exc:
        return redirect(f"/letters/{letter_id}?error={_conflict_key(exc)}")
    return redirect(f"/letters/{letter_id}?saved=suppressed")


def _mark_outdated(request, letter_id: int, user, db, exc: service.MarkOutdated):
    """A newer version, saved after this page was opened, no longer has the finding marked:
    nothing is marked, and the page (now showing the newer version) says so and what to do."""
    by = _saver(user, exc.author)
    when = f" on {letter_view.when(exc.saved_at)}" if exc.saved_at else ""
    message = (f"Nothing was marked not a problem: {by} saved version {exc.latest} of this letter{when}, "
               f"after you opened version {exc.seen}, and that finding is not in version {exc.latest}. "
               f"This page now shows version {exc.latest}: read it, and mark what it still finds if that "
               "is not a problem.")
    return _letter_view(request, letter_id, user, db, error_text=message, status=409)


@router.post("/letters/{letter_id}/suppressions/{suppression_id}/restore")
def restore(request: Request, letter_id: int, suppression_id: int, user: StaffOrManager,
            form: PostedForm, db: DbDep):
    """Undo 'not a problem': the finding counts again."""
    _load(db, user, letter_id)
    try:
        with scoring_slot:
            out = service.unsuppress(db, user.user, letter_id, suppression_id)
    except store.NotFound:
        raise PageNotFound() from None
    except store.Conflict as exc:
        if isinstance(exc, store.Purged):
            return redirect(f"/letters/{letter_id}?error=purged")
        return _problem(request, letter_id, user, db, "That finding was already restored.")
    except LetterError as exc:  # the day's storage (service.check_rescore_storage): said, nothing changed
        return _problem(request, letter_id, user, db, exc.message[:1].upper() + exc.message[1:] + ".")
    if out["counts_again"]:
        return redirect(f"/letters/{letter_id}?saved=restored")
    return redirect(f"/letters/{letter_id}?saved={'restored-still' if out['still_set_aside'] else 'restored-gone'}")


@router.get("/letters/{letter_id}/send")
def send_page(request: Request, letter_id: int, user: StaffOrManager, db: DbDep):
    """The check before marking a letter as sent: the date (the letter's own by default), the
    due date and whether it is late that day, and the must-fix problems it would go out with."""
    letter = _load(db, user, letter_id)
    if letter["status"] == "sent":
        return redirect(f"/letters/{letter_id}")
    day = service.default_sent_date(db, letter_id)
    return _send_view(request, db, letter, user, day)


def _judged(db, letter: dict, day: dt.date) -> dict:
    """The letter's latest version as it will be once sent on `day` (what mark_sent stores)."""
    with scoring_slot:
        return service.judged_on(db, letter["id"], day) or {"findings": [], "metrics": {}}


def _must_fix_view(result: dict, letter: dict) -> list[dict]:
    return [f for f in letter_view.findings_view(result, letter.get("suppressions") or [], "")
            if f["severity"] == "error" and not f.get("suppressed")]


def _send_view(request, db, letter: dict, user, day: dt.date, errors: dict | None = None,
               typed: dict | None = None, status: int = 200, judged: dict | None = None,
               reason: str = "", newer: dict | None = None):
    """The check for the letter as sent on `day`: scored for that day as mark_sent will store it,
    so the due date line and the must-fix problems listed (timeliness.late, the delay apology)
    agree, and the tick is asked for whenever there are any. A day before the letter was first
    saved here asks why it went out first (`reason`: as typed). `newer`: the form was opened on
    an older version (_send_outdated): the latest is shown, with its text."""
    result = judged if judged is not None else _judged(db, letter, day)
    metrics = dict(result.get("metrics") or {})
    facts = letter_view.due_facts({**metrics, "letter_date": day.isoformat()}, "draft", None)
    must_fix = _must_fix_view(result, letter)
    first = dt.date.fromisoformat(letter["first_saved_on"])
    return render(request, "send.html", {
        "letter": letter, "day": day, "typed": typed or {"day": day.day, "month": day.month, "year": day.year},
        "due": facts, "must_fix": must_fix, "errors": errors or {}, "long_date": long_date,
        "days": letter_view.days, "today": clock.today(), "score": result.get("score"),
        "checked_day": day.isoformat(), "seen": " ".join(sorted(f["rule"] for f in must_fix)),
        "first_saved": first, "before_saved": day < first or "sent_before_saved_reason" in (errors or {}),
        "reason": reason, "newer": newer,
    }, status, user=user)


def _before_saved_error(letter: dict, day: dt.date, reason: str) -> str | None:
    """What the send form says when the day given is before the letter was first saved here and
    the reason is missing or will not do (service.check_before_saved, as the API's); None when
    it is fine."""
    try:
        service.check_before_saved(letter, day.isoformat(), reason)
    except LetterError as exc:
        if reason.strip():
            return exc.message[:1].upper() + exc.message[1:] + "."
        first = dt.date.fromisoformat(letter["first_saved_on"])
        return (f"The date it was sent ({long_date(day)}) is before this letter was first saved here "
                f"({long_date(first)}): say why it went out first, or give the day it went out.")
    return None


def _not_seen(must_fix: list[dict], form) -> list[dict]:
    """Must-fix problems the writer was not shown before ticking "I confirm": the form carries
    the checks of those listed (`seen`, one id each); a problem of another check, or more of one
    than were listed (a later day than the one checked, say, adding a late letter), was not."""
    from collections import Counter

    seen = Counter(str(form.get("seen", "") or "").split())
    out = []
    for f in must_fix:
        if seen[f["rule"]] > 0:
            seen[f["rule"]] -= 1
        else:
            out.append(f)
    return out


@router.post("/letters/{letter_id}/sent")
def mark_sent(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    """Mark the letter as sent. While it would go out with must-fix problems (judged as sent on
    the day given: a late letter is late), only with `confirm`, given after those were listed;
    on a day before it was first saved here, only with the reason it went out first."""
    letter = _load(db, user, letter_id)
    typed = {p: str(form.get(f"sent_date-{p}", "") or "").strip() for p in ("day", "month", "year")}
    reason = str(form.get("sent_before_saved_reason", "") or "")
    # The version the page showed (a form without it, opened before this field existed, marks
    # the latest as before). Checked first: the date and the must-fix problems are the latest
    # version's, which the sender has not read, and a page shown again for another error would
    # carry the newer version's number without a word.
    opened = _version_number(form.get("base_version"))
    try:
        service.refuse_outdated_send(db, store.letter_row(db, letter_id), opened)
    except service.SendOutdated as exc:
        return _send_outdated(request, db, user, exc, form, typed, reason)
    try:
        raw = date_from_form(form, "sent_date")
        day = dt.date.fromisoformat(raw) if raw else service.default_sent_date(db, letter_id)
    except ValueError as exc:
        message = f"The date it was sent {exc}" if str(exc).startswith("must") else "The sent date is not a real date."
        return _send_view(request, db, letter, user, service.default_sent_date(db, letter_id),
                          {"sent_date": message}, typed, 400, reason=reason)
    try:  # the date first: confirming a letter sent on an impossible day helps nobody
        service.check_sent_date(letter.get("context") or {}, day.isoformat())
    except LetterError as exc:  # the facts shown are for the default day, never the refused one
        return _send_view(request, db, letter, user, service.default_sent_date(db, letter_id),
                          {"sent_date": exc.message[:1].upper() + exc.message[1:] + "."}, typed, 400, reason=reason)
    errors = {}
    said_why = _before_saved_error(letter, day, reason)
    if said_why:
        errors["sent_before_saved_reason"] = said_why
    judged = _judged(db, letter, day)
    must_fix = _must_fix_view(judged, letter)
    unseen = _not_seen(must_fix, form) if form.get("confirm") else must_fix
    if unseen:
        n = len(must_fix)
        problems = f"{n} must-fix problem{'s' if n != 1 else ''}"
        if not form.get("confirm"):
            errors["confirm"] = (f"Sent on {long_date(day)}, this letter has {problems}. Tick the box to confirm "
                                 "it was sent as it is, or go back and fix them.")
        else:
            errors["confirm"] = (f"Sent on {long_date(day)}, this letter has {problems}, not all of them listed "
                                 "when you ticked the box: they are listed now. Tick the box to confirm it was "
                                 "sent as it is, or go back and fix them.")
    if errors:
        typed_back = typed if any(typed.values()) else None
        return _send_view(request, db, letter, user, day, errors, typed_back, 400, judged=judged, reason=reason)
    try:
        with scoring_slot:  # sending on another day than the letter date scores it again
            service.mark_sent(db, user.user, letter_id, day, reason, base_version=opened)
    except service.SendOutdated as exc:  # a version saved since the check above
        return _send_outdated(request, db, user, exc, form, typed, reason)
    except LetterError as exc:
        field = "sent_before_saved_reason" if exc.field == "sent_before_saved_reason" else "sent_date"
        return _send_view(request, db, letter, user, day,
                          {field: exc.message[:1].upper() + exc.message[1:] + "."}, typed, 400, reason=reason)
    except store.Conflict as exc:
        return redirect(f"/letters/{letter_id}?error={_conflict_key(exc)}")
    if must_fix:
        audit.record(db, user.user, "letter.sent_confirmed", "letter", letter_id,
                     {"must_fix_left": len(must_fix), "rules": sorted({f["rule"] for f in must_fix}),
                      "sent_date": day.isoformat()})
    return redirect(f"/letters/{letter_id}?saved=sent")


def _send_outdated(request, db, user, exc: service.SendOutdated, form, typed: dict, reason: str):
    """The send form was opened on another version (`exc.base`) than the letter's latest: nothing
    is marked (409). The check before sending is shown again for the latest version, with its
    text, a link to what changed, who saved it and when, so that the sender reads it and marks
    it sent again (the form now carries that version); the date and reason typed are kept, the
    tick is asked for again for the problems this version has."""
    letter = _load(db, user, exc.letter_id)
    day = service.default_sent_date(db, letter["id"])
    try:  # the day typed, when it is one the letter can be marked sent on
        raw = date_from_form(form, "sent_date")
        if raw:
            service.check_sent_date(letter.get("context") or {}, raw)
            day = dt.date.fromisoformat(raw)
    except (ValueError, LetterError):
        pass
    happened = _moved_words(user, exc.author, exc.saved_at, exc.base, exc.latest, " to mark it as sent")
    message = (f"Nothing was marked as sent: {happened}. "
               f"This page now shows version {exc.latest}: read it, and if it is the letter that went out, "
               "mark it as sent again.")
    newer = {"version": exc.latest, "base": exc.base if 1 <= exc.base < exc.latest else None,
             "author": "you" if exc.author and exc.author == user.name else exc.author,
             "text": letter["versions"][-1]["text"] or ""}
    return _send_view(request, db, letter, user, day, {"newer-version": message},
                      typed if any(typed.values()) else None, 409, reason=reason, newer=newer)


@router.post("/letters/{letter_id}/unsent")
def undo_sent(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    """Undo 'sent' (the person who marked it, that day, or a manager)."""
    _load(db, user, letter_id)
    try:
        with scoring_slot:
            service.undo_sent(db, user.user, letter_id)
    except service.NotPermitted as exc:
        return _problem(request, letter_id, user, db, str(exc)[:1].upper() + str(exc)[1:] + ".")
    except LetterError as exc:  # the day's storage (service.check_rescore_storage): said, nothing changed
        return _problem(request, letter_id, user, db, exc.message[:1].upper() + exc.message[1:] + ".")
    except store.Conflict as exc:
        return redirect(f"/letters/{letter_id}?error={_conflict_key(exc)}")
    return redirect(f"/letters/{letter_id}?saved=unsent")


@router.get("/letters/{letter_id}/compare")
def compare_page(request: Request, letter_id: int, user: StaffOrManager, db: DbDep,
                 old: int | None = Query(None, alias="from"), new: int | None = Query(None, alias="to")):
    """Two versions word by word (insertions and deletions marked) and the findings fixed, new
    and still there."""
    letter = _load(db, user, letter_id)
    held = [v["version"] for v in letter["versions"]]
    asked = (old, new)
    # A version not held (a number a restore kept back, or none such) falls back to the latest,
    # and the earlier one to the version held before the later.
    new = new if new in held else letter["latest_version"]
    old = old if old in held else store.previous_version(held, new)
    old, new = min(old, new), max(old, new)  # an address typed backwards ("from=5&to=2") shown forwards
    notes = _compare_notes(asked, (old, new), held)
    shown = {v: store.get_version(db, letter_id, v) for v in {old, new}}  # (those two only)
    texts = {v: shown[v]["text"] or "" for v in shown}
    comparison = store.compare(db, letter_id, old, new)
    audit.record_read(db, user.user, "letter.compare", "letter", letter_id, {"from": old, "to": new})
    return render(request, "compare.html", {
        "letter": letter, "old": old, "new": new, "pieces": letter_view.word_diff(texts[old], texts[new]),
        "comparison": comparison, "versions": [v["version"] for v in letter["versions"]],
        "details": letter_view.detail_changes(shown[old]["context"] or {}, shown[new]["context"] or {}),
        "same_words": texts[old] == texts[new],
        "scores": {v["version"]: v["score"] for v in letter["versions"]},
        "notes": notes,
    }, user=user)


def _compare_notes(asked: tuple[int | None, int | None], shown: tuple[int, int], held: list[int]) -> list[str]:
    """What the compare page says when it shows other versions than the address asked for (an
    audit: "from=9&to=2" showed versions 1 and 2, and "from=3&to=1" swapped them, without a word)."""
    (old, new), notes = shown, []
    for number, which in zip(asked, ("From", "To")):
        if number is not None and number not in held:
            notes.append(f"{which} version {number} is not held for this letter, so it is not shown.")
    if asked[0] is not None and asked[1] is not None and asked[0] in held and asked[1] in held and asked[0] > asked[1]:
        notes.append(f"From version {asked[0]} is after To version {asked[1]}: the earlier is shown first.")
    if old == new:
        notes.append("This letter has one version: there is nothing to compare yet." if len(held) == 1 else
                     f"Version {old} is compared with itself: choose two different versions.")
    elif notes:
        notes.append(f"Shown: version {old} and version {new}.")
    return notes


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no '</script>' can close it early)."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/letters/{letter_id}/letter.docx")
def download_docx(request: Request, letter_id: int, user: StaffOrManager, db: DbDep, comments: bool = False):
    """The latest version as a Word document (A4, British English); `comments=true` adds each
    problem as a Word comment on its words (at most `word_comments_most` of them, rules/web.yml,
    the most serious first, and one comment counting the rest)."""
    letter = _load(db, user, letter_id)
    latest = letter["versions"][-1]
    result = letter["result"]
    if comments:  # the problems the page lists: an undated draft's as of today
        with scoring_slot:
            result = service.current_result(db, letter)[0]
    data = word.letter_docx(latest["text"] or "", title=f"Letter {letter_id}, version {letter['latest_version']}",
                            author=latest.get("author") or user.name,
                            findings=(result or {}).get("findings"), comments=comments,
                            most_comments=int(settings().get("word_comments_most", word.MOST_COMMENTS)),
                            page=str(request.base_url).rstrip("/") + f"/letters/{letter_id}")
    audit.record_read(db, user.user, "letter.download", "letter", letter_id, {"comments": comments})
    name = f"letter-{letter_id}-version-{letter['latest_version']}{'-with-comments' if comments else ''}.docx"
    return Response(data, headers={"Content-Disposition": f'attachment; filename="{name}"'},
                    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


# The letters list's date filters, typed as day, month and year (`date_from-day`, ...) like every
# date on the pages; a link or bookmark with one ISO date (`date_from=2024-12-01`) still works.
LIST_DATES = (("date_from", "The From date"), ("date_to", "The To date"))


def _filters(request: Request, user) -> tuple[dict, dict[str, str], dict[str, dict[str, str]]]:
    """The list's filters, a message per date that is not a real date (keyed by its field), and
    each date's day, month and year to show in its boxes."""
    q = request.query_params
    out = {k: (q.get(k) or None) for k in ("team", "decision", "verdict", "status", "q")}
    errors: dict[str, str] = {}
    parts: dict[str, dict[str, str]] = {}
    for name, label in LIST_DATES:
        parts[name] = date_parts(q, name)
        try:
            raw = date_from_form(q, name)
            out[name] = dt.date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            out[name] = None
            said = str(exc) if str(exc).startswith("must") else "must be a real date, for example 27 3 2025"
            errors[name] = f"{label} {said}"
    if out["date_from"] and out["date_to"] and out["date_from"] > out["date_to"]:
        errors["date_to"] = (f"The To date ({labels.long_date(out['date_to'])}) is before the From date "
                             f"({labels.long_date(out['date_from'])}). Change one of them.")
    if user.role == "staff":
        out["team"] = user.team
    if out["decision"] not in DECISION_LABELS:
        out["decision"] = None
    if out["verdict"] not in VERDICT_WORDS:
        out["verdict"] = None
    if out["status"] not in ("draft", "sent"):
        out["status"] = None
    # the dashboard's "marked sent on a date before they were first saved here" links here
    out["sent_before_saved"] = True if q.get("sent_before_saved") == "yes" else None
    return out, errors, parts


# Where the letters list stands, carried by its "Newer letters" and "Older letters" links: the
# letters older than one (`before_id`) or newer than one (`after_id`), never an offset, which
# shifts as others save, send or delete letters between two pages. `page=N`, the list's links
# before, still opens that page as it stands now.
PLACE_KEYS = ("before_id", "after_id", "page")
LARGEST_ID = 2**63 - 1


def _list_place(q) -> tuple[str | None, int | None, bool]:
    """The place the address asks for: ("before_id" | "after_id" | "page", its number), or
    (None, None) for the first page; the third item is True when the place is not one the list
    gives (a hand-edited or cut-off link: not a whole number, 0, too large, or two places), and
    the list then starts from the newest."""
    given = [(k, v) for k, v in q.multi_items() if k in PLACE_KEYS]
    if not given:
        return None, None, False
    key, value = given[0]
    text = value.strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else 0
    if len(given) > 1 or not 1 <= number <= (100_000 if key == "page" else LARGEST_ID):
        return None, None, True
    if key == "page" and number == 1:
        return None, None, False
    return key, number, False


def _list_link(kept: list[tuple[str, str]], **place: int) -> str:
    """The list's address with its filters as given and a place."""
    query = urlencode([*kept, *place.items()])
    return "/letters" + (f"?{query}" if query else "")


@router.get("/letters")
def letters_list(request: Request, user: StaffOrManager, db: DbDep):
    filters, errors, date_parts = _filters(request, user)
    per_page = int(settings().get("letters_per_page", 25))
    # every team the service knows (users, letters, the register), as the dashboard lists them
    teams = known_teams(db) if user.role == "manager" else []
    query = request.url.query
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in PLACE_KEYS]
    shown = {"filters": filters, "teams": teams, "decisions": DECISION_LABELS, "verdicts": VERDICT_WORDS,
             "query": query, "date_parts": date_parts, "errors": errors, "base_query": urlencode(kept)}
    if errors:  # a date that does not exist: said, never an empty list that reads as "none"
        return render(request, "letters.html", {**shown, "rows": [], "count": None}, 400, user=user)
    key, number, bad = _list_place(request.query_params)
    note, old_page = None, None
    if bad:
        note = ("The link asked for a place in the list that the list does not give (cut short or "
                "changed by hand?), so the list starts from the newest letter.")
    elif key == "page":  # an old link to page N: that page as it stands now, paged by place from there
        old_page = number
        before, _ = service.list_letters(db, **filters, limit=1, offset=(number - 1) * per_page - 1,
                                         scoring_slot=scoring_slot)
        key, number = ("before_id", before[0]["id"]) if before else (None, None)
    # an undated draft saved on an earlier day: judged as of today, as its page judges it
    got = service.letters_page(db, **filters, limit=per_page, scoring_slot=scoring_slot,
                               **({key: number} if key else {}))
    if old_page and (key is None or not got["rows"]):
        note = (f"This is an old link to page {old_page} of the list, which has fewer pages now, so the "
                "list starts from the newest letter.")
    elif key == "before_id" and not got["rows"] and got["count"]:
        # every letter after that place was deleted, or changed so that the filters leave it out
        note = (f"No letter older than letter {number} matches these filters now (deleted, or changed "
                "since the link was made), so the list starts from the newest letter.")
    if key == "before_id" and not got["rows"]:
        got = service.letters_page(db, **filters, limit=per_page, scoring_slot=scoring_slot)
    if note:
        old_page = None
    rows = got["rows"]
    audit.record_read(db, user.user, "letters.search" if filters.get("q") else "letters.list", "letter", None,
                 {"ids": [r["id"] for r in rows], "count": got["count"]})
    for r in rows:  # marked sent before it was first saved here: said in its row, with the reason
        r["before_saved_on"] = store.first_saved_on(r) if store.sent_before_saved(r) else None
    return render(request, "letters.html", {
        **shown, "rows": rows, "count": got["count"], "first_shown": got["newer"] + 1,
        "last_shown": got["newer"] + len(rows), "note": note, "old_page": old_page,
        "newer_link": _list_link(kept, after_id=rows[0]["id"]) if rows and got["newer"] else None,
        "older_link": _list_link(kept, before_id=rows[-1]["id"]) if rows and got["older"] else None,
        "long_date": long_date,
    }, user=user)


@router.get("/letters.csv")
def letters_csv(request: Request, user: StaffOrManager, db: DbDep):
    filters, errors, _ = _filters(request, user)
    if errors:
        return Response("\n".join(errors.values()) + "\n", status_code=400,
                        media_type="text/plain; charset=utf-8")
    buf = io.StringIO()
    # Plain words with the codes in columns of their own, due date and working days late
    # (vcl_qa/reports/exports.py).
    writer = csv_safe.DictWriter(buf, fieldnames=exports.LETTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for rows in service.each_page(db, scoring_slot=scoring_slot, **filters):
        differs = agreement.for_letter_rows(db, rows)
        writer.writerows(exports.letter_rows({**r, "register_differs": differs.get(r["id"])} for r in rows))
        written += len(rows)
    audit.record_read(db, user.user, "letters.export", "letter", None, {"rows": written})
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="letters.csv"'})
