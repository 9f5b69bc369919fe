"""What every request to the web app goes through before an endpoint sees it, so that bad
input gets a 4xx naming the field, never a 500, and the same limits hold on every path.

- :class:`RequestLimits`, an ASGI middleware: a body over :data:`cxlens.limits.MAX_BODY_BYTES`
  is refused with 413 (by its Content-Length, or while it streams in), and every response
  carries the security headers (:data:`SECURITY_HEADERS`).
- :func:`json_body`, a dependency of the JSON endpoints written by hand: it parses strictly
  (``NaN``/``Infinity``, which JSON does not have, get a 422 naming their field), refuses nesting deeper than
  :data:`cxlens.limits.MAX_JSON_DEPTH` and text no store can keep (lone surrogates, NUL),
  naming the path of the bad value.
- :func:`validation_problems`: FastAPI's own 422s in the same shape as the hand-written ones,
  ``{"detail": [{"index", "field", "value", "problem"}]}``, with values that are valid JSON.
- :func:`body_schema` and :data:`ERRORS`: the OpenAPI of a body that an endpoint checks by hand
  (from its Pydantic model), and of the error answers every API endpoint may give.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from ..limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, text_problem

__all__ = [
    "ERRORS",
    "MAX_ID",
    "ItemId",
    "ItemPath",
    "SECURITY_HEADERS",
    "Problem",
    "ProblemOut",
    "RequestLimits",
    "body_schema",
    "json_body",
    "json_safe",
    "page_policy",
    "storable_body",
    "validation_problems",
]

# Pages are ours alone: scripts and styles come from this origin; no page may be framed by
# another site (the open survey page is, by its survey's widget origins: see survey_pages).
# Vega compiles chart expressions with Function(): hence 'unsafe-eval' (scripts still come only from here).
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)
# The API reference (api_docs) runs the vendored Swagger UI: scripts from here only, no inline
# script; its React components set style attributes, hence 'unsafe-inline' for styles alone.
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")


def page_policy(frame_ancestors: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy of a page that the given origins may frame (none: no one)."""
    return f"{_PAGE_POLICY}; frame-ancestors {' '.join(frame_ancestors) if frame_ancestors else chr(39) + 'none' + chr(39)}"


SECURITY_HEADERS = {
    "content-security-policy": page_policy(),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


MAX_ID = 2**63 - 1  # the stores' ids are 64-bit: a larger number names nothing, and SQLite cannot bind it
ItemId = Annotated[int, Field(ge=1, le=MAX_ID)]
ItemPath = Annotated[int, Path(ge=1, le=MAX_ID)]


class Problem(BaseModel):
    """One bad field of a request."""

    index: int | None = None
    field: str
    value: Any = None
    problem: str


class ProblemOut(BaseModel):
    """A refused request: the bad fields, or one sentence saying what is wrong."""

    detail: list[Problem] | str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ProblemOut, "description": "The body is not JSON"},
    401: {"model": ProblemOut, "description": "No API key, or an unknown or revoked one"},
    403: {"model": ProblemOut, "description": "The API key lacks the scope"},
    404: {"model": ProblemOut, "description": "No such item"},
    409: {"model": ProblemOut, "description": "A request under this Idempotency-Key is still running"},
    413: {"model": ProblemOut, "description": "The body is larger than the limit"},
    422: {"model": ProblemOut, "description": "Bad fields, each named with its value and the problem"},
    429: {"model": ProblemOut, "description": "Too many requests; Retry-After says when to try again"},
}


def json_safe(value: Any, limit: int = 80) -> Any:
    """A value as a 422 may echo it: non-finite numbers as text, long or nested values cut."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        bad = text_problem(value)
        return value[:limit] if bad is None else repr(value[:limit])
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    try:
        return json.dumps(value, default=str)[:limit]
    except (ValueError, TypeError, RecursionError):
        return repr(value)[:limit]


def _field(loc: tuple) -> tuple[int | None, str]:
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    index = parts.pop(0) if parts and isinstance(parts[0], int) else None
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return index, text or "(body)"


async def validation_problems(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 in the house shape, safe to encode whatever the client sent."""
    problems = []
    for error in exc.errors():
        index, field = _field(tuple(error.get("loc", ())))
        problems.append(
            {"index": index, "field": field, "value": json_safe(error.get("input")), "problem": error.get("msg", "")}
        )
    return JSONResponse({"detail": problems}, status_code=422)


