"""Predictions kept in the store: each fit as a ``prediction_models`` row, each customer's
latest prediction of each kind (lifetime value, churn risk) with the model that made it."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime, timezone

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s

__all__ = [
    "AT_RISK_PAGE",
    "KINDS",
    "ON_CUSTOMER",
    "customer_exists",
    "customer_owners",
    "customers_at_risk",
    "latest_model",
    "latest_predictions",
    "save_predictions",
    "segment_models",
]

KINDS = ("clv", "churn", "rfm", "cluster", "persona")
BATCH = 5000
# The segments also written onto the customer ({kind: {column: value's key}}): the KPIs slice by
# customer columns through the one join they already make, on every engine and in the mirror
# and the Parquet export, where reading a kind out of ``customer_predictions``' JSON would
# need each engine's own JSON functions and a second join per question.
ON_CUSTOMER = {
    "rfm": {"rfm_segment": "segment", "rfm_code": "code"},
    "cluster": {"cluster": "name"},
    "persona": {"persona": "persona", "persona_version": "version"},
}
# Kinds whose every customer is segmented anew: one left out (no purchase yet) has none. A
# persona definition sets only the customers its rules match; the others keep their persona.
RESET = ("rfm", "cluster")


def _clean(value):
    """JSON-safe: NaN and infinities (an interval without a bootstrap) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # NumPy scalars
        return _clean(value.item())
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def save_predictions(
    store: Store, kind: str, *, version: str, summary: dict, rows: Iterable[tuple[int, dict]], fitted_at=None
) -> int:
    """Store one model and, per (customer id, values), its prediction, replacing the
    customer's previous one of this kind, in one transaction. Returns the model's id."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    now = datetime.now(timezone.utc)
    rows = list(rows)
    summary = json.loads(json.dumps(_clean(summary), default=str))
    with store.engine.begin() as conn:
        model_id = conn.execute(
            s.prediction_models.insert()
            .values(kind=kind, version=version, fitted_at=fitted_at or now, n=len(rows), summary=summary)
            .returning(s.prediction_models.c.id)
        ).scalar_one()
        conn.execute(s.customer_predictions.delete().where(s.customer_predictions.c.kind == kind))
        for i in range(0, len(rows), BATCH):
            conn.execute(
                s.customer_predictions.insert(),
                [
                    {
                        "customer_id": int(cid),
                        "kind": kind,
                        "model_id": model_id,
                        "computed_at": now,
                        "prediction": _clean(v),
                    }
                    for cid, v in rows[i : i + BATCH]
                ],
            )
        if kind in ON_CUSTOMER:
            _write_on_customers(conn, kind, rows)
    return int(model_id)


def _write_on_customers(conn, kind: str, rows: list[tuple[int, dict]]) -> None:
    """Each customer's segment onto their row, by groups of one value (few distinct values)."""
    columns = ON_CUSTOMER[kind]
    c = s.customers
    if kind in RESET:
        conn.execute(c.update().where(c.c[next(iter(columns))].is_not(None)).values(dict.fromkeys(columns)))
    groups: dict[tuple, list[int]] = {}
    for cid, values in rows:
        groups.setdefault(tuple(values.get(key) for key in columns.values()), []).append(int(cid))
    for value, ids in groups.items():
        for i in range(0, len(ids), BATCH):
            conn.execute(c.update().where(c.c.id.in_(ids[i : i + BATCH])).values(dict(zip(columns, map(_text, value)))))


def _text(value) -> str | None:
    return None if value is None else str(value)


def segment_models(store: Store) -> list[dict]:
    """Each segment kind's latest model: version, when computed, on how many customers, and
    each segment's count of customers (as the customer rows hold them now)."""
    m = s.prediction_models
    found = []
    with store.engine.connect() as conn:
        for kind, columns in ON_CUSTOMER.items():
            latest = conn.execute(
                sa.select(m.c.version, m.c.fitted_at, m.c.n, m.c.summary)
                .where(m.c.kind == kind)
                .order_by(m.c.id.desc())
                .limit(1)
            ).first()
            column = s.customers.c[next(iter(columns))]
            query = sa.select(column, sa.func.count()).group_by(column).order_by(sa.func.count().desc(), column)
            if kind == "persona":
                query = query.where(s.customers.c.persona_version.is_not(None))
            counts = {name: n for name, n in conn.execute(query) if name is not None}
            if latest is None and not counts:
                continue
            found.append(
                {
                    "kind": kind,
                    "version": latest.version if latest else None,
                    "computed_at": latest.fitted_at if latest else None,
                    "n": latest.n if latest else sum(counts.values()),
                    "segments": counts,
                }
            )
    return found


