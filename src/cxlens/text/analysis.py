"""Text analytics over the store: fit the models, analyse every text, and answer questions.

``analyze(store)`` gives every comment (responses), ticket text, mention and feature request
its language, sentiment, theme and feature-request flag, in ``text_results``: one row per
text, so the KPI engine can slice any KPI by theme and sentiment. It is incremental: texts
that already have a row are skipped unless their wording changed since (a hash of the
analysed text is kept with the row), and the stored models (``text_models``) are reused, so
new texts are scored by the same model; ``refit=True`` fits both models again and analyses
everything anew (pinned themes keep their rows and names).

The models are fitted and kept by fitting.py (``fit_sentiment`` and ``fit_themes``, also
importable from here); this module analyses the texts with them and answers questions
(themes, feature requests, key drivers, spikes).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import InputError
from ..store import Store
from ..store import schema as s
from .fitting import (
    METRIC_SCALES,
    RATING_SCALE,
    Progress,
    fill_languages,
    fit_sentiment,
    fit_themes,
    latest_model,
    model_age_days,
    text_sources,
)
from .requests import group_requests, is_feature_request, name_requests
from .sampling import id_ranges
from .sentiment import SentimentModel, labels_from_scores
from .themes import ThemeModel
from .topics import TopicModel

__all__ = [
    "AnalyzeSummary",
    "RequestGroup",
    "ThemeSummary",
    "analyze",
    "feature_requests",
    "fit_sentiment",
    "fit_themes",
    "merge_themes",
    "pin_theme",
    "rename_theme",
    "themes",
]

# Texts analysed, and committed, together: one batch in memory at a time, and SQLite's write
# lock held only while its rows are written (about a tenth of a second).
BATCH = 10_000


@dataclass
class AnalyzeSummary:
    analyzed: dict[str, int] = field(default_factory=dict)  # new rows per source
    changed: dict[str, int] = field(default_factory=dict)  # of them, texts edited since analysed
    sentiment_fitted: bool = False
    refitted: bool = False  # every text analysed anew (--refit, or the model was too old)
    themes_fitted: bool = False
    evaluation: dict[str, Any] | None = None
    seconds: float = 0.0


def _now() -> datetime:
    return datetime.now(timezone.utc)


# -- analysis -------------------------------------------------------------------------------


def analyze(
    store: Store, *, refit: bool = False, max_model_age_days: float | None = None, progress: Progress | None = None
) -> AnalyzeSummary:
    """Language, sentiment, theme and feature-request flag for every text not analysed yet
    (every text, with ``refit``, after fitting both models again).

    Texts are read and analysed :data:`BATCH` at a time, each batch committed on its own, so
    memory does not grow with the store, SQLite's write lock is held a moment per batch, and
    a stopped run keeps what it wrote (the next run goes on from there). The fits read a
    bounded sample (:data:`cxlens.text.fitting.SAMPLE_CAP` texts). A refit first deletes
    every result: until its batches are written, a reader sees fewer analysed texts (a KPI by
    theme or sentiment counts only those, and says so with its n).

    ``max_model_age_days`` is the schedule: when the stored sentiment model is older than
    that, this run refits as if ``refit`` were given. A daily ``cxlens text analyze
    --max-age 30`` (cron, or a job) analyses new texts every day and relearns every month.
    """
    t0 = time.perf_counter()
    progress = progress or (lambda *a: None)
    summary = AnalyzeSummary()
    with store.engine.connect() as conn:
        if not refit and max_model_age_days is not None:
            refit = model_age_days(conn) > max_model_age_days
        summary.refitted = refit
        sentiment_row = None if refit else latest_model(conn, "sentiment")
        themes_row = None if refit else latest_model(conn, "themes")
        topics_row = None if refit else latest_model(conn, "topics")
    if refit:
        # Before the fits: a refit stopped anywhere leaves texts without results, which the
        # next run analyses with the newest stored models, so every result comes from the
        # same models.
        _forget_all(store)
    if sentiment_row is None:
        sentiment, summary.evaluation = fit_sentiment(store, progress)
        summary.sentiment_fitted = True
    else:
        sentiment, summary.evaluation = SentimentModel.from_bytes(sentiment_row[1]), sentiment_row[2]
    if themes_row is None or topics_row is None:
        topic_model, theme_model = fit_themes(store, progress)
        summary.themes_fitted = True
    else:
        topic_model, theme_model = TopicModel.from_bytes(topics_row[1]), ThemeModel.from_bytes(themes_row[1])
    with store.engine.connect() as conn:
        theme_ids = _theme_ids(conn)
        known = sorted(
            {
                r[0]
                for r in conn.execute(
                    sa.select(s.responses.c.language).where(s.responses.c.language.is_not(None)).distinct()
                )
            }
        )
    models = (sentiment, topic_model, theme_model)
    for source in text_sources():
        summary.changed[source] = 0 if refit else forget_changed(store, source)
        summary.analyzed[source] = _analyze_source(store, source, models, theme_ids, known, progress)
    summary.seconds = time.perf_counter() - t0
    return summary


def _forget_all(store: Store) -> None:
    """Delete every result and topic, :data:`BATCH` rows per short transaction (one statement
    over millions of rows would hold SQLite's write lock for its whole length)."""
    for table in (s.text_topics, s.text_results):
        done = BATCH
        while done == BATCH:
            first = sa.select(table.c.id).order_by(table.c.id).limit(BATCH)
            with store.writing() as conn:
                done = conn.execute(sa.delete(table).where(table.c.id.in_(first.scalar_subquery()))).rowcount


def _theme_ids(conn: sa.Connection) -> dict[int, int]:
    """Theme number of the newest theme model -> text_themes id (following merges)."""
    t = s.text_themes
    latest = conn.execute(sa.select(sa.func.max(s.text_models.c.id)).where(s.text_models.c.kind == "themes")).scalar()
    rows = conn.execute(sa.select(t.c.id, t.c.number, t.c.model_id, t.c.merged_into_id)).all()
    merged = {r.id: r.merged_into_id for r in rows}
    out = {}
    for r in rows:
        if r.model_id == latest:
            target, seen = r.id, set()
            while merged.get(target) and target not in seen:
                seen.add(target)
                target = merged[target]
            out[r.number] = target
    return out


def _analyze_source(store: Store, source: str, models, theme_ids, known, progress) -> int:
    """Analyse the source's texts that have no result, :data:`BATCH` ids at a time in id
    order (keyset pages), each batch's results committed in a transaction of its own: a run stopped
    midway keeps the batches it wrote, and the next run goes on with the texts left."""
    table, cols, when, customer, lang = text_sources()[source]
    r = s.text_results
    has_text = sa.or_(*[sa.and_(c.is_not(None), c != "") for c in cols])
    rating_cols = _rating_columns(source)
    query = sa.select(table.c.id, when, customer, lang if lang is not None else sa.null(), *rating_cols, *cols)

    def done(low: int | None = None, high: int | None = None):
        # Bounded to the page's ids too, so the database reads only that slice of text_results.
        found = sa.select(r.c.id).where(r.c.source == source, r.c.source_id == table.c.id)
        if low is not None:
            found = found.where(r.c.source_id > low, r.c.source_id <= high)
        return found.exists()

    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table).where(~done(), has_text)).scalar_one()
    written = 0
    progress(source, 0, total)
    for low, high in id_ranges(store.engine, table.c.id, BATCH):
        page = query.where(table.c.id > low, table.c.id <= high, has_text, ~done(low, high)).order_by(table.c.id)
        with store.engine.connect() as conn:
            batch = conn.execute(page).all()
        if not batch:
            continue
        results, topic_rows = _results_of(source, batch, 4 + len(rating_cols), models, theme_ids, known)
        with store.writing() as conn:
            written += _write_batch(conn, store.dialect, source, results, topic_rows)
        progress(source, written, max(total, written))
    return written


