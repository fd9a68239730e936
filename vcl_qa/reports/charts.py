"""Charts as server-side SVG (no scripts, no external services): bars, horizontal bars, stacked bars.

Each chart has a <title> and <desc> for screen readers; pages also show the numbers as a table.
Text is 13 units high and pages never draw a chart narrower than its width in units (they
scroll it sideways instead), so labels are at least 13 px on every screen.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

INK = "#0b0c0c"
GRID = "#b1b4b6"
BAR = "#1d70b8"
FONT = 'font-family="Arial, Helvetica, sans-serif"'
ZERO_MARK = 4  # units: how tall a bar of 0 is drawn (a mark, not nothing)


def _nice_max(value: float) -> float:
    """A round axis top at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _fmt(value: float, places: int | None = None) -> str:
    """A figure as drawn: whole numbers bare and others to one place; with `places`, always to
    that many ("0.08", "\u22120.16": a true minus sign, as the tables beside the charts)."""
    if places is not None:
        return f"{value:.{places}f}".replace("-", "\u2212")
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def figure(value: float, places: int | None = None) -> str:
    """A figure as the charts draw it, for words beside a chart that must read the same."""
    return _fmt(value, places)


def _tick(value: float, places: int | None = None) -> str:
    """An axis figure: as `_fmt`, but with `places` no more of them than it needs ("0.25", "0.5", "1")."""
    if places is not None:
        return f"{round(value, places) + 0.0:g}".replace("-", "\u2212")
    return _fmt(value)


def _fits(text: str, room: float) -> bool:
    """Whether 13-unit Arial text fits in `room` units (about 7.2 units a character, digits and
    most letters a little less)."""
    return len(text) * 7.2 <= room


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def _steps(top: float, whole: bool = False) -> int:
    """How many spaces between grid lines up to `top`. `whole`: a count, whose figures are whole
    numbers: an axis of 1 or 2 letters has a line at each (it read "0, 0.2, 0.5, 0.8, 1")."""
    if whole and top < 4:
        return max(1, int(top))
    return 5 if top % 5 == 0 and top % 4 != 0 else 4


