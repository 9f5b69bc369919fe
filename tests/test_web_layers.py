"""web/ stays thin (DESIGN.md §3, §7): it runs no SQL of its own, imports no private name from
another module, and no module of it grows past ~600 lines; the modules it reads and writes
through (store/reads.py, collect/events.py) pin their public names."""

import ast
import importlib
from pathlib import Path

import pytest

import cxlens

SRC = Path(cxlens.__file__).parent
WEB = sorted((SRC / "web").rglob("*.py"))


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            yield node.module or "", [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            yield from ((a.name, []) for a in node.names)


@pytest.mark.parametrize("path", WEB, ids=lambda p: str(p.relative_to(SRC)))
def test_web_imports_no_private_name(path):
    private = [
        f"{module}.{name}"
        for module, names in _imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


@pytest.mark.parametrize("path", WEB, ids=lambda p: str(p.relative_to(SRC)))
def test_web_runs_no_sql_of_its_own(path):
    sql = [
        module
        for module, names in _imports(path)
        if module.split(".")[0] == "sqlalchemy" or module.endswith("schema") or "schema" in names
    ]
    assert sql == []


@pytest.mark.parametrize("path", WEB, ids=lambda p: str(p.relative_to(SRC)))
def test_web_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 600


@pytest.mark.parametrize(
    "module", ["cxlens.store.reads", "cxlens.collect.events", "cxlens.web.deps", "cxlens.web.dashboard"]
)
def test_public_names_are_listed_and_exist(module):
    mod = importlib.import_module(module)
    assert mod.__all__ == sorted(mod.__all__, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    assert [n for n in mod.__all__ if not hasattr(mod, n)] == []
