"""Customers: a search by name, e-mail or id; the customers at risk, most lifetime value at
stake first, filterable by segment, RFM segment and owner; and one customer's predictions
(churn risk and its reasons, P(alive), predicted CLV with its interval, persona, RFM code)
above their timeline (events, invitations, answers, tickets, payments, sign-up and churn).

Names, e-mails and what one person said are personal data: analysts and admins only.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
from ...predict.stored import customers_at_risk, latest_predictions, segment_models
from ...store.reads import CUSTOMER_PAGE, TIMELINE_LIMIT, customer_timeline, find_customers
from .filters import Filters
from .render import error_page, page_context, render
from .session import require_role

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, session: Session = Depends(require_role("analyst"))):
    q = request.query_params
    try:
        filters = Filters.from_request(request)
    except InputError as exc:
        return error_page(request, exc)
    store = request.app.state.store
    found = find_customers(store, q.get("q") or "", filters.segment)
    owner = q.get("owner") or None
    if owner is not None and not owner.isdigit():
        return error_page(request, InputError(f"owner={owner!r} is not a user's id; pick an owner from the list"))
    rfm = q.get("rfm_segment") or None
    at_risk = customers_at_risk(store, segment=filters.segment, rfm_segment=rfm, owner_id=int(owner) if owner else None)
    owners = _owner_choices(store)
    return render(
        request,
        "dashboard/customers.html",
        page_context(
            request,
            filters,
            customers=found,
            search=q.get("q") or "",
            page_size=CUSTOMER_PAGE,
            at_risk=at_risk,
            owners=owners,
            owner=int(owner) if owner else None,
            rfm_segment=rfm,
            segments=segment_models(store),
            title="Customers",
        ),
    )


def _owner_choices(store) -> list[dict]:
    from ...predict.stored import customer_owners

    unique = {o["id"]: o for o in customer_owners(store).values()}
    return sorted(unique.values(), key=lambda o: (o["name"] or "").lower())


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, customer_id: int, session: Session = Depends(require_role("analyst"))):
    try:
        filters = Filters.from_request(request)
    except InputError as exc:
        return error_page(request, exc)
    found = customer_timeline(request.app.state.store, customer_id)
    if found is None:
        raise HTTPException(404, f"no customer has the id {customer_id}; search for them on /customers")
    person, timeline = found
    return render(
        request,
        "dashboard/customer.html",
        page_context(
            request,
            filters,
            person=person,
            predicted=latest_predictions(request.app.state.store, customer_id),
            timeline=timeline,
            limit=TIMELINE_LIMIT,
            title=person["name"] or person["external_id"],
        ),
    )
