"""The house rules of the layout (docs/architecture.md), checked on the source itself:
stores only store, pages never import route modules, nothing is loaded by a dotted string,
and every package ships in the wheel."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORES = [ROOT / "vcl_qa" / "letters" / "store.py", ROOT / "vcl_qa" / "decisions" / "store.py",
          *sorted((ROOT / "vcl_qa" / "db").glob("*.py"))]


def runtime_imports(path: Path) -> list[str]:
    """Modules a file imports when it runs (imports under `if TYPE_CHECKING:` do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            out += [base] + [f"{base}.{a.name}" if node.module else base + a.name for a in node.names]
    return out


def test_the_stores_never_import_the_engine():
    bad = {p.name: [m for m in runtime_imports(p) if "engine" in m] for p in STORES}
    assert {k: v for k, v in bad.items() if v} == {}


def test_pages_never_import_route_modules():
    bad = {p.name: [m for m in runtime_imports(p) if "routes" in m]
           for p in sorted((ROOT / "api" / "web").glob("*.py"))}
    assert {k: v for k, v in bad.items() if v} == {}


def test_no_module_is_loaded_by_a_dotted_string():
    found = []
    for path in [*(ROOT / "vcl_qa").rglob("*.py"), *(ROOT / "api").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if "import_module(" in text or "__import__(" in text:
            found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_every_package_is_in_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for top in ("vcl_qa", "api") for p in (ROOT / top).rglob("__init__.py")}
    assert found - listed == set()
