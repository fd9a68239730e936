"""Users (admin only) and the current user (any role). Tokens are shown once, when made."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from vcl_qa.db import users as store

from ..deps import PathId, AdminUser, CurrentUser, DbDep
from ..errors import COMMON_RESPONSES, CONFLICT, NOT_FOUND, ApiError

router = APIRouter(tags=["users"], responses=COMMON_RESPONSES)


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    team: str | None


class UserList(BaseModel):
    data: list[UserOut]
    count: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    role: Literal["staff", "panel", "manager", "admin"]
    team: str | None = Field(default=None, max_length=200, description="Required for staff")
    expires_days: int | None = Field(default=None, ge=1, le=store.MAX_TOKEN_DAYS, strict=True,
                                     description="The token stops working after this many days "
                                                 "(default: never); a JSON number")


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expires_days: int | None = Field(default=None, ge=1, le=store.MAX_TOKEN_DAYS, strict=True,
                                     description="The new token stops working after this many days "
                                                 "(default: never); a JSON number")


class UserWithToken(BaseModel):
    user: UserOut
    token: str = Field(description="Shown this once; only its hash is stored")
    expires_at: str | None = Field(default=None, description="When the token stops working (UTC); "
                                                             "null: never")


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser):
    """Who this token belongs to."""
    return user.public()


@router.get("/users", response_model=UserList)
def list_users(db: DbDep, admin: AdminUser, limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=10_000_000, description=(
                   "Users to skip. Kept for old clients: to page through, pass `after_id` instead"))] = 0,
               after_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description=(
                   "Only users with a higher id: to page through while other admins add users or "
                   "switch them off or on, pass the last id of the page before (an offset shifts as "
                   "they do, and a page skips or repeats a user)"))] = None):
    """Switched-on users, oldest first, as {data, count}. `count` counts what `after_id` leaves."""
    users, count = store.list_users(db, limit, offset, after_id=after_id)
    return {"data": [u.public() for u in users], "count": count}


@router.post("/users", status_code=201, response_model=UserWithToken, responses=CONFLICT)
def create_user(body: UserCreate, db: DbDep, admin: AdminUser):
    """Add a user and return their new API token (once)."""
    user, token = store.add_user(db, body.name, body.role, body.team, actor=admin,
                                 expires_days=body.expires_days)
    return {"user": user.public(), "token": token, "expires_at": store.token_expires_at(db, user.id)}


@router.post("/users/{user_id}/token", response_model=UserWithToken, responses={**NOT_FOUND, **CONFLICT})
def reset_token(user_id: PathId, db: DbDep, admin: AdminUser, body: TokenIn | None = None):
    """Issue a new token for a user: the old one stops working and the user's web sessions
    end. A switched-off user is not switched back on (409)."""
    user = store.get_user(db, user_id)
    if user is None:
        raise ApiError(404, "not_found", f"no user {user_id}")
    try:
        token = store.reset_token(db, user_id, actor=admin, expires_days=body.expires_days if body else None)
    except store.UserDisabled as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    return {"user": user.public(), "token": token, "expires_at": store.token_expires_at(db, user_id)}


@router.delete("/users/{user_id}", status_code=204, responses={**NOT_FOUND, **CONFLICT})
def disable_user(user_id: PathId, db: DbDep, admin: AdminUser):
    """Switch a user off: their token stops working; their name stays in the audit log."""
    if user_id == admin.id:
        raise ApiError(409, "conflict", "you cannot switch off your own account")
    if not store.disable_user(db, user_id, actor=admin):
        raise ApiError(404, "not_found", f"no user {user_id}")
    return Response(status_code=204)
