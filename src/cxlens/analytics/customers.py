"""Outcome KPIs over customers and revenue: cohort retention, survival, revenue retention, CLV.

Like every KPI, each one runs an Ibis expression that returns counts and sums per group (a
histogram of sign-up and churn periods, of lifetimes, or six sums per period), and finishes
them in ``stats``. None of them reads one row per customer out of the engine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import ibis

from .. import periods
from ..errors import InputError
from ..periods import as_utc, step, timestamp
from . import stats
from .facts import KPISource, bound, check_dimensions, filter_dimensions
from .result import KPIResult

__all__ = [
    "HORIZON_YEARS",
    "MIN_CHURNED",
    "YEAR_SECONDS",
    "clv",
    "clv_expression",
    "cohort_retention",
    "customer_expression",
    "customer_groups",
    "gross_revenue_retention",
    "net_revenue_retention",
    "revenue_retention_expression",
    "survival",
    "survival_expression",
]

# Simple CLV caps the expected lifetime: with almost no churn 1/churn explodes, and nobody
# plans on revenue further out than this.
HORIZON_YEARS = 10.0


def _as_of(until) -> datetime:
    """The time the outcome is judged at: ``until`` if given (and past), else now."""
    now = datetime.now(timezone.utc)
    until = timestamp(until, "--until")
    return min(until, now) if until is not None else now


def customer_expression(
    k: KPISource, *, by: Sequence[str] = (), grain: str = "month", where: dict | None = None
) -> ibis.Table:
    """Customers counted by sign-up period and churn period (null: still a customer): the
    sufficient statistics of churn and retention for every period at once."""
    by = check_dimensions(by, "customers")
    unit = periods.GRAINS[periods.check_grain(grain)]
    c = filter_dimensions(k.engine.table("customers"), where, "customers")
    c = c.filter(c.signed_up_at.notnull())
    c = c.mutate(joined=c.signed_up_at.truncate(unit), left=c.churned_at.truncate(unit))
    return c.group_by([*by, "joined", "left"]).aggregate(customers=c.count())


def customer_groups(k: KPISource, metric: str, *, by, grain, since, until, where) -> list[dict]:
    """Per group and period P: n = customers active at P's start (joined before P, not
    gone before P), hits = those of them who churned in P (churn rate) or did not
    (retention). Churn rate = churned in the period ÷ active at its start (DESIGN.md §5)."""
    if grain is None:
        raise InputError(f"{metric} is a rate per period: give a grain (day, week, month, quarter or year)")
    since, until = timestamp(since, "--since"), timestamp(until, "--until")
    counts = k.engine.execute(customer_expression(k, by=by, grain=grain, where=where)).to_pylist()
    by = list(by)
    now = periods.start(_as_of(until), grain)
    histograms: dict[tuple, list[tuple]] = {}
    for row in counts:
        histograms.setdefault(tuple(row[d] for d in by), []).append(
            (as_utc(row["joined"]), as_utc(row["left"]), row["customers"])
        )
    groups = []
    for key, hist in sorted(histograms.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        # Every period up to the one now running (or before --until), even with nobody leaving:
        # a month with 0 % churn is a measurement, not a gap.
        last = max(max(j for j, _, _ in hist), max((lft for _, lft, _ in hist if lft), default=hist[0][0]), now)
        period = step(min(j for j, _, _ in hist), grain)  # nobody is active at the start of the first
        while period <= last:
            active = sum(n for j, lft, n in hist if j < period and (lft is None or lft >= period))
            churned = sum(n for j, lft, n in hist if j < period and lft == period)
            inside = (since is None or period >= since) and (until is None or period < until)
            if active and inside:
                hits = churned if metric == "churn_rate" else active - churned
                groups.append({**dict(zip(by, key)), "period": period, "n": active, "hits": hits})
            period = step(period, grain)
    return groups


def _row(by: list[str], key: tuple, estimate: stats.Estimate, **extra) -> dict:
    return {
        **dict(zip(by, key)),
        **extra,
        "value": estimate.value,
        "low": estimate.low,
        "high": estimate.high,
        "n": estimate.n,
        "method": estimate.method,
        "sufficient": estimate.sufficient,
    }


def _sorted(items):
    return sorted(items, key=lambda kv: tuple("" if v is None else str(v) for v in kv[0]))


def cohort_retention(
    k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95
) -> KPIResult:
    """Per sign-up cohort (``grain``, default month) and age (periods since sign-up): the % of
    the cohort still a customer at the end of that period, with a Wilson interval; n is the
    cohort's size. Cohorts that signed up in [since, until)."""
    grain = grain or "month"
    by = check_dimensions(by, "customers")
    since, as_of = timestamp(since, "--since"), _as_of(until)
    current = periods.start(as_of, grain)  # the period now running: its ages count what is known so far
    counts = k.engine.execute(customer_expression(k, by=by, grain=grain, where=where)).to_pylist()
    cohorts: dict[tuple, list[tuple]] = {}
    for r in counts:
        joined = as_utc(r["joined"])
        if (since is None or joined >= since) and joined <= current:
            cohorts.setdefault((*(r[d] for d in by), joined), []).append((as_utc(r["left"]), r["customers"]))
    result = KPIResult("cohort_retention", [*by, "cohort", "age"], grain, confidence=confidence)
    for key, hist in _sorted(cohorts.items()):
        size = sum(n for _, n in hist)
        joined, age, period = key[-1], 0, key[-1]
        while period <= current:
            retained = sum(n for left, n in hist if left is None or left > period)
            e = stats.as_percent(stats.proportion(retained, size, confidence=confidence, label="Retained"))
            result.rows.append(_row(by, key[:-1], e, cohort=joined, age=age))
            age, period = age + 1, step(period, grain)
    return result


