"""`cxlens export --parquet`: every table, in the schema's types, streamed in batches."""

import json
import math
import subprocess
import sys
from datetime import date, datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from conftest import count
from typer.testing import CliRunner

from cxlens.cli import app
from cxlens.demo import generate_demo
from cxlens.errors import InputError
from cxlens.store import schema as s
from cxlens.store.export import MANIFEST, arrow_schema, export_parquet

END = date(2026, 6, 30)


@pytest.fixture
def demo(store):
    generate_demo(store, customers=60, responses=400, seed=3, end=END)
    return store


def stored_rows(store, name):
    """The table as the store hands it back through SQLAlchemy's types (aware UTC times, JSON decoded)."""
    table = s.TABLES[name]
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table).order_by(table.c.id)).mappings()]


def exported_rows(path, name):
    rows = pq.read_table(path / f"{name}.parquet").to_pylist()
    for row in rows:
        for column in s.TABLES[name].c:
            if isinstance(column.type, sa.JSON) and row.get(column.name) is not None:
                row[column.name] = json.loads(row[column.name])
    return rows


def test_every_table_is_written_with_the_schemas_types(demo, tmp_path):
    result = export_parquet(demo, tmp_path / "out")
    assert set(result.rows) == set(s.TABLES)
    for name, table in s.TABLES.items():
        written = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert written.schema.remove_metadata() == arrow_schema(table), name
        assert written.num_rows == result.rows[name] == count(demo, name), name
    responses = pq.read_schema(tmp_path / "out" / "responses.parquet")
    assert responses.field("submitted_at").type == pa.timestamp("us", tz="UTC")
    assert responses.field("score").type == pa.int16() and responses.field("id").type == pa.int64()
    assert pq.read_schema(tmp_path / "out" / "tickets.parquet").field("handle_seconds").type == pa.float64()


@pytest.mark.parametrize("name", ["customers", "surveys", "responses", "tickets", "revenue"])
def test_values_equal_what_the_store_holds(demo, tmp_path, name):
    export_parquet(demo, tmp_path, tables=[name])
    assert exported_rows(tmp_path, name) == stored_rows(demo, name)


def test_times_keep_microseconds_and_utc(store, tmp_path):
    at = datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone.utc)  # the night Europe changes its clocks
    with store.begin() as conn:
        conn.execute(
            s.customers.insert(),
            [
                {"external_id": "c1", "signed_up_at": at, "attributes": {"tier": "gold", "n": [1, 2]}},
                {"external_id": "c2", "signed_up_at": None, "attributes": None},
            ],
        )
    export_parquet(store, tmp_path, tables=["customers"])
    rows = exported_rows(tmp_path, "customers")
    assert rows[0]["signed_up_at"] == at and rows[0]["signed_up_at"].utcoffset().total_seconds() == 0
    assert rows[0]["attributes"] == {"tier": "gold", "n": [1, 2]}
    assert rows[1]["signed_up_at"] is None and rows[1]["attributes"] is None


def test_a_table_is_streamed_in_batches_with_progress(demo, tmp_path):
    calls = []
    result = export_parquet(demo, tmp_path, tables=["responses"], batch_rows=64, progress=lambda *a: calls.append(a))
    total = count(demo, "responses")
    assert result.rows == {"responses": total}
    # One row group per batch: no more than one batch of rows was ever held.
    assert pq.ParquetFile(tmp_path / "responses.parquet").metadata.num_row_groups == math.ceil(total / 64)
    done = [d for name, d, t in calls]
    assert calls[0] == ("responses", 0, total) and calls[-1] == ("responses", total, total)
    assert done == sorted(done) and len(calls) == math.ceil(total / 64) + 1


def test_secrets_are_left_out(store, tmp_path):
    with store.begin() as conn:
        conn.execute(s.users.insert(), {"email": "ann@example.com", "role": "admin", "password_hash": "scrypt$secret"})
    export_parquet(store, tmp_path, tables=["users", "api_keys"])
    users = pq.read_table(tmp_path / "users.parquet")
    assert "password_hash" not in users.column_names and users.column("email").to_pylist() == ["ann@example.com"]
    assert users.column("disabled").to_pylist() == [False]  # SQLite's 0 is a boolean again
    assert "key_hash" not in pq.read_schema(tmp_path / "api_keys.parquet").names
    assert b"scrypt$secret" not in (tmp_path / "users.parquet").read_bytes()


