"""REST: every KPI, sliced and compared, under ``/api/kpi`` (API key with the ``kpi:read`` scope).

The same call as ``cxlens.kpi(store).compute(...)`` and ``cxlens kpi``: the query string takes
``by`` (comma-separated), ``grain``, ``since``, ``until``, ``where`` (``dimension=value``,
repeatable), ``compare`` and ``confidence``. On the embedded store the answers come from the
DuckDB mirror (tier 0), synced at most every ``SYNC_EVERY`` seconds, so new data shows up
without a restart while a burst of requests costs one sync.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ..analytics.kpis import GRAINS, NAMES
from ..errors import InputError
from ..metrics import METRICS
from .auth import require_scope
from .deps import kpi_engine_of
from .guard import ERRORS
from .kpi_engine import SYNC_EVERY

__all__ = ["router", "SYNC_EVERY"]

router = APIRouter(prefix="/api/kpi", tags=["kpi"], dependencies=[Depends(require_scope("kpi:read"))], responses=ERRORS)


class KPIInfo(BaseModel):
    name: str
    label: str | None = None
    kind: str | None = Field(None, description="interaction, perception or outcome")
    unit: str | None = None
    higher_is_better: bool | None = None


class KPIResponse(BaseModel):
    metric: str
    by: list[str] = Field(description="the columns that key each row (besides period)")
    grain: str | None
    n: int = Field(0, description="observations over all rows; 0 when the window holds none (and rows is empty)")
    rows: list[dict[str, Any]] = Field(
        description="one row per group (and period): the keys, value, low, high (the interval), n, method, "
        "sufficient (n ≥ 30); with compare: change, change_low, change_high, p_value, significant",
    )


@router.get("", response_model=list[KPIInfo], summary="The KPIs there are")
def list_kpis() -> list[KPIInfo]:
    out = []
    for name in NAMES:
        m = METRICS.get(name)
        out.append(
            KPIInfo(
                name=name,
                label=m.label if m else None,
                kind=m.kind if m else None,
                unit=m.unit if m else None,
                higher_is_better=m.higher_is_better if m else None,
            )
        )
    return out


@router.get("/{name}", response_model=KPIResponse, summary="One KPI with n and intervals, sliced and compared")
def get_kpi(
    request: Request,
    name: str,
    by: str = Query("", description="comma-separated dimensions, e.g. touchpoint,channel"),
    grain: str | None = Query(None, description=f"one of: {', '.join(GRAINS)}"),
    since: date | None = Query(None, description="first day, e.g. 2026-01-01"),
    until: date | None = Query(None, description="the day after the last"),
    where: list[str] = Query([], description="dimension=value, repeatable (values of one dimension are OR-ed)"),
    compare: str | None = Query(None, description="previous or year"),
    confidence: float = Query(0.95, gt=0.5, lt=1.0),
) -> KPIResponse:
    if name not in NAMES:
        raise HTTPException(404, f"KPI {name!r} is not known; GET /api/kpi lists them")
    filters: dict[str, list[str]] = {}
    for item in where:
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip():
            raise HTTPException(422, f"where={item!r}: write it as dimension=value, e.g. where=segment=smb")
        filters.setdefault(dim.strip(), []).append(value.strip())
    dims = [d.strip() for d in by.split(",") if d.strip()]
    try:
        result = kpi_engine_of(request).compute(
            name,
            by=dims,
            grain=grain,
            since=since,
            until=until,
            where=filters or None,
            compare=compare,
            confidence=confidence,
        )
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    rows = [_json_row(r) for r in result.rows]
    n = sum(r.get("n") or 0 for r in rows)
    return KPIResponse(metric=result.metric, by=result.by, grain=result.grain, n=n, rows=rows)


def _json_row(row: dict) -> dict:
    # JSON has no infinity: an interval from one answer is unbounded, which null says honestly.
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v.isoformat() if isinstance(v, datetime) else v)
        for k, v in row.items()
    }
