"""The journeys file's ``cases:`` section: SLA policies, taxonomies, teams, assignment, escalation.

```yaml
cases:
  sla:                        # per priority; durations as 30m, 4h, 2d
    high:   {first_contact: 4h, resolve: 2d, business_hours: true}
    normal: {first_contact: 1d, resolve: 5d}
  root_causes: [delivery_delay, billing_error, product_defect, other]
  resolutions: [apology, refund, replacement, explanation, no_action]
  teams: {support: [ana@example.com, ben@example.com]}
  assignment:                 # the first rule that matches gives the team; round robin inside it
    - {touchpoint: delivery, team: logistics}
    - {team: support}
  escalation: {after: 1d, to: lead@example.com}   # overdue by this long: escalate
  word_lists: {vip: [ceo, board]}                 # optional: lists for answer rules' words
```

With ``business_hours: true`` the deadlines count only the opening hours of the case team's
schedule (the ``schedules:`` of the tickets, or the default schedule): hours and minutes are
open time, and ``Nd`` is N working days (Friday 15:00 + 2d is Tuesday 15:00).

:func:`parse_cases` checks the section and lists every problem with its path;
:func:`store_cases` resolves the e-mails to users (an unknown one is an error there) and
stores the rest with :func:`~cxlens.alerts.settings.write_setting` (key ``cases``) and the
team members in ``team_members``. :func:`load_case_settings` reads it back, with the default
taxonomies of ``alerts/data/case_taxonomy.yaml`` where the file gave none.
"""

from __future__ import annotations

import re
import time
import weakref
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from ..errors import JourneyFileError
from ..store import schema as s
from .settings import read_setting, write_setting

__all__ = [
    "OUTCOMES",
    "PRIORITIES",
    "SETTING_KEY",
    "STATUSES",
    "AssignmentRule",
    "CaseSettings",
    "Deadline",
    "Escalation",
    "SlaPolicy",
    "cached_case_settings",
    "default_taxonomy",
    "forget_case_settings",
    "load_case_settings",
    "parse_cases",
    "parse_cases_section",
    "parse_deadline",
    "save_cases_section",
    "store_cases",
]

PRIORITIES = ("urgent", "high", "normal", "low")
STATUSES = ("open", "in_progress", "waiting_customer", "resolved", "closed")
OUTCOMES = ("recovered", "not_recovered", "no_action_needed", "false_alarm")
SETTING_KEY = "cases"
DATA = Path(__file__).parent / "data"

_FIELDS = {"sla", "root_causes", "resolutions", "teams", "assignment", "escalation", "word_lists"}
_SLA_FIELDS = {"first_contact", "resolve", "business_hours"}
_RULE_MATCH = ("touchpoint", "source", "priority")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_DEADLINE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class Deadline:
    """A duration as written: ``seconds`` of elapsed time, and ``days`` when it was given in
    days or weeks (working days under business hours)."""

    text: str
    seconds: float
    days: float | None = None


@dataclass(frozen=True)
class SlaPolicy:
    priority: str
    first_contact: Deadline | None
    resolve: Deadline | None
    business_hours: bool = False


@dataclass(frozen=True)
class AssignmentRule:
    """Matches a case when each given condition holds (empty: any); gives its team."""

    team: str
    touchpoint: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()

    def matches(self, *, touchpoint: str | None, source: str | None, priority: str | None) -> bool:
        return (
            (not self.touchpoint or touchpoint in self.touchpoint)
            and (not self.source or source in self.source)
            and (not self.priority or priority in self.priority)
        )


@dataclass(frozen=True)
class Escalation:
    after: Deadline
    to: str  # an e-mail in the file; a user id once stored (see ``to_user_id``)
    to_user_id: int | None = None


@dataclass(frozen=True)
class CaseSettings:
    sla: dict[str, SlaPolicy] = field(default_factory=dict)
    root_causes: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)  # team -> e-mails
    assignment: tuple[AssignmentRule, ...] = ()
    escalation: Escalation | None = None
    word_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "(cases)"

    def to_json(self) -> dict[str, Any]:
        """What is stored under the ``cases`` setting (teams live in ``team_members``)."""
        value = asdict(self)
        value.pop("teams")
        value.pop("source")
        return value


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_deadline(value: Any) -> Deadline:
    """``30m``, ``4h``, ``2d`` or ``1w`` → a :class:`Deadline`; ValueError says what to write."""
    found = (
        _DEADLINE.match(str(value)) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    )
    if not found:
        raise ValueError(f"{_show(value)} is not a duration; write a number and a unit, e.g. 30m, 4h, 2d or 1w")
    number, unit = float(found.group(1)), found.group(2).lower()
    if number <= 0:
        raise ValueError(f"{_show(value)} is not a positive duration")
    days = number * 7 if unit == "w" else number if unit == "d" else None
    return Deadline(str(value).strip(), number * _UNIT[unit], days)