def test_export_again_replaces_tables_and_updates_the_manifest(demo, tmp_path):
    tmp_path = tmp_path / "out"
    export_parquet(demo, tmp_path, tables=["customers", "tickets"])
    with demo.begin() as conn:
        conn.execute(s.customers.insert(), {"external_id": "late-comer"})
    export_parquet(demo, tmp_path, tables=["customers"])
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["tables"] == {"customers": count(demo, "customers"), "tickets": count(demo, "tickets")}
    assert manifest["schema_revision"] == demo.current_revision()
    assert pq.read_table(tmp_path / "customers.parquet").num_rows == count(demo, "customers")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        MANIFEST,
        "customers.parquet",
        "tickets.parquet",
    ]  # no partial files


def test_bad_requests_are_explained(store, tmp_path):
    with pytest.raises(InputError, match="'happiness': not a store table"):
        export_parquet(store, tmp_path, tables=["happiness"])
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    with pytest.raises(InputError, match="is a file; give a directory"):
        export_parquet(store, afile)
    with pytest.raises(InputError, match="positive number of rows"):
        export_parquet(store, tmp_path, batch_rows=0)


def test_cli_export(store_url, demo, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    result = CliRunner().invoke(
        app, ["export", "--parquet", str(tmp_path / "pq"), "--table", "responses", "--table", "tickets"]
    )
    assert result.exit_code == 0, result.output
    assert f"Exported 2 tables ({count(demo, 'responses') + count(demo, 'tickets'):,} rows)" in result.output
    assert (tmp_path / "pq" / "responses.parquet").exists() and not (tmp_path / "pq" / "customers.parquet").exists()


def test_cli_export_error_is_one_line(store_url, store, tmp_path):
    import os

    code = "from cxlens.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "export", "--parquet", str(tmp_path), "--table", "nope"],
        capture_output=True,
        text=True,
        env={**os.environ, "CXLENS_DATABASE_URL": store_url, "COLUMNS": "200"},
    )
    assert done.returncode == 1 and "'nope': not a store table" in done.stderr and "Traceback" not in done.stderr


def test_a_column_null_in_the_first_batch_keeps_its_type(store, tmp_path):
    with store.begin() as conn:
        conn.execute(
            s.customers.insert(),
            [
                {
                    "external_id": f"c{i}",
                    "attributes": None if i < 3 else {"vip": True},
                    "acquisition_cost": None if i < 3 else 12.5,
                }
                for i in range(5)
            ],
        )
    export_parquet(store, tmp_path, tables=["customers"], batch_rows=2)
    rows = exported_rows(tmp_path, "customers")
    assert [r["attributes"] for r in rows] == [None, None, None, {"vip": True}, {"vip": True}]
    assert [r["acquisition_cost"] for r in rows] == [None, None, None, 12.5, 12.5]


def test_a_value_too_big_for_its_column_is_named(store, tmp_path):
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL refuses such a value when it is written")
    generate_demo(store, customers=20, responses=30, seed=1, end=END)
    with store.begin() as conn:
        conn.exec_driver_sql("UPDATE responses SET score = 70000 WHERE id = 7")
    with pytest.raises(InputError, match=r"table responses, row 7, column 'score': 70000 is not a int16"):
        export_parquet(store, tmp_path, tables=["responses"])
    assert not [p.name for p in tmp_path.iterdir() if "parquet" in p.name]  # no half-written file is left


def test_a_manifest_of_another_schema_is_started_afresh(store, tmp_path):
    (tmp_path / MANIFEST).write_text(json.dumps({"schema_revision": "0001", "tables": {"customers": 5}}))
    export_parquet(store, tmp_path, tables=["tickets"])
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["tables"] == {"tickets": 0} and manifest["schema_revision"] == store.current_revision()
    (tmp_path / MANIFEST).write_text("{not json")
    export_parquet(store, tmp_path, tables=["tickets"])
    assert json.loads((tmp_path / MANIFEST).read_text())["tables"] == {"tickets": 0}


def test_binary_columns_stay_bytes(store, tmp_path):
    blob = bytes(range(256)) * 3
    with store.begin() as conn:
        conn.execute(
            s.text_models.insert(),
            {
                "kind": "sentiment",
                "created_at": datetime(2026, 1, 1, tzinfo=timezone.utc),
                "n_texts": 1,
                "metrics": None,
                "data": blob,
            },
        )
    export_parquet(store, tmp_path, tables=["text_models"])
    table = pq.read_table(tmp_path / "text_models.parquet")
    assert table.schema.field("data").type == pa.large_binary() and table.column("data").to_pylist() == [blob]
