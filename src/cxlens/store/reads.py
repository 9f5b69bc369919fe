"""Reads the dashboard's pages need that are not KPIs: lists of rows people look at.

A KPI is a number with an interval and lives in analytics; what a person scrolls through (the
feedback stream, a customer's timeline, the latest comments at a touchpoint, why customers
left) is a plain query of the system of record and lives here, so the web layer only renders
what these functions return and a notebook user gets the same rows.

Every function takes the store and a period as days, ``since`` included and ``until`` not
(midnight UTC: the store keeps UTC), and returns plain dicts, newest first where order matters.
Timestamps come back as aware UTC datetimes on both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa

from ..errors import InputError
from .database import Store
from .schema import (
    customers,
    events,
    invitations,
    journeys,
    mentions,
    metadata,
    responses,
    revenue,
    surveys,
    text_models,
    text_results,
    text_themes,
    tickets,
    touchpoints,
)

__all__ = [
    "CUSTOMER_PAGE",
    "FEEDBACK_KINDS",
    "FEEDBACK_PAGE",
    "SENTIMENTS",
    "TIMELINE_LIMIT",
    "churn_reasons",
    "churn_reasons_by_period",
    "customer_timeline",
    "feedback_stream",
    "filter_values",
    "find_customers",
    "latest_sentiment_model",
    "missing_references",
    "surveys_with_answers",
    "touchpoint_recent",
]

FEEDBACK_PAGE = 50  # items per page of the feedback stream
FEEDBACK_KINDS = ("response", "mention")
SENTIMENTS = ("negative", "neutral", "positive", "mixed")
CUSTOMER_PAGE = 50  # customers a search shows
TIMELINE_LIMIT = 200  # a customer's latest happenings shown


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def _aware(at: datetime | str | None) -> datetime | None:
    """A union hands SQLite's text timestamps back raw, and SQLite keeps no offset."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at


def filter_values(store: Store) -> dict[str, list[str]]:
    """The segments, channels and teams there are, sorted: what a filter can choose from. The
    teams are those with data: a touchpoint's team once it has answers or tickets, and the
    helpdesk teams of the tickets (which the journeys file's ``teams:`` may cover)."""
    tp = touchpoints.c
    has_data = sa.or_(
        sa.exists().where(responses.c.touchpoint_id == tp.id), sa.exists().where(tickets.c.touchpoint_id == tp.id)
    )
    queries = {
        "segment": sa.select(customers.c.segment).distinct().where(customers.c.segment.isnot(None)),
        "channel": sa.select(tp.channel).distinct().where(tp.channel.isnot(None)),
        "team": sa.union(
            sa.select(tp.team).where(tp.team.isnot(None), has_data),
            sa.select(tickets.c.team).where(tickets.c.team.isnot(None)),
        ),
    }
    with store.engine.connect() as conn:
        return {name: sorted(set(conn.execute(q).scalars().all())) for name, q in queries.items()}


def touchpoint_recent(
    store: Store,
    key: str,
    since: date,
    until: date,
    *,
    segment: str | None = None,
    channel: str | None = None,
    team: str | Sequence[str] | None = None,
    limit: int = 20,
) -> tuple[list[dict], list[dict]]:
    """The touchpoint's latest comments and tickets in [since, until), newest first. A team
    filter (a name, or the names a journey team covers) applies to tickets only: the
    touchpoint's answers are all its own team's."""
    start, end = _midnight(since), _midnight(until)
    tp_id = sa.select(touchpoints.c.id).where(touchpoints.c.key == key).scalar_subquery()
    r, t, c = responses, tickets, customers
    q_comments = (
        sa.select(
            r.c.submitted_at, r.c.metric, r.c.score, r.c.scale_max, r.c.comment, r.c.language, r.c.channel, c.c.segment
        )
        .select_from(r.outerjoin(c, c.c.id == r.c.customer_id))
        .where(
            r.c.touchpoint_id == tp_id,
            r.c.comment.isnot(None),
            r.c.comment != "",
            r.c.submitted_at >= start,
            r.c.submitted_at < end,
        )
    )
    q_tickets = (
        sa.select(
            t.c.external_id,
            t.c.created_at,
            t.c.status,
            t.c.channel,
            t.c.team,
            t.c.subject,
            t.c.first_response_seconds,
            c.c.segment,
        )
        .select_from(t.outerjoin(c, c.c.id == t.c.customer_id))
        .where(t.c.touchpoint_id == tp_id, t.c.created_at >= start, t.c.created_at < end)
    )
    if channel:
        q_comments, q_tickets = q_comments.where(r.c.channel == channel), q_tickets.where(t.c.channel == channel)
    if segment:
        q_comments, q_tickets = q_comments.where(c.c.segment == segment), q_tickets.where(c.c.segment == segment)
    if team:
        q_tickets = q_tickets.where(t.c.team.in_([team] if isinstance(team, str) else list(team)))
    with store.engine.connect() as conn:
        comments = [dict(x) for x in conn.execute(q_comments.order_by(r.c.submitted_at.desc()).limit(limit)).mappings()]
        ticket_rows = [dict(x) for x in conn.execute(q_tickets.order_by(t.c.created_at.desc()).limit(limit)).mappings()]
    return comments, ticket_rows


