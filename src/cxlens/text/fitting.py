"""The text models fitted on the store's texts, and kept in it (``text_models``).

``fit_sentiment`` learns from the store's rated comments and keeps its held-out evaluation
with the model (``text_models.metrics``). The held-out part is split by distinct text: a
comment written word for word by several customers is either all in training or all in the
test, so the figures say how the model does on wording it has not seen. ``fit_themes`` finds
the themes of the comments, ticket texts and mentions; pinned themes keep their rows.
``text_sources`` says where the store keeps texts, for these fits and for analysis.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np
import sqlalchemy as sa

from ..store import Store
from ..store import schema as s
from .language import detect_languages
from .sentiment import SentimentModel, evaluate_labels, labels_from_scores, vader_predict
from .themes import ThemeModel

__all__ = [
    "HOLDOUT",
    "METRIC_SCALES",
    "Progress",
    "fill_languages",
    "fit_sentiment",
    "fit_themes",
    "latest_model",
    "model_age_days",
    "text_sources",
]


def _now() -> datetime:
    return datetime.now(timezone.utc)


Progress = Callable[[str, int, int], None]
HOLDOUT = 0.2
METRIC_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def text_sources() -> dict[str, tuple[sa.Table, list[sa.Column], sa.Column, sa.Column | None, sa.Column | None]]:
    """source -> (table, text columns (first non-empty wins), time, customer, language)."""
    return {
        "response": (
            s.responses,
            [s.responses.c.comment],
            s.responses.c.submitted_at,
            s.responses.c.customer_id,
            s.responses.c.language,
        ),
        "ticket": (
            s.tickets,
            [s.tickets.c.text, s.tickets.c.subject],
            s.tickets.c.created_at,
            s.tickets.c.customer_id,
            s.tickets.c.language,
        ),
        "mention": (
            s.mentions,
            [s.mentions.c.text],
            s.mentions.c.posted_at,
            s.mentions.c.customer_id,
            s.mentions.c.language,
        ),
        "feature_request": (
            s.feature_requests,
            [s.feature_requests.c.text],
            s.feature_requests.c.created_at,
            s.feature_requests.c.customer_id,
            None,
        ),
    }


# -- models ---------------------------------------------------------------------------------


def model_age_days(conn: sa.Connection) -> float:
    """Days since the newest sentiment model was fitted (infinite when there is none)."""
    t = s.text_models
    created = conn.execute(sa.select(sa.func.max(t.c.created_at)).where(t.c.kind == "sentiment")).scalar()
    if created is None:
        return float("inf")
    if isinstance(created, str):  # SQLite hands an aggregate back as text
        created = datetime.fromisoformat(created)
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return (_now() - created).total_seconds() / 86400


def latest_model(conn: sa.Connection, kind: str) -> tuple[int, bytes, dict] | None:
    t = s.text_models
    row = conn.execute(
        sa.select(t.c.id, t.c.data, t.c.metrics).where(t.c.kind == kind).order_by(t.c.id.desc()).limit(1)
    ).first()
    return (row.id, row.data, row.metrics or {}) if row else None


def _rated_comments(conn: sa.Connection) -> tuple[list[str], np.ndarray, list[str | None]]:
    r = s.responses
    rows = conn.execute(
        sa.select(r.c.comment, r.c.score, r.c.scale_min, r.c.scale_max, r.c.metric, r.c.language)
        .where(r.c.comment.is_not(None), r.c.score.is_not(None), r.c.metric.in_(list(METRIC_SCALES)))
        .order_by(r.c.id)
    ).all()
    texts = [row.comment for row in rows]
    lo = np.array([row.scale_min if row.scale_min is not None else METRIC_SCALES[row.metric][0] for row in rows], float)
    hi = np.array([row.scale_max if row.scale_max is not None else METRIC_SCALES[row.metric][1] for row in rows], float)
    labels = labels_from_scores([row.score for row in rows], (lo, hi)) if rows else np.zeros(0, object)
    return texts, labels, [row.language for row in rows]


def _held_out(texts: list[str]) -> np.ndarray:
    """True for texts in the test part: by a hash of the text, so copies stay together."""
    return np.array(
        [int(hashlib.blake2b(t.encode(), digest_size=4).hexdigest(), 16) % 1000 < HOLDOUT * 1000 for t in texts], bool
    )


def fit_sentiment(store: Store, progress: Progress | None = None) -> tuple[SentimentModel, dict[str, Any]]:
    """Fit the sentiment model on the store's rated comments, evaluate it on a held-out fifth
    (by distinct text; per language; VADER on the same English texts), refit on everything,
    and store it. Returns the model and its evaluation."""
    progress = progress or (lambda *a: None)
    with store.engine.connect() as conn:
        texts, labels, langs = _rated_comments(conn)
    progress("sentiment", 0, 3)
    test = _held_out(texts)
    train_idx, test_idx = np.flatnonzero(~test), np.flatnonzero(test)
    probe = SentimentModel().fit([texts[i] for i in train_idx], labels[train_idx])
    metrics: dict[str, Any] = {"n_rated_comments": len(texts), "split": "20% held out by distinct text"}
    if len(test_idx):
        test_texts = [texts[i] for i in test_idx]
        groups = [langs[i] or "?" for i in test_idx]
        metrics["heldout"] = probe.evaluate(test_texts, labels[test_idx], groups).as_dict()
        metrics["heldout"]["method"] = "model" if probe.fitted else "vader"
        en = [j for j, g in enumerate(groups) if g == "en"]
        if en:
            vader = vader_predict([test_texts[j] for j in en])
            metrics["vader_english"] = evaluate_labels(vader.labels, labels[test_idx][en]).as_dict()
    progress("sentiment", 1, 3)
    model = SentimentModel().fit(texts, labels)
    progress("sentiment", 2, 3)
    with store.begin() as conn:
        conn.execute(
            sa.insert(s.text_models).values(
                kind="sentiment", created_at=_now(), n_texts=model.n_texts, metrics=metrics, data=model.to_bytes()
            )
        )
    progress("sentiment", 3, 3)
    return model, metrics


def _all_texts(conn: sa.Connection) -> tuple[list[str], list[str | None]]:
    texts, langs = [], []
    for source, (table, cols, _, _, lang) in text_sources().items():
        if source == "feature_request":
            continue
        for row in conn.execute(sa.select(*cols, lang if lang is not None else sa.null())):
            text = next((v for v in row[: len(cols)] if v), None)
            if text:
                texts.append(text)
                langs.append(row[-1])
    return texts, langs


def fit_themes(store: Store, progress: Progress | None = None, themes_per_language: int = 12) -> ThemeModel:
    """Find themes in the store's comments, ticket texts and mentions, and store them.
    Pinned themes keep their rows: a new theme of the same language sharing two of its top
    three terms with a pinned one becomes that one."""
    progress = progress or (lambda *a: None)
    progress("themes", 0, 1)
    with store.engine.connect() as conn:
        texts, langs = _all_texts(conn)
    langs = fill_languages(texts, langs, store)
    model = ThemeModel(themes_per_language=themes_per_language).fit(texts, langs)
    t = s.text_themes
    with store.begin() as conn:
        model_id = conn.execute(
            sa.insert(s.text_models)
            .values(
                kind="themes",
                created_at=_now(),
                n_texts=len(texts),
                metrics={"themes": len(model.themes)},
                data=model.to_bytes(),
            )
            .returning(s.text_models.c.id)
        ).scalar_one()
        pinned = conn.execute(sa.select(t.c.id, t.c.terms).where(t.c.pinned)).all()
        for theme in model.themes:
            top = {term for term, _ in theme.terms[:3]}
            match = next(
                (
                    p.id
                    for p in pinned
                    if (p.terms or {}).get("language") == theme.language
                    and len(top & {x for x, _ in (p.terms or {}).get("terms", [])[:3]}) >= 2
                ),
                None,
            )
            terms = {"language": theme.language, "terms": [list(x) for x in theme.terms]}
            if match is not None:
                conn.execute(
                    sa.update(t)
                    .where(t.c.id == match)
                    .values(model_id=model_id, number=theme.number, label=theme.label, terms=terms)
                )
            else:
                conn.execute(
                    sa.insert(t).values(
                        model_id=model_id, number=theme.number, label=theme.label, terms=terms, created_at=_now()
                    )
                )
    progress("themes", 1, 1)
    return model


def fill_languages(
    texts: list[str], langs: list[str | None], store: Store | None = None, known: list[str] | None = None
) -> list[str | None]:
    missing = [i for i, lang in enumerate(langs) if not lang]
    if not missing:
        return langs
    candidates = known or sorted({lang for lang in langs if lang}) or None
    found = detect_languages([texts[i] for i in missing], candidates if candidates and len(candidates) >= 2 else None)
    out = list(langs)
    for i, lang in zip(missing, found):
        out[i] = lang
    return out
