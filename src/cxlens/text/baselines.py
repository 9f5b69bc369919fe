"""The baseline a sentiment model must beat: TF-IDF features and a logistic regression.

This is the textbook method (scikit-learn's TfidfVectorizer and LogisticRegression): word
unigrams and bigrams, or, for text written without spaces between words (Chinese, Japanese,
Thai), character unigrams and bigrams. :func:`cxlens.text.fitting.fit_sentiment` reports it
beside cxlens's model and VADER on the same held-out texts, so that a store's own figures
say whether the model is worth having.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["WordModel", "tfidf_logistic"]

_SPACELESS = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _spaceless(texts: Sequence[str | None]) -> bool:
    return sum(bool(_SPACELESS.search(t or "")) for t in texts) > len(texts) / 2


def _vectorizer(char: bool):
    from sklearn.feature_extraction.text import TfidfVectorizer

    if char:
        return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)


def tfidf_logistic(texts: Sequence[str], labels: Sequence[str]) -> Callable[[Sequence[str]], np.ndarray]:
    """Fit the baseline on ``texts`` and ``labels``; returns a function labelling texts."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = _vectorizer(_spaceless(texts))
    pipeline = make_pipeline(vectorizer, LogisticRegression(max_iter=1000))
    pipeline.fit([t or "" for t in texts], np.asarray(labels, dtype=object).astype(str))
    return lambda new: pipeline.predict([t or "" for t in new]).astype(object)


@dataclass
class WordModel:
    """The baseline as a model the sentiment model can hand a language to when it did better
    on that language's held-out texts (word n-grams see what character n-grams split).

    Kept as plain arrays and a term list, not a pickled scikit-learn object, so that a stored
    model is data: probabilities are the logistic regression's over TF-IDF of the same
    n-grams (sublinear tf, smoothed idf, l2 norm, as ``TfidfVectorizer``)."""

    classes: tuple[str, ...]  # the columns of :meth:`probabilities`
    terms: list[str]
    idf: np.ndarray
    coef: np.ndarray  # (classes, terms)
    intercept: np.ndarray
    char: bool

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], classes: Sequence[str], c: float = 1.0) -> WordModel:
        """Fit on ``texts`` and ``labels``; ``classes`` orders the probability columns (a
        class no text carries gets probability 0). ``c`` is the logistic regression's inverse
        regularisation (1, scikit-learn's default, is the baseline)."""
        from sklearn.linear_model import LogisticRegression

        char = _spaceless(texts)
        vectorizer = _vectorizer(char)
        X = vectorizer.fit_transform([t or "" for t in texts])
        y = np.asarray(labels, dtype=object).astype(str)
        lr = LogisticRegression(C=c, max_iter=1000).fit(X, y)
        coef = np.zeros((len(classes), X.shape[1]))
        intercept = np.full(len(classes), -1e9)  # a class never seen is never said
        if len(lr.classes_) == 2:  # one decision function: softmax over (0, z) is sigmoid(z)
            first, second = (list(classes).index(c) for c in lr.classes_)
            coef[second], intercept[second], intercept[first] = lr.coef_[0], lr.intercept_[0], 0.0
        else:
            for row, c in enumerate(lr.classes_):
                coef[list(classes).index(c)], intercept[list(classes).index(c)] = lr.coef_[row], lr.intercept_[row]
        terms = [t for t, _ in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])]
        return cls(tuple(classes), terms, vectorizer.idf_.astype(float), coef, intercept, char)

    def probabilities(self, texts: Sequence[str | None]) -> np.ndarray:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize

        counts = CountVectorizer(
            vocabulary=self.terms, analyzer="char" if self.char else "word", ngram_range=(1, 2)
        ).transform([t or "" for t in texts])
        counts = counts.astype(float)
        counts.data = 1 + np.log(counts.data)
        X = normalize(counts.multiply(self.idf[None, :]).tocsr())
        z = X @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
