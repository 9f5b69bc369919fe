"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the
easy way", Marketing Science 24(2)).

While alive, a customer buys at rate λ ~ Gamma(r, α); after each purchase they drop out with
probability p ~ Beta(a, b). From each customer's frequency x (repeat purchases), recency t_x
(time of the last one since the first) and age T (time since the first), the likelihood is

    L = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^(r+x))
        + [x > 0] · B(a+1, b+x−1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+t_x)^(r+x))    (paper, eq. 6)

Time is in whatever unit the data use (CDNOW: weeks; the store: days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from ..errors import InputError
from .mle import Fit, fit_positive, per_customer_scaled

__all__ = ["NAMES", "BGNBD", "expected_purchases", "fit_bgnbd", "log_likelihood", "p_alive", "simulate"]

NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class Purchases:
    """Per customer: frequency x, recency t_x, age T, and how many identical customers a row is."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, frequency, recency, T, weights=None) -> Purchases:
        x = np.asarray(frequency, dtype=float)
        t_x, age = np.asarray(recency, dtype=float), np.asarray(T, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        if not (x.shape == t_x.shape == age.shape == w.shape) or x.ndim != 1:
            raise InputError("frequency, recency, T (and weights) must be equal-length lists")
        _check(x, t_x, age)
        return cls(x, t_x, age, w)


def _check(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    problems = [
        ("frequency must be a whole number ≥ 0", (x < 0) | (x != np.floor(x))),
        ("recency must be between 0 and T", (t_x < 0) | (t_x > T + 1e-9)),
        ("recency must be 0 when frequency is 0", (x == 0) & (t_x != 0)),
        ("values must be finite", ~np.isfinite(x + t_x + T)),
    ]
    for message, bad in problems:
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"{message}: row {i} has frequency={x[i]:g}, recency={t_x[i]:g}, T={T[i]:g}")


def _terms(params: np.ndarray, d: Purchases):
    r, alpha, a, b = params
    x, t_x, T = d.x, d.t_x, d.T
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x), -np.inf)
    tail = np.logaddexp(a3, a4)
    return a1, a2, a3, a4, tail


def log_likelihood(params, frequency, recency, T, weights=None) -> float:
    """Σ log L over customers (weighted), at ``params`` = (r, α, a, b)."""
    d = Purchases.of(frequency, recency, T, weights)
    a1, a2, _, _, tail = _terms(np.asarray(params, dtype=float), d)
    return float(np.sum(d.weight * (a1 + a2 + tail)))


def _objective(d: Purchases):
    total = d.weight.sum()

    def negative(params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params
        x, t_x, T, w = d.x, d.t_x, d.T, d.weight
        a1, a2, a3, a4, tail = _terms(params, d)
        w3, w4 = np.exp(a3 - tail), np.exp(a4 - tail)  # shares of the two terms of L
        psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
        d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
        d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
        d_a = psi_ab - psi_abx + w4 / a
        d_b = digamma(b + x) - psi_abx - digamma(b) + psi_ab - w4 / np.where(x > 0, b + x - 1, 1.0)
        grad = np.array([np.dot(w, g) for g in (d_r, d_alpha, d_a, d_b)])
        value = np.dot(w, a1 + a2 + tail)
        return -value / total, -grad / total  # per customer: the optimiser's tolerances are scale-free

    return negative


@dataclass(frozen=True)
class BGNBD:
    """A fitted BG/NBD model: r, α, a, b with standard errors and the log-likelihood."""

    fit: Fit

    @property
    def params(self) -> dict[str, float]:
        return self.fit.params

    def vector(self) -> np.ndarray:
        return self.fit.vector()


def fit_bgnbd(frequency, recency, T, weights=None, *, start=None) -> BGNBD:
    """Maximum-likelihood BG/NBD from per-customer frequency, recency and age (one time unit);
    ``start`` = (r, α, a, b) to begin from (a bootstrap starts from the fit it resamples)."""
    d = Purchases.of(frequency, recency, T, weights)
    if d.weight.sum() < 4 or not (d.x > 0).any():
        raise InputError("BG/NBD needs at least 4 customers and some repeat purchases")
    if start is None:  # α is on the data's time scale: begin near a tenth of the typical age
        start = (1.0, (float(np.average(d.T, weights=d.weight)) or 10.0) / 10, 1.0, 1.0)
    fit = fit_positive(_objective(d), start, NAMES, int(d.weight.sum()))
    total = d.weight.sum()
    return BGNBD(per_customer_scaled(fit, total))


def p_alive(params, frequency, recency, T) -> np.ndarray:
    """P(still alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    odds = np.where(
        x > 0,
        a / np.where(x > 0, b + x - 1, 1.0) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x))),
        0.0,
    )
    return 1 / (1 + odds)


def expected_purchases(params, t, frequency, recency, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T] (paper, eq. 10):

    (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    t = np.asarray(t, dtype=float)
    z = t / (alpha + T + t)
    ratio = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    body = (a + b + x - 1) / (a - 1) * (1 - ratio * hyp2f1(r + x, b + x, a + b + x - 1, z))
    return body * p_alive(params, x, t_x, T)


def simulate(params, T, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Frequency and recency of customers of ages ``T`` drawn from the model (for the
    parametric bootstrap): λ ~ Gamma(r, 1/α), p ~ Beta(a, b), purchases a Poisson process that
    stops after each purchase with probability p."""
    r, alpha, a, b = params
    T = np.asarray(T, dtype=float)
    lam = rng.gamma(r, 1 / alpha, size=len(T))
    p = rng.beta(a, b, size=len(T))
    x, t_x, now = np.zeros(len(T)), np.zeros(len(T)), np.zeros(len(T))
    active = np.ones(len(T), dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1 / np.maximum(lam[idx], 1e-300))
        bought = now[idx] <= T[idx]
        hit = idx[bought]
        x[hit] += 1
        t_x[hit] = now[hit]
        active[idx[~bought]] = False
        active[hit[rng.random(len(hit)) < p[hit]]] = False
    return x, t_x
