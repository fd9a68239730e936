"""A checked letter (highlights, findings, suggestions, versions, sending, Word download) and the
letters list with search and CSV export."""
from __future__ import annotations

import datetime as dt
import io
import json

import docx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from vcl_qa.engine import workdays
from vcl_qa.panel import feedback as panel_feedback
from vcl_qa.errors import LetterError
from vcl_qa import csv_safe, labels
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.result import DIMENSIONS
from vcl_qa.engine.rules import load_rules
from vcl_qa.db import audit
from vcl_qa.letters import store
from vcl_qa.letters import service
from vcl_qa.reports import exports

from ..deps import DbDep
from ..deps import check_visible, scoring_slot
from .forms import DECISION_LABELS
from .session import SECURITY_HEADERS, PostedForm, StaffOrManager, redirect, render, settings

router = APIRouter(include_in_schema=False)

SEVERITY_WORDS = labels.SEVERITIES
VERDICT_WORDS = labels.VERDICTS
DIMENSION_WORDS = labels.DIMENSIONS


class PageNotFound(Exception):
    """No such letter, or not one this user may see (404 page)."""


def due_in_words(metrics: dict, status: str, sent_date: str | None, today: dt.date | None = None) -> str | None:
    """'due by Friday 20 December: 1 working day left' or '2 working days late', counted from the
    letter's date (the engine's) for a sent or dated letter, else from today."""
    if not metrics.get("due_date"):
        return None
    due = dt.date.fromisoformat(metrics["due_date"])
    today = today or dt.date.today()
    on = dt.date.fromisoformat(sent_date or metrics.get("letter_date") or today.isoformat())
    left = workdays.working_days_between(on, due)
    unit = lambda n: "working day" if abs(n) == 1 else "working days"  # noqa: E731
    if left < 0:
        return f"{-left} {unit(left)} late (it was due by {long_date(due, today)})"
    if status == "sent":
        return f"sent on time (due by {long_date(due, today)})"
    if left == 0:
        return f"due by {long_date(due, today)}: due on the letter's date, no working days left"
    return f"due by {long_date(due, today)}: {left} {unit(left)} left"


def _finding_view(n: int, f: dict) -> dict:
    kind = "none"
    if f.get("suggestions"):
        kind = "replace" if f.get("start") is not None else "insert"
    # A missing heading goes at the top of the letter; other missing content before the sign-off.
    rule = load_rules().by_id.get(f["rule"])
    where = "top" if rule is not None and rule.kind == "header_line" else "body"
    return {**f, "n": n, "kind": kind, "where": where,
            "severity_words": SEVERITY_WORDS.get(f["severity"], f["severity"])}


# What `?error=` may ask the letter page to say: keys only, so that no link can put its own
# words on this page. Messages with details are shown by the handler itself (status 400).
ERROR_MESSAGES = {
    "sent": "This letter has been sent, so it cannot change. Check a new letter instead.",
    "purged": "This letter's text and personal details were removed under the retention rules, "
              "so it cannot change. Check a new letter instead.",
    "date": "The sent date is not a real date.",
    "busy": "Someone else changed this letter at the same moment. Please try again.",
}


def _conflict_key(exc: Exception) -> str:
    if isinstance(exc, store.Purged):
        return "purged"
    return "sent" if "sent" in str(exc) else "busy"


def _load(db, user, letter_id: int) -> dict:
    if not 1 <= letter_id < 2**63:  # beyond SQLite's integers: no such letter
        raise PageNotFound()
    try:
        check_visible(db, user.user, letter_id)
        return store.get_letter(db, letter_id)
    except store.NotFound:
        raise PageNotFound() from None


@router.get("/letters/{letter_id}")
def letter_page(request: Request, letter_id: int, user: StaffOrManager, db: DbDep,
                saved: str | None = None, error: str | None = None):
    """The letter page; `error` is a key of ERROR_MESSAGES (anything else is ignored)."""
    return _letter_view(request, letter_id, user, db, saved, ERROR_MESSAGES.get(error or ""))


def _letter_view(request: Request, letter_id: int, user, db, saved: str | None = None,
                 error_text: str | None = None, status: int = 200):
    letter = _load(db, user, letter_id)
    audit.record(db, user.user, "letter.read", "letter", letter_id)
    result = letter["result"] or {"findings": [], "metrics": {}, "dimensions": {}}
    findings = [_finding_view(n, f) for n, f in enumerate(
        sorted((f for f in result["findings"] if not f.get("suppressed")),
               key=lambda f: ({"error": 0, "warning": 1}.get(f["severity"], 2),
                              f["start"] if f.get("start") is not None else -1)), start=1)]
    text = letter["versions"][-1]["text"] if letter["versions"] else ""
    comparison = None
    if letter["latest_version"] > 1:
        comparison = store.compare(db, letter_id, letter["latest_version"] - 1, letter["latest_version"])
    data = {"text": text or "", "findings": [
        {"n": f["n"], "start": f.get("start"), "end": f.get("end"), "text": f.get("text"),
         "severity": f["severity"], "kind": f["kind"]} for f in findings]}
    return render(request, "letter.html", {
        "letter": letter, "result": result, "text": text, "findings": findings,
        "data_json": _script_json(data), "comparison": comparison, "saved": saved,
        "error": error_text,
        "due_words": due_in_words(result.get("metrics", {}), letter["status"], letter["sent_date"]),
        "dimensions": [(d, DIMENSION_WORDS[d], result["dimensions"].get(d, {})) for d in DIMENSIONS],
        "verdict_words": VERDICT_WORDS.get(result.get("verdict"), ""), "decisions": DECISION_LABELS,
        "today": dt.date.today().isoformat(), "feedback": panel_feedback.feedback(db, letter_id),
    }, status, user=user)