def churn_reasons(store: Store, since: date, until: date, *, segment: str | None = None, limit: int = 15) -> list[dict]:
    """Why customers who left in [since, until) said they left, most frequent first."""
    c = customers
    reason = sa.func.coalesce(c.c.churn_reason, "(not given)")
    q = (
        sa.select(reason.label("reason"), sa.func.count().label("n"))
        .where(c.c.churned_at >= _midnight(since), c.c.churned_at < _midnight(until))
        .group_by(reason)
        .order_by(sa.desc("n"))
        .limit(limit)
    )
    if segment:
        q = q.where(c.c.segment == segment)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def churn_reasons_by_period(
    store: Store, since: date, until: date, grain: str, *, segment: str | None = None
) -> list[dict]:
    """How many customers gave each reason for leaving, per period of ``grain`` in [since,
    until): rows ``{period, reason, n}``. Periods are cut in Python (one row per customer who
    left in the window, no engine-specific date functions)."""
    from .. import periods

    c = customers
    reason = sa.func.coalesce(c.c.churn_reason, "(not given)")
    q = sa.select(c.c.churned_at, reason.label("reason")).where(
        c.c.churned_at >= _midnight(since), c.c.churned_at < _midnight(until)
    )
    if segment:
        q = q.where(c.c.segment == segment)
    counts: dict[tuple, int] = {}
    with store.engine.connect() as conn:
        for at, why in conn.execute(q):
            key = (periods.start(periods.as_utc(at).astimezone(UTC), grain), why)
            counts[key] = counts.get(key, 0) + 1
    return [{"period": p, "reason": r, "n": n} for (p, r), n in sorted(counts.items())]


# --- the feedback stream ------------------------------------------------------------------------


def _theme():
    return sa.func.coalesce(text_themes.c.name, text_themes.c.label)


def _analysed(source: str, id_col):
    return sa.and_(text_results.c.source == source, text_results.c.source_id == id_col)


def _comments_query(start: datetime, end: datetime):
    """Survey answers with a comment, in the stream's columns."""
    r, c, tp, tr, th = responses, customers, touchpoints, text_results, text_themes
    return (
        sa.select(
            sa.literal("response").label("kind"),
            r.c.id,
            r.c.submitted_at.label("at"),
            r.c.comment.label("text"),
            sa.null().label("title"),
            r.c.metric.label("what"),
            sa.cast(r.c.score, sa.Float).label("score"),
            sa.cast(r.c.scale_max, sa.Float).label("scale_max"),
            r.c.language,
            tp.c.name.label("touchpoint"),
            r.c.channel.label("channel"),
            c.c.segment,
            tr.c.sentiment,
            _theme().label("theme"),
        )
        .select_from(
            r.outerjoin(tp, tp.c.id == r.c.touchpoint_id)
            .outerjoin(c, c.c.id == r.c.customer_id)
            .outerjoin(tr, _analysed("response", r.c.id))
            .outerjoin(th, th.c.id == tr.c.theme_id)
        )
        .where(r.c.comment.isnot(None), r.c.comment != "", r.c.submitted_at >= start, r.c.submitted_at < end)
    )


