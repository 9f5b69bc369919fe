"""Invitations and the answers they bring back.

:class:`Collection` is the one object the web pages, the CLI, the trigger planner and the
sender share: the store, the survey catalog, the link signer, the policy and the clock.

An answer to an invitation is one ``responses`` row (``invitation_id`` is unique): the score
is written the moment the customer clicks it in the e-mail, the follow-up answers update the
same row, and a replayed link updates it again rather than adding one. Anonymous answers (open
links, the widget) are keyed by a signed form nonce or a widget id in ``external_id`` instead.

E-mail link scanners. Security gateways (Microsoft Defender Safe Links, Proofpoint, Mimecast,
Barracuda) fetch every link of an incoming mail, often all eleven score links within seconds.
A person clicks one. So a score click (:meth:`Collection.click`, the ``GET`` of a score link)
that brings a *different* score from the one another click stored less than
:data:`SCAN_WINDOW` ago, with no form posted for the invitation since, is taken for a sweep:
the clicked score is voided (the response row, which holds nothing but clicks, is deleted),
the invitation goes back to ``sent`` with the reason ``link_scan: …`` (shown by
``cxlens invitations rates``), and further clicks within the window write nothing. A click
after the window records as usual, so the customer's own click, or the form, still counts.
Nothing posted through the form (:meth:`Collection.answer`) is ever voided: once a form is
posted for an invitation, clicks there are never taken for a scanner. The pages add two rules
of their own (``web/survey_pages.py``): ``HEAD`` never writes, and a user agent that names
itself as a scanner or link previewer gets the page with its score chosen but writes nothing.
A scanner that fetches a single link, posing as a browser, cannot be told from a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import AnswerClosed, InputError, InvalidAnswer, InvalidToken
from ..limits import MAX_COMMENT_CHARS, text_problem
from ..store import Store
from ..store import schema as s
from ..store.hooks import items_committed, new_items
from .policy import Clock, CollectionPolicy, system_clock
from .surveys import SurveyCatalog, SurveyDefinition
from .tokens import InvitationClaim, Signer, UnsubscribeClaim, load_secret, new_nonce

__all__ = ["Answered", "Collection", "InvitationView", "MAX_TEXT", "SCAN_REASON", "SCAN_WINDOW"]

MAX_TEXT = MAX_COMMENT_CHARS  # characters of one open answer, as on every other way in
# Scanners fetch all the links of a mail within seconds; a person who changes their mind by
# clicking another number in the e-mail within a minute is asked to confirm it on the page.
SCAN_WINDOW = timedelta(seconds=60)
SCAN_REASON = "link_scan"  # the reason's prefix on an invitation whose clicked score was voided


@dataclass(frozen=True)
class InvitationView:
    """What a survey page needs about the invitation behind a valid link."""

    claim: InvitationClaim
    survey: SurveyDefinition
    customer_name: str | None
    customer_locale: str | None
    touchpoint_id: int | None
    channel: str
    status: str
    score: int | None  # the stored answer so far, if any
    answers: dict


@dataclass(frozen=True)
class Answered:
    """What storing an answer gives back: the response row, its survey and language."""

    response_id: int
    survey: SurveyDefinition
    language: str


# Statements of the answer path, built once: building a Core statement per request cost more
# than executing it (measured: about 1.5 ms of 2 per answer on SQLite).
_inv = s.invitations
_CLAIM = (
    sa.select(
        _inv.c.id,
        _inv.c.survey_id,
        _inv.c.customer_id,
        _inv.c.token_nonce,
        _inv.c.channel,
        _inv.c.status,
        _inv.c.reason,
        _inv.c.clicked_at,
        _inv.c.posted_at,
        s.events.c.touchpoint_id,
        s.customers.c.name,
        s.customers.c.locale,
    )
    .select_from(
        _inv.outerjoin(s.events, s.events.c.id == _inv.c.event_id).join(
            s.customers, s.customers.c.id == _inv.c.customer_id
        )
    )
    .where(_inv.c.id == sa.bindparam("invitation_id"))
)
# A score click reads the invitation's last click and decides on it: clicks fetched in parallel
# (scanners do) must take turns on PostgreSQL, as SQLite's writes do anyway.
_CLAIM_LOCKED = _CLAIM.with_for_update(of=_inv)
_MARK_POSTED = (
    _inv.update()
    .where(_inv.c.id == sa.bindparam("invitation_id"))
    .values(status="answered", posted_at=sa.bindparam("at", type_=_inv.c.posted_at.type))
)
_RESPONSE_COLUMNS = (
    "survey_id",
    "invitation_id",
    "customer_id",
    "touchpoint_id",
    "channel",
    "submitted_at",
    "metric",
    "score",
    "scale_min",
    "scale_max",
    "comment",
    "language",
    "answers",
    "external_id",
)
_INSERTS: dict[tuple[str, str], Any] = {}


def _insert_response(dialect: str, key: str):
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, with every column a parameter."""
    if (dialect, key) not in _INSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        r = s.responses
        _INSERTS[(dialect, key)] = (
            insert(r)
            .values({c: sa.bindparam(c, type_=r.c[c].type) for c in _RESPONSE_COLUMNS})
            .on_conflict_do_nothing(index_elements=[key])
            .returning(r.c.id)
        )
    return _INSERTS[(dialect, key)]


