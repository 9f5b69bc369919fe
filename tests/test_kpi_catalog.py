"""The KPI catalogue: one list, of which NAMES, SPECS, the special KPIs and METRICS are views."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from cxlens import catalog
from cxlens.analytics import kpis
from cxlens.analytics.specs import Spec
from cxlens.errors import InputError
from cxlens.metrics import METRICS

SRC = Path(__file__).resolve().parents[1] / "src" / "cxlens"


def test_every_kpi_has_an_entry_and_the_lists_are_views_of_it():
    assert kpis.NAMES == catalog.NAMES and len(kpis.NAMES) == 45
    assert set(kpis.SPECS) | set(kpis._SPECIAL) == set(kpis.NAMES)
    assert all(isinstance(catalog.get(n).implementation(), Spec) == (n in kpis.SPECS) for n in kpis.NAMES)
    assert (
        set(METRICS) == {n for n, k in catalog.CATALOGUE.items() if k.target_range is not None}
        and len(METRICS) == 23  # with the median and p90 of the two ticket times
    )
    for name, spec in kpis.SPECS.items():
        assert catalog.get(name).source == spec.source
        assert set(catalog.dimensions(name)) == set(
            kpis.CUSTOMER_DIMENSIONS if spec.source == "customers" else kpis.FACTS[spec.source].dimensions
        )


def test_every_entry_is_complete():
    for entry in catalog.CATALOGUE.values():
        assert entry.label and entry.source in catalog.SOURCE_DIMENSIONS
        if entry.name != "touchpoint_health":  # its rows are each in their own metric
            assert entry.kind in ("interaction", "perception", "outcome")
            assert entry.unit in ("score", "percent", "seconds", "stars", "money", "count")
            assert entry.direction in ("higher", "lower")
        assert entry.base_metric in catalog.CATALOGUE


@pytest.mark.parametrize(
    ("name", "label", "unit", "base"),
    [
        ("nps", "Net Promoter Score", "score", "nps"),
        ("first_response_time", "First response time (mean)", "seconds", "first_response_time"),
        ("first_response_median", "First response time (median)", "seconds", "first_response_time"),
        ("resolution_p90", "Resolution time (p90)", "seconds", "resolution_time"),
        ("first_response_business_p90", "First response time, business hours (p90)", "seconds", "first_response_time"),
        ("handle_time", "Handle time (mean)", "seconds", "handle_time"),
        ("response_count", "Responses", "count", "response_count"),
        ("ticket_volume", "Tickets", "count", "ticket_volume"),
        ("ticket_sentiment", "Ticket sentiment", "score", "ticket_sentiment"),
        ("cohort_retention", "Cohort retention", "percent", "cohort_retention"),
        ("clv", "Customer lifetime value", "money", "clv"),
    ],
)
def test_labels_units_and_base_metrics(name, label, unit, base):
    assert (catalog.label(name), catalog.unit(name), catalog.base_metric(name)) == (label, unit, base)


def test_directions_and_kinds():
    assert catalog.higher_is_better("csat") and not catalog.higher_is_better("first_response_p90")
    assert not catalog.higher_is_better("churn_rate") and catalog.kind("churn_rate") == "outcome"
    assert catalog.higher_is_better("touchpoint_health") is None


def test_an_unknown_kpi_is_an_input_error_listing_the_known_ones():
    with pytest.raises(InputError, match="use one of: nps, csat"):
        catalog.label("happiness")


def test_every_kpi_has_a_shortcut_on_the_facade():
    for name in kpis.NAMES:
        method = getattr(kpis.KPIs, name)
        assert callable(method) and method.__doc__


def test_the_catalogue_and_periods_import_without_the_analytics_stack():
    code = (
        "import sys, cxlens.catalog, cxlens.periods, cxlens.metrics; "
        "heavy = [m for m in ('scipy', 'pandas', 'ibis', 'numpy', 'pyarrow', 'cxlens.analytics') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(SRC.parent)}
    ).stdout.strip()
    # cxlens/__init__ may still import more (that is its own business); these modules add nothing.
    if out != "[]":
        pytest.skip(f"cxlens/__init__ imports {out} eagerly")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names imported) of each import in ``path``, relative ones resolved."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.removesuffix(".__init__")
    else:
        package = package.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            module = (
                ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
                if node.level
                else node.module
            )
            found.append((module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


SCOPE = [
    *sorted((SRC / "analytics").glob("*.py")),
    *sorted((SRC / "catalog").glob("*.py")),
    SRC / "periods.py",
    SRC / "metrics.py",
    SRC / "stats.py",
    SRC / "errors.py",
]


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_private_name_is_imported_across_modules():
    private = [
        (p.name, m, n)
        for p in SCOPE
        for m, names in _imports(p)
        for n in names
        if n.startswith("_") and not n.startswith("__") and m and m.startswith("cxlens")
    ]
    assert private == []


def test_no_import_circles_in_analytics():
    modules = {_module(p) for p in SCOPE}
    graph = {}
    for p in SCOPE:
        edges = set()
        for m, names in _imports(p):
            if not (m and m.startswith("cxlens")):
                continue
            submodules = {f"{m}.{n}" for n in names if f"{m}.{n}" in modules}
            # `from . import stats` imports a module (its package is loaded first, as for any submodule)
            edges |= submodules if submodules and len(submodules) == len(names) else {m}
        graph[_module(p)] = edges
    seen, path = set(), []

    def visit(node):
        assert node not in path, " -> ".join([*path[path.index(node) :], node])
        if node in seen or node not in graph:
            return
        path.append(node)
        for nxt in graph[node]:
            visit(nxt)
        path.pop()
        seen.add(node)

    for node in graph:
        visit(node)


def test_source_modules_stay_small():
    assert {p.name: n for p in SCOPE if (n := len(p.read_text().splitlines())) > 620} == {}


def test_the_catalogue_periods_and_metrics_import_only_the_standard_library_and_errors():
    for path in (SRC / "catalog" / "__init__.py", SRC / "periods.py", SRC / "metrics.py"):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in top:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if isinstance(node, ast.ImportFrom) and node.level:
                    assert name in ("errors", "catalog"), (path.name, name)
                else:
                    assert name.split(".")[0] in sys.stdlib_module_names, (path.name, name)
