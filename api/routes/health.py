"""GET /api/v1/health: no token needed."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from vcl_qa import __version__
from vcl_qa.ops.status import classifier_problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    classifier: bool = Field(description=(
        "Whether the sentence classifier's model is in place. Without it the service still "
        "answers, but judges letters by their patterns alone: a boilerplate reason can pass as a "
        "case-specific one (`vcl-qa serve` and `vcl-qa status` say so too)"))


@router.get("/health", response_model=Health)
async def health() -> Health:
    # (its files only: loading the model here would hold up the event loop the first time)
    return Health(status="ok", version=__version__, classifier=classifier_problem(thorough=False) is None)
