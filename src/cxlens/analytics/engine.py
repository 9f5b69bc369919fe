"""The only module that touches Ibis backends.

A KPI is an Ibis expression; an ``Engine`` runs it where the data lives and hands back Arrow:
the store's own database (SQLite, or PostgreSQL as tier 1), or tier 0, the in-process DuckDB
mirror of the SQLite store (``mirror``). Spark (tier 2) plugs in here behind the same
``table``/``execute``/``sql`` surface, so KPI code never changes.
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from ..store import Store
from .mirror import Mirror

__all__ = ["Engine"]


class Engine:
    """Runs Ibis expressions on one backend; knows the store's tables by name."""

    def __init__(self, backend: ibis.BaseBackend, name: str):
        self.backend = backend
        self.name = name
        self._compiled: dict = {}  # expression node -> SQL: a dashboard asks the same questions

    @classmethod
    def for_store(cls, store: Store) -> Engine:
        url = store.engine.url
        if store.dialect == "sqlite":
            return cls(ibis.sqlite.connect(url.database), "sqlite")
        if store.dialect == "postgresql":
            backend = ibis.postgres.connect(
                host=url.host or "localhost", port=url.port or 5432, user=url.username,
                password=url.password, database=url.database,
            )
            return cls(backend, "postgres")
        raise ValueError(f"no analytics engine for {store.dialect}")  # pragma: no cover

    @classmethod
    def for_mirror(cls, mirror: Mirror) -> Engine:
        return cls(ibis.duckdb.from_connection(mirror.db), "duckdb")

    def table(self, name: str) -> ibis.Table:
        return self.backend.table(name)

    def execute(self, expr: ibis.Expr) -> pa.Table:
        if self.name != "duckdb":
            return expr.to_pyarrow()
        # Compiling costs tens of milliseconds, more than DuckDB's answer: compile a question once.
        node = expr.op()
        sql = self._compiled.get(node)
        if sql is None:
            sql = self._compiled[node] = self.sql(expr, "duckdb")
        # DuckDB widens integer sums (HUGEINT); Ibis's own path casts back to the expression's
        # types, and so does this one.
        return self.backend.con.sql(sql).to_arrow_table().cast(expr.schema().to_pyarrow())

    @staticmethod
    def sql(expr: ibis.Expr, dialect: str) -> str:
        """The SQL ``expr`` compiles to in ``dialect`` (duckdb, postgres, sqlite, trino, …)."""
        return str(ibis.to_sql(expr, dialect=dialect))

    def close(self) -> None:
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect:
            disconnect()

