"""The web app. Thin: every page calls the library and renders what it returns."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__
from ..store import Store, open_store
from . import admin, api_alerts, api_events, api_kpi, api_text, dashboard, survey_pages, widget


def create_app(store: Store | None = None) -> FastAPI:
    """The app over ``store`` (default: the configured store, opened and schema-checked)."""
    store = store or open_store()
    app = FastAPI(title="cxlens", version=__version__, description="Customer-experience measurement.")
    app.state.store = store
    app.include_router(api_kpi.router)  # /api/kpi, /api/kpi/{name}
    app.include_router(survey_pages.router)  # /s/{token}, /s/open/{survey}, /u/{token}
    app.include_router(widget.router)  # /w/{survey}.js, /w/{survey}/responses
    app.include_router(api_events.router)  # POST /api/events
    app.include_router(api_text.router)  # /api/text/themes, requests, drivers, spikes, sentiment/evaluation
    app.include_router(api_alerts.alerts_router)  # /api/alerts: list, ack, snooze, resolve
    app.include_router(api_alerts.cases_router)  # /api/cases: list, one, open, assign, status, notes, close
    app.include_router(dashboard.router)  # /, /login, /journeys, /touchpoints/{key}, /explorer, /support, …
    app.include_router(admin.router)  # /admin/users: user management, admins only
    app.add_exception_handler(HTTPException, dashboard.page_errors)  # pages' 403/404 as pages; the rest unchanged
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.get("/health", tags=["meta"])
    def health() -> dict:
        """Liveness and the store's schema version."""
        return {"status": "ok", "version": __version__, "database": store.dialect, "schema": store.current_revision()}

    return app