def _mentions_query(start: datetime, end: datetime):
    """Reviews and social posts, in the stream's columns."""
    m, c, tr, th = mentions, customers, text_results, text_themes
    return (
        sa.select(
            sa.literal("mention").label("kind"),
            m.c.id,
            m.c.posted_at.label("at"),
            m.c.text.label("text"),
            m.c.title,
            m.c.source.label("what"),
            m.c.rating.label("score"),
            m.c.rating_max.label("scale_max"),
            m.c.language,
            sa.null().label("touchpoint"),
            m.c.source.label("channel"),
            c.c.segment,
            tr.c.sentiment,
            _theme().label("theme"),
        )
        .select_from(
            m.outerjoin(c, c.c.id == m.c.customer_id)
            .outerjoin(tr, _analysed("mention", m.c.id))
            .outerjoin(th, th.c.id == tr.c.theme_id)
        )
        .where(m.c.posted_at >= start, m.c.posted_at < end)
    )


def _only_new(comments, posts, after: datetime, seen: tuple[tuple[str, int], ...]):
    """What came at or after ``after``, less the (kind, id) pairs already shown."""
    r, m = responses, mentions
    comments, posts = comments.where(r.c.submitted_at >= after), posts.where(m.c.posted_at >= after)
    comments = comments.where(r.c.id.notin_([i for k, i in seen if k == "response"] or [-1]))
    posts = posts.where(m.c.id.notin_([i for k, i in seen if k == "mention"] or [-1]))
    return comments, posts


def _filtered(comments, posts, *, search, sentiment, segment, channel, journey, team):
    """Both queries narrowed by the filters; those a mention cannot have narrow comments only."""
    r, m, c, tp = responses, mentions, customers, touchpoints
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        comments = comments.where(r.c.comment.ilike(pattern))
        posts = posts.where(sa.or_(m.c.text.ilike(pattern), m.c.title.ilike(pattern)))
    if segment:
        comments, posts = comments.where(c.c.segment == segment), posts.where(c.c.segment == segment)
    if sentiment:
        comments, posts = (
            comments.where(text_results.c.sentiment == sentiment),
            posts.where(text_results.c.sentiment == sentiment),
        )
    if channel:
        comments = comments.where(r.c.channel == channel)
    if journey:
        comments = comments.where(
            tp.c.journey_id == sa.select(journeys.c.id).where(journeys.c.key == journey).scalar_subquery()
        )
    if team:
        comments = comments.where(tp.c.team == team)
    return comments, posts


def feedback_stream(
    store: Store,
    since: date,
    until: date,
    *,
    segment: str | None = None,
    channel: str | None = None,
    journey: str | None = None,
    team: str | None = None,
    search: str | None = None,
    kind: str | None = None,
    sentiment: str | None = None,
    page: int = 0,
    after: datetime | None = None,
    seen: tuple[tuple[str, int], ...] = (),
) -> list[dict]:
    """Comments (survey answers with text) and mentions (reviews, social posts) in [since,
    until), newest first, ``FEEDBACK_PAGE`` per page, with sentiment and theme where text
    analytics has looked at them. ``search`` matches words anywhere in the text
    (case-insensitive). ``after`` keeps only what came at or after that moment, less the
    ``seen`` (kind, id) pairs: what a page polls for to show new items (ties at the newest
    shown moment are neither lost nor shown twice). Mentions belong to no touchpoint, channel
    or team: a filter on those shows comments only."""
    if kind not in (None, *FEEDBACK_KINDS):
        raise InputError(f"kind={kind!r}: choose response (survey comments) or mention (reviews and posts)")
    if sentiment not in (None, *SENTIMENTS):
        raise InputError(f"sentiment={sentiment!r}: choose one of: {', '.join(SENTIMENTS)}")
    start, end = _midnight(since), _midnight(until)
    comments, posts = _comments_query(start, end), _mentions_query(start, end)
    if after is not None:
        comments, posts = _only_new(comments, posts, after, seen)
    comments, posts = _filtered(
        comments,
        posts,
        search=search,
        sentiment=sentiment,
        segment=segment,
        channel=channel,
        journey=journey,
        team=team,
    )
    parts = [
        q
        for k, q in (("response", comments), ("mention", posts))
        if kind in (None, k) and not (k == "mention" and (channel or journey or team))
    ]
    if not parts:
        return []
    # Each part is cut to the rows this page can need before the union: otherwise the database
    # would gather and sort every comment of the view (millions) to show fifty.
    enough = (page + 1) * FEEDBACK_PAGE
    cut = [sa.select(q.order_by(sa.desc("at"), sa.desc("id")).limit(enough).subquery()) for q in parts]
    union = sa.union_all(*cut).subquery()
    q = (
        sa.select(union)
        .order_by(union.c.at.desc(), union.c.id.desc())
        .limit(FEEDBACK_PAGE)
        .offset(page * FEEDBACK_PAGE)
    )
    with store.engine.connect() as conn:
        rows = [dict(x) for x in conn.execute(q).mappings()]
    for row in rows:
        if isinstance(row["at"], str):
            row["at"] = datetime.fromisoformat(row["at"])
    return rows


