"""Where cxlens keeps its data: read from the environment, nowhere else.

``CXLENS_DATABASE_URL`` names the store (``sqlite:///path`` or ``postgresql+psycopg://…``).
Without it, the embedded default is one SQLite file in ``CXLENS_DATA_DIR`` (default
``./cxlens-data``), so a first run needs no server. ``CXLENS_PUBLIC_URL`` (default
``http://127.0.0.1:8000``) is where people reach the web app: survey links and the links in
notifications are made absolute with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

__all__ = ["Settings", "settings"]

DEFAULT_DATA_DIR = "cxlens-data"
SQLITE_FILE = "cxlens.db"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    public_url: str = "http://127.0.0.1:8000"

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("sqlite")


def settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("CXLENS_DATA_DIR") or DEFAULT_DATA_DIR).expanduser()
    url = env.get("CXLENS_DATABASE_URL") or f"sqlite:///{(data_dir / SQLITE_FILE).resolve()}"
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"CXLENS_DATABASE_URL={url!r} is not supported: use sqlite:///PATH "
            "or postgresql+psycopg://USER@HOST:PORT/DB"
        )
    if url.startswith("postgresql://"):
        # SQLAlchemy would pick psycopg2 for a bare postgresql:// URL; we ship psycopg 3.
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    public_url = (env.get("CXLENS_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
    return Settings(data_dir=data_dir, database_url=url, public_url=public_url)
