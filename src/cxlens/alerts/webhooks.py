"""Posting to webhooks: Standard Webhooks 1.0 signing, and one HTTP POST with timeouts.

Signing (https://www.standardwebhooks.com, spec 1.0): three headers,

* ``webhook-id``: the message's id, the same on every retry (cxlens uses ``msg_`` + a digest
  of the notification's outbox key), so a receiver can drop a message it already processed;
* ``webhook-timestamp``: integer Unix seconds when this attempt was made;
* ``webhook-signature``: ``v1,`` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), where
  the key is the secret's bytes: ``whsec_`` + base64 (the spec's form), else the text's UTF-8.

The POST connects to the addresses :func:`~cxlens.alerts.notifiers.check_url` checked (not to
a second DNS answer), never follows a redirect (a 3xx is a failed attempt), and times out after
``timeout`` seconds per connect or read. Only the standard library is used (DESIGN.md §4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .notifiers import check_url

__all__ = ["HttpResult", "message_id", "post_json", "secret_key", "sign", "signature_headers"]

TIMEOUT = 10.0
USER_AGENT = "cxlens-notifier/1"


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret: ``whsec_<base64>`` decoded, anything else as UTF-8 bytes."""
    if secret.startswith("whsec_"):
        raw = secret[len("whsec_") :]
        try:
            return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except ValueError:
            pass
    return secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def message_id(key: str) -> str:
    """A stable ``webhook-id`` for the outbox key ``key`` (the same on every retry)."""
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def signature_headers(secret: str, msg_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": sign(secret, msg_id, ts, body)}


@dataclass(frozen=True)
class HttpResult:
    """What the receiver answered: status, the start of its body, and Retry-After in seconds."""

    status: int
    body: str
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post_json(
    url: str,
    payload: Any,
    *,
    headers: dict[str, str] | None = None,
    allow_private: bool = False,
    timeout: float = TIMEOUT,
    body: bytes | None = None,
) -> HttpResult:
    """POST ``payload`` as JSON (or ``body`` as given) to ``url``; raise OSError or ConfigError
    when no answer came (refused address, DNS, connection, timeout)."""
    host, port, addresses = check_url(url, allow_private=allow_private)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    data = body if body is not None else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    send_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    last: OSError | None = None
    for address in addresses:
        conn = cls(host, port, address, timeout)
        try:
            conn.connect()
        except OSError as exc:
            last = exc  # refused, unreachable or timed out before anything was sent: try the next address
            conn.close()
            continue
        try:
            conn.request("POST", target, body=data, headers=send_headers)
            response = conn.getresponse()
            text = response.read(2048).decode("utf-8", "replace")
            return HttpResult(response.status, text, _retry_after(response.getheader("Retry-After")))
        finally:
            conn.close()  # connected: whatever happens now, the request may have arrived; no second address
    assert last is not None
    raise last


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