def survival(k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95) -> KPIResult:
    """Kaplan–Meier survival of customers (% not churned) by time since sign-up, in units of
    ``grain`` (default month); customers still here are censored at ``until`` (or now). n is
    the number at risk; customers who signed up in [since, until)."""
    unit = grain or "month"
    periods.check_grain(unit)
    by = check_dimensions(by, "customers")
    expr = survival_expression(k, by=by, unit=unit, since=timestamp(since, "--since"), as_of=_as_of(until), where=where)
    hist = k.engine.execute(expr).to_pylist()
    groups: dict[tuple, list[dict]] = {}
    for r in hist:
        groups.setdefault(tuple(r[d] for d in by), []).append(r)
    result = KPIResult("survival", [*by, "time"], unit, confidence=confidence)
    for key, rows in _sorted(groups.items()):
        durations = [r["seconds"] / (86400 * periods.DAYS[unit]) for r in rows]
        points = stats.kaplan_meier_at(
            durations,
            [r["churned"] for r in rows],
            range(int(max(durations)) + 1),
            weights=[r["customers"] for r in rows],
            confidence=confidence,
        )
        for p in points:
            result.rows.append(
                {
                    **dict(zip(by, key)),
                    "time": int(p.time),
                    "value": 100 * p.survival,
                    "low": 100 * p.low,
                    "high": 100 * p.high,
                    "n": p.at_risk,
                    "events": p.events,
                    "method": "kaplan-meier on exact durations, log-log interval",
                    "sufficient": p.at_risk >= stats.MIN_N,
                }
            )
    return result


