"""``Idempotency-Key`` on every POST of the REST API: a retried request gets the first answer
back (with ``Idempotent-Replayed: true``) and has no second effect.

An ASGI middleware, so that each endpoint needs nothing of its own: a POST under ``/api/``
with the header and a valid API key claims the key (:func:`cxlens.access.idempotency.claim`,
an insert on a unique key, so that concurrent retries cannot both run), runs, and keeps its
answer if it is not a server error. ``POST /api/events`` keeps its idempotency record in the
same transaction as its events (:mod:`cxlens.collect.events`), so it is left to do so.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from ..access import idempotency
from ..access.apikeys import verify_api_key
from ..errors import AccessDenied

__all__ = ["IdempotentPosts", "SELF_IDEMPOTENT"]

SELF_IDEMPOTENT = frozenset({"/api/events"})
_MAX_KEPT_BYTES = 1_000_000  # a larger answer is not kept: its retry runs again


def _bearer(scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            text = value.decode("latin-1")
            return text[7:].strip() if text[:7].lower() == "bearer " else None
    return None


def _header(scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == wanted:
            return value.decode("latin-1")
    return None


class IdempotentPosts:
    """ASGI middleware honouring ``Idempotency-Key`` on the API's POSTs."""

    def __init__(self, app, store) -> None:
        self.app = app
        self.store = store

    def _applies(self, scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].startswith("/api/")
            and scope["path"] not in SELF_IDEMPOTENT
            and bool(_header(scope, b"idempotency-key"))
        )

    async def __call__(self, scope, receive, send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        try:
            api_key = await run_in_threadpool(verify_api_key, self.store, token or "")
        except AccessDenied:
            await self.app(scope, receive, send)  # the endpoint answers 401 or 403
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False) and message["type"] == "http.request"
        key = _header(scope, b"idempotency-key") or ""
        request_hash = idempotency.fingerprint(body, scope["path"])
        earlier = await run_in_threadpool(idempotency.claim, self.store, api_key.id, key, request_hash)
        if earlier is not None:
            headers = {"Idempotent-Replayed": "true"} if earlier.replayed else None
            await JSONResponse(earlier.body, status_code=earlier.status, headers=headers)(scope, receive, send)
            return
        await self._run(scope, body, send, api_key.id, key)

    async def _run(self, scope, body: bytes, send, api_key_id: int, key: str) -> None:
        sent = False
        status, chunks = 500, []

        async def replayed_receive():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replayed_receive, capture)
        except BaseException:
            await run_in_threadpool(idempotency.release, self.store, api_key_id, key)
            raise
        answer = b"".join(chunks)
        if status >= 500 or len(answer) > _MAX_KEPT_BYTES:
            await run_in_threadpool(idempotency.release, self.store, api_key_id, key)
            return
        try:
            kept = json.loads(answer) if answer else None
        except ValueError:
            kept = None
        await run_in_threadpool(idempotency.settle, self.store, api_key_id, key, status, kept)
