"""The Explorer's table as a download: CSV (``/explorer.csv``) and Excel (``/explorer.xlsx``),
for analysts and admins.

With periods, ``p_value`` is each row's own comparison test and ``q_value`` its
Benjamini–Hochberg q-value across the rows of the view; ``significant`` is what the page flags,
``q_value`` ≤ q (alerting's false-discovery rate), not the uncorrected ``p_value`` < 0.05.

Customers type anything, and a spreadsheet runs a cell that starts with "=" as a formula: a
CSV cell that would is prefixed with a quote, and an Excel text cell is stored as text.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from ...access import Session
from ...errors import InputError
from ..deps import kpi_engine_of
from .explorer import explore, explorer_args
from .filters import Filters
from .session import require_role
from .significance import page_q

__all__ = ["FORMULA_STARTS", "csv_cell", "router", "xlsx_workbook"]

router = APIRouter(include_in_schema=False)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(request: Request) -> tuple[Filters, str, str | None, list[str], list[dict]]:
    """The filters, metric, split, columns and rows of the Explorer view the URL names."""
    try:
        filters = Filters.from_request(request)
        metric, by, with_grain = explorer_args(request)
        view = explore(kpi_engine_of(request), metric, by, filters, with_grain, q=page_q(request.app.state.store))
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    keys = [*([by] if by else []), *(["period"] if view["grain"] else [])]
    columns = [
        *keys,
        "value",
        "low",
        "high",
        "n",
        "method",
        "sufficient",
        "change",
        "p_value",
        "q_value",
        "significant",
    ]
    # The download says what the page flags: significant after the correction across the view.
    rows = [r | {"significant": r["fdr_significant"]} if "fdr_significant" in r else r for r in view["rows"]]
    return filters, metric, by, columns, rows


def _file_name(filters: Filters, metric: str, by: str | None, suffix: str) -> str:
    return f"cxlens-{metric}{'-by-' + by if by else ''}-{filters.since}-{filters.until}.{suffix}"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/explorer.csv")
def explorer_csv(request: Request, session: Session = Depends(require_role("analyst"))):
    filters, metric, by, columns, rows = _table(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([csv_cell(r.get(c)) for c in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(_file_name(filters, metric, by, "csv")),
    )


@router.get("/explorer.xlsx")
def explorer_xlsx(request: Request, session: Session = Depends(require_role("analyst"))):
    """The Explorer's table as an Excel workbook: numbers as numbers, periods as dates."""
    filters, metric, by, columns, rows = _table(request)
    cells = [[_xlsx_cell(r.get(c)) for c in columns] for r in rows]
    return Response(
        xlsx_workbook(metric[:31], columns, cells),
        media_type=XLSX_TYPE,
        headers=_attachment(_file_name(filters, metric, by, "xlsx")),
    )


def _xlsx_cell(v: Any) -> Any:
    # Excel has no time zones, and no NaN or infinity (an interval from one answer).
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v.replace(tzinfo=None)
    if isinstance(v, float) and (v != v or abs(v) == float("inf")):
        return None
    return v


def xlsx_workbook(sheet: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    """A one-sheet workbook (what Excel, LibreOffice and Numbers open), written by openpyxl:
    numbers as numbers, dates with a date format, text as text. Control characters, which
    customers can type but the file format cannot hold, are dropped from text cells, and text
    is never read as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    ws = book.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", sheet)[:31] or "sheet")

    def text(value: str) -> WriteOnlyCell:
        # openpyxl takes a string starting with "=" for a formula: a customer's "=HYPERLINK(…)"
        # must stay the text they typed.
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell

    ws.append([text(c) for c in columns])
    for values in rows:
        ws.append([text(v) if isinstance(v, str) else v for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# What a spreadsheet reads as the start of a formula (OWASP's CSV injection list): TAB and CR
# too, which some spreadsheets skip before looking for "=".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, str) and v[:1] in FORMULA_STARTS:
        return "'" + v  # a spreadsheet would run it as a formula
    return "" if v is None else v