def survival_expression(
    k: KPISource, *, by=(), unit: str, since: datetime | None, as_of: datetime, where=None
) -> ibis.Table:
    """Customers counted by lifetime (whole seconds from sign-up to churn, or to ``as_of`` if
    still here) and whether they churned: the histogram Kaplan–Meier needs. Seconds, not
    ``unit``s: the estimate must see who left before whom inside a month (``unit`` is only
    where it is read)."""
    c = filter_dimensions(k.engine.table("customers"), where, "customers")
    c = c.filter(c.signed_up_at.notnull(), c.signed_up_at < bound(c.signed_up_at, as_of))
    if since is not None:
        c = c.filter(c.signed_up_at >= bound(c.signed_up_at, since))
    churned = c.churned_at.notnull() & (c.churned_at < bound(c.churned_at, as_of))
    end = churned.ifelse(c.churned_at.epoch_seconds().cast("float64"), ibis.literal(as_of.timestamp()))
    seconds = (end - c.signed_up_at.epoch_seconds().cast("float64")).floor().cast("int64")
    c = c.mutate(seconds=ibis.greatest(seconds, 0), churned=churned.ifelse(1, 0))
    return c.group_by([*by, "seconds", "churned"]).aggregate(customers=c.count())


def _period_index(at: ibis.Expr, grain: str) -> ibis.Expr:
    """An integer that counts ``grain`` periods, so 'the next period' is index + 1 on any engine
    (``periods.index`` in Python; ``periods.from_index`` turns it back into a period)."""
    if grain == "month":
        return at.year() * 12 + at.month() - 1
    if grain == "quarter":  # not at.quarter(): Ibis 12 computes it on SQLite as a fraction
        return at.year() * 4 + ((at.month() - 1) / 3).floor().cast("int64")
    if grain == "year":
        return at.year().cast("int64")
    seconds = 86400 if grain == "day" else 7 * 86400
    offset = 0 if grain == "day" else periods.MONDAY_EPOCH_SECONDS
    return ((at.epoch_seconds().cast("float64") - offset) / seconds).floor().cast("int64")


def revenue_retention_expression(
    k: KPISource, *, gross: bool, by=(), grain="month", since=None, until=None, where=None
) -> ibis.Table:
    """Per group, currency and base period: the six sums of (revenue in the base period,
    revenue of the same customers in the next one), over customers with base revenue > 0.
    Gross retention caps each customer's next revenue at their base (no expansion counted)."""
    r = k.engine.table("revenue")
    r = r.select(customer_id=r.customer_id, currency=r.currency, amount=r.amount.cast("float64"), at=r.occurred_at)
    if since is not None:  # the base period of the first period shown
        r = r.filter(r.at >= bound(r.at, periods.previous(periods.start(since, grain), grain)))
    if until is not None:
        r = r.filter(r.at < bound(r.at, until))
    if by or where:
        c = filter_dimensions(k.engine.table("customers"), where, "customers")
        c = c.select(c_id=c.id, **{d: c[d] for d in by})
        r = r.join(c, r.customer_id == c.c_id).drop("c_id")
    r = r.mutate(period=_period_index(r.at, grain))
    base = r.group_by(["customer_id", "currency", *by, "period"]).aggregate(amount=r.amount.sum())
    later = base.select(
        l_customer=base.customer_id, l_currency=base.currency, l_period=base.period, l_amount=base.amount
    )
    j = base.left_join(
        later,
        [base.customer_id == later.l_customer, base.currency == later.l_currency, later.l_period == base.period + 1],
    )
    x = j.amount
    y = j.l_amount.fill_null(0.0)
    y = ibis.least(y, x) if gross else y
    j = j.filter(x > 0).mutate(x=x, y=y)
    return j.group_by([*by, "currency", "period"]).aggregate(
        n=j.count(),
        sx=j.x.sum(),
        sy=j.y.sum(),
        sxx=(j.x * j.x).sum(),
        syy=(j.y * j.y).sum(),
        sxy=(j.x * j.y).sum(),
    )


