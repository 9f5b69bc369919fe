"""What the analysed texts say about the scores: the themes that drive NPS (key drivers, with
their direction and interval) and the themes whose volume jumps (spikes)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import sqlalchemy as sa

from ..errors import InputError
from ..stats import compare_means, compare_nps
from ..store import Store
from ..store import schema as s
from .drivers import DriverResult, Spike, relative_weights, spikes
from .fitting import (
    METRIC_SCALES,
)

__all__ = ["key_drivers", "text_spikes"]


def key_drivers(store: Store, metric: str = "nps", min_count: int = 30) -> tuple[DriverResult, dict[str, float]]:
    """Which themes, touchpoints and customer segments and plans drive ``metric``'s score:
    Johnson's relative weights over one indicator per theme (of the answer's comment; themes
    with at least ``min_count`` answers; a theme an admin ignored counts as no theme),
    touchpoint, segment and plan. Also, for NPS, the NPS gain if each theme's detractors had
    been passives: 100 × (its detractors) / n."""
    if metric not in METRIC_SCALES:
        raise InputError(f"metric {metric!r}: key drivers work on nps, csat or ces")
    resp, r, c, tp, t = s.responses, s.text_results, s.customers, s.touchpoints, s.text_themes
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(resp.c.score, tp.c.key.label("touchpoint"), c.c.segment, c.c.plan, r.c.theme_id)
            .select_from(
                resp.outerjoin(tp, tp.c.id == resp.c.touchpoint_id)
                .outerjoin(c, c.c.id == resp.c.customer_id)
                .outerjoin(r, (r.c.source == "response") & (r.c.source_id == resp.c.id))
            )
            .where(resp.c.metric == metric, resp.c.score.is_not(None))
        ).all()
        theme_rows = conn.execute(sa.select(t.c.id, t.c.name, t.c.label, t.c.ignored)).all()
        names = {row.id: row.name or row.label for row in theme_rows}
        ignored = {row.id for row in theme_rows if row.ignored}  # noise to the admin: no theme, as elsewhere
    if not rows:
        raise InputError(f"no {metric} answers with a score in the store: nothing to explain")
    y = np.array([row.score for row in rows], float)
    columns: dict[str, np.ndarray] = {}

    def indicators(prefix: str, values: list, minimum: int) -> None:
        vals = np.array([v if v is not None else "" for v in values], dtype=object)
        uniq, counts = np.unique(vals[vals != ""], return_counts=True)
        kept = [u for u, n in zip(uniq, counts) if n >= minimum]
        for u in (
            kept[:-1] if prefix != "theme" and len(kept) == len(uniq) else kept
        ):  # drop one level: no perfect collinearity
            columns[f"{prefix}: {names.get(u, u) if prefix == 'theme' else u}"] = (vals == u).astype(float)

    indicators("theme", [None if row.theme_id in ignored else row.theme_id for row in rows], min_count)
    indicators("touchpoint", [row.touchpoint for row in rows], min_count)
    indicators("segment", [row.segment for row in rows], min_count)
    indicators("plan", [row.plan for row in rows], min_count)
    result = relative_weights(
        np.column_stack(list(columns.values())) if columns else np.zeros((len(y), 0)), y, list(columns), metric
    )
    for d in result.drivers:
        _set_effect(d, y, columns[d.name] > 0, metric)
    gains: dict[str, float] = {}
    if metric == "nps":
        detractor = y <= 6
        for name, col in columns.items():
            if name.startswith("theme: "):
                gains[name[len("theme: ") :]] = round(100.0 * float((detractor & (col > 0)).sum()) / len(y), 2)
    return result, dict(sorted(gains.items(), key=lambda kv: -kv[1]))


def _set_effect(driver, y: np.ndarray, has: np.ndarray, metric: str) -> None:
    """The outcome with the driver minus without it, with its 95 % interval: NPS points for
    NPS (:func:`cxlens.stats.compare_nps`), the mean score otherwise (Welch)."""
    if metric == "nps":
        counts = [
            (int((v <= 6).sum()), int(((v >= 7) & (v <= 8)).sum()), int((v >= 9).sum())) for v in (y[has], y[~has])
        ]
        c = compare_nps(*counts)
    else:
        c = compare_means(y[has], y[~has])
    driver.effect, driver.effect_low, driver.effect_high = c.difference, c.low, c.high


def text_spikes(store: Store, *, window_days: int = 7, windows: int = 12, alpha: float = 0.01) -> list[Spike]:
    """Themes, and negative sentiment, whose share of the texts in the last ``window_days``
    is significantly above their share in the ``windows`` windows before (binomial test,
    Holm-adjusted). The last window ends at the newest analysed text."""
    r = s.text_results
    with store.engine.connect() as conn:
        end = conn.execute(sa.select(sa.func.max(r.c.occurred_at))).scalar()
        if end is None:
            return []
        start = end - timedelta(days=window_days * (windows + 1))
        rows = conn.execute(
            sa.select(r.c.occurred_at, r.c.theme_id, r.c.sentiment).where(r.c.occurred_at > start)
        ).all()
        names = {
            row.id: row.name or row.label
            for row in conn.execute(sa.select(s.text_themes.c.id, s.text_themes.c.name, s.text_themes.c.label))
        }
    n_windows = windows + 1
    window = np.array(
        [min(n_windows - 1, int((row.occurred_at - start) / timedelta(days=window_days))) for row in rows], int
    )
    totals = np.bincount(window, minlength=n_windows)
    counts: dict[str, np.ndarray] = {}
    theme = np.array([row.theme_id or 0 for row in rows])
    for theme_id in {row.theme_id for row in rows if row.theme_id}:
        counts[f"theme: {names.get(theme_id, theme_id)}"] = np.bincount(window[theme == theme_id], minlength=n_windows)
    negative = np.array([row.sentiment == "negative" for row in rows])
    counts["sentiment: negative"] = np.bincount(window[negative], minlength=n_windows)
    return spikes(counts, totals, alpha)
