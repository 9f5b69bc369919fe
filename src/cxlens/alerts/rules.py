"""Alert rules: the journeys file's ``alerts:`` section (or a standalone rules file) parsed
into frozen rules, every parameter checked with a path-named error, and stored as
``alert_rules`` rows.

    alerts:
      q: 0.05               # Benjamini–Hochberg false-discovery rate of one evaluation run
      every_minutes: 15
      rules:
        - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], grain: month, min_n: 30}

Kinds and their parameters (defaults in brackets):

- ``below_target``: the slice's value misses its touchpoint's target (or ``target:``);
  ``direction`` [from the metric catalogue: higher or lower is better];
  ``significant_only`` [true: breach only when the miss survives the run's BH correction].
- ``change``: the latest complete period against ``baseline: previous`` [previous] or
  ``trailing`` (``trailing_periods`` [3], pooled); ``direction`` worse | better | both [worse].
- ``drift``: the daily series of the current period, standardised on the ``baseline_days``
  [28] before it, z = (value − baseline) / SE; ``method`` ewma [ewma] (``lambda`` [0.2],
  ``L`` [3.0]) or cusum (``K`` [0.5], ``H`` [5.0]).
- ``volume``: the count of ``source`` (tickets | mentions | responses | theme) in the latest
  complete period against the mean of ``baseline_periods`` [4] before it (Poisson test);
  ``theme`` names one theme (source theme without it: every theme, by the text spikes test).
- ``answer``: each new answer, mention or ticket (evaluated on the write path by
  :mod:`cxlens.alerts.answers`): ``sources``, ``score_at_most``, ``sentiment``, ``words`` (a
  list name of ``alerts/data/word_lists.yaml`` or a list), ``clv_at_least``,
  ``revenue_at_least``, ``match`` any | all.

Every rule also takes ``pending_periods`` [1], ``keep_firing_periods`` [1], ``notify`` (notifier
names) [none], ``open_case`` [false], ``priority`` low | normal | high | urgent [normal].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from ..errors import InputError, JourneyFileError
from ..store import schema as s

__all__ = [
    "DEFAULT_Q",
    "KINDS",
    "VOLUME_FACTS",
    "AlertRule",
    "AlertSettings",
    "higher_is_better",
    "kpi_dimensions",
    "load_rules_file",
    "parse_alerts",
    "read_rules",
    "store_alerts",
    "word_lists",
]

DEFAULT_Q = 0.05
DEFAULT_EVERY_MINUTES = 15
KINDS = ("below_target", "change", "drift", "volume", "answer")
RULE_GRAINS = ("day", "week", "month", "quarter")
PRIORITIES = ("low", "normal", "high", "urgent")
VOLUME_SOURCES = ("tickets", "mentions", "responses", "theme")
ANSWER_SOURCES = ("response", "mention", "ticket")
SENTIMENTS = ("negative", "neutral", "positive")
WORD_LISTS = Path(__file__).parent / "data" / "word_lists.yaml"

_COMMON = {"name", "kind", "notify", "open_case", "priority", "pending_periods", "keep_firing_periods", "enabled"}
_MEASURED = {"kpi", "where", "by", "grain", "min_n"}
_FIELDS = {
    "below_target": _COMMON | _MEASURED | {"target", "direction", "significant_only"},
    "change": _COMMON | _MEASURED | {"baseline", "trailing_periods", "direction"},
    "drift": _COMMON | _MEASURED | {"method", "lambda", "L", "K", "H", "baseline_days", "direction"},
    "volume": _COMMON | {"where", "by", "grain", "min_n", "source", "theme", "baseline_periods"},
    "answer": _COMMON | {"sources", "score_at_most", "sentiment", "words", "clv_at_least", "revenue_at_least", "match"},
}
# Defaults written into every stored definition, so that a reader never guesses them.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "below_target": {"direction": None, "significant_only": True, "target": None},
    "change": {"baseline": "previous", "trailing_periods": 3, "direction": "worse"},
    "drift": {"method": "ewma", "lambda": 0.2, "L": 3.0, "K": 0.5, "H": 5.0, "baseline_days": 28, "direction": "worse"},
    "volume": {"source": "tickets", "theme": None, "baseline_periods": 4},
    "answer": {"sources": list(ANSWER_SOURCES), "match": "any"},
}
# Which fact rows a volume rule counts, as the KPI engine names its sources.
VOLUME_FACTS = {"tickets": "tickets", "mentions": "mentions", "responses": "answers", "theme": "answers"}


@dataclass(frozen=True)
class AlertRule:
    """One rule. ``definition`` holds everything but name, kind and kpi, defaults filled in."""

    name: str
    kind: str
    kpi: str | None
    definition: dict = field(default_factory=dict, hash=False, compare=True)

    def __getitem__(self, key: str) -> Any:
        return self.definition[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.definition.get(key, default)

    @property
    def by(self) -> list[str]:
        return list(self.definition.get("by") or [])

    @property
    def where(self) -> dict:
        return dict(self.definition.get("where") or {})


@dataclass(frozen=True)
class AlertSettings:
    """The parsed ``alerts:`` section."""

    q: float = DEFAULT_Q
    every_minutes: int = DEFAULT_EVERY_MINUTES
    rules: tuple[AlertRule, ...] = ()


def kpi_dimensions(kpi: str) -> tuple[str, ...] | None:
    """The dimensions ``kpi`` can be sliced and filtered by; None if alerts cannot watch it
    (not a KPI of sufficient statistics in the catalogue)."""
    from ..analytics import kpis

    spec = kpis.SPECS.get(kpi)
    if spec is None:
        return None
    return {
        "answers": kpis.DIMENSIONS,
        "tickets": kpis.TICKET_DIMENSIONS,
        "invitations": kpis.INVITATION_DIMENSIONS,
        "mentions": kpis.MENTION_DIMENSIONS,
        "customers": kpis.CUSTOMER_DIMENSIONS,
    }.get(spec.source)


def _summable(kpi: str) -> bool:
    """A KPI whose groups are sums that add across periods (not a quantile, not customer rates)."""
    from ..analytics import kpis

    spec = kpis.SPECS.get(kpi)
    return spec is not None and spec.column is None and spec.source != "customers"


def _comparable(kpi: str) -> bool:
    """A KPI whose groups are sums with a comparison test (not a quantile, not customer rates)."""
    from ..analytics import kpis

    spec = kpis.SPECS.get(kpi)
    return spec is not None and spec.compare is not None and spec.column is None and spec.source != "customers"


@cache
def word_lists() -> dict[str, list[str]]:
    """Each named list of ``alerts/data/word_lists.yaml``: its words in every language, lowercase."""
    data = yaml.safe_load(WORD_LISTS.read_text(encoding="utf-8")) or {}
    return {name: [str(w).lower() for words in langs.values() for w in words] for name, langs in data.items()}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def number(self, obj: dict, key: str, path: str, *, low=None, high=None, integer=False, open_low=False):
        value = obj.get(key)
        kind = "a whole number" if integer else "a number"
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (integer and not float(value).is_integer())
        ):
            self.problem(f"{path}.{key}", f"expected {kind}, got {value!r}")
            return None
        if low is not None and (value <= low if open_low else value < low):
            self.problem(f"{path}.{key}", f"{value!r} must be {'above' if open_low else 'at least'} {low}")
            return None
        if high is not None and value > high:
            self.problem(f"{path}.{key}", f"{value!r} must be at most {high}")
            return None
        return int(value) if integer else float(value)

    def choice(self, obj: dict, key: str, path: str, options) -> Any:
        value = obj.get(key)
        if value not in options:
            self.problem(f"{path}.{key}", f"{value!r} is not one of: {', '.join(str(o) for o in options)}")
            return None
        return value

    def names(self, obj: dict, key: str, path: str) -> list[str]:
        value = obj.get(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(f"{path}.{key}", f"expected a list of names, got {value!r}")
            return []
        return list(value)


def parse_alerts(value: Any, source: str = "(alerts)") -> AlertSettings:
    """Validate the ``alerts:`` section; raise :class:`JourneyFileError` listing every problem,
    each named by its path (``alerts.rules[2].kpi: 'nsp' is not a KPI; known: nps, …``)."""
    c = _Checker()
    if value is None:
        return AlertSettings()
    if not isinstance(value, dict):
        raise JourneyFileError(source, [f"alerts: expected a mapping with q, every_minutes and rules, got {value!r}"])
    for extra in sorted(set(value) - {"q", "every_minutes", "rules"}):
        c.problem(f"alerts.{extra}", "is not a known field (known: every_minutes, q, rules)")
    q = c.number(value, "q", "alerts", low=0, high=0.5, open_low=True) if "q" in value else DEFAULT_Q
    every = (
        c.number(value, "every_minutes", "alerts", low=1, integer=True)
        if "every_minutes" in value
        else DEFAULT_EVERY_MINUTES
    )
    raw_rules = value.get("rules") or []
    if not isinstance(raw_rules, list):
        c.problem("alerts.rules", f"expected a list of rules, got {raw_rules!r}")
        raw_rules = []
    rules, seen = [], set()
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(c, raw, f"alerts.rules[{i}]", seen)
        if rule is not None:
            rules.append(rule)
    if c.problems:
        raise JourneyFileError(source, c.problems)
    return AlertSettings(q if q is not None else DEFAULT_Q, every or DEFAULT_EVERY_MINUTES, tuple(rules))


def _parse_rule(c: _Checker, raw: Any, path: str, seen: set[str]) -> AlertRule | None:
    if not isinstance(raw, dict):
        c.problem(path, f"expected a mapping (name, kind, …), got {raw!r}")
        return None
    before = len(c.problems)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        c.problem(f"{path}.name", f"expected a name (text, at most 200 characters), got {name!r}")
    elif name in seen:
        c.problem(f"{path}.name", f"{name!r} is used twice; rule names must be unique")
    seen.add(str(name))
    kind = c.choice(raw, "kind", path, KINDS)
    if kind is None:
        return None
    for extra in sorted(set(raw) - _FIELDS[kind]):
        c.problem(f"{path}.{extra}", f"is not a field of a {kind} rule (known: {', '.join(sorted(_FIELDS[kind]))})")
    d: dict[str, Any] = dict(_DEFAULTS[kind])
    d |= {k: v for k, v in raw.items() if k not in ("name", "kind", "kpi")}
    _common(c, raw, path, d)
    kpi = None
    if kind == "answer":
        _answer(c, raw, path, d)
    elif kind == "volume":
        _measured(c, raw, path, d, kpi=None, kind=kind)
        _volume(c, raw, path, d)
    else:
        kpi = raw.get("kpi")
        dims = kpi_dimensions(kpi) if isinstance(kpi, str) else None
        if dims is None:
            from ..analytics.kpis import SPECS

            c.problem(f"{path}.kpi", f"{kpi!r} is not a KPI alerts can watch; known: {', '.join(SPECS)}")
        elif not _summable(kpi):
            from ..analytics.kpis import SPECS

            known = ", ".join(k for k in SPECS if _summable(k))
            c.problem(
                f"{path}.kpi",
                f"{kpi!r} is not a KPI of counts and sums (a quantile or a rate of customers); alerts watch: {known}",
            )
        elif kind in ("change", "drift") and not _comparable(kpi):
            from ..analytics.kpis import SPECS

            known = ", ".join(k for k in SPECS if _comparable(k))
            c.problem(f"{path}.kpi", f"{kpi!r} has no comparison test of sums; a {kind} rule needs one of: {known}")
        _measured(c, raw, path, d, kpi=kpi, kind=kind, dims=dims)
        {"below_target": _below_target, "change": _change, "drift": _drift}[kind](c, raw, path, d, kpi)
    if len(c.problems) > before:
        return None
    return AlertRule(name, kind, kpi, d)


def _common(c: _Checker, raw: dict, path: str, d: dict) -> None:
    d.setdefault("pending_periods", 1)
    d.setdefault("keep_firing_periods", 1)
    for key in ("pending_periods", "keep_firing_periods"):
        if key in raw:
            c.number(raw, key, path, low=1, integer=True)
    d["notify"] = c.names(raw, "notify", path) if "notify" in raw else []
    d["open_case"] = raw.get("open_case", False)
    if not isinstance(d["open_case"], bool):
        c.problem(f"{path}.open_case", f"expected true or false, got {d['open_case']!r}")
    d["priority"] = raw.get("priority", "normal")
    if d["priority"] not in PRIORITIES:
        c.problem(f"{path}.priority", f"{d['priority']!r} is not one of: {', '.join(PRIORITIES)}")
    d["enabled"] = raw.get("enabled", True)
    if not isinstance(d["enabled"], bool):
        c.problem(f"{path}.enabled", f"expected true or false, got {d['enabled']!r}")


def _measured(c: _Checker, raw: dict, path: str, d: dict, *, kpi, kind, dims=None) -> None:
    if kind == "volume":
        from ..analytics import kpis

        source = raw.get("source", "tickets")
        facts = {"tickets": kpis.TICKET_DIMENSIONS, "mentions": kpis.MENTION_DIMENSIONS}.get(source, kpis.DIMENSIONS)
        dims = facts
    where = raw.get("where") or {}
    if not isinstance(where, dict):
        c.problem(f"{path}.where", f"expected a mapping of dimension: value(s), got {where!r}")
        where = {}
    clean_where = {}
    for dim, wanted in where.items():
        if dims is not None and dim not in dims:
            c.problem(
                f"{path}.where.{dim}",
                f"{kpi or d.get('source')} cannot be filtered by {dim!r}; dimensions: {', '.join(dims)}",
            )
        ok = isinstance(wanted, str) or (
            isinstance(wanted, list) and wanted and all(isinstance(v, str) for v in wanted)
        )
        if not ok:
            c.problem(f"{path}.where.{dim}", f"expected a value or a list of values, got {wanted!r}")
        clean_where[dim] = wanted
    d["where"] = clean_where
    by = raw.get("by") or []
    if isinstance(by, str):
        by = [by]
    if not isinstance(by, list) or not all(isinstance(b, str) for b in by):
        c.problem(f"{path}.by", f"expected a list of dimensions, got {by!r}")
        by = []
    for i, dim in enumerate(by):
        if dims is not None and dim not in dims:
            c.problem(
                f"{path}.by[{i}]",
                f"{kpi or d.get('source')} cannot be sliced by {dim!r}; dimensions: {', '.join(dims)}",
            )
    if len(set(by)) != len(by):
        c.problem(f"{path}.by", f"names a dimension twice: {by!r}")
    d["by"] = list(by)
    d["grain"] = raw.get("grain", "month")
    if d["grain"] not in RULE_GRAINS:
        c.problem(f"{path}.grain", f"{d['grain']!r} is not one of: {', '.join(RULE_GRAINS)}")
    d["min_n"] = raw.get("min_n", 30 if kind != "volume" else 5)
    if "min_n" in raw:
        c.number(raw, "min_n", path, low=1, integer=True)


def _direction(c: _Checker, raw: dict, path: str, d: dict, kpi: str, options) -> None:
    if "direction" in raw:
        c.choice(raw, "direction", path, options)


def higher_is_better(kpi: str) -> bool | None:
    """From the metric catalogue (durations, volumes, reopen and churn rates are better low);
    None when neither it nor a duration prefix says."""
    from ..metrics import METRICS

    metric = METRICS.get(kpi)
    if metric is not None:
        return metric.higher_is_better
    if kpi.endswith("sentiment"):
        return True
    for prefix, better in (("first_response", False), ("resolution", False), ("handle", False)):
        if kpi.startswith(prefix):
            return better
    return None


def _below_target(c: _Checker, raw: dict, path: str, d: dict, kpi: str) -> None:
    if "target" in raw and raw["target"] is not None:
        c.number(raw, "target", path)
    if "direction" in raw:
        c.choice(raw, "direction", path, ("higher", "lower"))
    elif isinstance(kpi, str) and kpi_dimensions(kpi) is not None:
        better = higher_is_better(kpi)
        if better is None:
            c.problem(f"{path}.direction", f"{kpi} has no known good direction; write direction: higher or lower")
        d["direction"] = "higher" if better in (True, None) else "lower"
    if not isinstance(d.get("significant_only"), bool):
        c.problem(f"{path}.significant_only", f"expected true or false, got {d.get('significant_only')!r}")
    if (
        raw.get("target") is None
        and "touchpoint" not in d.get("by", [])
        and not isinstance(d.get("where", {}).get("touchpoint"), str)
    ):
        c.problem(
            path,
            "a below_target rule compares with the touchpoint's target: add touchpoint to by, "
            "filter one touchpoint with where.touchpoint, or give target: VALUE",
        )


def _change(c: _Checker, raw: dict, path: str, d: dict, kpi: str) -> None:
    if "baseline" in raw:
        c.choice(raw, "baseline", path, ("previous", "trailing"))
    if "trailing_periods" in raw:
        c.number(raw, "trailing_periods", path, low=1, high=24, integer=True)
    _direction(c, raw, path, d, kpi, ("worse", "better", "both"))


def _drift(c: _Checker, raw: dict, path: str, d: dict, kpi: str) -> None:
    if d.get("grain") == "day":
        c.problem(f"{path}.grain", "a drift rule watches the days inside a period: use week, month or quarter")
    if "method" in raw:
        c.choice(raw, "method", path, ("ewma", "cusum"))
    if "lambda" in raw:
        c.number(raw, "lambda", path, low=0, high=1, open_low=True)
    for key in ("L", "H"):
        if key in raw:
            c.number(raw, key, path, low=0, open_low=True)
    if "K" in raw:
        c.number(raw, "K", path, low=0)
    if "baseline_days" in raw:
        c.number(raw, "baseline_days", path, low=3, high=365, integer=True)
    _direction(c, raw, path, d, kpi, ("worse", "better", "both"))


def _volume(c: _Checker, raw: dict, path: str, d: dict) -> None:
    if "source" in raw:
        c.choice(raw, "source", path, VOLUME_SOURCES)
    if "theme" in raw and raw["theme"] is not None:
        if not isinstance(raw["theme"], str) or not raw["theme"]:
            c.problem(f"{path}.theme", f"expected a theme's name, got {raw['theme']!r}")
        elif d["source"] != "theme":
            c.problem(f"{path}.theme", "names a theme: write source: theme too")
    if "baseline_periods" in raw:
        c.number(raw, "baseline_periods", path, low=1, high=52, integer=True)


def _answer(c: _Checker, raw: dict, path: str, d: dict) -> None:
    if "sources" in raw:
        sources = c.names(raw, "sources", path)
        for i, src in enumerate(sources):
            if src not in ANSWER_SOURCES:
                c.problem(f"{path}.sources[{i}]", f"{src!r} is not one of: {', '.join(ANSWER_SOURCES)}")
        d["sources"] = sources
    conditions = [
        k for k in ("score_at_most", "sentiment", "words", "clv_at_least", "revenue_at_least") if raw.get(k) is not None
    ]
    if not conditions:
        c.problem(
            path, "an answer rule needs a condition: score_at_most, sentiment, words, clv_at_least or revenue_at_least"
        )
    if raw.get("score_at_most") is not None:
        c.number(raw, "score_at_most", path, low=0, high=10)
    if raw.get("sentiment") is not None:
        c.choice(raw, "sentiment", path, SENTIMENTS)
    words = raw.get("words")
    if isinstance(words, str):
        if words not in word_lists():
            c.problem(
                f"{path}.words",
                f"{words!r} is not a word list; lists: {', '.join(word_lists())} "
                f"(in {WORD_LISTS.name}), or write the words as a list",
            )
    elif words is not None and (
        not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words)
    ):
        c.problem(f"{path}.words", f"expected a word-list name or a list of words, got {words!r}")
    for key in ("clv_at_least", "revenue_at_least"):
        if raw.get(key) is not None:
            c.number(raw, key, path, low=0)
    if "match" in raw:
        c.choice(raw, "match", path, ("any", "all"))


def store_alerts(conn: sa.Connection, parsed: AlertSettings, now: datetime | None = None) -> None:
    """Upsert the file's rules (by name) and q/every_minutes as settings; rules the file no
    longer holds are disabled; rules made in the UI (origin 'ui') are left as they are."""
    from .settings import write_setting

    now = now or datetime.now(UTC)
    r = s.alert_rules
    write_setting(conn, "alerts.q", parsed.q)
    write_setting(conn, "alerts.every_minutes", parsed.every_minutes)
    existing = {row.name: row for row in conn.execute(sa.select(r.c.id, r.c.name, r.c.origin))}
    for rule in parsed.rules:
        values = {
            "kind": rule.kind,
            "kpi": rule.kpi,
            "definition": rule.definition,
            "enabled": bool(rule.definition.get("enabled", True)),
            "origin": "file",
            "updated_at": now,
        }
        row = existing.get(rule.name)
        if row is None:
            conn.execute(r.insert().values(name=rule.name, created_at=now, **values))
        elif row.origin == "file":
            conn.execute(r.update().where(r.c.id == row.id).values(**values))
    kept = {rule.name for rule in parsed.rules}
    gone = [row.id for name, row in existing.items() if row.origin == "file" and name not in kept]
    if gone:
        conn.execute(r.update().where(r.c.id.in_(gone)).values(enabled=False, updated_at=now))


def read_rules(conn: sa.Connection, *, kinds=None) -> list[tuple[int, AlertRule]]:
    """The enabled stored rules (id, rule), by name; ``kinds`` limits them."""
    r = s.alert_rules
    query = (
        sa.select(r.c.id, r.c.name, r.c.kind, r.c.kpi, r.c.definition)
        .where(r.c.enabled == sa.true())
        .order_by(r.c.name)
    )
    if kinds:
        query = query.where(r.c.kind.in_(list(kinds)))
    return [(row.id, AlertRule(row.name, row.kind, row.kpi, dict(row.definition or {}))) for row in conn.execute(query)]


def load_rules_file(path: str | Path) -> AlertSettings:
    """Rules from a standalone YAML file in the journeys file's format (an ``alerts:`` section
    at the top, or the section's content itself)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the rules file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path} is not YAML: {exc}") from None
    if isinstance(data, dict) and "alerts" in data:
        data = data["alerts"]
    return parse_alerts(data, str(path))


# -- the journeys file's `alerts:` section, checked and written by the one journeys loader -----


def _parse_section(checker, value: Any) -> AlertSettings | None:
    try:
        return parse_alerts(value, "(journeys)")
    except JourneyFileError as exc:
        for problem in exc.problems:
            path, _, message = problem.partition(": ")
            checker.problem(path, message)
        return None


def _save_section(conn: sa.Connection, parsed: AlertSettings | None) -> int:
    if parsed is None:
        return 0
    store_alerts(conn, parsed)
    return len(parsed.rules)


def _register() -> None:
    from ..ingest.journeys import register_section

    register_section("alerts", _parse_section, _save_section)


_register()