def _write_batch(conn: sa.Connection, dialect: str, source: str, results: list, topic_rows: list) -> int:
    """Write one batch's results and topics, but not over a text another run (a second
    ``text analyze`` at the same time) analysed since this one read the batch: its rows
    stand, and a race between the look and the insert is settled by ON CONFLICT DO NOTHING.
    Returns the results written."""
    r, tt = s.text_results, s.text_topics
    ids = [x["source_id"] for x in results]
    taken = set(conn.execute(sa.select(r.c.source_id).where(r.c.source == source, r.c.source_id.in_(ids))).scalars())
    results = [x for x in results if x["source_id"] not in taken]
    if not results:
        return 0
    fresh = {x["source_id"] for x in results}
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # A text analysed anew (its result row was removed) drops the topics it had.
    conn.execute(sa.delete(tt).where(tt.c.source == source, tt.c.source_id.in_(sorted(fresh))))
    conn.execute(insert(r).on_conflict_do_nothing(index_elements=["source", "source_id"]), results)
    topic_rows = [x for x in topic_rows if x["source_id"] in fresh]
    if topic_rows:
        keys = ["source", "source_id", "theme_id"]
        conn.execute(insert(tt).on_conflict_do_nothing(index_elements=keys), topic_rows)
    return len(results)