def parse_cases(value: Any, source: str = "(journeys)") -> CaseSettings:
    """Check the ``cases:`` section; raise :class:`JourneyFileError` naming every bad path."""
    problems: list[str] = []

    def problem(path: str, message: str) -> None:
        problems.append(f"{path}: {message}")

    if value is None:
        return CaseSettings(source=source)
    if not isinstance(value, dict):
        raise JourneyFileError(
            source, [f"cases: expected a mapping (sla:, root_causes:, teams:, ...), got {_show(value)}"]
        )
    for extra in sorted(set(value) - _FIELDS):
        problem(f"cases.{extra}", f"is not a known field (known: {', '.join(sorted(_FIELDS))})")
    sla = _parse_sla(value.get("sla"), problem)
    root_causes = _parse_codes(value.get("root_causes"), "cases.root_causes", problem)
    resolutions = _parse_codes(value.get("resolutions"), "cases.resolutions", problem)
    teams = _parse_teams(value.get("teams"), problem)
    assignment = _parse_assignment(value.get("assignment"), problem)
    escalation = _parse_escalation(value.get("escalation"), problem)
    word_lists = _parse_word_lists(value.get("word_lists"), problem)
    if problems:
        raise JourneyFileError(source, problems)
    return CaseSettings(sla, root_causes, resolutions, teams, assignment, escalation, word_lists, source)


def _parse_sla(value: Any, problem) -> dict[str, SlaPolicy]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem(
            "cases.sla", f"expected a mapping of priorities ({', '.join(PRIORITIES)}) to deadlines, got {_show(value)}"
        )
        return {}
    out = {}
    for priority, spec in value.items():
        path = f"cases.sla.{priority}"
        if priority not in PRIORITIES:
            problem(path, f"{_show(priority)} is not a priority; use {', '.join(PRIORITIES)}")
            continue
        if not isinstance(spec, dict):
            problem(path, f"expected {{first_contact: 4h, resolve: 2d, business_hours: true}}, got {_show(spec)}")
            continue
        for extra in sorted(set(spec) - _SLA_FIELDS):
            problem(f"{path}.{extra}", f"is not a known field (known: {', '.join(sorted(_SLA_FIELDS))})")
        business = spec.get("business_hours", False)
        if not isinstance(business, bool):
            problem(f"{path}.business_hours", f"{_show(business)} is not true or false")
            business = False
        deadlines = {}
        for name in ("first_contact", "resolve"):
            raw = spec.get(name)
            if raw is None:
                deadlines[name] = None
                continue
            try:
                deadlines[name] = parse_deadline(raw)
            except ValueError as exc:
                problem(f"{path}.{name}", str(exc))
                deadlines[name] = None
                continue
            days = deadlines[name].days
            if business and days is not None and days != int(days):
                problem(
                    f"{path}.{name}",
                    f"{_show(raw)}: under business hours a day is a working day; "
                    "give whole days (2d) or hours of open time (12h)",
                )
        if not spec.get("first_contact") and not spec.get("resolve"):
            problem(path, "gives neither first_contact nor resolve; give at least one, e.g. resolve: 2d")
        first, resolve = deadlines["first_contact"], deadlines["resolve"]
        if first and resolve and first.seconds > resolve.seconds:
            problem(
                f"{path}.first_contact",
                f"{first.text} is longer than resolve ({resolve.text}); the first contact comes before the resolution",
            )
        out[priority] = SlaPolicy(priority, first, resolve, business)
    return out


def _parse_codes(value: Any, path: str, problem) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        problem(path, f"expected a non-empty list of codes, got {_show(value)}")
        return ()
    out: list[str] = []
    for i, code in enumerate(value):
        if not isinstance(code, str) or not _CODE.match(code):
            problem(
                f"{path}[{i}]", f"{_show(code)} is not a code: lower-case letters, digits, _ and -, e.g. billing_error"
            )
        elif code in out:
            problem(f"{path}[{i}]", f"{code!r} is listed twice")
        else:
            out.append(code)
    return tuple(out)


