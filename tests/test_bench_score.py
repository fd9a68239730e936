"""bench/bench_score.py: the timed work made in fresh processes, every run's rate printed and
the median run's figures reported (a single run moves by a fifth on a shared machine)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "bench_score.py"


def test_every_run_is_printed_and_the_median_run_reported():
    out = subprocess.run([sys.executable, str(BENCH), "--letters", "40", "--runs", "3"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    rates = [int(r) for r in re.findall(r"^run \d: vcl_qa\.score_letter:\s+(\d+) letters/s", text, re.M)]
    assert len(rates) == 3 and all(r > 0 for r in rates)
    median = sorted(rates)[1]
    reported = re.search(r"^the median run \((\d)\):\nbaseline.*\n.*\nvcl_qa\.score_letter:\s+(\d+) letters/s", text, re.M)
    assert reported and int(reported.group(2)) == median == rates[int(reported.group(1)) - 1]
    target = re.search(r"throughput target 500 letters/s:\s+(met|NOT met) \(median of 3 runs; the slowest (\d+)/s\)", text)
    assert target and int(target.group(2)) == min(rates)
    assert target.group(1) == ("met" if median >= 500 else "NOT met")
    assert "held-out letters, each scored once" in text and "peak memory (max RSS of a run)" in text


def test_the_median_run_is_the_middle_one_and_of_two_the_slower():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_score", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    runs = [{"ours": s} for s in (2.0, 1.8, 1.9)]
    assert bench.median_run(runs)["ours"] == 1.9
    assert bench.median_run(runs[:2])["ours"] == 2.0  # (the slower of two: more seconds)
    assert bench.median_run(runs + [{"ours": 1.7}])["ours"] == 1.9
    assert bench.median_run(runs[:1])["ours"] == 2.0


def test_a_run_count_below_one_is_refused_with_a_reason():
    out = subprocess.run([sys.executable, str(BENCH), "--runs", "0"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "--runs must be at least 1" in out.stderr
