"""Imports: every kind from CSV, JSON Lines and Parquet; bad input; idempotency; --update."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from conftest import count

from cxlens.errors import ImportRejected, InputError
from cxlens.ingest import import_file

CUSTOMERS = [
    {
        "external_id": "c1",
        "name": "Ann O'Brien",
        "email": "ann@example.com",
        "locale": "en",
        "segment": "smb",
        "signed_up_at": "2024-01-05T10:00:00+02:00",
        "acquisition_cost": "120.5",
        "favourite_trail": "Kungsleden",
    },
    {
        "external_id": "c2",
        "name": "Быстров Пётр",
        "email": "petr@example.ru",
        "locale": "ru",
        "segment": "enterprise",
        "signed_up_at": "2024-02-01",
        "churned_at": "2024-09-01T00:00:00Z",
        "churn_reason": "poor support",
    },
    {
        "external_id": "c3",
        "name": "王芳",
        "locale": "zh",
        "timezone": "Asia/Shanghai",
        "signed_up_at": "2024-03-01 08:30:00",
    },
]

ROWS = {
    "customers": CUSTOMERS,
    "events": [
        {
            "external_id": "e1",
            "customer": "c1",
            "touchpoint": "checkout",
            "occurred_at": "2024-01-05T10:05:00Z",
            "channel": "web",
            "order_value": "89",
        },
        {"customer": "c2", "touchpoint": "delivery", "occurred_at": "2024-02-03T09:00:00Z"},
    ],
    "responses": [
        {
            "external_id": "r1",
            "survey": "relationship-nps",
            "customer": "c1",
            "submitted_at": "2024-03-01T12:00:00Z",
            "score": "9",
            "comment": "Great gear",
            "language": "en",
        },
        {
            "external_id": "r2",
            "survey": "support-csat",
            "customer": "c2",
            "touchpoint": "support-email",
            "submitted_at": "2024-03-02T12:00:00Z",
            "score": "2",
            "comment": "Ждал ответа неделю",
        },
        {
            "external_id": "r3",
            "metric": "ces",
            "scale": "1-5",
            "customer": "c3",
            "submitted_at": "2024-03-03T12:00:00Z",
            "score": "5",
        },
        {
            "external_id": "r4",
            "metric": "text",
            "submitted_at": "2024-03-04T12:00:00Z",
            "comment": "<script>alert(1)</script>",
        },
    ],
    "tickets": [
        {
            "external_id": "T-1",
            "customer": "c1",
            "touchpoint": "support-chat",
            "channel": "chat",
            "team": "support",
            "agent": "Maya",
            "created_at": "2024-03-01T10:00:00Z",
            "first_response_at": "2024-03-01T10:02:00Z",
            "solved_at": "2024-03-01T11:00:00Z",
            "reopens": "0",
            "replies": "2",
            "handle_seconds": "600",
            "subject": "Login",
            "text": "I cannot log in",
            "tags": "login,urgent",
        },
        {"external_id": "T-2", "customer": "c2", "channel": "email", "created_at": "2024-03-02T10:00:00Z"},
    ],
    "mentions": [
        {
            "source": "trustpilot",
            "kind": "review",
            "rating": "4",
            "text": "Solid boots",
            "author": "hiker_1",
            "posted_at": "2024-04-01T00:00:00Z",
            "url": "https://r.example/1",
        },
        {
            "external_id": "m2",
            "source": "x",
            "kind": "social",
            "text": "@northwind where is my parcel?",
            "posted_at": "2024-04-02T00:00:00Z",
        },
    ],
    "revenue": [
        {
            "external_id": "p1",
            "customer": "c1",
            "occurred_at": "2024-01-05T10:05:00Z",
            "amount": "89.90",
            "currency": "eur",
        },
        {"customer": "c2", "occurred_at": "2024-02-01T00:00:00Z", "amount": "-10", "currency": "USD"},
    ],
    "feature_requests": [
        {"external_id": "f1", "text": "Please add dark mode", "customer": "c1", "votes": "3"},
        {"text": "Offline maps in the app", "status": "planned"},
    ],
}
TABLE = {"feature_requests": "feature_requests", "revenue": "revenue"}


def write(path: Path, rows: list[dict], fmt: str) -> Path:
    path = path.with_suffix({"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}[fmt])
    columns = list(dict.fromkeys(k for r in rows for k in r))
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, columns)
            w.writeheader()
            w.writerows(rows)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns}), path)
    return path


def load_customers(store, tmp_path):
    return import_file(store, "customers", write(tmp_path / "customers", CUSTOMERS, "csv"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("kind", list(ROWS))
def test_each_kind_from_each_format(mapped_store, tmp_path, kind, fmt):
    if kind != "customers":
        load_customers(mapped_store, tmp_path)
    before = count(mapped_store, kind)
    result = import_file(mapped_store, kind, write(tmp_path / kind, ROWS[kind], fmt))
    assert (result.inserted, result.updated, result.rejected) == (len(ROWS[kind]), 0, 0)
    assert count(mapped_store, kind) == before + len(ROWS[kind])
    again = import_file(mapped_store, kind, write(tmp_path / kind, ROWS[kind], fmt))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(ROWS[kind]))
    assert count(mapped_store, kind) == before + len(ROWS[kind])


def test_typed_parquet_columns_are_accepted(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    path = tmp_path / "r.parquet"
    pq.write_table(
        pa.table(
            {
                "external_id": ["p1", "p2"],
                "survey": ["relationship-nps", "relationship-nps"],
                "submitted_at": pa.array(
                    [datetime(2024, 5, 1, 12, tzinfo=timezone.utc)] * 2, pa.timestamp("ms", tz="UTC")
                ),
                "score": pa.array([10, 0], pa.int8()),
            }
        ),
        path,
    )
    assert import_file(mapped_store, "responses", path).inserted == 2
    with mapped_store.engine.connect() as conn:
        assert sorted(conn.execute(sa.text("SELECT score FROM responses")).scalars()) == [0, 10]


def values(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).mappings().all()


def test_customer_fields_timezones_and_attributes(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    from cxlens.store.schema import customers

    with mapped_store.engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(sa.select(customers)).all()}
    assert rows["c1"].signed_up_at == datetime(2024, 1, 5, 8, 0, tzinfo=timezone.utc)  # +02:00 → UTC
    assert rows["c2"].signed_up_at == datetime(2024, 2, 1, tzinfo=timezone.utc)  # a date is midnight
    assert rows["c1"].attributes == {"favourite_trail": "Kungsleden"}  # unknown columns are kept
    assert rows["c1"].acquisition_cost == 120.5
    assert rows["c3"].name == "王芳"
    assert rows["c2"].churn_reason == "poor support"


def test_timezone_option_reads_naive_times_in_that_zone(mapped_store, tmp_path):
    path = write(tmp_path / "c", [{"external_id": "c9", "signed_up_at": "2024-07-01 12:00:00"}], "csv")
    import_file(mapped_store, "customers", path, timezone_name="Europe/Helsinki")
    from cxlens.store.schema import customers

    with mapped_store.engine.connect() as conn:
        value = conn.execute(sa.select(customers.c.signed_up_at)).scalar_one()
    assert value == datetime(2024, 7, 1, 9, 0, tzinfo=timezone.utc)


def test_responses_take_metric_scale_and_touchpoint_from_their_survey(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    import_file(mapped_store, "responses", write(tmp_path / "r", ROWS["responses"], "csv"))
    rows = {
        r["external_id"]: r
        for r in values(
            mapped_store,
            """
        SELECT r.external_id, r.metric, r.score, r.scale_min, r.scale_max, t.key AS touchpoint
        FROM responses r LEFT JOIN touchpoints t ON t.id = r.touchpoint_id""",
        )
    }
    assert (rows["r1"]["metric"], rows["r1"]["scale_min"], rows["r1"]["scale_max"], rows["r1"]["touchpoint"]) == (
        "nps",
        0,
        10,
        "first-use",
    )
    assert rows["r2"]["touchpoint"] == "support-email"  # the row's touchpoint wins over the survey's
    assert (rows["r3"]["metric"], rows["r3"]["scale_max"]) == ("ces", 5)
    assert rows["r4"]["score"] is None and rows["r4"]["metric"] == "text"


def test_ticket_durations_are_computed_at_import(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    import_file(mapped_store, "tickets", write(tmp_path / "t", ROWS["tickets"], "csv"))
    rows = {r["external_id"]: r for r in values(mapped_store, "SELECT * FROM tickets")}
    assert rows["T-1"]["first_response_seconds"] == 120
    assert rows["T-1"]["resolution_seconds"] == 3600
    assert rows["T-1"]["status"] == "solved"
    from cxlens.store.schema import tickets

    with mapped_store.engine.connect() as conn:
        assert conn.execute(sa.select(tickets.c.tags).where(tickets.c.external_id == "T-1")).scalar_one() == [
            "login",
            "urgent",
        ]
    assert rows["T-2"]["first_response_seconds"] is None and rows["T-2"]["status"] == "open"


def test_revenue_currency_is_normalised(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    import_file(mapped_store, "revenue", write(tmp_path / "p", ROWS["revenue"], "csv"))
    assert sorted(r["currency"] for r in values(mapped_store, "SELECT currency FROM revenue")) == ["EUR", "USD"]


def test_mapping_reads_a_field_from_another_column(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    rows = [{"id": "x1", "nps_score": "7", "when": "2024-06-01T00:00:00Z", "survey": "relationship-nps"}]
    path = write(tmp_path / "nps", rows, "csv")
    result = import_file(
        mapped_store, "responses", path, mapping={"score": "nps_score", "external_id": "id", "submitted_at": "when"}
    )
    assert result.inserted == 1
    assert values(mapped_store, "SELECT score FROM responses")[0]["score"] == 7


def test_mapping_to_a_missing_column_is_explained(mapped_store, tmp_path):
    path = write(tmp_path / "nps", [{"score": "7"}], "csv")
    with pytest.raises(InputError, match="has no column 'nps_score'"):
        import_file(mapped_store, "responses", path, mapping={"score": "nps_score"})


def test_missing_required_column_says_how_to_map_it(mapped_store, tmp_path):
    path = write(tmp_path / "r", [{"score": "7"}], "csv")
    with pytest.raises(InputError, match="--map submitted_at=YOUR_COLUMN"):
        import_file(mapped_store, "responses", path)


BAD = [
    ({"score": "11"}, "score", "'11'", "is outside the scale 0..10"),
    ({"score": "seven"}, "score", "'seven'", "is not a number"),
    ({"score": "7.5"}, "score", "'7.5'", "is not a whole number"),
    ({"submitted_at": "31/12/2024"}, "submitted_at", "'31/12/2024'", "is not a date and time"),
    ({"submitted_at": ""}, "submitted_at", "(empty)", "is missing"),
    ({"customer": "nobody"}, "customer", "'nobody'", "is not a known customer"),
    ({"survey": "no-such-survey"}, "survey", "'no-such-survey'", "is not a known survey"),
    ({"touchpoint": "moon-base"}, "touchpoint", "'moon-base'", "is not a known touchpoint"),
    ({"survey": "", "metric": "stars"}, "metric", "'stars'", "is not one of the allowed values"),
    ({"survey": "", "metric": "csat", "scale": "1-4"}, "scale", "'1-4'", "is not a scale cxlens allows"),
    ({"survey": "", "metric": "csat", "scale": "1-10", "score": "0"}, "score", "'0'", "is outside the scale 1..10"),
]


@pytest.mark.parametrize(("change", "column", "shown", "problem"), BAD)
def test_bad_row_rejects_the_file_and_names_row_column_value(mapped_store, tmp_path, change, column, shown, problem):
    load_customers(mapped_store, tmp_path)
    good = {
        "external_id": "ok",
        "survey": "relationship-nps",
        "customer": "c1",
        "submitted_at": "2024-03-01T12:00:00Z",
        "score": "9",
    }
    bad = {**good, "external_id": "bad", **change}
    path = write(tmp_path / "r", [good, good | {"external_id": "ok2"}, bad], "csv")
    with pytest.raises(ImportRejected) as info:
        import_file(mapped_store, "responses", path)
    message = str(info.value)
    assert f"{path}, row 4, column '{column}': {shown} {problem}" in message
    assert "1 of 3 row(s) are invalid, so nothing was imported" in message
    assert count(mapped_store, "responses") == 0


def test_every_bad_row_is_listed(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    rows = [
        {"external_id": f"r{i}", "survey": "relationship-nps", "submitted_at": "2024-03-01T12:00:00Z", "score": str(i)}
        for i in range(30)
    ]
    with pytest.raises(ImportRejected) as info:
        import_file(mapped_store, "responses", write(tmp_path / "r", rows, "csv"))
    assert info.value.rejected_row_count == 19  # 11..29
    assert sorted(b.row for b in info.value.bad_rows) == list(range(13, 32))
    assert "... and 19 more problem(s)" not in str(info.value)  # 19 < 20 are all shown


def test_duplicate_ids_in_one_file_are_rejected(mapped_store, tmp_path):
    rows = [{"external_id": "c1"}, {"external_id": "c2"}, {"external_id": "c1"}]
    with pytest.raises(ImportRejected, match="row 4, column 'external_id': 'c1' repeats the id of row 2"):
        import_file(mapped_store, "customers", write(tmp_path / "c", rows, "csv"))


def test_skip_bad_rows_imports_the_rest_and_writes_the_rejected(mapped_store, tmp_path):
    rows = [
        {"external_id": "c1", "email": "a@example.com"},
        {"external_id": "c2", "email": "not-an-email"},
        {"external_id": "c3"},
    ]
    path = write(tmp_path / "c", rows, "csv")
    rejected = tmp_path / "rejected.csv"
    result = import_file(mapped_store, "customers", path, skip_bad_rows=True, rejected_file=rejected)
    assert (result.inserted, result.rejected) == (2, 1)
    with open(rejected, newline="", encoding="utf-8") as f:
        out = list(csv.DictReader(f))
    assert len(out) == 1
    assert out[0]["row"] == "3" and out[0]["external_id"] == "c2" and out[0]["email"] == "not-an-email"
    assert "is not an e-mail address" in out[0]["error"]


def test_update_changes_only_changed_rows(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    tickets = ROWS["tickets"]
    import_file(mapped_store, "tickets", write(tmp_path / "t", tickets, "csv"))
    solved_later = [
        tickets[0],
        tickets[1] | {"first_response_at": "2024-03-02T11:00:00Z", "solved_at": "2024-03-03T10:00:00Z"},
    ]
    path = write(tmp_path / "t2", solved_later, "csv")
    plain = import_file(mapped_store, "tickets", path)
    assert (plain.inserted, plain.updated, plain.unchanged) == (0, 0, 2)
    assert values(mapped_store, "SELECT solved_at FROM tickets WHERE external_id = 'T-2'")[0]["solved_at"] is None
    updated = import_file(mapped_store, "tickets", path, update=True)
    assert (updated.inserted, updated.updated, updated.unchanged) == (0, 1, 1)
    row = values(mapped_store, "SELECT status, resolution_seconds FROM tickets WHERE external_id = 'T-2'")[0]
    assert row["status"] == "solved" and row["resolution_seconds"] == 24 * 3600
    again = import_file(mapped_store, "tickets", path, update=True)
    assert (again.updated, again.unchanged) == (0, 2)


def test_unknown_kind_and_format_are_explained(mapped_store, tmp_path):
    with pytest.raises(InputError, match="unknown import kind 'people'"):
        import_file(mapped_store, "people", write(tmp_path / "c", CUSTOMERS, "csv"))
    odd = tmp_path / "c.xlsx"
    odd.write_text("x")
    with pytest.raises(InputError, match="--format"):
        import_file(mapped_store, "customers", odd)
    with pytest.raises(InputError, match="no such file"):
        import_file(mapped_store, "customers", tmp_path / "missing.csv")


def test_broken_json_line_is_reported_by_number(mapped_store, tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"external_id": "c1"}\n{"external_id": \n')
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        import_file(mapped_store, "customers", path)


def test_import_runs_are_recorded(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    runs = values(mapped_store, "SELECT kind, rows, inserted FROM import_runs")
    assert [(r["kind"], r["rows"], r["inserted"]) for r in runs] == [("customers", 3, 3)]


def test_errors_name_the_files_own_column_when_mapped(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    rows = [{"id": "x1", "nps_score": "12", "submitted_at": "2024-06-01T00:00:00Z", "survey": "relationship-nps"}]
    path = write(tmp_path / "nps", rows, "csv")
    with pytest.raises(ImportRejected, match="row 2, column 'nps_score': '12' is outside the scale 0..10"):
        import_file(mapped_store, "responses", path, mapping={"score": "nps_score", "external_id": "id"})


def test_header_names_are_matched_loosely(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("External ID,Signed Up At,Acquisition-Cost\nc1,2024-01-01T00:00:00Z,10\n")
    assert import_file(mapped_store, "customers", path).inserted == 1
    row = values(mapped_store, "SELECT acquisition_cost FROM customers")[0]
    assert row["acquisition_cost"] == 10


def test_csv_with_a_byte_order_mark_reads_its_first_column(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbfexternal_id,name\nc1,Ann\n")
    assert import_file(mapped_store, "customers", path).inserted == 1


def test_row_with_too_many_values_is_named(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,name\nc1,Ann\nc2,Bob,extra\n")
    with pytest.raises(InputError, match="row 3: 3 values, but the header has 2 columns"):
        import_file(mapped_store, "customers", path)


def test_file_not_in_utf8_is_named_with_its_line(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"external_id,name\nc1,Ann\nc2,J\xf6rg\n")
    with pytest.raises(InputError, match=r"line 3: not UTF-8 text \(byte 0xf6\); save the file as UTF-8"):
        import_file(mapped_store, "customers", path)
    assert count(mapped_store, "customers") == 0


def test_header_only_file_imports_nothing(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,name\n")
    result = import_file(mapped_store, "customers", path)
    assert (result.rows, result.inserted) == (0, 0)


def test_multiline_quoted_comment_is_one_value(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    path = tmp_path / "r.csv"
    path.write_text(
        'external_id,survey,submitted_at,score,comment\nr1,relationship-nps,2024-01-01T00:00:00Z,3,"Line one,\nline two"\n'
    )
    import_file(mapped_store, "responses", path)
    assert values(mapped_store, "SELECT comment FROM responses")[0]["comment"] == "Line one,\nline two"


# -- found in review: nothing silently changed, every bad value a clear error -------------------


def stored(store, table, external_id, column):
    from cxlens.store import schema

    t = schema.TABLES[table]
    with store.engine.connect() as conn:
        return conn.execute(sa.select(t.c[column]).where(t.c.external_id == external_id)).scalar_one()


def test_json_lines_times_keep_their_offset_and_date_like_text_stays_text(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"external_id": "2025-03-01T10:00:00Z", "customer": "c1", "touchpoint": "checkout", '
        '"occurred_at": "2025-03-01T09:12:00+02:00", "promised_at": "2025-03-03T12:00:00+02:00", "order_value": 89, "gift": true}\n'
    )
    import_file(mapped_store, "events", path, timezone_name="Europe/Helsinki")
    assert stored(mapped_store, "events", "2025-03-01T10:00:00Z", "occurred_at") == datetime(
        2025, 3, 1, 7, 12, tzinfo=timezone.utc
    )
    props = stored(mapped_store, "events", "2025-03-01T10:00:00Z", "properties")
    assert props == {"promised_at": "2025-03-03T12:00:00+02:00", "order_value": 89, "gift": True}


def test_a_json_array_file_is_read_too(mapped_store, tmp_path):
    path = tmp_path / "c.json"
    path.write_text('[\n  {"external_id": "c1", "name": "Ann"},\n  {"external_id": "c2", "name": "Bob"}\n]\n')
    assert import_file(mapped_store, "customers", path).inserted == 2


def test_csv_words_like_na_and_null_are_values_not_blanks(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,name,country\nnull,NA,NA\nc2,N/A,#N/A\n")
    assert import_file(mapped_store, "customers", path).inserted == 2
    assert stored(mapped_store, "customers", "null", "name") == "NA"
    assert stored(mapped_store, "customers", "null", "attributes") == {"country": "NA"}


def test_semicolon_separated_csv_is_understood(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id;name;acquisition_cost\nc1;Aino;12.5\n")
    import_file(mapped_store, "customers", path)
    assert stored(mapped_store, "customers", "c1", "acquisition_cost") == 12.5


def test_update_keeps_what_the_file_does_not_say(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    first = [{"external_id": "f1", "text": "Dark mode", "customer": "c1", "votes": "7", "status": "planned"}]
    import_file(mapped_store, "feature_requests", write(tmp_path / "f", first, "csv"))
    again = [{"external_id": "f1", "text": "Dark mode please", "customer": "c1"}]
    result = import_file(mapped_store, "feature_requests", write(tmp_path / "f2", again, "csv"), update=True)
    assert result.updated == 1
    assert (
        stored(mapped_store, "feature_requests", "f1", "votes"),
        stored(mapped_store, "feature_requests", "f1", "status"),
    ) == (7, "planned")
    assert stored(mapped_store, "feature_requests", "f1", "text") == "Dark mode please"


def test_update_blank_cells_keep_stored_values_and_status_is_not_guessed(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    rows = [
        {
            "external_id": "T-9",
            "customer": "c1",
            "created_at": "2024-03-01T10:00:00Z",
            "status": "pending",
            "agent": "Maya",
        }
    ]
    import_file(mapped_store, "tickets", write(tmp_path / "t", rows, "csv"))
    later = [
        {"external_id": "T-9", "created_at": "2024-03-01T10:00:00Z", "solved_at": "", "agent": "", "priority": "high"}
    ]
    import_file(mapped_store, "tickets", write(tmp_path / "t2", later, "csv"), update=True)
    assert stored(mapped_store, "tickets", "T-9", "status") == "pending"
    assert stored(mapped_store, "tickets", "T-9", "agent") == "Maya"
    assert stored(mapped_store, "tickets", "T-9", "priority") == "high"


def test_update_merges_kept_columns_into_attributes(mapped_store, tmp_path):
    import_file(mapped_store, "customers", write(tmp_path / "c", [{"external_id": "c1", "country": "FI"}], "csv"))
    result = import_file(
        mapped_store, "customers", write(tmp_path / "c2", [{"external_id": "c1", "tier": "gold"}], "csv"), update=True
    )
    assert result.updated == 1
    assert stored(mapped_store, "customers", "c1", "attributes") == {"country": "FI", "tier": "gold"}
    same = import_file(
        mapped_store, "customers", write(tmp_path / "c2", [{"external_id": "c1", "tier": "gold"}], "csv"), update=True
    )
    assert (same.updated, same.unchanged) == (0, 1)


@pytest.mark.parametrize(
    ("column", "values", "problem"),
    [
        (pa.array([3_000_000_000], pa.int64()), "reopens", "is outside"),
        (pa.array([2**64 - 1], pa.uint64()), "reopens", "is outside"),
        (pa.array(["99999999999999999999"]), "replies", "is outside"),
        (pa.array([True]), "handle_seconds", "is true/false"),
        (pa.array([float("nan")]), "handle_seconds", "is not a finite number"),
        (pa.array(["1e400"]), "handle_seconds", "is not a finite number"),
    ],
)
def test_numbers_that_do_not_fit_are_row_errors(mapped_store, tmp_path, column, values, problem):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"external_id": ["T-1"], "created_at": ["2024-01-01T00:00:00Z"], values: column}), path)
    with pytest.raises(ImportRejected, match=f"column '{values}': .* {problem}"):
        import_file(mapped_store, "tickets", path)


def test_nanosecond_times_and_nested_parquet_values_are_read(mapped_store, tmp_path):
    load_customers(mapped_store, tmp_path)
    path = tmp_path / "e.parquet"
    when = pa.array([1_700_000_000_123_456_789], pa.timestamp("ns", tz="UTC"))
    nested = pa.array([{"at": datetime(2024, 1, 1, tzinfo=timezone.utc), "n": 1}])
    pq.write_table(
        pa.table(
            {
                "external_id": ["e1"],
                "customer": ["c1"],
                "touchpoint": ["checkout"],
                "occurred_at": when,
                "detail": nested,
            }
        ),
        path,
    )
    import_file(mapped_store, "events", path)
    assert stored(mapped_store, "events", "e1", "occurred_at") == datetime(
        2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc
    )
    assert stored(mapped_store, "events", "e1", "properties") == {"detail": {"at": "2024-01-01T00:00:00+00:00", "n": 1}}


def test_text_loses_nul_bytes_and_overlong_email_is_refused(mapped_store, tmp_path):
    rows = [{"external_id": "c1", "name": "Ann\x00"}, {"external_id": "c2", "email": "a" * 320 + "@example.com"}]
    with pytest.raises(ImportRejected, match="row 2, column 'email'"):  # JSON Lines: row = line
        import_file(mapped_store, "customers", write(tmp_path / "c", rows, "jsonl"))
    import_file(mapped_store, "customers", write(tmp_path / "c", rows[:1], "jsonl"))
    assert stored(mapped_store, "customers", "c1", "name") == "Ann"


def test_rejected_file_keeps_values_as_written_and_the_good_copy_gets_in(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,email\nc1, not-an-email \nc1,ann@example.com\n")
    rejected = tmp_path / "rejected.csv"
    result = import_file(mapped_store, "customers", path, skip_bad_rows=True, rejected_file=rejected)
    assert (result.inserted, result.rejected) == (1, 1)
    assert stored(mapped_store, "customers", "c1", "email") == "ann@example.com"
    with open(rejected, newline="", encoding="utf-8") as f:
        assert next(csv.DictReader(f))["email"] == " not-an-email "


def test_unwritable_rejected_path_is_refused_before_anything_is_written(mapped_store, tmp_path):
    path = write(tmp_path / "c", [{"external_id": "c1", "email": "bad"}, {"external_id": "c2"}], "csv")
    with pytest.raises(InputError, match="cannot write a file there"):
        import_file(
            mapped_store, "customers", path, skip_bad_rows=True, rejected_file=tmp_path / "no" / "such" / "dir.csv"
        )
    assert count(mapped_store, "customers") == 0


def test_rows_without_id_that_repeat_say_what_made_them_equal(mapped_store, tmp_path):
    rows = [{"text": "Dark mode"}, {"text": "Dark mode"}]
    with pytest.raises(ImportRejected, match=r"repeats row 2 \(no id, and the same text, customer\)"):
        import_file(mapped_store, "feature_requests", write(tmp_path / "f", rows, "csv"))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir() or p, "is a directory"),
        (lambda p: pq.write_table(pa.table({"a": [1]}), p) or p, "this is a Parquet file"),
    ],
)
def test_wrong_kinds_of_file_are_explained(mapped_store, tmp_path, make, expected):
    path = make(tmp_path / "x.csv")
    with pytest.raises(InputError, match=expected):
        import_file(mapped_store, "customers", path)


def test_unknown_time_zone_option_is_explained(mapped_store, tmp_path):
    with pytest.raises(InputError, match="'Mars/Base' is not a time zone"):
        import_file(mapped_store, "customers", write(tmp_path / "c", CUSTOMERS, "csv"), timezone_name="Mars/Base")


def test_two_columns_for_one_field_are_refused(mapped_store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("external_id,Name,name\nc1,A,B\n")
    with pytest.raises(InputError, match="'Name' and 'name' both mean the field name"):
        import_file(mapped_store, "customers", path)


def test_an_import_stages_its_rows_without_holding_the_write_lock(mapped_store, tmp_path):
    """While an import checks and stages its rows, another writer commits at once (a short
    busy timeout would fail if the import held SQLite's write lock) and readers see none of
    its rows."""
    other = sa.create_engine(
        mapped_store.engine.url, connect_args={"timeout": 0.2} if mapped_store.dialect == "sqlite" else {}
    )
    seen = []

    def progress(stage, done, total):
        if stage != "checking" or not done:
            return
        with other.begin() as conn:
            conn.execute(sa.text("INSERT INTO customers (external_id) VALUES (:id)"), {"id": f"side-{len(seen)}"})
        with other.connect() as conn:
            seen.append(
                conn.execute(sa.text("SELECT count(*) FROM customers WHERE external_id LIKE 'c%'")).scalar_one()
            )

    try:
        result = import_file(
            mapped_store, "customers", write(tmp_path / "customers", CUSTOMERS, "csv"), progress=progress
        )
    finally:
        other.dispose()
    assert seen and set(seen) == {0}
    assert result.inserted == len(CUSTOMERS)
    assert count(mapped_store, "customers") == len(CUSTOMERS) + len(seen)
