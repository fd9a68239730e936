"""The rule kinds, one module each. To add a kind: write its module (Settings, HONOURS, check)
and add it to KINDS below; rules of that kind are then plain YAML."""
from __future__ import annotations

from types import ModuleType

from . import (acronym, case_details, companions, details, existence, forbidden, header_line, metric, own_line,
               passive, required, salutation, sentence_length, sign_off, substitution, timeliness)
from .base import NotAssessed, State, applies, condition, finding

KINDS: dict[str, ModuleType] = {
    "existence": existence,          # any listed pattern found -> a finding at each place
    "substitution": substitution,    # words with plainer alternatives
    "required": required,            # if the context says X, the letter must contain concept Y
    "forbidden": forbidden,          # if the context says X, the letter must not contain concept Y
    "companions": companions,        # a concept that is present needs its companions
    "sentence_length": sentence_length,  # words per sentence over a maximum
    "metric": metric,                # a readability figure below a threshold
    "timeliness": timeliness,        # sent after the due date
    "salutation": salutation,        # impersonal greeting, or a name other than the victim's
    "sign_off": sign_off,            # "Yours faithfully" after a greeting by name
    "acronym": acronym,              # an acronym not spelled out at first use
    "passive": passive,              # passive voice
    "header_line": header_line,      # a line the header block must carry (the private heading)
    "own_line": own_line,            # steps that should each stand on a line of their own
    "case_details": case_details,    # another person's name or case reference in the letter
    "details": details,              # a letter detail the content checks need is missing
}

__all__ = ["KINDS", "NotAssessed", "State", "applies", "condition", "finding"]
