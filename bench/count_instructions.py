"""Instructions executed by score_letter on bench_score's letters, counted by callgrind.

Timed runs on a shared machine move by a tenth from one minute to the next, so a change worth
a few per cent cannot be told from the noise by the clock. The count of instructions the
engine executes over the same letters is the same in every run (within a few hundredths of a
per cent): compare two builds by running this on each, the same settings for both.

The engine scores `--warm` of bench_score's letters first (its memos filled as by the bench's
earlier letters, not counted), then `--letters` more, counted: instructions inside
`score_letter` only (not the import, the pipeline's build or the warm-up). Needs valgrind and
the compiled engine (`make compiled`; the count is of the compiled code's entry point). Takes
two to three minutes for the defaults.

    python bench/count_instructions.py [--warm 300] [--letters 200] [--seed 7]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The compiled score_letter's own entry point (Cython names it after the module and function).
ENTRY = "__pyx_pw_6vcl_qa_6engine_3run_1score_letter"


def child(warm: int, count: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_score

    from vcl_qa.engine import run

    letters = bench_score.make_letters(warm + count, seed)
    run.settle()
    for letter in letters[:warm]:
        run._score(letter, None, None)  # (not through score_letter: not counted)
    for letter in letters[warm:]:
        run.score_letter(letter)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warm", type=int, default=300)
    ap.add_argument("--letters", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.warm, args.letters, args.seed)
        return 0
    if shutil.which("valgrind") is None:
        print("count_instructions: valgrind is not installed (apt install valgrind); nothing counted")
        return 2
    sys.path.insert(0, str(ROOT))
    from vcl_qa import _compiled

    built = _compiled.status()
    if not built["compiled"] or built["stale"]:
        print("count_instructions: the engine is not running from its compiled build "
              f"({built['reason'] or 'edited since: ' + ', '.join(built['stale'])}); run `make compiled` first")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--collect-atstart=no",
               f"--toggle-collect={ENTRY}", sys.executable, str(Path(__file__).resolve()), "--child",
               "--warm", str(args.warm), "--letters", str(args.letters), "--seed", str(args.seed)]
        print(f"counting {args.letters} letters after {args.warm} (two or three minutes)...", flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
        found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
        if done.returncode != 0 or not found:
            print(f"count_instructions: the counted run failed (exit {done.returncode}):")
            print(done.stderr[-2000:])
            return 1
    total = int(found.group(1))
    print(f"{'instructions in score_letter:':<40}{total:>16,}")
    print(f"{'a letter:':<40}{total / args.letters:>16,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
