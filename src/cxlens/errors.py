"""Every exception cxlens raises on purpose, in one place.

The CLI and the web layer catch :class:`CxlensError` and show its message as it is, so each
message is written for the person who has to fix the problem: it names the file, row, field
and value where there is one, and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AccessDenied",
    "AnswerClosed",
    "BadRow",
    "ConfigError",
    "CxlensError",
    "EngineError",
    "ImportRejected",
    "InputError",
    "InvalidAnswer",
    "InvalidToken",
    "JourneyFileError",
    "LoginFailed",
    "LoginThrottled",
    "MissingDependency",
    "SchemaOutOfDate",
    "SchemaTooNew",
    "SendFailed",
    "StoreError",
    "TokenExpired",
    "UnknownSurvey",
]


class CxlensError(Exception):
    """Base class: anything cxlens raises deliberately."""


class ConfigError(CxlensError):
    """An environment variable or option has a value cxlens cannot use."""


class StoreError(CxlensError):
    """The store cannot be opened or used."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer cxlens than the one running."""


class SchemaOutOfDate(StoreError):
    """The database needs `cxlens db upgrade` before this cxlens can use it."""


class AccessDenied(CxlensError):
    """A request's credentials are missing, unknown, revoked, or lack the needed scope.

    ``status`` is the HTTP status the web layer answers with: 401 (who are you?) or 403 (not allowed).
    """

    def __init__(self, message: str, status: int = 401):
        self.status = status
        super().__init__(message)


class InputError(CxlensError, ValueError):
    """Input (a file, an option, a request body, an argument) is not what cxlens can take.

    Also a :class:`ValueError`, so code that catches the built-in error for a bad argument
    catches this one too."""


class JourneyFileError(InputError):
    """A journeys YAML file is invalid. ``problems`` holds one ``path: message`` per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s), nothing was loaded:\n{lines}")


@dataclass(frozen=True)
class BadRow:
    """One rejected value: where it is, what it is, what is wrong and how to fix it."""

    row: int  # 1-based, counted as a spreadsheet would (CSV header is row 1)
    column: str
    value: str | None
    problem: str
    fix: str

    def describe(self, source: str) -> str:
        shown = "(empty)" if self.value is None or self.value == "" else repr(self.value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{source}, row {self.row}, column {self.column!r}: {shown} {self.problem}; {self.fix}"


@dataclass
class ImportRejected(InputError):
    """An import found bad rows and, being all-or-nothing, wrote nothing.

    ``bad_rows`` lists every problem found (one row may have several); the message shows the
    first ``shown`` of them and a count per column and problem for the rest.
    """

    source: str
    bad_rows: list[BadRow] = field(default_factory=list)
    total_rows: int = 0
    shown: int = 20

    def __post_init__(self) -> None:
        super().__init__(self.report())

    @property
    def rejected_row_count(self) -> int:
        return len({b.row for b in self.bad_rows})

    def report(self) -> str:
        head = (
            f"{self.source}: {self.rejected_row_count} of {self.total_rows} row(s) are invalid, "
            "so nothing was imported."
        )
        lines = [head]
        lines += [f"  {b.describe(self.source)}" for b in self.bad_rows[: self.shown]]
        rest = self.bad_rows[self.shown :]
        if rest:
            counts: dict[tuple[str, str], int] = {}
            for b in rest:
                counts[(b.column, b.problem)] = counts.get((b.column, b.problem), 0) + 1
            lines.append(f"  ... and {len(rest)} more problem(s):")
            lines += [f"    {n} x column {c!r}: {p}" for (c, p), n in sorted(counts.items())]
        lines.append(
            "Fix these rows and import again, or use --skip-bad-rows to import the good rows "
            "and write the rejected ones to a file."
        )
        return "\n".join(lines)


# -- feedback collection ----------------------------------------------------------------------


class UnknownSurvey(InputError):
    """A survey key or id that the store does not hold."""


class InvalidAnswer(InputError):
    """A survey answer that does not fit its question (a score off the scale, an unknown option).

    ``field`` names the form field or JSON member, so a page or a 422 can point at it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class InvalidToken(CxlensError):
    """A survey or unsubscribe link whose signature does not match: forged, tampered or cut short.

    Nothing is written for it; the page says the link is not valid."""


class TokenExpired(InvalidToken):
    """A correctly signed link used after its expiry."""


class AnswerClosed(TokenExpired):
    """A survey link used to change an answer after the change window (default 24 hours)."""


class SendFailed(CxlensError):
    """A channel (SMTP server, SMS gateway) refused or could not take an invitation."""


# -- analytics ----------------------------------------------------------------------------------


class EngineError(CxlensError, RuntimeError):
    """An analytics engine cannot run here (Spark without PySpark or without a Java runtime), or
    stopped while working (the DuckDB mirror's reader of the store). Also a :class:`RuntimeError`."""


class MissingDependency(CxlensError, ImportError):
    """An optional library that a feature needs is not installed; the message says which, and
    how to install it. Also an :class:`ImportError`."""


# -- sign-in ------------------------------------------------------------------------------------


class LoginFailed(AccessDenied):
    """An e-mail and password that do not match an active user.

    The message is the same whether the e-mail is unknown, the password wrong or the user
    disabled, so the login form does not tell a guesser which e-mails exist."""


class LoginThrottled(AccessDenied):
    """Too many failed logins for one e-mail or from one address in a short time.

    ``retry_after`` is the number of seconds until the next attempt is accepted."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message, status=429)
