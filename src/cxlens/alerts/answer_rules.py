"""``answer`` rules as the store holds them: :class:`AnswerRule` (the definition, checked and
ready to judge items) and the per-store cache that makes reading them cheap on the write path:
which rules exist is read at most every :data:`RULES_TTL` seconds per store. The conditions
are judged in :mod:`cxlens.alerts.answer_conditions`; new items are checked and acted on in
:mod:`cxlens.alerts.answers`.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ..store import schema as s
from .case_settings import PRIORITIES, SETTING_KEY, parse_deadline
from .settings import read_setting
from .words import WordMatcher, word_lists

__all__ = [
    "ANSWER_KINDS",
    "RULES_TTL",
    "AnswerRule",
    "RuleSet",
    "answer_rules",
    "cached_rules",
    "forget_answer_rules",
]

log = logging.getLogger(__name__)

ANSWER_KINDS = ("response", "mention", "ticket")
RULES_TTL = 2.0  # seconds a store's answer rules are remembered
DEFAULT_MAX_AGE = "7d"
_CONDITIONS = ("score_at_most", "sentiment", "words", "clv_at_least", "revenue_at_least")


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
class RuleSet:
    """A store's enabled answer rules as read (until ``expires``), the rules that failed to load
    and the sentiment model the rules on sentiment use."""

    expires: float
    rules: tuple[AnswerRule, ...]
    errors: tuple[str, ...] = ()
    sentiment_model: int | None = None  # the store's latest sentiment model, when a rule needs one


# By engine (weakly: a disposed store's rules go with it); looking one up costs ~0.2 µs.
_CACHE: weakref.WeakKeyDictionary[sa.Engine, RuleSet] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def forget_answer_rules(conn: sa.Connection | None = None) -> None:
    """Make the next check read the rules again (of every store without an argument). Whoever
    changes the rules in this process calls it; other processes see changes within RULES_TTL."""
    with _CACHE_LOCK:
        if conn is None:
            _CACHE.clear()
        else:
            _CACHE.pop(conn.engine, None)


def _read_rules(conn: sa.Connection) -> RuleSet:
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
    return RuleSet(time.monotonic() + RULES_TTL, tuple(rules), tuple(errors), model)


def answer_rules(conn: sa.Connection) -> tuple[AnswerRule, ...]:
    """The store's enabled answer rules, read at most every RULES_TTL seconds."""
    return cached_rules(conn).rules


def cached_rules(conn: sa.Connection) -> RuleSet:
    """The store's answer rules with their errors and sentiment model, read at most every
    RULES_TTL seconds (never raises: a failed read checks nothing until it is read again)."""
    key = conn.engine
    found = _CACHE.get(key)
    if found is not None and found.expires > time.monotonic():
        return found
    try:
        found = _read_rules(conn)
    except Exception:  # noqa: BLE001 - the answer is stored whatever happens here
        log.exception("could not read the answer rules; new items are not checked for %.0f s", RULES_TTL)
        found = RuleSet(time.monotonic() + RULES_TTL, (), ("could not read the answer rules",))
    _CACHE[key] = found
    return found
