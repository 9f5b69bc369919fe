"""Reading CSV, JSON Lines and Parquet files into Arrow tables, with row numbers a person can find.

CSV columns are read as text, so that a bad value is reported as the customer wrote it, not as
whatever a type guesser made of it; typed formats (Parquet, JSON) keep their types and the
field checks accept both.

``read_source`` reads a file whole; ``iter_source`` reads it in consecutive parts of a bounded
number of rows, so that memory follows the part size, not the file size. Both give the same
columns, types, values and row numbers, and the same error messages.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ..errors import InputError

__all__ = ["FORMATS", "JSON_FIELD", "Source", "detect_format", "iter_source", "read_source"]

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
    path, kind = _checked(path, fmt)
    try:
        if kind == "csv":
            return Source(str(path), _read_csv(path), first_row=2)
        if kind == "jsonl":
            return Source(str(path), _read_jsonl(path), first_row=1)
        return Source(str(path), pq.read_table(path), first_row=1)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as {kind}: {exc}") from exc


def iter_source(
    path: str | Path, fmt: str | None = None, *, rows: int = 100_000, block_size: int = 1 << 20
) -> Iterator[Source]:
    """The file as consecutive Sources of at most ``rows`` rows each, in file order: exactly
    ``rows`` (the last one fewer) for CSV, Parquet and JSON arrays; for JSON Lines ``rows``
    lines, blank ones included, so a part may be shorter (a part of blank lines only is skipped).

    Every part has every column the file has anywhere, in the same order, with the type and
    field metadata ``read_source`` gives it (JSON Lines: a key missing from a part is a column
    of nulls there), and ``first_row`` set so that ``row_number(i)`` is the row ``read_source``
    would name: CSV counts records after the header (row 2 is the first), JSON Lines count
    objects (blank lines skipped), a JSON array its items, Parquet its rows.
    A file without rows gives one empty part that still has the columns (a CSV's header).
    A missing file, a directory or an unknown format is refused at the call; anything wrong
    inside the file is raised (``InputError``, worded as ``read_source`` words it) while
    iterating, possibly after earlier parts were given out.

    Memory follows ``rows`` (and ``block_size``, the bytes Arrow reads at a time from a CSV;
    a CSV row must fit in one block, as for ``read_source``), not the file, except for a JSON
    array (``[{...}, ...]``), which is read whole and then handed out in parts. JSON Lines are
    read twice: a first pass finds every key and its type, so that a key first seen late is a
    column of the first part too.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    path, kind = _checked(path, fmt)
    return _sources(path, kind, rows, block_size)


def _sources(path: Path, kind: str, rows: int, block_size: int) -> Iterator[Source]:
    if kind == "csv":
        tables, first_row = _csv_tables(path, rows, block_size), 2
    elif kind == "parquet":
        tables, first_row = _parquet_tables(path, rows), 1
    else:
        tables, first_row = _jsonl_tables(path, rows), 1
    for table in _guarded(path, kind, tables):
        yield Source(str(path), table, first_row=first_row)
        first_row += table.num_rows


def _guarded(path: Path, kind: str, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """The tables, with a read failure told as ``read_source`` tells it (not around the yield:
    an error in the caller's own work is not the file's)."""
    while True:
        try:
            table = next(tables)
        except StopIteration:
            return
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read it as {kind}: {exc}") from exc
        yield table


def _in_parts(batches: Iterable[pa.RecordBatch], schema: pa.Schema, rows: int) -> Iterator[pa.Table]:
    """Record batches of any size regrouped into tables of exactly ``rows`` rows (the last one
    fewer; one empty table when there are none). Slices share the batches' memory."""
    pending: list[pa.RecordBatch] = []
    count = 0
    given = False
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(pending, schema)
            yield table.slice(0, rows)
            given = True
            rest = table.slice(rows)
            pending, count = rest.to_batches(), rest.num_rows
    if count or not given:
        yield pa.Table.from_batches(pending, schema)


def _csv_tables(path: Path, rows: int, block_size: int) -> Iterator[pa.Table]:
    delimiter, header = _csv_header(path)
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=block_size),
            parse_options=_csv_parse_options(delimiter),
            convert_options=_csv_convert_options(header),
        )
    except pa.ArrowInvalid as exc:
        raise _csv_error(path, delimiter, header, exc) from exc
    with reader:
        yield from _in_parts(_csv_batches(path, reader, delimiter, header), reader.schema, rows)


