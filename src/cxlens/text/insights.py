"""What customers say, per topic, for the dashboard's Words page: volume, trend, share
negative, the score of the answers that bring the topic up against those that do not, and
representative comments. Only topics with enough answers get an effect: a difference over a
handful of answers says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s
from .analysis import ThemeSummary, themes
from .drivers import DriverResult
from .findings import key_drivers

__all__ = ["OTHER", "RecurringIssue", "TopicInsight", "recurring_issues", "topic_insights", "topic_trend"]


@dataclass
class TopicInsight:
    theme: ThemeSummary
    n_answers: int  # scored answers whose comment carries the topic
    effect: float | None  # score with the topic minus without (NPS points, or mean score)
    low: float | None
    high: float | None
    direction: str  # raises | lowers | unclear | too few answers


def topic_insights(
    store: Store, metric: str = "nps", min_answers: int = 30, limit: int = 25
) -> tuple[list[TopicInsight], DriverResult | None]:
    """The largest themes (taxonomy topics first in size order, discovered themes too) with
    their effect on ``metric``, and the key-driver result they come from (None when the store
    has no scored answers of ``metric``)."""
    from ..errors import InputError

    found = themes(store)[:limit]
    try:
        result, _ = key_drivers(store, metric, min_count=min_answers)
    except InputError:
        result = None
    by_name = {d.name[len("theme: ") :]: d for d in (result.drivers if result else []) if d.name.startswith("theme: ")}
    out = []
    for theme in found:
        d = by_name.get(theme.name)
        if d is None or d.n < min_answers:
            out.append(TopicInsight(theme, d.n if d else 0, None, None, None, "too few answers"))
        else:
            out.append(TopicInsight(theme, d.n, d.effect, d.effect_low, d.effect_high, d.direction))
    return out, result


# -- topics per period ------------------------------------------------------------------------

OTHER = "other topics"  # the topics a chart leaves out, as one group: never an unnamed line


def topic_trend(
    store: Store, grain: str, since: date | None = None, until: date | None = None, limit: int = 8
) -> list[dict]:
    """Per period, the share of the analysed texts whose main topic is each of the ``limit``
    largest topics of the span (the rest as one row, :data:`OTHER`), with its Wilson 95 %
    interval: ``{topic, period, value (%), low, high, n (texts of the topic), total}``.
    Ignored themes count in ``total`` but get no row: an admin said they are noise."""
    from ..periods import as_utc, check_grain, start
    from ..stats import proportion

    check_grain(grain)
    r, t = s.text_results, s.text_themes
    q = sa.select(r.c.occurred_at, r.c.theme_id).where(r.c.occurred_at.is_not(None))
    if since:
        q = q.where(r.c.occurred_at >= datetime.combine(since, time(), UTC))
    if until:
        q = q.where(r.c.occurred_at < datetime.combine(until, time(), UTC))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        names = {m.id: (m.name or m.label, bool(m.ignored)) for m in conn.execute(sa.select(t)).all()}
    totals: dict[datetime, int] = {}
    counts: dict[tuple[str, datetime], int] = {}
    sizes: dict[str, int] = {}
    for row in rows:
        period = start(as_utc(row.occurred_at), grain)
        totals[period] = totals.get(period, 0) + 1
        name, ignored = names.get(row.theme_id, (None, False))
        if name is None or ignored:
            continue
        counts[(name, period)] = counts.get((name, period), 0) + 1
        sizes[name] = sizes.get(name, 0) + 1
    top = set(sorted(sizes, key=lambda k: (-sizes[k], k))[:limit])
    grouped: dict[tuple[str, datetime], int] = {}
    for (name, period), n in counts.items():
        key = (name if name in top else OTHER, period)
        grouped[key] = grouped.get(key, 0) + n
    out = []
    for (name, period), n in sorted(grouped.items(), key=lambda kv: (kv[0][1], -kv[1])):
        e = proportion(n, totals[period])
        out.append(
            {
                "topic": name,
                "period": period,
                "value": 100 * e.value,
                "low": 100 * e.low,
                "high": 100 * e.high,
                "n": n,
                "total": totals[period],
            }
        )
    return out


# -- recurring support issues ---------------------------------------------------------------


@dataclass
class RecurringIssue:
    team: str
    topic: str
    tickets: int  # in the whole view
    periods: dict[datetime, int]  # tickets per period
    recurring: bool  # in at least half of the view's periods, and in more than one


def recurring_issues(rows: list[dict], n_periods: int, per_team: int = 5) -> list[RecurringIssue]:
    """Ticket topics per team over time, from ``ticket_volume`` rows split by team and theme
    per period: for each team its ``per_team`` topics seen in the most periods (then most
    tickets). A topic is recurring when it comes back: in at least half of the ``n_periods``
    and in more than one. Tickets without a team or a topic are not an issue of anyone's."""
    by: dict[tuple[str, str], dict[datetime, int]] = {}
    for row in rows:
        if row.get("team") is None or row.get("theme") is None or not row.get("value"):
            continue
        by.setdefault((row["team"], row["theme"]), {})[row["period"]] = int(row["value"])
    issues = [
        RecurringIssue(
            team=team,
            topic=topic,
            tickets=sum(periods.values()),
            periods=dict(sorted(periods.items())),
            recurring=len(periods) > 1 and 2 * len(periods) >= n_periods,
        )
        for (team, topic), periods in by.items()
    ]
    issues.sort(key=lambda i: (i.team, -len(i.periods), -i.tickets, i.topic))
    out: list[RecurringIssue] = []
    for issue in issues:
        if sum(1 for o in out if o.team == issue.team) < per_team:
            out.append(issue)
    return out
