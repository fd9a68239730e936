"""Staff: check a letter (paste it or upload a Word file, fill in the case details)."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Request

from vcl_qa.errors import LetterError
from vcl_qa.engine.letter import CONTEXT_FIELDS
from vcl_qa.db import teams
from vcl_qa.letters import service, store
from vcl_qa.letters.store import IDEMPOTENCY_KEY

from ..deps import DbDep
from ..deps import scoring_slot
from ..uploads import MAX_UPLOAD, file_message, sentence, uploaded_text as _uploaded_text  # noqa: F401
from .forms import (BEREAVED_LABELS, CATEGORY_LABELS, DECISION_LABELS, FIELD_ORDER, OFFENCE_LABELS,
                    READER_LABELS, WITHDRAWAL_LABELS, context_from_form, form_values)
from .forms import date_from_form
from . import letter_view
from .session import PostedForm, StaffOrManager, redirect, render

router = APIRouter(include_in_schema=False)


DATE_FIELDS = ("decision_date", "letter_date")


def _date_parts(values: dict, typed: dict | None) -> dict[str, dict[str, str]]:
    """Day, month and year of each date field: as typed, else from an ISO date (a file's own)."""
    out = {}
    for name in DATE_FIELDS:
        if typed and any(typed.get(name, {}).values()):
            out[name] = typed[name]
            continue
        iso = (values or {}).get(name) or ""
        parts = iso.split("-") if len(iso) == 10 else ["", "", ""]
        out[name] = {"year": parts[0], "month": parts[1].lstrip("0"), "day": parts[2].lstrip("0")}
    return out


def _page(request, user, values=None, errors=None, text="", status=200, typed=None, submission=None):
    return render(request, "check.html", {
        # One per form: pressing the button twice (or the browser sending the form again)
        # answers the letter the first press stored instead of storing a copy.
        "submission": submission or secrets.token_urlsafe(16),
        "date_parts": _date_parts(values or {}, typed),
        "values": values or {f: "" for f in (*FIELD_ORDER, "team")}, "errors": errors or {},
        "text": text, "decisions": DECISION_LABELS, "offences": OFFENCE_LABELS,
        "categories": CATEGORY_LABELS, "bereaved_options": BEREAVED_LABELS,
        "withdrawal_options": WITHDRAWAL_LABELS, "reader_options": READER_LABELS,
    }, status, user)


@router.get("/check")
def check_form(request: Request, user: StaffOrManager):
    return _page(request, user)


def named_error(field: str, message: str) -> str:
    """A case detail's message with the question it is about: "Name the letter should greet:
    at most 200 characters."; for a question answered from a list, which only a hand-made form
    can answer otherwise, "Who will read the letter? Choose one of the answers listed." (not
    the library's list of its own codes). A whole sentence already (from a capital: the dates
    out of order) stays as it is."""
    if message[:1].isupper():
        return message
    label = letter_view.FIELD_LABELS.get(field, field)
    if field in letter_view.FIELD_OPTIONS:
        message = "choose one of the answers listed"
    if label.endswith("?"):
        return sentence(f"{label} {message[:1].upper()}{message[1:]}")
    return sentence(f"{label}: {message}")


# A plain `def`: reading a Word file, scoring and storing run in the thread pool, one letter at
# a time under the scoring slot the API uses, while the event loop goes on serving others.
@router.post("/check")
def check_letter(request: Request, user: StaffOrManager, form: PostedForm, db: DbDep):
    values = form_values(form)
    values["team"] = str(form.get("team", "") or "").strip()
    if form.get("prefill") == "1":
        # "Check this as a new letter" from a letter that can no longer change: the form, filled
        # in with the text and case details carried, to look over before checking; nothing stored.
        return _page(request, user, values, None, str(form.get("text", "") or ""))
    errors: dict[str, str] = {}
    typed = {name: {p: str(form.get(f"{name}-{p}", "") or "").strip() for p in ("day", "month", "year")}
             for name in DATE_FIELDS}
    for name, label in (("decision_date", "The date of the decision"), ("letter_date", "The date the letter will be sent")):
        try:
            values[name] = date_from_form(form, name)
        except ValueError as exc:
            values[name] = ""
            errors[name] = f"{label} {exc}"
    text = str(form.get("text", "") or "")
    word_warning = None
    upload = form.get("file")
    if upload is not None and getattr(upload, "filename", ""):
        try:
            # Read under the scoring slot, one file at a time: a Word file within every limit can
            # take 200 MB to read, and twenty read at once took a server to 4 GB (an attacker's review).
            with scoring_slot:
                text, meta, word_warning = _uploaded_text(upload)
            if meta.get("suppress"):  # a kept letter carries no findings set aside unseen
                raise LetterError("the file's details set findings aside (\u2018suppress\u2019), which a "
                                  "letter kept here cannot carry: take those lines out of the file, then "
                                  "mark each finding \u2018not a problem\u2019, with a reason, on the "
                                  "letter's page", field="file")
            unknown = [k for k in meta if k not in CONTEXT_FIELDS]
            if unknown:  # as `vcl-qa score` says of the same file
                raise LetterError(f"the file's details have {'fields' if len(unknown) > 1 else 'a field'} "
                                  f"this service does not know: {', '.join(map(str, unknown))}; the "
                                  f"fields are {', '.join(CONTEXT_FIELDS)}", field="file")
            for key, value in meta.items():  # the file's own fields fill only empty boxes
                if key in values and not values[key] and value is not None:
                    values[key] = {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)
        except LetterError as exc:
            errors["file"] = sentence(exc.message)
    if not text.strip() and "file" not in errors:
        errors["text"] = "Paste the letter here, or choose a Word file below."
    # (the team is the letter's, not one of its case details: a manager's was refused as an
    # unknown field)
    context, field_errors = context_from_form({k: v for k, v in values.items() if k != "team"})
    for field, message in field_errors.items():
        # The library's words name no field ("at most 200 characters"): the summary at the top
        # says which question each is about, from a capital.
        errors[field] = named_error(field, message)
    team = user.team if user.role == "staff" else values["team"]
    if not team:
        errors["team"] = "Say which team this letter is for."
    elif user.role != "staff":
        # A slip ("Nroth", a hidden character) would store the letter where its team cannot
        # see it and start a team of its own in every report, as the API refuses too.
        known = teams.known_teams(db)
        if team not in known:
            errors["team"] = sentence(teams.unknown_team_message(team, known))
    submission = str(form.get("submission", "") or "")
    if not IDEMPOTENCY_KEY.fullmatch(submission):
        submission = ""
    if errors:
        return _page(request, user, values, errors, text, 400, typed, submission)
    idempotency = None
    if submission:  # the same form sent again with the same letter: the first one's letter
        request_hash = store.request_hash({"text": text, "context": context, "team": team})
        key = f"web:{submission}:{request_hash}"  # a changed letter from the same form: a new letter, once
        earlier = store.submitted_with_key(db, user.user.id, key)
        if earlier is not None:
            return redirect(f"/letters/{earlier['id']}")
        idempotency = (key, request_hash)
    try:
        with scoring_slot:
            out = service.submit(db, user.user, text, context, team=team, source="web",
                                 idempotency=idempotency)
    except store.KeyUsed:  # both presses arrived at once: the first one's letter
        return redirect(f"/letters/{store.submitted_with_key(db, user.user.id, idempotency[0])['id']}")
    except LetterError as exc:
        errors[(exc.field or "text").split(".")[-1]] = sentence(exc.message)
        return _page(request, user, values, errors, text, 400, typed, submission)
    # A Word file still marked up: the letter page says what to do before it is printed.
    return redirect(f"/letters/{out['id']}" + ("?saved=word-markup" if word_warning else ""))
