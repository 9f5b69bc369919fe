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
from .mle import Fit, fit_positive, per_customer_scaled, weighted_sum

__all__ = [
    "NAMES",
    "BGNBD",
    "Levels",
    "Purchases",
    "levels",
    "expected_purchases",
    "fit_bgnbd",
    "log_likelihood",
    "p_alive",
    "simulate",
]

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


def levels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and each element's index into them: a special function of x (a
    handful of integers) or of an age (one per day) is computed once per value, not per customer."""
    unique, index = np.unique(values, return_inverse=True)
    return unique, index.reshape(-1)


@dataclass(frozen=True)
class Levels:
    """``Purchases`` by distinct value of x, t_x and T (see ``levels``)."""

    x: tuple[np.ndarray, np.ndarray]
    t_x: tuple[np.ndarray, np.ndarray]
    T: tuple[np.ndarray, np.ndarray]
    repeat: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, d: Purchases) -> Levels:
        return cls(levels(d.x), levels(d.t_x), levels(d.T), d.x > 0, d.weight)


def _terms(params: np.ndarray, d: Purchases | Levels):
    """log L's pieces: A₁ + A₂ + log(e^A₃ + [x > 0] e^A₄), each per customer."""
    L = d if isinstance(d, Levels) else Levels.of(d)
    r, alpha, a, b = params
    (ux, xi), (ut, ti), (uT, Ti) = L.x, L.t_x, L.T
    x = ux[xi]
    a1 = (gammaln(r + ux) + betaln(a, b + ux))[xi] - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + uT)[Ti]
    first = np.log(a) - np.log(np.where(ux > 0, b + ux - 1, 1.0))
    a4 = np.where(L.repeat, first[xi] - (r + x) * np.log(alpha + ut)[ti], -np.inf)
    return a1, a3, a4, np.logaddexp(a3, a4)


def log_likelihood(params, frequency, recency, T, weights=None) -> float:
    """Σ log L over customers (weighted), at ``params`` = (r, α, a, b)."""
    d = Purchases.of(frequency, recency, T, weights)
    a1, _, _, tail = _terms(np.asarray(params, dtype=float), d)
    return weighted_sum(d.weight, a1 + tail)


def _objective(d: Purchases):
    L = Levels.of(d)
    w, total = L.weight, L.weight.sum()
    (ux, xi), (ut, ti), (uT, Ti) = L.x, L.t_x, L.T
    x = ux[xi]

    def negative(params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params
        a1, a3, a4, tail = _terms(params, L)
        w3, w4 = np.exp(a3 - tail), np.exp(a4 - tail)  # shares of the two terms of L
        log_T, log_t = np.log(alpha + uT)[Ti], np.log(alpha + ut)[ti]
        inv_T, inv_t = (1 / (alpha + uT))[Ti], (1 / (alpha + ut))[ti]
        psi_ab = digamma(a + b)
        psi_abx = digamma(a + b + ux)
        d_r = (digamma(r + ux) - digamma(r) + np.log(alpha))[xi] - w3 * log_T - w4 * log_t
        d_alpha = r / alpha - (r + x) * (w3 * inv_T + w4 * inv_t)
        d_a = (psi_ab - psi_abx)[xi] + w4 / a
        d_b = (digamma(b + ux) - psi_abx - digamma(b) + psi_ab)[xi] - w4 * (1 / np.where(ux > 0, b + ux - 1, 1.0))[xi]
        grad = np.array([weighted_sum(w, g) for g in (d_r, d_alpha, d_a, d_b)])
        return -weighted_sum(w, a1 + tail) / total, -grad / total  # per customer: scale-free tolerances

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
