"""Notifiers: where alert and case messages go, declared in the journeys file's ``notifiers:``.

::

    notifiers:
      - name: cx-slack
        kind: slack                 # a Slack-compatible incoming webhook (text + blocks)
        url_env: CX_SLACK_URL       # the URL is the secret: read from this variable at send time
      - name: ops-hook
        kind: webhook               # JSON, signed per Standard Webhooks 1.0
        url: https://hooks.example.com/cxlens
        secret_env: OPS_HOOK_SECRET # whsec_<base64>; read at send time
      - name: cx-mail
        kind: email                 # through collection's SMTP settings (CXLENS_SMTP_*)
        to: [cx-team@example.com]

Secrets are named, never written: the file and the store hold only the variable's name, and a
variable unset when a message is sent is a :class:`~cxlens.errors.ConfigError` that names the
notifier and the variable. Webhook targets must resolve to public addresses: private,
loopback, link-local and other non-global addresses are refused (a webhook URL must not become
a way into the network cxlens runs in) unless the notifier says ``allow_private: true``.
The name ``owner`` is reserved: it means "e-mail the case's owner".
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..errors import ConfigError, JourneyFileError
from ..ingest.journeys import register_section
from ..store import schema as s

__all__ = [
    "KINDS",
    "OWNER",
    "Notifier",
    "Notifiers",
    "REMOVED",
    "check_address",
    "check_section",
    "check_url",
    "disable_notifier",
    "enable_notifier",
    "load_notifier",
    "parse_notifiers",
    "refused_reason",
    "save_section",
    "store_notifiers",
]

KINDS = ("webhook", "slack", "email")
OWNER = "owner"  # the reserved name: e-mail the case owner
REMOVED = "removed from the journeys file"

_FIELDS = {"name", "kind", "url", "url_env", "secret_env", "to", "allow_private"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


@dataclass(frozen=True)
class Notifier:
    """One notifier as declared (and as stored in ``notifiers.config``), secrets by name only."""

    name: str
    kind: str
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None
    to: tuple[str, ...] = ()
    allow_private: bool = False
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    def config(self) -> dict[str, Any]:
        """What the store keeps (no secret values)."""
        out: dict[str, Any] = {}
        for key in ("url", "url_env", "secret_env"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.to:
            out["to"] = list(self.to)
        out["allow_private"] = self.allow_private
        return out

    def target_url(self, environ: dict[str, str] | None = None) -> str:
        """The URL to post to: written in the file, or read from ``url_env`` now."""
        if self.url:
            return self.url
        return self._env(self.url_env, "url_env", environ)

    def secret(self, environ: dict[str, str] | None = None) -> str:
        """The signing secret, read from ``secret_env`` now."""
        return self._env(self.secret_env, "secret_env", environ)

    def _env(self, name: str | None, key: str, environ: dict[str, str] | None) -> str:
        env = os.environ if environ is None else environ
        value = env.get(name or "")
        if not value:
            raise ConfigError(
                f"notifier {self.name!r}: environment variable {name} ({key}) is not set; set it in the "
                "environment of the process that delivers notifications (web app or `cxlens alerts work`)"
            )
        return value

    @classmethod
    def from_row(cls, row: Any) -> Notifier:
        cfg = row.config or {}
        return cls(
            name=row.name,
            kind=row.kind,
            url=cfg.get("url"),
            url_env=cfg.get("url_env"),
            secret_env=cfg.get("secret_env"),
            to=tuple(cfg.get("to") or ()),
            allow_private=bool(cfg.get("allow_private", False)),
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
        )


@dataclass(frozen=True)
class Notifiers:
    """The ``notifiers:`` section, parsed."""

    items: tuple[Notifier, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def names(self) -> list[str]:
        return [n.name for n in self.items]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_notifiers(value: Any, source: str = "(journeys)") -> Notifiers:
    """Validate the ``notifiers:`` section; raise :class:`JourneyFileError` naming every problem
    by its path (``notifiers[1].url_env: ...``)."""
    problems: list[str] = []
    if value is None:
        return Notifiers()
    if not isinstance(value, list):
        raise JourneyFileError(
            source, [f"notifiers: {_show(value)} is not a list; write one '- name: ...' per notifier"]
        )
    seen: set[str] = set()
    out: list[Notifier] = []
    for i, raw in enumerate(value):
        path = f"notifiers[{i}]"
        before = len(problems)
        notifier = _parse_one(raw, path, seen, problems)
        if notifier is not None and len(problems) == before:
            out.append(notifier)
    if problems:
        raise JourneyFileError(source, problems)
    return Notifiers(tuple(out))


def _parse_one(raw: Any, path: str, seen: set[str], problems: list[str]) -> Notifier | None:
    def problem(where: str, message: str) -> None:
        problems.append(f"{path}{where}: {message}")

    if not isinstance(raw, dict):
        problem("", f"{_show(raw)} is not a mapping; write name:, kind: and the target")
        return None
    for key in sorted(set(raw) - _FIELDS, key=str):
        problem(f".{key}", f"unknown field; a notifier takes {', '.join(sorted(_FIELDS))}")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        problem(".name", f"{_show(name)} is not a notifier name; use letters, digits, '-', '_' or '.'")
        name = None
    elif name == OWNER:
        problem(".name", f"'{OWNER}' is reserved (it means: e-mail the case owner); choose another name")
    elif name in seen:
        problem(".name", f"{name!r} is declared twice; notifier names must be unique")
    else:
        seen.add(name)
    kind = raw.get("kind")
    if kind not in KINDS:
        problem(".kind", f"{_show(kind)} is not a notifier kind; known: {', '.join(KINDS)}")
    for key in ("url_env", "secret_env"):
        env = raw.get(key)
        if env is not None and (not isinstance(env, str) or not _ENV_NAME.fullmatch(env)):
            problem(f".{key}", f"{_show(env)} is not an environment variable name (e.g. CX_SLACK_URL)")
    allow_private = raw.get("allow_private", False)
    if not isinstance(allow_private, bool):
        problem(".allow_private", f"{_show(allow_private)} is not true or false")
        allow_private = False
    to: tuple[str, ...] = ()
    url = raw.get("url")
    if kind in ("webhook", "slack"):
        if (url is None) == (raw.get("url_env") is None):
            problem("", "give the target as url: or url_env: (one of them; url_env for a URL that is itself a secret)")
        if url is not None:
            if not isinstance(url, str):
                problem(".url", f"{_show(url)} is not a URL")
            else:
                try:
                    check_url(url, allow_private=allow_private, resolve=False)
                except ConfigError as exc:
                    problem(".url", str(exc))
        if kind == "webhook" and raw.get("secret_env") is None:
            problem(
                ".secret_env",
                "missing; a webhook is signed (Standard Webhooks): name the variable holding its whsec_... secret",
            )
        if "to" in raw:
            problem(".to", f"a {kind} notifier has no recipients; 'to' is for kind: email")
    elif kind == "email":
        for key in ("url", "url_env", "secret_env"):
            if key in raw:
                problem(f".{key}", "an e-mail notifier sends through the SMTP settings (CXLENS_SMTP_*); remove it")
        raw_to = raw.get("to")
        if isinstance(raw_to, str):
            raw_to = [raw_to]
        if not isinstance(raw_to, list) or not raw_to:
            problem(".to", "missing; list the addresses to e-mail, e.g. to: [cx-team@example.com]")
        else:
            for k, address in enumerate(raw_to):
                if not isinstance(address, str) or not _EMAIL.fullmatch(address.strip()):
                    problem(f".to[{k}]", f"{_show(address)} is not an e-mail address")
            to = tuple(a.strip() for a in raw_to if isinstance(a, str))
    if not isinstance(name, str) or kind not in KINDS:
        return None
    return Notifier(
        name=name,
        kind=kind,
        url=url if isinstance(url, str) else None,
        url_env=raw.get("url_env"),
        secret_env=raw.get("secret_env"),
        to=to,
        allow_private=allow_private,
    )


def store_notifiers(conn: sa.Connection, parsed: Notifiers) -> None:
    """Upsert the declared notifiers; idempotent.

    A notifier gone from the file is disabled (its pending messages then fail with the reason),
    not deleted, so its delivery log stays readable. A notifier disabled earlier (removed, or
    answered 410 Gone) is enabled again when the file declares it with a changed definition, or
    when it had only been removed; an unchanged definition stays disabled: the receiver said
    it is gone, and sending to it again needs a new target (or ``cxlens alerts notifiers --enable``)."""
    n = s.notifiers
    now = datetime.now(timezone.utc)
    stored = {row.name: row for row in conn.execute(sa.select(n))}
    for notifier in parsed:
        row = stored.get(notifier.name)
        values = {"kind": notifier.kind, "config": notifier.config()}
        if row is None:
            conn.execute(n.insert().values(name=notifier.name, **values))
            continue
        changed = row.kind != notifier.kind or (row.config or {}) != notifier.config()
        if row.disabled_at is not None and (changed or row.disabled_reason == REMOVED):
            values.update(disabled_at=None, disabled_reason=None)
        conn.execute(n.update().where(n.c.id == row.id).values(**values))
    declared = set(parsed.names())
    for name, row in stored.items():
        if name not in declared and row.disabled_at is None:
            conn.execute(n.update().where(n.c.id == row.id).values(disabled_at=now, disabled_reason=REMOVED))


def load_notifier(conn: sa.Connection, name: str) -> Notifier | None:
    """The stored notifier called ``name`` (None if the file never declared it)."""
    row = conn.execute(sa.select(s.notifiers).where(s.notifiers.c.name == name)).first()
    return None if row is None else Notifier.from_row(row)


def disable_notifier(conn: sa.Connection, name: str, reason: str, now: datetime | None = None) -> None:
    """Stop sending to ``name``: mark it disabled and fail its pending messages with ``reason``."""
    now = now or datetime.now(timezone.utc)
    conn.execute(s.notifiers.update().where(s.notifiers.c.name == name).values(disabled_at=now, disabled_reason=reason))
    nt = s.notifications
    conn.execute(
        nt.update()
        .where(nt.c.notifier == name, nt.c.status == "pending")
        .values(status="failed", last_error=f"notifier {name!r} disabled: {reason}"[:2000])
    )


def enable_notifier(conn: sa.Connection, name: str) -> bool:
    """Send to ``name`` again (after its target was fixed); True if it was disabled."""
    n = s.notifiers
    return bool(
        conn.execute(
            n.update()
            .where(n.c.name == name, n.c.disabled_at.is_not(None))
            .values(disabled_at=None, disabled_reason=None)
        ).rowcount
    )


# -- where a webhook may point ---------------------------------------------------------------


def refused_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` is not a public one (None if it is)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attr, word in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_private", "private"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, attr):
            return word
    if not address.is_global:
        return "non-public"
    return None


def check_url(url: str, *, allow_private: bool = False, resolve: bool = True) -> tuple[str, int, list[str]]:
    """Check a webhook URL: http(s), a host, and (unless ``allow_private``) only public addresses.

    Returns (host, port, addresses): the caller connects to these addresses, the ones checked,
    so a DNS answer that changes between check and connect cannot redirect it. With ``resolve``
    false only an address written in the URL is checked (for the file's validation)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{_show(url)} is not an http:// or https:// URL")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ConfigError(f"{_show(url)} has an invalid port") from None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if not resolve:
        if literal is not None and not allow_private and (why := refused_reason(literal)):
            raise ConfigError(_refusal(host, str(literal), why))
        if literal is None and host.lower() in ("localhost", "localhost.localdomain") and not allow_private:
            raise ConfigError(_refusal(host, "127.0.0.1", "loopback"))
        return host, port, []
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise ConfigError(f"cannot resolve {host!r}: {exc}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            why = refused_reason(ipaddress.ip_address(address.split("%")[0]))
            if why:
                raise ConfigError(_refusal(host, address, why))
    return host, port, addresses


def check_address(url: str, *, allow_private: bool = False) -> list[str]:
    """The addresses ``url``'s host resolves to, all checked (see :func:`check_url`)."""
    return check_url(url, allow_private=allow_private)[2]


def _refusal(host: str, address: str, why: str) -> str:
    return (
        f"{host} resolves to {address}, a {why} address; cxlens does not post to private, loopback or "
        "link-local addresses unless the notifier says allow_private: true"
    )


# -- the journeys file's section ------------------------------------------------------------


def check_section(checker: Any, value: Any) -> Notifiers:
    """The journeys loader's parse hook: problems go to its checker, so one load reports them
    with every other problem of the file."""
    try:
        return parse_notifiers(value)
    except JourneyFileError as exc:
        checker.problems.extend(exc.problems)
        return Notifiers()


def save_section(conn: sa.Connection, parsed: Notifiers) -> int:
    store_notifiers(conn, parsed)
    return len(parsed)


register_section("notifiers", check_section, save_section)
