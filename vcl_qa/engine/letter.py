"""A letter: its body text and the case context the checks need (contract section 1)."""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import unicodedata
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from vcl_qa import config
from vcl_qa._compiled import CompiledFunction  # methods built by Cython are not fields
from vcl_qa.engine.dates import written_otherwise
from vcl_qa.engine.result import _made
from vcl_qa.engine.word_lists import WordLists
from vcl_qa.errors import LetterError

MAX_BYTES = config.MAX_LETTER_BYTES
MAX_NAME_CHARS = 200  # a victim's name or a case reference
LETTER_SUFFIXES = {".txt", ".md", ".docx"}


class Decision(str, Enum):
    discontinued = "discontinued"
    no_evidence_offered = "no_evidence_offered"
    charge_altered = "charge_altered"
    not_charged = "not_charged"
    left_on_file = "left_on_file"


class VictimCategory(str, Enum):
    enhanced = "enhanced"
    standard = "standard"


class Offence(str, Enum):
    homicide = "homicide"
    death_by_driving = "death_by_driving"
    sexual_offence = "sexual_offence"
    child_abuse = "child_abuse"
    hate_crime = "hate_crime"
    domestic_abuse = "domestic_abuse"
    assault = "assault"
    burglary = "burglary"
    theft = "theft"
    fraud = "fraud"
    criminal_damage = "criminal_damage"
    harassment = "harassment"
    other = "other"


class Reader(str, Enum):
    """Who will read the letter: thresholds in rules/ depend on it (`when: {reader: ...}`)."""

    adult = "adult"
    young_person = "young_person"  # under 18: the Victims' Code gives them the enhanced service
    easy_read = "easy_read"  # a victim with a learning disability who needs Easy Read


class Suppression(BaseModel):
    """Silences one rule (optionally only for one term) in this letter, with a reason."""

    model_config = ConfigDict(extra="forbid", ignored_types=(CompiledFunction,))
    rule: str
    term: str | None = None
    reason: str = Field(min_length=1)
    # Where in the letter (as written) a wording marked in a stored letter may be set aside:
    # the places it had when the mark was made, carried through later edits (letters/store.py
    # `stored_suppressions`). None: wherever the words are (a file's own `suppress:`).
    places: list[tuple[int, int]] | None = None


class LetterContext(BaseModel):
    """The case facts of contract section 1. Every field is optional: a check that needs a
    missing field reports "not assessed"."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True, ignored_types=(CompiledFunction,))
    decision: Decision | None = None
    decision_date: dt.date | None = None
    letter_date: dt.date | None = None
    victim_category: VictimCategory | None = None
    bereaved: bool | None = None
    offence: Offence | None = None
    victim_name: str | None = None
    urn: str | None = None
    # The victim withdrew support or made a withdrawal statement: true, false or "unknown"
    # ("unknown", like a missing field, leaves the checks that need it not assessed).
    withdrawal: bool | Literal["unknown"] | None = None
    # Who will read it (missing: an adult).
    reader: Reader = Field(default=Reader.adult, validate_default=True)
    suppress: list[Suppression] = Field(default_factory=list)

    @field_validator("withdrawal", mode="before")
    @classmethod
    def _true_false_unknown(cls, v: Any) -> Any:
        if v is None or isinstance(v, bool):
            return v
        text = str(v).strip().lower()
        words = {"true": True, "yes": True, "false": False, "no": False, "unknown": "unknown"}
        if text in words:
            return words[text]
        if text == "":
            return None
        shown = str(v) if len(str(v)) <= 40 else str(v)[:40] + "..."
        raise ValueError(f"'{shown}' is not true, false or unknown")

    @field_validator("reader", mode="before")
    @classmethod
    def _adult_when_not_said(cls, v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            return Reader.adult
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("decision_date", "letter_date", mode="before")
    @classmethod
    def _a_day(cls, v: Any) -> Any:
        """A date is a day, written YYYY-MM-DD (or a date a YAML file reads as one): not a time
        of day ("2024-12-19T00:00:00", which pydantic would read as the 19th) nor a number of
        seconds (1734566400, read as the same day), which a slip or another system's format
        could pass unnoticed."""
        if isinstance(v, dt.datetime) or (isinstance(v, str) and re.search(r"\d[T ]\d{1,2}:\d", v.strip())):
            raise ValueError(f"'{v}' is a date and time: give the day alone, YYYY-MM-DD")  # as api/validation.py
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raise ValueError(f"{v} is a number, not a date: send the date as text, YYYY-MM-DD")
        return v

    @field_validator("decision_date", "letter_date")
    @classmethod
    def _sensible_date(cls, v: dt.date | None) -> dt.date | None:
        if v is not None and not config.EARLIEST_DATE <= v <= config.LATEST_DATE:
            raise ValueError(f"'{v}' is not between {config.EARLIEST_DATE} and {config.LATEST_DATE}; "
                             "check the year")
        return v

    @field_validator("victim_name", "urn")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        if v is None:
            return None
        # composed (NFC): "Zoe" + a combining diaeresis is the "Zoë" a greeting types
        v = unicodedata.normalize("NFC", str(v).strip())
        if len(v) > MAX_NAME_CHARS:
            raise ValueError(f"at most {MAX_NAME_CHARS} characters")
        for c in v:
            kind = unicodedata.category(c)
            if kind == "Cs":  # "\ud800" in JSON: half of a UTF-16 pair, no character at all
                raise ValueError("has a character that is not valid Unicode (a lone UTF-16 surrogate such as "
                                 "\\ud800: half of a pair); send the text as it is written")
            if kind == "Cf":
                # (named, not "such as a zero-width space": an audit found that said of U+202E)
                raise ValueError(f"has a character that cannot be seen (U+{ord(c):04X} "
                                 f"{unicodedata.name(c, 'FORMATTING CHARACTER')}): type the name or reference "
                                 "again without it")
            if kind[0] == "C":
                raise ValueError("no control characters (tabs, line breaks and the like)")
        return v or None

    @field_validator("urn", mode="before")
    @classmethod
    def _urn_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("urn")
    @classmethod
    def _urn_plain(cls, v: str | None) -> str | None:
        """A case reference typed with full-width characters ("４６ＫＳ０２５７４２５", as some
        keyboards type it) is kept as the plain one it shows (NFKC): stored as typed, it looked
        the same as the register's "46KS0257425" on every page and never matched it."""
        return unicodedata.normalize("NFKC", v) if v and not v.isascii() else v

    @model_validator(mode="after")
    def _dates_in_order(self) -> "LetterContext":
        if self.decision_date and self.letter_date and self.decision_date > self.letter_date:
            raise ValueError(
                f"decision_date {self.decision_date} is after letter_date {self.letter_date}"
            )
        return self


CONTEXT_FIELDS = tuple(LetterContext.model_fields)


def context_from_mapping(data: dict[str, Any], source: str | None = None) -> LetterContext:
    """Validate context fields. Every field that is wrong is named, each with a plain message
    (LetterError.details), so a person can put them all right at once."""
    if not isinstance(data, dict):
        raise LetterError("the front matter must be a set of 'field: value' lines", source=source)
    try:
        return LetterContext.model_validate(data)
    except ValidationError as exc:
        raise LetterError.many(context_problems(exc.errors(), data), source) from None


