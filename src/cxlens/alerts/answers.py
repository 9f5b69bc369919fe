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
:data:`~cxlens.alerts.answer_rules.RULES_TTL` seconds per store. A rule that fails is logged
and skipped, inside a savepoint, so it can neither lose the answer nor stop the other rules.

This module reads the new items, acts on the matches and runs the store's hooks
(:mod:`cxlens.store.hooks`); the rules and their cache are :mod:`cxlens.alerts.answer_rules`,
the conditions and the facts they need :mod:`cxlens.alerts.answer_conditions`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import Any

import sqlalchemy as sa

from ..store import schema as s
from .answer_conditions import AnswerFacts, AnswerItem, judge, read_guard
from .answer_rules import AnswerRule, cached_rules
from .outbox import enqueue

__all__ = ["AnswerCheck", "Judged", "act_on", "check_new_items", "judge_new_items", "watch_new_items"]

log = logging.getLogger(__name__)

BATCH = 500
_TABLES = {"response": s.responses, "mention": s.mentions, "ticket": s.tickets}
_IMPORT_KINDS = {"responses": "response", "mentions": "mention", "tickets": "ticket"}


# --- the items ----------------------------------------------------------------------------------------


@cache
def _item_query(kind: str):
    """The SELECT of items of ``kind`` by id (``ids``: an expanding parameter), built once:
    constructing it costs more than running it on the write path."""
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
    return sa.select(*cols).where(t.c.id.in_(sa.bindparam("ids", expanding=True))).order_by(t.c.id)


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


# --- acting -----------------------------------------------------------------------------------------------


def _title(item: AnswerItem) -> str:
    if item.kind == "response":
        what = f"{(item.metric or 'answer').upper()} {item.score:g}" if item.score is not None else "An answer"
    elif item.kind == "mention":
        what = f"A {item.score:g}-star mention" if item.score is not None else "A mention"
    else:
        what = "A ticket"
    text = " ".join(item.text.split())
    return f"{what}: {text[:120]}{'…' if len(text) > 120 else ''}" if text else what


def _act(
    conn: sa.Connection, rule: AnswerRule, item: AnswerItem, why: dict[str, Any], now: datetime, result: AnswerCheck
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


@dataclass
class Judged:
    """What judging items found, before acting on it: the check so far and each (rule, item,
    why) that matched. Judging only reads, so it can run outside the write transaction."""

    check: AnswerCheck
    found: list[tuple[AnswerRule, AnswerItem, dict[str, Any]]] = field(default_factory=list)
    started: float = 0.0


def judge_new_items(conn: sa.Connection, *, kind: str, ids: list[int], now: datetime | None = None) -> Judged:
    """Judge the items ``ids`` of ``kind`` (response, mention, ticket) by the enabled answer
    rules, reading only. A rule that fails on an item is logged and listed in ``errors``."""
    judged = Judged(AnswerCheck(kind), started=time.perf_counter())
    if not ids:
        return judged
    cached = cached_rules(conn)
    rules = [r for r in cached.rules if kind in r.sources]
    if not rules:
        return judged
    now = now or datetime.now(timezone.utc)
    result = judged.check
    result.rules, result.errors = len(rules), list(cached.errors)
    for start in range(0, len(ids), BATCH):
        chunk = sorted(set(ids[start : start + BATCH]))
        try:
            with read_guard(conn):
                rows = conn.execute(_item_query(kind), {"ids": chunk}).mappings().all()
        except Exception as exc:  # noqa: BLE001
            log.exception("answer rules: could not read %s %s..%s", kind, chunk[0], chunk[-1])
            result.errors.append(f"reading {kind} items: {exc}")
            continue
        items = [_item(kind, r) for r in rows]
        result.items += len(items)
        facts = AnswerFacts(conn, kind, items, now, cached.sentiment_model)
        for rule in rules:
            _judge(rule, items, facts, now, judged)
    return judged


def _item(kind: str, r) -> AnswerItem:
    text = "\n".join(x for x in (r["title"], r["text"]) if x)
    return AnswerItem(
        kind, r["id"], r["customer_id"], r["touchpoint_id"], r["at"], r["score"], r["metric"], text, r["language"]
    )


def _judge(rule: AnswerRule, items: list[AnswerItem], facts: AnswerFacts, now: datetime, judged: Judged) -> None:
    for item in items:
        if rule.max_age is not None and item.at is not None and item.at < now - rule.max_age:
            continue
        time.sleep(0)  # judging runs beside the web server's requests: hand the interpreter over between items
        try:
            why = judge(rule, item, facts)
        except Exception as exc:  # noqa: BLE001 - whatever a rule does wrong, the answer stays stored
            log.exception("answer rule %r failed on %s %s; the rule skipped", rule.name, item.kind, item.id)
            judged.check.errors.append(f"rule {rule.name!r} on {item.kind} {item.id}: {exc}")
            continue
        if why is not None:
            judged.found.append((rule, item, why))


def act_on(conn: sa.Connection, judged: Judged, now: datetime | None = None) -> AnswerCheck:
    """Notify and open cases for what :func:`judge_new_items` found, in ``conn``'s (write)
    transaction; each match in its own savepoint, so one that fails is rolled back alone."""
    now = now or datetime.now(timezone.utc)
    result = judged.check
    for rule, item, why in judged.found:
        counts = (len(result.cases), result.notified)
        try:
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
    if judged.started:
        result.seconds = time.perf_counter() - judged.started
    return result


def check_new_items(conn: sa.Connection, *, kind: str, ids: list[int], now: datetime | None = None) -> AnswerCheck:
    """Judge the items ``ids`` of ``kind`` (response, mention, ticket) by the enabled answer
    rules; notify and open cases for those that match, in ``conn``'s transaction. Never raises
    for a rule's sake: a failing rule is logged, rolled back to its savepoint and listed in
    ``errors``."""
    now = now or datetime.now(timezone.utc)
    return act_on(conn, judge_new_items(conn, kind=kind, ids=ids, now=now), now)


def _max_id(conn: sa.Connection, kind: str) -> int:
    table = _TABLES[kind]
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()


@contextmanager
def watch_new_items(conn: sa.Connection, import_kind: str, now: datetime | None = None) -> Iterator[None]:
    """Around a bulk write of ``import_kind`` (the import's kind: responses, mentions,
    tickets; others are ignored): check the rows it added. Costs nothing without rules."""
    kind = _IMPORT_KINDS.get(import_kind)
    rules = kind is not None and any(kind in r.sources for r in cached_rules(conn).rules)
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
