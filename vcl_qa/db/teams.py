"""The teams the service knows: every team that has a user, a letter or a register entry.

A filter naming any other team is a mistake (a typing slip, "North" for "north"), and is
refused with these names rather than answered with an empty list that reads as good news.
"""
from __future__ import annotations

import difflib

from sqlite_utils import Database

from vcl_qa.db import names

# Names listed in one message at most (an area has a handful of teams; a message stays readable).
LISTED = 20


def known_teams(db: Database) -> list[str]:
    """Every team with a user, a letter or a decision in the register, sorted."""
    teams: set[str] = set()
    for table in ("users", "letters", "decisions"):
        if db[table].exists():
            teams |= {r[0] for r in db.execute(f"SELECT DISTINCT team FROM {table} WHERE team IS NOT NULL")}
    return sorted(t for t in teams if t)


def same_looking_team(db: Database, team: str) -> str | None:
    """The known team that `team` looks the same as without being it ("North", " north",
    "north" with a zero-width space, in full width), or None."""
    known = known_teams(db)
    if team in known:
        return None
    key = names.name_key(team)
    return next((k for k in known if names.name_key(k) == key), None)


def closest_team(team: str, known: list[str]) -> str | None:
    """The known team `team` looks the same as, else the closest in spelling, else None."""
    key = names.name_key(team)
    same = [k for k in known if names.name_key(k) == key]
    if same:
        return same[0]
    by_key: dict[str, str] = {}
    for k in known:
        by_key.setdefault(names.name_key(k), k)
    close = difflib.get_close_matches(key, list(by_key), n=1)
    return by_key[close[0]] if close else None


def unknown_team_message(team: str, known: list[str]) -> str:
    """Why `team` is not a team, naming the closest one and the teams there are. A character
    that shows nothing (or an unusual space) is written as its code and named."""
    shown = names.shown(team)
    unseen = names.unseen_in(team)
    holds = f"it holds {', '.join(unseen)}" if unseen else ""
    if not known:
        return (f"there is no team called '{shown}'{f' ({holds})' if holds else ''}: no team has users, "
                "letters or decisions yet")
    close = closest_team(team, known)
    said = [holds] if holds else []
    said += [f"did you mean '{names.shown(close)}'?"] if close else []
    hint = f" ({'; '.join(said)})" if said else ""
    listed = ", ".join(f"'{names.shown(k)}'" for k in known[:LISTED])
    more = f" and {len(known) - LISTED} more" if len(known) > LISTED else ""
    return f"there is no team called '{shown}'{hint}; the teams are {listed}{more}"


def not_own_team_message(team: str, own: str) -> str:
    """Why a staff member's `team` filter is refused: they see their own team's only."""
    shown = names.shown(team)
    return (f"'{shown}' is not your team: staff see their own team's only, team '{own}' "
            f"(leave team out, or give '{own}')")
