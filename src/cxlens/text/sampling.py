"""Reading many texts with bounded memory: keyset pages, and a stratified sample for fits.

``pages`` reads a query's rows in pages of ``size`` ids by its first column, each page on a
connection of its own that is given back after it (no snapshot is held across pages, so
neither SQLite's checkpoints nor PostgreSQL's vacuum wait for a long run). Memory holds one
page at a time, whatever the size of the table.

``sample`` reads at most ``cap`` rows of one or more tables for a fit, stratified by
(source, language): each stratum's quota comes from water-filling (the smallest strata keep
every text, the rest share what is left equally), and within a stratum the rows kept are
those whose id hashes below the stratum's share (Knuth's multiplicative hash), so the same
store gives the same sample and the sample spreads over the whole id range (time).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

__all__ = ["Sample", "Stratified", "id_ranges", "pages", "quotas", "sample"]

_HASH_MULTIPLIER = 2654435761  # Knuth's multiplicative hash, over 32 bits
_HASH_RANGE = 2**32


def id_ranges(engine: sa.Engine, key: sa.ColumnElement, size: int) -> Iterator[tuple[int, int]]:
    """(low, high] ranges of ``size`` values covering the integer key column's values."""
    with engine.connect() as conn:
        low, high = conn.execute(sa.select(sa.func.min(key), sa.func.max(key))).one()
    if low is None:
        return
    for start in range(low - 1, high, size):
        yield start, start + size


def pages(engine: sa.Engine, query: sa.Select, size: int) -> Iterator[list[sa.Row]]:
    """The rows of ``query`` in pages of at most ``size``, in ascending order of its first
    column, an integer key of one table (an id): each page is the rows whose key lies in the
    next ``size`` values, ``WHERE id > low AND id <= low + size``. A page is bounded on both
    sides, so the database reads only that slice of the table (an open-ended ``id > last …
    LIMIT`` may sort or hash the rest of the table for every page)."""
    key = query.selected_columns[0]
    for low, high in id_ranges(engine, key, size):
        with engine.connect() as conn:
            rows = conn.execute(query.where(key > low, key <= high).order_by(key)).all()
        if rows:
            yield rows


def quotas(counts: dict[Hashable, int], cap: int) -> dict[Hashable, int]:
    """How many of each stratum's ``counts`` to keep so that at most ``cap`` are kept: every
    stratum keeps min(its count, an equal share of what the smaller strata left)."""
    out: dict[Hashable, int] = {}
    left = cap
    ordered = sorted(counts, key=lambda k: (counts[k], repr(k)))
    for i, key in enumerate(ordered):
        out[key] = min(counts[key], left // (len(ordered) - i))
        left -= out[key]
    return out


@dataclass(frozen=True)
class Stratified:
    """One table's part of a sample: ``query`` selects the id first, then what the fit reads;
    ``language`` is the column the strata are made of (None: one stratum)."""

    source: str
    query: sa.Select
    id: sa.ColumnElement
    language: sa.ColumnElement | None


@dataclass(frozen=True)
class Sample:
    rows: dict[str, list[sa.Row]]  # source -> rows in id order; the stratum is the last column
    population: int  # rows the parts hold, sampled or not

    @property
    def sampled(self) -> bool:
        return sum(map(len, self.rows.values())) < self.population


def sample(engine: sa.Engine, parts: Sequence[Stratified], cap: int, size: int) -> Sample:
    """At most ``cap`` rows over ``parts``, stratified by (source, language); every row when
    the parts hold no more than ``cap``. Rows come per source in id order, read in pages."""
    counts: dict[tuple[str, str | None], int] = {}
    with engine.connect() as conn:
        for part in parts:
            inner = part.query.with_only_columns(
                part.id, _stratum(part).label("stratum"), maintain_column_froms=True
            ).subquery()
            for language, n in conn.execute(sa.select(inner.c.stratum, sa.func.count()).group_by(inner.c.stratum)):
                counts[(part.source, language)] = n
    keep = quotas(counts, cap)
    out: dict[str, list[sa.Row]] = {}
    for part in parts:
        mine = {lang: (keep[(src, lang)], counts[(src, lang)]) for src, lang in counts if src == part.source}
        out[part.source] = _read_part(engine, part, mine, size)
    return Sample(out, sum(counts.values()))


def _stratum(part: Stratified) -> sa.ColumnElement:
    return part.language if part.language is not None else sa.null()


def _read_part(engine: sa.Engine, part: Stratified, mine: dict, size: int) -> list[sa.Row]:
    query = part.query
    if any(kept < n for kept, n in mine.values()):
        # Keep a row when its id's hash falls below its stratum's share of the hash range.
        hashed = (part.id * sa.literal(_HASH_MULTIPLIER, sa.BigInteger)) % sa.literal(_HASH_RANGE, sa.BigInteger)
        shares = {lang: sa.literal(_HASH_RANGE * kept // n, sa.BigInteger) for lang, (kept, n) in mine.items()}
        if part.language is None:
            query = query.where(hashed < shares[None])
        else:
            whens = [
                (part.language.is_(None) if lang is None else part.language == lang, v) for lang, v in shares.items()
            ]
            query = query.where(hashed < sa.case(*whens, else_=sa.literal(0, sa.BigInteger)))
    taken: dict[str | None, int] = {}
    rows: list[sa.Row] = []
    for page in pages(engine, query.add_columns(_stratum(part).label("sample_stratum")), size):
        for row in page:
            lang = row[-1]
            # The hash keeps about the quota; never more.
            if taken.get(lang, 0) < mine.get(lang, (0, 0))[0]:
                taken[lang] = taken.get(lang, 0) + 1
                rows.append(row)
    return rows