def _results_of(source: str, batch: list, first_text: int, models, theme_ids, known) -> tuple[list, list]:
    """The text_results rows and text_topics rows of one batch of texts."""
    sentiment, topic_model, theme_model = models
    texts = [next((v for v in row[first_text:] if v), None) for row in batch]
    langs = fill_languages(texts, [row[3] for row in batch], known=known)
    pred = sentiment.predict(texts, langs, _rating_labels(source, [row[4:first_text] for row in batch]))
    theme, score, every = _themes_of(texts, langs, topic_model, theme_model)
    request = np.ones(len(batch), bool) if source == "feature_request" else is_feature_request(texts, langs)
    now = _now()
    results = [
        {
            "source": source,
            "source_id": row[0],
            "occurred_at": row[1],
            "customer_id": row[2],
            "language": langs[i],
            "sentiment": str(pred.labels[i]) if texts[i] else None,
            "sentiment_score": float(pred.scores[i]) if texts[i] else None,
            "sentiment_method": str(pred.methods[i]) if texts[i] else None,
            "theme_id": theme_ids.get(int(theme[i])) if theme[i] >= 0 else None,
            "theme_score": float(score[i]) if texts[i] else None,
            "feature_request": bool(request[i]),
            "analyzed_at": now,
            "text_hash": text_hash(texts[i]),
        }
        for i, row in enumerate(batch)
    ]
    # A topic merged into another keeps the text's higher confidence once.
    best: dict[tuple[int, int], float] = {}
    for row, found in zip(batch, every):
        for number, confidence in found:
            if number in theme_ids:
                key = (row[0], theme_ids[number])
                best[key] = max(best.get(key, 0.0), confidence)
    topic_rows = [
        {"source": source, "source_id": sid, "theme_id": tid, "confidence": c} for (sid, tid), c in best.items()
    ]
    return results, topic_rows


def text_hash(text: str | None) -> str | None:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest() if text else None


def forget_changed(store: Store, source: str) -> int:
    """Drop the results (and topics) of texts whose wording changed since they were analysed
    (``import --update`` rewrote them), so that this run analyses them again. Reads each
    analysed text once, :data:`BATCH` at a time, and drops each batch's stale results in a
    short transaction of its own; results from before text hashes were kept are left alone."""
    table, cols, *_ = text_sources()[source]
    r, tt = s.text_results, s.text_topics
    query = (
        sa.select(r.c.id, r.c.source_id, r.c.text_hash, *cols)
        .select_from(r.join(table, table.c.id == r.c.source_id))
        .where(r.c.source == source, r.c.text_hash.is_not(None))
    )
    forgotten = 0
    for low, high in id_ranges(store.engine, table.c.id, BATCH):
        # Both sides bounded to the page's ids: the database joins two slices.
        page = query.where(table.c.id > low, table.c.id <= high, r.c.source_id > low, r.c.source_id <= high)
        with store.engine.connect() as conn:
            batch = conn.execute(page).all()
        stale = [row for row in batch if text_hash(next((v for v in row[3:] if v), None)) != row.text_hash]
        if not stale:
            continue
        with store.writing() as conn:
            conn.execute(sa.delete(tt).where(tt.c.source == source, tt.c.source_id.in_([x.source_id for x in stale])))
            conn.execute(sa.delete(r).where(r.c.id.in_([x.id for x in stale])))
        forgotten += len(stale)
    return forgotten


def _themes_of(texts, langs, topic_model: TopicModel, theme_model: ThemeModel):
    """Per text: theme number (a taxonomy topic, else a discovered theme numbered after the
    topics, else -1), its score, and every topic it carries with its confidence."""
    main, confidence, every = topic_model.assign(texts, langs)
    theme, score = main.copy(), confidence.copy()
    rest = np.flatnonzero(main < 0)
    if len(rest):
        found, similarity = theme_model.assign([texts[i] for i in rest], [langs[i] for i in rest])
        k = len(topic_model.taxonomy.keys)
        theme[rest] = np.where(found >= 0, found + k, -1)
        score[rest] = similarity
    return theme, score, every


def _rating_columns(source: str) -> list:
    """The columns holding the score the text's author gave with it, if any."""
    if source == "response":
        r = s.responses
        return [r.c.score, r.c.scale_min, r.c.scale_max, r.c.metric]
    if source == "mention":
        return [s.mentions.c.rating]
    return []


