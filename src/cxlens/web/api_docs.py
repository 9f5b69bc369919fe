"""The interactive API reference at ``/docs``: Swagger UI, vendored under
``static/vendor/swagger-ui`` (with its licence), so it works with no network; FastAPI's own page
would fetch the viewer from a CDN. ``/redoc`` (FastAPI's other viewer, CDN-only too) leads here.

The page has no inline script: ``static/api-docs.js`` starts the viewer, which lets the docs'
Content-Security-Policy (``guard``) allow scripts from this origin alone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import escape

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_VENDOR = "/static/vendor/swagger-ui"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – API reference</title>
<link rel="stylesheet" href="{root}{vendor}/swagger-ui.css">
<link rel="icon" type="image/png" href="{root}{vendor}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{root}{vendor}/swagger-ui-bundle.js"></script>
<script src="{root}/static/api-docs.js" data-openapi="{root}{openapi}"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    root = escape(request.scope.get("root_path", "").rstrip("/"))
    page = _PAGE.format(
        title=escape(request.app.title), root=root, vendor=_VENDOR, openapi=escape(request.app.openapi_url or "")
    )
    return HTMLResponse(page)


@router.get("/redoc")
def redoc(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '').rstrip('/')}/docs", status_code=308)
