"""Compile the engine's modules (vcl_qa/engine, the code that scores a letter) to C with Cython.

    .venv/bin/python scripts/build_compiled.py [--out var/compiled] [--jobs 2]

`make` runs it; vcl_qa/_compiled.py loads a build only while the module's .py still hashes to
the value in var/compiled/manifest.json, so an edited module simply runs from its source until
the next `make`. The code is unchanged: Cython compiles ordinary Python (no type declarations),
and the same tests run on the builds (`make test`) as on the source (VCL_QA_PURE_PYTHON=1).

Builds are kept by content: bin/<module>-<key>.so, where the key hashes the source, the Cython
version, the compiler directives and the interpreter. Only modules whose key has no build are
compiled again, a build file is never written over (a running server may have it open), and the
manifest is replaced in one step at the end. Builds no manifest names are removed.

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


def engine_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the engine but the packages' __init__ files, by dotted name."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        if path.name == "__init__.py" or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root)
        found[".".join(rel.with_suffix("").parts)] = rel
    return found


def build_key(source: bytes, cython_version: str) -> str:
    h = hashlib.sha256(source)
    # (the interpreter's whole version string: one Python 3.11 built another way, with other
    # headers and compiler flags, gets its own builds, though the file names' suffix is the same)
    h.update(json.dumps([cython_version, DIRECTIVES, EXT_SUFFIX, sys.version], sort_keys=True).encode())
    return h.hexdigest()[:16]


def write_manifest(out: Path, modules: dict[str, dict[str, str]], note: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {"ext_suffix": EXT_SUFFIX, "python": sys.version.split()[0], "note": note, "modules": modules}
    # A file of its own, then renamed: a reader sees the old manifest or the new, whole.
    fd, tmp = tempfile.mkstemp(prefix=MANIFEST + ".", dir=out)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, out / MANIFEST)


def compile_modules(todo: dict[str, Path], out_bin: Path, keys: dict[str, str], jobs: int) -> None:
    """Cythonize and compile `todo` (name -> source relative to ROOT) into out_bin."""
    from Cython.Build import cythonize
    from setuptools import Extension
    from setuptools.dist import Distribution

    work = Path(tempfile.mkdtemp(prefix="vcl-qa-build-", dir=out_bin.parent))
    try:
        here = os.getcwd()
        os.chdir(ROOT)
        try:
            extensions = cythonize(
                [Extension(name, [str(src)], extra_compile_args=["-g0", "-w"]) for name, src in todo.items()],
                build_dir=str(work / "c"), compiler_directives=DIRECTIVES, nthreads=jobs, quiet=True,
                force=True,
            )
            dist = Distribution({"ext_modules": extensions, "script_name": "build_compiled"})
            dist.script_args = ["--quiet", "build_ext", "--build-lib", str(work / "lib"), "--build-temp", str(work / "tmp"),
                                "-j", str(jobs)]
            dist.parse_command_line()
            dist.run_commands()
        finally:
            os.chdir(here)
        for name in todo:
            built = work / "lib" / (name.replace(".", "/") + EXT_SUFFIX)
            os.replace(built, out_bin / f"{name}-{keys[name]}{EXT_SUFFIX}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "compiled", help="folder of the builds")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="compilers at once")
    parser.add_argument("--only", action="append", metavar="MODULE",
                        help="build only this module (dotted name; may be given again): for tests")
    args = parser.parse_args(argv)
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
    keys = {name: build_key(data, version) for name, data in sources.items()}
    out_bin = out / "bin"
    out_bin.mkdir(parents=True, exist_ok=True)
    todo = {name: rel for name, rel in modules.items()
            if not (out_bin / f"{name}-{keys[name]}{EXT_SUFFIX}").is_file()}
    if todo:
        print(f"Compiling {len(todo)} of the engine's {len(modules)} modules with Cython {version} "
              f"({args.jobs} at once; about 3 s a module a core)...", flush=True)
        started = time.monotonic()
        try:
            compile_modules(todo, out_bin, keys, max(1, args.jobs))
        except Exception as exc:  # a missing compiler or headers: say so, run from source
            print(f"build_compiled: compiling failed ({type(exc).__name__}: {exc}); the engine runs from "
                  "source.", file=sys.stderr)
            write_manifest(out, {}, note=f"compiling failed: {exc}")
            return 0
        print(f"Compiled in {time.monotonic() - started:.0f} s.", flush=True)
    entries = {
        name: {"source": rel.as_posix(), "sha256": hashlib.sha256(sources[name]).hexdigest(),
               "binary": f"bin/{name}-{keys[name]}{EXT_SUFFIX}"}
        for name, rel in modules.items()
    }
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
