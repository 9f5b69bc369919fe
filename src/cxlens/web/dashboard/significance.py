"""Which changes and targets a page flags as significant: Benjamini–Hochberg over the slices the
page shows (DESIGN.md §5), at the false-discovery rate q that alerting uses.

A page that tests twenty slices at p < 0.05 flags one of them on average when nothing changed;
so the Explorer's rows, the Overview's tiles and the journey map's targets are corrected
together, each page over what it shows, and the page says so in a footnote. The KPI rows' own
``significant`` (their test alone, what the API returns) is left as it is: a page reads
``fdr_significant`` and shows ``q_value`` beside ``p_value``
(:func:`cxlens.analytics.detection.fdr_rows`).
"""

from __future__ import annotations

from ...alerts.rules import DEFAULT_Q
from ...alerts.settings import read_setting
from ...analytics.detection import fdr_rows, target_p_value

__all__ = ["fdr_rows", "footnote", "page_q", "target_p_value"]


def page_q(store) -> float:
    """The false-discovery rate the journeys file set for alerting (``alerts.q``), else 0.05."""
    with store.engine.connect() as conn:
        value = read_setting(conn, "alerts.q", DEFAULT_Q)
    try:
        q = float(value)
    except (TypeError, ValueError):
        return DEFAULT_Q
    return q if 0 < q < 1 else DEFAULT_Q


def footnote(tested: int, q: float, noun: str = "slices") -> str:
    """What a page says under its flags: how many tests were corrected together, and at what q."""
    return f"Significance: Benjamini–Hochberg across the {tested} {noun} shown, false-discovery rate q = {q:g}."