def _y_axis(parts: list[str], top: float, left: int, right: int, y0: int, plot_h: int, unit: str,
            low: float = 0, whole: bool = False, places: int | None = None) -> None:
    """Grid lines and figures from `low` (0, or below it for negative values) to `top`; `y0` is
    where `low` is drawn; `whole`: the figures are counts (`_steps`); `places`: see `_tick`."""
    steps = _steps(top, whole)
    tick = top / steps
    below = round(-low / tick) if low < 0 else 0  # ticks under 0, the same spacing
    span = top - low
    for i in range(-below, steps + 1):
        value = tick * i
        y = y0 - plot_h * (value - low) / span
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" fill="{INK}" {FONT}>'
                     f'{escape(_tick(value, places))}{escape(unit)}</text>')


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None], *,
              unit: str = "", max_value: float | None = None, desc: str = "", zero_mark: bool = True,
              whole: bool = False, figures: Sequence[str | None] | None = None, places: int | None = None,
              axis_label: str = "", colours: Sequence[str | None] | None = None) -> str:
    """Vertical bars, one per label; None shows as 'no data'. A negative value is drawn below a
    zero line, never cut to 0 (the axis goes down as far as it needs: review 11a, finding 9).
    `zero_mark`: a 0 is a dark mark on the zero line, told apart from no data (a rate); False:
    nothing, as in a count of letters by score band, where an empty band is simply empty.
    `whole`: the values are counts, and the axis has whole numbers only.
    `figures`: each bar's figure in words, such as "25% (1 of 4)" (a rate with the counts behind
    it): in the bar's title and the description, and above the bar when there is room (else the
    value alone). `places`: values and axis to this many decimal places, for a figure that is not
    a percentage (an agreement figure: "0.08", not "8"). `axis_label`: what the axis measures,
    written above it. `colours`: a bar's own colour (None: the usual), as in `hbar_chart`."""
    width, height, left, bottom, top_pad = 560, 260, 48, 48, 16
    if axis_label:
        top_pad = 34  # a line for the axis's name above its top figure
    figures = list(figures) if figures is not None else [None] * len(labels)
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max_value or _nice_max(max((v for v in values if v is not None), default=0))
    lowest = min((v for v in values if v is not None), default=0)
    low = 0.0
    if lowest < 0:  # whole ticks below 0, as many as reach the lowest value
        tick = top / _steps(top, whole)
        low = -tick * math.ceil(-lowest / tick)
    said = [f or (None if v is None else _fmt(v, places) + unit) for f, v in zip(figures, values)]
    parts = _open(chart_id, title, desc or _describe(labels, said, ""), width, height)
    if axis_label:
        parts.append(f'<text x="4" y="14" font-size="13" fill="{INK}" {FONT}>{escape(axis_label)}</text>')
    y_low = height - bottom  # where `low` is drawn (the bottom of the plot)
    _y_axis(parts, top, left, width - 10, y_low, plot_h, unit, low, whole, places)
    y0 = y_low - plot_h * (0 - low) / (top - low)  # the zero line
    n = max(len(labels), 1)
    slot = plot_w / n
    bar_w = min(48, slot * 0.7)
    # Too narrow a slot for a figure above each bar ("100100100"): the figures are in each bar's
    # title and in the table of numbers beside the chart. An empty slot ("no data") stays empty.
    roomy = slot >= 34
    step = max(1, round(28 / slot))  # every label when they fit, else every step-th
    for i, (label, value) in enumerate(zip(labels, values)):
        x = left + slot * i + (slot - bar_w) / 2
        cx = x + bar_w / 2
        if value is None:
            if slot >= 52:  # "no data" is about 46 units wide: side by side they would run together
                parts.append(f'<text x="{cx:.1f}" y="{y0 - 6:.1f}" text-anchor="middle" font-size="13" fill="{INK}" {FONT}>no data</text>')
        else:
            h = plot_h * abs(max(low, min(value, top))) / (top - low)  # up from 0, or down from it
            y = y0 - h if value >= 0 else y0
            fill = (colours[i] if colours else None) or BAR
            if value == 0 and zero_mark:
                # A bar of no height looked like a month with no data ("0%" on time was a blank,
                # as if nothing was due): a dark mark on the zero line, tall enough to see.
                h, y, fill = ZERO_MARK, y0 - ZERO_MARK, INK
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}">'
                         f'<title>{escape(label)}: {escape(said[i])}</title></rect>')
            # The figure in words when it fits above the bar ("25% (1 of 4)"), else the value alone.
            above = said[i] if figures[i] and _fits(said[i], slot - 2) else _fmt(value, places) if roomy else None
            if above:
                ty = y0 - h - 4 if value >= 0 else y0 - 4  # above a bar; a negative one's just above its zero line
                parts.append(f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="13" fill="{INK}" {FONT}>'
                             f'{escape(above)}</text>')
        if i % step == 0:
            parts.append(_x_label(cx, y_low, label, n))
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="{INK}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def _x_label(cx: float, y0: int, label: str, n: int) -> str:
    if n > 8:  # slanted, so long month names do not overlap
        return (f'<text x="{cx:.1f}" y="{y0 + 14}" text-anchor="end" font-size="13" fill="{INK}" {FONT} '
                f'transform="rotate(-35 {cx:.1f} {y0 + 14})">{escape(label)}</text>')
    return f'<text x="{cx:.1f}" y="{y0 + 18}" text-anchor="middle" font-size="13" fill="{INK}" {FONT}>{escape(label)}</text>'


# The most characters of a bar's label on one line beside a horizontal bar chart's bars (285
# pixels of 13-pixel text, about 7 pixels a character on average, with room to spare).
HBAR_LABEL_CHARS = 38


def _label_lines(label: str, most: int) -> list[str]:
    """The label on one line, or on two split between words (the second cut short with "..." if
    it is longer still: the bar's title, read on hover and by screen readers, has it whole)."""
    if len(label) <= most:
        return [label]
    words, first = label.split(), ""
    while words and len(f"{first} {words[0]}".strip()) <= most:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one word longer than a line
        first, words = label[:most], [label[most:]]
    second = " ".join(words)
    return [first, second if len(second) <= most else second[:most - 1].rstrip() + "\u2026"]


