"""Customers' data for admins: a customer's export (JSON download) and erasure, the audit log
of admin actions and data access (``/admin/audit``), and the answers quarantined as automated
(``/admin/quarantine``, each releasable). Every export, erasure and release is logged with who
did it; the functions are :mod:`cxlens.store.privacy`, :mod:`cxlens.store.audit` and
:mod:`cxlens.collect.guarding`."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import Session
from ..collect.guarding import list_quarantined, release
from ..errors import InputError
from ..store.audit import AUDIT_PAGE, audit, audit_entries
from ..store.privacy import erase_customer, export_customer
from .admin import admin_or_page, csrf_ok, forged
from .dashboard.render import render
from .dashboard.session import current_session
from .deps import collection_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: Session = Depends(current_session)):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    entries = audit_entries(request.app.state.store)
    return render(request, "dashboard/admin_audit.html", {"title": "Audit log", "entries": entries, "page": AUDIT_PAGE})


@router.get("/admin/customers/{customer_id}/export")
def export_page(request: Request, customer_id: int, session: Session = Depends(current_session)):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    store = request.app.state.store
    try:
        data = export_customer(store, customer_id)
    except InputError as exc:
        return render(request, "dashboard/problem.html", {"title": "Not found", "message": str(exc)}, 404)
    audit(store, session.user.email, "customer.export", f"customer {customer_id}")
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="customer-{customer_id}.json"'},
    )


@router.post("/admin/customers/{customer_id}/erase")
def erase_action(
    request: Request,
    customer_id: int,
    session: Session = Depends(current_session),
    confirm: str = Form(""),
    csrf_token: str = Form(""),
):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    if confirm != "erase":
        message = 'Nothing erased: type "erase" in the box to confirm.'
        return render(request, "dashboard/problem.html", {"title": "Not erased", "message": message}, 422)
    store = request.app.state.store
    try:
        done = erase_customer(store, customer_id)
    except InputError as exc:
        return render(request, "dashboard/problem.html", {"title": "Not found", "message": str(exc)}, 404)
    audit(store, session.user.email, "customer.erase", f"customer {customer_id}", {"suppressed": done["suppressed"]})
    return RedirectResponse(f"/customers/{customer_id}", 303)


@router.get("/admin/quarantine", response_class=HTMLResponse)
def quarantine_page(request: Request, session: Session = Depends(current_session)):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    catalog = collection_of(request).catalog
    held = [q | {"survey": catalog.by_id(q["survey_id"]).key} for q in list_quarantined(request.app.state.store)]
    return render(request, "dashboard/admin_quarantine.html", {"title": "Quarantined answers", "held": held})


@router.post("/admin/quarantine/{quarantined_id}/release")
def release_action(
    request: Request, quarantined_id: int, session: Session = Depends(current_session), csrf_token: str = Form("")
):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    try:
        response_id = release(collection_of(request), quarantined_id)
    except InputError as exc:
        return render(request, "dashboard/problem.html", {"title": "Not released", "message": str(exc)}, 422)
    store = request.app.state.store
    audit(store, session.user.email, "answer.release", f"quarantined {quarantined_id}", {"response_id": response_id})
    return RedirectResponse("/admin/quarantine", 303)