def _revenue_retention(gross: bool):
    name = "gross_revenue_retention" if gross else "net_revenue_retention"

    def compute(k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95) -> KPIResult:
        """Revenue in each period from the customers who paid in the period before, ÷ what they
        paid then (net: with expansion; gross: capped at the base, so at most 100 %), as a
        percent with a delta-method interval; n = customers paying in the base period."""
        grain = grain or "month"
        by = check_dimensions(by, "customers")
        since, until = timestamp(since, "--since"), timestamp(until, "--until")
        expr = revenue_retention_expression(k, gross=gross, by=by, grain=grain, since=since, until=until, where=where)
        sums = k.engine.execute(expr).to_pylist()
        latest = max((s["period"] for s in sums), default=None)
        result = KPIResult(name, [*by, "currency"], grain, confidence=confidence)
        label = "Gross revenue retention" if gross else "Net revenue retention"
        for s in sorted(sums, key=lambda s: (tuple(str(s[d]) for d in [*by, "currency"]), s["period"])):
            period = periods.from_index(s["period"] + 1, grain)
            if s["period"] + 1 > latest or (since is not None and period < since):
                continue  # the period after the latest has no revenue yet: not a 0 % retention
            e = stats.ratio(
                stats.RatioStats(s["n"], s["sx"], s["sy"], s["sxx"], s["syy"], s["sxy"]),
                confidence=confidence,
                label=label,
                at_most=1.0 if gross else math.inf,
            )
            e = stats.as_percent(e)
            result.rows.append(_row([*by, "currency"], tuple(s[d] for d in [*by, "currency"]), e, period=period))
        return result

    compute.__name__ = name
    return compute


YEAR_SECONDS = 365.25 * 86400
# Below this many churned customers in the year, 1 / churn rate rests on too few events to plan on.
MIN_CHURNED = 10


def clv_expression(k: KPISource, *, by=(), start: datetime, end: datetime, where=None) -> ibis.Table:
    """Per group, over the year [start, end), of the customers active in it: how many, the six
    sums of (years each was a customer inside it, revenue they paid in it), how many churned
    in it, and acquisition costs' count and Σ. Measuring both revenue and churn per
    customer-year counts a customer who joined mid-year for the half year they were here."""
    c = filter_dimensions(k.engine.table("customers"), where, "customers")
    c = c.filter(c.signed_up_at.notnull(), c.signed_up_at < end, c.churned_at.isnull() | (c.churned_at >= start))
    r = k.engine.table("revenue")
    r = r.filter(r.occurred_at >= start, r.occurred_at < end)
    paid = r.group_by(r_customer=r.customer_id).aggregate(paid=r.amount.cast("float64").sum())
    j = c.left_join(paid, c.id == paid.r_customer)
    y = j.paid.fill_null(0.0)
    churned = j.churned_at.notnull() & (j.churned_at < end)
    begin = ibis.greatest(j.signed_up_at.epoch_seconds().cast("float64"), ibis.literal(start.timestamp()))
    stop = churned.ifelse(j.churned_at.epoch_seconds().cast("float64"), ibis.literal(end.timestamp()))
    # Whole hours: integers sum exactly, so every engine gets the same interval (fractions of a
    # year summed in a different order differ in the last digits, which the variance magnifies).
    x = (ibis.greatest(stop - begin, 0.0) / 3600).floor()
    j = j.mutate(x=x, y=y, churned=churned.ifelse(1, 0), cac=j.acquisition_cost.cast("float64"))
    sums = dict(
        n=j.count(),
        years=j.x.sum(),  # in hours
        total=j.y.sum(),
        years_sq=(j.x * j.x).sum(),
        total_sq=(j.y * j.y).sum(),
        cross=(j.x * j.y).sum(),
        churned=j.churned.sum(),
        cac_n=j.cac.count(),
        cac_total=j.cac.sum(),
    )
    return j.group_by(list(by)).aggregate(**sums) if by else j.aggregate(**sums)


