"""Training pages: the exercises (/training), one exercise with the same editor as a checked
letter, progress for staff and managers (with a CSV), and making an exercise from a letter the
panel rated poorly (managers: anonymised, previewed, then saved)."""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vcl_qa import clock, labels
from vcl_qa.engine.dates import long_date
from vcl_qa.engine.result import DIMENSIONS
from vcl_qa.engine.rules import load_rules
from vcl_qa.errors import LetterError
from vcl_qa.training import service
from vcl_qa.training.exercises import READERS, settings
from vcl_qa.training.guide import case_details
from vcl_qa.training.store import BuiltIn, NotFound

from ..deps import DbDep, scoring_slot
from .check import sentence
from .forms import date_from_form, date_parts
from .letter_view import insert_data, insert_where, listing
from .session import Manager, PostedForm, StaffOrManager, redirect, render
from .session import settings as web_settings

router = APIRouter(include_in_schema=False)
RANK = {"error": 0, "warning": 1, "suggestion": 2}


def _not_found(request: Request, user, what: str = "There is no such exercise."):
    return render(request, "error.html", {"heading": "Page not found", "message": what}, 404, user)


def _when(stamp: str | None) -> str:
    """'Monday 1 December 2026' for an ISO timestamp (the service's one date format): the UK day
    it fell on (stored in UTC: an attempt at 00:30 on a summer's night is the next day's), as
    the other pages say it (vcl_qa.clock). A date alone (a letter's date) is that date."""
    if not stamp:
        return ""
    return long_date(stamp) if len(stamp) == 10 else clock.uk_long_date(stamp)


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no '</script>' can close it early)."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _listed() -> dict[str, int]:
    """How many problems a page draws, as the letter page does (rules/web.yml): at most `most`,
    must-fix first, and at most `alike` of the same check on the same words; the rest counted."""
    return {"most": int(web_settings().get("findings_listed_most", 100)),
            "alike": int(web_settings().get("findings_listed_alike", 10))}


