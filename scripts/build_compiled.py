"""Compile the engine's modules (vcl_qa/engine, the code that scores a letter) to C with Cython.

    .venv/bin/python scripts/build_compiled.py [--out var/compiled] [--jobs 2]

`make` runs it; vcl_qa/_compiled.py loads a build only while the module's .py still hashes to
the value in var/compiled/manifest.json, so an edited module simply runs from its source until
the next `make`. The code is unchanged: Cython compiles ordinary Python (no type declarations),
and the same tests run on the builds (`make test`) as on the source (VCL_QA_PURE_PYTHON=1).

Builds are kept by content: bin/<module>-<key>.so, where the key hashes the source, the Cython
version, the compiler directives, the interpreter and whether the build is profile-guided. Only
modules whose key has no build are compiled again, a build file is never written over (a running
server may have it open), and the manifest is replaced in one step at the end. Builds no
manifest names are removed.

Profile-guided (with GCC, unless --no-profile): the modules are compiled first with counters,
the engine scores the sample letters with those builds (a process of its own, `--train`), and
the modules are compiled again with what the counters saw guiding the compiler (which branches
are taken, which calls are hot): the same code, about 5% less time a letter on bench_score's
letters and on the held-out ones (docs/architecture.md, "Compiled engine"). If any step of it
fails, the modules are compiled without a profile, and it says so.

Without a C compiler or Cython this prints why and writes an empty manifest: everything then
runs from source, correct but slower.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_compiled_helper():
    """vcl_qa/_compiled.py alone (importing the package would load the builds being replaced)."""
    spec = importlib.util.spec_from_file_location("_vcl_qa_compiled", ROOT / "vcl_qa" / "_compiled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helper = _load_compiled_helper()
EXT_SUFFIX: str = _helper.EXT_SUFFIX
MANIFEST: str = _helper.MANIFEST

PACKAGE = "vcl_qa/engine"
# Plain Python semantics: annotations are not type declarations (a `dict` annotation may be
# given a defaultdict), functions keep their signatures (pydantic reads its validators'). Where
# Cython does arithmetic on machine integers (`1 << len(x)`: len() is one), a result too big for
# 64 bits raises OverflowError instead of being silently wrong (overflowcheck); such code is
# written so that it stays a Python int (vcl_qa/engine/prefilter.py HintBits).
DIRECTIVES = {"language_level": 3, "binding": True, "annotation_typing": False, "overflowcheck": True}

# The C compiler's flags for every build, and for the two steps of a profile-guided one: counters
# in, then the counts read (a function the sample letters never ran is compiled as without a
# profile, not for size: `-fprofile-partial-training`; its counts missing is no warning).
# Beyond the interpreter's own flags (-O2, with stack protection): -O3; no stack protector (the
# generated C keeps no buffers of its own on the stack, only pointers to Python objects); calls
# into the interpreter not through the procedure linkage table, and the module's own functions
# not made replaceable by another library's (-fno-plt, -fno-semantic-interposition). About 1-2%
# less time a letter on bench_score's letters, within the machine's noise (docs/architecture.md,
# "Compiled engine").
CFLAGS = ["-g0", "-w", "-O3", "-fno-stack-protector", "-fno-plt", "-fno-semantic-interposition"]
PROFILE_GENERATE = ["-fprofile-generate", "-fprofile-update=single"]
PROFILE_USE = ["-fprofile-use", "-fprofile-partial-training", "-Wno-missing-profile"]
# Most seconds the scoring with counters may take (about 10 s on two cores).
TRAIN_TIMEOUT = 600


def engine_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the engine but the packages' __init__ files, by dotted name."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        if path.name == "__init__.py" or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root)
        found[".".join(rel.with_suffix("").parts)] = rel
    return found


def build_key(source: bytes, cython_version: str, guided: bool = False) -> str:
    h = hashlib.sha256(source)
    # (the interpreter's whole version string: one Python 3.11 built another way, with other
    # headers and compiler flags, gets its own builds, though the file names' suffix is the same)
    flags = [CFLAGS, PROFILE_GENERATE, PROFILE_USE] if guided else [CFLAGS]
    h.update(json.dumps([cython_version, DIRECTIVES, EXT_SUFFIX, sys.version, flags], sort_keys=True).encode())
    return h.hexdigest()[:16]


def gcc_compiles() -> bool:
    """Is the C compiler the extensions are built with GCC (whose profile-guided flags these
    are; clang's counts need a tool of its own to be read)?"""
    import sysconfig

    cc = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "").split()
    if not cc:
        return False
    try:
        out = subprocess.run([cc[0], "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    first = out.splitlines()[0].lower() if out else ""
    return "gcc" in first and "clang" not in first


def write_manifest(out: Path, modules: dict[str, dict[str, str]], note: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {"ext_suffix": EXT_SUFFIX, "python": sys.version.split()[0], "note": note, "modules": modules}
    # A file of its own, then renamed: a reader sees the old manifest or the new, whole.
    fd, tmp = tempfile.mkstemp(prefix=MANIFEST + ".", dir=out)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, out / MANIFEST)


def compile_modules(todo: dict[str, Path], out_bin: Path, keys: dict[str, str], jobs: int,
                    guided: bool = False, entries: dict[str, dict[str, str]] | None = None) -> str:
    """Cythonize and compile `todo` (name -> source relative to ROOT) into out_bin; `guided`:
    profile-guided, the counters' run loading the modules as `entries` says (manifest entries:
    those not in `todo` are built in out_bin already). Says how they were built."""
    from Cython.Build import cythonize
    from setuptools import Extension

    work = Path(tempfile.mkdtemp(prefix="vcl-qa-build-", dir=out_bin.parent))
    try:
        here = os.getcwd()
        os.chdir(ROOT)
        try:
            extensions = cythonize(
                [Extension(name, [str(src)]) for name, src in todo.items()],
                build_dir=str(work / "c"), compiler_directives=DIRECTIVES, nthreads=jobs, quiet=True,
                force=True,
            )
            how = "without a profile"
            if guided:
                try:
                    _build(extensions, work, jobs, PROFILE_GENERATE)
                    letters, counted = _train(todo, work, out_bin, entries or {})
                    how = (f"guided by a profile of the engine scoring {letters} sample letters "
                           f"(counts for {counted} of {len(todo)} modules)")
                except Exception as exc:  # noqa: BLE001 (any failure: build as before, and say why)
                    print(f"build_compiled: the profile-guided build failed ({type(exc).__name__}: {exc}); "
                          "compiling without a profile.", file=sys.stderr, flush=True)
                    guided = False
            _build(extensions, work, jobs, PROFILE_USE if guided else [])
        finally:
            os.chdir(here)
        for name in todo:
            built = work / "lib" / (name.replace(".", "/") + EXT_SUFFIX)
            os.replace(built, out_bin / f"{name}-{keys[name]}{EXT_SUFFIX}")
        return how
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build(extensions: list, work: Path, jobs: int, flags: list[str]) -> None:
    """Compile the cythonized extensions into work/lib with these flags added, every one afresh.
    The objects go to the same place each time (work/tmp): a profile-guided build finds each
    object's counts (a .gcda file beside it) where its counters wrote them."""
    from setuptools.dist import Distribution

    for ext in extensions:
        ext.extra_compile_args = CFLAGS + flags
        ext.extra_link_args = list(flags)
    dist = Distribution({"ext_modules": extensions, "script_name": "build_compiled"})
    dist.script_args = ["--quiet", "build_ext", "--build-lib", str(work / "lib"), "--build-temp", str(work / "tmp"),
                        "-j", str(jobs), "--force"]
    dist.parse_command_line()
    dist.run_commands()


def _train(todo: dict[str, Path], work: Path, out_bin: Path, entries: dict[str, dict[str, str]]) -> tuple[int, int]:
    """The engine scores the sample letters in a process of its own, with the builds with
    counters of `todo` and the builds in out_bin of the other modules `entries` names; its
    counts are written as it ends. How many letters, and how many of the modules' objects have
    counts."""
    folder = work / "train"
    (folder / "bin").mkdir(parents=True)
    for name, entry in entries.items():
        if name in todo:
            shutil.copyfile(work / "lib" / (name.replace(".", "/") + EXT_SUFFIX), folder / entry["binary"])
        else:
            (folder / entry["binary"]).symlink_to(out_bin.parent / entry["binary"])
    write_manifest(folder, entries)
    env = {k: v for k, v in os.environ.items() if k != "VCL_QA_PURE_PYTHON"}
    env["VCL_QA_COMPILED"] = str(folder)
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--train"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TRAIN_TIMEOUT)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise RuntimeError(f"scoring the sample letters failed: {last[-300:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["not_built"]:
        raise RuntimeError(f"modules loaded from source, not their builds: {', '.join(report['not_built'])}")
    counted = sum(1 for _ in (work / "tmp").rglob("*.gcda"))
    if not counted:
        raise RuntimeError("the scoring wrote no counts")
    return report["letters"], counted


def train() -> int:
    """`--train`: score every sample letter once (the engine's builds with counters loaded by
    VCL_QA_COMPILED), and print as JSON how many letters, and the modules of the manifest that
    were imported from their source rather than their build (none, unless one was edited)."""
    sys.path.insert(0, str(ROOT))
    from vcl_qa import Letter, _compiled
    from vcl_qa.engine.run import score_letter

    paths = sorted((ROOT / "sample_letters").glob("*.txt"))
    for path in paths:
        score_letter(Letter.from_file(path))
    finder = _compiled.install()
    if finder is None:
        not_built = ["all (no builds were loaded)"]
    else:
        not_built = sorted(m for m in finder.modules if m in sys.modules and m not in finder.used)
    print(json.dumps({"letters": len(paths), "not_built": not_built}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "compiled", help="folder of the builds")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="compilers at once")
    parser.add_argument("--only", action="append", metavar="MODULE",
                        help="build only this module (dotted name; may be given again): for tests")
    parser.add_argument("--no-profile", action="store_true",
                        help="compile once, without scoring the sample letters to guide the compiler "
                             "(quicker to build; the builds are slower)")
    parser.add_argument("--train", action="store_true", help=argparse.SUPPRESS)  # (the counters' run)
    args = parser.parse_args(argv)
    if args.train:
        return train()
    out: Path = args.out if args.out.is_absolute() else Path.cwd() / args.out
    try:
        import Cython  # noqa: F401
        from Cython.Build import cythonize  # noqa: F401
    except ImportError:
        print("build_compiled: Cython is not installed; the engine runs from source.", file=sys.stderr)
        write_manifest(out, {}, note="Cython not installed")
        return 0
    version = Cython.__version__
    modules = engine_modules()
    if args.only:
        unknown = sorted(set(args.only) - set(modules))
        if unknown:
            parser.error(f"not a module of the engine: {', '.join(unknown)}")
        modules = {name: rel for name, rel in modules.items() if name in args.only}
    sources = {name: (ROOT / rel).read_bytes() for name, rel in modules.items()}
    guided = not args.no_profile and gcc_compiles()
    keys = {name: build_key(data, version, guided) for name, data in sources.items()}
    out_bin = out / "bin"
    out_bin.mkdir(parents=True, exist_ok=True)
    entries = {
        name: {"source": rel.as_posix(), "sha256": hashlib.sha256(sources[name]).hexdigest(),
               "binary": f"bin/{name}-{keys[name]}{EXT_SUFFIX}"}
        for name, rel in modules.items()
    }
    todo = {name: rel for name, rel in modules.items() if not (out / entries[name]["binary"]).is_file()}
    if todo:
        steps = ("with counters, then again guided by the counts of the engine scoring the sample letters"
                 if guided else "without a profile")
        print(f"Compiling {len(todo)} of the engine's {len(modules)} modules with Cython {version} "
              f"({args.jobs} at once; about {6 if guided else 3} s a module a core), {steps}...", flush=True)
        started = time.monotonic()
        try:
            how = compile_modules(todo, out_bin, keys, max(1, args.jobs), guided, entries)
        except Exception as exc:  # a missing compiler or headers: say so, run from source
            print(f"build_compiled: compiling failed ({type(exc).__name__}: {exc}); the engine runs from "
                  "source.", file=sys.stderr)
            write_manifest(out, {}, note=f"compiling failed: {exc}")
            return 0
        print(f"Compiled in {time.monotonic() - started:.0f} s, {how}.", flush=True)
    # The hashes are of the bytes compiled (read before compiling): a module edited meanwhile
    # no longer matches, so it runs from source until the next build.
    write_manifest(out, entries)
    keep = {Path(e["binary"]).name for e in entries.values()}
    for old in out_bin.iterdir():
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
