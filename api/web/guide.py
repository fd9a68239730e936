"""The guide to the letter standard (/guide): open to anyone who can reach the service, no
sign-in needed; one page per dimension, and the whole guide on one page for printing."""
from __future__ import annotations

from fastapi import APIRouter, Request

from vcl_qa.training import guide

from .session import SignInRequired, WebUser, render, signed_in

router = APIRouter(include_in_schema=False)


async def _maybe_user(request: Request) -> WebUser | None:
    """The signed-in user when there is one (for the menu); the guide itself needs none."""
    try:
        return await signed_in(request)
    except SignInRequired:
        return None


@router.get("/guide")
async def guide_index(request: Request):
    user = await _maybe_user(request)
    return render(request, "training/guide_index.html", {"parts": guide.build(), "intro": guide.intro()},
                  user=user)


@router.get("/guide/all")
async def guide_all(request: Request):
    user = await _maybe_user(request)
    return render(request, "training/guide_part.html", {"parts": guide.build(), "whole": True}, user=user)


@router.get("/guide/{part}")
async def guide_part(request: Request, part: str):
    found = guide.dimension(part)
    user = await _maybe_user(request)
    if found is None:
        return render(request, "error.html", {
            "heading": "Page not found",
            "message": "The guide has no such part. Go back to the guide's contents."}, 404, user)
    return render(request, "training/guide_part.html", {"parts": [found], "whole": False,
                                                         "all_parts": guide.build()}, user=user)
