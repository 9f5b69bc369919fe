"""How well predicted sentiment labels match known ones: accuracy and macro-F1, per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["Evaluation", "evaluate_labels"]


@dataclass
class Evaluation:
    """How well predicted labels match known ones: accuracy, macro-F1 (the mean of each
    label's F1, so a rare label counts as much as a common one), per-label figures, and
    the same per group (e.g. language) when groups were given."""

    n: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]]
    groups: dict[str, Evaluation] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"{'':10} {'n':>7} {'accuracy':>9} {'macro-F1':>9}"]
        lines.append(f"{'all':10} {self.n:>7} {self.accuracy:>9.3f} {self.macro_f1:>9.3f}")
        for name, ev in sorted(self.groups.items()):
            lines.append(f"{name:10} {ev.n:>7} {ev.accuracy:>9.3f} {ev.macro_f1:>9.3f}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_label": self.per_label,
            "groups": {k: v.as_dict() for k, v in self.groups.items()},
        }


def evaluate_labels(predicted: Sequence[str], truth: Sequence[str], groups: Sequence[str] | None = None) -> Evaluation:
    """Accuracy, macro-F1 and per-label precision/recall/F1 of ``predicted`` against ``truth``."""
    pred = np.asarray(predicted, dtype=object).astype(str)
    true = np.asarray(truth, dtype=object).astype(str)
    if len(pred) != len(true):
        raise InputError(f"{len(pred)} predictions but {len(true)} labels: give one label per text")
    if "mixed" not in set(true):
        pred = np.where(pred == "mixed", "neutral", pred)
    result = _scores(pred, true)
    if groups is not None:
        g = np.asarray(groups, dtype=object).astype(str)
        result.groups = {str(k): _scores(pred[g == k], true[g == k]) for k in np.unique(g)}
    return result


def _scores(pred: np.ndarray, true: np.ndarray) -> Evaluation:
    n = len(true)
    per_label = {}
    for label in sorted(set(true) | set(pred)):
        tp = int(np.sum((pred == label) & (true == label)))
        fp = int(np.sum((pred == label) & (true != label)))
        fn = int(np.sum((pred != label) & (true == label)))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    present = [v["f1"] for k, v in per_label.items() if v["support"]]
    return Evaluation(
        n=n,
        accuracy=float(np.mean(pred == true)) if n else 0.0,
        macro_f1=float(np.mean(present)) if present else 0.0,
        per_label=per_label,
    )
