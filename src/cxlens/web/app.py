"""The web app. Thin: every page calls the library and renders what it returns."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .. import __version__
from ..ingest.journeys import journey_tree
from ..store import Store, open_store
from . import api_events, survey_pages, widget

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def create_app(store: Store | None = None) -> FastAPI:
    """The app over ``store`` (default: the configured store, opened and schema-checked)."""
    store = store or open_store()
    app = FastAPI(title="cxlens", version=__version__, description="Customer-experience measurement.")
    app.state.store = store
    app.include_router(survey_pages.router)  # /s/{token}, /s/open/{survey}, /u/{token}
    app.include_router(widget.router)  # /w/{survey}.js, /w/{survey}/responses
    app.include_router(api_events.router)  # POST /api/events

    @app.get("/health", tags=["meta"])
    def health() -> dict:
        """Liveness and the store's schema version."""
        return {"status": "ok", "version": __version__, "database": store.dialect, "schema": store.current_revision()}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request):
        counts = store.row_counts()
        return TEMPLATES.TemplateResponse(
            request, "overview.html", {"journeys": journey_tree(store), "counts": counts, "version": __version__}
        )

    return app
