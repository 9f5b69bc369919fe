"""Reading a file in parts (``iter_source``) gives what reading it whole (``read_source``) gives:
the same columns, types, values, row numbers and error messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxlens.errors import InputError
from cxlens.ingest.readers import JSON_FIELD, iter_source, read_source

ROWS = [{"id": f"r{n}", "score": str(n % 5), "comment": "fine" if n % 3 else 'two\nlines, "quoted"'} for n in range(11)]


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def write_jsonl(path: Path, objects: list) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


def parts(path: Path, rows: int = 3, **options) -> list:
    return list(iter_source(path, rows=rows, **options))


def joined(sources: list) -> pa.Table:
    return pa.concat_tables([s.table for s in sources])


def assert_same_as_whole(path: Path, sources: list) -> None:
    whole = read_source(path)
    assert all(s.table.column_names == whole.table.column_names for s in sources)
    assert joined(sources).equals(whole.table, check_metadata=True)
    assert sources[0].first_row == whole.first_row
    numbers = [s.row_number(i) for s in sources for i in range(s.table.num_rows)]
    assert numbers == [whole.row_number(i) for i in range(whole.table.num_rows)]


def test_csv_parts_are_the_whole_file_with_its_row_numbers(tmp_path):
    path = write_csv(tmp_path / "r.csv", ROWS)
    sources = parts(path, block_size=64)  # blocks far smaller than a part: parts gather blocks
    assert [s.table.num_rows for s in sources] == [3, 3, 3, 2]
    assert [s.first_row for s in sources] == [2, 5, 8, 11]
    assert_same_as_whole(path, sources)
    assert all(s.table.schema.types == [pa.string()] * 3 for s in sources)


def test_csv_value_with_a_line_break_across_a_block_boundary_is_one_value(tmp_path):
    long = "x" * 40 + "\n" + "y" * 40
    path = write_csv(tmp_path / "r.csv", [{"id": f"r{n}", "comment": long} for n in range(6)])
    for block in range(97, 190, 6):  # each row (~90 bytes) fits in one block, as Arrow needs
        sources = parts(path, rows=4, block_size=block)
        assert joined(sources)["comment"].to_pylist() == [long] * 6
        assert_same_as_whole(path, sources)


def test_csv_with_a_byte_order_mark_and_semicolons_reads_as_whole(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfid;name\n" + b"".join(b"r%d;NA\n" % n for n in range(5)))
    sources = parts(path, rows=2, block_size=16)
    assert sources[0].table.column_names == ["id", "name"]
    assert joined(sources)["name"].to_pylist() == ["NA"] * 5  # "NA" is a value, not missing
    assert_same_as_whole(path, sources)


def test_csv_with_a_header_only_gives_one_empty_part_with_the_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("external_id,name\n")
    (source,) = parts(path)
    assert (source.table.num_rows, source.table.column_names, source.first_row) == (0, ["external_id", "name"], 2)
    assert_same_as_whole(path, [source])


def test_csv_rows_a_multiple_of_the_part_size_give_no_empty_last_part(tmp_path):
    path = write_csv(tmp_path / "r.csv", ROWS[:6])
    assert [s.table.num_rows for s in parts(path)] == [3, 3]


def test_ragged_csv_row_in_a_later_part_is_named(tmp_path):
    path = write_csv(tmp_path / "r.csv", [{"id": f"r{n}", "name": "Ann"} for n in range(40)])
    with path.open("a") as f:
        f.write("r40,Bob,extra\n")
    sources = iter_source(path, rows=3, block_size=64)
    with pytest.raises(InputError, match=r"row 42: 3 values, but the header has 2 columns") as raised:
        list(sources)
    with pytest.raises(InputError) as whole:
        read_source(path)
    assert str(raised.value) == str(whole.value)


def test_csv_line_not_in_utf8_in_a_later_part_is_named(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,name\n" + b"".join(b"r%d,Ann\n" % n for n in range(30)) + b"r30,J\xf6rg\n")
    with pytest.raises(InputError, match=r"line 32: not UTF-8 text \(byte 0xf6\)"):
        list(iter_source(path, rows=3, block_size=64))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty; a CSV import needs a header row"),
        (b"id,,name\nr1,a,b\n", r"a column without a name \(column 2\)"),
        (b"id,name,id\nr1,a,b\n", r"repeats column\(s\) \['id'\]"),
    ],
)
def test_csv_header_problems_are_told_as_when_read_whole(tmp_path, content, expected):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        list(iter_source(path))


def test_parquet_named_csv_is_explained(tmp_path):
    path = tmp_path / "r.csv"
    pq.write_table(pa.table({"a": [1]}), path)
    with pytest.raises(InputError, match="this is a Parquet file; name it .parquet"):
        list(iter_source(path))


def test_missing_file_and_unknown_format_are_refused_at_the_call(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        iter_source(tmp_path / "missing.csv")
    odd = tmp_path / "r.xlsx"
    odd.write_text("x")
    with pytest.raises(InputError, match="--format"):
        iter_source(odd)
    with pytest.raises(ValueError, match="rows"):
        iter_source(odd, "csv", rows=0)


def test_parquet_parts_are_the_whole_file(tmp_path):
    path = tmp_path / "r.parquet"
    table = pa.table({"id": [f"r{n}" for n in range(10)], "score": list(range(10)), "at": pa.array([None] * 10)})
    pq.write_table(table, path, row_group_size=4)  # row groups that do not line up with parts
    sources = parts(path)
    assert [s.table.num_rows for s in sources] == [3, 3, 3, 1]
    assert [s.first_row for s in sources] == [1, 4, 7, 10]
    whole = read_source(path)
    assert joined(sources).equals(whole.table)
    assert all(s.table.schema.equals(whole.table.schema) for s in sources)


def test_parquet_without_rows_gives_one_empty_part_with_the_columns(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.string())}), path)
    (source,) = parts(path)
    assert (source.table.num_rows, source.table.column_names) == (0, ["id"])


def test_jsonl_parts_are_the_whole_file_counting_objects(tmp_path):
    path = tmp_path / "r.jsonl"
    lines = [json.dumps({"id": f"r{n}", "score": n}) for n in range(8)]
    lines.insert(3, "")  # a blank line is not a row: numbers count objects, as when read whole
    path.write_text("\n".join(lines) + "\n")
    sources = parts(path)  # three lines a part: the blank line's part has two rows
    assert [(s.first_row, s.table.num_rows) for s in sources] == [(1, 3), (4, 2), (6, 3)]
    assert_same_as_whole(path, sources)


def test_jsonl_part_of_blank_lines_only_is_skipped(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "r1"}\n\n\n\n{"id": "r2"}\n\n\n')
    sources = parts(path, rows=2)
    assert [(s.first_row, s.table.num_rows) for s in sources] == [(1, 1), (2, 1)]
    assert_same_as_whole(path, sources)


def test_jsonl_of_blank_lines_only_gives_one_empty_part(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n" * 7)
    (source,) = parts(path, rows=2)
    assert (source.table.num_rows, source.table.num_columns) == (0, 0)
    assert_same_as_whole(path, [source])


def test_jsonl_key_first_seen_late_is_a_column_of_every_part(tmp_path):
    objects = [{"id": f"r{n}", "score": n} for n in range(7)] + [{"id": "r7", "score": 7, "channel": "mail"}]
    path = write_jsonl(tmp_path / "r.jsonl", objects)
    sources = parts(path)
    assert all(s.table.column_names == ["id", "score", "channel"] for s in sources)
    assert sources[0].table["channel"].to_pylist() == [None] * 3
    assert sources[0].table.schema.field("channel").type == pa.string()
    assert_same_as_whole(path, sources)


@pytest.mark.parametrize(
    "late",
    [
        2.5,  # integers in early parts become fractions, as a whole-file read makes them
        "five",  # mixed types: every value as text
        10**20,  # an integer too large for 64 bits: text
        {"nested": True},  # an object among numbers: text
        True,
    ],
)
def test_jsonl_type_that_changes_in_a_later_part_is_typed_as_when_read_whole(tmp_path, late):
    objects = [{"id": f"r{n}", "score": n, "ratio": n / 2} for n in range(7)] + [{"id": "r7", "score": late}]
    path = write_jsonl(tmp_path / "r.jsonl", objects)
    assert_same_as_whole(path, parts(path))


def test_jsonl_nested_and_time_like_values_stay_as_written(tmp_path):
    objects = [{"id": f"r{n}", "n": n} for n in range(6)]
    objects += [{"id": "r6", "attributes": {"plan": "pro"}, "at": "2024-06-01T10:00:00+02:00"}]
    objects += [{"id": "r7", "attributes": None, "tags": ["a", "é"]}]
    path = write_jsonl(tmp_path / "r.jsonl", objects)
    sources = parts(path)
    assert_same_as_whole(path, sources)
    for source in sources:
        assert source.table.schema.field("attributes").metadata == JSON_FIELD
        assert source.table.schema.field("tags").metadata == JSON_FIELD
        assert source.table.schema.field("at").type == pa.string()
    assert sources[-1].table["at"].to_pylist() == ["2024-06-01T10:00:00+02:00", None]
    assert sources[-1].table["tags"].to_pylist() == [None, '["a", "é"]']


def test_jsonl_with_a_byte_order_mark_reads_its_first_key(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "r1"}\n{"id": "r2"}\n')
    sources = parts(path, rows=1)
    assert [s.table.column_names for s in sources] == [["id"], ["id"]]
    assert_same_as_whole(path, sources)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ('{"id": ', r"line 12: not valid JSON \(Expecting value\)"),
        ("[1, 2]", "line 12: expected a JSON object per line, got list"),
        ("7", "line 12: expected a JSON object per line, got int"),
    ],
)
def test_jsonl_bad_line_in_a_later_part_is_named_as_when_read_whole(tmp_path, bad, expected):
    path = tmp_path / "r.jsonl"
    good = [json.dumps({"id": f"r{n}"}) for n in range(10)]
    path.write_text("\n".join(good[:5] + [""] + good[5:] + [bad]) + "\n")
    with pytest.raises(InputError, match=expected) as streamed:
        list(iter_source(path, rows=3))
    with pytest.raises(InputError) as whole:
        read_source(path)
    assert str(streamed.value) == str(whole.value)


def test_jsonl_line_not_in_utf8_is_named_read_whole_or_in_parts(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"".join(b'{"id": "r%d"}\n' % n for n in range(7)) + b'{"id": "J\xf6rg"}\n')
    for read in (lambda: list(iter_source(path, rows=3)), lambda: read_source(path)):
        with pytest.raises(InputError, match=r"line 8: not UTF-8 text \(byte 0xf6\)"):
            read()


def test_json_array_is_given_in_parts_numbered_by_item(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"id": f"r{n}", **({"late": 1} if n == 6 else {})} for n in range(7)]))
    sources = parts(path)
    assert [s.first_row for s in sources] == [1, 4, 7]
    assert all(s.table.column_names == ["id", "late"] for s in sources)
    assert_same_as_whole(path, sources)


def test_json_array_with_a_non_object_is_refused(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('[{"id": "r1"}, 3]')
    with pytest.raises(InputError, match="item 2 of the array is a int, not an object"):
        list(iter_source(path))


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_jsonl_without_objects_gives_one_empty_part(tmp_path, content):
    path = tmp_path / "r.jsonl"
    path.write_text(content)
    (source,) = parts(path)
    assert (source.table.num_rows, source.table.num_columns) == (0, 0)
    assert_same_as_whole(path, [source])


def test_jsonl_time_like_text_is_kept_as_written_without_python(tmp_path):
    objects = [{"id": f"2024-01-0{1 + n}", "at": "2024-06-01T10:00:00+02:00", "n": n} for n in range(5)]
    objects.append({"id": "x", "at": None, "n": 2.5})
    path = write_jsonl(tmp_path / "r.jsonl", objects)
    whole = read_source(path).table
    assert whole.schema.types == [pa.string(), pa.string(), pa.float64()]
    assert whole["id"].to_pylist()[:2] == ["2024-01-01", "2024-01-02"]
    assert whole["at"].to_pylist() == ["2024-06-01T10:00:00+02:00"] * 5 + [None]
    assert_same_as_whole(path, parts(path, rows=2))
