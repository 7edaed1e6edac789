"""The Excel copy of a report: its tables, one sheet each, numbers as numbers, headers in the report's language."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.common.spreadsheet_safe import as_text_cell
from analysis.common.storage import atomic_write_bytes
from analysis.report.area import area_title
from analysis.report.copies.content import ReportTable, report_tables

if TYPE_CHECKING:

    from analysis.report.area import ReportContext


#: Excel number formats of the table column kinds (tables.FORMATS).
EXCEL_FORMATS = {"mvnd": "#,##0.000", "bvnd": "#,##0.00", "rate": "0.00%", "rate1": "0.0%",
                 "pp": "+0.0;-0.0;0.0", "int": "#,##0"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = _SHEET_FORBIDDEN.sub("-", name).strip("'")[:31] or "Sheet"
    candidate, i = base, 2
    while candidate.lower() in taken:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def _cell_value(value: object, kind: str) -> object:
    """A cell as Excel should hold it: numbers as numbers, missing as an empty cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "text":
        return str(value)
    if kind == "int":
        return int(value)
    return float(value)


def workbook_bytes(tables: Iterable[ReportTable], title: str = "") -> bytes:
    """The tables as an ``.xlsx`` workbook, a sheet per table, numbers as numbers.

    Rates are fractions with a percentage format (``0.4299`` shows as ``42.99%``), amounts
    million VND with three decimals, changes percentage points; headers in the report's
    language, the header row frozen.
    """
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for table in tables:
            columns = list(table.columns.items())
            rows = [[_cell_value(row.get(col), kind) for col, (_, kind) in columns]
                    for _, row in table.frame.iterrows()]
            frame = pd.DataFrame(rows, columns=[header for _, (header, _) in columns], dtype=object)
            name = _sheet_name(table.sheet, taken)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for j, (_, (header, kind)) in enumerate(columns, start=1):
                letter = get_column_letter(j)
                sheet.column_dimensions[letter].width = min(max(len(header), 12) + 2, 48)
                if kind in EXCEL_FORMATS:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                        cell.number_format = EXCEL_FORMATS[kind]
                elif kind == "text":  # a name or cell from the data that starts with "=" stays text
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                        as_text_cell(cell)
        if title:
            writer.book.properties.title = title
    return buf.getvalue()


def write_xlsx(ctx: ReportContext, path: str | Path) -> Path:
    """Write the tables of a report as an Excel workbook, atomically."""
    path = Path(path)
    atomic_write_bytes(path, workbook_bytes(report_tables(ctx), area_title(ctx)))
    return path
