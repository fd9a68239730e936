"""The compiled engine (vcl_qa/_compiled.py, scripts/build_compiled.py): a module's build is used
only while its source is the one it was built from, and a build scores exactly as the source.

`make test` builds first and sets VCL_QA_EXPECT_COMPILED=1, so there the engine must run from
its builds; run on their own (plain pytest, no builds) the tests that need builds say so and skip.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vcl_qa import Letter, _compiled
from vcl_qa.engine.concepts import Concept, WordIndex
from vcl_qa.engine.kinds import NotAssessed, State
from vcl_qa.engine.kinds.base import rule_state
from vcl_qa.engine.prefilter import HintBits
from vcl_qa.engine.rules import load_rules
from vcl_qa.engine.run import score_letter
from vcl_qa.engine.structure import analyse

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_letters").glob("*.txt"))


def _compiled_here() -> bool:
    return _compiled.status()["compiled"] > 0


needs_builds = pytest.mark.skipif(not _compiled_here(), reason="the engine runs from source here (no builds: make)")


def test_make_test_runs_the_builds():
    """Under `make test` every engine module imported so far comes from its build, none is
    stale, and pydantic models in compiled modules were made (their methods are not fields)."""
    if os.environ.get("VCL_QA_EXPECT_COMPILED") != "1":
        pytest.skip("not under make test (VCL_QA_EXPECT_COMPILED=1)")
    import vcl_qa.engine.structure as structure

    state = _compiled.status()
    assert state["stale"] == [], f"edited since the build (make rebuilds them): {state['stale']}"
    assert state["compiled"] >= 30, state
    assert structure.__file__.endswith(_compiled.EXT_SUFFIX), structure.__file__
    assert isinstance(structure.analyse, _compiled.CompiledFunction)
    assert Letter(text="Dear Ms Okafor,\n\nWe have stopped the case.").text.startswith("Dear")


def test_a_plain_function_is_not_a_compiled_one():
    def plain():
        return None

    assert not isinstance(plain, _compiled.CompiledFunction)
    assert not isinstance(len, _compiled.CompiledFunction)


def _entry(root: Path, source_text: str, built_from: str) -> tuple[Path, dict]:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text(source_text, encoding="utf-8")
    binary = root / "bin" / f"pkg.mod-abc{_compiled.EXT_SUFFIX}"
    binary.parent.mkdir()
    binary.write_bytes(b"\x7fELF not loaded by find_spec")
    import hashlib

    return binary, {"pkg.mod": {"source": "pkg/mod.py", "binary": f"bin/{binary.name}",
                                "sha256": hashlib.sha256(built_from.encode()).hexdigest()}}


def test_a_build_is_used_while_its_source_is_unchanged(tmp_path):
    binary, modules = _entry(tmp_path, "X = 1\n", built_from="X = 1\n")
    finder = _compiled.CompiledFinder(tmp_path, modules, root=tmp_path)
    spec = finder.find_spec("pkg.mod")
    assert spec is not None and spec.origin == str(binary)
    assert type(spec.loader).__name__ == "ExtensionFileLoader"
    assert finder.used == {"pkg.mod": str(binary)} and finder.stale == []
    assert finder.find_spec("pkg.other") is None  # not in the manifest: the usual import


def test_an_edited_source_is_read_not_its_old_build(tmp_path):
    _, modules = _entry(tmp_path, "X = 2  # edited after the build\n", built_from="X = 1\n")
    finder = _compiled.CompiledFinder(tmp_path, modules, root=tmp_path)
    assert finder.find_spec("pkg.mod") is None
    assert finder.find_spec("pkg.mod") is None
    assert finder.stale == ["pkg.mod"] and finder.used == {}


def test_a_missing_build_or_source_falls_back(tmp_path):
    binary, modules = _entry(tmp_path, "X = 1\n", built_from="X = 1\n")
    binary.unlink()
    assert _compiled.CompiledFinder(tmp_path, modules, root=tmp_path).find_spec("pkg.mod") is None
    binary.write_bytes(b"x")
    (tmp_path / "pkg" / "mod.py").unlink()
    assert _compiled.CompiledFinder(tmp_path, modules, root=tmp_path).find_spec("pkg.mod") is None


@pytest.mark.parametrize("content", [
    None,  # no manifest
    "{not json",
    "[1, 2]",
    json.dumps({"ext_suffix": ".cpython-39-x86_64-linux-gnu.so", "modules": {"a.b": {}}}),  # another Python's
    json.dumps({"ext_suffix": _compiled.EXT_SUFFIX, "modules": "everything"}),
])
def test_a_manifest_that_cannot_be_trusted_names_nothing(tmp_path, content):
    if content is not None:
        (tmp_path / _compiled.MANIFEST).write_text(content, encoding="utf-8")
    assert _compiled.read_manifest(tmp_path) == {}


def test_pure_python_switch_and_an_empty_folder_load_no_builds(tmp_path):
    code = ("import vcl_qa.engine.run, vcl_qa.engine.structure as s; from vcl_qa import _compiled; "
            "print(_compiled.status()['compiled'], s.__file__.endswith('.py'), _compiled.status()['reason'])")
    for env in ({"VCL_QA_PURE_PYTHON": "1"}, {"VCL_QA_COMPILED": str(tmp_path)}):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, **env}, check=True).stdout.split()
        assert out[:2] == ["0", "True"], out


def _word(i: int) -> str:
    """A word of letters alone for a number (the word pre-checks ignore digits)."""
    return "zq" + "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in f"{i:03d}")


def test_more_than_64_word_sets_keep_their_own_bits():
    """Compiled, `1 << len(sets)` was a 64-bit machine shift: past 64 sets the bits wrapped and
    concepts late in the rule set (the reason, the victim's views) went unfound in 214 of
    1,822 letters. The bits are Python integers however many sets there are."""
    bits = HintBits()
    got = [bits.of(rf"\b{_word(i)}\b") for i in range(200)]
    assert got == [1 << i for i in range(200)]
    assert len(set(got)) == 200 and bits.sets[199] == (_word(199),)

    concepts = [Concept(name=f"c{n}", window=1,
                        alternatives=[([re.compile(rf"\b{_word(i)}{_word(n)}\b")], []) for i in range(70)])
                for n in range(3)]
    WordIndex(concepts)
    for n, concept in enumerate(concepts):
        _, at, mask = concept.word_index
        assert (at, mask) == (70 * n, (1 << 70) - 1)
    text = f"{_word(69)}{_word(2)} and {_word(0)}{_word(0)}"
    assert concepts[2].may_be_in(text) and concepts[0].may_be_in(text) and not concepts[1].may_be_in(text)


def test_a_rule_for_one_language_with_no_view_of_it_is_not_assessed():
    """A bilingual letter without the view a one-language rule reads: "not assessed" (the
    message used a name bound only on the other branch: an UnboundLocalError, which Cython's
    compiler refused to build)."""
    rules = load_rules()
    rule = next(r for r in rules.rules if r.config.languages == ["en"] or list(r.config.languages or []) == ["en"])
    letter = Letter(text="Annwyl Mrs Hughes,\n\nDear Mrs Hughes,\n\nWe have stopped the case.")
    state = State(letter, analyse(letter.text), rules, letter.context.letter_date or __import__("datetime").date(2026, 1, 5),
                  language="cy+en")
    assert state.views == {}
    with pytest.raises(NotAssessed, match="Welsh and English|Welsh"):
        rule_state(rule, state)


_DUMP = """
import json, sys
sys.path.insert(0, {bench!r})
from pathlib import Path
from vcl_qa import Letter, _compiled
from vcl_qa.engine.run import score_letter
from bench_score import make_letters
letters = [Letter.from_file(p) for p in {paths!r}] + make_letters(150, 7)
out = [score_letter(l).model_dump(mode="json") for l in letters]
print(json.dumps({{"compiled": _compiled.status()["compiled"], "results": out}}))
"""


@needs_builds
def test_the_builds_score_exactly_as_the_source():
    """Every sample letter and 150 bench letters, from the builds (this process) and from the
    source (VCL_QA_PURE_PYTHON=1): the same findings, offsets, replacements and figures."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_score import make_letters

    letters = [Letter.from_file(p) for p in SAMPLES] + make_letters(150, 7)
    here = [score_letter(letter).model_dump(mode="json") for letter in letters]
    code = _DUMP.format(bench=str(ROOT / "bench"), paths=[str(p) for p in SAMPLES])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "VCL_QA_PURE_PYTHON": "1"}, check=True)
    source = json.loads(done.stdout)
    assert source["compiled"] == 0
    assert len(source["results"]) == len(here) == len(SAMPLES) + 150
    for letter, a, b in zip(letters, here, source["results"]):
        a.pop("rules_version", None), b.pop("rules_version", None)
        assert a == b, (letter.text[:80], [f["rule"] for f in a["findings"]], [f["rule"] for f in b["findings"]])


