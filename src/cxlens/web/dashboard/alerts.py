"""Alerts: what the rules found, by tab (firing, acknowledged, pending, resolved), each with
its evidence in plain words and a chart; one alert with its history; and the forms that
acknowledge, snooze and resolve (analysts and admins; viewers read).

Thin: the lists come from :mod:`cxlens.alerts.views`, every change is a function of
:mod:`cxlens.alerts.lifecycle`. Forms are plain POSTs with the session's CSRF token that
answer with a redirect back (so a reload does not repeat them), naming what was done by code.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ...access import Session, csrf_matches
from ...alerts import lifecycle, measure, views
from ...alerts.evaluation import describe
from ...alerts.rules import AlertRule
from ...errors import InputError
from ..charts import SCHEMA
from ..deps import kpi_engine_of
from .format import label_of
from .render import TEMPLATES, error_page, render
from .session import CSRF_HEADER, current_session, require_role, safe_next

__all__ = ["SNOOZES", "alert_facts", "evidence_chart", "router"]

router = APIRouter(include_in_schema=False)
SNOOZES = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "1w": timedelta(weeks=1)}
DONE = {
    "ack": "Acknowledged: the others see someone is on it.",
    "ack-already": "It was acknowledged (or resolved) already.",
    "snooze": "Snoozed: no notifications until then; it still moves with the data.",
    "resolve": "Resolved by hand; the next window that breaches opens it again.",
    "resolve-already": "It was resolved already.",
}
CONTEXT = 5  # periods shown before the judged one on an alert's page, besides those it was compared with


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _num(v: Any, fmt: str = ".1f") -> str:
    return format(v, fmt) if isinstance(v, int | float) and math.isfinite(v) else "–"


def _plain_p(p: float | None, q: float | None) -> str | None:
    """p and q in words a CX lead can act on."""
    if p is None:
        return None
    chance = f"{_eq('p', p)}: if nothing had changed, data at least this far off would turn up {_odds(p)}"
    if q is None:
        return chance + "."
    return (
        chance + f"; {_eq('q', q)}: corrected for every test of the run (Benjamini–Hochberg), about "
        f"{_pct(q)} of alerts this strong would be false alarms."
    )


def _eq(name: str, v: float) -> str:
    # Evidence is stored rounded to 6 decimals: 0 means smaller than that, not impossible.
    return f"{name} < 0.000001" if v <= 0 else f"{name} = {v:.2g}"


def _odds(p: float) -> str:
    if p <= 0:
        return "almost never"
    if p < 0.001:
        return "less than once in a thousand checks"
    return f"about once in {max(1, round(1 / p)):,} checks"


def _pct(q: float) -> str:
    return f"{q * 100:.1f} %" if q >= 0.001 else "fewer than 0.1 %"


def alert_facts(alert: dict) -> dict[str, Any]:
    """What a template shows of an alert: title, summary, the evidence's numbers in words."""
    ev = alert.get("evidence") or {}
    rule = AlertRule(
        alert["rule"], alert.get("rule_kind") or ev.get("kind", ""), alert.get("kpi"), alert.get("definition") or {}
    )
    try:
        title, summary = describe(rule, alert.get("slice") or {}, ev)
    except (KeyError, TypeError, ValueError):
        title, summary = alert["rule"], ""
    base = ev.get("baseline") or {}
    slice_ = alert.get("slice") or {}
    metric = alert.get("kpi")
    count = ev.get("kind") == "volume"
    fmt = ".0f" if count else ".1f"
    return {
        "title": title,
        "summary": summary,
        "where": ", ".join(f"{k} = {v}" for k, v in slice_.items()) or "everyone",
        "kpi_label": label_of(metric) if metric else (ev.get("source") or alert.get("rule_kind") or ""),
        "value": _num(ev.get("value"), fmt),
        "low": _num(ev.get("low"), fmt),
        "high": _num(ev.get("high"), fmt),
        "count": count,
        "has_interval": ev.get("low") is not None and ev.get("high") is not None and ev.get("low") != ev.get("high"),
        "n": ev.get("n"),
        "target": ev.get("target"),
        "baseline": (_num(base.get("value")) + (" per period on average" if count else ""))
        if base.get("value") is not None
        else None,
        "baseline_n": base.get("n"),
        "baseline_interval": (
            f"{_num(base['low'])} to {_num(base['high'])}"
            if base.get("low") is not None and base.get("high") is not None and base["low"] != base["high"]
            else None
        ),
        "change": ev.get("change") or None,
        "p_words": _plain_p(ev.get("p"), ev.get("q")),
        "method": ev.get("method"),
        "alarm_day": ev.get("alarm_day"),
        "periods": ev.get("periods") or {},
    }


def _iso_day(text: str | None) -> str | None:
    return text[:10] if text else None


