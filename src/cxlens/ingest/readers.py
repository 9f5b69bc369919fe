"""Reading CSV, JSON Lines and Parquet files into Arrow tables, with row numbers a person can find.

CSV columns are read as text, so that a bad value is reported as the customer wrote it, not as
whatever a type guesser made of it; typed formats (Parquet, JSON) keep their types and the
field checks accept both.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ..errors import InputError

__all__ = ["FORMATS", "JSON_FIELD", "Source", "detect_format", "read_source"]

FORMATS = ("csv", "jsonl", "parquet")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass
class Source:
    """A file's rows as an Arrow table, and how to turn a row index into the row a person sees."""

    name: str
    table: pa.Table
    first_row: int  # the row number of index 0: 2 for CSV (the header is row 1), 1 otherwise

    def row_number(self, index: int) -> int:
        return self.first_row + index


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"--format {fmt!r} is not known; use one of: {', '.join(FORMATS)}")
        return fmt
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; "
            f"name the file .csv, .jsonl or .parquet, or pass --format ({', '.join(FORMATS)})"
        )
    return found


def read_source(path: str | Path, fmt: str | None = None) -> Source:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give the file to import")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = detect_format(path, fmt)
    try:
        if kind == "csv":
            return Source(str(path), _read_csv(path), first_row=2)
        if kind == "jsonl":
            return Source(str(path), _read_jsonl(path), first_row=1)
        return Source(str(path), pq.read_table(path), first_row=1)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as {kind}: {exc}") from exc


def _read_csv(path: Path) -> pa.Table:
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"PAR1":
        raise InputError(f"{path}: this is a Parquet file; name it .parquet or pass --format parquet")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            first = f.readline()
            delimiter = _delimiter(path, first)
            header = next(csv.reader([first], delimiter=delimiter), None)
    except UnicodeDecodeError:
        _check_utf8(path)
        raise
    if not header:
        raise InputError(f"{path}: the file is empty; a CSV import needs a header row")
    if any(not h.strip() for h in header):
        raise InputError(
            f"{path}: the header has a column without a name (column {[h.strip() for h in header].index('') + 1}); name every column"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{path}: the header repeats column(s) {dupes}; give each column one name")
    try:
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                # Only an empty cell is missing: "NA" is a name, a country (Namibia), an answer.
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        # Find the row Arrow could not read (error path only: it costs a pass in Python).
        _check_utf8(path)
        raise _ragged_row(path, delimiter, len(header)) or exc


def _delimiter(path: Path, header_line: str) -> str:
    """Tab for .tsv; a semicolon where the header has semicolons and no commas (spreadsheets
    in many European locales write those); otherwise a comma."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    return ";" if ";" in header_line and "," not in header_line else ","


def _check_utf8(path: Path) -> None:
    """Name the first line that is not UTF-8: spreadsheets often save CSV as Windows-1252."""
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}, line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x}); "
                    'save the file as UTF-8 (in Excel: "CSV UTF-8") and import it again'
                ) from None


def _ragged_row(path: Path, delimiter: str, width: int) -> InputError | None:
    """The first row whose number of values differs from the header's (error path only)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        for number, row in enumerate(csv.reader(f, delimiter=delimiter), start=1):
            if row and len(row) != width:
                return InputError(
                    f"{path}, row {number}: {len(row)} values, but the header has {width} columns; "
                    "quote values that contain the delimiter or a line break, or fix the row"
                )
    return None


def _read_jsonl(path: Path) -> pa.Table:
    if _first_byte(path) == b"[":
        return _rows_table(_json_array_rows(path))
    try:
        table = pajson.read_json(path)
    except pa.ArrowInvalid:
        # Arrow wants one type per key across all lines: read it in Python, so that mixed
        # types reach the field checks and a broken line is reported by number.
        return _rows_table(_jsonl_rows(path))
    if any(_nested_or_temporal(f.type) for f in table.schema):
        # Arrow turns text that looks like a time into a naive UTC timestamp (dropping its
        # offset, even in an id) and pads nested objects with every key seen: keep them as written.
        return _rows_table(_jsonl_rows(path))
    return table


def _first_byte(path: Path) -> bytes:
    with open(path, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1]


def _nested_or_temporal(typ: pa.DataType) -> bool:
    return pa.types.is_nested(typ) or pa.types.is_temporal(typ)


def _json_array_rows(path: Path) -> list[dict]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}); fix the file") from exc
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(
                f"{path}: item {i + 1} of the array is a {type(row).__name__}, not an object; give one object per row"
            )
    return rows


def _jsonl_rows(path: Path) -> list[dict]:
    rows: list[dict] = []
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path}, line {number}: not valid JSON ({exc.msg}); cxlens reads JSON Lines "
                    "(one object per line) or one JSON array of objects: fix the line"
                ) from exc
            if not isinstance(obj, dict):
                raise InputError(f"{path}, line {number}: expected a JSON object per line, got {type(obj).__name__}")
            rows.append(obj)
    return rows


JSON_FIELD = {b"cxlens": b"json"}  # marks a column of JSON text (objects or lists) as such


def _rows_table(rows: list[dict]) -> pa.Table:
    """Columns as JSON typed them: one type per column where the values agree, JSON text for
    objects and lists (marked ``JSON_FIELD``), plain text where types are mixed."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    values = {name: [row.get(name) for row in rows] for name in names}
    arrays = [_column(v) for v in values.values()]
    fields = [
        pa.field(n, a.type, metadata=JSON_FIELD if _is_json(v) else None) for (n, v), a in zip(values.items(), arrays)
    ]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _kinds(values: list) -> set[type]:
    return {type(v) for v in values if v is not None}


def _is_json(values: list) -> bool:
    kinds = _kinds(values)
    return bool(kinds) and kinds <= {dict, list}


def _column(values: list) -> pa.Array:
    kinds = _kinds(values)
    if _is_json(values):
        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values], pa.string())
    if kinds in ({str}, {bool}, {float}, {int, float}) or (
        kinds == {int} and all(v is None or -(2**63) <= v < 2**63 for v in values)
    ):
        return pa.array(values)
    return pa.array([_as_text(v) for v in values], pa.string())


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