class Collection:
    """Surveys, invitations and answers over one store."""

    def __init__(
        self,
        store: Store,
        *,
        policy: CollectionPolicy | None = None,
        signer: Signer | None = None,
        clock: Clock | None = None,
        catalog: SurveyCatalog | None = None,
        answer_rules: str = "now",
    ):
        if answer_rules not in ("now", "after"):
            raise InputError(f"answer_rules must be 'now' or 'after', not {answer_rules!r}")
        self.store = store
        # "after": answer rules run just after an answer's transaction (a web server, whose
        # checker thread takes them), not in it; "now": inside it (scripts, the CLI, tests).
        self.rules_after_commit = answer_rules == "after"
        self.policy = policy or CollectionPolicy()
        self.signer = signer or Signer(load_secret())
        self.clock = clock or system_clock
        self.catalog = catalog or SurveyCatalog(store)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A write transaction (:meth:`Store.writing`); afterwards, what it stored for the
        answer rules is handed to them (:func:`cxlens.store.hooks.items_committed`)."""
        with self.store.writing() as conn:
            yield conn
        items_committed(self.store)

    # -- invitations ----------------------------------------------------------------------

    def invite(
        self,
        survey: str,
        customer: str,
        channel: str = "email",
        due_at: datetime | None = None,
        conn: sa.Connection | None = None,
        event_id: int | None = None,
        status: str = "pending",
        reason: str | None = None,
    ) -> int:
        """Record an invitation (pending until the sender sends it); returns its id."""
        definition = self.catalog.by_key(survey)
        if conn is None:
            with self.writing() as conn:
                return self.invite(survey, customer, channel, due_at, conn, event_id, status, reason)
        customer_id = conn.execute(sa.select(s.customers.c.id).where(s.customers.c.external_id == customer)).scalar()
        if customer_id is None:
            raise InputError(f"customer {customer!r}: no customer has this external_id; import the customer first")
        return self.insert_invitation(
            conn, definition.id, customer_id, channel, due_at or self.now(), event_id, status, reason
        )

    def insert_invitation(self, conn, survey_id, customer_id, channel, due_at, event_id, status, reason) -> int:
        """Write one invitation row by ids (the checks are the caller's: :meth:`invite`, the triggers)."""
        return conn.execute(
            s.invitations.insert()
            .values(
                survey_id=survey_id,
                customer_id=customer_id,
                event_id=event_id,
                channel=channel,
                due_at=due_at,
                status=status,
                reason=reason,
                token_nonce=new_nonce(),
                created_at=self.now(),
            )
            .returning(s.invitations.c.id)
        ).scalar_one()

    def token(self, invitation_id: int, conn: sa.Connection | None = None) -> str:
        """The signed link token of an invitation, valid ``policy.link_days`` from now."""
        if conn is None:
            with self.store.engine.connect() as conn:
                return self.token(invitation_id, conn)
        row = conn.execute(sa.select(s.invitations).where(s.invitations.c.id == invitation_id)).mappings().one()
        expires = self.now() + timedelta(days=self.policy.link_days)
        return InvitationClaim(row["id"], row["survey_id"], row["customer_id"], expires, row["token_nonce"]).token(
            self.signer
        )

    def link(self, token: str, score: int | None = None) -> str:
        url = f"{self.policy.public_url}/s/{token}"
        return url if score is None else f"{url}?score={score}"

    def unsubscribe_link(self, token: str) -> str:
        """The unsubscribe link of a survey link's invitation: a token of its own (see
        :class:`UnsubscribeClaim`), so that it cannot answer the survey."""
        claim = InvitationClaim.read(self.signer, token, self.now(), allow_expired=True)
        unsubscribe = UnsubscribeClaim(claim.invitation_id, claim.survey_id, claim.customer_id, claim.nonce)
        return f"{self.policy.public_url}/u/{unsubscribe.token(self.signer)}"

    # -- reading a link -------------------------------------------------------------------

    def _claim(
        self, conn: sa.Connection, token: str, allow_expired: bool = False, lock: bool = False, unsubscribing=False
    ) -> tuple[InvitationClaim, Any]:
        if unsubscribing and self._is_unsubscribe_token(token):
            claim = UnsubscribeClaim.read(self.signer, token).as_invitation()
        else:  # a survey link (unsubscribe links mailed before they had their own kind carry one)
            claim = InvitationClaim.read(self.signer, token, self.now(), allow_expired)
        row = conn.execute(_CLAIM_LOCKED if lock else _CLAIM, {"invitation_id": claim.invitation_id}).mappings().first()
        # A valid signature over ids that no longer match (invitation deleted, store restored
        # from another secret's era) is as good as forged: refuse it.
        if row is None or (row["survey_id"], row["customer_id"], row["token_nonce"]) != (
            claim.survey_id,
            claim.customer_id,
            claim.nonce,
        ):
            raise InvalidToken("the link does not match any invitation in this store")
        if not allow_expired and row["status"] == "answered":
            self._check_changeable(conn, claim.invitation_id)
        return claim, row

    def _check_changeable(self, conn: sa.Connection, invitation_id: int) -> None:
        """A link changes its answer only within ``change_hours`` of the first answer: a link
        forwarded or found later must not rewrite what the customer said."""
        r = s.responses
        first = conn.execute(sa.select(r.c.submitted_at).where(r.c.invitation_id == invitation_id)).scalar()
        if first is None:
            return
        first = first if first.tzinfo else first.replace(tzinfo=timezone.utc)
        if self.now() - first > timedelta(hours=self.policy.change_hours):
            raise AnswerClosed(
                f"this answer was given on {first:%Y-%m-%d %H:%M} UTC; it could be changed for "
                f"{self.policy.change_hours} hours"
            )

    def _is_unsubscribe_token(self, token: str) -> bool:
        try:
            UnsubscribeClaim.read(self.signer, token)
        except InvalidToken:
            return False
        return True

    def view(self, token: str, unsubscribing: bool = False) -> InvitationView:
        """The invitation behind a link, with what was answered so far; raises
        :class:`InvalidToken` / :class:`TokenExpired` and writes nothing for a bad link.
        ``unsubscribing``: the link is an unsubscribe link (which names no answer to change)."""
        with self.store.engine.connect() as conn:
            claim, row = self._claim(conn, token, allow_expired=unsubscribing, unsubscribing=unsubscribing)
            answer = (
                conn.execute(
                    sa.select(s.responses.c.score, s.responses.c.answers, s.responses.c.comment).where(
                        s.responses.c.invitation_id == claim.invitation_id
                    )
                )
                .mappings()
                .first()
            )
        survey = self.catalog.by_id(claim.survey_id)
        answers = dict(answer["answers"] or {}) if answer else {}
        if answer and answer["comment"] is not None:
            answers["comment"] = answer["comment"]
        return InvitationView(
            claim,
            survey,
            row["name"],
            row["locale"],
            row["touchpoint_id"] or survey.touchpoint_id,
            row["channel"],
            row["status"],
            answer["score"] if answer else None,
            answers,
        )

    # -- answers --------------------------------------------------------------------------

    def answer(
        self,
        token: str,
        score: int | None = None,
        answers: dict[str, Any] | None = None,
        language: str | None = None,
    ) -> Answered:
        """Store (or update) the answer to an invitation.

        Only what is given changes: the score click writes the score, the follow-up form adds
        the comment and other answers. ``language`` defaults to the customer's locale (with
        the survey's fallback). A bad link raises before anything is written."""
        with self.writing() as conn:
            claim, row = self._claim(conn, token)
            survey = self.catalog.by_id(claim.survey_id)
            language = language or survey.language_for(row["locale"])
            values = self._checked(survey, score, answers or {})
            response_id = self._upsert(
                conn,
                s.responses.c.invitation_id,
                claim.invitation_id,
                survey,
                values,
                {
                    "invitation_id": claim.invitation_id,
                    "customer_id": claim.customer_id,
                    "touchpoint_id": row["touchpoint_id"] or survey.touchpoint_id,
                    "channel": row["channel"],
                    "language": language,
                },
            )
            if row["status"] != "answered" or row["posted_at"] is None:
                conn.execute(_MARK_POSTED, {"invitation_id": claim.invitation_id, "at": self.now()})
        return Answered(response_id, survey, language)

    def click(self, token: str, score: Any, language: str | None = None) -> Answered | None:
        """Store the score clicked in the e-mail, unless the click looks like a mail scanner's
        sweep (see the module's docstring): then nothing clicked stands and None is returned,
        and the page asks the person to confirm the score with the form."""
        with self.writing() as conn:
            claim, row = self._claim(conn, token, lock=True)
            survey = self.catalog.by_id(claim.survey_id)
            language = language or survey.language_for(row["locale"])
            values = self._checked(survey, score, {})
            now = self.now()
            mark = _inv.update().where(_inv.c.id == claim.invitation_id)
            if self._sweeping(conn, row, claim.invitation_id, values.get("score"), now):
                conn.execute(mark.values(clicked_at=now))
                return None
            response_id = self._upsert(
                conn,
                s.responses.c.invitation_id,
                claim.invitation_id,
                survey,
                values,
                {
                    "invitation_id": claim.invitation_id,
                    "customer_id": claim.customer_id,
                    "touchpoint_id": row["touchpoint_id"] or survey.touchpoint_id,
                    "channel": row["channel"],
                    "language": language,
                },
            )
            conn.execute(mark.values(status="answered", clicked_at=now))
        return Answered(response_id, survey, language)

    def _sweeping(self, conn: sa.Connection, row, invitation_id: int, score: int | None, now: datetime) -> bool:
        """Whether this click is part of a scanner's sweep; voids the sweep's first score."""
        if row["posted_at"] is not None or row["clicked_at"] is None or now - row["clicked_at"] >= SCAN_WINDOW:
            return False  # a person posted a form, or no click came just before this one
        if row["status"] == "sent" and (row["reason"] or "").startswith(SCAN_REASON):
            return True  # the sweep goes on: its clicks keep the window open and write nothing
        r = s.responses
        stored = conn.execute(sa.select(r.c.score).where(r.c.invitation_id == invitation_id)).first()
        if stored is None or stored.score == score:
            return False  # the same link twice (a double click, a reload) is one answer
        # Only clicks wrote this row (no form was posted), so deleting it voids nothing a person typed.
        conn.execute(r.delete().where(r.c.invitation_id == invitation_id))
        reason = (
            f"{SCAN_REASON}: scores {stored.score} and {score} clicked within {SCAN_WINDOW.seconds} s "
            f"at {now:%Y-%m-%d %H:%M:%S} UTC; taken for an e-mail link scanner, the clicked score was voided"
        )
        conn.execute(_inv.update().where(_inv.c.id == invitation_id).values(status="sent", reason=reason[:200]))
        return True

    def answer_anonymously(
        self,
        survey: SurveyDefinition,
        external_id: str,
        score: int | None,
        answers: dict[str, Any] | None,
        channel: str,
        language: str | None,
    ) -> int:
        """Store (or update) an answer with no invitation: an open link or the widget.
        ``external_id`` comes from a signed form nonce or the widget's id, so a resent form
        updates its row instead of adding one."""
        values = self._checked(survey, score, answers or {})
        with self.writing() as conn:
            return self._upsert(
                conn,
                s.responses.c.external_id,
                external_id,
                survey,
                values,
                {
                    "external_id": external_id,
                    "touchpoint_id": survey.touchpoint_id,
                    "channel": channel,
                    "language": language,
                },
            )

    def _upsert(self, conn: sa.Connection, key_column, key, survey: SurveyDefinition, values: dict, fixed: dict) -> int:
        """Insert the response, or update the one with the same invitation (or external id).

        The insert comes first, as ON CONFLICT DO NOTHING: a first answer (the common case)
        costs one statement, and two first clicks at once (a mail scanner and the person)
        cannot both insert."""
        r = s.responses
        row = {
            "survey_id": survey.id,
            "submitted_at": self.now(),
            "metric": survey.metric,
            "scale_min": survey.scale[0] if survey.scale else None,
            "scale_max": survey.scale[1] if survey.scale else None,
            **fixed,
            **values,
        }
        params = dict.fromkeys(_RESPONSE_COLUMNS) | row
        new_id = conn.execute(_insert_response(conn.dialect.name, key_column.name), params).scalar()
        if new_id is not None:
            # answer rules: notify, open cases
            new_items(conn, kind="response", ids=[new_id], now=self.now(), after_commit=self.rules_after_commit)
            return new_id
        found = conn.execute(sa.select(r.c.id, r.c.answers).where(key_column == key)).one()
        update = {k: v for k, v in values.items() if k != "answers"}
        if values.get("answers"):
            update["answers"] = {**(found.answers or {}), **values["answers"]}
        if fixed.get("language"):
            update["language"] = fixed["language"]
        if update:
            conn.execute(r.update().where(r.c.id == found.id).values(**update))
            # the comment may be what a rule looks for
            new_items(conn, kind="response", ids=[found.id], now=self.now(), after_commit=self.rules_after_commit)
        return found.id

    def _checked(self, survey: SurveyDefinition, score: Any, answers: dict[str, Any]) -> dict:
        """Column values for what was given, each checked against the survey."""
        values: dict[str, Any] = {}
        if score is not None:
            if not survey.scored:
                raise InvalidAnswer(
                    "score", f"the survey {survey.key!r} asks no score (it is a {survey.metric} survey)"
                )
            values["score"] = _score(score, survey.scale, "score")
        extra: dict[str, Any] = {}
        questions = {q.key: q for q in survey.questions}
        for key, value in answers.items():
            question = questions.get(key)
            if question is None:
                raise InvalidAnswer(
                    key, f"the survey {survey.key!r} has no question {key!r}; its questions: {', '.join(questions)}"
                )
            checked = _answer(question, value)
            if checked is None:
                continue  # an empty answer: the question was skipped
            if key == "comment" and question.type == "text":
                values["comment"] = checked
            else:
                extra[key] = checked
        if extra:
            values["answers"] = extra
        return values

    def check_answer(self, survey: SurveyDefinition, score: Any, answers: dict[str, Any] | None) -> dict:
        """An answer's column values, checked against the survey (:class:`InvalidAnswer`
        otherwise), without storing it: for answers kept apart in quarantine."""
        return self._checked(survey, score, answers or {})

    # -- opt-outs -------------------------------------------------------------------------

    def unsubscribe(self, token: str, channel: str | None = None, source: str = "unsubscribe-link") -> None:
        """Record that the customer behind a link wants no more invitations on its channel
        (or on any channel: ``channel="all"``). Expired links still unsubscribe."""
        with self.writing() as conn:
            claim, row = self._claim(conn, token, allow_expired=True, unsubscribing=True)
            self.opt_out(conn, claim.customer_id, channel or row["channel"], source)

    def opt_out(self, conn: sa.Connection, customer_id: int, channel: str, source: str) -> None:
        exists = conn.execute(
            sa.select(s.opt_outs.c.id).where(s.opt_outs.c.customer_id == customer_id, s.opt_outs.c.channel == channel)
        ).first()
        if exists is None:
            conn.execute(
                s.opt_outs.insert().values(
                    customer_id=customer_id, channel=channel, source=source, created_at=self.now()
                )
            )

    @staticmethod
    def opted_out(conn: sa.Connection, customer_id: int, channel: str) -> bool:
        o = s.opt_outs
        return (
            conn.execute(
                sa.select(o.c.id).where(o.c.customer_id == customer_id, o.c.channel.in_([channel, "all"])).limit(1)
            ).first()
            is not None
        )


def _score(value: Any, scale: tuple[int, int] | None, field: str) -> int:
    low, high = scale or (0, 10)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidAnswer(field, f"{value!r} is not a whole number; choose one of {low}..{high}") from None
    if not low <= number <= high:
        raise InvalidAnswer(field, f"{number} is outside the scale {low}..{high}")
    return number


def _answer(question, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if question.type == "text":
        text = str(value).strip()
        if text_problem(text):
            raise InvalidAnswer(question.key, text_problem(text))
        if len(text) > MAX_TEXT:
            raise InvalidAnswer(question.key, f"is {len(text)} characters long; the limit is {MAX_TEXT}")
        return text or None
    options = {o.key for o in question.options}
    if question.type == "single":
        if not isinstance(value, str) or value not in options:
            raise InvalidAnswer(question.key, f"{value!r} is not one of the options {', '.join(sorted(options))}")
        return value
    if question.type == "multiple":
        chosen = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [value]
        bad = [v for v in chosen if not isinstance(v, str) or v not in options]
        if bad:
            raise InvalidAnswer(question.key, f"{bad[0]!r} is not one of the options {', '.join(sorted(options))}")
        return sorted(set(chosen))
    return _score(value, question.scale, question.key)
