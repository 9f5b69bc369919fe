"""What a kind's rules see of the rows being imported.

The importer's ``Batch`` holds a kind and runs that kind's rules (``kinds``), and the rules
read and reject the batch's values. The rules are typed with this protocol rather than with
``Batch`` itself, so that ``kinds`` does not depend on the importer that depends on it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

__all__ = ["CheckedRows"]


class CheckedRows(Protocol):
    n: int  # rows in the batch
    conn: sa.Connection
    out: dict[str, pa.Array]  # typed values by field name
    derived: dict[str, pa.Array]  # store columns computed from fields
    refs: dict[str, pa.Array]  # field -> each row's index into its referenced records

    def has(self, name: str) -> bool: ...

    def reject(self, indexes: np.ndarray, column: str, problem: str, fix: str) -> None: ...

    def reject_mask(self, mask: pa.Array, column: str, problem: str, fix: str) -> None: ...

    def reject_out_of_scale(self, score: pa.Array, low: pa.Array, high: pa.Array) -> None: ...

    def ref_rows(self, name: str) -> dict[str, pa.Array]: ...