# --- surveys ------------------------------------------------------------------------------------


def surveys_with_answers(store: Store, since: date, until: date) -> list[dict]:
    """Every survey (by key) with its touchpoint, its answers in [since, until), and the
    channels, trigger and languages of its definition."""
    s, tp, r = surveys, touchpoints, responses
    answered = (
        sa.select(r.c.survey_id, sa.func.count().label("answers"))
        .where(r.c.submitted_at >= _midnight(since), r.c.submitted_at < _midnight(until))
        .group_by(r.c.survey_id)
        .subquery()
    )
    q = (
        sa.select(
            s.c.key,
            s.c.name,
            s.c.metric,
            s.c.scale_min,
            s.c.scale_max,
            s.c.definition,
            tp.c.name.label("touchpoint"),
            tp.c.key.label("touchpoint_key"),
            sa.func.coalesce(answered.c.answers, 0).label("answers"),
        )
        .select_from(s.outerjoin(tp, tp.c.id == s.c.touchpoint_id).outerjoin(answered, answered.c.survey_id == s.c.id))
        .order_by(s.c.key)
    )
    with store.engine.connect() as conn:
        rows = [dict(x) for x in conn.execute(q).mappings()]
    for row in rows:
        d = row.pop("definition") or {}
        row["channels"] = d.get("channels") or []
        row["trigger"] = d.get("trigger")
        row["languages"] = d.get("languages") or []
    return rows


# --- customers ----------------------------------------------------------------------------------


def find_customers(store: Store, search: str, segment: str | None = None, limit: int = CUSTOMER_PAGE) -> list[dict]:
    """Customers whose name, e-mail or external id contains ``search`` (case-insensitive)."""
    c = customers
    q = sa.select(c.c.id, c.c.external_id, c.c.name, c.c.email, c.c.segment, c.c.plan, c.c.signed_up_at, c.c.churned_at)
    if search.strip():
        pattern = f"%{search.strip()}%"
        q = q.where(sa.or_(c.c.name.ilike(pattern), c.c.email.ilike(pattern), c.c.external_id.ilike(pattern)))
    if segment:
        q = q.where(c.c.segment == segment)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(c.c.name, c.c.id).limit(limit)).mappings()]