def _csv_batches(path: Path, reader, delimiter: str, header: list[str]) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            # The row is found by a pass over the whole file: the rows before it were fine.
            raise _csv_error(path, delimiter, header, exc) from exc
        yield batch


def _parquet_tables(path: Path, rows: int) -> Iterator[pa.Table]:
    with pq.ParquetFile(path) as f:
        yield from _in_parts(f.iter_batches(batch_size=rows), f.schema_arrow, rows)


def _jsonl_tables(path: Path, rows: int) -> Iterator[pa.Table]:
    if _first_byte(path) == b"[":
        table = _rows_table(_json_array_rows(path))
        yield from _in_parts(table.to_batches(), table.schema, rows)
        return
    # First pass: every key, and the type read_source would give it, before the first part.
    tables = (_jsonl_part(path, part) for part in _jsonl_parts(path, rows))
    first = next(tables, None)
    if first is None:  # an empty file
        yield _rows_table([])
        return
    schemas = [first.schema] + [table.schema for table in tables]
    schema = _merged_schema(schemas)
    if len(schemas) == 1:  # the part read is the whole file: no second pass
        yield _conformed(path, first, None, schema)
        return
    del first
    given = False
    for part in _jsonl_parts(path, rows):
        table = _conformed(path, _jsonl_part(path, part), part, schema)
        if table.num_rows:  # a part of blank lines only is not given out
            yield table
            given = True
    if not given:
        yield schema.empty_table()


_BOM = b"\xef\xbb\xbf"


def _jsonl_parts(path: Path, rows: int) -> Iterator[tuple[int, list[bytes]]]:
    """The file ``rows`` lines at a time, with the number of each part's first line. Blank
    lines count towards ``rows`` but are not rows (Arrow skips them, as ``_parsed`` does)."""
    number = 1
    with open(path, "rb") as f:
        while lines := list(itertools.islice(f, rows)):
            if number == 1 and lines[0].startswith(_BOM):
                lines[0] = lines[0][len(_BOM) :]
            yield number, lines
            number += len(lines)


def _jsonl_part(path: Path, part: tuple[int, list[bytes]]) -> pa.Table:
    """Some lines read as ``read_source`` reads a whole file (see ``_arrow_json``)."""
    data = b"".join(part[1])
    table = _arrow_json(lambda: io.BytesIO(data))
    if table is None:
        return _rows_table(_parsed(path, part))
    return table


def _parsed(path: Path, part: tuple[int, list[bytes]]) -> list[dict]:
    first, lines = part
    rows = []
    for number, raw in enumerate(lines, start=first):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, number, raw, exc) from None
        rows.append(_json_object(path, number, line))
    return rows


def _merged_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """One field per key, in the order keys are first seen, typed as a whole-file read types it."""
    fields: dict[str, list[pa.Field]] = {}
    for schema in schemas:
        for field in schema:
            fields.setdefault(field.name, []).append(field)
    return pa.schema([_merged_field(name, seen) for name, seen in fields.items()])


def _merged_field(name: str, seen: list[pa.Field]) -> pa.Field:
    typed = [f for f in seen if not pa.types.is_null(f.type)]
    if not typed:
        return pa.field(name, pa.null())
    types = {f.type for f in typed}
    marks = {f.metadata == JSON_FIELD for f in typed}
    if len(types) == 1 and len(marks) == 1:
        return typed[0]
    if types == {pa.int64(), pa.float64()}:
        return pa.field(name, pa.float64())
    return pa.field(name, pa.string())  # mixed: plain text, as ``_column`` makes it


def _conformed(path: Path, table: pa.Table, part: tuple[int, list[bytes]] | None, schema: pa.Schema) -> pa.Table:
    """A part given the file's columns and types: missing keys as nulls, integers widened
    where other parts have fractions; values that must become text are read again in Python,
    so that they read exactly as ``_as_text`` writes them."""
    if table.schema.equals(schema, check_metadata=True):
        return table
    arrays = []
    for field in schema:
        array = _cheaply_conformed(table, field)
        if array is None:
            return _rows_conformed(_parsed(path, part), schema)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def _cheaply_conformed(table: pa.Table, field: pa.Field) -> pa.ChunkedArray | pa.Array | None:
    if field.name not in table.column_names:
        return pa.nulls(table.num_rows, field.type)
    column = table[field.name]
    if column.type == field.type:
        return column
    if pa.types.is_null(column.type):
        return pa.nulls(table.num_rows, field.type)
    if column.type == pa.int64() and field.type == pa.float64():
        return column.cast(pa.float64())
    return None


