"""The text models fitted on the store's texts, and kept in it (``text_models``).

``fit_sentiment`` learns from the store's rated comments and keeps its held-out evaluation
with the model (``text_models.metrics``). The held-out part is split by distinct text: a
comment written word for word by several customers is either all in training or all in the
test, so the figures say how the model does on wording it has not seen. ``fit_themes`` finds
the themes of the comments, ticket texts and mentions; pinned themes keep their rows.
``text_sources`` says where the store keeps texts, for these fits and for analysis.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np
import sqlalchemy as sa

from ..store import Store
from ..store import schema as s
from .baselines import tfidf_logistic
from .language import detect_languages
from .sampling import Stratified, sample
from .sentiment import SentimentModel, evaluate_labels, held_out, labels_from_scores, vader_predict
from .themes import ThemeModel
from .topics import TopicModel

__all__ = [
    "HOLDOUT",
    "METRIC_SCALES",
    "Progress",
    "RATING_SCALE",
    "READ_BATCH",
    "SAMPLE_CAP",
    "fill_languages",
    "fit_sentiment",
    "fit_themes",
    "held_out_figures",
    "latest_model",
    "rated_texts",
    "model_age_days",
    "text_sources",
]


def _now() -> datetime:
    return datetime.now(timezone.utc)


Progress = Callable[[str, int, int], None]
# A fit reads at most this many texts, however large the store: a sample stratified by source
# and language, so a language with few texts keeps all of them (sampling.py). The memory a fit
# of 200,000 texts takes is not measured yet (bench/memory.py analyze).
SAMPLE_CAP = 200_000
READ_BATCH = 20_000  # rows per page when reading texts
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


RATING_SCALE = (1, 5)  # review stars


def _rated_parts() -> list[Stratified]:
    r, m = s.responses, s.mentions
    comments = sa.select(r.c.id, r.c.comment, r.c.score, r.c.scale_min, r.c.scale_max, r.c.metric, r.c.language).where(
        r.c.comment.is_not(None), r.c.score.is_not(None), r.c.metric.in_(list(METRIC_SCALES))
    )
    reviews = sa.select(m.c.id, m.c.text, m.c.rating, m.c.language).where(
        m.c.text.is_not(None), m.c.rating.between(*RATING_SCALE)
    )
    return [
        Stratified("response", comments, r.c.id, r.c.language),
        Stratified("mention", reviews, m.c.id, m.c.language),
    ]


def rated_texts(store: Store, cap: int | None = None) -> tuple[list[str], np.ndarray, list[str | None]]:
    """Texts whose author gave a score: survey comments (by their scale) and reviews with a
    star rating (1–5); with the label each score says and the text's language. At most
    ``cap`` (default :data:`SAMPLE_CAP`) of them, stratified by source and language
    (:func:`cxlens.text.sampling.sample`): all of them when the store holds no more."""
    return _rated(store, cap)[:3]


def _rated(store: Store, cap: int | None = None) -> tuple[list[str], np.ndarray, list[str | None], int]:
    found = sample(store.engine, _rated_parts(), SAMPLE_CAP if cap is None else cap, READ_BATCH)
    rows, reviews = found.rows["response"], found.rows["mention"]
    texts = [row.comment for row in rows]
    lo = [row.scale_min if row.scale_min is not None else METRIC_SCALES[row.metric][0] for row in rows]
    hi = [row.scale_max if row.scale_max is not None else METRIC_SCALES[row.metric][1] for row in rows]
    scores = [row.score for row in rows]
    langs = [row.language for row in rows]
    texts += [row.text for row in reviews]
    scores += [row.rating for row in reviews]
    lo += [RATING_SCALE[0]] * len(reviews)
    hi += [RATING_SCALE[1]] * len(reviews)
    langs += [row.language for row in reviews]
    labels = labels_from_scores(scores, (np.array(lo, float), np.array(hi, float))) if texts else np.zeros(0, object)
    return texts, labels, langs, found.population


def fit_sentiment(store: Store, progress: Progress | None = None) -> tuple[SentimentModel, dict[str, Any]]:
    """Fit the sentiment model on the store's rated texts, evaluate it on a held-out fifth
    (by distinct text; per language; against VADER and the TF-IDF baseline on the same
    texts), refit on everything, and store it. Returns the model and its evaluation."""
    progress = progress or (lambda *a: None)
    texts, labels, langs, population = _rated(store)
    langs = fill_languages(texts, langs)
    progress("sentiment", 0, 3)
    test = held_out(texts, HOLDOUT, salt="evaluation")
    train_idx, test_idx = np.flatnonzero(~test), np.flatnonzero(test)
    train_langs = [langs[i] for i in train_idx]
    probe = SentimentModel().fit([texts[i] for i in train_idx], labels[train_idx], languages=train_langs)
    metrics: dict[str, Any] = {"n_rated_comments": len(texts), "split": "20% held out by distinct text"}
    if population > len(texts):
        metrics["n_rated_in_store"] = population  # the fit read a sample of them
    if len(test_idx):
        metrics |= held_out_figures(
            probe,
            ([texts[i] for i in train_idx], labels[train_idx], train_langs),
            ([texts[i] for i in test_idx], labels[test_idx], [langs[i] or "?" for i in test_idx]),
        )
    progress("sentiment", 1, 3)
    model = SentimentModel().fit(texts, labels, languages=langs)
    metrics["lexicon_languages"] = list(model.lexicon_languages)
    metrics["selection"] = model.selection
    progress("sentiment", 2, 3)
    with store.begin() as conn:
        conn.execute(
            sa.insert(s.text_models).values(
                kind="sentiment", created_at=_now(), n_texts=model.n_texts, metrics=metrics, data=model.to_bytes()
            )
        )
    progress("sentiment", 3, 3)
    return model, metrics


def held_out_figures(model: SentimentModel, train: tuple, test: tuple) -> dict[str, Any]:
    """Accuracy and macro-F1 on the held-out texts, overall and per language: of the model as
    it labels (its per-language choice included), of VADER, and of the TF-IDF baseline fitted
    per language on the same training texts."""
    texts, truth, groups = test
    out: dict[str, Any] = {}
    out["heldout"] = model.evaluate(texts, truth, groups, languages=groups).as_dict()
    out["heldout"]["method"] = "model" if model.fitted else "vader"
    out["vader"] = evaluate_labels(vader_predict(texts).labels, truth, groups).as_dict()
    en = [j for j, g in enumerate(groups) if g == "en"]
    if en:
        out["vader_english"] = out["vader"]["groups"]["en"]
    baseline = np.empty(len(texts), dtype=object)
    train_texts, train_labels, train_groups = train
    for lang in sorted(set(groups)):
        rows = [j for j, g in enumerate(groups) if g == lang]
        fit_rows = [i for i, g in enumerate(train_groups) if (g or "?") == lang]
        if len({str(train_labels[i]) for i in fit_rows}) < 2:
            baseline[rows] = "neutral"
            continue
        predict = tfidf_logistic([train_texts[i] for i in fit_rows], [train_labels[i] for i in fit_rows])
        baseline[rows] = predict([texts[j] for j in rows])
    out["tfidf_baseline"] = evaluate_labels(baseline, truth, groups).as_dict()
    return out


def _theme_parts() -> list[Stratified]:
    parts = []
    for source, (table, cols, _, _, lang) in text_sources().items():
        if source == "feature_request":
            continue
        has_text = sa.or_(*[sa.and_(c.is_not(None), c != "") for c in cols])
        parts.append(Stratified(source, sa.select(table.c.id, *cols, lang).where(has_text), table.c.id, lang))
    return parts


def _theme_texts(store: Store) -> tuple[list[str], list[str | None], int]:
    """The comments, ticket texts and mentions themes are fitted on, with their languages (at
    most :data:`SAMPLE_CAP`, stratified by source and language), and how many the store has."""
    found = sample(store.engine, _theme_parts(), SAMPLE_CAP, READ_BATCH)
    texts, langs = [], []
    for rows in found.rows.values():
        for row in rows:  # id, the text columns (the first non-empty wins), language, stratum
            texts.append(next(v for v in row[1:-2] if v))
            langs.append(row[-2])
    return texts, langs, found.population


def fit_themes(
    store: Store, progress: Progress | None = None, themes_per_language: int = 12
) -> tuple[TopicModel, ThemeModel]:
    """Fit the taxonomy's topics on the store's comments, ticket texts and mentions, then find
    themes among the texts no topic takes, and store both. Topics are themes numbered by
    their place in the taxonomy; discovered themes follow them. Pinned themes keep their rows:
    a topic of the same key, or a discovered theme of the same language sharing two of its
    top three terms, becomes that one."""
    progress = progress or (lambda *a: None)
    progress("themes", 0, 1)
    texts, langs, population = _theme_texts(store)
    langs = fill_languages(texts, langs, store)
    topics = TopicModel().fit(texts, langs)
    main = topics.assign(texts, langs)[0] if texts else np.zeros(0, np.int64)
    rest = np.flatnonzero(main < 0)
    model = ThemeModel(themes_per_language=themes_per_language).fit([texts[i] for i in rest], [langs[i] for i in rest])
    k = len(topics.taxonomy.keys)
    rows = [
        (i, topics.taxonomy.names[key], {"topic": key, "language": "*", "terms": _seed_terms(topics, key)})
        for i, key in enumerate(topics.taxonomy.keys)
    ] + [(k + t.number, t.label, {"language": t.language, "terms": [list(x) for x in t.terms]}) for t in model.themes]
    with store.begin() as conn:
        model_id = None
        for kind, data in (("topics", topics.to_bytes()), ("themes", model.to_bytes())):
            model_id = conn.execute(
                sa.insert(s.text_models)
                .values(
                    kind=kind,
                    created_at=_now(),
                    n_texts=len(texts),
                    metrics={
                        "topics": k,
                        "seed_counts": topics.seed_counts,
                        "themes": len(model.themes),
                        "n_texts_in_store": population,
                    },
                    data=data,
                )
                .returning(s.text_models.c.id)
            ).scalar_one()
        _store_themes(conn, model_id, rows)
    progress("themes", 1, 1)
    return topics, model


def _seed_terms(topics: TopicModel, key: str) -> list[list]:
    by_lang = topics.taxonomy.phrases[key]
    first = by_lang.get("en") or next(iter(by_lang.values()))
    return [[seed, 1.0] for seed in first[:8]]


def _store_themes(conn: sa.Connection, model_id: int, rows: list[tuple[int, str, dict]]) -> None:
    t = s.text_themes
    pinned = conn.execute(sa.select(t.c.id, t.c.terms).where(t.c.pinned)).all()
    for number, label, terms in rows:
        match = next((p.id for p in pinned if _same_theme(p.terms or {}, terms)), None)
        if match is not None:
            conn.execute(
                sa.update(t).where(t.c.id == match).values(model_id=model_id, number=number, label=label, terms=terms)
            )
        else:
            conn.execute(
                sa.insert(t).values(model_id=model_id, number=number, label=label, terms=terms, created_at=_now())
            )


def _same_theme(pinned: dict, new: dict) -> bool:
    if new.get("topic") or pinned.get("topic"):
        return new.get("topic") == pinned.get("topic")
    top = {term for term, _ in new["terms"][:3]}
    return pinned.get("language") == new.get("language") and len(top & {x for x, _ in pinned.get("terms", [])[:3]}) >= 2


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
