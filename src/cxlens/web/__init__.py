"""web/ — the FastAPI app: health, the journey overview page (the dashboard has its own issue)."""

from .app import create_app

__all__ = ["create_app"]
