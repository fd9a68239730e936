"""The teams the service knows: every team that has a user, a letter or a register entry.

A filter naming any other team is a mistake (a typing slip, "North" for "north"), and is
refused with these names rather than answered with an empty list that reads as good news.
"""
from __future__ import annotations

import difflib

from sqlite_utils import Database

# Names listed in one message at most (an area has a handful of teams; a message stays readable).
LISTED = 20


def known_teams(db: Database) -> list[str]:
    """Every team with a user, a letter or a decision in the register, sorted."""
    teams: set[str] = set()
    for table in ("users", "letters", "decisions"):
        if db[table].exists():
            teams |= {r[0] for r in db.execute(f"SELECT DISTINCT team FROM {table} WHERE team IS NOT NULL")}
    return sorted(t for t in teams if t)


def unknown_team_message(team: str, known: list[str]) -> str:
    """Why `team` is not a team, naming the closest one and the teams there are."""
    shown = team if len(team) <= 40 else team[:40].rstrip() + "..."
    if not known:
        return f"there is no team called '{shown}': no team has users, letters or decisions yet"
    lower = {k.lower(): k for k in known}
    close = [lower[k] for k in difflib.get_close_matches(team.strip().lower(), list(lower), n=1)]
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    names = ", ".join(f"'{k}'" for k in known[:LISTED])
    more = f" and {len(known) - LISTED} more" if len(known) > LISTED else ""
    return f"there is no team called '{shown}'{hint}; the teams are {names}{more}"


def not_own_team_message(team: str, own: str) -> str:
    """Why a staff member's `team` filter is refused: they see their own team's only."""
    shown = team if len(team) <= 40 else team[:40].rstrip() + "..."
    return (f"'{shown}' is not your team: staff see their own team's only, team '{own}' "
            f"(leave team out, or give '{own}')")
