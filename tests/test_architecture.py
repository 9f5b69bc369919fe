"""The shape of the code (DESIGN.md §7), read from the source with ``ast``, nothing imported:

* no import circles between modules of ``cxlens`` (imports inside functions count: a circle
  held together by a late import is still one; ``if TYPE_CHECKING:`` imports do not);
* no name starting with ``_`` imported from another module (make it public where it lives);
* no module over 600 lines, except data and migrations.

:data:`KNOWN_VIOLATIONS` would list accepted exceptions; it is empty, and an entry that no
longer occurs fails the test, so the list can only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[1] / "src"
MAX_LINES = 600
# Data and migrations may be long: they are not read as code.
LONG_ALLOWED = ("cxlens/store/migrations/",)

KNOWN_VIOLATIONS: set[str] = set()


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its __init__)."""
    found = {}
    for path in sorted((SRC / "cxlens").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def imports(name: str) -> list[tuple[str, str | None]]:
    """(module imported, name imported from it or None) for each import in module ``name``."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    here = name.split(".") if _is_package(name) else name.split(".")[:-1]
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                out.append((base, alias.name))
    return [(module, what) for module, what in out if module == "cxlens" or module.startswith("cxlens.")]


def graph() -> dict[str, set[str]]:
    """Module -> the modules it imports (``from pkg import mod`` imports the module ``pkg.mod``)."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for module, what in imports(name):
            target = f"{module}.{what}" if what and f"{module}.{what}" in MODULES else module
            if target in MODULES and target != name:
                edges[name].add(target)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def circle_violations() -> set[str]:
    return {"circle: " + ", ".join(c) for c in circles(graph())}


def private_violations() -> set[str]:
    found = set()
    for name in MODULES:
        for module, what in imports(name):
            private = what is not None and what.startswith("_") and not what.startswith("__")
            if private and module != name and f"{module}.{what}" not in MODULES:
                found.add(f"private: {name} imports {module}.{what}")
    return found


def long_violations() -> set[str]:
    found = set()
    for path in MODULES.values():
        relative = path.relative_to(SRC).as_posix()
        if not relative.startswith(LONG_ALLOWED) and len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES:
            found.add(f"long: {relative}")
    return found


def _check(found: set[str], kind: str) -> None:
    known = {v for v in KNOWN_VIOLATIONS if v.startswith(kind)}
    new, fixed = sorted(found - known), sorted(known - found)
    assert not new, "new violations of DESIGN.md §7:\n  " + "\n  ".join(new)
    assert not fixed, "fixed (remove them from KNOWN_VIOLATIONS):\n  " + "\n  ".join(fixed)


def test_no_import_circles():
    _check(circle_violations(), "circle: ")


def test_no_private_name_is_imported_from_another_module():
    _check(private_violations(), "private: ")


def test_no_module_is_over_600_lines_except_data_and_migrations():
    _check(long_violations(), "long: ")


def test_the_walker_finds_a_circle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(edges) == [["a", "b", "c"]]


# DESIGN.md §3: data flows one way. A module may import its own layer and the ones below it.
# Top-level modules (errors, config, catalog, periods, metrics, stats) are shared by every layer.
LAYERS = {
    "store": 0,
    "access": 1,
    "ingest": 1,
    "collect": 1,
    "demo": 1,
    "analytics": 2,
    "text": 2,
    "predict": 2,
    "alerts": 3,
    "web": 4,
    "cli": 4,
}
# The demo builds a whole company, so it may use any layer below the surfaces.
LAYER_EXCEPTIONS = {("demo", "analytics"), ("demo", "text"), ("demo", "alerts")}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_no_layer_imports_a_layer_above_it():
    upward = set()
    for name, targets in graph().items():
        here = _layer(name)
        for target in targets:
            there = _layer(target)
            if here and there and LAYERS[there] > LAYERS[here] and (here, there) not in LAYER_EXCEPTIONS:
                upward.add(f"layer: {name} imports {target}")
    _check(upward, "layer: ")