def clv(k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95) -> KPIResult:
    """Simple customer lifetime value per group over the year before ``until`` (or now):

    CLV = R/E × min(E/D, ``HORIZON_YEARS``) − mean acquisition cost, with R the revenue, E the
    customer-years and D the churned customers in that year: revenue per customer-year times
    the expected lifetime in years (1 ÷ the churn rate per customer-year). With no churn (or no
    exposure) the lifetime cannot be estimated and the row says so (value None). The interval
    combines, on the log scale, the ratio R/E's delta-method interval and the exact Poisson
    (Garwood) interval of D; acquisition cost is taken as known."""
    by = check_dimensions(by, "customers")
    end = _as_of(until)
    start = end - timedelta(days=365)
    currencies = k.engine.execute(_currencies(k, start, end)).column("currency").to_pylist()
    if len(currencies) > 1:
        raise InputError(
            f"revenue in the year before {end:%Y-%m-%d} is in several currencies ({', '.join(map(str, currencies))}); "
            "CLV needs one: convert the amounts before importing them"
        )
    sums = k.engine.execute(clv_expression(k, by=by, start=start, end=end, where=where)).to_pylist()
    result = KPIResult("clv", by, None, confidence=confidence)
    for key, s in _sorted([(tuple(s[d] for d in by), s) for s in sums]):
        if s["n"]:
            row = _clv_row(s, confidence)
            result.rows.append({**dict(zip(by, key)), "currency": currencies[0] if currencies else None, **row})
    return result


def _clv_row(s: dict, confidence: float) -> dict:
    hours = YEAR_SECONDS / 3600
    exposure, churned = (s["years"] or 0.0) / hours, int(s["churned"] or 0)
    cac = (s["cac_total"] or 0.0) / s["cac_n"] if s["cac_n"] else 0.0
    rate = stats.ratio(
        stats.RatioStats(
            s["n"], exposure, s["total"] or 0.0, s["years_sq"] or 0.0, s["total_sq"] or 0.0, s["cross"] or 0.0
        ),
        confidence=confidence,
    )
    facts = {
        "annual_revenue": rate.value,
        "churn_rate": 100 * churned / exposure if exposure else None,
        "churned": churned,
        "customer_years": exposure,
        "acquisition_cost": cac,
    }
    if rate.value is None or not churned:
        why = "no customer churned in the year" if rate.value is not None else "no customer-years in the year"
        return {**facts, "value": None, "low": None, "high": None, "n": s["n"], "expected_years": None,
                "method": f"simple: cannot be estimated, {why}", "sufficient": False}  # fmt: skip
    low_d, high_d = stats.poisson_interval(churned, confidence)
    years = min(exposure / churned, HORIZON_YEARS)
    years_low, years_high = min(exposure / high_d, HORIZON_YEARS), min(exposure / low_d, HORIZON_YEARS)
    gross = rate.value * years
    spread_low = math.hypot(_log_gap(rate.value, rate.low), _log_gap(years, years_low))
    spread_high = math.hypot(_log_gap(rate.high, rate.value), _log_gap(years_high, years))
    method = "simple, per customer-year" + (
        f", lifetime capped at {HORIZON_YEARS:g}y" if years == HORIZON_YEARS else ""
    )
    return {
        **facts,
        "value": gross - cac,
        "low": gross * math.exp(-spread_low) - cac if math.isfinite(spread_low) else -cac,
        "high": gross * math.exp(spread_high) - cac if math.isfinite(spread_high) else math.inf,
        "n": s["n"],
        "expected_years": years,
        "method": method,
        "sufficient": s["n"] >= stats.MIN_N and churned >= MIN_CHURNED,
    }


def _log_gap(high: float, low: float) -> float:
    """log(high / low), infinite when ``low`` is 0 (a bound the data cannot exclude)."""
    return math.log(high / low) if low > 0 else math.inf


def _currencies(k: KPISource, start: datetime, end: datetime) -> ibis.Table:
    r = k.engine.table("revenue")
    r = r.filter(r.occurred_at >= start, r.occurred_at < end)
    return r.group_by("currency").aggregate(payments=r.count()).order_by("currency")


net_revenue_retention = _revenue_retention(gross=False)
gross_revenue_retention = _revenue_retention(gross=True)
