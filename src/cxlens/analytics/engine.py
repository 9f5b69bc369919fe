"""The only module that touches Ibis backends.

A KPI is an Ibis expression; an ``Engine`` runs it where the data lives and hands back Arrow:
the store's own database (SQLite, or PostgreSQL as tier 1), tier 0, the in-process DuckDB
mirror of the SQLite store (``mirror``), or tier 2, Spark reading the store's tables from
Parquet (``cxlens export --parquet``) or from the user's own pipeline. All sit behind the same
``table``/``execute``/``sql`` surface, so KPI code never changes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa
from alembic.script import ScriptDirectory

from ..errors import EngineError, InputError
from ..store import Store
from ..store.database import MIGRATIONS
from ..store.export import MANIFEST
from .mirror import MIRRORED, Mirror

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

__all__ = ["SPARK_CONF", "Engine", "local_spark_session"]

# Local mode (tier 2 in tests, or one big machine). UTC: the store's timestamps are UTC and a
# period (month, week) must start at UTC midnight whatever the machine's zone; Ibis sets it
# too, this makes it hold before Ibis connects. Few shuffle partitions: Spark's default 200
# costs a KPI query about a second of empty tasks on a laptop. No UI, no console progress bar.
SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# Local mode needs no network name (a cluster's executors must reach the driver: not there),
# and keeps Spark's (empty) warehouse directory out of the current directory.
LOCAL_ONLY_CONF = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.warehouse.dir": os.path.join(tempfile.gettempdir(), "cxlens-spark-warehouse"),
}


class Engine:
    """Runs Ibis expressions on one backend; knows the store's tables by name."""

    def __init__(self, backend: ibis.BaseBackend, name: str, *, owned: bool = True):
        self.backend = backend
        self.name = name
        self._owned = owned  # a session handed in by the caller is theirs to stop
        self._compiled: dict = {}  # expression node -> SQL: a dashboard asks the same questions
        self._parquet: dict[str, Path] = {}  # Spark: exported tables not yet registered as views

    @classmethod
    def for_store(cls, store: Store) -> Engine:
        url = store.engine.url
        if store.dialect == "sqlite":
            return cls(ibis.sqlite.connect(url.database), "sqlite")
        if store.dialect == "postgresql":
            backend = ibis.postgres.connect(
                host=url.host or "localhost",
                port=url.port or 5432,
                user=url.username,
                password=url.password,
                database=url.database,
            )
            return cls(backend, "postgres")
        raise EngineError(f"no analytics engine for {store.dialect}")  # pragma: no cover

    @classmethod
    def for_mirror(cls, mirror: Mirror) -> Engine:
        return cls(ibis.duckdb.from_connection(mirror.db), "duckdb")

    @classmethod
    def for_spark(cls, source: str | os.PathLike | SparkSession, *, session: SparkSession | None = None) -> Engine:
        """Tier 2: Spark. ``source`` is a directory written by ``cxlens export --parquet`` (each
        ``<table>.parquet`` becomes a temporary view named after its table, on ``session`` or
        on a local Spark), or a SparkSession whose catalog already holds the store's tables
        under their own names (fed by the user's pipeline).

        Each directory gets a session of its own (``newSession``: its own views and settings,
        one shared JVM), so two exports in one process never see each other's tables."""
        if not isinstance(source, (str, os.PathLike)):
            return cls(_pyspark_backend(source), "spark", owned=False)
        tables = _parquet_tables(Path(source))
        engine = cls(_pyspark_backend((session or local_spark_session()).newSession()), "spark")
        engine._parquet = tables  # registered when first asked for: each costs Spark a footer read
        return engine

    def table(self, name: str) -> ibis.Table:
        path = self._parquet.pop(name, None)
        if path is not None:
            self.backend._session.read.parquet(str(path)).createOrReplaceTempView(name)
        return self.backend.table(name)

    def execute(self, expr: ibis.Expr) -> pa.Table:
        if self.name not in ("duckdb", "spark"):
            return expr.to_pyarrow()
        # Compiling costs tens of milliseconds, more than DuckDB's answer: compile a question once.
        node = expr.op()
        sql = self._compiled.get(node)
        if sql is None:
            sql = self._compiled[node] = self.sql(expr, "duckdb" if self.name == "duckdb" else "pyspark")
        if self.name == "duckdb":
            table = self.backend.con.sql(sql).to_arrow_table()
        else:
            # Straight to Arrow (Spark ≥ 4.0): Ibis's own path goes through pandas, which turns
            # a nullable integer column into floats. Ibis's hooks register what an expression
            # brings along (in-memory tables, UDFs) first, as its own path does.
            self.backend._run_pre_execute_hooks(expr)
            table = self.backend._session.sql(sql).toArrow()
        # DuckDB widens integer sums (HUGEINT), Spark hands back its own widths; Ibis's own
        # path casts back to the expression's types, and so does this one.
        return table.cast(expr.schema().to_pyarrow())

    @staticmethod
    def sql(expr: ibis.Expr, dialect: str) -> str:
        """The SQL ``expr`` compiles to in ``dialect`` (duckdb, postgres, sqlite, pyspark, trino, …)."""
        if dialect == "pyspark":
            # Ibis's Spark compiler reads options its backend module registers on import; no
            # session is needed (importing PySpark starts no JVM).
            ibis.pyspark  # noqa: B018
        return str(ibis.to_sql(expr, dialect=dialect))

    def close(self) -> None:
        if self.name == "spark":
            # The JVM outlives an engine: starting one costs seconds, and other engines of
            # this process may share it. An engine's own session only drops its views.
            if self._owned:
                for view in self.backend._session.catalog.listTables():
                    if view.isTemporary:
                        self.backend._session.catalog.dropTempView(view.name)
            return
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect:
            disconnect()


