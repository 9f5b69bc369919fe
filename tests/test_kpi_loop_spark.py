"""Close-the-loop KPIs give the same numbers on every engine: the small store of cases of
tests/test_kpi_loop.py on SQLite, its DuckDB mirror, PostgreSQL (when tested) and Spark reading the
Parquet export (of PostgreSQL when tested, as tier 1 → tier 2 runs), each KPI sliced, by month,
compared with the month before."""

from __future__ import annotations

import shutil
import uuid

import pytest
from conftest import BACKENDS, DEMO_JOURNEYS, _pg_admin, _pg_url
from test_kpi_loop import write_cases
from test_spark import TEST_SPARK_CONF, differences

from cxlens import catalog
from cxlens.analytics.engine import local_spark_session
from cxlens.analytics.kpis import kpi
from cxlens.ingest import load_journeys
from cxlens.store import open_store
from cxlens.store.export import export_parquet

pytestmark = pytest.mark.spark

LOOP_KPIS = [n for n, k in catalog.CATALOGUE.items() if k.source == "cases"]
# Every slice kind takes part: the journey map, the case's own columns, the customer, the clock.
QUESTIONS = [
    {},
    {"by": ["team"], "grain": "month", "compare": "previous"},
    {"by": ["touchpoint", "segment"]},
    {"by": ["journey", "stage"], "grain": "month"},
    {"by": ["outcome", "clock"]},
    {"by": ["priority", "source", "root_cause", "plan"], "since": "2026-03-02T12:00:00Z"},
]


@pytest.fixture(scope="module")
def engines(sqlite_template, tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("loop")
    shutil.copy(sqlite_template, folder / "cx.db")
    sqlite = open_store(f"sqlite:///{folder / 'cx.db'}")
    load_journeys(sqlite, DEMO_JOURNEYS)
    write_cases(sqlite)
    found = {"sqlite": kpi(sqlite), "duckdb": kpi(sqlite, tier="duckdb")}
    exported, pg_name = sqlite, None
    if "postgresql" in BACKENDS:
        pg_name = f"cxlens_test_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}" TEMPLATE "{request.getfixturevalue("pg_template")}"')
        postgres = open_store(_pg_url(pg_name))
        load_journeys(postgres, DEMO_JOURNEYS)
        write_cases(postgres)
        found["postgres"] = kpi(postgres)
        exported = postgres
    export_parquet(exported, folder / "parquet")
    found["spark"] = kpi(
        tier="spark", parquet=folder / "parquet", spark=local_spark_session("local[2]", TEST_SPARK_CONF)
    )
    yield found
    for k in found.values():
        k.engine.close()
    sqlite.dispose()
    if pg_name:
        found["postgres"].store.dispose()
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def test_every_close_the_loop_kpi_gives_the_same_numbers_on_every_engine(engines):
    reference = engines["sqlite"]
    problems = []
    for metric in LOOP_KPIS:
        for options in QUESTIONS:
            expected = reference.compute(metric, **options)
            if not options:
                assert expected.rows, f"{metric}: the store of cases gives no rows"
            for name, k in engines.items():
                if name == "sqlite":
                    continue
                try:
                    got = k.compute(metric, **options)
                    problems += [f"{metric} {options} on {name}: {d}" for d in differences(expected, got)[:5]]
                except Exception as exc:  # every engine is tried: one report lists them all
                    problems.append(f"{metric} {options} on {name}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not problems, "\n".join(problems)
    assert set(engines) >= {"sqlite", "duckdb", "spark"}
