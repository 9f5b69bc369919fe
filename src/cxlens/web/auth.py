"""Authentication for the REST API: ``Authorization: Bearer cxl_…`` API keys with scopes.

Routers protect an endpoint with ``Depends(require_scope("kpi:read"))``; the dependency hands
the endpoint the verified :class:`~cxlens.access.ApiKey`. Missing or bad keys get 401 with a
``WWW-Authenticate`` header, keys without the scope get 403, each with a message that says what
to do. OpenAPI documents the scheme, so the interactive docs offer an "Authorize" button.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..access import SCOPES, ApiKey, verify_api_key
from ..errors import AccessDenied

__all__ = ["require_scope"]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="api_key",
    description="An API key from `cxlens apikeys create NAME --scope SCOPE`, sent as `Authorization: Bearer cxl_…`.",
)


def require_scope(scope: str) -> Callable[..., ApiKey]:
    """A FastAPI dependency admitting requests whose API key holds ``scope``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")  # a programming error, caught at import

    def dependency(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> ApiKey:
        if credentials is None:
            raise _denied(
                AccessDenied(
                    f"this endpoint needs an API key with the scope {scope!r}: "
                    "send `Authorization: Bearer cxl_…` (create one with `cxlens apikeys create`)"
                )
            )
        try:
            return verify_api_key(request.app.state.store, credentials.credentials, scope)
        except AccessDenied as exc:
            raise _denied(exc) from None

    return dependency


def _denied(exc: AccessDenied) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return HTTPException(status_code=exc.status, detail=str(exc), headers=headers)
