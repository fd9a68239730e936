"""CSV that a spreadsheet cannot run: a text cell starting with =, +, -, @, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula (CSV injection), so such a
cell gets a leading apostrophe, which the spreadsheet shows as text. Numbers stay numbers."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as it may go into a CSV cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
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
