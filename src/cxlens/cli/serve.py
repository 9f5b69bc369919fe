"""``cxlens serve``: the web app (dashboard, REST API, survey pages)."""

from __future__ import annotations

import typer

from .shared import open_store, out

__all__ = ["app", "serve"]

app = typer.Typer()


@app.command("serve")
def serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000)) -> None:
    """Start the web app (FastAPI) on HOST:PORT."""
    import uvicorn

    from ..config import settings
    from ..web import create_app

    web = create_app(open_store(create=True))
    out.print(f"cxlens is serving {settings().database_url} on [bold]http://{host}:{port}[/] (Ctrl+C stops it)")
    uvicorn.run(web, host=host, port=port, log_level="warning")
