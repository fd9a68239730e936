"""The engine's modules compiled to C by Cython, used only while each is the build of the source
now on disk.

`make` runs scripts/build_compiled.py, which compiles every module of vcl_qa/engine (the code
that scores a letter) and writes var/compiled/manifest.json: for each module, the SHA-256 of the
.py it was built from and the file of its build. `install()` (called first thing by
vcl_qa/__init__.py) puts a finder at the head of the import system that loads a module's build
only if the .py's bytes still hash to that value; a module edited since the build, or missing
from the manifest, is read from its .py as usual. So a stale build can never stand in for the
source, and nothing else changes: the same code runs, about a fifth fewer machine instructions
(docs/architecture.md, "Compiled engine").

VCL_QA_PURE_PYTHON=1 turns the builds off (every module from its .py); VCL_QA_COMPILED names
another folder of builds. Only the standard library is imported here.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = CHECKOUT / "var" / "compiled"
MANIFEST = "manifest.json"
# The builds are for this interpreter only (a build for another Python is never loaded).
EXT_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the build of a module named in the manifest, if built from the source now on disk."""

    def __init__(self, folder: Path, modules: dict[str, dict[str, str]], root: Path = CHECKOUT) -> None:
        self.folder = folder
        self.root = root
        self.modules = modules
        self.used: dict[str, str] = {}
        self.stale: list[str] = []

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001 (the import system's signature)
        entry = self.modules.get(fullname)
        if entry is None:
            return None
        binary = self.folder / entry["binary"]
        try:
            fresh = binary.is_file() and source_hash(self.root / entry["source"]) == entry["sha256"]
        except OSError:
            fresh = False
        if not fresh:
            if fullname not in self.stale:
                self.stale.append(fullname)
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(binary))
        spec = importlib.machinery.ModuleSpec(fullname, loader, origin=str(binary))
        spec.has_location = True
        self.used[fullname] = str(binary)
        return spec


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """The modules a manifest names, or none if it is missing, unreadable or for another Python."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("ext_suffix") != EXT_SUFFIX:
        return {}
    modules = data.get("modules")
    return modules if isinstance(modules, dict) else {}


_finder: CompiledFinder | None = None


def install() -> CompiledFinder | None:
    """Put the finder in place (once), unless VCL_QA_PURE_PYTHON=1 or there is nothing built."""
    global _finder
    if _finder is not None or os.environ.get("VCL_QA_PURE_PYTHON", "").strip() == "1":
        return _finder
    folder = Path(os.environ.get("VCL_QA_COMPILED") or DEFAULT_DIR)
    modules = read_manifest(folder)
    if not modules:
        return None
    _finder = CompiledFinder(folder, modules)
    sys.meta_path.insert(0, _finder)
    return _finder


def status() -> dict[str, object]:
    """What the engine runs: how many modules come from builds, and which were edited since."""
    if _finder is None:
        return {"compiled": 0, "stale": [], "reason": _why_none()}
    return {"compiled": len(_finder.used), "stale": list(_finder.stale), "reason": ""}


def _why_none() -> str:
    if os.environ.get("VCL_QA_PURE_PYTHON", "").strip() == "1":
        return "VCL_QA_PURE_PYTHON=1"
    return "no builds (run make)"


class _CompiledFunctionType(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return type(obj).__name__ == "cython_function_or_method"


class CompiledFunction(metaclass=_CompiledFunctionType):
    """Stands for a function compiled by Cython in isinstance checks: a pydantic model in a
    compiled module lists it in `ignored_types`, so that its methods are not taken for fields."""
