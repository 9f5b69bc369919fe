"""The results of ``stats``: an estimate with its interval, and a comparison of two groups."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from scipy import stats as sps

from ..errors import InputError

__all__ = ["MIN_N", "Comparison", "Estimate", "z_value"]

MIN_N = 30  # below this an interval is too wide to act on; results say so


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval (``low``..``high``), n and how it was computed."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    confidence: float = 0.95
    label: str = ""
    min_n: int = MIN_N

    @property
    def sufficient(self) -> bool:
        return self.n >= self.min_n

    def summary(self, digits: int | None = None) -> str:
        name = f"{self.label} " if self.label else ""
        if self.value is None:
            return f"{name}no data (n=0)"
        if digits is None:  # shares on 0..1 need more digits than scores and percents
            digits = 3 if all(abs(x) <= 1 for x in (self.value, self.low, self.high)) else 1
        text = (
            f"{name}{self.value:.{digits}f} ({self.confidence:.0%} CI {self.low:.{digits}f} to "
            f"{self.high:.{digits}f}, n={self.n:,}, {self.method})"
        )
        if not self.sufficient:
            text += f"; n < {self.min_n}: too little data to rely on"
        return text

    def to_dict(self) -> dict:
        return asdict(self) | {"sufficient": self.sufficient}

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class Comparison:
    """A difference ``a − b`` with its interval and a two-sided p-value."""

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    n_a: int
    n_b: int
    method: str
    confidence: float = 0.95
    label: str = ""

    @property
    def significant(self) -> bool:
        """True only when the test rejects "no difference" at the interval's level."""
        return self.p_value is not None and self.p_value < 1 - self.confidence

    def summary(self, digits: int | None = None) -> str:
        name = f"{self.label} " if self.label else ""
        if self.difference is None:
            return f"{name}difference: not enough data (n={self.n_a} vs {self.n_b})"
        if digits is None:
            digits = 3 if all(abs(x) <= 1 for x in (self.difference, self.low, self.high)) else 1
        verdict = "significant" if self.significant else "not significant"
        return (
            f"{name}difference {self.difference:+.{digits}f} ({self.confidence:.0%} CI {self.low:+.{digits}f} "
            f"to {self.high:+.{digits}f}, p={self.p_value:.3g}, {verdict}; n={self.n_a:,} vs {self.n_b:,}, {self.method})"
        )

    def to_dict(self) -> dict:
        return asdict(self) | {"significant": self.significant}

    def __str__(self) -> str:
        return self.summary()


def z_value(confidence: float) -> float:
    """The standard normal quantile for a two-sided interval, e.g. 1.95996 for 0.95."""
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1, got {confidence}")
    return float(sps.norm.ppf(1 - (1 - confidence) / 2))
