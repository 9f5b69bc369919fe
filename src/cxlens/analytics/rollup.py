"""Tier 0's daily summaries: fact rows counted by UTC day and the columns KPIs read.

A dashboard page asks a dozen questions of the 10-million-row ``responses`` table, and even
DuckDB needs a few hundred milliseconds to scan it per question on two cores. Every survey
KPI is a sum over rows (counts, counts meeting a condition, Σx, Σx²) and a survey answer has
few distinct values (a score on a small scale), so the same sums can be taken from a summary
holding, per day, metric, score, scale, touchpoint (hence journey, stage and team), survey, channel and the customer's
segment, how many answers there were: 152,304 rows for the demo's 10 million answers.

The mirror keeps the summary exact inside each sync's transaction, never by rebuilding it on
a timer: appended rows are counted in; a row the store updated or deleted is first counted
out (a row of negative weight) and, if it still exists, counted in again as it is now; so are
the answers of a customer whose row changed (their segment may have). Rows of opposite
weights for one group are folded together when the summary has grown to twice its folded
size. Questions the summary cannot answer (a slice by plan, persona, language, sentiment or
theme; a quantile; a period that does not start at midnight UTC) read the fact rows, so the
summary changes speed, never an answer; ``tests/test_rollup.py`` checks both paths agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = ["ROLLUPS", "Rollup"]

FEW_CUSTOMERS = 1000  # up to this many customers are named in a sync's lookup, more are joined


@dataclass(frozen=True)
class Rollup:
    table: str  # the summary's name in the mirror
    source: str  # the mirrored table it summarises
    facts: str  # the KPI fact source it answers for (facts.FACTS)
    at: str  # the source's time column; the summary keeps its UTC day as ``day``
    keys: tuple[str, ...]  # source columns kept as they are
    customer_keys: tuple[str, ...]  # columns of the row's customer kept
    dimensions: frozenset[str]  # the KPI dimensions it can be sliced by (through joins on its keys)

    @property
    def columns(self) -> list[str]:
        return ["day", *self.keys, *self.customer_keys]

    def select(self, where: str, sign: int = 1, customers: str = "true") -> str:
        """The summary rows of the source rows ``f`` matching ``where`` (``sign`` −1: to count
        them out); ``customers`` narrows the customers looked up to those rows'."""
        keys = ", ".join([*(f'f."{k}"' for k in self.keys), *(f'c."{k}"' for k in self.customer_keys)])
        picked = ", ".join(["id", *(f'"{k}"' for k in self.customer_keys)])
        return (
            f'SELECT CAST(f."{self.at}" AS DATE) AS day, {keys}, CAST({sign:d} * count(*) AS BIGINT) AS weight '
            f'FROM "{self.source}" AS f LEFT JOIN (SELECT {picked} FROM customers WHERE {customers}) AS c '
            f"ON c.id = f.customer_id WHERE {where} GROUP BY ALL"
        )

    def rebuild(self, db: duckdb.DuckDBPyConnection) -> None:
        db.execute(f'CREATE OR REPLACE TABLE "{self.table}" AS {self.select("true")}')
        self._folded(db)

    def count_in(self, db: duckdb.DuckDBPyConnection, where: str, sign: int = 1) -> None:
        # A sync brings a few rows: naming their customers lets DuckDB skip to them by the
        # row groups' id ranges (3 ms at 10M answers and 500k customers) instead of hashing
        # every customer for the join (30-50 ms).
        customers = "true"
        if self.customer_keys:
            ids = db.execute(
                f'SELECT DISTINCT customer_id FROM "{self.source}" AS f WHERE ({where}) '
                f"AND customer_id IS NOT NULL LIMIT {FEW_CUSTOMERS + 1:d}"
            ).fetchall()
            if len(ids) <= FEW_CUSTOMERS:
                customers = f"id IN ({', '.join(str(int(i)) for (i,) in ids) or 'NULL'})"
        db.execute(f'INSERT INTO "{self.table}" {self.select(where, sign, customers)}')

    def fold(self, db: duckdb.DuckDBPyConnection, *, force: bool = False) -> None:
        """Fold rows of one group together once the summary has doubled since the last fold."""
        rows = db.execute(f'SELECT count(*) FROM "{self.table}"').fetchone()[0]
        folded = db.execute("SELECT value FROM _cx_mirror WHERE key = ?", [self._key]).fetchone()
        if not force and folded is not None and rows <= 2 * int(folded[0]) + 10_000:
            return
        cols = ", ".join(f'"{k}"' for k in self.columns)
        db.execute(
            f'CREATE OR REPLACE TABLE "{self.table}" AS SELECT {cols}, CAST(sum(weight) AS BIGINT) AS weight '
            f'FROM "{self.table}" GROUP BY ALL HAVING sum(weight) <> 0'
        )
        self._folded(db)

    def fits(self, db: duckdb.DuckDBPyConnection) -> bool:
        """Whether the mirror holds this summary with its present columns (a mirror file
        written by an older cxlens may hold none, or another)."""
        have = db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = ? ORDER BY ordinal_position",
            [self.table],
        ).fetchall()
        return [c for (c,) in have] == [*self.columns, "weight"]

    @property
    def _key(self) -> str:
        return f"folded:{self.table}"

    def _folded(self, db: duckdb.DuckDBPyConnection) -> None:
        rows = db.execute(f'SELECT count(*) FROM "{self.table}"').fetchone()[0]
        db.execute("INSERT OR REPLACE INTO _cx_mirror VALUES (?, ?)", [self._key, str(rows)])


ROLLUPS: dict[str, Rollup] = {
    "responses": Rollup(
        "_cx_responses_daily",
        "responses",
        "answers",
        "submitted_at",
        ("metric", "score", "scale_min", "scale_max", "touchpoint_id", "survey_id", "channel"),
        ("segment",),
        frozenset({"touchpoint", "journey", "stage", "team", "survey", "channel", "segment"}),
    ),
}
