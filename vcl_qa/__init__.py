"""vcl-qa: quality assurance for letters to victims of crime."""
from vcl_qa import _compiled

_compiled.install()  # before any engine module is imported: their builds, where fresh

from vcl_qa.errors import LetterError, RulesError
from vcl_qa.engine.letter import Letter, LetterContext
from vcl_qa.engine.result import Finding, Result

__version__ = "0.1.0"


def score_letter(letter: Letter) -> Result:
    """Score one letter against rules/ (contract section 3)."""
    from vcl_qa.engine.run import score_letter as _score

    return _score(letter)


__all__ = ["Letter", "LetterContext", "LetterError", "RulesError", "Result", "Finding", "score_letter"]
