"""Administrators: users in the pages. Add a user, change their role and team, switch them off
and back on, give a new token (shown once) or a one-time sign-in link. Managers make sign-in
links for panel members and staff from the panel pages. Every form is CSRF-checked; every change
goes to the audit log (by the library functions called here)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from vcl_qa.db import sign_in_links
from vcl_qa.db import users as store
from vcl_qa.errors import LetterError

from ..deps import DbDep
from .letter_view import when  # times on the UK's clock, as every page gives them
from .letters import PageNotFound
from .session import PostedForm, WebUser, redirect, render, role, settings

router = APIRouter(include_in_schema=False)
Admin = Annotated[WebUser, Depends(role("admin"))]
LinkMaker = Annotated[WebUser, Depends(role("admin", "manager"))]
ROLE_WORDS = {"staff": "Staff (writes letters)", "panel": "Panel member (rates letters)",
              "manager": "Manager (dashboard, panel reviews)", "admin": "Administrator (users)"}


def _page(request: Request, user: WebUser, db, errors=None, values=None, notice=None, status=200):
    rows = [{"u": u, "token_made": when(u.token_created_at), "token_ends": when(u.token_expires_at)}
            for u in store.all_users(db)]
    return render(request, "admin_users.html", {
        "rows": rows, "roles": ROLE_WORDS, "errors": errors or {}, "values": values or {}, "notice": notice,
        "active": sum(1 for r in rows if not r["u"].disabled)}, status, user)


@router.get("/admin/users")
def users_page(request: Request, user: Admin, db: DbDep, done: str | None = None):
    notice = {"updated": "The user's role and team are saved.", "disabled": "The user is switched off."}.get(done or "")
    return _page(request, user, db, notice=notice)


def _shown_once(request, user, heading: str, who: str, secret: str, what: str, until: str | None = None):
    return render(request, "admin_shown_once.html", {"heading": heading, "who": who, "secret": secret,
                                                      "what": what, "until": until}, user=user)


def _days(raw: str, errors: dict, field: str = "expires_days") -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[field] = "Give a whole number of days, or leave it empty for a token that does not expire."
        return None
    return int(raw)


@router.post("/admin/users")
def add_user(request: Request, user: Admin, form: PostedForm, db: DbDep):
    values = {k: str(form.get(k, "") or "").strip() for k in ("name", "role", "team", "expires_days")}
    errors: dict[str, str] = {}
    days = _days(values["expires_days"], errors)
    if not values["name"]:
        errors["name"] = "Give the person's name, as colleagues know them."
    if values["role"] not in ROLE_WORDS:
        errors["role"] = "Choose what the person will do."
    if values["role"] == "staff" and not values["team"]:
        errors["team"] = "Staff need a team: the letters they see are their team's."
    if not errors:
        try:
            new, token = store.add_user(db, values["name"], values["role"], values["team"] or None,
                                        actor=user.user, expires_days=days)
        except LetterError as exc:
            errors[exc.field or "name"] = exc.message[0].upper() + exc.message[1:] + "."
        except store.UserExists:
            errors["name"] = f"There is already a user called {values['name']}. Add something to tell them apart."
        else:
            return _shown_once(request, user, "User added", new.name, token, "token")
    return _page(request, user, db, errors, values, status=400)


def _target(db, user_id: int) -> store.User:
    target = store.get_user(db, user_id) if user_id < 2**63 else None
    if target is None:
        raise PageNotFound()
    return target


@router.post("/admin/users/{user_id}")
def change_user(request: Request, user_id: int, user: Admin, form: PostedForm, db: DbDep):
    target = _target(db, user_id)
    new_role, team = str(form.get("role", "")), str(form.get("team", "") or "").strip()
    errors: dict[str, str] = {}
    if target.id == user.id and new_role != target.role:
        errors[f"role-{user_id}"] = "You cannot change your own role: ask another administrator."
    elif new_role not in ROLE_WORDS:
        errors[f"role-{user_id}"] = f"Choose what {target.name} will do."
    else:
        try:
            store.update_user(db, user_id, new_role, team or None, actor=user.user)
        except LetterError as exc:
            errors[f"{exc.field or 'team'}-{user_id}"] = f"{target.name}: {exc.message}."
    if errors:
        return _page(request, user, db, errors, status=400)
    return redirect("/admin/users?done=updated")


@router.post("/admin/users/{user_id}/disable")
def disable(request: Request, user_id: int, user: Admin, form: PostedForm, db: DbDep):
    target = _target(db, user_id)
    if target.id == user.id:
        return _page(request, user, db, {f"disable-{user_id}": "You cannot switch off your own account."}, status=400)
    store.disable_user(db, user_id, actor=user.user)
    return redirect("/admin/users?done=disabled")


@router.post("/admin/users/{user_id}/enable")
def enable(request: Request, user_id: int, user: Admin, form: PostedForm, db: DbDep):
    target = _target(db, user_id)
    try:
        token = store.enable_user(db, user_id, actor=user.user)
    except store.UserSwitchedOn:
        return _page(request, user, db, {f"token-{user_id}": f"{target.name} is not switched off, so cannot be "
                                                             "switched back on: to give them a new token, use "
                                                             "New token."}, status=400)
    return _shown_once(request, user, "User switched back on", target.name, token, "token")


@router.post("/admin/users/{user_id}/token")
def new_token(request: Request, user_id: int, user: Admin, form: PostedForm, db: DbDep):
    target = _target(db, user_id)
    try:
        token = store.reset_token(db, user_id, actor=user.user)
    except store.UserDisabled:
        return _page(request, user, db, {f"token-{user_id}": f"{target.name} is switched off: switch them on "
                                                             "to give them a token."}, status=400)
    return _shown_once(request, user, "New token", target.name, token, "token")


@router.post("/admin/users/{user_id}/sign-in-link")
def sign_in_link(request: Request, user_id: int, user: LinkMaker, form: PostedForm, db: DbDep):
    """A one-time sign-in link for the user (admins: anyone; managers: panel members and staff)."""
    target = _target(db, user_id)
    hours = float(settings().get("sign_in_link_hours", 24))
    try:
        code, expires = sign_in_links.issue(db, user_id, user.user, hours=hours)
    except sign_in_links.NotAllowedToIssue as exc:
        if user.role != "admin":
            raise PageNotFound() from None
        return _page(request, user, db, {f"link-{user_id}": f"{target.name}: {exc}."}, status=400)
    link = str(request.base_url).rstrip("/") + f"/sign-in/link/{code}"
    return _shown_once(request, user, "Sign-in link", target.name, link, "link", when(expires.isoformat()))