def test_the_build_script_builds_once_and_the_finder_loads_it(tmp_path):
    """A real build of one small module (scripts/build_compiled.py --only), loaded through the
    manifest in a fresh process; a second run compiles nothing and keeps the same file."""
    out = tmp_path / "compiled"
    cmd = [sys.executable, str(ROOT / "scripts" / "build_compiled.py"), "--out", str(out),
           "--only", "vcl_qa.engine.typography", "--jobs", "1"]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    assert "Compiling 1 of the engine's 1 modules" in first.stdout, first.stdout + first.stderr
    if _build_script().gcc_compiles():  # guided by the counts of its own build scoring the samples
        assert (f"guided by a profile of the engine scoring {len(SAMPLES)} sample letters (counts for 1 of 1 "
                "modules)") in first.stdout, first.stdout + first.stderr
        assert "failed" not in first.stderr, first.stderr
    manifest = json.loads((out / _compiled.MANIFEST).read_text())
    entry = manifest["modules"]["vcl_qa.engine.typography"]
    assert list(manifest["modules"]) == ["vcl_qa.engine.typography"]
    assert (out / entry["binary"]).is_file()
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    assert "Compiling" not in second.stdout and json.loads((out / _compiled.MANIFEST).read_text()) == manifest
    assert sorted(p.name for p in (out / "bin").iterdir()) == [Path(entry["binary"]).name]

    code = ("import vcl_qa.engine.typography as t, vcl_qa.engine.structure as s; from vcl_qa import _compiled; "
            "print(t.__file__); print(s.__file__); print(t.fold('Dear Ms O\u2019Neill \u2013 x')); "
            "print(_compiled.status()['compiled'])")
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={**os.environ, "VCL_QA_COMPILED": str(out)}).stdout.splitlines()
    assert lines[0] == str(out / entry["binary"])
    assert lines[1].endswith("structure.py")  # not in this manifest: from source
    assert lines[2] == "Dear Ms O'Neill - x" and lines[3] == "1"


