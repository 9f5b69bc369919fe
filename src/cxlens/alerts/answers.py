"""``answer`` rules: each new answer, mention or ticket judged as it is stored.

A rule (an ``alert_rules`` row of kind ``answer``; the journeys file's ``alerts.rules``) names
conditions, and fires on an item when ``match: any`` (default) or ``all`` of them hold:

- ``score_at_most: N`` — a survey answer's score (on its own scale) or a mention's star rating;
- ``sentiment: negative`` (or a list of labels) — the stored text analysis when there is one,
  else the store's sentiment model (VADER before one is fitted), scored on the spot;
- ``words: urgent`` — a word list of ``alerts/data/word_lists.yaml`` or the journeys file's
  ``cases.word_lists``, or a list of words; matched ignoring case and accents, on word
  boundaries (``refund*`` takes any ending; Chinese and Thai terms match anywhere);
- ``clv_at_least`` / ``revenue_at_least`` — the customer's value: revenue is the customer's
  revenue over the year before; CLV is ``customers.attributes.clv`` when the business gives
  one, else the simple CLV of the catalogue for one customer (annual revenue × expected years
  from the store's annual churn rate, at most 10, − acquisition cost).

Optional: ``sources`` (response, mention, ticket; default all), ``max_age`` (default 7d: an
import of old history opens no cases for it), ``notify`` (notifier names) and ``open_case``
with ``priority``. What a rule does is idempotent per rule and item: notifications are keyed
``answer:{rule}:{kind}:{id}:{notifier}``, cases carry ``origin_key=rule:{rule}:{kind}:{id}``, so
checking an item twice (a score, then the comment that follows it) acts at most once.

On the write path (the survey pages, widget and API through :class:`~cxlens.collect.Collection`,
imports): :func:`check_new_items` runs inside the transaction that stored the items. Its cost
without rules is a dictionary look-up: which rules exist is read at most every
:data:`RULES_TTL` seconds per store. A rule that fails is logged and skipped, inside a
savepoint, so it can neither lose the answer nor stop the other rules.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from ..store import schema as s
from .case_settings import PRIORITIES, SETTING_KEY, parse_deadline
from .outbox import enqueue
from .settings import read_setting
from .words import WordMatcher, word_lists

__all__ = [
    "ANSWER_KINDS",
    "RULES_TTL",
    "AnswerCheck",
    "AnswerRule",
    "answer_rules",
    "check_new_items",
    "forget_answer_rules",
    "watch_new_items",
]

log = logging.getLogger(__name__)

ANSWER_KINDS = ("response", "mention", "ticket")
RULES_TTL = 2.0  # seconds a store's answer rules are remembered
BATCH = 500
DEFAULT_MAX_AGE = "7d"
_TABLES = {"response": s.responses, "mention": s.mentions, "ticket": s.tickets}
_IMPORT_KINDS = {"responses": "response", "mentions": "mention", "tickets": "ticket"}
_CONDITIONS = ("score_at_most", "sentiment", "words", "clv_at_least", "revenue_at_least")


# --- rules --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRule:
    """An enabled ``answer`` rule, ready to judge items."""

    id: int
    name: str
    sources: tuple[str, ...]
    score_at_most: float | None = None
    sentiment: tuple[str, ...] = ()
    words: WordMatcher | None = None
    clv_at_least: float | None = None
    revenue_at_least: float | None = None
    match: str = "any"
    notify: tuple[str, ...] = ()
    open_case: bool = False
    priority: str = "normal"
    max_age: timedelta | None = timedelta(days=7)

    @property
    def conditions(self) -> tuple[str, ...]:
        given = {
            "score_at_most": self.score_at_most is not None,
            "sentiment": bool(self.sentiment),
            "words": self.words is not None,
            "clv_at_least": self.clv_at_least is not None,
            "revenue_at_least": self.revenue_at_least is not None,
        }
        return tuple(k for k in _CONDITIONS if given[k])

    @classmethod
    def from_row(
        cls, rule_id: int, name: str, definition: dict[str, Any], lists: dict[str, tuple[str, ...]]
    ) -> AnswerRule:
        """Raises ValueError naming the rule and key when the definition cannot be used."""
        d = definition or {}

        def fail(key: str, message: str):
            raise ValueError(f"answer rule {name!r}: {key}: {message}")

        sources = d.get("sources") or list(ANSWER_KINDS)
        sources = [sources] if isinstance(sources, str) else list(sources)
        for src in sources:
            if src not in ANSWER_KINDS:
                fail("sources", f"{src!r} is not a source; use {', '.join(ANSWER_KINDS)}")
        words = d.get("words")
        matcher = None
        if words is not None:
            if isinstance(words, str):
                if words not in lists:
                    fail(
                        "words",
                        f"{words!r} is not a word list; lists: {', '.join(sorted(lists))} (or give a list of words)",
                    )
                matcher = WordMatcher(lists[words])
            elif isinstance(words, list) and all(isinstance(w, str) for w in words):
                matcher = WordMatcher([w2 for w in words for w2 in (lists[w] if w in lists else (w,))])
            else:
                fail("words", "expected a word list's name or a list of words")
        sentiment = d.get("sentiment")
        sentiment = () if sentiment is None else (sentiment,) if isinstance(sentiment, str) else tuple(sentiment)
        match = d.get("match", "any")
        if match not in ("any", "all"):
            fail("match", f"{match!r}: use any or all")
        priority = d.get("priority", "normal")
        if priority not in PRIORITIES:
            fail("priority", f"{priority!r}: use {', '.join(PRIORITIES)}")
        notify = d.get("notify") or ()
        max_age = d.get("max_age", DEFAULT_MAX_AGE)
        age = None if max_age is None else timedelta(seconds=parse_deadline(max_age).seconds)
        numbers = {}
        for key in ("score_at_most", "clv_at_least", "revenue_at_least"):
            value = d.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                fail(key, f"{value!r} is not a number")
            numbers[key] = None if value is None else float(value)
        return cls(
            rule_id,
            name,
            tuple(sources),
            numbers["score_at_most"],
            sentiment,
            matcher,
            numbers["clv_at_least"],
            numbers["revenue_at_least"],
            match,
            tuple([notify] if isinstance(notify, str) else notify),
            bool(d.get("open_case", False)),
            priority,
            age,
        )


@dataclass
class _Rules:
    expires: float
    rules: tuple[AnswerRule, ...]
    errors: tuple[str, ...] = ()
    sentiment_model: int | None = None  # the store's latest sentiment model, when a rule needs one


def _guard(conn: sa.Connection):
    """A savepoint around a read on PostgreSQL, where a failed statement aborts the whole
    transaction; nothing on SQLite, where it does not (and a savepoint costs two statements)."""
    return conn.begin_nested() if conn.dialect.name != "sqlite" else nullcontext()


# By engine (weakly: a disposed store's rules go with it); looking one up costs ~0.2 µs.
_CACHE: weakref.WeakKeyDictionary[sa.Engine, _Rules] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _store_key(conn: sa.Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def forget_answer_rules(conn: sa.Connection | None = None) -> None:
    """Make the next check read the rules again (of every store without an argument). Whoever
    changes the rules in this process calls it; other processes see changes within RULES_TTL."""
    with _CACHE_LOCK:
        if conn is None:
            _CACHE.clear()
        else:
            _CACHE.pop(conn.engine, None)


def _read_rules(conn: sa.Connection) -> _Rules:
    r = s.alert_rules
    with conn.begin_nested():  # a failing read (an old schema) must not abort the caller's transaction
        rows = conn.execute(
            sa.select(r.c.id, r.c.name, r.c.definition)
            .where(r.c.kind == "answer", r.c.enabled.is_(sa.true()))
            .order_by(r.c.id)
        ).all()
        custom = (read_setting(conn, SETTING_KEY) or {}).get("word_lists") if rows else None
    lists = word_lists(custom) if rows else {}
    rules, errors = [], []
    for row in rows:
        try:
            rules.append(AnswerRule.from_row(row.id, row.name, row.definition, lists))
        except (ValueError, TypeError) as exc:
            log.error("%s; the rule is skipped", exc)
            errors.append(str(exc))
    model = None
    if any(r.sentiment for r in rules):
        m = s.text_models
        with conn.begin_nested():
            model = conn.execute(
                sa.select(m.c.id).where(m.c.kind == "sentiment").order_by(m.c.created_at.desc(), m.c.id.desc()).limit(1)
            ).scalar()
    return _Rules(time.monotonic() + RULES_TTL, tuple(rules), tuple(errors), model)


def answer_rules(conn: sa.Connection) -> tuple[AnswerRule, ...]:
    """The store's enabled answer rules, read at most every RULES_TTL seconds."""
    return _cached(conn).rules


