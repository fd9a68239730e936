"""Hostile files: how long `vcl-qa score` takes to refuse each one, and its peak memory.

The files are the ones tests/test_hostile_input.py uses (YAML alias bombs in front matter, Word
files that unpack to millions of paragraphs). Target (issue 10): each refused in under 5 s and
under 400 MB peak. A fresh process per file; the engine is never loaded for a refused file.

    python bench/bench_hostile.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_files import (alias_bomb, cli, deep_bomb, docx_bombs, long_number_front_matter,  # noqa: E402
                           long_value_front_matter, run_measured)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="vcl-hostile-"))
    files = {
        "alias_8_levels.txt": alias_bomb(8).encode(), "alias_9_levels.txt": alias_bomb(9).encode(),
        "deep_nesting.txt": deep_bomb().encode(), "long_number.txt": long_number_front_matter().encode(),
        "long_value.txt": long_value_front_matter().encode(),
        **{f"{name}.docx": data for name, data in docx_bombs().items()},
    }
    print(f"{'file':<24} {'bytes':>8} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
    worst_s = worst_mb = 0.0
    for name, data in files.items():
        path = tmp / name
        path.write_bytes(data)
        code, err, seconds, peak = run_measured(cli("score", str(path)))
        message = err.splitlines()[0].split(": ", 2)[-1] if err else ""
        print(f"{name:<24} {len(data):>8} {code:>4} {seconds:>8.2f} {peak:>8.0f}  {message[:70]}")
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, peak)
    print(f"worst: {worst_s:.2f} s, {worst_mb:.0f} MB (target: under 5 s and 400 MB each)")


if __name__ == "__main__":
    main()
