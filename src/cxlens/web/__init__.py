"""web/ — the FastAPI app: the dashboard, the REST API, hosted survey pages and the widget."""

from .app import create_app

__all__ = ["create_app"]