def _problem(request: Request, letter_id: int, user, db, message: str):
    """The letter page again, saying what was wrong (400), instead of a redirect."""
    return _letter_view(request, letter_id, user, db, error_text=message, status=400)


# The handlers that score or write are plain `def`s: they run in the thread pool (scoring under
# the API's scoring slot), so a long letter or a database lock held elsewhere stalls only them.
@router.post("/letters/{letter_id}/versions")
def save_version(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    _load(db, user, letter_id)
    try:
        with scoring_slot:
            service.submit(db, user.user, str(form.get("text", "")), {}, letter_id=letter_id, source="web")
    except LetterError as exc:
        return _problem(request, letter_id, user, db, exc.message)
    except store.Conflict as exc:
        return redirect(f"/letters/{letter_id}?error={_conflict_key(exc)}")
    return redirect(f"/letters/{letter_id}?saved=version")


@router.post("/letters/{letter_id}/suppressions")
def suppress(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    """'Not a problem in this letter' for one finding (its rule, and its words when it has any)."""
    _load(db, user, letter_id)
    rule = str(form.get("rule", ""))
    term = str(form.get("term", "")) or None
    try:
        with scoring_slot:
            service.suppress(db, user.user, letter_id, rule, str(form.get("reason", "")), term)
    except LetterError as exc:
        return _problem(request, letter_id, user, db, "Not a problem: " + exc.message)
    except store.Conflict as exc:
        return redirect(f"/letters/{letter_id}?error={_conflict_key(exc)}")
    return redirect(f"/letters/{letter_id}?saved=suppressed")


@router.post("/letters/{letter_id}/sent")
def mark_sent(request: Request, letter_id: int, user: StaffOrManager, form: PostedForm, db: DbDep):
    _load(db, user, letter_id)
    try:
        day = dt.date.fromisoformat(str(form.get("sent_date") or dt.date.today().isoformat()))
    except ValueError:
        return redirect(f"/letters/{letter_id}?error=date")
    try:
        with scoring_slot:  # sending on another day than the letter date scores it again
            service.mark_sent(db, user.user, letter_id, day)
    except LetterError as exc:
        return _problem(request, letter_id, user, db, exc.message)
    except store.Conflict as exc:
        return redirect(f"/letters/{letter_id}?error={_conflict_key(exc)}")
    return redirect(f"/letters/{letter_id}?saved=sent")


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no '</script>' can close it early)."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/letters/{letter_id}/letter.docx")
def download_docx(letter_id: int, user: StaffOrManager, db: DbDep):
    letter = _load(db, user, letter_id)
    document = docx.Document()
    for block in (letter["versions"][-1]["text"] or "").split("\n\n"):
        lines = block.strip("\n").split("\n")
        para = document.add_paragraph()
        for i, line in enumerate(lines):
            run = para.add_run(line)
            if i < len(lines) - 1:
                run.add_break()
    buf = io.BytesIO()
    document.save(buf)
    audit.record(db, user.user, "letter.download", "letter", letter_id)
    name = f"letter-{letter_id}-version-{letter['latest_version']}.docx"
    return Response(buf.getvalue(), headers={"Content-Disposition": f'attachment; filename="{name}"'},
                    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _filters(request: Request, user) -> dict:
    q = request.query_params
    out = {k: (q.get(k) or None) for k in ("team", "decision", "verdict", "status", "q")}
    for k in ("date_from", "date_to"):
        try:
            out[k] = dt.date.fromisoformat(q[k]) if q.get(k) else None
        except ValueError:
            out[k] = None
    if user.role == "staff":
        out["team"] = user.team
    if out["decision"] not in DECISION_LABELS:
        out["decision"] = None
    if out["verdict"] not in VERDICT_WORDS:
        out["verdict"] = None
    if out["status"] not in ("draft", "sent"):
        out["status"] = None
    return out


@router.get("/letters")
def letters_list(request: Request, user: StaffOrManager, db: DbDep, page: int = 1):
    filters = _filters(request, user)
    per_page = int(settings().get("letters_per_page", 25))
    page = max(1, min(page, 100_000))
    rows, count = store.list_letters(db, **filters, limit=per_page, offset=(page - 1) * per_page)
    audit.record(db, user.user, "letters.search" if filters.get("q") else "letters.list", "letter", None,
                 {"ids": [r["id"] for r in rows], "count": count})
    teams = [r[0] for r in db.execute("SELECT DISTINCT team FROM letters ORDER BY team")] \
        if user.role == "manager" else []
    query = request.url.query
    return render(request, "letters.html", {
        "rows": rows, "count": count, "page": page, "pages": max(1, -(-count // per_page)),
        "filters": filters, "teams": teams, "decisions": DECISION_LABELS, "verdicts": VERDICT_WORDS,
        "query": query, "base_query": "&".join(p for p in query.split("&") if p and not p.startswith("page=")),
    }, user=user)


@router.get("/letters.csv")
def letters_csv(request: Request, user: StaffOrManager, db: DbDep):
    filters = _filters(request, user)
    buf = io.StringIO()
    # Plain words with the codes in columns of their own, due date and working days late
    # (vcl_qa/reports/exports.py).
    writer = csv_safe.DictWriter(buf, fieldnames=exports.LETTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    offset = 0
    while True:
        rows, count = store.list_letters(db, **filters, limit=500, offset=offset)
        writer.writerows(exports.letter_rows(rows))
        offset += len(rows)
        if not rows or offset >= count:
            break
    audit.record(db, user.user, "letters.export", "letter", None, {"rows": offset})
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="letters.csv"', **SECURITY_HEADERS})
