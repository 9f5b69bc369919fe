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

__all__ = ["FORMATS", "Source", "detect_format", "read_source"]

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
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f, delimiter=delimiter), None)
    except UnicodeDecodeError:
        _check_utf8(path)
        raise
    if not header:
        raise InputError(f"{path}: the file is empty; a CSV import needs a header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{path}: the header repeats column(s) {dupes}; give each column one name")
    try:
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        # Find the row Arrow could not read (error path only: it costs a pass in Python).
        _check_utf8(path)
        raise _ragged_row(path, delimiter, len(header)) or exc


def _check_utf8(path: Path) -> None:
    """Name the first line that is not UTF-8: spreadsheets often save CSV as Windows-1252."""
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}, line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x}); "
                    "save the file as UTF-8 (in Excel: \"CSV UTF-8\") and import it again"
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
    try:
        return pajson.read_json(path)
    except pa.ArrowInvalid:
        # Arrow wants one type per key across all lines; fall back to plain JSON so that
        # mixed types reach the field checks, and a broken line is reported by number.
        return _read_jsonl_python(path)


def _read_jsonl_python(path: Path) -> pa.Table:
    rows: list[dict] = []
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, line {number}: not valid JSON ({exc.msg}); fix the line") from exc
            if not isinstance(obj, dict):
                raise InputError(f"{path}, line {number}: expected a JSON object per line, got {type(obj).__name__}")
            rows.append(obj)
    columns: dict[str, list] = {}
    for i, row in enumerate(rows):
        for key in row:
            columns.setdefault(key, [None] * len(rows))
        for key, value in row.items():
            columns[key][i] = value
    return pa.table({k: pa.array([_as_text(v) for v in vs], pa.string()) for k, vs in columns.items()})


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)

