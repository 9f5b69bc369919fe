"""The web app. Thin: every page calls the library and renders what it returns.

While it runs, it also runs alerting's worker (:func:`cxlens.alerts.worker.work`: scheduled
evaluation, escalation of overdue cases, delivery of the outbox) in a background thread, and
the answer rules' checker in another (a survey answer is acknowledged first and checked a
moment later), so a single ``cxlens serve`` acts on what it measures; ``CXLENS_ALERT_WORKER=0``
turns both off, e.g. when ``cxlens alerts work`` or a Huey consumer runs beside it (answer
rules then run inside each answer's transaction).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__
from ..store import Store, open_store
from . import (
    admin,
    admin_privacy,
    admin_themes,
    api_alerts,
    api_docs,
    api_events,
    api_kpi,
    api_predict,
    api_text,
    dashboard,
    survey_pages,
    widget,
)
from .guard import RequestLimits, validation_problems
from .idempotency import IdempotentPosts


def create_app(store: Store | None = None, *, worker_every: float | None = None) -> FastAPI:
    """The app over ``store`` (default: the configured store, opened and schema-checked).
    ``worker_every``: seconds between the alert worker's delivery passes (default 5)."""
    store = store or open_store()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Imported here: the worker's module is small, but the app's import should stay cheap.
        from ..alerts.worker import DELIVERY_SECONDS, start_background_worker

        worker = start_background_worker(store, every_seconds=worker_every or DELIVERY_SECONDS)
        app.state.alert_worker = worker
        app.state.answer_checker = worker.answers if worker is not None else None
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="cxlens",
        version=__version__,
        description="Customer-experience measurement.",
        lifespan=lifespan,
        docs_url=None,  # api_docs serves /docs with the vendored viewer (FastAPI's loads it from a CDN)
        redoc_url=None,
    )
    app.state.store = store
    app.include_router(api_kpi.router)  # /api/kpi, /api/kpi/{name}
    app.include_router(survey_pages.router)  # /s/{token}, /s/open/{survey}, /u/{token}
    app.include_router(widget.router)  # /w/{survey}.js, /w/{survey}/responses
    app.include_router(api_events.router)  # POST /api/events
    app.include_router(api_text.router)  # /api/text/themes, requests, drivers, spikes, sentiment/evaluation
    app.include_router(api_predict.router)  # /api/customers/{id}/prediction
    app.include_router(api_alerts.alerts_router)  # /api/alerts: list, ack, snooze, resolve
    app.include_router(api_alerts.cases_router)  # /api/cases: list, one, open, assign, status, notes, close
    app.include_router(dashboard.router)  # /, /login, /journeys, /touchpoints/{key}, /explorer, /support, …
    app.include_router(admin.router)  # /admin/users: user management, admins only
    app.include_router(admin_themes.router)  # /admin/themes: name, merge or ignore discovered themes
    app.include_router(admin_privacy.router)  # /admin/audit, /admin/customers/{id}/export|erase
    app.include_router(api_docs.router)  # /docs: the API reference, offline (/redoc leads there)
    app.add_exception_handler(HTTPException, dashboard.page_errors)  # pages' 403/404 as pages; the rest unchanged
    app.add_exception_handler(RequestValidationError, validation_problems)  # 422s name the field, safe to encode
    app.add_middleware(IdempotentPosts, store=store)  # Idempotency-Key on every POST of the API
    app.add_middleware(RequestLimits)  # body size limit and security headers, on every path (outermost)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.get("/health", tags=["meta"])
    def health() -> dict:
        """Liveness and the store's schema version."""
        return {"status": "ok", "version": __version__, "database": store.dialect, "schema": store.current_revision()}

    return app
