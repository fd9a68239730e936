"""What a person's or a team's name may hold, and when two names look the same.

A name is read by people in lists, the audit log and messages ("saved by demo-manager on ..."),
so it must not be able to pass for another: no character that shows nothing or changes how the
text around it is shown (zero-width spaces and joiners, right-to-left overrides, a byte order
mark: Unicode's format characters, category Cf, and the few other characters Unicode says are
ignored when shown), no control characters, no space other than the ordinary one, no
compatibility look-alike (a full-width "ｎ", a ligature "ﬁ", a superscript "²": each has a
plain form) and no mix of Latin, Greek and Cyrillic letters ("demo-mаnager" with a Cyrillic
"а"). Names stored before these checks are kept as they are; `name_key` still finds them the
same as the plain name, so a new name cannot copy one of them either.
"""
from __future__ import annotations

import unicodedata

# Shown as nothing, or as a blank, though not format characters (Unicode's
# Default_Ignorable_Code_Point outside Cf, and the blank Braille pattern).
_IGNORABLE = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0,
              *range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
# Scripts whose letters look alike: a name mixing them is a look-alike of another.
_LOOK_ALIKE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
_KINDS = {"Cc": "a control character", "Cf": "an invisible formatting character",
          "Co": "a private-use character", "Cn": "not a character Unicode assigns",
          "Cs": "half of a character (a lone surrogate)", "Zl": "a line break", "Zp": "a paragraph break"}
# Control characters have no Unicode name; the few people meet, by name.
_CONTROL_NAMES = {0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN", 0x00: "NUL", 0x1B: "ESCAPE",
                  0x7F: "DELETE", 0x85: "NEXT LINE"}


def char_words(c: str) -> str:
    """'U+200B ZERO WIDTH SPACE': a character as a message names it."""
    name = unicodedata.name(c, None) or _CONTROL_NAMES.get(ord(c)) or ""
    return f"U+{ord(c):04X} {name}".rstrip()


def _hidden(c: str) -> bool:
    """Shows nothing, or changes how the text around it is shown."""
    return unicodedata.category(c) in _KINDS or ord(c) in _IGNORABLE


def name_problem(value: str) -> str | None:
    """Why `value` cannot be a name (None: it can), naming the first character at fault."""
    for c in value:
        kind = unicodedata.category(c)
        if kind == "Cc" or kind in ("Zl", "Zp"):
            return (f"no control characters (tabs, line breaks and the like): it holds {char_words(c)}, "
                    f"{_KINDS[kind]}")
        if _hidden(c):
            what = _KINDS.get(kind, "a character that shows as nothing")
            return (f"it holds {char_words(c)}, {what}: a name cannot hold a character that cannot "
                    "be seen, or that changes how the text around it is shown, since it would let "
                    "one name pass for another")
        if kind == "Zs" and c != " ":
            return (f"it holds {char_words(c)}, which looks like a space but is not one: type an "
                    "ordinary space")
        plain = unicodedata.normalize("NFKC", c)
        if plain != c:
            return (f"it holds {char_words(c)}, a look-alike of '{plain}': type '{plain}' itself, so "
                    "that the name cannot pass for another")
    scripts: dict[str, str] = {}
    for c in value:
        if c.isalpha():
            script = unicodedata.name(c, "").split(" ", 1)[0]
            if script in _LOOK_ALIKE_SCRIPTS:
                scripts.setdefault(script, c)
    if len(scripts) > 1:
        names = [s.title() for s in _LOOK_ALIKE_SCRIPTS if s in scripts]
        odd = [scripts[s] for s in _LOOK_ALIKE_SCRIPTS if s in scripts][1:]
        return (f"it mixes {' and '.join(names)} letters ({', '.join(char_words(c) for c in odd)}), "
                "whose letters look alike: write the name in one alphabet, so that it cannot pass "
                "for another")
    return None


def name_key(value: str) -> str:
    """What two names that look the same have in common: hidden characters left out, look-alikes
    and accents in their plain composed form, case and runs of spaces ignored."""
    text = "".join(c for c in value if not _hidden(c))
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def _unseen(c: str) -> bool:
    """Hidden, a control character, or a space that is not the ordinary one."""
    return _hidden(c) or (unicodedata.category(c) == "Zs" and c != " ")


def shown(value: str, limit: int = 40) -> str:
    """`value` for a message: cut to `limit` characters, each hidden character, control character
    or unusual space written as its code (\\u200b), so that the message shows what was sent."""
    cut = value if len(value) <= limit else value[:limit].rstrip() + "..."
    return "".join(f"\\u{ord(c):04x}" if _unseen(c) else c for c in cut)


def unseen_in(value: str) -> list[str]:
    """The hidden characters, control characters and unusual spaces in `value`, each once, as
    char_words names them."""
    return [char_words(c) for c in dict.fromkeys(c for c in value if _unseen(c))]
