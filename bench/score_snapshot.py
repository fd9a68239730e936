"""Score snapshot: every sample and held-out letter's score, verdict and findings (rule and
place), to compare before and after an engine change that must not change scores.

    python bench/score_snapshot.py --write var/snapshot-before.json
    python bench/score_snapshot.py --compare var/snapshot-before.json
    python bench/score_snapshot.py --write var/plain.json --without-replacements
`--without-replacements` scores with the one-click replacements step switched off (to show it
changes nothing but the new field). Prints how many letters differ (and which); exits 1 when any does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = dt.date(2025, 6, 2)  # fixed, so undated letters score the same on any day


def letter_paths() -> list[Path]:
    paths = sorted((ROOT / "sample_letters").glob("*.txt"))
    for folder in sorted(ROOT.glob("bench/holdout*/letters")):
        paths += sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md"))
    return paths


def snapshot() -> dict[str, dict]:
    from vcl_qa import Letter
    from vcl_qa.engine.run import score_letter
    from vcl_qa.errors import LetterError

    out = {}
    for path in letter_paths():
        try:
            letter = Letter.from_file(path)
        except LetterError as exc:  # a file the engine refuses is part of the snapshot too
            out[str(path.relative_to(ROOT))] = {"refused": exc.message}
            continue
        r = score_letter(letter, today=TODAY)
        out[str(path.relative_to(ROOT))] = {
            "score": r.score, "verdict": r.verdict,
            "dimensions": {d: v.score for d, v in r.dimensions.items()},
            "findings": [[f.rule, f.start, f.end, f.severity, f.suppressed] for f in r.findings],
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write")
    ap.add_argument("--compare")
    ap.add_argument("--without-replacements", action="store_true")
    args = ap.parse_args()
    if args.without_replacements:
        from vcl_qa.engine import run
        run.add_replacements = lambda findings, state: None
    now = snapshot()
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(json.dumps(now, indent=1))
        print(f"{len(now)} letters written to {args.write}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        changed = [k for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)]
        for k in changed:
            print(f"differs: {k}: {before.get(k, {}).get('score')} -> {now.get(k, {}).get('score')}")
        print(f"{len(now)} letters; {len(changed)} differ")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
