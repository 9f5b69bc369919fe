"""REST: a customer's stored predictions under ``/api/customers/{id}/prediction`` (API key
with the ``predictions:read`` scope).

What ``cxlens predict clv|churn`` stored: lifetime value (P(alive), expected purchases and
spend, CLV, each with its interval) and churn risk (P(churn) in 30 and 90 days, the factors in
words, CLV at stake), each with the version of the model that made it and when. Fitting is a
batch job, not an endpoint.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from ..predict.stored import customer_exists, latest_predictions
from .auth import require_scope
from .guard import ERRORS, ItemPath

__all__ = ["router"]

router = APIRouter(
    prefix="/api/customers",
    tags=["predictions"],
    dependencies=[Depends(require_scope("predictions:read"))],
    responses=ERRORS,
)


@router.get("/{customer_id}/prediction", summary="A customer's latest lifetime-value and churn-risk predictions")
def get_prediction(request: Request, customer_id: ItemPath) -> dict[str, Any]:
    store = request.app.state.store
    if not customer_exists(store, customer_id):
        raise HTTPException(404, f"no customer with id {customer_id}")
    stored = latest_predictions(store, customer_id)
    for p in stored.values():
        p.pop("model_summary", None)  # the model's whole summary is large; its version names it
    return {
        "customer_id": customer_id,
        "predictions": stored,
        "note": None if stored else "nothing predicted yet: run `cxlens predict clv` and `cxlens predict churn`",
    }
