"""How well the panel's anonymisation hides personal details and keeps the rest of a letter.

For every letter in the held-out sets (bench/holdout*/letters) and the redaction check letters
(bench/redaction/letters), the personal strings are: the victim's name (each part, capitalised
or in capitals) and case reference from the letter's details, plus the strings listed for that
letter in bench/redaction/personal.yml (other people's names, phone numbers, e-mails, addresses,
venues, schools, number plates, ages, collar numbers, dates of what happened).

Prints, per set: personal strings hidden (every occurrence must be wholly inside a tag), and
ordinary words kept (words outside personal strings that are not inside a tag), and all words
kept (every word not inside a tag: no list needed, so it bounds over-redaction). `--details`
lists every miss and every ordinary word hidden.

    python bench/eval_redaction.py [--details]
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from vcl_qa.engine.letter import CONTEXT_FIELDS, context_from_mapping, split_front_matter
from vcl_qa.panel.redact import WORD, load_rules, redact

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SETS = sorted(BENCH.glob("holdout*/letters")) + [BENCH / "redaction" / "letters"]
PERSONAL = BENCH / "redaction" / "personal.yml"


def read_letter(path: Path):
    """Body and context; fields this version does not know are left out (a newer set may use them)."""
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    meta = {k: v for k, v in (meta or {}).items() if k in CONTEXT_FIELDS}
    return body, context_from_mapping(meta, str(path))


def context_strings(ctx) -> list[str]:
    out = []
    titles = load_rules().titles
    if ctx.victim_name:
        for part in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", ctx.victim_name):
            if len(part) >= 2 and part.lower() not in titles:
                out += [part[0].upper() + part[1:], part.upper()]
    if ctx.urn:
        out.append(ctx.urn)
    return out


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    """Where `value` appears as whole words (spaces may be line breaks), with an honorific just
    before it ("Mr" of "Mr Reid"): the tag takes it by design, so it is not an ordinary word."""
    rx = r"\s+".join(re.sub(r"['’]", "['’]", re.escape(p)) for p in value.split())
    honorifics = "|".join(re.escape(h) for h in ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "MR", "MRS", "MS", "MISS"))
    return [m.span() for m in re.finditer(rf"(?<![\w])(?:(?:{honorifics})\.?\s+)?{rx}(?![\w])", text)]


def covered(text: str, spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Every letter or digit of text[start:end] is inside one of the spans."""
    return all(any(s <= i < e for s, e in spans) for i in range(start, end) if text[i].isalnum())


def evaluate() -> tuple[dict[str, list[int]], list[str], list[str]]:
    """Per set: [letters, personal hidden, personal, ordinary kept, ordinary, all kept, all];
    the personal strings left readable; the ordinary words hidden."""
    listed = yaml.safe_load(PERSONAL.read_text(encoding="utf-8")) or {}
    # letters, personal hidden, personal, ordinary kept, ordinary words, all words kept, all words
    totals = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    misses, lost = [], []
    for folder in SETS:
        name = folder.parent.name
        for path in sorted(folder.glob("*.txt")):
            rel = str(path.relative_to(ROOT))
            text, ctx = read_letter(path)
            spans = [(r.start, r.end) for r in redact(text, ctx).replacements]
            personal: list[tuple[int, int, str]] = []
            for value in context_strings(ctx) + list(listed.get(rel) or []):
                personal += [(s, e, value) for s, e in occurrences(text, value)]
            t = totals[name]
            t[0] += 1
            for s, e, value in personal:
                t[2] += 1
                if covered(text, spans, s, e):
                    t[1] += 1
                else:
                    misses.append(f"{rel}: {value!r}")
            for m in WORD.finditer(text):
                t[6] += 1
                t[5] += not any(s < m.end() and m.start() < e for s, e in spans)
                if any(s <= m.start() < e for s, e, _ in personal):
                    continue
                t[4] += 1
                if any(s < m.end() and m.start() < e for s, e in spans):
                    lost.append(f"{rel}: {m.group()!r}")
                else:
                    t[3] += 1
    return dict(totals), misses, lost


def main(details: bool) -> None:
    totals, misses, lost = evaluate()
    print(f"{'set':<12} {'letters':>7} {'personal hidden':>18} {'ordinary words kept':>22} {'all words kept':>22}")
    grand = [0] * 7
    for name, t in [*totals.items(), ("all", None)]:
        if t is None:
            t = grand
        else:
            grand = [a + b for a, b in zip(grand, t)]
        print(f"{name:<12} {t[0]:>7} {t[1]:>8}/{t[2]:<5} {100 * t[1] / max(t[2], 1):5.1f}% "
              f"{t[3]:>8}/{t[4]:<6} {100 * t[3] / max(t[4], 1):5.1f}% "
              f"{t[5]:>8}/{t[6]:<6} {100 * t[5] / max(t[6], 1):5.1f}%")
    if details:
        print("\nPersonal strings left readable:")
        print("\n".join(f"  {m}" for m in misses) or "  none")
        print("\nOrdinary words hidden:")
        print("\n".join(f"  {w}" for w in lost) or "  none")
    elif misses:
        print(f"\n{len(misses)} personal strings left readable (--details lists them).")

if __name__ == "__main__":
    main("--details" in sys.argv[1:])
