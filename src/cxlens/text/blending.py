"""How much the sentiment model trusts its word n-grams against its character n-grams, per language.

Per language, :class:`cxlens.text.sentiment.SentimentModel` averages the probabilities of its
character n-gram model and of a word n-gram model (:class:`cxlens.text.baselines.WordModel`,
TF-IDF + logistic regression). Two things are learned from held-out texts of the language:

* the word model's regularisation (the logistic regression's ``C``): a few hundred texts
  carry little evidence per word, and the textbook ``C = 1`` can be too strong or too weak;
* the word model's share in the average, on a grid from 0 (character n-grams alone) to 1
  (the word model alone).

Both by log-loss, not by accuracy: on a few hundred held-out texts the accuracies of two
close averages differ by a handful of texts, which is noise, while the log-loss uses how
sure each method was and so separates them with fewer texts. Ties go to the stronger
regularisation and to the larger word share (the word model is the textbook baseline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .baselines import WordModel

__all__ = ["WEIGHTS", "WORD_C", "Blend", "choose_blend", "log_loss", "word_models"]

# The logistic regression's inverse regularisation the word model chooses from (1: scikit-learn's default).
WORD_C = (1.0, 3.0, 10.0, 30.0)
# The word model's share in the average of the two models' probabilities.
WEIGHTS = tuple(i / 10 for i in range(11))


@dataclass(frozen=True)
class Blend:
    c: float  # the word model's C
    weight: float  # the word model's share
    log_loss: float  # of the average on the held-out texts


def log_loss(p: np.ndarray, truth: np.ndarray) -> float:
    """Mean negative log-probability of the true class (``truth``: column indices)."""
    if not len(truth):
        return 0.0
    return float(-np.mean(np.log(np.maximum(p[np.arange(len(truth)), truth], 1e-12))))


def choose_blend(chars: np.ndarray, words: Mapping[float, np.ndarray], truth: np.ndarray) -> Blend:
    """The word model's C (by its own log-loss) and its share in the average with ``chars``
    (by the average's log-loss), on held-out texts: ``chars`` and each ``words[c]`` are
    (texts, classes) probabilities, ``truth`` the true classes' column indices."""
    c = min(words, key=lambda k: (round(log_loss(words[k], truth), 9), k))
    losses = {w: log_loss((1 - w) * chars + w * words[c], truth) for w in WEIGHTS}
    weight = min(losses, key=lambda w: (round(losses[w], 9), -w))
    return Blend(float(c), float(weight), losses[weight])


def word_models(
    texts: Sequence[str],
    y: np.ndarray,
    langs: Sequence[str],
    classes: Sequence[str],
    least: int,
    c: Mapping[str, float] | Sequence[float] = (1.0,),
) -> dict[str, dict[float, WordModel]]:
    """Per language with at least ``least`` texts of two labels or more, a word n-gram model
    for each C: ``c`` is either the Cs to fit for every language or one C per language (1 for
    a language it does not name)."""
    out: dict[str, dict[float, WordModel]] = {}
    for lang in sorted(set(langs)):
        rows = [i for i, g in enumerate(langs) if g == lang]
        if len(rows) >= least and len(set(y[rows])) >= 2:
            cs = (c.get(lang, 1.0),) if isinstance(c, Mapping) else tuple(c)
            lang_texts = [texts[i] for i in rows]
            out[lang] = {float(k): WordModel.fit(lang_texts, y[rows], classes, c=k) for k in cs}
    return out