def _rating_labels(source: str, values: list) -> list[str] | None:
    """Negative / neutral / positive from each row's own score ("" where none)."""
    if source == "response":
        out = []
        for score, lo, hi, metric in values:
            bounds = METRIC_SCALES.get(metric)
            if score is None or bounds is None:
                out.append("")
                continue
            lo, hi = (lo if lo is not None else bounds[0]), (hi if hi is not None else bounds[1])
            out.append(str(labels_from_scores([score], (lo, hi))[0]) if lo <= score <= hi else "")
        return out
    if source == "mention":
        lo, hi = RATING_SCALE
        return [
            str(labels_from_scores([v[0]], (lo, hi))[0]) if v[0] is not None and lo <= v[0] <= hi else ""
            for v in values
        ]
    return None


# -- themes: summaries and edits ------------------------------------------------------------


@dataclass
class ThemeSummary:
    id: int
    name: str
    language: str
    count: int
    share_negative: float
    trend: dict[str, int]  # month -> texts
    examples: list[str]
    pinned: bool
    terms: list[str]
    topic: str | None = None  # the taxonomy key of a topic; None for a discovered theme
    ignored: bool = False


def themes(store: Store, *, months: int = 6, examples: int = 3, include_ignored: bool = False) -> list[ThemeSummary]:
    """Themes with their counts, share of negative texts, monthly trend and examples, largest
    first; themes an admin ignored only with ``include_ignored``."""
    r, t = s.text_results, s.text_themes
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.theme_id, r.c.sentiment, r.c.occurred_at, r.c.source, r.c.source_id, r.c.theme_score).where(
                r.c.theme_id.is_not(None)
            )
        ).all()
        meta = {m.id: m for m in conn.execute(sa.select(t)).all()}
        by_theme: dict[int, list] = {}
        for row in rows:
            by_theme.setdefault(row.theme_id, []).append(row)
        latest = max((row.occurred_at for row in rows if row.occurred_at), default=None)
        out = []
        for theme_id, items in by_theme.items():
            m = meta[theme_id]
            if m.ignored and not include_ignored:
                continue
            trend: dict[str, int] = {}
            if latest:
                for row in items:
                    if row.occurred_at and row.occurred_at > latest - timedelta(days=31 * months):
                        key = row.occurred_at.strftime("%Y-%m")
                        trend[key] = trend.get(key, 0) + 1
            best = sorted(items, key=lambda x: -(x.theme_score or 0))[: examples * 4]
            out.append(
                ThemeSummary(
                    id=theme_id,
                    name=m.name or m.label,
                    language=(m.terms or {}).get("language", ""),
                    count=len(items),
                    share_negative=sum(x.sentiment == "negative" for x in items) / len(items),
                    trend=dict(sorted(trend.items())),
                    examples=_texts_of(conn, best, examples),
                    pinned=bool(m.pinned),
                    terms=[x[0] for x in (m.terms or {}).get("terms", [])[:8]],
                    topic=(m.terms or {}).get("topic"),
                    ignored=bool(m.ignored),
                )
            )
    return sorted(out, key=lambda x: -x.count)


def _texts_of(conn: sa.Connection, rows: list, limit: int) -> list[str]:
    found: list[str] = []
    for row in rows:
        table, cols, *_ = text_sources()[row.source]
        value = conn.execute(sa.select(*cols).where(table.c.id == row.source_id)).first()
        text = next((v for v in value if v), None) if value else None
        if text and text not in found:
            found.append(text)
        if len(found) >= limit:
            break
    return found


def _theme(conn: sa.Connection, theme_id: int):
    row = conn.execute(sa.select(s.text_themes).where(s.text_themes.c.id == theme_id)).first()
    if row is None:
        raise InputError(f"theme {theme_id} does not exist; `cxlens text themes` lists the themes and their ids")
    return row


def rename_theme(store: Store, theme_id: int, name: str) -> None:
    """Show ``name`` instead of the theme's generated label (kept by refits once pinned)."""
    if not name.strip():
        raise InputError("a theme's name cannot be empty")
    with store.begin() as conn:
        _theme(conn, theme_id)
        conn.execute(sa.update(s.text_themes).where(s.text_themes.c.id == theme_id).values(name=name.strip()))


def pin_theme(store: Store, theme_id: int, pinned: bool = True) -> None:
    """A pinned theme keeps its row, name and texts across refits."""
    with store.begin() as conn:
        _theme(conn, theme_id)
        conn.execute(sa.update(s.text_themes).where(s.text_themes.c.id == theme_id).values(pinned=pinned))