def customer_exists(store: Store, customer_id: int) -> bool:
    """Whether the store holds a customer with this id (a prediction asked of another is a 404)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(s.customers.c.id).where(s.customers.c.id == customer_id)).first() is not None


def latest_predictions(store: Store, customer_id: int) -> dict[str, dict]:
    """The customer's stored predictions by kind: values, model version, when computed, and
    the model's summary (its backtest, for churn)."""
    p, m = s.customer_predictions, s.prediction_models
    query = (
        sa.select(p.c.kind, p.c.prediction, p.c.computed_at, m.c.version, m.c.summary)
        .join(m, p.c.model_id == m.c.id)
        .where(p.c.customer_id == customer_id)
    )
    with store.engine.connect() as conn:
        return {
            r.kind: {
                "values": r.prediction,
                "computed_at": r.computed_at,
                "model": r.version,
                "model_summary": r.summary,
            }
            for r in conn.execute(query)
        }


AT_RISK_PAGE = 50


def customer_owners(store: Store) -> dict[int, dict]:
    """Each customer's owner: who owns their latest case not yet closed ({customer id: user})."""
    cs, u = s.cases, s.users
    query = (
        sa.select(cs.c.customer_id, cs.c.owner_id, u.c.name, u.c.email)
        .join(u, u.c.id == cs.c.owner_id)
        .where(cs.c.customer_id.is_not(None), cs.c.closed_at.is_(None))
        .order_by(cs.c.created_at, cs.c.id)
    )
    with store.engine.connect() as conn:
        # Later cases overwrite earlier ones: the latest open case's owner stays.
        return {r.customer_id: {"id": r.owner_id, "name": r.name or r.email} for r in conn.execute(query)}


def customers_at_risk(
    store: Store,
    *,
    segment: str | None = None,
    rfm_segment: str | None = None,
    owner_id: int | None = None,
    limit: int = AT_RISK_PAGE,
) -> dict:
    """The active customers with a stored churn risk, most CLV at stake first (P(churn in 90
    days) × their CLV), filtered by segment, RFM segment and owner; with the model's version,
    when it was computed, and how many customers matched (n)."""
    p, m, c = s.customer_predictions, s.prediction_models, s.customers
    query = (
        sa.select(
            c.c.id,
            c.c.name,
            c.c.external_id,
            c.c.segment,
            c.c.rfm_segment,
            c.c.persona,
            p.c.prediction,
            p.c.computed_at,
            m.c.version,
        )
        .join(p, p.c.customer_id == c.c.id)
        .join(m, m.c.id == p.c.model_id)
        .where(p.c.kind == "churn", c.c.churned_at.is_(None))
    )
    if segment:
        query = query.where(c.c.segment == segment)
    if rfm_segment:
        query = query.where(c.c.rfm_segment == rfm_segment)
    owners = customer_owners(store)
    rows, version, computed = [], None, None
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            owner = owners.get(r.id)
            if owner_id is not None and (owner is None or owner["id"] != owner_id):
                continue
            v = r.prediction or {}
            version, computed = r.version, r.computed_at
            rows.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "external_id": r.external_id,
                    "segment": r.segment,
                    "rfm_segment": r.rfm_segment,
                    "persona": r.persona,
                    "owner": owner["name"] if owner else None,
                    "churn_30d": v.get("churn_30d"),
                    "churn_90d": v.get("churn_90d"),
                    "clv": v.get("clv"),
                    "clv_at_stake": v.get("clv_at_stake") or 0.0,
                    "factors": v.get("factors") or [],
                }
            )
    # Sorted here, not in SQL: the value sits in each row's JSON, which engines read differently.
    rows.sort(key=lambda row: -row["clv_at_stake"])
    return {"n": len(rows), "model": version, "computed_at": computed, "customers": rows[:limit]}


def latest_model(store: Store, kind: str) -> dict | None:
    """The last stored model of ``kind``: version, when fitted, n and its summary (for churn,
    with its backtest), or None when none was stored."""
    m = s.prediction_models
    query = sa.select(m.c.version, m.c.fitted_at, m.c.n, m.c.summary).where(m.c.kind == kind)
    with store.engine.connect() as conn:
        row = conn.execute(query.order_by(m.c.id.desc()).limit(1)).first()
    return None if row is None else dict(row._mapping)
