"""cxlens: customer-experience measurement across the whole customer journey.

The public API, for notebooks and programs (the CLI and web app call the same functions)::

    import cxlens
    store = cxlens.open_store()                      # CXLENS_DATABASE_URL or the embedded SQLite
    cxlens.load_journeys(store, "journeys.yaml")
    cxlens.import_file(store, "responses", "nps.csv", mapping={"score": "nps_score"})
    cxlens.generate_demo(store, customers=3000, responses=20000, seed=7)
"""

from . import stats, text
from .analytics.kpis import KPIResult, KPIs, kpi
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
    JourneyFileError,
    SchemaOutOfDate,
    SchemaTooNew,
    StoreError,
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

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "AccessDenied",
    "METRICS",
    "BadRow",
    "ConfigError",
    "CxlensError",
    "DemoSummary",
    "EngineError",
    "ImportRejected",
    "ImportResult",
    "InputError",
    "KPIResult",
    "KPIs",
    "JourneyFileError",
    "Metric",
    "SchemaOutOfDate",
    "SchemaTooNew",
    "Settings",
    "Store",
    "StoreError",
    "__version__",
    "generate_demo",
    "import_file",
    "import_table",
    "import_zendesk",
    "kpi",
    "load_journeys",
    "open_store",
    "export_parquet",
    "ExportResult",
    "read_journey_map",
    "read_zendesk",
    "settings",
    "stats",
    "text",
]

# -- feedback collection (issue 4) ----------------------------------------------------------
from .collect import Collection, CollectionPolicy, load_surveys  # noqa: E402
from .errors import InvalidAnswer, InvalidToken, SendFailed, TokenExpired, UnknownSurvey  # noqa: E402

__all__ += ["Collection", "CollectionPolicy", "load_surveys",
            "InvalidAnswer", "InvalidToken", "SendFailed", "TokenExpired", "UnknownSurvey"]
