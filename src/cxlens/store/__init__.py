"""store/ — the system of record: tables, migrations, bulk writes (DESIGN.md §3)."""

from .database import Store, open_store
from .export import ExportResult, export_parquet

__all__ = ["ExportResult", "Store", "export_parquet", "open_store"]