def merge_themes(store: Store, theme_id: int, into_id: int) -> int:
    """Merge one theme into another: its texts move over, and texts assigned to it later go
    to the other one too. Returns the number of texts moved."""
    if theme_id == into_id:
        raise InputError(f"cannot merge theme {theme_id} into itself")
    with store.begin() as conn:
        _theme(conn, theme_id)
        _theme(conn, into_id)
        conn.execute(sa.update(s.text_themes).where(s.text_themes.c.id == theme_id).values(merged_into_id=into_id))
        conn.execute(
            sa.update(s.text_themes).where(s.text_themes.c.merged_into_id == theme_id).values(merged_into_id=into_id)
        )
        tt = s.text_topics
        both = (
            sa.select(tt.c.id)
            .where(tt.c.theme_id == into_id, tt.c.source == sa.literal_column("t2.source"))
            .where(tt.c.source_id == sa.literal_column("t2.source_id"))
        )
        t2 = tt.alias("t2")
        already = sa.select(t2.c.id).where(t2.c.theme_id == theme_id, sa.exists(both.where(sa.true())))
        conn.execute(sa.delete(tt).where(tt.c.id.in_(already.scalar_subquery())))
        conn.execute(sa.update(tt).where(tt.c.theme_id == theme_id).values(theme_id=into_id))
        return conn.execute(
            sa.update(s.text_results).where(s.text_results.c.theme_id == theme_id).values(theme_id=into_id)
        ).rowcount


# -- feature requests -----------------------------------------------------------------------


@dataclass
class RequestGroup:
    text: str  # the known request's name, or the first request of the group as written
    count: int  # texts
    requesters: int  # distinct customers
    revenue: float  # their revenue over the last 12 months of the store's history
    trend: dict[str, int]
    feature_request_ids: list[int]  # rows of the feature_requests table in this group
    examples: list[str]


def feature_requests(store: Store, threshold: float = 0.5) -> list[RequestGroup]:
    """Requests found in comments, tickets, mentions and the feature_requests table, grouped
    by the known request they name (across languages) or by near-duplicates, with requesters,
    the revenue behind them and their monthly trend, largest first."""
    r = s.text_results
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.source, r.c.source_id, r.c.customer_id, r.c.occurred_at, r.c.language).where(
                r.c.feature_request
            )
        ).all()
        texts = []
        for source in text_sources():
            table, cols, *_ = text_sources()[source]
            ids = [row.source_id for row in rows if row.source == source]
            found = {}
            for start in range(0, len(ids), 10_000):
                part = ids[start : start + 10_000]
                for v in conn.execute(sa.select(table.c.id, *cols).where(table.c.id.in_(part))):
                    found[v[0]] = next((x for x in v[1:] if x), "")
            texts.extend((source, i, found.get(i, "")) for i in ids)
        by_key = {(src, i): text for src, i, text in texts}
        ordered = [(row, by_key.get((row.source, row.source_id), "")) for row in rows]
        end = conn.execute(sa.select(sa.func.max(s.revenue.c.occurred_at))).scalar()
        revenue_by_customer: dict[int, float] = {}
        if end is not None:
            since = end - timedelta(days=365)
            for cid, amount in conn.execute(
                sa.select(s.revenue.c.customer_id, sa.func.sum(s.revenue.c.amount))
                .where(s.revenue.c.occurred_at > since)
                .group_by(s.revenue.c.customer_id)
            ):
                revenue_by_customer[cid] = float(amount or 0)
    if not ordered:
        return []
    groups = group_requests([text for _, text in ordered], threshold, [row.language for row, _ in ordered])
    names = name_requests([text for _, text in ordered], [row.language for row, _ in ordered])
    out = []
    for g in np.unique(groups):
        members = [ordered[i] for i in np.flatnonzero(groups == g)]
        customers = {row.customer_id for row, _ in members if row.customer_id is not None}
        trend: dict[str, int] = {}
        for row, _ in members:
            if row.occurred_at:
                key = row.occurred_at.strftime("%Y-%m")
                trend[key] = trend.get(key, 0) + 1
        examples = list(dict.fromkeys(text for _, text in members))[:3]
        first = int(np.flatnonzero(groups == g)[0])
        out.append(
            RequestGroup(
                text=names[first] or members[0][1],
                count=len(members),
                requesters=len(customers),
                revenue=round(sum(revenue_by_customer.get(c, 0.0) for c in customers), 2),
                trend=dict(sorted(trend.items())[-12:]),
                feature_request_ids=[row.source_id for row, _ in members if row.source == "feature_request"],
                examples=examples,
            )
        )
    return sorted(out, key=lambda x: (-x.requesters, -x.count))


# -- key drivers and spikes -----------------------------------------------------------------
