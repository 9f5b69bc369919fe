"""The CLI is thin: it calls the library and turns errors into plain words and exit codes."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import DEMO_JOURNEYS, count
from typer.testing import CliRunner

import cxlens
from cxlens.cli import app
from cxlens.cli.testing import run

runner = CliRunner()
# What `cxlens --help` must not load: each takes from a tenth of a second to seconds to import.
HEAVY = {"scipy", "pandas", "pyarrow", "numpy", "sqlalchemy", "alembic", "ibis", "duckdb", "sklearn", "fastapi", "yaml"}


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
    assert "first_response_time (median) 2m" in shown.output
    assert "csat 85%" in shown.output


def test_import_prints_a_summary(env, store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name\nc1,Ann\nc2,Bob\n")
    result = runner.invoke(app, ["import", "customers", str(path), "--map", "external_id=id"])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 0 unchanged" in result.output
    assert count(store, "customers") == 2


def _entry_point() -> str:
    """The code the installed ``cxlens`` script runs (pyproject.toml's entry point)."""
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    module, function = pyproject["project"]["scripts"]["cxlens"].split(":")
    return f"from {module} import {function}; {function}()"


def _cxlens_process(*args, env_url=None):
    """Run the entry point in a new process, as a user would (errors are caught by main())."""
    env = {**os.environ, "COLUMNS": "200"} | ({"CXLENS_DATABASE_URL": env_url} if env_url else {})
    return subprocess.run([sys.executable, "-c", _entry_point(), *args], capture_output=True, text=True, env=env)


def _cxlens(*args, env_url):
    """The same in this process (no new interpreter per call): exit status, stdout and stderr alike."""
    return run(*args, env={"CXLENS_DATABASE_URL": env_url, "COLUMNS": "200"})


def test_help_loads_no_heavy_library_and_runs_this_checkout():
    # After the help is printed (main() exits), say which cxlens ran and which top-level modules were loaded.
    probe = (
        f"import sys\ntry:\n    {_entry_point()}\nfinally:\n    import cxlens\n"
        "    print(cxlens.__file__, *sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "Usage: " in result.stdout and "journeys" in result.stdout
    where, *modules = result.stderr.split()
    assert where == cxlens.__file__  # subprocesses run the code under test (PYTHONPATH), not another install
    assert HEAVY.isdisjoint(modules)


def test_bad_file_exits_1_with_the_reasons(env, store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,email\nc1,not-an-email\n")
    result = _cxlens_process("import", "customers", str(path), env_url=env)
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
    rows = list(
        csvlib.DictReader(io.StringIO(runner.invoke(app, ["kpi", "csat", "--by", "segment", "--format", "csv"]).output))
    )
    assert rows and {"segment", "value", "low", "high", "n"} <= set(rows[0])
    assert sum(int(r["n"]) for r in rows) == count_where(store, "metric = 'csat'")
    data = json.loads(runner.invoke(app, ["kpi", "ces", "--grain", "year", "--format", "json"]).output)
    assert all("period" in r for r in data)


def count_where(store, condition):
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return conn.execute(
            sa.text(f"SELECT count(*) FROM responses WHERE score IS NOT NULL AND {condition}")
        ).scalar_one()


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


def test_the_readme_command_line_section_names_real_commands_and_options():
    """Every command and option in the README's "The command line" block exists (the docs stay true)."""
    import re

    import typer.main

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## The command line\n+```sh\n(.*?)```", readme, re.S).group(1)
    lines: list[str] = []
    for line in block.splitlines():  # an indented line goes on with the command above it
        line = line.split("  #")[0]
        if line.startswith(" ") and lines:
            lines[-1] += " " + line.strip()
        elif line.startswith("cxlens "):
            lines.append(line.removeprefix("cxlens "))
    root = typer.main.get_command(app)
    checked = 0
    for line in lines:
        for usage in line.split(" | "):  # "users list | users password EMAIL"
            words = usage.split()
            command = root
            while words and words[0] in getattr(command, "commands", {}):
                command = command.commands[words.pop(0)]
            assert command is not root and not hasattr(command, "commands"), usage
            options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
            shown = set(re.findall(r"--[a-z][a-z-]*", " ".join(words)))
            assert shown <= options, (usage, shown - options)
            checked += 1
    assert checked >= 20
