"""``cxlens.stats``: the statistics of CX metrics (NPS, CSAT, CES, means, quantiles and
comparisons), each with its interval and n. Implemented in ``cxlens.analytics.stats``."""

from .analytics.stats import *  # noqa: F403 - this module is that one's public face
from .analytics.stats import __all__  # noqa: F401
