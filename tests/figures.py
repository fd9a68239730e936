"""A percentage as the pages show it, worked out apart from the product's own code
(vcl_qa.labels.percent): a half rounded upwards, as a spreadsheet or a calculator rounds it.
Python's round() takes a half to the even figure (13 of 16 is 81.25%: round() gives 81.2, the
page 81.3), so a test that compared the page with round() failed whenever the counts fell on a
half (the thirty-fourth session's new sample letters made 13 of 16)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(part: int, whole: int, places: int = 1) -> float | int:
    shown = (Decimal(100) * part / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return int(shown) if places == 0 else float(shown)