def _cached(conn: sa.Connection) -> _Rules:
    key = conn.engine
    found = _CACHE.get(key)
    if found is not None and found.expires > time.monotonic():
        return found
    try:
        found = _read_rules(conn)
    except Exception:  # noqa: BLE001 - the answer is stored whatever happens here
        log.exception("could not read the answer rules; new items are not checked for %.0f s", RULES_TTL)
        found = _Rules(time.monotonic() + RULES_TTL, (), ("could not read the answer rules",))
    _CACHE[key] = found
    return found


# --- the items ----------------------------------------------------------------------------------------


def _item_query(kind: str, ids: list[int]):
    if kind == "response":
        t = s.responses
        cols = [
            t.c.id,
            t.c.customer_id,
            t.c.touchpoint_id,
            t.c.submitted_at.label("at"),
            t.c.score,
            t.c.metric,
            t.c.comment.label("text"),
            sa.null().label("title"),
            t.c.language,
        ]
    elif kind == "mention":
        t = s.mentions
        cols = [
            t.c.id,
            t.c.customer_id,
            sa.null().label("touchpoint_id"),
            t.c.posted_at.label("at"),
            t.c.rating.label("score"),
            t.c.source.label("metric"),
            t.c.text,
            t.c.title,
            t.c.language,
        ]
    else:
        t = s.tickets
        cols = [
            t.c.id,
            t.c.customer_id,
            t.c.touchpoint_id,
            t.c.created_at.label("at"),
            sa.null().label("score"),
            sa.null().label("metric"),
            t.c.text,
            t.c.subject.label("title"),
            t.c.language,
        ]
    return sa.select(*cols).where(t.c.id.in_(ids)).order_by(t.c.id)


