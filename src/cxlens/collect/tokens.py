"""Signed survey links: a token binds survey, customer, invitation and expiry.

A token is ``base64url(payload) "." base64url(HMAC-SHA256(secret, payload)[:16])`` where the
payload is ``kind:field:field:…``. HMAC (stdlib) rather than a JWT library: there is one signer
and one verifier, both cxlens, so the only thing needed is a MAC, and 128 bits of it is plenty
for links that also name a random per-invitation nonce stored in the database.

* ``i`` tokens (invitations): invitation id, survey id, customer id, expiry (Unix seconds) and
  the invitation's ``token_nonce``. The page also checks the nonce and ids against the stored
  invitation, so a token for a deleted or re-issued invitation is refused too.
* ``o`` tokens (anonymous "open" survey forms): survey id, issue time and a random nonce; the
  nonce becomes the response's external id, which makes a resubmitted form update, not add.

The secret comes from ``CXLENS_SECRET_KEY`` or, by default, ``secret.key`` in the data
directory, created (random, 32 bytes, owner-only) on first use. Changing it invalidates every
link sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar, Self

from ..config import settings
from ..errors import ConfigError, InvalidToken, TokenExpired

__all__ = [
    "InvitationClaim",
    "OpenFormClaim",
    "Signer",
    "UnsubscribeClaim",
    "WidgetClaim",
    "load_secret",
    "new_nonce",
]

_MAC_BYTES = 16
SECRET_FILE = "secret.key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_nonce() -> str:
    """A random, URL-safe per-invitation value (stored in ``invitations.token_nonce``)."""
    return secrets.token_urlsafe(12)


def load_secret(data_dir: Path | None = None, environ: dict[str, str] | None = None) -> bytes:
    """The signing secret: ``CXLENS_SECRET_KEY``, else the data directory's ``secret.key``
    (made on first use). Every process that sends or reads links must share it."""
    env = os.environ if environ is None else environ
    if env.get("CXLENS_SECRET_KEY"):
        value = env["CXLENS_SECRET_KEY"].encode()
        if len(value) < 16:
            raise ConfigError(
                "CXLENS_SECRET_KEY is shorter than 16 characters; use a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value
    folder = data_dir or settings(env).data_dir
    path = Path(folder) / SECRET_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32).encode()
        # O_EXCL: two processes starting at once must not write two different secrets.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(value)
        return value
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot create the link-signing secret {path} ({exc.strerror}); set CXLENS_SECRET_KEY "
            "or CXLENS_DATA_DIR to a place you can write to"
        ) from exc


class Signer:
    """Signs and checks tokens with one secret."""

    def __init__(self, secret: bytes):
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def sign(self, kind: str, *fields: object) -> str:
        payload = ":".join([kind, *map(str, fields)]).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def unsign(self, token: str, kind: str, count: int) -> list[str]:
        """The fields of a token of ``kind``; :class:`InvalidToken` unless the MAC matches."""
        try:
            body, mac = token.split(".")
            payload = _unb64(body)
            given = _unb64(mac)
        except (ValueError, TypeError):
            raise InvalidToken("the link is not a cxlens survey link (or only part of it was copied)") from None
        if not hmac.compare_digest(given, self._mac(payload)):
            raise InvalidToken("the link's signature does not match: it was changed, or signed with another secret")
        parts = payload.decode(errors="replace").split(":")
        if parts[0] != kind or len(parts) != count + 1:
            raise InvalidToken(f"the link is a signed cxlens token, but not of the kind {kind!r}")
        return parts[1:]


@dataclass(frozen=True)
class InvitationClaim:
    invitation_id: int
    survey_id: int
    customer_id: int
    expires_at: datetime
    nonce: str

    def token(self, signer: Signer) -> str:
        return signer.sign(
            "i", self.invitation_id, self.survey_id, self.customer_id, int(self.expires_at.timestamp()), self.nonce
        )

    @classmethod
    def read(cls, signer: Signer, token: str, now: datetime, allow_expired: bool = False) -> InvitationClaim:
        """The claim of a valid token; :class:`InvalidToken` or :class:`TokenExpired`.

        ``allow_expired`` is for unsubscribe links, which must work for ever."""
        inv, survey, customer, expires, nonce = signer.unsign(token, "i", 5)
        try:
            claim = cls(int(inv), int(survey), int(customer), datetime.fromtimestamp(int(expires), timezone.utc), nonce)
        except ValueError:
            raise InvalidToken("the link's fields are malformed") from None
        if not allow_expired and now >= claim.expires_at:
            raise TokenExpired(f"the link expired on {claim.expires_at:%Y-%m-%d %H:%M} UTC")
        return claim


@dataclass(frozen=True)
class UnsubscribeClaim:
    """An unsubscribe link's claim: the invitation it came with, but a token of its own kind,
    so that the link in a mail's footer (which mail providers fetch) cannot answer the survey,
    and it never expires."""

    invitation_id: int
    survey_id: int
    customer_id: int
    nonce: str

    def token(self, signer: Signer) -> str:
        return signer.sign("u", self.invitation_id, self.survey_id, self.customer_id, self.nonce)

    @classmethod
    def read(cls, signer: Signer, token: str) -> UnsubscribeClaim:
        inv, survey, customer, nonce = signer.unsign(token, "u", 4)
        try:
            return cls(int(inv), int(survey), int(customer), nonce)
        except ValueError:
            raise InvalidToken("the link's fields are malformed") from None

    def as_invitation(self) -> InvitationClaim:
        """The claim as an invitation's, never expiring, for looking the invitation up."""
        return InvitationClaim(
            self.invitation_id, self.survey_id, self.customer_id, datetime.max.replace(tzinfo=timezone.utc), self.nonce
        )


@dataclass(frozen=True)
class _IssuedClaim:
    """A survey and the time something was issued for it, signed as ``KIND``."""

    KIND: ClassVar[str]
    survey_id: int
    issued_at: datetime
    nonce: str

    def token(self, signer: Signer) -> str:
        return signer.sign(self.KIND, self.survey_id, int(self.issued_at.timestamp()), self.nonce)

    @classmethod
    def read(cls, signer: Signer, token: str) -> Self:
        survey, issued, nonce = signer.unsign(token, cls.KIND, 3)
        try:
            return cls(int(survey), datetime.fromtimestamp(int(issued), timezone.utc), nonce)
        except ValueError:
            raise InvalidToken("the form's fields are malformed") from None


@dataclass(frozen=True)
class OpenFormClaim(_IssuedClaim):
    """When an open survey form was served."""

    KIND: ClassVar[str] = "o"


@dataclass(frozen=True)
class WidgetClaim(_IssuedClaim):
    """When the widget was shown for a survey (its own kind: an open form's token cannot
    stand in for it, nor the reverse)."""

    KIND: ClassVar[str] = "w"
