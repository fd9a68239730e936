"""Today's date where the service works: England and Wales (Europe/London), whatever time zone
the server runs in. Deadlines are counted in UK working days, so "today" must be the UK's: a
server on UTC would otherwise be a day behind between midnight and 1 am in summer, and refuse
a decision made that day as "after today". Stored timestamps stay in UTC; `uk_date` turns one
into the UK day it fell on.

Every "now" of the service comes from `now()` (stored timestamps, session and link expiry, file
names of backups) and every "today" from `today()`, so that one setting moves the whole clock:
`VCL_QA_CLOCK_OFFSET`, whole seconds added to the machine's clock (negative to go back; at most
a day either way). It is for tests, which need one date for the whole of a run that may cross
midnight (tests/conftest.py sets it so that the run starts at noon on the real UK date); in
service it is unset, and `vcl-qa serve` says so loudly when it is not."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from vcl_qa import config

UK = ZoneInfo("Europe/London")
OFFSET_ENV = config.CLOCK_OFFSET_ENV


def offset() -> dt.timedelta:
    """How far the service's clock is set from the machine's (zero unless VCL_QA_CLOCK_OFFSET)."""
    return config.clock_offset()


def now() -> dt.datetime:
    """The moment now, in UTC (with the zone), on the service's clock."""
    return dt.datetime.now(dt.timezone.utc) + offset()


def today() -> dt.date:
    """Today's date in England and Wales."""
    return now().astimezone(UK).date()


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