def _rows_conformed(rows: list[dict], schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        values = [row.get(field.name) for row in rows]
        if field.metadata == JSON_FIELD:
            arrays.append(_json_text(values))
        elif field.type == pa.string():
            arrays.append(pa.array([_as_text(v) for v in values], pa.string()))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _checked(path: str | Path, fmt: str | None) -> tuple[Path, str]:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give the file to import")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return path, detect_format(path, fmt)


def _read_csv(path: Path) -> pa.Table:
    delimiter, header = _csv_header(path)
    try:
        return pacsv.read_csv(
            path, parse_options=_csv_parse_options(delimiter), convert_options=_csv_convert_options(header)
        )
    except pa.ArrowInvalid as exc:
        raise _csv_error(path, delimiter, header, exc) from exc


def _csv_header(path: Path) -> tuple[str, list[str]]:
    """The delimiter and the header's column names, checked (each named, none repeated)."""
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
    return delimiter, header


def _csv_parse_options(delimiter: str) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)


def _csv_convert_options(header: list[str]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header},
        # Only an empty cell is missing: "NA" is a name, a country (Namibia), an answer.
        null_values=[""],
        strings_can_be_null=True,
    )


def _csv_error(path: Path, delimiter: str, header: list[str], exc: pa.ArrowInvalid) -> Exception:
    """Find the row Arrow could not read (error path only: it costs a pass in Python)."""
    _check_utf8(path)
    return _ragged_row(path, delimiter, len(header)) or exc


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
                raise _not_utf8(path, number, line, exc) from None


def _not_utf8(path: Path, number: int, line: bytes, exc: UnicodeDecodeError) -> InputError:
    return InputError(
        f"{path}, line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x}); "
        'save the file as UTF-8 (in Excel: "CSV UTF-8") and import it again'
    )


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
    table = _arrow_json(lambda: path)
    if table is None:
        return _rows_table(_jsonl_rows(path))
    return table


def _arrow_json(source: Callable[[], Path | io.BytesIO]) -> pa.Table | None:
    """JSON Lines read by Arrow, with text that looks like a time kept as text; None where they
    must be read in Python: Arrow wants one type per key across all lines (mixed types must
    reach the field checks, and a broken line be reported by number) and pads nested objects
    with every key seen (they are kept as written)."""
    try:
        table = _valid(pajson.read_json(source()))
        if any(pa.types.is_nested(f.type) for f in table.schema):
            return None
        times = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
        if times:
            # Arrow turns text that looks like a time into a naive UTC timestamp, dropping
            # its offset (even in an id): read those columns again as the text they are.
            as_text = pajson.ParseOptions(explicit_schema=pa.schema([(name, pa.string()) for name in times]))
            table = _valid(pajson.read_json(source(), parse_options=as_text)).select(table.column_names)
    except pa.ArrowInvalid:
        return None
    return table


def _valid(table: pa.Table) -> pa.Table:
    table.validate(full=True)  # Arrow's JSON reader lets bytes that are not UTF-8 into text
    return table


def _first_byte(path: Path) -> bytes:
    with open(path, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1]


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
    try:
        with open(path, encoding="utf-8-sig") as f:
            return [_json_object(path, number, line) for number, line in enumerate(f, start=1) if line.strip()]
    except UnicodeDecodeError:
        _check_utf8(path)
        raise


def _json_object(path: Path, number: int, line: str) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}, line {number}: not valid JSON ({exc.msg}); cxlens reads JSON Lines "
            "(one object per line) or one JSON array of objects: fix the line"
        ) from exc
    if not isinstance(obj, dict):
        raise InputError(f"{path}, line {number}: expected a JSON object per line, got {type(obj).__name__}")
    return obj


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
        return _json_text(values)
    if kinds in ({str}, {bool}, {float}, {int, float}) or (
        kinds == {int} and all(v is None or -(2**63) <= v < 2**63 for v in values)
    ):
        return pa.array(values)
    return pa.array([_as_text(v) for v in values], pa.string())


def _json_text(values: list) -> pa.Array:
    return pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values], pa.string())


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
