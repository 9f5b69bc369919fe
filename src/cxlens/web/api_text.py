"""REST: text analytics under ``/api/text`` (API key with the ``text:read`` scope).

The same calls as ``cxlens text …`` and :mod:`cxlens.text`: themes, feature requests, key
drivers with the NPS gain per theme, spikes, and the sentiment model's evaluation. Analysing
(``cxlens text analyze``) is a batch job, not an endpoint.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ..errors import InputError
from ..store.reads import latest_sentiment_model
from ..text import analysis, findings
from .auth import require_scope
from .guard import ERRORS

__all__ = ["router"]

router = APIRouter(
    prefix="/api/text", tags=["text"], dependencies=[Depends(require_scope("text:read"))], responses=ERRORS
)


@router.get("/themes", summary="Themes: counts, share negative, monthly trend, examples")
def get_themes(request: Request, limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
    return [asdict(t) for t in analysis.themes(request.app.state.store)[:limit]]


@router.get("/requests", summary="Feature requests grouped by near-duplicates, requesters and revenue")
def get_requests(request: Request, limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
    return [asdict(g) for g in analysis.feature_requests(request.app.state.store)[:limit]]


@router.get("/drivers", summary="Key drivers of NPS, CSAT or CES (Johnson's relative weights)")
def get_drivers(request: Request, metric: str = Query("nps", pattern="^(nps|csat|ces)$")) -> dict[str, Any]:
    try:
        result, gains = findings.key_drivers(request.app.state.store, metric)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {
        "outcome": result.outcome,
        "n": result.n,
        "r2": result.r2,
        "explained": result.explained(),
        "drivers": [asdict(d) | {"direction": d.direction} for d in result.drivers],
        "nps_gain_by_theme": gains,
    }


@router.get("/spikes", summary="Themes and negative sentiment rising significantly in the last window")
def get_spikes(request: Request, window_days: int = Query(7, ge=1, le=90)) -> list[dict[str, Any]]:
    return [
        asdict(sp) | {"ratio": sp.ratio}
        for sp in findings.text_spikes(request.app.state.store, window_days=window_days)
    ]


@router.get("/sentiment/evaluation", summary="The stored sentiment model's held-out evaluation")
def get_evaluation(request: Request) -> dict[str, Any]:
    model = latest_sentiment_model(request.app.state.store)
    if model is None:
        raise HTTPException(404, "no sentiment model yet: run `cxlens text analyze`")
    return {"created_at": model["created_at"].isoformat(), "n_texts": model["n_texts"], "metrics": model["metrics"]}
