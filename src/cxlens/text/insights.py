"""What customers say, per topic, for the dashboard's Words page: volume, trend, share
negative, the score of the answers that bring the topic up against those that do not, and
representative comments. Only topics with enough answers get an effect: a difference over a
handful of answers says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store
from .analysis import ThemeSummary, key_drivers, themes
from .drivers import DriverResult

__all__ = ["TopicInsight", "topic_insights"]


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