def _parse_teams(value: Any, problem) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem(
            "cases.teams",
            f"expected a mapping of teams to e-mails, e.g. {{support: [ana@example.com]}}, got {_show(value)}",
        )
        return {}
    out = {}
    for team, members in value.items():
        path = f"cases.teams.{team}"
        if not isinstance(team, str) or not team.strip():
            problem(path, f"{_show(team)} is not a team name")
            continue
        if not isinstance(members, list) or not members:
            problem(path, f"expected a non-empty list of users' e-mails, got {_show(members)}")
            continue
        emails: list[str] = []
        for i, email in enumerate(members):
            normal = email.strip().lower() if isinstance(email, str) else None
            if normal is None or not _EMAIL.match(normal):
                problem(f"{path}[{i}]", f"{_show(email)} is not an e-mail address like ana@example.com")
            elif normal not in emails:
                emails.append(normal)
        out[team] = tuple(emails)
    return out


def _parse_assignment(value: Any, problem) -> tuple[AssignmentRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problem(
            "cases.assignment",
            f"expected a list of rules, e.g. [{{touchpoint: delivery, team: logistics}}, {{team: support}}], got {_show(value)}",
        )
        return ()
    out = []
    for i, rule in enumerate(value):
        path = f"cases.assignment[{i}]"
        if not isinstance(rule, dict):
            problem(path, f"expected a mapping such as {{touchpoint: delivery, team: logistics}}, got {_show(rule)}")
            continue
        for extra in sorted(set(rule) - {"team", *_RULE_MATCH}):
            problem(f"{path}.{extra}", f"is not a known field (known: team, {', '.join(_RULE_MATCH)})")
        team = rule.get("team")
        if not isinstance(team, str) or not team.strip():
            problem(f"{path}.team", f"{_show(team)}: every rule names the team it assigns to")
            continue
        match = {}
        for name in _RULE_MATCH:
            given = rule.get(name)
            items = [] if given is None else given if isinstance(given, list) else [given]
            if any(not isinstance(x, str) for x in items):
                problem(f"{path}.{name}", f"{_show(given)}: expected a key or a list of keys")
                items = []
            if name == "priority":
                for x in items:
                    if x not in PRIORITIES:
                        problem(f"{path}.priority", f"{_show(x)} is not a priority; use {', '.join(PRIORITIES)}")
            match[name] = tuple(items)
        out.append(AssignmentRule(team.strip(), **match))
    return tuple(out)


def _parse_escalation(value: Any, problem) -> Escalation | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problem("cases.escalation", f"expected {{after: 1d, to: lead@example.com}}, got {_show(value)}")
        return None
    for extra in sorted(set(value) - {"after", "to"}):
        problem(f"cases.escalation.{extra}", "is not a known field (known: after, to)")
    after = Deadline("0m", 0.0)  # not given: escalate as soon as the case is overdue
    if value.get("after") is not None:
        try:
            after = parse_deadline(value["after"])
        except ValueError as exc:
            problem("cases.escalation.after", str(exc))
            after = None
    to = value.get("to")
    normal = to.strip().lower() if isinstance(to, str) else None
    if normal is None or not _EMAIL.match(normal):
        problem("cases.escalation.to", f"{_show(to)} is not an e-mail address; name the user who takes overdue cases")
        return None
    return Escalation(after, normal) if after else None


def _parse_word_lists(value: Any, problem) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem("cases.word_lists", f"expected a mapping of list names to words, got {_show(value)}")
        return {}
    out = {}
    for name, words in value.items():
        path = f"cases.word_lists.{name}"
        if isinstance(words, dict):  # by language, as in the built-in lists
            words = [w for ws in words.values() for w in (ws or [])]
        if not isinstance(words, list) or not words or any(not isinstance(w, str) or not w.strip() for w in words):
            problem(path, f"expected a non-empty list of words (or of words by language), got {_show(words)}")
            continue
        out[str(name)] = tuple(w.strip() for w in words)
    return out


# --- the store -------------------------------------------------------------------------------------


def store_cases(conn: sa.Connection, parsed: CaseSettings) -> None:
    """Store the section: e-mails become users (an unknown one is a path-named error and
    nothing is written); team membership becomes what the file says."""
    emails = {e for members in parsed.teams.values() for e in members}
    if parsed.escalation:
        emails.add(parsed.escalation.to)
    users = (
        dict(conn.execute(sa.select(s.users.c.email, s.users.c.id).where(s.users.c.email.in_(sorted(emails)))).all())
        if emails
        else {}
    )
    problems = []
    hint = "create the user first (cxlens users create EMAIL --role analyst) or correct the address"
    for team, members in parsed.teams.items():
        for i, email in enumerate(members):
            if email not in users:
                problems.append(f"cases.teams.{team}[{i}]: {email!r} is not a user of this cxlens; {hint}")
    if parsed.escalation and parsed.escalation.to not in users:
        problems.append(f"cases.escalation.to: {parsed.escalation.to!r} is not a user of this cxlens; {hint}")
    if problems:
        raise JourneyFileError(parsed.source, problems)
    value = parsed.to_json()
    if parsed.escalation:
        value["escalation"]["to_user_id"] = users[parsed.escalation.to]
    write_setting(conn, SETTING_KEY, value)
    forget_case_settings()
    conn.execute(sa.delete(s.team_members))
    rows = [{"team": team, "user_id": users[e]} for team, members in parsed.teams.items() for e in members]
    if rows:
        conn.execute(s.team_members.insert(), rows)


# --- as a section of the one journeys loader (cxlens.ingest.journeys.sections) -----------------------


def parse_cases_section(checker, value: Any) -> CaseSettings | None:
    """:func:`parse_cases` for the journeys loader: problems go to its checker, so that a file's
    problems are all listed at once."""
    try:
        return parse_cases(value, "(journeys)")
    except JourneyFileError as exc:
        for problem in exc.problems:
            path, _, message = problem.partition(": ")
            checker.problem(path, message)
        return None


def save_cases_section(conn: sa.Connection, parsed: CaseSettings | None) -> int:
    """:func:`store_cases` for the journeys loader; returns the number of team members stored."""
    if parsed is None:
        return 0
    store_cases(conn, parsed)
    return sum(len(m) for m in parsed.teams.values())


@lru_cache(maxsize=1)
def default_taxonomy() -> dict[str, tuple[str, ...]]:
    """The root causes and resolutions offered when the file declares none."""
    data = yaml.safe_load((DATA / "case_taxonomy.yaml").read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items()}


def _deadline(value: dict | None) -> Deadline | None:
    return Deadline(**value) if value else None


def load_case_settings(conn: sa.Connection) -> CaseSettings:
    """The stored settings (defaults where the file said nothing); teams as stored members."""
    raw = read_setting(conn, SETTING_KEY) or {}
    taxonomy = default_taxonomy()
    sla = {
        p: SlaPolicy(p, _deadline(v.get("first_contact")), _deadline(v.get("resolve")), bool(v.get("business_hours")))
        for p, v in (raw.get("sla") or {}).items()
    }
    esc = raw.get("escalation")
    escalation = Escalation(_deadline(esc["after"]), esc["to"], esc.get("to_user_id")) if esc else None
    teams: dict[str, list[str]] = {}
    rows = conn.execute(
        sa.select(s.team_members.c.team, s.users.c.email)
        .join(s.users, s.users.c.id == s.team_members.c.user_id)
        .order_by(s.team_members.c.team, s.users.c.id)
    )
    for team, email in rows:
        teams.setdefault(team, []).append(email)
    return CaseSettings(
        sla=sla,
        root_causes=tuple(raw.get("root_causes") or taxonomy["root_causes"]),
        resolutions=tuple(raw.get("resolutions") or taxonomy["resolutions"]),
        teams={k: tuple(v) for k, v in teams.items()},
        assignment=tuple(
            AssignmentRule(
                r["team"],
                tuple(r.get("touchpoint") or ()),
                tuple(r.get("source") or ()),
                tuple(r.get("priority") or ()),
            )
            for r in raw.get("assignment") or ()
        ),
        escalation=escalation,
        word_lists={k: tuple(v) for k, v in (raw.get("word_lists") or {}).items()},
        source="(store)",
    )


# Opening a case (on the write path, by answer rules) reads the settings; they change when a
# journeys file is loaded, so they are kept a few seconds per store.
SETTINGS_TTL = 2.0
_CACHE: weakref.WeakKeyDictionary[sa.Engine, tuple[float, CaseSettings]] = weakref.WeakKeyDictionary()


def cached_case_settings(conn: sa.Connection) -> CaseSettings:
    """:func:`load_case_settings`, read at most every SETTINGS_TTL seconds per store."""
    found = _CACHE.get(conn.engine)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    settings = load_case_settings(conn)
    _CACHE[conn.engine] = (time.monotonic() + SETTINGS_TTL, settings)
    return settings


def forget_case_settings() -> None:
    """Make the next :func:`cached_case_settings` read the store (store_cases calls it)."""
    _CACHE.clear()
