"""The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma Model of
Monetary Value"; Colombo & Jiang 1999).

Each purchase of a customer is worth z ~ Gamma(p, ν), with ν ~ Gamma(q, γ) across customers, so
a customer with x repeat purchases of mean m̄ has

    f(m̄ | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m̄^(px−1) · x^(px) / (γ + m̄x)^(px+q)

and spends E[Z | m̄, x] = p(γ + m̄x) / (px + q − 1) per purchase in the future. The model
assumes spend does not depend on how often a customer buys; ``spend_frequency_correlation``
is there to check it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from ..errors import InputError
from .bgnbd import levels
from .mle import Fit, fit_positive, per_customer_scaled, weighted_sum

__all__ = [
    "NAMES",
    "GammaGamma",
    "expected_spend",
    "fit_gamma_gamma",
    "log_likelihood",
    "simulate",
    "spend_frequency_correlation",
]

NAMES = ("p", "q", "v")


def _data(frequency, monetary, weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if not (x.shape == m.shape == w.shape):
        raise InputError("frequency, monetary value (and weights) must be equal-length lists")
    bad = (x <= 0) | (m <= 0) | ~np.isfinite(x + m)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"Gamma-Gamma needs customers with repeat purchases of positive value: row {i} has "
            f"frequency={x[i]:g}, monetary value={m[i]:g}"
        )
    return x, m, w


def _terms(params, x, m, levels_of_x=None):
    p, q, v = params
    ux, xi = levels_of_x or levels(x)
    log_m = np.log(m)
    return (
        (gammaln(p * ux + q) - gammaln(p * ux) + p * ux * np.log(ux))[xi] - gammaln(q) + q * np.log(v)
        + (p * x - 1) * log_m - (p * x + q) * np.log(v + m * x)
    )  # fmt: skip


def log_likelihood(params, frequency, monetary, weights=None) -> float:
    x, m, w = _data(frequency, monetary, weights)
    return weighted_sum(w, _terms(np.asarray(params, dtype=float), x, m))


def _objective(x, m, w):
    total = w.sum()
    ux, xi = by_x = levels(x)
    log_m, log_x, mx = np.log(m), np.log(ux)[xi], m * x

    def negative(params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, v = params
        psi = digamma(p * ux + q)[xi]
        log_vm = np.log(v + mx)
        d_p = x * (psi - digamma(p * ux)[xi] + log_m + log_x - log_vm)
        d_q = psi - digamma(q) + np.log(v) - log_vm
        d_v = q / v - (p * x + q) / (v + mx)
        grad = np.array([weighted_sum(w, g) for g in (d_p, d_q, d_v)])
        return -weighted_sum(w, _terms(params, x, m, by_x)) / total, -grad / total

    return negative


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma model: p, q, v (the paper's γ) with standard errors."""

    fit: Fit

    @property
    def params(self) -> dict[str, float]:
        return self.fit.params

    def vector(self) -> np.ndarray:
        return self.fit.vector()


def fit_gamma_gamma(frequency, monetary, weights=None, *, start=None) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma from repeat buyers' frequency and mean spend."""
    x, m, w = _data(frequency, monetary, weights)
    if w.sum() < 3:
        raise InputError("Gamma-Gamma needs at least 3 customers with repeat purchases")
    if start is None:  # γ is on the currency's scale
        start = (1.0, 2.0, float(np.average(m, weights=w)))
    fit = fit_positive(_objective(x, m, w), start, NAMES, int(w.sum()))
    return GammaGamma(per_customer_scaled(fit, w.sum()))


def expected_spend(params, frequency, monetary) -> np.ndarray:
    """E[spend per future purchase | m̄, x] = p(γ + m̄x)/(px + q − 1); the population mean
    pγ/(q − 1) for customers without repeat purchases (x = 0)."""
    p, q, v = params
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    m = np.where(x > 0, m, 0.0)
    return p * (v + m * x) / (p * x + q - 1)


def simulate(params, frequency, rng: np.random.Generator) -> np.ndarray:
    """Mean spend of customers with ``frequency`` repeat purchases drawn from the model (for
    the parametric bootstrap): ν ~ Gamma(q, rate γ), the mean of x draws of Gamma(p, rate ν)."""
    p, q, v = params
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1 / v, size=len(x))
    return rng.gamma(p * x, 1 / (nu * x))


def spend_frequency_correlation(frequency, monetary) -> float:
    """Pearson correlation of repeat buyers' frequency and mean spend: near 0 is what the
    model assumes (Fader & Hardie report 0.11 on CDNOW)."""
    x, m, _ = _data(frequency, monetary)
    return float(np.corrcoef(x, m)[0, 1])