def test_the_build_script_refuses_a_module_it_does_not_know(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_compiled.py"), "--out", str(tmp_path),
                           "--only", "vcl_qa.engine.nothing"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "not a module of the engine: vcl_qa.engine.nothing" in done.stderr
    assert not (tmp_path / _compiled.MANIFEST).exists()


def _build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_build_compiled", ROOT / "scripts" / "build_compiled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_build_with_a_profile_and_one_without_are_kept_apart():
    """The key of a build says whether a profile guided it: one made with --no-profile (or by
    a compiler without GCC's flags) is never taken for a guided one, nor the other way round."""
    bc = _build_script()
    source = (ROOT / "vcl_qa" / "engine" / "typography.py").read_bytes()
    assert bc.build_key(source, "3.3.1", True) != bc.build_key(source, "3.3.1", False)
    assert bc.build_key(source, "3.3.1", True) == bc.build_key(source, "3.3.1", True)
    assert bc.build_key(source + b"#", "3.3.1", True) != bc.build_key(source, "3.3.1", True)


def test_the_build_script_without_a_profile_compiles_once(tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "build_compiled.py"), "--out", str(tmp_path),
           "--only", "vcl_qa.engine.typography", "--jobs", "1", "--no-profile"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    assert "Compiling 1 of the engine's 1 modules" in done.stdout and "without a profile" in done.stdout, done.stdout
    assert "guided" not in done.stdout
    entry = json.loads((tmp_path / _compiled.MANIFEST).read_text())["modules"]["vcl_qa.engine.typography"]
    bc = _build_script()
    key = bc.build_key((ROOT / entry["source"]).read_bytes(), __import__("Cython").__version__, False)
    assert entry["binary"] == f"bin/vcl_qa.engine.typography-{key}{_compiled.EXT_SUFFIX}"


def test_a_profile_run_that_fails_leaves_a_build_without_one(tmp_path):
    """The scoring with counters fails (here: its process stops as it starts): the modules are
    compiled without a profile, the writer is told why, and the build loads and works."""
    if not _build_script().gcc_compiles():
        pytest.skip("the compiler is not GCC: builds are never profile-guided here")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import sys\nif '--train' in sys.argv:\n    sys.exit('stopped before scoring')\n")
    out = tmp_path / "compiled"
    env = {**os.environ, "PYTHONPATH": str(hook)}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_compiled.py"), "--out", str(out),
                           "--only", "vcl_qa.engine.typography", "--jobs", "1"],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert "the profile-guided build failed" in done.stderr and "stopped before scoring" in done.stderr, done.stderr
    assert "compiling without a profile" in done.stderr
    assert "Compiled in" in done.stdout and "without a profile" in done.stdout, done.stdout
    code = "import vcl_qa.engine.typography as t; print(t.__file__); print(t.fold('a \u2013 b'))"
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={**os.environ, "VCL_QA_COMPILED": str(out)}).stdout.splitlines()
    assert lines[0].startswith(str(out / "bin")) and lines[1] == "a - b"
