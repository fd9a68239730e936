"""A real server with the demo's data for the page tests: the sample letters sent (team demo),
the sample decisions register, one user per role, two panel members and a drawn panel period.
Plus signing in over HTTP and reading a page's visible text."""
from __future__ import annotations

import html
import re
from pathlib import Path

import httpx

from live_server import SAMPLES, LiveServer, make_user

TEAM = "demo"


def build(db_path: Path) -> dict:
    from vcl_qa.db import open_db
    from vcl_qa.db.users import user_by_name
    from vcl_qa.decisions import register
    from vcl_qa.letters import bulk
    from vcl_qa.panel import sampling

    tokens = {"staff": make_user(db_path, "Sam Staff", "staff", TEAM),
              "other": make_user(db_path, "Olu Other", "staff", "south"),
              "manager": make_user(db_path, "Mo Manager", "manager"),
              "panel": make_user(db_path, "Pat Panel", "panel"),
              "panel2": make_user(db_path, "Priya Panel", "panel"),
              "admin": make_user(db_path, "Ada Admin", "admin")}
    db = open_db(db_path)
    try:
        bulk.import_folder(db, SAMPLES, TEAM, sent=True)
        register.import_sample(db)
        sampling.draw(db, user_by_name(db, "Mo Manager"), "2024Q4")
    finally:
        db.close()
    return tokens


def start(tmp_path_factory, name: str) -> dict:
    db_path = tmp_path_factory.mktemp(name) / "vcl_qa.db"
    tokens = build(db_path)
    server = LiveServer(db_path).start()
    return {"url": server.url, "tokens": tokens, "db": db_path, "server": server}


def signed_in(site: dict, role: str) -> httpx.Client:
    client = httpx.Client(base_url=site["url"], timeout=30)
    page = client.get("/sign-in")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/sign-in", data={"pre_token": pre, "token": site["tokens"][role]})
    assert r.status_code == 303, r.text[:500]
    return client


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def visible_text(page: str) -> str:
    """What a person reads: no scripts, styles, tags or attributes; entities decoded."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def field_error(page: str, field: str) -> str:
    m = re.search(rf'id="{re.escape(field)}-error">(.*?)</p>', page, re.S)
    return visible_text(m.group(1)).replace("Error:", "").strip() if m else ""
