"""A letter as a Word document, as Word itself would make it: A4 with 2.5 cm margins, British
English, the service (and the writer) named in its properties, plain named paragraph styles,
and, when asked for, each finding as a Word comment on the words it is about.

Each line of the letter is one Word paragraph and a blank line an empty one, the way most
letters are typed in Word; reading the file back (engine/letter.py `docx_text`) gives the
same text. It is a new, plain document: the numbers and bullets of an uploaded Word file's
lists are in the letter's text (the reader puts each at the start of its line, "1. ", "• ";
engine/word_lists.py), so they are written as that text, not as Word lists; the rest of its
layout (its header and footer, tables, bold) is not kept, and the letter page says so beside
the download. Paragraphs are set apart as Word sets them apart by default, with space
after each (`SPACE_AFTER`), except where the letter has a blank line of its own, and the lines
of an address, a reference block or a signature stay together (Word's "don't add space
between paragraphs of the same style").

A letter with thousands of findings (a pasted list, a template gone wrong) gets a comment on at
most `MOST_COMMENTS` of them, the most serious first, and one comment at the top that says how
many more there are and where they are all listed. Building the file takes time in proportion to
the letter: each comment finds its runs by bisection (not by looking through every run), and each
paragraph's style is looked up once per style (python-docx looks through every style on each
`add_paragraph(style=...)`, about 2 ms a line). python-docx's `add_comment` reads every comment
already added to choose the next id, so the cap also keeps that part small.
"""
from __future__ import annotations

import bisect
import io
import re
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from vcl_qa import clock, labels

SERVICE = "Letter checker"
LANGUAGE = "en-GB"
# Styles the body's lines are given (named so a writer can restyle all of one kind at once).
LINE_STYLES = {"header": "Letter heading", "heading": "Letter heading", "reference": "Letter reference",
               "address": "Letter address", "greeting": "Letter greeting", "sign_off": "Letter sign-off",
               "signature": "Letter signature"}
# Space after each paragraph, as Word gives its own Normal style (8 to 10 pt), so that a letter
# from a Word file (one line a paragraph, no blank lines) does not run together. None after a
# paragraph followed by a blank line, nor after the blank line itself: the blank line is the gap.
SPACE_AFTER = Pt(10)
# Styles whose lines stay together (an address, reference lines, the signature block).
TOGETHER = ("Letter address", "Letter reference", "Letter signature")
HIGHLIGHT = {"error": WD_COLOR_INDEX.PINK, "warning": WD_COLOR_INDEX.YELLOW,
             "suggestion": WD_COLOR_INDEX.TURQUOISE}
# Characters a Word file (XML) cannot hold. Word's own manual line break and page break (pasted
# from Word as \v and \f) become line breaks; any other control character a space. One
# character for one, so the findings' offsets still fit the text.
_XML_SAFE = {**{c: " " for c in [*range(0x00, 0x09), 0x0E, *range(0x0F, 0x20)]},
             0x0B: "\n", 0x0C: "\n", 0x0D: "\n", 0xFFFE: " ", 0xFFFF: " "}


# At most this many findings get a comment in "Download with comments" (rules/web.yml
# `word_comments_most` overrides it): must-fix first, then should-fix, then worth a look, each in
# the order they stand in the letter. No real letter comes near it (the most findings on any
# sample, held-out or corpus letter is 36); a pasted letter of 3,300 lines had 9,900 and its
# download took 514 s. The rest are counted in one comment at the top.
MOST_COMMENTS = 200


def xml_safe(text: str) -> str:
    """The text with what XML cannot hold replaced, character for character."""
    text = text.translate(_XML_SAFE)
    # lone surrogates (from a broken paste) are not characters XML allows either
    return re.sub("[\ud800-\udfff]", " ", text)


def letter_docx(text: str, *, title: str, author: str | None = None,
                findings: list[dict] | None = None, comments: bool = False,
                most_comments: int = MOST_COMMENTS, page: str | None = None) -> bytes:
    """The letter as .docx bytes. `findings` (the result's, as JSON) become Word comments and
    highlights when `comments` is true, on at most `most_comments` of them (the most serious
    first), with one comment at the top counting the rest and naming `page` (the letter's page,
    where they are all listed); the letter's text is the same either way."""
    from vcl_qa.engine.structure import classify_lines

    text, title, author = xml_safe(text), xml_safe(title), xml_safe(author) if author else author
    document = docx.Document()
    _page(document)
    _language(document)
    _styles(document)
    _properties(document, title, author)
    lines, _, _ = classify_lines(text.rstrip("\n"))
    marks = _marks(findings or []) if comments else []
    chosen = _most_serious(marks, findings or [], max(0, most_comments))
    cuts = sorted({c for s, e, _ in chosen for c in (s, e)})
    style_ids = _style_ids(document)
    runs_at: list[tuple[int, int, Any]] = []  # (start, end, run) of every run written, in order
    for i, line in enumerate(lines):
        para = document.add_paragraph()
        style_id = style_ids[LINE_STYLES.get(line.kind, "Normal")]
        if style_id is not None:
            # the style's id, looked up once: python-docx looks through every style each time
            para._p.style = style_id
        if line.kind == "blank" or i + 1 == len(lines) or lines[i + 1].kind == "blank":
            para.paragraph_format.space_after = Pt(0)  # a blank line is the gap (SPACE_AFTER)
        for start, end in _pieces(line.start, line.end, cuts):
            run = para.add_run(text[start:end])
            runs_at.append((start, end, run))
    if comments:
        _comment(document, chosen, marks, runs_at, findings or [], page)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _style_ids(document) -> dict[str, str | None]:
    """Each paragraph style the lines use, by name: its id, None for the default (Normal)."""
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    out: dict[str, str | None] = {}
    for name in {"Normal", *LINE_STYLES.values()}:
        style = document.styles[name]
        out[name] = None if default is not None and style.style_id == default.style_id else style.style_id
    return out


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
    normal.paragraph_format.space_after = SPACE_AFTER
    normal.paragraph_format.line_spacing = 1.15
    for name in dict.fromkeys(LINE_STYLES.values()):
        style = document.styles.add_style(name, 1)  # 1: a paragraph style
        style.base_style = normal
        style.quick_style = True
        if name == "Letter heading":
            style.font.bold = True
        if name in TOGETHER:  # Word's "Don't add space between paragraphs of the same style"
            style.element.get_or_add_pPr().append(OxmlElement("w:contextualSpacing"))


