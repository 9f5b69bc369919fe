"""Small generated stores for the alert tests: NPS answers at touchpoints, written directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from cxlens.store import schema as s

NOW = datetime(2026, 7, 10, 12, 0, tzinfo=UTC)  # July: June is the latest complete month
MONTHS = [datetime(2026, m, 1, tzinfo=UTC) for m in range(1, 7)]


def touchpoint_ids(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {r.key: r.id for r in conn.execute(sa.select(s.touchpoints.c.key, s.touchpoints.c.id))}


def nps_scores(rng, n: int, promoters: float, detractors: float) -> np.ndarray:
    """n scores: promoters 9–10, detractors 0–6, the rest 7–8."""
    kind = rng.choice(3, n, p=[detractors, 1 - promoters - detractors, promoters])
    return np.where(
        kind == 0, rng.integers(0, 7, n), np.where(kind == 1, rng.integers(7, 9, n), rng.integers(9, 11, n))
    )


def add_answers(
    store,
    touchpoint_id: int,
    start: datetime,
    days: int,
    scores,
    *,
    metric="nps",
    scale=(0, 10),
    rng=None,
    channel="email",
):
    """``scores`` spread evenly over ``days`` days from ``start``."""
    rng = rng or np.random.default_rng(0)
    rows = []
    for i, score in enumerate(scores):
        at = start + timedelta(seconds=int(rng.integers(0, days * 86400)))
        rows.append(
            {
                "touchpoint_id": touchpoint_id,
                "submitted_at": at,
                "metric": metric,
                "score": int(score),
                "scale_min": scale[0],
                "scale_max": scale[1],
                "channel": channel,
            }
        )
    with store.engine.begin() as conn:
        conn.execute(s.responses.insert(), rows)


def add_tickets(store, start: datetime, days: int, n: int, *, team="support", rng=None, prefix="t"):
    rng = rng or np.random.default_rng(0)
    with store.engine.begin() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(s.tickets)).scalar_one()
        conn.execute(
            s.tickets.insert(),
            [
                {
                    "external_id": f"{prefix}{count + i}",
                    "created_at": start + timedelta(seconds=int(rng.integers(0, days * 86400))),
                    "team": team,
                    "channel": "email",
                    "status": "open",
                }
                for i in range(n)
            ],
        )


def monthly_nps(
    store, touchpoints: dict[str, int], n: int, promoters=0.5, detractors=0.2, drop: dict | None = None, seed=0
):
    """Every month Jan–Jun at each touchpoint: n answers; ``drop`` {touchpoint: (P, D)} in June."""
    rng = np.random.default_rng(seed)
    for key, tp_id in touchpoints.items():
        for month in MONTHS:
            p, d = (drop or {}).get(key, (promoters, detractors)) if month.month == 6 else (promoters, detractors)
            days = 30 if month.month != 2 else 28
            add_answers(store, tp_id, month, days, nps_scores(rng, n, p, d), rng=rng)


def store_rules(store, text: str):
    import yaml

    from cxlens.alerts.rules import parse_alerts, store_alerts

    parsed = parse_alerts(yaml.safe_load(text)["alerts"], "test.yaml")
    with store.engine.begin() as conn:
        store_alerts(conn, parsed)
    return parsed
