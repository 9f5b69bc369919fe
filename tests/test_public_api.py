"""The public API is what ``cxlens.__all__`` lists; each name exists and errors form one tree."""

import ast
import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import cxlens
from cxlens import errors

# The public API, pinned: a name added to or dropped from ``cxlens.__all__`` is a decision, made here too.
PUBLIC = [
    "KINDS",
    "METRICS",
    "AccessDenied",
    "BadRow",
    "Collection",
    "CollectionPolicy",
    "ConfigError",
    "CxlensError",
    "DemoSummary",
    "EngineError",
    "ExportResult",
    "ImportRejected",
    "ImportResult",
    "InputError",
    "InvalidAnswer",
    "InvalidToken",
    "JourneyFileError",
    "KPIResult",
    "KPIs",
    "Metric",
    "SchemaOutOfDate",
    "SchemaTooNew",
    "SendFailed",
    "Settings",
    "Store",
    "StoreError",
    "TokenExpired",
    "UnknownSurvey",
    "__version__",
    "access",
    "collect",
    "export_parquet",
    "generate_demo",
    "import_file",
    "import_table",
    "import_zendesk",
    "kpi",
    "load_journeys",
    "load_surveys",
    "open_store",
    "predict",
    "read_journey_map",
    "read_zendesk",
    "settings",
    "stats",
    "text",
]
# Libraries that take seconds to import (SciPy alone ~7 s on a loaded 2-core machine): ``import cxlens`` loads none.
HEAVY = {"scipy", "pandas", "pyarrow", "numpy", "sqlalchemy", "alembic", "ibis", "duckdb", "sklearn", "fastapi", "yaml"}

PACKAGES = [
    "cxlens",
    "cxlens.errors",
    "cxlens.store",
    "cxlens.ingest",
    "cxlens.demo",
    "cxlens.web",
    "cxlens.analytics",
    "cxlens.stats",
    "cxlens.text",
    "cxlens.alerts",
    "cxlens.metrics",
    "cxlens.config",
    "cxlens.collect",
    "cxlens.access",
    "cxlens.cli",
]


@pytest.mark.parametrize("module", PACKAGES)
def test_every_name_in_all_exists(module):
    mod = importlib.import_module(module)
    assert isinstance(mod.__all__, list)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert missing == []


def test_top_level_api_names():
    for name in ["open_store", "import_file", "load_journeys", "generate_demo", "import_zendesk", "CxlensError"]:
        assert name in cxlens.__all__


def test_the_public_api_is_this_list():
    assert cxlens.__all__ == PUBLIC


def test_all_is_sorted_as_isort_and_ruff_sort_it():
    """Constants first, then classes, then the rest (RUF022's "isort-style")."""

    def kind(name):
        return 0 if name.isupper() else 1 if name[0].isupper() else 2

    assert cxlens.__all__ == sorted(cxlens.__all__, key=lambda name: (kind(name), name))


def test_every_public_name_resolves_and_dir_lists_it():
    for name in cxlens.__all__:
        assert getattr(cxlens, name) is not None, name
    assert set(cxlens.__all__) <= set(dir(cxlens))
    assert cxlens.text is importlib.import_module("cxlens.text")
    assert cxlens.CxlensError is errors.CxlensError


def test_star_import_gives_the_public_names():
    namespace = {}
    exec("from cxlens import *", namespace)
    assert set(cxlens.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        cxlens.no_such_name  # noqa: B018
    assert not hasattr(cxlens, "no_such_name")


def test_type_checkers_see_the_public_names():
    """The ``if TYPE_CHECKING:`` imports (what py.typed users' checkers read) name every public name."""
    source = Path(cxlens.__file__).read_text(encoding="utf-8")
    block = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    imported = {alias.asname or alias.name for node in block.body for alias in node.names}
    assert imported == set(cxlens.__all__) - {"__version__"}
    assert (Path(cxlens.__file__).parent / "py.typed").is_file()
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["cxlens"]  # wheels carry it


def test_import_cxlens_loads_no_heavy_library():
    code = "import sys, cxlens; print(cxlens.__file__); print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    where, modules = done.stdout.splitlines()
    assert where == cxlens.__file__  # the same checkout as this test process
    assert HEAVY.isdisjoint(modules.split())


def test_every_exception_is_a_cxlens_error():
    classes = [getattr(errors, n) for n in errors.__all__ if isinstance(getattr(errors, n), type)]
    exceptions = [c for c in classes if issubclass(c, BaseException)]
    assert len(exceptions) >= 8
    assert all(issubclass(c, errors.CxlensError) for c in exceptions)


def test_import_rejected_report_is_capped_and_summarised():
    bad = [
        errors.BadRow(row=i + 2, column="score", value=str(i), problem="is outside 0..10", fix="fix it")
        for i in range(50)
    ]
    exc = errors.ImportRejected("f.csv", bad, total_rows=100, shown=5)
    text = str(exc)
    assert "50 of 100 row(s) are invalid" in text
    assert text.count("f.csv, row") == 5
    assert "45 x column 'score': is outside 0..10" in text