def _timeline_parts(customer_id: int) -> list:
    """One query per kind of happening, each in the columns kind, at, what, detail, text."""
    tp, s = touchpoints, surveys
    return [
        sa.select(
            sa.literal("event").label("kind"),
            events.c.occurred_at.label("at"),
            tp.c.name.label("what"),
            events.c.channel.label("detail"),
            sa.null().label("text"),
        )
        .select_from(events.join(tp, tp.c.id == events.c.touchpoint_id))
        .where(events.c.customer_id == customer_id),
        sa.select(
            sa.literal("invitation").label("kind"),
            sa.func.coalesce(invitations.c.sent_at, invitations.c.due_at).label("at"),
            s.c.name.label("what"),
            (invitations.c.channel + " · " + invitations.c.status).label("detail"),
            sa.null().label("text"),
        )
        .select_from(invitations.join(s, s.c.id == invitations.c.survey_id))
        .where(invitations.c.customer_id == customer_id),
        sa.select(
            sa.literal("response").label("kind"),
            responses.c.submitted_at.label("at"),
            (
                sa.func.upper(responses.c.metric) + " " + sa.func.coalesce(sa.cast(responses.c.score, sa.String), "–")
            ).label("what"),
            tp.c.name.label("detail"),
            responses.c.comment.label("text"),
        )
        .select_from(responses.outerjoin(tp, tp.c.id == responses.c.touchpoint_id))
        .where(responses.c.customer_id == customer_id),
        sa.select(
            sa.literal("ticket").label("kind"),
            tickets.c.created_at.label("at"),
            (tickets.c.external_id + " · " + sa.func.coalesce(tickets.c.status, "")).label("what"),
            tickets.c.team.label("detail"),
            tickets.c.subject.label("text"),
        ).where(tickets.c.customer_id == customer_id),
        sa.select(
            sa.literal("payment").label("kind"),
            revenue.c.occurred_at.label("at"),
            sa.cast(revenue.c.amount, sa.String).label("what"),
            revenue.c.currency.label("detail"),
            sa.null().label("text"),
        ).where(revenue.c.customer_id == customer_id),
    ]


def _milestones(person: dict) -> list[dict]:
    """Sign-up and churn, which are columns of the customer rather than rows of their own."""
    found = [
        {
            "kind": "signed up",
            "at": person["signed_up_at"],
            "what": person["plan"] or "",
            "detail": person["segment"],
            "text": None,
        }
    ]
    if person["churned_at"]:
        found.append(
            {
                "kind": "churned",
                "at": person["churned_at"],
                "what": person["churn_reason"] or "no reason given",
                "detail": None,
                "text": None,
            }
        )
    return [m for m in found if m["at"] is not None]


def customer_timeline(store: Store, customer_id: int) -> tuple[dict, list[dict]] | None:
    """A customer and everything that happened with them, newest first (the latest
    ``TIMELINE_LIMIT`` events, invitations, answers, tickets and payments, with sign-up and
    churn); None when no customer has that id."""
    c = customers
    with store.engine.connect() as conn:
        person = conn.execute(sa.select(c).where(c.c.id == customer_id)).mappings().first()
        if person is None:
            return None
        union = sa.union_all(*_timeline_parts(customer_id)).subquery()
        rows = [
            dict(r) for r in conn.execute(sa.select(union).order_by(union.c.at.desc()).limit(TIMELINE_LIMIT)).mappings()
        ]
    for row in rows:
        row["at"] = _aware(row["at"])
    person = dict(person)
    rows += _milestones(person)
    rows.sort(key=lambda r: r["at"], reverse=True)
    return person, rows


# --- text analytics -----------------------------------------------------------------------------


def latest_sentiment_model(store: Store) -> dict | None:
    """When the newest sentiment model was fitted, on how many texts, and its held-out
    evaluation; None before ``cxlens text analyze`` has fitted one."""
    m = text_models
    q = (
        sa.select(m.c.created_at, m.c.n_texts, m.c.metrics)
        .where(m.c.kind == "sentiment")
        .order_by(m.c.id.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    return None if row is None else {"created_at": row.created_at, "n_texts": row.n_texts, "metrics": row.metrics}


def missing_references(conn: sa.Connection, table: str, values: dict) -> list[tuple[str, object]]:
    """The (column, value) pairs of ``values`` that a foreign key of ``table`` says should name
    a row and do not: a write would fail on them, so they are refused first, by name."""
    missing = []
    for column in metadata.tables[table].columns:
        value = values.get(column.name)
        if value is None or not column.foreign_keys:
            continue
        target = next(iter(column.foreign_keys)).column
        if conn.execute(sa.select(target).where(target == value).limit(1)).first() is None:
            missing.append((column.name, value))
    return missing