def _finding_views(result: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """Findings for the editor (numbered, with their kind of fix; at most `_listed`, a pasted
    list of thousands made a page of megabytes), those not counted, and those not drawn,
    counted by check (letter_view.listing)."""
    shown, set_aside = [], []
    rules = load_rules().by_id
    ordered = sorted(result.get("findings") or [],
                     key=lambda f: (RANK.get(f["severity"], 3), f["start"] if f.get("start") is not None else -1))
    for f in ordered:
        if f.get("suppressed"):
            set_aside.append(f)
            continue
        # One-click swaps use `replacements` (checked to clear the finding, contract section 3);
        # missing content gets the suggested paragraph, to adapt.
        if f.get("start") is not None:
            options = f.get("replacements") if "replacements" in f else f.get("suggestions")
            kind = "replace" if options else "none"
        else:
            options = f.get("suggestions") or []
            kind = "insert" if options else "none"
        rule = rules.get(f["rule"])
        shown.append({**f, "kind": kind, "options": options or [], "where": insert_where(rule),
                      "title": rule.title if rule else f["rule"],
                      "severity_words": labels.label(labels.SEVERITIES, f["severity"])})
    listed, unlisted = listing(shown, **_listed())
    for n, f in enumerate(listed, 1):
        f["n"] = n
    return listed, set_aside, unlisted


def _feedback_views(feedback: dict[str, list[dict]]) -> dict[str, dict]:
    """What was fixed, is left and is new, each listed as the problems are (`_listed`), with
    how many there are in all and, for the outcome, how many of them must be fixed."""
    out = {}
    for part, items in feedback.items():
        listed, unlisted = listing(items, **_listed())
        out[part] = {"listed": listed, "count": len(items), "unlisted": unlisted,
                     "errors": sum(f["severity"] == "error" for f in items)}
    return out


# --- the list and progress -----------------------------------------------------------------

@router.get("/training")
def exercises_page(request: Request, user: StaffOrManager, db: DbDep):
    rows = service.exercise_list(db, user.user)
    done = sum(1 for r in rows if r["status"]["passed"])
    return render(request, "training/exercises.html", {
        "exercises": rows, "done": done, "readers": READERS, "decisions": labels.DECISIONS,
        "when": _when, "pass_score": settings().pass_score,
        "model_after": settings().model_answer_after}, user=user)


@router.get("/training/progress")
def progress_page(request: Request, user: StaffOrManager, db: DbDep):
    if user.role == "manager":
        data = service.progress(db)
        teams: dict[str, list] = {}
        for r in data["data"]:
            teams.setdefault(r["team"] or "No team", []).append(r)
        return render(request, "training/progress.html", {
            "manager": True, "progress": data, "teams": teams, "when": _when,
            "board": service.board_summary(db)}, user=user)
    rows = service.exercise_list(db, user.user)
    return render(request, "training/progress.html", {
        "manager": False, "exercises": rows, "done": sum(1 for r in rows if r["status"]["passed"]),
        "when": _when}, user=user)


@router.get("/training/progress.csv")
def progress_csv(user: Manager, db: DbDep):
    return Response(service.progress_csv(db), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="training-progress.csv"'})


# --- learning from the panel (managers) -----------------------------------------------------

@router.get("/training/from-panel")
def from_panel_list(request: Request, user: Manager, db: DbDep):
    return render(request, "training/from_panel.html", {
        "letters": service.panel_letters(db), "decisions": labels.DECISIONS, "offences": labels.OFFENCES,
        "poor": settings().poor_panel_rating,
        "made": [e for e in service.all_exercises(db) if e.source == "panel"]}, user=user)


def _panel_form(form) -> dict:
    return {"title": str(form.get("title", "") or ""), "brief": str(form.get("brief", "") or ""),
            "facts": str(form.get("facts", "") or ""),
            "hide": [w for w in str(form.get("hide", "") or "").splitlines() if w.strip()],
            "model_answer": str(form.get("model_answer", "") or "")}


def _make_page(request: Request, user, db, letter_id: int, values: dict, show_preview: bool,
               status: int = 200):
    if not 1 <= letter_id < 2**63:
        return _not_found(request, user, "There is no such letter.")
    try:
        with scoring_slot:
            p = service.preview(db, letter_id, **values)
    except NotFound:
        return _not_found(request, user, f"Letter {letter_id} is not a sent letter the panel rated "
                                         f"{settings().poor_panel_rating:g} or less overall.")
    errors = p["problems"] if show_preview else {}
    shown, _, _ = _finding_views(p["result"])
    pieces, pos = [], 0  # the letter with each invented detail marked
    for r in p["replaced"]:
        pieces += [(p["letter"][pos:r["start"]], None), (p["letter"][r["start"]:r["end"]], r["tag"])]
        pos = r["end"]
    pieces.append((p["letter"][pos:], None))
    swaps: dict[str, list[str]] = {}
    for r in p["replaced"]:
        swaps.setdefault(r["tag"], [])
        if r["stand_in"] not in swaps[r["tag"]]:
            swaps[r["tag"]].append(r["stand_in"])
    return render(request, "training/from_panel_make.html", {
        "p": p, "values": {**values, "hide": "\n".join(values["hide"])}, "preview": show_preview,
        "pieces": pieces, "swaps": swaps, "mean": f"{p['mean_overall']:g}",
        "errors": errors, "findings": shown, "case": case_details(p["context"], p["reader"]),
        "status": status}, status, user=user)


@router.get("/training/from-panel/{letter_id}")
def from_panel_form(request: Request, letter_id: int, user: Manager, db: DbDep):
    values = {"title": "", "brief": "", "facts": "", "hide": [], "model_answer": ""}
    return _make_page(request, user, db, letter_id, values, show_preview=False)


@router.post("/training/from-panel/{letter_id}/preview")
def from_panel_preview(request: Request, letter_id: int, user: Manager, form: PostedForm, db: DbDep):
    return _make_page(request, user, db, letter_id, _panel_form(form), show_preview=True)


@router.post("/training/from-panel/{letter_id}")
def from_panel_save(request: Request, letter_id: int, user: Manager, form: PostedForm, db: DbDep):
    values = _panel_form(form)
    if not 1 <= letter_id < 2**63:
        return _not_found(request, user, "There is no such letter.")
    try:
        with scoring_slot:
            made = service.create_from_panel(db, user.user, letter_id, **values)
    except NotFound:
        return _not_found(request, user, "That letter can no longer be made into an exercise.")
    except LetterError:  # the preview again, with what stops it being saved
        return _make_page(request, user, db, letter_id, values, show_preview=True, status=400)
    return redirect(f"/training/{made['id']}?saved=made")


@router.post("/training/{exercise_id}/remove")
def remove_exercise(request: Request, exercise_id: str, user: Manager, form: PostedForm, db: DbDep):
    try:
        service.retire(db, user.user, exercise_id)
    except (NotFound, BuiltIn):
        return _not_found(request, user, "There is no exercise made from a panel letter with that name.")
    return redirect("/training/from-panel?removed=1")


# --- one exercise ------------------------------------------------------------------------------

def _exercise_page(request: Request, user, db, exercise_id: str, number: int | None = None,
                   text: str | None = None, changes: dict | None = None, errors: dict | None = None,
                   saved: str | None = None, fresh: bool = False, status: int = 200,
                   typed_date: dict[str, str] | None = None):
    try:
        detail = service.exercise_detail(db, user.user, exercise_id)
        last = None if fresh and number is None else service.last_attempt(db, user.user, exercise_id, number)
    except NotFound:
        return _not_found(request, user)
    shown, set_aside, unlisted, data_json = [], [], [], None
    if last is not None and text is None:
        shown, set_aside, unlisted = _finding_views(last)
        data_json = _script_json({"text": last["text"], **insert_data(load_rules().rules, last["text"], {**detail["context"], **(last["changes"] or {})}), "findings": [
            {"n": f["n"], "start": f.get("start"), "end": f.get("end"), "text": f.get("text"),
             "severity": f["severity"], "kind": f["kind"]} for f in shown]})
    editor_text = text if text is not None else (last["text"] if last else detail["text"])
    changed = changes if changes is not None else (last["changes"] if last else {})
    letter_date = changed.get("letter_date") or detail["context"].get("letter_date", "")
    return render(request, "training/exercise.html", {
        "ex": detail, "case": case_details(detail["context"], detail["reader"]), "last": last,
        "text": editor_text, "letter_date": letter_date,
        # day, month and year as typed (a date refused), else those of the date in use
        "letter_date_parts": typed_date or date_parts({"letter_date": str(letter_date or "")}, "letter_date"),
        "findings": shown, "set_aside": set_aside, "data_json": data_json, "errors": errors or {},
        "unlisted": unlisted, "unlisted_count": sum(g["count"] for g in unlisted),
        "feedback": _feedback_views(last["feedback"]) if last else None,
        "saved": saved, "when": _when, "pass_score": settings().pass_score,
        "model_after": settings().model_answer_after,
        "dimensions": [(d, labels.DIMENSIONS[d], (last or {}).get("dimensions", {}).get(d, {})) for d in DIMENSIONS],
        "verdict_words": labels.label(labels.VERDICTS, (last or {}).get("verdict")),
        "fresh": fresh}, status, user=user)


@router.get("/training/{exercise_id}")
def exercise_page(request: Request, exercise_id: str, user: StaffOrManager, db: DbDep,
                  attempt: int | None = None, saved: str | None = None, fresh: bool = False):
    if attempt is not None and not 1 <= attempt < 2**31:
        return _not_found(request, user, "There is no such attempt.")
    return _exercise_page(request, user, db, exercise_id, attempt, saved=saved if saved == "made" else None,
                          fresh=fresh)


# A plain `def`: scoring runs in the thread pool under the API's scoring slot.
@router.post("/training/{exercise_id}")
def attempt_exercise(request: Request, exercise_id: str, user: StaffOrManager, form: PostedForm, db: DbDep):
    text = str(form.get("text", "") or "")
    changes = {}
    # The date typed as day, month and year like every date on the pages (one ISO date, as an
    # older form sent, still works): forms.date_from_form.
    if any(form.get(k) is not None for k in ("letter_date", "letter_date-day", "letter_date-month", "letter_date-year")):
        try:
            changes["letter_date"] = date_from_form(form, "letter_date")
        except ValueError as exc:
            return _exercise_page(request, user, db, exercise_id, text=text, changes={}, status=400,
                                  errors={"letter_date": f"The date the letter goes out {exc}."},
                                  typed_date=date_parts(form, "letter_date"))
    try:
        with scoring_slot:
            out = service.attempt(db, user.user, exercise_id, text, changes)
    except NotFound:
        return _not_found(request, user)
    except LetterError as exc:
        field = (exc.field or "text").split(".")[-1]
        # as the page says every message: from a capital, ending with a full stop
        message = "Write your letter here before you check it." if field == "text" and not text.strip() else sentence(exc.message)
        return _exercise_page(request, user, db, exercise_id, text=text, changes=changes,
                              errors={field if field in ("text", "letter_date") else "text": message}, status=400)
    return redirect(f"/training/{exercise_id}?attempt={out['attempt']}#result")
