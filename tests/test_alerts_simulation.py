"""The simulation test: many slices with no real change fire at a false-discovery proportion of
at most q on average, and an injected drop of a stated size is found (its power is measured).

In memory, hundreds of simulated evaluation runs go through the same code path as
``run_check`` (``judging.judge`` for each rule, ``judging.apply_fdr`` over the run); a smaller
end-to-end store version runs ``run_check`` itself.

Setup: 60 slices, n = 300 NPS answers per slice and period, promoters 50 %, detractors 20 %
(NPS 30). The injected drop: promoters 40 %, detractors 30 % (NPS 10: 20 points) in 6 slices.
Each run holds a change rule (previous period) and a change rule against a trailing baseline of
3 periods, so 120 tests are corrected together at q = 0.05.
"""

import functools
from datetime import UTC, datetime

import numpy as np
import pytest
from alerts_helpers import add_answers, nps_scores, store_rules, touchpoint_ids

from cxlens.alerts import judging
from cxlens.alerts.measure import Measurement, rule_window
from cxlens.alerts.rules import parse_alerts

Q = 0.05
SLICES = 60
N = 300
BASE = (0.5, 0.2)  # promoters, detractors: NPS 30
DROP = (0.4, 0.3)  # NPS 10: a drop of 20 points
NOW = datetime(2026, 7, 10, tzinfo=UTC)
RULES = parse_alerts(
    {
        "q": Q,
        "rules": [
            {"name": "previous", "kind": "change", "kpi": "nps", "by": ["touchpoint"], "min_n": 30},
            {
                "name": "trailing",
                "kind": "change",
                "kpi": "nps",
                "by": ["touchpoint"],
                "baseline": "trailing",
                "trailing_periods": 3,
            },
        ],
    }
).rules


def _sums(rng, n, promoters, detractors) -> dict:
    d, _, p = rng.multinomial(n, [detractors, 1 - promoters - detractors, promoters])
    return {"n": int(n), "promoters": int(p), "detractors": int(d)}


def simulated_run(rng, dropped: set[int]) -> list[judging.Finding]:
    """One evaluation run over SLICES slices, through judging and the run's BH."""
    findings = []
    for rule in RULES:
        window = rule_window(rule, NOW)
        m = Measurement(rule, window, ["touchpoint"])
        for i in range(SLICES):
            periods = {b: _sums(rng, N, *BASE) for b in window.baseline}
            periods[window.judged] = _sums(rng, N, *(DROP if i in dropped else BASE))
            m.slices[(f"tp{i}",)] = periods
        findings.extend(judging.judge(m))
    judging.apply_fdr(findings, Q)
    return findings


def fdp_and_power(findings, dropped: set[int]) -> tuple[float, float | None]:
    fired = [f for f in findings if f.breach]
    false = [f for f in fired if int(f.slice["touchpoint"][2:]) not in dropped]
    found = {int(f.slice["touchpoint"][2:]) for f in fired} & dropped
    fdp = len(false) / len(fired) if fired else 0.0
    return fdp, (len(found) / len(dropped) if dropped else None)


@pytest.fixture
def fast_z(monkeypatch):
    """stats.z_value is a pure function of the confidence that asks SciPy's ppf each time (most
    of a judgement's cost); cached here so hundreds of runs take seconds."""
    from cxlens.analytics import stats

    monkeypatch.setattr(stats, "z_value", functools.cache(stats.z_value))


def test_no_real_change_fires_at_most_q_on_average_and_a_drop_is_found(record_property, fast_z):
    rng = np.random.default_rng(20260710)
    null = np.array([fdp_and_power(simulated_run(rng, set()), set())[0] for _ in range(200)])
    dropped = set(range(0, SLICES, 10))  # 6 of 60 slices
    mixed = [fdp_and_power(simulated_run(rng, dropped), dropped) for _ in range(120)]
    fdp = np.array([f for f, _ in mixed])
    power = np.array([p for _, p in mixed])
    for name, sample in (("null", null), ("mixed", fdp)):
        se = sample.std(ddof=1) / np.sqrt(len(sample))
        assert sample.mean() <= Q + 3 * se, f"{name}: mean FDP {sample.mean():.4f} > q + 3 SE ({Q} + {3 * se:.4f})"
    record_property("fdp_null", float(null.mean()))
    record_property("fdp_mixed", float(fdp.mean()))
    record_property("power", float(power.mean()))
    print(
        f"\nmean FDP, no change: {null.mean():.4f}; with 6 drops: {fdp.mean():.4f}; "
        f"power for a 20-point NPS drop at n={N}: {power.mean():.3f}"
    )
    # Each dropped slice is judged by both rules; either finding it counts. About 0.9 measured.
    assert power.mean() > 0.7


def test_end_to_end_store_with_no_change_rarely_fires_and_finds_the_drop(mapped_store):
    """20 slices (4 touchpoints × 5 channels), 200 answers per slice and month, March–June;
    one slice drops by 40 NPS points in June (promoters 50 % → 30 %, detractors 20 % → 40 %)."""
    tps = touchpoint_ids(mapped_store)
    rng = np.random.default_rng(11)
    channels = ["email", "sms", "web", "app", "phone"]
    for key in ("checkout", "delivery", "sales-call", "first-use"):
        for channel in channels:
            for month in range(3, 7):
                start = datetime(2026, month, 1, tzinfo=UTC)
                mix = (0.3, 0.4) if (key, channel, month) == ("delivery", "sms", 6) else BASE
                add_answers(mapped_store, tps[key], start, 28, nps_scores(rng, 200, *mix), rng=rng, channel=channel)
    store_rules(
        mapped_store,
        """
alerts:
  rules:
    - {name: change, kind: change, kpi: nps, by: [touchpoint, channel], min_n: 50}
""",
    )
    from cxlens.alerts.evaluation import run_check

    false, found = 0, False
    for month in (4, 5, 6):
        result = run_check(mapped_store, now=datetime(2026, month + 1, 3, tzinfo=UTC))
        assert result.slices == 20
        for t in result.fired:
            if t.slice == {"touchpoint": "delivery", "channel": "sms"} and month == 6:
                found = True
            else:
                false += 1
    assert found, str(
        [
            (f["value"], f["n"], f["baseline"], f["p"])
            for f in result.findings
            if f["slice"] == {"touchpoint": "delivery", "channel": "sms"}
        ]
    )
    assert false <= 1  # 60 null tests over three runs at q = 0.05: expected well under one