def context_problems(errors: list[dict[str, Any]], data: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(field path, plain message) for each of pydantic's errors: one per field, in the order
    the fields were given."""
    problems: dict[str | None, str] = {}
    for err in errors:
        field = ".".join(str(p) for p in err.get("loc", ())) or None
        if field is None and "is after letter_date" in str(err.get("msg", "")):
            field = "letter_date"  # the two dates out of order: named at the later field
        problems.setdefault(field, _plain_error(err, data))
    order = {str(k): i for i, k in enumerate(data)}
    return sorted(problems.items(), key=lambda kv: order.get((kv[0] or "").split(".")[0], len(order)))


def _shown(value: Any, limit: int = 40) -> str:
    """A value as quoted in a message: never more than `limit` characters of it."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def _plain_error(err: dict[str, Any], data: dict[str, Any]) -> str:
    kind = err.get("type", "")
    loc = err.get("loc", ())
    value = err.get("input")
    if kind == "extra_forbidden":
        allowed = Suppression.model_fields if len(loc) > 1 else CONTEXT_FIELDS
        return f"unknown field (allowed: {', '.join(allowed)})"
    if kind == "missing":
        return "is required"
    if kind == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"'{_shown(value)}' is not one of {allowed}"
    if kind.startswith("date"):
        return written_otherwise(value) or f"'{_shown(value)}' is not a real date (use YYYY-MM-DD)"
    if kind.startswith("bool"):
        return f"'{_shown(value)}' is not true or false"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_type":
        return "must be text"
    if kind == "list_type":
        return "must be a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a set of 'field: value' pairs"
    msg = err.get("msg", "is not valid")
    return msg.removeprefix("Value error, ")


class Letter(BaseModel):
    """The body exactly as the victim would read it, plus its context."""

    model_config = ConfigDict(extra="forbid", ignored_types=(CompiledFunction,))
    text: str
    context: LetterContext = Field(default_factory=LetterContext)
    source: str | None = None
    # Read from a Word file that still has tracked changes, comments or hidden text: what to do
    # about them before it is printed (`markup_warning`). Not part of the letter.
    _word_warning: str | None = PrivateAttr(default=None)

    @property
    def word_warning(self) -> str | None:
        return self._word_warning

    @classmethod
    def from_text(cls, raw: str, source: str | None = None, **overrides: Any) -> "Letter":
        """Parse front matter (if any) and body; `overrides` are context fields that win."""
        meta, body = split_front_matter(raw, source)
        meta.update({k: v for k, v in overrides.items() if v is not None})
        ctx = context_from_mapping(meta, source)
        if not body.strip():
            raise LetterError("the letter has no text", source=source)
        control = control_character_problem(raw)  # placed by the file's own lines
        if control:
            raise LetterError(control, source=source)
        if shows_nothing(body):
            raise LetterError(NOTHING_SHOWN, source=source)
        return cls(text=body, context=ctx, source=source)

    @classmethod
    def of_text(cls, text: str, context: "LetterContext") -> "Letter":
        """`Letter.model_construct(text=text, context=context, source=None)`, without pydantic
        going through the fields for their defaults each time: the engine makes one for each
        stretch of a letter it reads again to check a one-click replacement, several a letter.
        The same instance (tests/test_result_shape.py compares the two)."""
        return _made(cls, {"text": text, "context": context, "source": None}, {"text", "context", "source"},
                     None, {"_word_warning": None})

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> "Letter":
        path = Path(path)
        src = str(path)
        if not path.exists():
            raise LetterError("no such file", source=src)
        if path.is_dir():
            raise LetterError("is a folder, not a letter file", source=src)
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LetterError(f"the file is {size // 1024} KB; the limit is {MAX_BYTES // 1024} KB", source=src)
        if size == 0:
            raise LetterError("the file is empty", source=src)
        data = path.read_bytes()
        if path.suffix.lower() == ".docx":
            return cls._from_docx(path, data, overrides)
        other = other_format(data, path.suffix.lower())
        if other:
            raise LetterError(other, source=src)
        return cls.from_text(decode_text(data, src), source=src, **overrides)

    @classmethod
    def _from_docx(cls, path: Path, data: bytes, overrides: dict[str, Any]) -> "Letter":
        src = str(path)
        body, warning = read_docx(data, src)
        meta: dict[str, Any] = {}
        for sidecar in (path.with_suffix(".yml"), path.with_suffix(".yaml")):
            if sidecar.exists():
                size = sidecar.stat().st_size
                if size > MAX_FRONT_MATTER_BYTES:
                    raise LetterError(f"the file is {size // 1024} KB; the limit for a letter's "
                                      f"details is {MAX_FRONT_MATTER_BYTES // 1024} KB",
                                      source=str(sidecar))
                meta = _load_yaml(decode_text(sidecar.read_bytes(), str(sidecar)), str(sidecar))
                break
        meta.update({k: v for k, v in overrides.items() if v is not None})
        ctx = context_from_mapping(meta, src)
        if not body.strip():
            raise LetterError("the Word document has no text", source=src)
        letter = cls(text=body, context=ctx, source=src)
        letter._word_warning = warning
        return letter


# How to get a letter vcl-qa reads out of the files people have instead.
_SAVE_AS = "open it in Word and save it as a Word Document (.docx), or paste its text into the check page"


def other_format(data: bytes, suffix: str) -> str | None:
    """What kind of file this is, when it is one vcl-qa cannot read as a letter (told by its
    first bytes, not its name): a PDF, an old Word 97-2003 file, a Word file protected with a
    password (kept in the old container), RTF, OpenDocument, or a Word file named as text.
    None when it may be a letter file (.docx, .txt or .md)."""
    if data.startswith(b"%PDF-"):
        return f"this is a PDF file, which vcl-qa cannot read: {_SAVE_AS}"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if suffix == ".docx":  # Word keeps a password-protected .docx in this container
            return ("it is protected with a password (or is an old Word 97-2003 file renamed): "
                    "open it in Word and save it as a Word Document (.docx) without a password")
        return f"this is an old Word 97-2003 (.doc) file, or one protected with a password: {_SAVE_AS}"
    if data.lstrip()[:5] == b"{\\rtf":
        return f"this is a Rich Text (.rtf) file, which vcl-qa cannot read: {_SAVE_AS}"
    if data.startswith(b"PK\x03\x04") and suffix != ".docx":
        if b"opendocument" in data[:200]:
            return f"this is an OpenDocument (.odt) file, which vcl-qa cannot read: {_SAVE_AS}"
        if b"word/" in data or b"[Content_Types].xml" in data[:2000]:
            return "this is a Word document with another name: give it a .docx ending"
        return "this is a zip file, not a letter: choose the Word (.docx) or text (.txt) file inside it"
    return None


# A text file's encoding told by the byte-order mark it starts with: Windows Notepad saves
# "Unicode" as UTF-16 little-endian with one, "Unicode big endian" as UTF-16 big-endian, and
# "UTF-8 with BOM" as UTF-8 with one. UTF-32's marks come first: FF FE 00 00 starts UTF-16's too.
_BYTE_ORDER_MARKS = ((b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
                     (b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xff\xfe", "utf-16-le", "UTF-16"),
                     (b"\xfe\xff", "utf-16-be", "UTF-16"))
_SAVE_AS_UTF8 = "save it again as UTF-8 (in Notepad: File, Save as, Encoding: UTF-8)"


def decode_text(data: bytes, source: str | None = None) -> str:
    """The text of a letter file (or a sidecar, or a register CSV): UTF-8, or UTF-16 or UTF-32
    with the byte-order mark that says which (read by that mark, which is not kept); line
    breaks made "\n". A LetterError saying what the file is otherwise: binary, UTF-16 without
    its mark, or not valid text in its encoding (with the byte where it goes wrong)."""
    encoding, name, start = "utf-8", "UTF-8", 0
    for mark, codec, label in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            encoding, name, start = codec, label, len(mark)
            break
    if start == 0 and b"\x00" in data[:4096]:
        if _utf16_without_mark(data[:4096]):
            raise LetterError("this looks like text saved as UTF-16 (Notepad's \u201cUnicode\u201d) without "
                              f"the mark at its start that says so, so it cannot be read for certain: {_SAVE_AS_UTF8}",
                              source=source)
        raise LetterError("this looks like a binary file, not a text letter", source=source)
    try:
        text = data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        save = "save it as UTF-8" if name == "UTF-8" else _SAVE_AS_UTF8
        raise LetterError(
            f"the file is not {name} text (bad byte at position {start + exc.start}); {save}",
            source=source,
        ) from None
    if "\x00" in text[:4096]:  # a NUL character: no letter has one, whatever the encoding
        raise LetterError("this looks like a binary file, not a text letter", source=source)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16_without_mark(head: bytes) -> bool:
    """Whether bytes with NULs in them read as UTF-16 text with no byte-order mark: text in a
    Latin script, saved that way, has a NUL as every second byte (the high byte of each
    character), at odd places (little-endian) or even ones (big-endian), and none at the
    others; a binary file's NULs fall anywhere."""
    pairs = len(head) // 2
    if pairs < 2:
        return False
    even, odd = head[0:2 * pairs:2].count(0), head[1:2 * pairs:2].count(0)
    return min(even, odd) == 0 and max(even, odd) >= pairs * 0.6


NOTHING_SHOWN = ("the letter has no text: only characters that cannot be seen (such as a zero-width "
                 "space or a byte-order mark) or accents with no letter")


def shows_nothing(text: str) -> bool:
    """Whether the text has nothing a reader could see, though it is not all spaces: only
    characters that show nothing (engine/invisible.py), spaces, line breaks, direction marks
    and accents with no letter. Stored, such a "letter" was scored (25-55) and counted on the
    dashboard as a poor letter checked (an audit)."""
    if text.isascii():
        return False  # (not all spaces: a letter, or a control character, refused on its own)
    from vcl_qa.engine.invisible import plain

    return not any(unicodedata.category(c)[0] in "LNPS" for c in plain(text)[0])


# Control characters no letter holds: C0 and C1, and DELETE, but tab, line feed and carriage
# return, and vertical tab and form feed (Word's line and page breaks, in text pasted from it:
# the engine reads them as line breaks, engine/invisible.py, as the Word download does). A NUL was
# kept, and written into the letter page's text box, where the browser made it U+FFFD, so the
# next save changed the letter; ESC and the C1 controls (U+009B starts a terminal's command)
# reach terminals and spreadsheets through the command line and the exports (a review).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BELL", 0x08: "BACKSPACE", 0x1B: "ESCAPE", 0x7F: "DELETE",
                  0x85: "NEXT LINE", 0x9B: "CONTROL SEQUENCE INTRODUCER"}


def control_character_problem(text: str) -> str | None:
    """Where the first control character no letter holds stands in `text`, and what it is, in
    words ("line 3, column 14: a control character (U+0000 NUL) ..."); None when there is none.
    The one check for letter text however it comes in: the API, the pages, files and imports
    (`check_text` in vcl_qa/letters/service.py, `Letter.from_text`)."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    at = found.start()
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    code = ord(found.group())
    name = f"U+{code:04X} {_CONTROL_NAMES.get(code, '')}".rstrip()
    more = len(_CONTROL.findall(text)) - 1
    others = f" (and {more:,} more after it)" if more else ""
    return (f"line {line:,}, column {column:,}: a control character ({name}){others}, which no letter "
            "holds: it cannot be seen or printed, and a browser changes it, so the letter saved again "
            "from its page would not be the letter sent. Delete it and try again (tabs and "
            "line breaks are fine)")


def control_characters_shown(text: str) -> tuple[str, str | None]:
    """A stored letter's text for its page's editor: each control character no letter holds
    (saved before they were refused) made a space, one for one so that every place the checker
    found stays where it is, and a note in words saying so; (text, None) when there is none. The
    page gave the characters back as they were (a NUL as U+FFFD), and its next save was refused
    over a character nobody could see, however the letter was changed (a review)."""
    found = _CONTROL.findall(text)
    if not found:
        return text, None
    first = control_character_problem(text).split(":", 1)[0]  # "line 12, column 5"
    code = ord(found[0])
    name = f"U+{code:04X} {_CONTROL_NAMES.get(code, '')}".rstrip()
    many = len(found)
    note = (f"This letter was saved with {many:,} control character{'s' if many != 1 else ''} (such as {name}, "
            f"the first at {first}), from before they were refused: {'they' if many != 1 else 'it'} cannot be "
            f"seen or printed. Each is shown below as a space; save the letter to keep it without them.")
    return _CONTROL.sub(" ", text), note


UNREADABLE_DOCX = "this is not a readable Word (.docx) document"


def unreadable_docx(reason: str, source: str | None = None) -> LetterError:
    """The one error for a Word file that cannot be read, with what is wrong in words."""
    return LetterError(f"{UNREADABLE_DOCX}: {reason}", source=source)


def docx_text(data: bytes, source: str | None = None) -> str:
    """The text of a Word file, as it prints (the numbers and bullets of its lists included, at
    the start of their lines: word_lists.py). Anything unreadable, however it is damaged (not a
    zip, a part that cannot be unpacked, password protection, broken XML, parts that do not fit
    together), is a LetterError naming what is wrong, never another exception; a list whose
    numbering is damaged is read without its numbers."""
    return read_docx(data, source)[0]


def read_docx(data: bytes, source: str | None = None) -> tuple[str, str | None]:
    """The text of a Word file (as `docx_text`), and a warning in plain words when the file
    still has tracked changes, comments or hidden text (`markup_warning`), else None."""
    import docx  # python-docx; imported here so plain-text scoring never pays for it

    other = other_format(data, ".docx")
    if other:
        raise unreadable_docx(other.removeprefix("this is "), source)
    check_docx_package(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
        reading = _Reading(source)
        reading.lists = WordLists(document, reading)
        body = _docx_body_lines(document, reading)
        head, foot = _docx_margin_lines(document, set(body), reading)
    except LetterError:
        raise
    except Exception as exc:  # python-docx on a damaged file: KeyError, ValueError, lxml errors...
        raise unreadable_docx(_docx_problem(exc), source) from None
    paras = [*head, *([""] if head else []), *_blocks_apart(body), *([""] if foot else []), *foot]
    text = "\n".join(paras).strip() + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise LetterError(f"the Word document holds {size // 1024} KB of text; the limit is "
                          f"{MAX_BYTES // 1024} KB", source=source)
    return text, markup_warning(document)


def markup_warning(document) -> str | None:
    """What a Word file still carries that should not reach the victim: tracked changes (read
    here as if accepted), comments, and hidden text (not read). Word prints tracked changes and
    comments in the margin unless told not to, so a letter printed as it is would show them."""
    body = document.element.body
    changes = sum(1 for tag in ("ins", "del", "moveFrom", "moveTo") for _ in body.iter(_W_NS + tag))
    comments = sum(1 for _ in body.iter(_W_NS + "commentReference"))
    # (text in it: an empty run in 1 pt type, a spacer, hides nothing)
    # (the run's own text: a text box anchored in a 1 pt run is read, and is no hidden text)
    hidden = any(_hidden(r) and any((t.text or "").strip() for t in r.iterchildren(_W_NS + "t"))
                 for r in body.iter(_W_NS + "r"))
    # (what it has, how it was read, what to do) for each kind of markup the file has
    found = [(what, read, todo) for present, what, read, todo in (
        (changes, f"{changes} tracked change{'s' if changes != 1 else ''}",
         "the letter was read as if the changes were accepted", "accept or reject every change"),
        (comments, f"{comments} comment{'s' if comments != 1 else ''}",
         "the comments were not read", "delete the comments"),
        (hidden, "hidden text (formatted as hidden, in white, or too small to read)",
         "the hidden text was not read", "delete the hidden text")) if present]
    if not found:
        return None
    what, read, todo = (list(col) for col in zip(*found))
    said = "; ".join(read)
    return (f"The Word file still has {_and(what)}. {said[0].upper() + said[1:]}. Before you print "
            f"or send it, open it in Word and {_and(todo)} (Review tab): Word prints changes and "
            "comments unless told not to.")


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


_OVERLAPPED = re.compile(r"^Overlapped entries: '(.{1,200})' \(possible zip bomb\)")


def _docx_problem(exc: BaseException, part: str | None = None) -> str:
    """What is wrong with a Word file, in words, from the exception reading it raised."""
    import lzma
    import zipfile
    import zlib

    from lxml import etree

    where = f"its part {part}" if part else "a part of it"
    overlap = _OVERLAPPED.search(str(exc)) if isinstance(exc, zipfile.BadZipFile) else None
    if overlap:
        # (Python's zipfile refuses a part whose stated size runs over the next part or past the
        # end of the file, as a zip bomb would: 3.11.2 as Debian ships it, and 3.12 on)
        return (f"its part {overlap.group(1)} is damaged (its size runs past where it ends); "
                "save the letter again from Word")
    if isinstance(exc, (zlib.error, lzma.LZMAError, EOFError)) or (
            isinstance(exc, zipfile.BadZipFile) and part) or (isinstance(exc, OSError) and part):
        return f"{where} is damaged (its packed data cannot be unpacked); save the letter again from Word"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "it is protected with a password; save it without one"
    if isinstance(exc, NotImplementedError):
        return f"{where} is packed in a way Word does not use ({exc})"
    if isinstance(exc, (zipfile.BadZipFile, OSError)):
        return "it is not a Word file, or it is cut short or damaged (it does not open as one)"
    if isinstance(exc, (etree.LxmlError, ValueError)) and part:
        return f"{where} is not XML that can be read (broken, or nested far too deeply)"
    if isinstance(exc, KeyError):
        # (a zip file renamed .docx has no [Content_Types].xml; a Word file cut down by another
        # program may lack word/document.xml, the letter itself; a review found "a part it refers
        # to is missing" said neither)
        missing = re.search(r"no item named '([^']+)'", str(exc))
        if missing and missing.group(1) == "[Content_Types].xml":
            return ("it is a zip file but not a Word document (it has no [Content_Types].xml, which every "
                    "Word file has); open the letter in Word and save it as a Word document (.docx)")
        if missing and missing.group(1) == "word/document.xml":
            return ("its part word/document.xml, the letter itself, is missing; open the letter in Word and "
                    "save it again as a Word document (.docx)")
        if missing:
            return (f"its part {missing.group(1)} is missing; open the letter in Word and save it again as a "
                    "Word document (.docx)")
        return "a part it refers to is missing; open the letter in Word and save it again as a Word document (.docx)"
    return "its parts do not fit together as a Word document does"


_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_NS = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


class _Reading:
    """How many more elements the reader may look at in one Word file (config.
    MAX_DOCX_ELEMENTS_READ), a LetterError once they run out; and its list numbers counted so
    far (`lists`, word_lists.py: read paragraph by paragraph, in the order they stand).

    check_docx_package bounds what a file holds; this bounds how much reading it takes,
    whatever its shape. The reader looks at each element of the body and of each header and
    footer part about once, so a file within the element limit stays within this one; a shape
    that would make it read the same content again and again (before: a merged cell read once
    for each row below it, one header for each of 500 sections, a text box inside a text box
    once for each box around it) is stopped, not read for minutes."""

    __slots__ = ("left", "lists", "source", "rtl")

    def __init__(self, source: str | None):
        self.left = config.MAX_DOCX_ELEMENTS_READ
        self.source = source
        self.lists: WordLists | None = None
        self.rtl = 0  # how many right-to-left settings (w:bdo, w:dir) the reader is inside

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise LetterError("the Word file takes far more reading than a letter (over "
                              f"{config.MAX_DOCX_ELEMENTS_READ:,} elements read; the limit is "
                              f"{config.MAX_DOCX_ELEMENTS_READ:,})", source=self.source)


_GREETING_LINE = re.compile(r"(?:Dear|Annwyl)\b")


class _Block(str):
    """A paragraph's text of several lines (line breaks typed with Shift+Enter), as against a
    table row's (`_blocks_apart`)."""


def _blocks_apart(lines: list[str]) -> list[str]:
    """Above the greeting, a paragraph of several lines (an address typed with Shift+Enter; not a
    table's row) set apart from the next by a blank line: a line break and a paragraph's end both read as a new
    line, so the CPS office's address ran straight into the victim's, in the editor and in the
    Word file downloaded (a user review: "Reading RG1 1AA" then "Mrs Patricia Okonkwo-Hale").
    The body's paragraphs are left as Word has them."""
    greeting = next((i for i, line in enumerate(lines) if _GREETING_LINE.match(line.lstrip())), None)
    if greeting is None:
        return lines
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if i + 1 < greeting and isinstance(line, _Block) and lines[i + 1].strip():
            out.append("")
    return out


def _docx_body_lines(document, reading: _Reading) -> list[str]:
    """Paragraphs and table rows in the order they stand in the document (a table of address
    and reference at the top stays at the top). A row's cells are joined by two spaces."""
    return _block_lines(document.element.body, reading)


def _block_lines(parent, reading: _Reading) -> list[str]:
    """The lines of a run of block content (a body, a cell, a header, a text box, a content
    control): each paragraph a line (and the lines of a text box anchored in it after it), each
    table row a line. Content controls and custom XML wrapping paragraphs are read through:
    Word templates put the greeting's name or a whole paragraph in one. A paragraph in one of
    Word's numbered or bulleted lists starts with its number or bullet, as Word shows it
    ("1. Write to us": word_lists.py), which is not part of its text in the file."""
    reading.take(len(parent))
    lines: list[str] = []
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _W_NS + "p":
            label = reading.lists.label(child) if reading.lists is not None else ""
            text, boxes = _paragraph_text(child, reading)
            if text or not _mark_deleted(child):  # a paragraph taken out with tracked changes
                line = label + text if text else label.rstrip()
                lines.append(_Block(line) if "\n" in text.strip() else line)
            lines.extend(boxes)
        elif tag == _W_NS + "tbl":
            lines.extend(_docx_table_lines(child, reading))
        elif tag == _W_NS + "sdt":
            content = child.find(_W_NS + "sdtContent")
            if content is not None:
                lines.extend(_block_lines(content, reading))
        elif tag == _W_NS + "customXml":
            lines.extend(_block_lines(child, reading))
    return lines


# Inline elements read through to the runs inside them: links, tracked insertions and moves
# (the letter is read as it will go out, with its tracked changes accepted), smart tags,
# simple fields (an unmerged mail-merge field shows "«Victim_Name»"), text direction.
_READ_THROUGH = frozenset(_W_NS + tag for tag in ("hyperlink", "ins", "moveTo", "smartTag", "customXml",
                                                   "fldSimple", "dir", "bdo"))


# w:bdo (an override: U+202E) and w:dir (an embedding: U+202B) set right to left, each closed by U+202C.
_RIGHT_TO_LEFT = {_W_NS + "bdo": "\u202e", _W_NS + "dir": "\u202b"}
# ... and set left to right inside one of those: U+202D (an override) and U+202A (an embedding).
_LEFT_TO_RIGHT = {_W_NS + "bdo": "\u202d", _W_NS + "dir": "\u202a"}
# A footnote mark typed as a raised number ("10 working days" with a raised 1): read as the
# superscript digits it shows, set off from the word or mark before it by a hair space
# ("days\u200a¹"), not run into it ("days1"), which no check read as "days" (a false alarm on a
# good letter's time limit; a review). The checks read the superscript as its digit (invisible.py)
# and the hair space as a space (typography.py): "days 1". A raised number after a space or at a
# line's start is its digits alone ("within ¹⁰ working days" reads "within 10 working days").
_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
_HAIR_SPACE = "\u200a"
# A character style Word gives a footnote or endnote mark, or a raised one of the writer's own.
_RAISED_STYLE = re.compile(r"footnote|endnote|superscript", re.I)


def _paragraph_text(p, reading: _Reading) -> tuple[str, list[str]]:
    """A paragraph's text as it prints, and the lines of any text boxes anchored in it.

    python-docx's `Paragraph.text` reads only runs and links directly in the paragraph, so it
    left out text in content controls, tracked insertions and simple fields: a template's
    "Click or tap here to enter text." or an unmerged «Victim_Name» went unseen, and so
    unreported. Deleted text (tracked deletions, moves away) and hidden text are left out, as
    Word leaves them out of the printed letter."""
    out: list[str] = []
    boxes: list[str] = []
    _inline(p, out, boxes, reading)
    return "".join(out), boxes


def _inline(parent, out: list[str], boxes: list[str], reading: _Reading) -> None:
    reading.take(len(parent))
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _W_NS + "r":
            kind = _hidden_kind(child)
            if kind != "vanish":  # (hidden text, w:vanish, is left out whole, as Word prints it)
                _run_text(child, out, boxes, reading, unseen=kind == "unseen")
        elif tag in _RIGHT_TO_LEFT and (child.get(_W_NS + "val") or "").lower() in ("rtl", "ltr") and (
                (child.get(_W_NS + "val") or "").lower() == "rtl" or reading.rtl):
            # Word's own right-to-left override (w:bdo) or embedding (w:dir) shows the words it
            # holds in another order than they are stored ("1234 069 23610" printed as a phone
            # number backwards; a review): read with the marks that do the same in plain text,
            # so that content.hidden_order reports it as it reports them; a left-to-right one
            # inside it, which puts the words back in order, with the left-to-right marks
            rtl = (child.get(_W_NS + "val") or "").lower() == "rtl"
            out.append(_RIGHT_TO_LEFT[tag] if rtl else _LEFT_TO_RIGHT[tag])
            reading.rtl += rtl
            try:
                _inline(child, out, boxes, reading)
            finally:
                reading.rtl -= rtl
            out.append("\u202c")
        elif tag in _READ_THROUGH:
            _inline(child, out, boxes, reading)
        elif tag == _W_NS + "sdt":
            content = child.find(_W_NS + "sdtContent")
            if content is not None:
                _inline(content, out, boxes, reading)
        # w:del and w:moveFrom (deleted), w:pPr, bookmarks, comment marks, proofing marks: no text


def _superscript(r) -> bool:
    """The run is raised: superscript (w:vertAlign), a footnote or endnote mark's character style
    (or another named for superscript), or moved up from the line (w:position above 0)."""
    props = r.find(_W_NS + "rPr")
    if props is None:
        return False
    align = props.find(_W_NS + "vertAlign")
    if align is not None and align.get(_W_NS + "val") == "superscript":
        return True
    style = props.find(_W_NS + "rStyle")
    if style is not None and _RAISED_STYLE.search(style.get(_W_NS + "val") or ""):
        return True
    position = props.find(_W_NS + "position")
    raised = (position.get(_W_NS + "val") or "") if position is not None else ""
    return raised.isdigit() and int(raised) > 0


def _run_text(r, out: list[str], boxes: list[str], reading: _Reading, unseen: bool = False) -> None:
    """The run's text as it prints. `unseen`: a run nobody sees (white, or 2 pt and under:
    `_hidden_kind`): its words are left out, but its line breaks, tabs and text boxes are read
    (a text box anchored in a 1 pt run shows), and a space at either end of its words stays a
    space ("10 working" + " x " + "days" is "10 working days", not "workingdays")."""
    reading.take(len(r))
    raised = None  # (is the run superscript: asked once, of a run with text)
    for c in r.iterchildren():
        tag = c.tag
        if tag == _W_NS + "t":
            text = c.text or ""
            if unseen:
                if text.strip():
                    text = " " if text[:1].isspace() or text[-1:].isspace() else ""
            elif text.isdigit() and text.isascii():
                raised = _superscript(r) if raised is None else raised
                if raised:
                    before = next((piece for piece in reversed(out) if piece), "")
                    text = (_HAIR_SPACE if before[-1:] and not before[-1:].isspace() else "") + text.translate(_SUPERSCRIPT)
            out.append(text)
        elif tag in (_W_NS + "tab", _W_NS + "ptab"):
            out.append("\t")
        elif tag == _W_NS + "br":
            out.append("\n" if c.get(_W_NS + "type") in (None, "textWrapping") else "")
        elif tag == _W_NS + "cr":
            out.append("\n")
        elif tag == _W_NS + "noBreakHyphen":
            out.append("-")
        elif tag in (_W_NS + "drawing", _W_NS + "pict", _MC_NS + "AlternateContent"):
            boxes.extend(_text_box_lines(c, reading))


def _text_box_lines(el, reading: _Reading) -> list[str]:
    """The lines of the text boxes in a drawing (each read once: Word writes a box twice, as a
    drawing and as a fallback picture for older readers, inside mc:AlternateContent). A box
    inside a box is read with the box around it, where its drawing stands, not again after it
    (before, each box was read again for every box around it: 40 boxes deep took hours)."""
    if el.tag == _MC_NS + "AlternateContent":
        choice = el.find(_MC_NS + "Choice")
        el = choice if choice is not None else el.find(_MC_NS + "Fallback")
        if el is None:
            return []
    lines: list[str] = []
    stack = [el]  # the drawing's elements in document order, down to the outermost boxes
    while stack:
        node = stack.pop()
        reading.take(1)
        if node.tag == _W_NS + "txbxContent":
            lines.extend(_block_lines(node, reading))
        else:
            stack.extend(reversed(node))
    return lines


# Type this small (w:sz, in half-points: 2 pt) or smaller cannot be read on paper.
_TINY_HALF_POINTS = 4
_NO_FILL = frozenset({None, "", "auto", "ffffff", "none"})
_SHOWN_WHITE = frozenset(_W_NS + tag for tag in ("txbxContent", "hdr", "ftr", "tbl"))


def _hidden(r) -> bool:
    """A run whose words nobody reading the printed letter sees (`_hidden_kind`)."""
    return _hidden_kind(r) is not None


def _hidden_kind(r) -> str | None:
    """"vanish": formatted as hidden text (w:vanish), which Word does not print at all;
    "unseen": white text on no shading (a review planted the review right, in white 1 pt type,
    in a letter that lacked it: the letter scored 96, Good), or type of 2 pt and under; else None.
    Such words are not read (and the body's note says so), as Word's hidden text is not. White
    text on a shaded run, paragraph or table cell, or a coloured page, shows: it is read."""
    props = r.find(_W_NS + "rPr")
    if props is None:
        return None
    vanish = props.find(_W_NS + "vanish")
    if vanish is not None and vanish.get(_W_NS + "val") not in ("false", "0", "off"):
        return "vanish"
    size = props.find(_W_NS + "sz")
    if size is not None and (size.get(_W_NS + "val") or "").isdigit() and int(size.get(_W_NS + "val")) <= _TINY_HALF_POINTS:
        return "unseen"
    color = props.find(_W_NS + "color")
    if (color is not None and (color.get(_W_NS + "val") or "").lower() == "ffffff"
            and not _shaded_behind(r, props)):
        return "unseen"
    return None


def _fill(props) -> bool:
    """The properties (w:rPr, w:pPr, w:tcPr, w:tblPr) shade what they hold with a colour."""
    if props is None:
        return False
    shading = props.find(_W_NS + "shd")
    if shading is not None and (shading.get(_W_NS + "fill") or "").lower() not in _NO_FILL:
        return True
    # a pattern (solid, or stripes and dots) draws in w:color over the fill: a file converted from
    # .doc gives a dark band as <w:shd w:val="solid" w:color="1F3864" w:fill="auto"/>
    if shading is not None and (shading.get(_W_NS + "val") or "clear").lower() not in ("clear", "nil") and (
            shading.get(_W_NS + "color") or "").lower() not in _NO_FILL:
        return True
    highlight = props.find(_W_NS + "highlight")
    return highlight is not None and (highlight.get(_W_NS + "val") or "").lower() not in ("none", "white", "")


def _own_props(node, tag: str):
    """A paragraph's, cell's or table's properties: its first child, where Word writes them. Not
    node.find, which looks through every child when there are none (nor len(node), which counts
    them): a paragraph of 60,000 white runs took 49 s, asked once for each run."""
    first = next(node.iterchildren(), None)
    return first if first is not None and first.tag == tag else None


def _shaded_behind(r, props) -> bool:
    """Something coloured lies behind the run, or may: its own shading or highlight, its
    paragraph's, a table cell's or table's around it, or the page's background colour. White
    text in a text box (whose shape may be filled), a page header or footer (a letterhead's
    banner is often a picture), a table (a table style shades its heading row, with no shading
    of the cell's own), under a paragraph or character style of its own (which may shade it) is
    taken to show: it is read. Only white text on a plain body paragraph is hidden."""
    if _fill(props) or props.find(_W_NS + "rStyle") is not None:
        return True
    node = r.getparent()
    while node is not None:
        tag = node.tag
        if tag in _SHOWN_WHITE:
            return True
        if tag == _W_NS + "p":
            p_props = _own_props(node, _W_NS + "pPr")
            style = p_props.find(_W_NS + "pStyle") if p_props is not None else None
            if _fill(p_props) or (style is not None and style.get(_W_NS + "val") not in ("Normal", None)):
                return True
        if tag == _W_NS + "tc" and _fill(_own_props(node, _W_NS + "tcPr")):
            return True
        if tag == _W_NS + "tbl" and _fill(_own_props(node, _W_NS + "tblPr")):
            return True
        parent = node.getparent()
        if parent is None:  # the document: its page colour (w:background)
            background = node.find(_W_NS + "background")
            return background is not None and (background.get(_W_NS + "color") or "").lower() not in _NO_FILL
        node = parent
    return False


def _mark_deleted(p) -> bool:
    """The paragraph's own mark is a tracked deletion (the paragraph is gone once accepted)."""
    props = p.find(_W_NS + "pPr")
    marks = props.find(_W_NS + "rPr") if props is not None else None
    return marks is not None and marks.find(_W_NS + "del") is not None


def _docx_table_lines(tbl, reading: _Reading) -> list[str]:
    """One line per row (w:tr), its cells' text joined by two spaces (a row with a cell of
    several lines: each cell on lines of its own), read from the w:tc
    elements as python-docx's `row.cells` gives them: a cell spanning columns (w:gridSpan) is
    its text once; a cell merged with the one above (w:vMerge, continued) is the text of the
    cell where the merge starts, in each row it covers; a cell the same as the one before it
    in the row is not repeated.

    python-docx found the cell above a merged one by walking up the merge, looking up each
    row's place in the table every time, and listed a spanning cell once per column: a column
    merged down 900 rows took 45 s to read, a cell spanning 2 billion columns 44 s and 2.7 GB.
    Here each row remembers, for each column where a cell of it starts, that cell's text, so
    the row below finds it at once. A file python-docx could not read is still refused (a
    span that is not a number, a merge continued with no cell above it)."""
    reading.take(len(tbl))
    lines = []
    above: dict[int, tuple[str, int]] | None = None  # the row above: start column -> (text, span)
    for tr in tbl.iterchildren(_W_NS + "tr"):
        reading.take(len(tr))
        here: dict[int, tuple[str, int]] = {}
        highest = None
        offset = _decimal(tr.find(_W_NS + "trPr"), "gridBefore", 0)
        cells: list[str] = []
        for tc in tr.iterchildren(_W_NS + "tc"):
            props = tc.find(_W_NS + "tcPr")
            span = _decimal(props, "gridSpan", 1)
            merge = props.find(_W_NS + "vMerge") if props is not None else None
            if merge is not None and merge.get(_W_NS + "val", "continue") == "continue":
                if above is None or offset not in above:  # as python-docx, which raises ValueError
                    raise ValueError(f"a merged cell has no cell above it at column {offset}")
                text, root_span = above[offset]
            elif span > 0:
                text, root_span = "\n".join(_block_lines(tc, reading)), span
            else:  # a cell spanning no columns is not in python-docx's row.cells: not read
                text, root_span = "", span
            # python-docx looks along the row for the first cell starting at or after a column
            # (cells spanning 0 or fewer columns are skipped there, and in the row's cells)
            if highest is None or offset > highest:
                here[offset] = (text, root_span)
                highest = offset
            if root_span > 0 and (not cells or text != cells[-1]):
                cells.append(text)
            offset += span
        kept = [c for c in cells if c.strip()]
        # Cells of one line each read as one line ("Date  20 December 2024"); a cell of several
        # lines (an address beside the reference and date) stands on lines of its own, so that
        # its last line does not run into the next cell's first ("Leeds LS6 2QT  Our reference:
        # ...", found in a staff review: the line stayed so in the letter downloaded again).
        lines.append("\n".join(c.rstrip("\n") for c in kept) if any("\n" in c for c in kept) else "  ".join(kept))
        above = here
    return lines


def _decimal(props, name: str, default: int) -> int:
    """The number in props/w:<name>/@w:val (a ValueError when it is not one, as python-docx)."""
    if props is None:
        return default
    el = props.find(_W_NS + name)
    if el is None:
        return default
    value = el.get(_W_NS + "val")
    if value is None:
        raise ValueError(f"w:{name} has no w:val")
    return int(value)


# The kinds of page header and footer a section may have, in the order they are read.
_MARGINS = tuple((_W_NS + tag, kind) for tag in ("headerReference", "footerReference")
                 for kind in ("first", "default", "even"))


def _docx_margin_lines(document, body: set[str], reading: _Reading) -> tuple[list[str], list[str]]:
    """The page headers' lines (where a case reference and the office address usually are)
    and the footers', each once, leaving out lines the body already has.

    Each header or footer part is read once, however many sections refer to it (before, a
    header shared by 500 sections was read 500 times, and each of its lines looked for in a
    list of those kept: 46 s for a 42 KB file). A section without its own header of a kind
    shows the one before it, which is read already."""
    from docx.oxml.ns import qn

    head: list[str] = []
    foot: list[str] = []
    kept: tuple[set[str], set[str]] = (set(), set())
    done: set[tuple[int, int]] = set()
    related = document.part.related_parts
    r_id = qn("r:id")
    for sect in document.element.xpath("./w:body/w:p/w:pPr/w:sectPr | ./w:body/w:sectPr"):
        reading.take(len(sect) + 1)
        refs: dict[tuple[str, str | None], Any] = {}
        for child in sect.iterchildren(_W_NS + "headerReference", _W_NS + "footerReference"):
            refs.setdefault((child.tag, child.get(_W_NS + "type")), child)
        for tag, kind in _MARGINS:
            ref = refs.get((tag, kind))
            if ref is None:  # linked to the section before
                continue
            which = 0 if tag == _W_NS + "headerReference" else 1
            part = related[ref.get(r_id)]  # KeyError for a part that is not there
            if (id(part), which) in done:
                continue
            done.add((id(part), which))
            into, seen = (head, foot)[which], kept[which]
            for line in _block_lines(part.element, reading):
                if line.strip() and line not in seen and line not in body:
                    into.append(line)
                    seen.add(line)
    return head, foot


def check_docx_package(data: bytes, source: str | None = None) -> None:
    """Refuse a Word file that would unpack or parse into far more than a letter, before
    python-docx builds it in memory: too many parts, too many bytes once unpacked (the sizes
    the zip declares bind what it can unpack to), a part read as XML that unpacks to far more
    than its packed size, too many XML elements, or more text than the letter limit.

    Every part python-docx may parse as XML is counted, whatever it is called: those whose
    names end in .xml or .rels, and those that [Content_Types].xml gives an XML type (python-
    docx chooses by the type, so a main part named `document.dat` is parsed all the same).
    Each part is read as a stream that stops at the first limit passed."""
    import zipfile

    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = package.infolist()
    except Exception as exc:  # BadZipFile, ValueError, EOFError, OSError, ...
        raise unreadable_docx(_docx_problem(exc), source) from None
    if len(parts) > config.MAX_DOCX_PARTS:
        raise LetterError(f"the Word file holds {len(parts):,} parts; a letter has a few dozen "
                          f"(the limit is {config.MAX_DOCX_PARTS:,})", source=source)
    _check_each_part_once(parts, source)
    unpacked = sum(p.file_size for p in parts)
    if unpacked > config.MAX_DOCX_UNPACKED_BYTES:
        raise LetterError(f"the Word file unpacks to {unpacked // 2**20:,} MB; the limit is "
                          f"{config.MAX_DOCX_UNPACKED_BYTES // 2**20} MB", source=source)
    counts = _PartCounts(source)
    types = [p for p in parts if p.filename == _CONTENT_TYPES]
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for part in types:  # read first: it says which other parts are XML
        _check_ratio(part, source)
        counts.read(package, part, defaults, overrides)
    xml_parts = [p for p in parts if p.filename != _CONTENT_TYPES and (
        p.filename.lower().endswith((".xml", ".rels")) or _parsed_type(_content_type(p.filename, defaults, overrides)))]
    for part in xml_parts:  # every ratio before any of them is parsed
        _check_ratio(part, source)
    for part in xml_parts:
        counts.read(package, part)


def _check_each_part_once(parts: list, source: str | None) -> None:
    """Refuse a zip holding two entries of one name (without regard to case, as Word files name
    their parts): the reader took the last `word/document.xml` of two, and another program may
    show the first, so the letter checked need not be the letter sent (a review)."""
    seen: dict[str, str] = {}
    for part in parts:
        name = part.filename
        first = seen.get(name.lower())
        seen.setdefault(name.lower(), name)
        if first is not None:
            same = f"named {_part_name(name)}" if first == name else \
                f"named {_part_name(first)} and {_part_name(name)} (capitals aside, the same name)"
            raise unreadable_docx(f"it holds two parts {same}, where a Word file holds each part once, and programs "
                                  "differ in which of the two they read; save the letter again from Word", source)


def _part_name(name: str, most: int = 100) -> str:
    return name if len(name) <= most else name[:most] + "..."


_CONTENT_TYPES = "[Content_Types].xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _content_type(name: str, defaults: dict[str, str], overrides: dict[str, str]) -> str:
    """The type [Content_Types].xml gives a zip member, as python-docx looks it up (the part's
    own entry, else its extension's; both without regard to case); "" when it has none."""
    partname = "/" + name.lower()
    if partname in overrides:
        return overrides[partname]
    return defaults.get(posixpath.splitext(partname)[1].removeprefix("."), "")


def _parsed_type(content_type: str) -> bool:
    """A type python-docx parses as XML when it loads the part (every type ending in "xml" but
    pictures: an SVG picture, image/svg+xml, is kept as bytes)."""
    return content_type.endswith("xml") and not content_type.startswith("image/")


def _check_ratio(part, source: str | None) -> None:
    size, packed = part.file_size, max(part.compress_size, 1)
    if size > config.MAX_DOCX_RATIO_FROM and size > config.MAX_DOCX_RATIO * packed:
        raise LetterError(f"the Word file is packed in a way no letter is, so it was not read (its part "
                          f"{part.filename} unpacks to {size // packed:,} times its packed size, "
                          f"{size // 2**20:,} MB; the limit is {config.MAX_DOCX_RATIO:,} times). Save the "
                          "letter as a new Word document and use that", source=source)


class _PartCounts:
    """XML elements and letter text counted across the parts of one Word file, read as
    streams; a LetterError as soon as either passes its limit."""

    def __init__(self, source: str | None):
        self.source = source
        self.elements = 0
        self.text_bytes = 0
        self.relationships = 0

    def read(self, package, part, defaults: dict[str, str] | None = None,
             overrides: dict[str, str] | None = None) -> None:
        """Count one part; with `defaults` and `overrides`, also collect the content types
        it gives (for [Content_Types].xml)."""
        from lxml import etree

        source = self.source
        try:
            with package.open(part) as stream:
                reader = etree.iterparse(stream, events=("end",), resolve_entities=False,
                                         no_network=True, load_dtd=False, huge_tree=False)
                for _, elem in reader:
                    self.elements += 1
                    tag = elem.tag
                    if tag == _W_NS + "t" and elem.text:
                        self.text_bytes += len(elem.text.encode("utf-8"))
                    elif tag == _W_NS + "p":
                        self.text_bytes += 1  # the line break between paragraphs
                    elif defaults is not None and tag == _CT_NS + "Default":
                        defaults[(elem.get("Extension") or "").lower()] = elem.get("ContentType") or ""
                    elif overrides is not None and tag == _CT_NS + "Override":
                        overrides[(elem.get("PartName") or "").lower()] = elem.get("ContentType") or ""
                    elif tag == _RELS_NS + "Relationship":
                        self.relationships += 1
                        if self.relationships > config.MAX_DOCX_RELATIONSHIPS:
                            raise LetterError("the Word file links far more parts than a letter (over "
                                              f"{config.MAX_DOCX_RELATIONSHIPS:,} relationships; a letter "
                                              "has a few dozen)", source=source)
                    elem.clear(keep_tail=True)  # keep memory flat: drop what was read
                    while elem.getprevious() is not None:
                        del elem.getparent()[0]
                    if self.text_bytes > MAX_BYTES:
                        raise LetterError(f"the Word document holds more than {MAX_BYTES // 1024} "
                                          f"KB of text; the limit is {MAX_BYTES // 1024} KB",
                                          source=source)
                    if self.elements > config.MAX_DOCX_ELEMENTS:
                        raise LetterError("the Word file is far larger inside than a letter "
                                          f"(over {config.MAX_DOCX_ELEMENTS:,} elements)", source=source)
                _refuse_dtd(reader.root, part.filename, source)
        except LetterError:
            raise
        except Exception as exc:  # zlib.error, lzma.LZMAError, BadZipFile (CRC), EOFError,
            # RuntimeError (encrypted), NotImplementedError, lxml's errors, ValueError, OSError
            raise unreadable_docx(_docx_problem(exc, part.filename), source) from None


def _refuse_dtd(root, name: str, source: str | None) -> None:
    """Refuse a part that declares a DTD (`<!DOCTYPE ...>`, with or without entities), which
    Word never writes. Its entities read differently in different programs: the reader, which
    never expands them, lost a paragraph that began with one (the letter checked and stored
    without it), where LibreOffice prints it (an attacker's review). An entity reference other
    than XML's five predefined ones cannot stand without a DTD (lxml refuses it as broken XML),
    so refusing every DTD refuses them all; a billion-laughs DTD is refused while it is read."""
    info = root.getroottree().docinfo if root is not None else None
    if info is not None and (info.doctype or info.internalDTD is not None or info.externalDTD is not None):
        raise unreadable_docx("it holds code that Word never writes. To check it, open it in Word, save it again "
                              "as a Word document (.docx) and choose it again (for whoever looks after your "
                              f"computers: its part {_part_name(name)} declares a DTD, <!DOCTYPE ...>)", source)


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without timestamp conversion: dates stay text so that pydantic can say which field
    holds an impossible date (PyYAML itself would crash on 2024-02-30).

    Also refuses, while reading and before building anything, what a hostile file uses to
    blow up: anchors and aliases (`&a`, `*a`: a few hundred bytes can expand to gigabytes),
    deep nesting and very long values."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("uses a YAML anchor or alias ('&' or '*'); write each value out in full",
                           line)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_YAML_VALUE_CHARS:
            raise _Refused(f"has a value of {len(event.value):,} characters; the limit is "
                           f"{MAX_YAML_VALUE_CHARS:,}", line)
        if self._depth >= MAX_YAML_DEPTH:
            raise _Refused("is nested too deeply (lists inside lists)", line)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


    def construct_mapping(self, node, deep=False):
        """A field given twice is refused (YAML keeps the last, so "decision: discontinued" then
        "decision: charge_altered" was scored as a charge altered, and nobody was told); the
        fields that are text (`AS_WRITTEN`) are kept as written: YAML 1.1 reads "0042" as the
        octal number 34, "1:30" as 90 and "0x1A" as 26, and a case reference changed that way
        links to no register entry."""
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    line = key_node.start_mark.line + 1 if key_node.start_mark else None
                    if key_node.value in seen:
                        raise _Refused(f"gives '{excerpt(key_node.value)}' twice: keep only the one "
                                       "you mean", line)
                    seen[key_node.value] = line or 0
        mapping = super().construct_mapping(node, deep)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if (isinstance(key_node, yaml.ScalarNode) and key_node.value in AS_WRITTEN
                        and isinstance(value_node, yaml.ScalarNode) and value_node.tag != _NULL_TAG):
                    mapping[key_node.value] = value_node.value
        return mapping


# Fields read as the text written, whatever YAML would make of it (a case reference, a name, a
# suppressed term); an empty value or "null" is still no value.
AS_WRITTEN = frozenset({"urn", "victim_name", "term"})
_NULL_TAG = "tag:yaml.org,2002:null"

_TextDatesLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

MAX_FRONT_MATTER_BYTES = config.MAX_FRONT_MATTER_BYTES
MAX_YAML_VALUE_CHARS = 1000  # one value (a suppression's reason is the longest)
MAX_FIELD_CHARS = 200  # one case field: a name, a date, a reference
MAX_YAML_DEPTH = 6  # suppress: a list of mappings is three levels


class _Refused(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


def excerpt(value: Any, limit: int = 40) -> str:
    """At most `limit` characters of a value, for an error message (never the whole value)."""
    text = value if isinstance(value, str) else repr(value)[: limit + 1]
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def _load_yaml(text: str, source: str | None, first_line: int = 1) -> dict[str, Any]:
    """The fields of front matter or a sidecar; `first_line`: the file line the YAML starts on."""
    size = len(text.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise LetterError(f"the letter's details (front matter) are {size // 1024} KB; the limit is "
                          f"{MAX_FRONT_MATTER_BYTES // 1024} KB", source=source)
    try:
        data = yaml.load(text, Loader=_TextDatesLoader)
    except _Refused as exc:
        where = f" (line {exc.line + first_line - 1})" if exc.line else ""
        raise LetterError(f"the front matter {exc.message}{where}", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + first_line})" if mark else ""
        raise LetterError(f"the front matter is not valid YAML{where}", source=source) from None
    except (ValueError, RecursionError):  # e.g. a number too long for Python to convert
        raise LetterError("the front matter is not valid YAML", source=source) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LetterError("the front matter must be a set of 'field: value' lines", source=source)
    for key, value in data.items():
        if not isinstance(key, str):
            raise LetterError(f"'{excerpt(key)}' is not a field name", source=source)
        if key == "suppress" or key not in CONTEXT_FIELDS:
            continue  # pydantic checks these (an unknown field is named, its value not shown)
        if isinstance(value, (dict, list, set, tuple)):
            raise LetterError("this field takes a single value, not a list", source=source,
                              field=key)
        if isinstance(value, (str, bytes)) and len(value) > MAX_FIELD_CHARS:
            raise LetterError(f"'{excerpt(value)}' is {len(value):,} characters long; the limit is "
                              f"{MAX_FIELD_CHARS}", source=source, field=key)
    return data


def split_front_matter(raw: str, source: str | None = None) -> tuple[dict[str, Any], str]:
    """Split `---` YAML front matter from the body. No front matter: empty context."""
    text = raw.lstrip("\ufeff")
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            meta = _load_yaml("\n".join(lines[1:i]), source, first_line=2)
            return meta, "\n".join(lines[i + 1 :]).lstrip("\n")
    raise LetterError("the front matter starts with '---' but never ends with '---'", source=source)