@dataclass
class _Item:
    kind: str
    id: int
    customer_id: int | None
    touchpoint_id: int | None
    at: datetime | None
    score: float | None
    metric: str | None
    text: str
    language: str | None


@dataclass
class AnswerCheck:
    """What checking items did: the rules that applied, each (rule, item) that matched with
    why, the notifications queued and cases opened, and the rules that failed."""

    kind: str
    items: int = 0
    rules: int = 0
    matches: list[dict[str, Any]] = field(default_factory=list)
    notified: int = 0
    cases: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "items": self.items,
            "rules": self.rules,
            "matches": self.matches,
            "notified": self.notified,
            "cases": self.cases,
            "errors": self.errors,
            "seconds": self.seconds,
        }


class _Facts:
    """What the conditions need about a batch of items, each fetched once, only if a rule
    needs it, and inside a savepoint (a failed read must not abort the caller's transaction)."""

    def __init__(self, conn: sa.Connection, kind: str, items: list[_Item], now: datetime, model_id: int | None = None):
        self.conn, self.kind, self.items, self.now, self.model_id = conn, kind, items, now, model_id
        self._sentiment: dict[int, str] | None = None
        self._revenue: dict[int, float] | None = None
        self._clv: dict[int, float] | None = None

    def _customers(self) -> set[int]:
        return {i.customer_id for i in self.items if i.customer_id is not None}

    def sentiment(self, item: _Item) -> str | None:
        if self._sentiment is None:
            with _guard(self.conn):
                self._sentiment = _sentiments(self.conn, self.kind, self.items, self.model_id)
        return self._sentiment.get(item.id)

    def revenue_of(self, customer_id: int) -> float:
        if self._revenue is None:
            with _guard(self.conn):
                self._revenue = _annual_revenue(self.conn, self._customers(), self.now)
        return self._revenue.get(customer_id, 0.0)

    def clv_of(self, customer_id: int) -> float:
        if self._clv is None:
            with _guard(self.conn):
                self._clv = _clv(self.conn, self._customers(), self.now, self)
        return self._clv.get(customer_id, 0.0)


