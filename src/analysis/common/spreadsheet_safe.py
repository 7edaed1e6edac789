"""Text that spreadsheets show as text: no cell from a data file runs as a formula.

A cell such as ``=HYPERLINK("http://…","click")`` or ``@SUM(1+1)*cmd|' /C calc'!A0`` read
from an input file and written back into ``rejects.csv`` would run when an analyst opens the
file in Excel or LibreOffice (CSV injection, OWASP). Following OWASP's advice, a text cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe (``'=1+1``), which spreadsheets show as the text itself. A number stays a
number: numeric columns are never touched, and a text cell that is a plain number
(``-100``, ``+5``, ``-8.356,336``) is left as it is, since a spreadsheet reads it as that
number and runs nothing.

In a workbook written with openpyxl, text is stored as a string cell (``data_type 's'``),
which Excel never evaluates; only text beginning with ``=`` needs :func:`as_text_cell`,
because openpyxl takes it for a formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

#: What a spreadsheet may take as the start of a formula (OWASP, "CSV Injection").
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def safe_text(value: object) -> object:
    """``value`` with an apostrophe in front when a spreadsheet could run it; anything else unchanged.

    >>> safe_text("=1+1"), safe_text("-100"), safe_text("Xã Chiến Thắng"), safe_text(-5)
    ("'=1+1", '-100', 'Xã Chiến Thắng', -5)
    """
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are safe to open in a spreadsheet (numbers untouched)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_text, na_action="ignore").astype(out[column].dtype)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table for people as CSV (UTF-8 with BOM, as Excel opens it), safe from injection."""
    path = Path(path)
    safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def as_text_cell(cell) -> None:
    """Keep an openpyxl cell holding text beginning with ``=`` a text cell, not a formula."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"
