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

import numpy as np

__all__ = ["tfidf_logistic"]

_SPACELESS = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def tfidf_logistic(texts: Sequence[str], labels: Sequence[str]) -> Callable[[Sequence[str]], np.ndarray]:
    """Fit the baseline on ``texts`` and ``labels``; returns a function labelling texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    spaceless = sum(bool(_SPACELESS.search(t or "")) for t in texts) > len(texts) / 2
    vectorizer = (
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
        if spaceless
        else TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    )
    pipeline = make_pipeline(vectorizer, LogisticRegression(max_iter=1000))
    pipeline.fit([t or "" for t in texts], np.asarray(labels, dtype=object).astype(str))
    return lambda new: pipeline.predict([t or "" for t in new]).astype(object)