def _reject(status: int, field: str, value: Any, text: str, index: int | None = None) -> HTTPException:
    return HTTPException(status, [{"index": index, "field": field, "value": json_safe(value), "problem": text}])


class _Constant(str):
    """``NaN``, ``Infinity`` or ``-Infinity`` where a JSON value should be: kept as a marker
    while parsing, so that the 422 can name the field it was sent for."""


def _bad_value(value: Any, path: str, depth: int) -> tuple[str, Any, str] | None:
    """The first value no store can keep, as (path, value, problem); None when all are fine."""
    if depth > MAX_JSON_DEPTH:
        return path or "(body)", None, f"is nested deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, _Constant):
        return path or "(body)", str(value), "is not a JSON number; send a finite number or null"
    if isinstance(value, str):
        bad = text_problem(value)
        return (path or "(body)", value, bad) if bad else None
    if isinstance(value, dict):
        for k, v in value.items():
            where = f"{path}.{k}" if path else str(k)
            found = _bad_value(k, where, depth + 1) or _bad_value(v, where, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for n, v in enumerate(value):
            found = _bad_value(v, f"{path}[{n}]", depth + 1)
            if found:
                return found
    return None


def _split_index(path: str) -> tuple[int | None, str]:
    """``[3].customer.name`` → (3, ``customer.name``): the index of a batch item, then its field."""
    if path.startswith("[") and "]" in path:
        head, rest = path[1:].split("]", 1)
        if head.isdigit():
            return int(head), rest.lstrip(".") or "(item)"
    return None, path


async def json_body(request: Request) -> Any:
    """The request's JSON body, parsed strictly; a 400 when it is not JSON, a 422 naming the
    path of a value no store can keep or of nesting deeper than the limit."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _reject(413, "(body)", len(raw), f"is larger than {MAX_BODY_BYTES} bytes; send smaller batches")
    try:
        body = json.loads(raw, parse_constant=_Constant)
    except RecursionError:
        raise _reject(422, "(body)", None, f"is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _reject(400, "(body)", None, f"is not JSON: {exc}") from None
    found = _bad_value(body, "", 0)
    if found:
        path, value, text = found
        index, field = _split_index(path)
        raise _reject(422, field, value, text, index)
    return body


async def storable_body(request: Request) -> None:
    """A router dependency for endpoints whose body is a Pydantic model: Pydantic accepts
    NUL characters, lone surrogates and deep nesting that no store keeps, so a JSON body is
    first checked as :func:`json_body` checks it (a 422 naming the field, never a 500)."""
    if request.method in ("POST", "PUT", "PATCH") and "json" in request.headers.get("content-type", ""):
        if await request.body():
            await json_body(request)


def _inline(schema: Any, defs: dict) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def body_schema(model: Any, description: str = "") -> dict:
    """``openapi_extra`` declaring a JSON body by its Pydantic model (or type adapter), for an
    endpoint that checks the body itself so that every problem is listed at once."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(model).json_schema()
    body = {"required": True, "content": {"application/json": {"schema": _inline(schema, schema.get("$defs", {}))}}}
    if description:
        body["description"] = description
    return {"requestBody": body}


class _TooLarge(Exception):
    pass


class RequestLimits:
    """ASGI middleware: the body size limit on every path, and the security headers on every
    response (a page may replace the framing policy by setting its own CSP)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        received = 0
        started = False

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise _TooLarge
            return message

        async def with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _secured(scope["path"], list(message.get("headers", [])))}
            await send(message)

        try:
            await self.app(scope, counted, with_headers)
        except _TooLarge:
            if not started:
                await _too_large(with_headers)


def _secured(path: str, headers: list) -> list:
    """The response's headers with the security headers it lacks. A page that sets its own
    CSP (the open survey page, framed by its survey's sites) keeps it and gets no X-Frame-Options."""
    have = {k.lower() for k, _ in headers}
    wanted = dict(SECURITY_HEADERS)
    if path.startswith(_DOCS_PATHS):
        wanted["content-security-policy"] = _DOCS_POLICY
    if b"content-security-policy" in have:
        wanted.pop("x-frame-options")
    return headers + [(k.encode(), v.encode()) for k, v in wanted.items() if k.encode() not in have]


async def _too_large(send) -> None:
    response = JSONResponse(
        {
            "detail": [
                {
                    "index": None,
                    "field": "(body)",
                    "value": None,
                    "problem": f"is larger than {MAX_BODY_BYTES} bytes; send smaller batches",
                }
            ]
        },
        status_code=413,
    )
    await response({"type": "http"}, None, send)
