"""Customers: a search by name, e-mail or id, and one customer's timeline (events,
invitations, answers, tickets, payments, sign-up and churn).

Names, e-mails and what one person said are personal data: analysts and admins only.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
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
    found = find_customers(request.app.state.store, q.get("q") or "", filters.segment)
    return render(
        request,
        "dashboard/customers.html",
        page_context(
            request, filters, customers=found, search=q.get("q") or "", page_size=CUSTOMER_PAGE, title="Customers"
        ),
    )


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
            timeline=timeline,
            limit=TIMELINE_LIMIT,
            title=person["name"] or person["external_id"],
        ),
    )
