"""A letter as a Word document, as Word itself would make it: A4 with 2.5 cm margins, British
English, the service (and the writer) named in its properties, plain named paragraph styles,
and, when asked for, each finding as a Word comment on the words it is about.

Each line of the letter is one Word paragraph and a blank line an empty one, the way most
letters are typed in Word; reading the file back (engine/letter.py `docx_text`) gives the
same text.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import docx
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from vcl_qa import labels

SERVICE = "Letter checker"
LANGUAGE = "en-GB"
# Styles the body's lines are given (named so a writer can restyle all of one kind at once).
LINE_STYLES = {"header": "Letter heading", "heading": "Letter heading", "reference": "Letter reference",
               "address": "Letter address", "greeting": "Letter greeting", "sign_off": "Letter sign-off",
               "signature": "Letter signature"}
HIGHLIGHT = {"error": WD_COLOR_INDEX.PINK, "warning": WD_COLOR_INDEX.YELLOW,
             "suggestion": WD_COLOR_INDEX.TURQUOISE}
# Characters a Word file (XML) cannot hold. Word's own manual line break and page break (pasted
# from Word as \v and \f) become line breaks; any other control character a space. One
# character for one, so the findings' offsets still fit the text.
_XML_SAFE = {**{c: " " for c in [*range(0x00, 0x09), 0x0E, *range(0x0F, 0x20)]},
             0x0B: "\n", 0x0C: "\n", 0x0D: "\n", 0xFFFE: " ", 0xFFFF: " "}


def xml_safe(text: str) -> str:
    """The text with what XML cannot hold replaced, character for character."""
    text = text.translate(_XML_SAFE)
    # lone surrogates (from a broken paste) are not characters XML allows either
    return re.sub("[\ud800-\udfff]", " ", text)


def letter_docx(text: str, *, title: str, author: str | None = None,
                findings: list[dict] | None = None, comments: bool = False) -> bytes:
    """The letter as .docx bytes. `findings` (the result's, as JSON) become Word comments and
    highlights when `comments` is true; the letter's text is the same either way."""
    from vcl_qa.engine.structure import classify_lines

    text, title, author = xml_safe(text), xml_safe(title), xml_safe(author) if author else author
    document = docx.Document()
    _page(document)
    _language(document)
    _styles(document)
    _properties(document, title, author)
    lines, _, _ = classify_lines(text.rstrip("\n"))
    marks = _marks(findings or []) if comments else []
    runs_at: list[tuple[int, int, Any]] = []  # (start, end, run) of every run written
    for line in lines:
        para = document.add_paragraph(style=LINE_STYLES.get(line.kind, "Normal"))
        for start, end in _pieces(line.start, line.end, marks):
            run = para.add_run(text[start:end])
            runs_at.append((start, end, run))
    if comments:
        _comment(document, marks, runs_at, findings or [], author)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _page(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(25))


def _language(document) -> None:
    """British English for spelling and grammar, in the document defaults and every style."""
    styles = document.styles.element
    for rpr in styles.iter(qn("w:rPr")):
        for lang in rpr.findall(qn("w:lang")):
            lang.set(qn("w:val"), LANGUAGE)
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15
    for name in dict.fromkeys(LINE_STYLES.values()):
        style = document.styles.add_style(name, 1)  # 1: a paragraph style
        style.base_style = normal
        style.quick_style = True
        if name == "Letter heading":
            style.font.bold = True


def _properties(document, title: str, author: str | None) -> None:
    props = document.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.author = author or SERVICE
    props.last_modified_by = author or SERVICE
    props.title = title
    props.subject = "Letter to a victim of crime"
    props.comments = f"Made by the {SERVICE}"
    props.keywords = ""
    props.category = ""
    props.language = LANGUAGE
    props.created = props.modified = now
    props.revision = 1


def _marks(findings: list[dict]) -> list[tuple[int, int, int]]:
    """(start, end, index) of each finding with words, not set aside."""
    return [(f["start"], f["end"], i) for i, f in enumerate(findings)
            if f.get("start") is not None and f.get("end") is not None and not f.get("suppressed")
            and f["end"] > f["start"]]


def _pieces(start: int, end: int, marks: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """The line cut at every finding's edge, so that a comment can cover whole runs."""
    cuts = {start, end}
    for s, e, _ in marks:
        for c in (s, e):
            if start < c < end:
                cuts.add(c)
    points = sorted(cuts)
    return [(a, b) for a, b in zip(points, points[1:]) if b > a] or [(start, start)]


def _comment(document, marks, runs_at, findings: list[dict], author: str | None) -> None:
    who = SERVICE
    initials = "".join(w[0] for w in who.split()).upper()
    for s, e, i in marks:
        covered = [run for a, b, run in runs_at if a >= s and b <= e and b > a]
        if not covered:
            continue
        f = findings[i]
        for run in covered:
            run.font.highlight_color = HIGHLIGHT.get(f["severity"], WD_COLOR_INDEX.YELLOW)
        document.add_comment(covered, text=xml_safe(_comment_text(f)), author=who, initials=initials)
    missing = [f for f in findings if f.get("start") is None and not f.get("suppressed")]
    first = next((run for a, b, run in runs_at if b > a), None)
    if missing and first is not None:
        body = "\n".join(f"{labels.SEVERITIES.get(f['severity'], f['severity'])}: {f['message']}"
                         for f in missing)
        document.add_comment(first, text=xml_safe("Missing from the whole letter:\n" + body), author=who,
                             initials=initials)


def _comment_text(f: dict) -> str:
    words = labels.SEVERITIES.get(f["severity"], f["severity"])
    out = f"{words}: {f['message']}"
    if f.get("replacements"):
        out += " Try: " + " / ".join(f"“{r}”" for r in f["replacements"])
    elif f.get("suggestions"):
        out += " Suggestion: " + re.sub(r"\s+", " ", f["suggestions"][0])
    return out
