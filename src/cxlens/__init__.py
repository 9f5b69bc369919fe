"""cxlens: customer-experience measurement across the whole customer journey.

The public API, for notebooks and programs (the CLI and web app call the same functions)::

    import cxlens
    store = cxlens.open_store()                      # CXLENS_DATABASE_URL or the embedded SQLite
    cxlens.load_journeys(store, "journeys.yaml")
    cxlens.import_file(store, "responses", "nps.csv", mapping={"score": "nps_score"})
    cxlens.generate_demo(store, customers=3000, responses=20000, seed=7)

``import cxlens`` loads nothing else: each name is imported from its home module when it is
first used (PEP 562), so the CLI starts at once and SciPy, pandas or Ibis load only for the code
that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "METRICS",
    "AccessDenied",
    "BadRow",
    "Collection",
    "CollectionPolicy",
    "ConfigError",
    "CxlensError",
    "DemoSummary",
    "EngineError",
    "ExportResult",
    "ImportRejected",
    "ImportResult",
    "InputError",
    "InvalidAnswer",
    "InvalidToken",
    "JourneyFileError",
    "KPIResult",
    "KPIs",
    "Metric",
    "SchemaOutOfDate",
    "SchemaTooNew",
    "SendFailed",
    "Settings",
    "Store",
    "StoreError",
    "TokenExpired",
    "UnknownSurvey",
    "__version__",
    "access",
    "collect",
    "export_parquet",
    "generate_demo",
    "import_file",
    "import_table",
    "import_zendesk",
    "kpi",
    "load_journeys",
    "load_surveys",
    "open_store",
    "predict",
    "read_journey_map",
    "read_zendesk",
    "settings",
    "stats",
    "text",
]

# Where each public name lives. Subpackages (access, collect, predict, stats, text) are public as modules.
_HOMES = {
    ".analytics": ["KPIResult", "KPIs", "kpi"],
    ".collect": ["Collection", "CollectionPolicy", "load_surveys"],
    ".config": ["Settings", "settings"],
    ".demo": ["DemoSummary", "generate_demo"],
    ".errors": [
        "AccessDenied",
        "BadRow",
        "ConfigError",
        "CxlensError",
        "EngineError",
        "ImportRejected",
        "InputError",
        "InvalidAnswer",
        "InvalidToken",
        "JourneyFileError",
        "SchemaOutOfDate",
        "SchemaTooNew",
        "SendFailed",
        "StoreError",
        "TokenExpired",
        "UnknownSurvey",
    ],
    ".ingest": [
        "KINDS",
        "ImportResult",
        "import_file",
        "import_table",
        "import_zendesk",
        "load_journeys",
        "read_journey_map",
        "read_zendesk",
    ],
    ".metrics": ["METRICS", "Metric"],
    ".store": ["ExportResult", "Store", "export_parquet", "open_store"],
}
_MODULES = ["access", "collect", "predict", "stats", "text"]
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:  # what type checkers and editors see (py.typed): the same names, imported eagerly
    from . import access, collect, predict, stats, text
    from .analytics import KPIResult, KPIs, kpi
    from .collect import Collection, CollectionPolicy, load_surveys
    from .config import Settings, settings
    from .demo import DemoSummary, generate_demo
    from .errors import (
        AccessDenied,
        BadRow,
        ConfigError,
        CxlensError,
        EngineError,
        ImportRejected,
        InputError,
        InvalidAnswer,
        InvalidToken,
        JourneyFileError,
        SchemaOutOfDate,
        SchemaTooNew,
        SendFailed,
        StoreError,
        TokenExpired,
        UnknownSurvey,
    )
    from .ingest import (
        KINDS,
        ImportResult,
        import_file,
        import_table,
        import_zendesk,
        load_journeys,
        read_journey_map,
        read_zendesk,
    )
    from .metrics import METRICS, Metric
    from .store import ExportResult, Store, export_parquet, open_store


def __getattr__(name: str):
    if name in _HOME_OF:
        value = getattr(importlib.import_module(_HOME_OF[name], __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
