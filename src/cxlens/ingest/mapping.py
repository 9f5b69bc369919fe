"""Which column of an import's file holds each field: by name (case, spaces and dashes do not
matter) or as ``--map FIELD=COLUMN`` says; the file's other columns are extras."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InputError
from .readers import Source

if TYPE_CHECKING:
    from .kinds import Kind

__all__ = ["map_columns"]


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def map_columns(source: Source, kind: Kind, mapping: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The file's column for each field it has, and the columns no field claims."""
    table = source.table
    for fld, col in mapping.items():
        if fld not in kind.fields:
            raise InputError(f"--map {fld}={col}: {kind.name} have no field {fld!r}; fields: {', '.join(kind.fields)}")
        if col not in table.column_names:
            raise InputError(
                f"--map {fld}={col}: {source.name} has no column {col!r}; its columns: {', '.join(table.column_names)}"
            )
    by_field = dict(mapping)
    claimed = set(mapping.values())
    extras = []
    for col in table.column_names:
        if col in claimed:
            continue
        fld = _normalise(col)
        if fld in kind.fields and fld in by_field and fld not in mapping:
            raise InputError(
                f"{source.name}: the columns {by_field[fld]!r} and {col!r} both mean the field {fld}; "
                "rename or remove one, or say which to use with --map"
            )
        if fld in kind.fields and fld not in by_field:
            by_field[fld] = col
        else:
            extras.append(col)
    missing = [f for f, spec in kind.fields.items() if spec.required and f not in by_field]
    if missing:
        raise InputError(
            f"{source.name}: {kind.name} need the column(s) {', '.join(missing)}, which the file lacks "
            f"(its columns: {', '.join(table.column_names)}). Rename them, or map yours: "
            + " ".join(f"--map {m}=YOUR_COLUMN" for m in missing)
        )
    return by_field, extras
