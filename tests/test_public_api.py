"""The public API is what ``cxlens.__all__`` lists; each name exists and errors form one tree."""

import importlib

import pytest

import cxlens
from cxlens import errors

PACKAGES = ["cxlens", "cxlens.errors", "cxlens.store", "cxlens.ingest", "cxlens.demo", "cxlens.web",
            "cxlens.analytics", "cxlens.stats", "cxlens.text", "cxlens.alerts", "cxlens.metrics", "cxlens.config"]


@pytest.mark.parametrize("module", PACKAGES)
def test_every_name_in_all_exists(module):
    mod = importlib.import_module(module)
    assert isinstance(mod.__all__, list)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert missing == []


def test_top_level_api_names():
    for name in ["open_store", "import_file", "load_journeys", "generate_demo", "import_zendesk", "CxlensError"]:
        assert name in cxlens.__all__


def test_every_exception_is_a_cxlens_error():
    classes = [getattr(errors, n) for n in errors.__all__ if isinstance(getattr(errors, n), type)]
    exceptions = [c for c in classes if issubclass(c, BaseException)]
    assert len(exceptions) >= 8
    assert all(issubclass(c, errors.CxlensError) for c in exceptions)


def test_import_rejected_report_is_capped_and_summarised():
    bad = [errors.BadRow(row=i + 2, column="score", value=str(i), problem="is outside 0..10", fix="fix it") for i in range(50)]
    exc = errors.ImportRejected("f.csv", bad, total_rows=100, shown=5)
    text = str(exc)
    assert "50 of 100 row(s) are invalid" in text
    assert text.count("f.csv, row") == 5
    assert "45 x column 'score': is outside 0..10" in text
