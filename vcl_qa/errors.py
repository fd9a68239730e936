"""Errors that carry where the problem is, so every front end can say it plainly."""
from __future__ import annotations


# An answer or a report names at most this many problems and counts the rest (the API's error
# answers, api/errors.py; `vcl-qa import-decisions`'s rows): 30,000 unknown fields in a 488 KB
# request got a 6 MB answer (review 10b, finding 13).
MOST_PROBLEMS = 50


class LetterError(ValueError):
    """Bad input: names the source (file or request) and, where known, the field.

    `details` lists every problem found as (field, message) pairs, so that a person can put
    them all right at once; for one problem it is [(field, message)]. See `LetterError.many`.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None,
                 details: list[tuple[str | None, str]] | None = None):
        self.message = message
        self.source = source
        self.field = field
        self.details: list[tuple[str | None, str]] = list(details) if details else [(field, message)]
        super().__init__(str(self))

    @classmethod
    def many(cls, problems: list[tuple[str | None, str]], source: str | None = None) -> LetterError:
        """One error for one problem; for several, one that lists them all (field None)."""
        if len(problems) == 1:
            field, message = problems[0]
            return cls(message, source=source, field=field)
        message = "; ".join(f"field '{f}': {m}" if f else m for f, m in problems)
        return cls(message, source=source, details=problems)

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.source, f"field '{self.field}'" if self.field else None) if p)
        return f"{where}: {self.message}" if where else self.message


class RulesError(ValueError):
    """A rules/ file is malformed; names the file and the rule."""
