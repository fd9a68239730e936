"""Errors that carry where the problem is, so every front end can say it plainly."""
from __future__ import annotations


class LetterError(ValueError):
    """Bad input: names the source (file or request) and, where known, the field."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.message = message
        self.source = source
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.source, f"field '{self.field}'" if self.field else None) if p)
        return f"{where}: {self.message}" if where else self.message


class RulesError(ValueError):
    """A rules/ file is malformed; names the file and the rule."""