def _properties(document, title: str, author: str | None) -> None:
    props = document.core_properties
    now = clock.now().replace(microsecond=0, tzinfo=None)
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


def _most_serious(marks: list[tuple[int, int, int]], findings: list[dict],
                  most: int) -> list[tuple[int, int, int]]:
    """The `most` marks to comment on: must-fix first, then in letter order; returned in
    letter order."""
    if len(marks) <= most:
        return marks
    rank = lambda m: (labels.SEVERITY_ORDER.get(findings[m[2]]["severity"], len(labels.SEVERITY_ORDER)),  # noqa: E731
                      m[0], m[2])
    return sorted(sorted(marks, key=rank)[:most], key=lambda m: (m[0], m[2]))


def _pieces(start: int, end: int, cuts: list[int]) -> list[tuple[int, int]]:
    """The line cut at every commented finding's edge (`cuts`, sorted), so that a comment can
    cover whole runs."""
    inside = cuts[bisect.bisect_right(cuts, start):bisect.bisect_left(cuts, end)]
    points = [start, *inside, end]
    return [(a, b) for a, b in zip(points, points[1:]) if b > a] or [(start, start)]


def _comment(document, chosen, marks, runs_at, findings: list[dict], page: str | None) -> None:
    """A comment on each of the `chosen` marks, after one at the top counting the other `marks`
    (findings with words left without a comment) and one listing what is missing from the whole
    letter."""
    who = SERVICE
    initials = "".join(w[0] for w in who.split()).upper()
    first = next((run for a, b, run in runs_at if b > a), None)
    if first is None:
        return
    commented = {i for _, _, i in chosen}
    left = [findings[i] for _, _, i in marks if i not in commented]
    if left:
        document.add_comment(first, text=xml_safe(_left_out_text(left, len(chosen), page)),
                             author=who, initials=initials)
    missing = [f for f in findings if f.get("start") is None and not f.get("suppressed")]
    if missing:
        body = "\n".join(f"{labels.SEVERITIES.get(f['severity'], f['severity'])}: {f['message']}"
                         for f in missing)
        document.add_comment(first, text=xml_safe("Missing from the whole letter:\n" + body), author=who,
                             initials=initials)
    starts = [a for a, _, _ in runs_at]  # ascending: the runs are written in letter order
    for s, e, i in chosen:
        covered = []
        for k in range(bisect.bisect_left(starts, s), len(runs_at)):
            a, b, run = runs_at[k]
            if b > e:
                break
            if b > a:
                covered.append(run)
        if not covered:
            continue
        f = findings[i]
        for run in covered:
            run.font.highlight_color = HIGHLIGHT.get(f["severity"], WD_COLOR_INDEX.YELLOW)
        document.add_comment(covered, text=xml_safe(_comment_text(f)), author=who, initials=initials)


def _left_out_text(left: list[dict], commented: int, page: str | None) -> str:
    """'There are 9,700 more problems in this letter than have a comment here (9,700 should
    fix). ...'"""
    by = [f"{n:,} {words.lower()}" for sev, words in labels.SEVERITIES.items()
          if (n := sum(f["severity"] == sev for f in left))]
    where = f" ({page})" if page else ""
    return (f"There are {len(left):,} more problems in this letter than have a comment here"
            f" ({', '.join(by)}). Only the {commented:,} most serious have a comment, must-fix first,"
            f" so that the file stays quick to make and to open. The letter's page in the {SERVICE}{where}"
            f" lists every kind of problem and how many times it is in the letter.")


def _comment_text(f: dict) -> str:
    words = labels.SEVERITIES.get(f["severity"], f["severity"])
    out = f"{words}: {f['message']}"
    if f.get("replacements"):
        out += " Try: " + " / ".join(f"“{r}”" for r in f["replacements"])
    elif f.get("suggestions"):
        out += " Suggestion: " + re.sub(r"\s+", " ", f["suggestions"][0])
    return out