def _sentiments(conn: sa.Connection, kind: str, items: list[_Item], model_id: int | None) -> dict[int, str]:
    """The stored label of each item's text, else one predicted now (items without text: none)."""
    tr = s.text_results
    ids = [i.id for i in items if i.text]
    if not ids:
        return {}
    stored = dict(
        conn.execute(
            sa.select(tr.c.source_id, tr.c.sentiment).where(tr.c.source == kind, tr.c.source_id.in_(ids))
        ).all()
    )
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


def _clv(conn: sa.Connection, customers: set[int], now: datetime, facts: _Facts) -> dict[int, float]:
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


def _judge(rule: AnswerRule, item: _Item, facts: _Facts) -> dict[str, Any] | None:
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


# --- acting -----------------------------------------------------------------------------------------------


def _title(item: _Item) -> str:
    if item.kind == "response":
        what = f"{(item.metric or 'answer').upper()} {item.score:g}" if item.score is not None else "An answer"
    elif item.kind == "mention":
        what = f"A {item.score:g}-star mention" if item.score is not None else "A mention"
    else:
        what = "A ticket"
    text = " ".join(item.text.split())
    return f"{what}: {text[:120]}{'…' if len(text) > 120 else ''}" if text else what


def _act(
    conn: sa.Connection, rule: AnswerRule, item: _Item, why: dict[str, Any], now: datetime, result: AnswerCheck
) -> None:
    title = _title(item)
    case_id = None
    if rule.open_case:
        from .cases import (
            open_case,  # cases pull in the schedules; only a rule that opens cases needs them
        )

        case_id = open_case(
            conn,
            source=item.kind,
            title=title,
            customer_id=item.customer_id,
            touchpoint_id=item.touchpoint_id,
            rule_id=rule.id,
            priority=rule.priority,
            origin_key=f"rule:{rule.id}:{item.kind}:{item.id}",
            note=f"Opened by the answer rule {rule.name!r}: {_why_text(why)}",
            now=now,
            **{f"{item.kind}_id": item.id},
        )
        if case_id is not None:
            result.cases.append(case_id)
    link = f"/cases/{case_id}" if case_id else f"/customers/{item.customer_id}" if item.customer_id else "/feedback"
    for notifier in rule.notify:
        payload = {
            "title": f"{rule.name}: {title}",
            "summary": f"{item.text[:1000]}\n\nWhy: {_why_text(why)}".strip(),
            "link": link,
            "rule": rule.name,
            "kind": item.kind,
            "id": item.id,
            "customer_id": item.customer_id,
            "score": item.score,
            "why": why,
            "case_id": case_id,
        }
        if enqueue(
            conn,
            key=f"answer:{rule.id}:{item.kind}:{item.id}:{notifier}",
            notifier=notifier,
            topic="answer",
            payload=payload,
            now=now,
        ):
            result.notified += 1


