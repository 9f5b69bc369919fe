"""The CLI's tables at 80 columns, on a demo store: no cell cut to "co…", no line wider than the
terminal (measured in terminal cells, as wide scripts take two), and what does not fit named
under the table; ``--wide`` shows every column."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from cxlens.cli import app
from cxlens.demo import generate_demo
from cxlens.demo.alerting import evaluate_demo

runner = CliRunner()

COMMANDS = [
    ["kpi", "nps", "--by", "touchpoint", "--grain", "month", "--compare", "previous"],
    ["kpi", "csat", "--by", "touchpoint,channel", "--grain", "quarter"],
    ["kpi", "churn_rate", "--grain", "month", "--by", "segment"],
    ["journeys", "show"],
    ["alerts", "list"],
    ["cases", "list"],
    ["users", "list"],
    ["surveys", "list"],
    ["invitations", "rates"],
    ["predict", "churn", "--no-save"],
]


@pytest.fixture
def demo_env(mapped_store, store_url, backend, monkeypatch):
    generate_demo(mapped_store, customers=400, responses=3000, seed=5, end=date(2026, 6, 30))
    evaluate_demo(mapped_store)
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("COLUMNS", "80")
    return mapped_store


def _case_id(store) -> int:
    import sqlalchemy as sa

    from cxlens.store.schema import cases

    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.min(cases.c.id))).scalar()


def test_tables_fit_80_columns_without_cutting_a_cell(demo_env):
    for args in [*COMMANDS, ["cases", "show", str(_case_id(demo_env))]]:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        lines = result.output.splitlines()
        assert lines, args
        assert "…" not in result.output, (args, result.output)
        too_wide = [line for line in lines if cell_len(line) > 80]
        assert not too_wide, (args, too_wide)


def test_columns_left_out_are_named_and_wide_shows_them(demo_env):
    args = ["kpi", "nps", "--by", "touchpoint", "--grain", "month", "--compare", "previous"]
    narrow = runner.invoke(app, args).output
    header = next(line for line in narrow.splitlines() if "period" in line)
    assert "value" in header and "low" in header and "high" in header and " n " in header
    assert "Not shown at 80 columns: method, sufficient" in narrow and "--wide" in narrow
    # --wide: every column at its natural width, however long the lines (for less -S or a file).
    wide = runner.invoke(app, [*args, "--wide"]).output
    header = next(line for line in wide.splitlines() if "period" in line)
    assert "Not shown" not in wide and "…" not in wide
    for name in ("method", "sufficient", "change_low", "change_high", "p_value", "significant"):
        assert name in header


def test_a_wide_terminal_shows_every_column(demo_env, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = runner.invoke(app, ["kpi", "nps", "--by", "touchpoint", "--grain", "month", "--compare", "previous"]).output
    assert "Not shown" not in out and "significant" in out and "change_low" in out
