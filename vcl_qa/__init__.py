"""vcl-qa: quality assurance for letters to victims of crime."""
import os

# The sentence classifier's sums (engine/classifier.py) are a few hundred numbers each: the
# BLAS library under numpy would start a thread per core for them, and those threads spin
# between sums, taking CPU from the server's other requests (about 2% of all the engine's
# time went to their waiting). One thread, unless the host says otherwise; this must be set
# before numpy is first imported, so it is done here, first.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from vcl_qa import _compiled  # noqa: E402

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