def _why_text(why: dict[str, Any]) -> str:
    parts = []
    for name, value in why.items():
        if name == "words":
            parts.append("words " + ", ".join(value))
        elif name == "score_at_most":
            parts.append(f"score {value:g}")
        else:
            parts.append(f"{name.replace('_at_least', '')} {value}")
    return "; ".join(parts) or "every item"


def check_new_items(conn: sa.Connection, *, kind: str, ids: list[int], now: datetime | None = None) -> AnswerCheck:
    """Judge the items ``ids`` of ``kind`` (response, mention, ticket) by the enabled answer
    rules; notify and open cases for those that match. Never raises for a rule's sake: a
    failing rule is logged, rolled back to its savepoint and listed in ``errors``."""
    result = AnswerCheck(kind)
    if not ids:
        return result
    cached = _cached(conn)
    rules = [r for r in cached.rules if kind in r.sources]
    if not rules:
        return result
    started = time.perf_counter()
    now = now or datetime.now(timezone.utc)
    result.rules, result.errors = len(rules), list(cached.errors)
    for start in range(0, len(ids), BATCH):
        chunk = sorted(set(ids[start : start + BATCH]))
        try:
            with _guard(conn):
                rows = conn.execute(_item_query(kind, chunk)).mappings().all()
        except Exception as exc:  # noqa: BLE001
            log.exception("answer rules: could not read %s %s..%s", kind, chunk[0], chunk[-1])
            result.errors.append(f"reading {kind} items: {exc}")
            continue
        items = [
            _Item(
                kind,
                r["id"],
                r["customer_id"],
                r["touchpoint_id"],
                r["at"],
                r["score"],
                r["metric"],
                "\n".join(x for x in (r["title"], r["text"]) if x),
                r["language"],
            )
            for r in rows
        ]
        result.items += len(items)
        facts = _Facts(conn, kind, items, now, cached.sentiment_model)
        for rule in rules:
            _apply(conn, rule, items, facts, now, result)
    result.seconds = time.perf_counter() - started
    return result


def _apply(
    conn: sa.Connection, rule: AnswerRule, items: list[_Item], facts: _Facts, now: datetime, result: AnswerCheck
) -> None:
    for item in items:
        if rule.max_age is not None and item.at is not None and item.at < now - rule.max_age:
            continue
        counts = (len(result.cases), result.notified)
        try:
            why = _judge(rule, item, facts)
            if why is None:
                continue
            with conn.begin_nested():  # only items that match pay for a savepoint
                _act(conn, rule, item, why, now, result)
            result.matches.append({"rule": rule.name, "rule_id": rule.id, "id": item.id, "why": why})
        except Exception as exc:  # noqa: BLE001 - whatever a rule does wrong, the answer stays stored
            log.exception(
                "answer rule %r failed on %s %s; the item is stored, the rule skipped", rule.name, item.kind, item.id
            )
            result.errors.append(f"rule {rule.name!r} on {item.kind} {item.id}: {exc}")
            del result.cases[counts[0] :]  # rolled back with the savepoint
            result.notified = counts[1]


def _max_id(conn: sa.Connection, kind: str) -> int:
    table = _TABLES[kind]
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()


@contextmanager
def watch_new_items(conn: sa.Connection, import_kind: str, now: datetime | None = None) -> Iterator[None]:
    """Around a bulk write of ``import_kind`` (the import's kind: responses, mentions,
    tickets; others are ignored): check the rows it added. Costs nothing without rules."""
    kind = _IMPORT_KINDS.get(import_kind)
    rules = kind is not None and any(kind in r.sources for r in _cached(conn).rules)
    before = _max_id(conn, kind) if rules else 0
    yield
    if not rules:
        return
    table = _TABLES[kind]
    last = before
    while True:
        ids = (
            conn.execute(sa.select(table.c.id).where(table.c.id > last).order_by(table.c.id).limit(BATCH))
            .scalars()
            .all()
        )
        if not ids:
            return
        check_new_items(conn, kind=kind, ids=ids, now=now)
        last = ids[-1]
