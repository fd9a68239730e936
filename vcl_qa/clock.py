"""Today's date where the service works: England and Wales (Europe/London), whatever time zone
the server runs in. Deadlines are counted in UK working days, so "today" must be the UK's: a
server on UTC would otherwise be a day behind between midnight and 1 am in summer, and refuse
a decision made that day as "after today". Stored timestamps stay in UTC; `uk_date` turns one
into the UK day it fell on."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def today() -> dt.date:
    """Today's date in England and Wales."""
    return dt.datetime.now(UK).date()


def uk_time(stamp: str | dt.datetime) -> dt.datetime:
    """A timestamp (an ISO string or a datetime; one without a zone is UTC, as the database
    stores them) as the UK's clock showed it."""
    when = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(UK)


def uk_date(stamp: str | dt.datetime) -> dt.date:
    """The UK date of a timestamp (see `uk_time`)."""
    return uk_time(stamp).date()


def uk_when(stamp: str | dt.datetime) -> str:
    """A stored timestamp (UTC) as the pages show it, on the UK's clock: "Thursday 2 July 2026,
    00:30" (not the UTC day and hour: in summer an hour out, and around midnight the day)."""
    from vcl_qa.engine.dates import long_date

    moment = uk_time(stamp)
    return f"{long_date(moment.date())}, {moment:%H:%M}"


def uk_long_date(stamp: str | dt.datetime) -> str:
    """The UK day of a stored timestamp (UTC), written out: "Thursday 2 July 2026"."""
    from vcl_qa.engine.dates import long_date

    return long_date(uk_date(stamp))
