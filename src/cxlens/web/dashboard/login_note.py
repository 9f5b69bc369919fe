"""What a user is told on the first page after logging in: how many logins of their account
failed since their previous one, and from where (OWASP: someone guessing at an account should
not go unnoticed by its owner).

The note travels in a short-lived cookie from the login's redirect to the page it lands on,
as numbers and an address only, checked when read; the sentence is written here.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from datetime import UTC, datetime

from ...access import LoginNote

__all__ = ["LOGIN_NOTE_COOKIE", "note_cookie", "note_text"]

LOGIN_NOTE_COOKIE = "cxlens_login_note"


def note_cookie(note: LoginNote) -> str:
    """The cookie's value for ``note``."""
    fields = [note.failures, note.addresses, note.last_address, int(note.last_at.timestamp())]
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


def note_text(value: str | None) -> str | None:
    """The sentence for a cookie's value, or None when there is none or it is not one of ours."""
    if not value or len(value) > 200:
        return None
    try:
        failures, addresses, address, at = json.loads(base64.urlsafe_b64decode(value.encode()))
        if not all(isinstance(x, int) and x >= 0 for x in (failures, addresses, at)) or failures < 1:
            return None
        if address is not None:
            address = str(ipaddress.ip_address(address))
        when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, TypeError, OverflowError):
        return None
    attempts = "1 login of your account failed" if failures == 1 else f"{failures:,} logins of your account failed"
    places = "" if addresses <= 1 else f" from {addresses:,} addresses"
    last = f", the last from {address} at {when}" if address else f", the last at {when}"
    return (
        f"Since your previous login, {attempts}{places}{last}. "
        "If that was not you, change your password and tell an admin."
    )
