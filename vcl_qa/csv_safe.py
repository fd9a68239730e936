"""CSV that a spreadsheet cannot run: a text cell starting with =, +, -, @, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula (CSV injection), so such a
cell gets a leading apostrophe, which the spreadsheet shows as text. Numbers stay numbers, also
written as text ("-0.94", "+0.68"): a spreadsheet reads them as the number they are, and the
apostrophe would have turned one into text beside figures that stay numbers."""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")  # a plain number: nothing a spreadsheet would run


def cell(value: Any) -> Any:
    """The value as it may go into a CSV cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class DictWriter(csv.DictWriter):
    """csv.DictWriter whose rows are made safe (see `cell`); the header row is ours."""

    def writerow(self, rowdict):
        return super().writerow({k: cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


class Writer:
    """csv.writer whose rows are made safe (see `cell`)."""

    def __init__(self, fh, **kwargs):
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for row in rows:
            self.writerow(row)
