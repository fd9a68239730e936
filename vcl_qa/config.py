"""Every setting of vcl-qa in one place, with the environment variable that changes it.

| setting | variable | default |
|---|---|---|
| database file | `VCL_QA_DB` | `./vcl_qa.db` (`make run` sets `var/vcl_qa.db`) |
| rules folder | `VCL_QA_RULES` | the rules shipped inside the package (`rules/` in a checkout) |
| sample letters | `VCL_QA_SAMPLES` | the samples shipped inside the package (`sample_letters/`) |
| interactive API docs at /docs and /redoc (their scripts come from an outside host) | `VCL_QA_API_DOCS` | off (`1`: on) |
| days letter text and personal details are kept | `VCL_QA_KEEP_LETTERS_DAYS` | 365 (`never`: until purged by hand) |
| days audit log entries are kept | `VCL_QA_KEEP_AUDIT_DAYS` | 730 (`never`: for good) |
| millions of characters one person's saves may store in 24 hours | `VCL_QA_DAILY_STORAGE_MB` | 200 |
| one person's requests that may wait at once to have a letter checked (one more: 429) | `VCL_QA_MOST_WAITING` | 16 |
| concept classifier model (second opinion, issue 13; `make model` builds it) | `VCL_QA_CONCEPT_MODEL` | `var/models/concepts` in the checkout |
| the service's clock, in whole seconds from the machine's (for tests: `vcl_qa/clock.py`) | `VCL_QA_CLOCK_OFFSET` | unset: the machine's clock |

Settings about letters and pages that an area may tune without code (session hours, page
sizes, the working-day limits) live in the rules folder (`web.yml`, `calendar.yml`); the
limits below protect the service and are not meant to be tuned.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import os
from pathlib import Path

DEFAULT_DB = "vcl_qa.db"
# Largest letter text accepted, in bytes (UTF-8), from a file, a form or the API.
MAX_LETTER_BYTES = 200 * 1024
# Largest front matter (or .docx sidecar) accepted, in bytes: a few dozen short fields.
MAX_FRONT_MATTER_BYTES = 16 * 1024
# A Word file: most bytes its parts may unpack to, and most parts (files) inside it.
MAX_DOCX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_DOCX_PARTS = 1000
# Most XML elements in all the parts of one Word file (every part read as XML, whatever it
# is called): a long letter has tens of thousands.
MAX_DOCX_ELEMENTS = 500_000
# A part read as XML that unpacks to more than MAX_DOCX_RATIO_FROM bytes may unpack to at most
# MAX_DOCX_RATIO times its packed size: 3 million empty paragraphs pack 682 to 1, while a
# python-docx letter of 4,800 identical paragraphs packs 195 to 1. Pictures and other parts
# that are never parsed are held only as bytes, bound by MAX_DOCX_UNPACKED_BYTES.
MAX_DOCX_RATIO = 400
MAX_DOCX_RATIO_FROM = 1024 * 1024
# Most relationships (links between parts: pictures, headers, hyperlinks) in one Word file: a
# letter has a few dozen, and python-docx takes about 50 microseconds over each (100,000 took 5 s).
MAX_DOCX_RELATIONSHIPS = 5_000
# Most elements the reader looks at in one Word file, whatever its shape (twice the elements a
# file may hold): it looks at each element of the body, headers and footers about once, so a file
# within MAX_DOCX_ELEMENTS stays well within this; a shape that would make it read the same
# content again and again is refused rather than read for minutes.
MAX_DOCX_ELEMENTS_READ = 2 * MAX_DOCX_ELEMENTS
# The compare page compares a changed stretch of lines word by word only when its words,
# multiplied, come to no more than this; beyond it the stretch is shown taken out and put in
# whole (difflib over every word of a 200 KB letter of repeated lines took 523 s).
WORD_DIFF_CELLS = 250_000
# The most work the compare page's matcher may do, in pairs of equal lines (or words) it may look
# at, for each of: matching the lines, matching them again between lines found once in each
# version, and comparing changed stretches word by word. difflib's search for the longest match
# looks at every pair of equal lines again for each block it finds: two 196 KB versions of
# 60,000 lines drawn from 150 values took 8 s, lines with a changed one between each 35 s.
# Beyond it, what is left is shown taken out and put in whole. Real letters come nowhere near it:
# 200 KB of the sample and held-out letters compared with the same in reverse order, 153,000.
DIFF_WORK = 2_000_000
# A run of text between spaces longer than this is given to spaCy's tokenizer in pieces of this
# length: its time grows with the square of a run's length (12,000 ")" in a row held up every
# check on the server for half a minute; in pieces, 0.06 s), and no word is this long.
LONGEST_TOKEN_RUN = 200
# The most findings a letter kept or checked by the service may have (letters/service.py
# `refuse_too_many`). No sample, held-out or corpus letter has more than 36; a 195 KB paste of
# "u u u ..." had 99,511, made a 47 MB answer and added 67 MB to the database each time it was
# saved. `vcl-qa score` still lists every one, keeping nothing.
MAX_FINDINGS = 10_000
# The most characters one person's saved versions may store in any 24 hours (the texts and
# their results: letters/service.py `check_daily_storage`), so that one account cannot fill
# the disk (an attacker's review: 6 MB a save of a hostile 200 KB text, 8 GB an hour). A busy
# writer's day is about 2 MB (50 saves of 40 KB). VCL_QA_DAILY_STORAGE_MB changes it; the
# command line's imports are not counted.
DAILY_STORAGE_CHARS = 200_000_000


def _whole_number(variable: str) -> int | None:
    """The environment variable as a whole number, 1 or more; None when unset or empty.
    ValueError naming it otherwise."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{variable} must be a whole number (1 or more), not {raw[:20]!r}")
    return int(raw)


