"""``cxlens.predict``: predictions per customer, fitted on what the store already holds.

Lifetime value for non-contractual buying (BG/NBD purchases × Gamma-Gamma spend, both by
maximum likelihood on SciPy)::

    from cxlens import kpi, predict
    summary = predict.purchase_summary(kpi(store))            # frequency, recency, T, spend
    model = predict.fit_lifetime_value(summary, bootstrap=100)
    print(model.summary())                                    # r, α, a, b; p, q, v; se; log L
    values = predict.predict_values(model, summary, predict.ValueSettings(horizon_months=12))
"""

from .bgnbd import BGNBD, fit_bgnbd
from .features import PurchaseSummary, purchase_summary
from .gamma_gamma import GammaGamma, fit_gamma_gamma
from .mle import Fit
from .value import MODEL, LifetimeValueModel, Predictions, ValueSettings, fit_lifetime_value, predict_values

__all__ = [
    "BGNBD",
    "MODEL",
    "Fit",
    "GammaGamma",
    "LifetimeValueModel",
    "Predictions",
    "PurchaseSummary",
    "ValueSettings",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_lifetime_value",
    "predict_values",
    "purchase_summary",
]
