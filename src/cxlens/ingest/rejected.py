"""The rows an import skipped (``--skip-bad-rows``), with their reasons, as a CSV file a person
can fix and import again."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pyarrow as pa

from ..errors import BadRow, InputError
from .fields import to_json
from .readers import Source

__all__ = ["RejectedRows", "rejected_path"]


class RejectedRows:
    """Rejected rows, written chunk by chunk beside their final path and moved there only once
    the good rows are in, so a failed import leaves no file."""

    def __init__(self, path: Path):
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.file = None
        self.writer = None

    def write(self, source: Source, bad: list[BadRow]) -> None:
        """The rows of ``source`` that ``bad`` names, as the file had them, with every reason."""
        table = source.table
        if self.writer is None:
            self.file = open(self.part, "w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.file)
            self.writer.writerow(["row", *table.column_names, "error"])
        by_row: dict[int, list[str]] = {}
        for b in bad:
            by_row.setdefault(b.row, []).append(f"{b.column}: {b.value!r} {b.problem}; {b.fix}")
        idx = pa.array([r - source.first_row for r in sorted(by_row)])
        # As the file had them (untrimmed), so the rejected rows can be fixed and imported again.
        texts = {c: _raw_text(table.column(c).take(idx)) for c in table.column_names}
        for k, row in enumerate(sorted(by_row)):
            self.writer.writerow([row, *(texts[c][k] for c in table.column_names), " | ".join(by_row[row])])

    def close(self, keep: bool) -> None:
        """Move the file into place (``keep``) or remove it."""
        if self.file is not None:
            self.file.close()
            if keep:
                os.replace(self.part, self.path)
            else:
                self.part.unlink(missing_ok=True)


def _raw_text(column: pa.ChunkedArray) -> list:
    return [v if v is None or isinstance(v, str) else to_json(v) for v in column.to_pylist()]


def rejected_path(source: Source, rejected_file: str | Path | None) -> Path:
    """Where rejected rows go; checked before anything is written."""
    path = Path(rejected_file or f"{source.name}.rejected.csv")
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise InputError(f"--rejected {path}: cannot write a file there; give a path in a folder you can write to")
    return path
