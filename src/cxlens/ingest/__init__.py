"""ingest/ — everything that brings data in: file imports, journey files, helpdesk exports."""

from .business_hours import Schedule, recompute_business_seconds
from .importer import ImportResult, import_file, import_table
from .journeys import load_journeys, read_journey_map
from .kinds import KINDS
from .runs import UndoneRun, undo_dead_runs
from .zendesk import import_zendesk, read_zendesk

__all__ = [
    "KINDS",
    "ImportResult",
    "import_file",
    "import_table",
    "load_journeys",
    "read_journey_map",
    "import_zendesk",
    "undo_dead_runs",
    "UndoneRun",
    "read_zendesk",
    "Schedule",
    "recompute_business_seconds",
]
