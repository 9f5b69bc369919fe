"""Each customer's purchase history in the few numbers the buying models need, computed by the
analytics engine (SQLite, PostgreSQL, DuckDB or Spark) from the ``revenue`` table.

A purchase is a day with positive revenue (several payments on one day are one purchase, as
in the BTYD literature); refunds (amounts ≤ 0) are not purchases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import ibis
import numpy as np

from ..analytics.facts import bound
from ..errors import InputError
from ..periods import timestamp

__all__ = ["PurchaseSummary", "purchase_expression", "purchase_summary"]

DAY = 86400.0


@dataclass(frozen=True)
class PurchaseSummary:
    """Per customer (``customer_id``): frequency x (repeat purchase days), recency t_x and age
    T in days since the first purchase, and monetary value (mean revenue of the repeat
    purchase days; 0 without any), as of ``as_of``."""

    customer_id: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    as_of: datetime
    currency: str | None
    total: np.ndarray | None = None  # all revenue, first purchase included (RFM's M)

    def __len__(self) -> int:
        return len(self.customer_id)

    @property
    def repeat(self) -> np.ndarray:
        return self.frequency > 0


def purchase_expression(revenue: ibis.Table, as_of: datetime) -> ibis.Table:
    """One row per customer who bought before ``as_of``: purchase days, first and last day
    (epoch seconds), and the revenue of the days after the first."""
    r = revenue.filter(revenue.occurred_at < bound(revenue.occurred_at, as_of), revenue.amount > 0)
    day = ((r.occurred_at.epoch_seconds().cast("float64")) / DAY).floor().cast("int64")
    r = r.select(customer_id=r.customer_id, day=day, amount=r.amount.cast("float64"))
    days = r.group_by(["customer_id", "day"]).aggregate(amount=r.amount.sum())
    first = days.group_by(f_customer=days.customer_id).aggregate(first=days.day.min())
    j = days.join(first, days.customer_id == first.f_customer)
    j = j.mutate(later=(j.day > j.first).ifelse(j.amount, 0.0))
    return j.group_by("customer_id").aggregate(
        days=j.count(), first=j.day.min(), last=j.day.max(), repeat_amount=j.later.sum(), total=j.amount.sum()
    )


def purchase_summary(k, *, until=None) -> PurchaseSummary:
    """The purchase summary of every customer who bought before ``until`` (or now), from the
    engine of ``k`` (a ``KPIs``). Revenue must be in one currency."""
    as_of = timestamp(until, "--until") or datetime.now(timezone.utc)
    revenue = k.engine.table("revenue")
    before = revenue.filter(revenue.occurred_at < bound(revenue.occurred_at, as_of))
    currencies = k.engine.execute(before.group_by("currency").aggregate(n=before.count()))
    names = sorted(str(c) for c in currencies.column("currency").to_pylist())
    if len(names) > 1:
        raise InputError(
            f"revenue before {as_of:%Y-%m-%d} is in several currencies ({', '.join(names)}); "
            "lifetime value needs one: convert the amounts before importing them"
        )
    t = k.engine.execute(purchase_expression(revenue, as_of).order_by("customer_id"))
    days = t.column("days").to_numpy().astype(float)
    first = t.column("first").to_numpy().astype(float)
    frequency = days - 1
    repeat = t.column("repeat_amount").to_numpy().astype(float)
    return PurchaseSummary(
        customer_id=t.column("customer_id").to_numpy(),
        frequency=frequency,
        recency=t.column("last").to_numpy().astype(float) - first,
        T=np.maximum(as_of.timestamp() / DAY - first, 0.0),
        monetary=np.divide(repeat, frequency, out=np.zeros_like(repeat), where=frequency > 0),
        as_of=as_of,
        currency=names[0] if names else None,
        total=t.column("total").to_numpy().astype(float),
    )
