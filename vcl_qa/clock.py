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
