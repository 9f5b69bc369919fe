"""Collection settings that hold across surveys, and the clock they are measured by.

Read from the environment (``CXLENS_PUBLIC_URL``, ``CXLENS_FATIGUE_DAYS``, ``CXLENS_QUIET_HOURS``,
``CXLENS_LINK_DAYS``, ``CXLENS_SMTP_*``) by :func:`policy_from_env`; tests build them directly.
The clock is a parameter everywhere time matters, so a test can move it (:class:`ManualClock`)
instead of sleeping.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..errors import ConfigError

__all__ = ["Clock", "CollectionPolicy", "ManualClock", "SmtpSettings", "policy_from_env", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ManualClock:
    """A clock that stands still until moved: ``clock.advance(hours=1)``. For tests and replays."""

    now: datetime = field(default_factory=system_clock)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "cxlens <surveys@localhost>"
    username: str | None = None
    password: str | None = None
    starttls: bool = False


@dataclass(frozen=True)
class CollectionPolicy:
    """Rules every survey follows unless it overrides them.

    * ``fatigue_days``: at most one invitation per customer per this many days, across all
      surveys and channels (0: no limit). Commercial tools default to weeks (Delighted: 7–365).
    * ``quiet_hours``: (start, end) local hours in the customer's time zone when nothing is
      sent; an invitation due then waits until the end (it is postponed, not skipped).
    * ``link_days``: how long a survey link stays valid after it is sent.
    * ``change_hours``: how long after the first answer the link may still change it.
    * ``max_late_days``: an invitation that could not be sent this long after its due time is
      skipped as ``too_late`` (asking about last month's delivery helps nobody).
    """

    public_url: str = "http://127.0.0.1:8000"
    fatigue_days: int = 30
    quiet_hours: tuple[int, int] | None = (21, 8)
    default_timezone: str = "UTC"
    link_days: int = 30
    change_hours: int = 24  # how long after the first answer the link may change it
    max_late_days: int = 7
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must be 0 or more")
    return value


def policy_from_env(environ: dict[str, str] | None = None) -> CollectionPolicy:
    env = os.environ if environ is None else environ
    quiet: tuple[int, int] | None = (21, 8)
    raw = env.get("CXLENS_QUIET_HOURS")
    if raw is not None:
        if raw.strip().lower() in ("", "none", "off"):
            quiet = None
        else:
            m = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", raw)
            if not m or not all(0 <= int(h) <= 24 for h in m.groups()):
                raise ConfigError(f"CXLENS_QUIET_HOURS={raw!r}: write START-END in local hours, e.g. 21-8, or off")
            quiet = (int(m.group(1)), int(m.group(2)))
    smtp = SmtpSettings(
        host=env.get("CXLENS_SMTP_HOST", "127.0.0.1"),
        port=_int(env, "CXLENS_SMTP_PORT", 25),
        sender=env.get("CXLENS_SMTP_FROM", "cxlens <surveys@localhost>"),
        username=env.get("CXLENS_SMTP_USER") or None,
        password=env.get("CXLENS_SMTP_PASSWORD") or None,
        starttls=env.get("CXLENS_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
    )
    return CollectionPolicy(
        public_url=env.get("CXLENS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        fatigue_days=_int(env, "CXLENS_FATIGUE_DAYS", 30),
        quiet_hours=quiet,
        link_days=_int(env, "CXLENS_LINK_DAYS", 30),
        change_hours=_int(env, "CXLENS_CHANGE_HOURS", 24),
        smtp=smtp,
    )
