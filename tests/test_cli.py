"""The CLI is thin: it calls the library and turns errors into plain words and exit codes."""

import subprocess
import sys

import pytest
from conftest import DEMO_JOURNEYS, count
from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()


@pytest.fixture
def env(store_url, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    return store_url


def test_journeys_load_and_show(env, store):
    result = runner.invoke(app, ["journeys", "load", str(DEMO_JOURNEYS)])
    assert result.exit_code == 0, result.output
    assert "15 touchpoint(s)" in result.output
    shown = runner.invoke(app, ["journeys", "show"])
    assert shown.exit_code == 0
    assert "Support chat (support-chat)" in shown.output
    assert "first_response_time 2m" in shown.output
    assert "csat 85%" in shown.output


def test_import_prints_a_summary(env, store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name\nc1,Ann\nc2,Bob\n")
    result = runner.invoke(app, ["import", "customers", str(path), "--map", "external_id=id"])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 0 unchanged" in result.output
    assert count(store, "customers") == 2


def _cxlens(*args, env_url):
    """Run the installed entry point, as a user would (errors are caught by main())."""
    import os

    code = "from cxlens.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, "CXLENS_DATABASE_URL": env_url, "COLUMNS": "200"})


def test_bad_file_exits_1_with_the_reasons(env, store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,email\nc1,not-an-email\n")
    result = _cxlens("import", "customers", str(path), env_url=env)
    assert result.returncode == 1
    assert "row 2, column 'email': 'not-an-email' is not an e-mail address" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(store, "customers") == 0


def test_bad_map_option_is_explained(env, store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id\nc1\n")
    result = _cxlens("import", "customers", str(path), "--map", "nonsense", env_url=env)
    assert result.returncode == 1
    assert "write it as FIELD=COLUMN" in result.stderr


def test_db_upgrade_and_current(env, store):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 0
    assert store.head_revision() in result.output


def test_demo_without_serving(env, store):
    result = runner.invoke(app, ["demo", "--customers", "50", "--responses", "200", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "200 responses" in result.output
    assert count(store, "responses") == 200


def test_kpi_prints_a_table_csv_and_json(env, store):
    import csv as csvlib
    import io
    import json

    runner.invoke(app, ["demo", "--customers", "60", "--responses", "600", "--no-serve"])
    table = runner.invoke(app, ["kpi", "nps", "--by", "journey"])
    assert table.exit_code == 0, table.output
    assert "adjusted-wald" in table.output
    rows = list(csvlib.DictReader(io.StringIO(runner.invoke(app, ["kpi", "csat", "--by", "segment", "--format", "csv"]).output)))
    assert rows and {"segment", "value", "low", "high", "n"} <= set(rows[0])
    assert sum(int(r["n"]) for r in rows) == count_where(store, "metric = 'csat'")
    data = json.loads(runner.invoke(app, ["kpi", "ces", "--grain", "year", "--format", "json"]).output)
    assert all("period" in r for r in data)


def count_where(store, condition):
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM responses WHERE score IS NOT NULL AND {condition}")).scalar_one()


def test_kpi_bad_option_exits_1(env, store):
    result = _cxlens("kpi", "nps", "--by", "colour", env_url=env)
    assert result.returncode == 1 and "cannot slice by colour" in result.stderr


def test_demo_again_keeps_the_data_unless_reset(env, store):
    runner.invoke(app, ["demo", "--customers", "50", "--responses", "200", "--no-serve"])
    again = runner.invoke(app, ["demo", "--customers", "80", "--responses", "300", "--no-serve"])
    assert again.exit_code == 0 and "--reset" in again.output
    assert count(store, "responses") == 200
    reset = runner.invoke(app, ["demo", "--customers", "80", "--responses", "300", "--no-serve", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert count(store, "responses") == 300 and count(store, "customers") == 80