def hbar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], *,
               unit: str = "", desc: str = "", colours: Sequence[str] | None = None) -> str:
    """Horizontal bars, longest label on the left (for ranked lists such as frequent rules);
    `colours` gives each bar its own colour (say, by severity)."""
    label_w, width = 285, 560
    # A label longer than the space beside the bars goes on two lines (a screenshot review: "No
    # reassurance about reporting in future (should fix)" began off the chart's left edge).
    lines = [_label_lines(label, HBAR_LABEL_CHARS) for label in labels]
    row_h = 40 if any(len(ls) > 1 for ls in lines) else 28
    height = max(row_h * len(labels), row_h) + 20
    top = _nice_max(max(values, default=0))
    plot_w = width - label_w - 50
    parts = _open(chart_id, title, desc or _describe(labels, values, unit), width, height)
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 10 + row_h * i + (row_h - 28) // 2
        w = plot_w * value / top if top else 0
        if len(lines[i]) == 1:
            parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" fill="{INK}" {FONT}>{escape(label)}</text>')
        else:
            spans = "".join(f'<tspan x="{label_w - 8}" dy="{dy}">{escape(line)}</tspan>'
                            for line, dy in zip(lines[i], ("0", "15")))
            parts.append(f'<text x="{label_w - 8}" y="{y + 9}" text-anchor="end" font-size="13" fill="{INK}" {FONT}>{spans}</text>')
        fill = colours[i] if colours else BAR
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="20" fill="{fill}">'
                     f'<title>{escape(label)}: {escape(_fmt(value))}{escape(unit)}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="13" fill="{INK}" {FONT}>{escape(_fmt(value))}{escape(unit)}</text>')
    if not labels:
        parts.append(f'<text x="10" y="24" font-size="13" fill="{INK}" {FONT}>No data</text>')
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="6" y2="{height - 8}" stroke="{INK}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(chart_id: str, title: str, labels: Sequence[str],
                      series: Sequence[tuple[str, Sequence[float], str]], *, desc: str = "") -> str:
    """One bar per label made of stacked parts; `series` is (name, values, colour): counts, so
    the axis has whole numbers only."""
    width, height, left, bottom, top_pad = 560, 260, 48, 48, 16
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    totals = [sum(s[1][i] for s in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    text = desc or "; ".join(f"{label}: " + ", ".join(f"{name} {_fmt(vals[i])}" for name, vals, _c in series)
                             for i, label in enumerate(labels) if totals[i]) or "no data"
    parts = _open(chart_id, title, text, width, height)
    y0 = height - bottom
    _y_axis(parts, top, left, width - 10, y0, plot_h, "", whole=True)
    n = max(len(labels), 1)
    slot = plot_w / n
    bar_w = min(48, slot * 0.7)
    roomy, step = slot >= 34, max(1, round(28 / slot))  # as in bar_chart
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        y = float(y0)
        for name, vals, colour in series:
            h = plot_h * vals[i] / top if top else 0
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}" '
                             f'stroke="#ffffff" stroke-width="1"><title>{escape(label)}, {escape(name)}: {escape(_fmt(vals[i]))}</title></rect>')
        if roomy and totals[i]:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="13" fill="{INK}" {FONT}>{escape(_fmt(totals[i]))}</text>')
        if i % step == 0:
            parts.append(_x_label(x + bar_w / 2, y0, label, n))
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y0}" y2="{y0}" stroke="{INK}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def _describe(labels: Sequence[str], values: Sequence[float | str | None], unit: str) -> str:
    """"label: value" for each bar ("no data" for None); a value given as words stays as it is."""
    if not labels:
        return "No data."
    return "; ".join(f"{label}: {'no data' if v is None else v if isinstance(v, str) else _fmt(v) + unit}"
                     for label, v in zip(labels, values))
