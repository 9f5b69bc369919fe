"""What every KPI returns: a tidy table with its interval, n and method on each row."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..errors import MissingDependency
from .estimate import MIN_N

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["KPIResult"]


@dataclass
class KPIResult:
    """A tidy table: one row per group (and period) with ``value``, ``low``..``high`` (the
    interval at ``confidence``), ``n``, ``method`` and ``sufficient`` (n ≥ 30); with
    ``compare``, also ``change``, ``change_low``, ``change_high``, ``p_value`` and
    ``significant``. KPIs of their own shape add columns (a funnel's ``drop_off``, a cohort's
    ``age``).

    ``summary()`` writes it out in words and a text table; ``to_dicts()``, ``to_arrow()``,
    ``to_pandas()`` and ``to_polars()`` hand the rows on (pyarrow and pandas come with cxlens;
    polars only if it is installed).
    """

    metric: str
    by: list[str]
    grain: str | None
    rows: list[dict] = field(default_factory=list)
    confidence: float = 0.95

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        return self.summary()

    def to_dicts(self) -> list[dict]:
        return [dict(r) for r in self.rows]

    def to_arrow(self) -> pa.Table:
        """The rows as a ``pyarrow.Table`` (one column per key; the keys of the first row decide)."""
        import pyarrow as pa

        if not self.rows:
            return pa.table({c: pa.array([]) for c in [*self.by, "value", "low", "high", "n", "method"]})
        return pa.Table.from_pylist(self.rows)

    def to_pandas(self):
        """The rows as a ``pandas.DataFrame`` (through Arrow)."""
        return self.to_arrow().to_pandas()

    def to_polars(self):
        """The rows as a ``polars.DataFrame`` (through Arrow, without a copy); needs polars."""
        try:
            import polars
        except ImportError:
            raise MissingDependency(
                "to_polars() needs polars, which is not installed: pip install polars "
                "(or use to_pandas() or to_arrow())"
            ) from None
        return polars.from_arrow(self.to_arrow())

    def summary(self, max_rows: int = 20) -> str:
        """The result in plain words, then a text table of its first ``max_rows`` rows::

        Net Promoter Score by touchpoint, per month: 6 rows (95% intervals).
        touchpoint  period    value  interval         n  change  p      significant
        checkout    2026-01   31.2   24.0 to 38.1   612
        ...
        """
        entry = catalog.CATALOGUE.get(self.metric)
        name = entry.title if entry else self.metric
        head = name + (f" by {', '.join(self.by)}" if self.by else "") + (f", per {self.grain}" if self.grain else "")
        if not self.rows:
            return f"{head}: no data."
        text = [f"{head}: {len(self.rows)} row(s) ({self.confidence:.0%} intervals)."]
        unit = entry.unit if entry else None
        compared = any("change" in r for r in self.rows)
        keys = [k for k in self.by if any(k in r for r in self.rows)]
        if self.grain and any("period" in r for r in self.rows):
            keys.append("period")
        header = [*keys, "value", "interval", "n", *(["change", "p", "significant"] if compared else [])]
        table = [header]
        for r in self.rows[:max_rows]:
            cells = [_cell(r.get(k), self.grain) for k in keys]
            cells += [_number(r.get("value"), unit), _interval(r.get("low"), r.get("high"), unit), _cell(r.get("n"))]
            if compared:
                cells += [
                    _number(r.get("change"), unit, signed=True),
                    _cell(r.get("p_value")),
                    "yes" if r.get("significant") else "",
                ]
            table.append(cells)
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        text += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        if len(self.rows) > max_rows:
            text.append(f"... and {len(self.rows) - max_rows} more row(s).")
        thin = sum(1 for r in self.rows if r.get("sufficient") is False)
        if thin:
            text.append(f"{thin} row(s) rest on n < {MIN_N}: too little data to rely on.")
        if compared:
            text.append(f"change: from the period compared with; significant when p < {1 - self.confidence:.2g}.")
        return "\n".join(text)


def _cell(value: Any, grain: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime({"year": "%Y", "quarter": "%Y-%m", "month": "%Y-%m"}.get(grain or "", "%Y-%m-%d"))
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _number(value: float | None, unit: str | None, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "-inf" if value < 0 else "inf"
    sign = "+" if signed else ""
    digits = 0 if unit in ("count", "money", "seconds") else (2 if unit == "stars" or abs(value) < 10 else 1)
    return f"{value:{sign},.{digits}f}" + ("%" if unit == "percent" and not signed else "")


def _interval(low: float | None, high: float | None, unit: str | None) -> str:
    if low is None or high is None:
        return ""
    return f"{_number(low, unit)} to {_number(high, unit)}"
