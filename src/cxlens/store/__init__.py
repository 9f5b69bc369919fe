"""store/ — the system of record: tables, migrations, bulk writes (DESIGN.md §3)."""

from .database import Store, open_store

__all__ = ["Store", "open_store"]