def local_spark_session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """The process's local Spark (started on first use, a few seconds), set up for cxlens.

    ``master`` defaults to ``CXLENS_SPARK_MASTER`` or ``local[*]`` (every core of this machine);
    ``conf`` adds or overrides settings of ``SPARK_CONF`` (they hold for every session of the
    process when this call starts Spark). Spark needs Java 17 or newer; without it this says
    how to install one."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the Spark tier needs PySpark: pip install 'cxlens[spark]' (and Java 17 or newer)") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise EngineError(
            "the Spark tier needs Java 17 or newer and none was found (no `java` on PATH, no JAVA_HOME); "
            "install one, e.g. apt-get install default-jre-headless, or set JAVA_HOME"
        )
    master = master or os.environ.get("CXLENS_SPARK_MASTER", "local[*]")
    settings = dict(SPARK_CONF)
    if master.startswith("local"):
        # Without these Spark looks up the host's address, and warns when it is a loopback one.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings |= LOCAL_ONLY_CONF
    builder = SparkSession.builder.master(master).appName("cxlens")
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # PySpark raises its own runtime errors when the JVM does not start
        raise EngineError(f"Spark did not start ({exc}); check that `java -version` says 17 or newer") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _pyspark_backend(session: SparkSession) -> ibis.BaseBackend:
    # Ibis sets spark.sql.session.timeZone to UTC on the session it is given.
    return ibis.pyspark.connect(session)


def _parquet_tables(directory: Path) -> dict[str, Path]:
    """Each ``<table>.parquet`` (a file, or a directory of part files as Spark writes them)."""
    if not directory.is_dir():
        raise InputError(
            f"{directory} is not a directory; write the store's tables there first: cxlens export --parquet {directory}"
        )
    found = {p.name.removesuffix(".parquet"): p for p in sorted(directory.iterdir()) if p.name.endswith(".parquet")}
    missing = [t for t in MIRRORED if t not in found]
    if missing:
        raise InputError(
            f"{directory} lacks {', '.join(f'{t}.parquet' for t in missing)}, which the KPIs read; "
            f"write them with: cxlens export --parquet {directory}"
        )
    _check_revision(directory)
    return found


def _check_revision(directory: Path) -> None:
    """An export of another schema would fail in Spark with a missing column, or mislead:
    ``cxlens export`` notes its schema revision, and a different one is refused up front.
    Tables from elsewhere (a user's pipeline, no manifest) are taken as they are."""
    manifest = directory / MANIFEST
    if not manifest.exists():
        return
    try:
        written = json.loads(manifest.read_text())
        revision, listed = written.get("schema_revision"), written.get("tables", {})
    except (OSError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{manifest} is not an export manifest ({exc}); export again: cxlens export --parquet {directory}"
        ) from exc
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if revision and revision != head:
        raise InputError(
            f"{directory} was exported from a store at schema {revision}; this cxlens reads schema {head}. "
            f"Upgrade the store (cxlens db upgrade) and export again: cxlens export --parquet {directory}"
        )
    stale = [t for t in MIRRORED if t not in listed]
    if stale:
        raise InputError(
            f"{', '.join(f'{t}.parquet' for t in stale)} in {directory} are left from an export at another schema; "
            f"export them again: cxlens export --parquet {directory}"
        )
