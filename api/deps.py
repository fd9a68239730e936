"""Shared dependencies: the database connection and the current user with their role."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from sqlite_utils import Database

from vcl_qa import clock
from vcl_qa.db import teams
from vcl_qa.db.users import User, token_expired_at, user_by_token
from vcl_qa.letters import store

from . import db_pool
from .concurrency import FairLock, requester
from .errors import ApiError
from .validation import MAX_ID

bearer = HTTPBearer(auto_error=False, description="API token from `vcl-qa users add`")


# The dependencies are async on purpose: they are quick, and running them on the event loop
# saves a thread hop each (about a millisecond a request in all).
async def get_db(request: Request) -> AsyncIterator[Database]:
    """A connection for this request, from the process's pool (see api/db_pool.py)."""
    path = request.app.state.db_path
    db = db_pool.take(path)
    try:
        yield db
    finally:
        db_pool.give_back(path, db)


DbDep = Annotated[Database, Depends(get_db)]


async def current_user(request: Request, db: DbDep,
                 creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    if creds is None or not creds.credentials:
        raise ApiError(401, "unauthorized", "send your API token as 'Authorization: Bearer TOKEN'")
    user = user_by_token(db, creds.credentials)
    if user is None:
        raise token_refused(db, creds.credentials)
    request.state.user_id = user.id  # for the request log (api/request_log.py)
    requester.set(user.id)  # whose turn at the scoring slot (api/concurrency.py)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def token_refused(db: Database, token: str) -> ApiError:
    """The 401 for a token that finds no user. An expired token got the same words as a mistyped
    one ("this API token is not valid"), so its holder looked for a slip rather than asking for a
    new one (an integrator's review); it now says when it expired, on the UK's clock. Any other
    token, unknown or a switched-off user's, is told nothing more."""
    expired = token_expired_at(db, token)
    if expired:
        return ApiError(401, "unauthorized", f"this API token expired on {clock.uk_when(expired)}, UK time: ask "
                                             "an admin for a new one")
    return ApiError(401, "unauthorized", "this API token is not valid")


def require(*roles: str):
    """A dependency that lets only the given roles through (403 for the others)."""

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise ApiError(403, "forbidden", f"the {user.role} role may not do this")
        return user

    return check


LetterUser = Annotated[User, Depends(require("staff", "manager"))]
ManagerUser = Annotated[User, Depends(require("manager"))]
AdminUser = Annotated[User, Depends(require("admin"))]
AuditUser = Annotated[User, Depends(require("manager", "admin"))]


# A number in a path (an id, a version) is digits alone, as the answer gave it: 1 to 9, then any
# digits. Read as pydantic reads a path (lax), /letters/1.0, /letters/+1, /letters/01 and
# /letters/%201 were all letter 1, and /letters/1_0 letter 10, while a body's `letter_id` is
# strict (43.0 is refused): a client that built an address wrongly was shown, or changed, a
# letter it did not name as such (an integrator's review). Anything else is a 422 naming
# `path.NAME`, saying how to write it; 0, a negative number and one past the range say so.
_PATH_NUMBER = re.compile(r"[1-9][0-9]*")
# A number written another way that is still one positive whole number: what it is, to say.
_WRITTEN_OTHERWISE = re.compile(r"\s*\+?0*([1-9][0-9]{0,18})(?:\.0*)?\s*")


def _path_number(most: int) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # not from a path (a test calling the route itself): the type's own check
        if _PATH_NUMBER.fullmatch(value):
            if len(value) > len(str(most)):  # not turned into a number: it may be thousands of digits long
                raise ValueError(f"must be {most} or less")
            return int(value)
        if re.fullmatch(r"0+|-[0-9]+", value):
            raise ValueError("must be 1 or more")
        meant = _WRITTEN_OTHERWISE.fullmatch(value)
        shown = value if len(value) <= 40 else value[:40].rstrip() + "..."
        if meant:
            raise ValueError(f"'{shown}' is not written in digits alone: give it with no sign, decimal point, "
                             f"space or leading zero, as {meant.group(1)}")
        raise ValueError(f"'{shown}' is not a whole number: give it in digits alone, such as 12")

    return read


def path_number(most: int) -> Any:
    """The type of a number in a path, 1 to `most`, written in digits alone (see above)."""
    return Annotated[int, Path(ge=1, le=most), BeforeValidator(_path_number(most))]


# Path ids within SQLite's integer range (larger ones answer 422, not a server error).
PathId = path_number(MAX_ID)


# Scoring is CPU-bound Python: one letter at a time per server process. More threads would
# only fight over the GIL, and a thread holding the database write lock would wait for it,
# holding up every writer in the other processes too. Run one worker per core instead.
# Fair: each user's requests first come, first served (a plain Lock lets late arrivals
# overtake and starve a request), and users in turn, so one user's many long letters do not
# hold up another's check (api/concurrency.py).
scoring_slot = FairLock()


def visible_team(user: User) -> str | None:
    """The team a user is limited to (None: every team)."""
    return user.team if user.role == "staff" else None


def check_visible(db, user: User, letter_id: int) -> None:
    team = visible_team(user)
    if team is not None and store.letter_team(db, letter_id) != team:
        raise store.NotFound(f"no letter {letter_id}")
    if team is None:
        store.letter_team(db, letter_id)  # 404 when missing


async def checked_team_filter(request: Request, db: DbDep, user: CurrentUser) -> None:
    """A `team` filter that names no team is refused (422, `query.team`, naming the teams),
    never answered with an empty list that reads as good news; for staff, a team other than
    their own. Added to every router with a route that filters by team (api/main.py); it acts
    only on the routes that do, with every other wrong query parameter named in the same answer."""
    team = request.query_params.get("team")
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if team is None or dependant is None or user.role not in ("staff", "manager"):
        return  # other roles: the route's own role check answers (403)
    if not any(p.alias == "team" for p in dependant.query_params):
        return
    if user.role == "staff":
        if team == user.team:
            return
        message = teams.not_own_team_message(team, user.team or "")
    else:
        known = teams.known_teams(db)
        if team in known:
            return
        message = teams.unknown_team_message(team, known)
    problems = [{"type": "value_error", "loc": ("query", "team"), "msg": message, "input": team}]
    try:  # the route's other query parameters, so that one answer names every wrong one
        _, errors = request_params_to_args(dependant.query_params, request.query_params)
        problems += [e for e in errors if tuple(e.get("loc", ()))[:2] != ("query", "team")]
    except Exception:  # noqa: BLE001 - FastAPI's own check of them still follows
        pass
    raise RequestValidationError(problems)


def filters_by_team(router) -> bool:
    """Whether any route of `router` takes a `team` query parameter."""
    return any(any(p.alias == "team" for p in route.dependant.query_params)
               for route in router.routes if getattr(route, "dependant", None) is not None)
