"""The conditions of ``answer`` rules, judged on new items: :class:`AnswerItem` (an answer,
mention or ticket as the rules see it), :class:`AnswerFacts` (what the conditions need about a
batch of items, fetched once and only if a rule needs it: sentiment, annual revenue, CLV) and
:func:`judge` (why a rule fires on an item, or None).
"""

from __future__ import annotations

import math
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..store import schema as s
from .answer_rules import AnswerRule

__all__ = ["AnswerFacts", "AnswerItem", "judge", "read_guard"]


def read_guard(conn: sa.Connection):
    """A savepoint around a read on PostgreSQL, where a failed statement aborts the whole
    transaction; nothing on SQLite, where it does not (and a savepoint costs two statements)."""
    return conn.begin_nested() if conn.dialect.name != "sqlite" else nullcontext()


def _store_key(conn: sa.Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


@dataclass
class AnswerItem:
    """An answer, mention or ticket as the rules see it (a ticket's subject and a mention's title
    lead its text)."""

    kind: str
    id: int
    customer_id: int | None
    touchpoint_id: int | None
    at: datetime | None
    score: float | None
    metric: str | None
    text: str
    language: str | None


class AnswerFacts:
    """What the conditions need about a batch of items, each fetched once, only if a rule
    needs it, and inside a savepoint (a failed read must not abort the caller's transaction)."""

    def __init__(
        self, conn: sa.Connection, kind: str, items: list[AnswerItem], now: datetime, model_id: int | None = None
    ):
        self.conn, self.kind, self.items, self.now, self.model_id = conn, kind, items, now, model_id
        self._sentiment: dict[int, str] | None = None
        self._revenue: dict[int, float] | None = None
        self._clv: dict[int, float] | None = None

    def _customers(self) -> set[int]:
        return {i.customer_id for i in self.items if i.customer_id is not None}

    def sentiment(self, item: AnswerItem) -> str | None:
        if self._sentiment is None:
            with read_guard(self.conn):
                self._sentiment = _sentiments(self.conn, self.kind, self.items, self.model_id)
        return self._sentiment.get(item.id)

    def revenue_of(self, customer_id: int) -> float:
        if self._revenue is None:
            with read_guard(self.conn):
                self._revenue = _annual_revenue(self.conn, self._customers(), self.now)
        return self._revenue.get(customer_id, 0.0)

    def clv_of(self, customer_id: int) -> float:
        if self._clv is None:
            with read_guard(self.conn):
                self._clv = _clv(self.conn, self._customers(), self.now, self)
        return self._clv.get(customer_id, 0.0)


_STORED_SENTIMENT = sa.select(s.text_results.c.source_id, s.text_results.c.sentiment).where(
    s.text_results.c.source == sa.bindparam("kind"), s.text_results.c.source_id.in_(sa.bindparam("ids", expanding=True))
)


def _sentiments(conn: sa.Connection, kind: str, items: list[AnswerItem], model_id: int | None) -> dict[int, str]:
    """The stored label of each item's text, else one predicted now (items without text: none)."""
    ids = [i.id for i in items if i.text]
    if not ids:
        return {}
    stored = dict(conn.execute(_STORED_SENTIMENT, {"kind": kind, "ids": ids}).all())
    missing = [i for i in items if i.text and stored.get(i.id) is None]
    if missing:
        predictions = _sentiment_model(conn, model_id).predict([i.text for i in missing])
        stored.update({i.id: str(label) for i, label in zip(missing, predictions.labels)})
    return stored


_MODELS: dict[tuple[str, int | None], Any] = {}


def _sentiment_model(conn: sa.Connection, model_id: int | None):
    """The sentiment model ``model_id`` (kept in memory), or VADER's fallback without one."""
    from ..text.sentiment import SentimentModel

    m = s.text_models
    key = (_store_key(conn), model_id)
    if key not in _MODELS:
        data = conn.execute(sa.select(m.c.data).where(m.c.id == model_id)).scalar() if model_id is not None else None
        _MODELS[key] = SentimentModel.from_bytes(data) if data else SentimentModel()  # unfitted: VADER
    return _MODELS[key]


def _annual_revenue(conn: sa.Connection, customers: set[int], now: datetime) -> dict[int, float]:
    if not customers:
        return {}
    r = s.revenue
    rows = conn.execute(
        sa.select(r.c.customer_id, sa.func.sum(r.c.amount))
        .where(
            r.c.customer_id.in_(sorted(customers)), r.c.occurred_at >= now - timedelta(days=365), r.c.occurred_at < now
        )
        .group_by(r.c.customer_id)
    ).all()
    return {cid: float(total or 0.0) for cid, total in rows}


_CHURN: dict[str, tuple[float, float | None]] = {}  # store -> (expires, annual churn rate)
_CHURN_TTL = 3600.0


def _annual_churn(conn: sa.Connection, now: datetime) -> float | None:
    """The store's churn over the year before (the catalogue's definition), kept an hour."""
    key = _store_key(conn)
    found = _CHURN.get(key)
    if found and found[0] > time.monotonic():
        return found[1]
    c = s.customers
    start = now - timedelta(days=365)
    at_start = sa.and_(c.c.signed_up_at < start, sa.or_(c.c.churned_at.is_(None), c.c.churned_at >= start))
    churned = sa.and_(at_start, c.c.churned_at.is_not(None), c.c.churned_at < now)
    row = conn.execute(sa.select(sa.func.count().filter(at_start), sa.func.count().filter(churned))).one()
    rate = row[1] / row[0] if row[0] else None
    _CHURN[key] = (time.monotonic() + _CHURN_TTL, rate)
    return rate


def _clv(conn: sa.Connection, customers: set[int], now: datetime, facts: AnswerFacts) -> dict[int, float]:
    if not customers:
        return {}
    from ..analytics.customers import (
        HORIZON_YEARS,  # heavy (Ibis): only for rules on CLV
    )

    c = s.customers
    rows = conn.execute(
        sa.select(c.c.id, c.c.attributes, c.c.acquisition_cost).where(c.c.id.in_(sorted(customers)))
    ).all()
    churn = _annual_churn(conn, now)
    years = HORIZON_YEARS if not churn else min(1 / churn, HORIZON_YEARS)
    out = {}
    for cid, attributes, cac in rows:
        given = (attributes or {}).get("clv") if isinstance(attributes, dict) else None
        if isinstance(given, (int, float)) and not isinstance(given, bool) and math.isfinite(given):
            out[cid] = float(given)
        else:
            out[cid] = facts.revenue_of(cid) * years - float(cac or 0.0)
    return out


def judge(rule: AnswerRule, item: AnswerItem, facts: AnswerFacts) -> dict[str, Any] | None:
    """Why the rule fires on the item (the conditions that held), or None."""
    held: dict[str, Any] = {}
    tried = 0
    for name in rule.conditions:
        tried += 1
        if name == "score_at_most":
            ok = item.score is not None and item.score <= rule.score_at_most
            value: Any = item.score
        elif name == "sentiment":
            value = facts.sentiment(item)
            ok = value in rule.sentiment
        elif name == "words":
            value = rule.words.find(item.text)
            ok = bool(value)
        elif name == "clv_at_least":
            value = round(facts.clv_of(item.customer_id), 2) if item.customer_id is not None else None
            ok = value is not None and value >= rule.clv_at_least
        else:
            value = round(facts.revenue_of(item.customer_id), 2) if item.customer_id is not None else None
            ok = value is not None and value >= rule.revenue_at_least
        if ok:
            held[name] = value
            if rule.match == "any":
                return held
        elif rule.match == "all":
            return None
    return held if (rule.match == "all" or not tried) else None