def _period_label(day: str, grain: str) -> str:
    at = datetime.fromisoformat(day)
    if grain == "month":
        return at.strftime("%b %Y")
    if grain == "quarter":
        return f"Q{(at.month - 1) // 3 + 1} {at.year}"
    if grain == "week":
        return "w/c " + at.strftime("%d %b %Y")
    return at.strftime("%d %b %Y")


def evidence_chart(alert: dict, rows: list[dict] | None = None) -> dict | None:
    """The KPI by period with its interval (whiskers, and a band when there are several periods),
    the judged period and the compared ones marked. ``rows``: the KPI per period for the slice (the
    alert page computes them); without them the chart is drawn from the evidence alone (the
    baseline, pooled, and the judged period)."""
    ev = alert.get("evidence") or {}
    periods = ev.get("periods") or {}
    grain = periods.get("grain") or alert.get("grain") or "month"
    judged = _iso_day(periods.get("judged"))
    baseline = [_iso_day(b) for b in periods.get("baseline") or []]
    data: list[dict] = []
    if rows:
        for r in rows:
            if r.get("value") is None:
                continue
            day = _iso_day(r["period"].isoformat() if hasattr(r["period"], "isoformat") else str(r["period"]))
            role = "judged" if day == judged else "compared with" if day in baseline else "other periods"
            data.append(
                {
                    "period": day,
                    "value": r.get("value"),
                    "low": r.get("low"),
                    "high": r.get("high"),
                    "n": r.get("n"),
                    "role": role,
                }
            )
    else:
        base = ev.get("baseline") or {}
        counts = base.get("counts")
        if counts and len(counts) == len(baseline):
            data += [
                {"period": b, "value": n, "low": n, "high": n, "n": n, "role": "compared with"}
                for b, n in zip(baseline, counts, strict=True)
            ]
        elif base.get("value") is not None and baseline:
            data.append(
                {
                    "period": baseline[0],
                    "value": base["value"],
                    "low": base.get("low", base["value"]),
                    "high": base.get("high", base["value"]),
                    "n": base.get("n"),
                    "role": "compared with",
                    "label": f"{_period_label(baseline[0], grain)} (baseline)"
                    if len(baseline) == 1
                    else f"baseline: {len(baseline)} periods pooled",
                }
            )
        if judged and ev.get("value") is not None:
            data.append(
                {
                    "period": judged,
                    "value": ev["value"],
                    "low": ev.get("low", ev["value"]),
                    "high": ev.get("high", ev["value"]),
                    "n": ev.get("n"),
                    "role": "judged",
                }
            )
    for d in data:
        d.setdefault("label", _period_label(d["period"], grain))
        for k in ("value", "low", "high"):
            if isinstance(d[k], float) and not math.isfinite(d[k]):
                d[k] = None
    if not data:
        return None
    data.sort(key=lambda d: d["period"])
    title = label_of(alert["kpi"]) if alert.get("kpi") else "count"
    roles = [r for r in ("judged", "compared with", "other periods") if any(d["role"] == r for d in data)]
    x = {
        "field": "label",
        "type": "ordinal",
        "sort": None,
        "title": None,
        "axis": {"labelAngle": 0, "labelOverlap": True},
    }
    y = {"field": "value", "type": "quantitative", "title": title, "scale": {"zero": False}}
    colour = {
        "field": "role",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": roles,
            "range": [{"judged": "#dc2626", "compared with": "#d97706", "other periods": "#2563eb"}[r] for r in roles],
        },
        "legend": {"orient": "bottom"},
    }
    layers: list[dict] = []
    if len(data) >= 3:
        layers += [
            {
                "mark": {"type": "area", "opacity": 0.2, "color": "#93c5fd"},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "title": title, "scale": {"zero": False}},
                    "y2": {"field": "high"},
                },
            },
            {"mark": {"type": "line", "color": "#93c5fd"}, "encoding": {"x": x, "y": y}},
        ]
    layers += [
        {
            "mark": {"type": "rule", "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": {"field": "low", "type": "quantitative", "title": title, "scale": {"zero": False}},
                "y2": {"field": "high"},
                "color": colour,
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 80, "opacity": 1},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "tooltip": [
                    {"field": "label", "title": "period"},
                    {"field": "role", "type": "nominal"},
                    {"field": "value", "type": "quantitative", "format": ".1f"},
                    {"field": "low", "type": "quantitative", "format": ".1f"},
                    {"field": "high", "type": "quantitative", "format": ".1f"},
                    {"field": "n", "type": "quantitative"},
                ],
            },
        },
    ]
    if ev.get("target") is not None:
        layers.append(
            {
                "data": {"values": [{"target": ev["target"]}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#111"},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 160,
        "data": {"values": data},
        "layer": layers,
        "config": {
            "font": "system-ui, sans-serif",
            "view": {"stroke": None},
            "background": None,
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": True, "gridOpacity": 0.4},
        },
    }


def _by_period(request: Request, alert: dict) -> list[dict] | None:
    """The alert's KPI per period for its slice, from the window's first baseline period to the
    judged one (None when it cannot be computed: a volume rule, an unknown dimension)."""
    ev = alert.get("evidence") or {}
    periods = ev.get("periods") or {}
    metric, grain = alert.get("kpi"), periods.get("grain") or alert.get("grain") or "month"
    if not metric or not periods.get("judged") or ev.get("kind") in ("volume", "drift"):
        return None
    try:
        judged = _aware(datetime.fromisoformat(periods["judged"]))
        first = min(
            [_aware(datetime.fromisoformat(b)) for b in periods.get("baseline", [])]
            + [measure.shift(judged, grain, -CONTEXT)]
        ).date()
        until = measure.shift(judged, grain, 1).date()
        where = {str(k): [str(v)] for k, v in (alert.get("slice") or {}).items()}
        result = kpi_engine_of(request).compute(metric, grain=grain, since=first, until=until, where=where or None)
    except (InputError, ValueError, KeyError):
        return None
    return list(result.rows)


def firing_banner(request: Request) -> tuple[int, int]:
    """(firing, not acknowledged) for the Overview's banner; (0, 0) if it cannot be read."""
    with request.app.state.store.engine.connect() as conn:
        return views.firing_count(conn)


TEMPLATES.env.globals["firing_alerts"] = firing_banner


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: Session = Depends(current_session)):
    tab = request.query_params.get("tab") or "firing"
    if tab not in views.ALERT_TABS:
        raise HTTPException(404, f"there is no tab {tab!r}; the tabs are {', '.join(views.ALERT_TABS)}")
    with request.app.state.store.engine.connect() as conn:
        alerts = views.list_alerts(conn, tab)
        counts = views.count_alerts(conn)
    shown = [{**a, "facts": alert_facts(a), "chart": evidence_chart(a)} for a in alerts]
    return render(
        request,
        "dashboard/alerts.html",
        {
            "title": "Alerts",
            "tab": tab,
            "tabs": views.ALERT_TABS,
            "counts": counts,
            "alerts": shown,
            "snoozes": list(SNOOZES),
            "done": DONE.get(request.query_params.get("done") or ""),
        },
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: int, session: Session = Depends(current_session)):
    with request.app.state.store.engine.connect() as conn:
        alert = views.alert_detail(conn, alert_id)
    if alert is None:
        raise HTTPException(404, f"there is no alert {alert_id}; the list is on /alerts")
    chart = evidence_chart(alert, _by_period(request, alert)) or evidence_chart(alert)
    return render(
        request,
        "dashboard/alert.html",
        {
            "title": f"Alert {alert_id}",
            "alert": alert,
            "facts": alert_facts(alert),
            "spec": chart,
            "snoozes": list(SNOOZES),
            "done": DONE.get(request.query_params.get("done") or ""),
        },
    )


def _forged() -> HTTPException:
    return HTTPException(403, "the form's security token is missing or old: reload the page and try again")


def _back(request: Request, alert_id: int, code: str, next_: str) -> RedirectResponse:
    target = safe_next(next_) if next_ else f"/alerts/{alert_id}"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={code}#alert-{alert_id}", 303)


def _act(request: Request, session: Session, alert_id: int, csrf_token: str, call) -> bool | None:
    """CSRF first, then the alert must exist (404), then the change in one transaction; a change
    the library refuses raises its InputError for the caller to show."""
    if not csrf_matches(session, csrf_token or request.headers.get(CSRF_HEADER)):
        raise _forged()
    with request.app.state.store.engine.begin() as conn:
        if not views.alert_exists(conn, alert_id):
            raise HTTPException(404, f"there is no alert {alert_id}; the list is on /alerts")
        return call(conn)


@router.post("/alerts/{alert_id}/ack")
def ack(
    request: Request,
    alert_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    next: str = Form(""),
):
    done = _act(request, session, alert_id, csrf_token, lambda c: lifecycle.acknowledge(c, alert_id, session.user.id))
    return _back(request, alert_id, "ack" if done else "ack-already", next)


@router.post("/alerts/{alert_id}/snooze")
def snooze(
    request: Request,
    alert_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    duration: str = Form("1d"),
    next: str = Form(""),
):
    if duration not in SNOOZES:
        if not csrf_matches(session, csrf_token or request.headers.get(CSRF_HEADER)):
            raise _forged()
        raise HTTPException(422, f"snooze for {duration!r}? choose one of: {', '.join(SNOOZES)}")
    until = datetime.now(UTC) + SNOOZES[duration]
    try:
        _act(request, session, alert_id, csrf_token, lambda c: lifecycle.snooze(c, alert_id, until, session.user.id))
    except InputError as exc:
        return error_page(request, exc)
    return _back(request, alert_id, "snooze", next)


@router.post("/alerts/{alert_id}/resolve")
def resolve(
    request: Request,
    alert_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    next: str = Form(""),
):
    done = _act(request, session, alert_id, csrf_token, lambda c: lifecycle.resolve(c, alert_id, session.user.id))
    return _back(request, alert_id, "resolve" if done else "resolve-already", next)