def daily_storage_chars() -> int:
    """DAILY_STORAGE_CHARS, or VCL_QA_DAILY_STORAGE_MB (a whole number of millions)."""
    given = _whole_number("VCL_QA_DAILY_STORAGE_MB")
    return DAILY_STORAGE_CHARS if given is None else given * 1_000_000


# Dates a letter, decision or period may carry: a sensible range (a typo such as 9999 or 0202
# is refused with a message rather than breaking a working-day count).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
# How long a database call waits for another writer before giving up, in milliseconds.
BUSY_TIMEOUT_MS = 30_000
# How many of one user's requests may wait for the scoring slot at once (api/concurrency.py):
# each waits in one of the server's threads (SERVER_THREADS a process), which every other
# request needs too. One more is answered at once "too many waiting" (429, Retry-After) rather
# than held in a thread. 16: a case system sending letters over 16 connections with one token
# (tests/test_load.py) is never refused. VCL_QA_MOST_WAITING changes it (a whole number, 1 or more).
MOST_WAITING_PER_USER = 16
# Threads a server process serves its plain `def` routes from (anyio's default is 40): room for
# one person's requests waiting at most, and many times that for everyone else.
SERVER_THREADS = 100


def most_waiting_per_user() -> int:
    """MOST_WAITING_PER_USER, or VCL_QA_MOST_WAITING."""
    given = _whole_number("VCL_QA_MOST_WAITING")
    return MOST_WAITING_PER_USER if given is None else given

_CHECKOUT = Path(__file__).resolve().parent.parent


def _shipped(package: str, checkout_folder: str) -> Path:
    """A data folder shipped inside the wheel as `package` (pyproject maps it), else the
    folder of the same data in a source checkout."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if Path(location).is_dir():
                return Path(location)
    return _CHECKOUT / checkout_folder


def db_path() -> Path:
    """The SQLite file: VCL_QA_DB, or ./vcl_qa.db."""
    return Path(os.environ.get("VCL_QA_DB") or DEFAULT_DB)


def api_docs_enabled() -> bool:
    """Serve /docs and /redoc (VCL_QA_API_DOCS=1)? Off by default: they load an outside host."""
    return os.environ.get("VCL_QA_API_DOCS", "").strip() == "1"


def rules_dir() -> Path:
    """The rules folder: VCL_QA_RULES (an area's own copy), else the shipped rules."""
    env = os.environ.get("VCL_QA_RULES")
    return Path(env) if env else _shipped("vcl_qa.default_rules", "rules")


def samples_dir() -> Path:
    """The sample letters and sample decisions register used by `vcl-qa demo-setup`."""
    env = os.environ.get("VCL_QA_SAMPLES")
    return Path(env) if env else _shipped("vcl_qa.sample_data", "sample_letters")


def concept_model_dir() -> Path:
    """The concept classifier's spaCy model folder (issue 13): VCL_QA_CONCEPT_MODEL, else
    var/models/concepts in the checkout (built by `make model`; missing is allowed)."""
    env = os.environ.get("VCL_QA_CONCEPT_MODEL")
    return Path(env) if env else _CHECKOUT / "var" / "models" / "concepts"


CLOCK_OFFSET_ENV = "VCL_QA_CLOCK_OFFSET"
MAX_CLOCK_OFFSET = 86_400  # seconds: a day either way


@functools.lru_cache(maxsize=8)
def _clock_offset(text: str) -> dt.timedelta:
    try:
        seconds = int(text.strip())
    except ValueError:
        raise ValueError(f"{CLOCK_OFFSET_ENV} must be a whole number of seconds (such as -3600), "
                         f"not {text[:40]!r}") from None
    if abs(seconds) > MAX_CLOCK_OFFSET:
        raise ValueError(f"{CLOCK_OFFSET_ENV} is {seconds} seconds: at most {MAX_CLOCK_OFFSET} (a day) "
                         "either way")
    return dt.timedelta(seconds=seconds)


def clock_offset() -> dt.timedelta:
    """How far the service's clock is set from the machine's: VCL_QA_CLOCK_OFFSET, whole seconds
    (negative: back), at most a day either way; unset, zero. For tests (vcl_qa/clock.py)."""
    text = os.environ.get(CLOCK_OFFSET_ENV, "")
    return _clock_offset(text) if text.strip() else dt.timedelta(0)


# Retention (`vcl-qa purge` with no options applies it; `vcl-qa status` warns when it is overdue).
KEEP_LETTERS_DAYS = 365
KEEP_AUDIT_DAYS = 730
# `vcl-qa status` warns when the last backup is older than this.
BACKUP_WARN_HOURS = 48


def keep_days(variable: str, default: int) -> int | None:
    """Days to keep something, from `variable` (a whole number of days, or `never`: None)."""
    raw = os.environ.get(variable, "").strip().lower()
    if not raw:
        return default
    if raw == "never":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{variable} must be a whole number of days (1 or more) or 'never', not {raw[:20]!r}")
    return int(raw)
