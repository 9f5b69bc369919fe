"""From a classifier's scores to labels a reader can trust.

A linear classifier ranks texts well, but its raw scores are not probabilities, and a label
taken from them by a fixed rule ("mixed when both sides reach 0.3") says more about the rule
than about the text. Here every choice is learned on texts the classifier did not see:

* :func:`fit_scaling` turns one-vs-rest scores z into probabilities softmax(a·z + b): one
  temperature a and one bias per class (vector scaling, Guo et al. 2017, "On calibration of
  modern neural networks"), fitted by maximum likelihood on the held-out texts;
* :func:`learn_mixed_threshold` sets the "both sides are strong" threshold for ``mixed`` only
  when the held-out labels contain mixed texts, to the value that maximises macro-F1; with no
  mixed example there is no evidence for one, and the model never says ``mixed`` by rule;
* :func:`combine_with_rating` adds what the customer said with a score: the text's
  probabilities times the rating's likelihood, so a confident text can still override a score
  given by mistake, and a vague one follows the score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .evaluation import evaluate_labels

__all__ = ["RATING_RELIABILITY", "combine_with_rating", "fit_scaling", "learn_mixed_threshold", "softmax"]

# How often a score's own label is the customer's sentiment: the text must be more than 9:1
# sure against it to overrule it.
RATING_RELIABILITY = 0.9


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_scaling(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature ``a`` and per-class bias ``b`` maximising the likelihood of the class
    indices ``y`` under softmax(a·z + b)."""
    from scipy.optimize import minimize

    z = np.asarray(z, dtype=float)
    n, k = z.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = params[0], params[1:]
        logits = a * z + b
        logits = logits - logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        p = np.exp(log_p)
        diff = p - onehot
        grad = np.concatenate(([np.sum(diff * z)], diff.sum(axis=0))) / n
        return -float(np.sum(log_p * onehot)) / n, grad

    start = np.concatenate(([1.0], np.zeros(k)))
    result = minimize(nll, start, jac=True, method="L-BFGS-B", bounds=[(1e-3, 100.0)] + [(-20.0, 20.0)] * k)
    return float(result.x[0]), result.x[1:]


def learn_mixed_threshold(p: np.ndarray, classes: Sequence[str], truth: Sequence[str]) -> float | None:
    """The threshold on min(p_negative, p_positive) above which a text is called ``mixed``,
    chosen on held-out ``truth`` by macro-F1; None when the truth has no mixed text (then
    nothing supports calling any text mixed) or when no threshold beats never calling it."""
    truth = np.asarray(truth, dtype=object).astype(str)
    if "mixed" not in set(truth) or "negative" not in classes or "positive" not in classes:
        return None
    both = np.minimum(p[:, list(classes).index("negative")], p[:, list(classes).index("positive")])
    base = np.asarray(classes, dtype=object)[p.argmax(axis=1)]
    best, best_f1 = None, evaluate_labels(base, truth).macro_f1
    for threshold in np.arange(0.15, 0.5, 0.025):
        labels = np.where(both >= threshold, "mixed", base)
        f1 = evaluate_labels(labels, truth).macro_f1
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(threshold), f1
    return best


def combine_with_rating(
    p: np.ndarray, classes: Sequence[str], rated: Sequence[str], reliability: float = RATING_RELIABILITY
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities after the customer's score: p(c | text) · P(rating | c), where the rating
    says its own label with ``reliability`` and each other label with the rest shared out.
    Returns the new probabilities and which rows had a usable rating."""
    k = len(classes)
    index = {c: i for i, c in enumerate(classes)}
    rated_idx = np.array([index.get(str(r), -1) if r else -1 for r in rated], dtype=np.int64)
    has = rated_idx >= 0
    out = np.array(p, dtype=float, copy=True)
    if has.any() and k > 1:
        likelihood = np.full((int(has.sum()), k), (1 - reliability) / (k - 1))
        likelihood[np.arange(len(likelihood)), rated_idx[has]] = reliability
        combined = out[has] * likelihood
        out[has] = combined / combined.sum(axis=1, keepdims=True)
    return out, has
