"""Importing the circular's report forms: Excel workbooks as offices fill them, into the
canonical finance table.

A form (the report forms of the NTP 1719 monitoring circular, Thông tư 01/2022/TT-UBDT, and
the disbursement tables offices derive from them) has a title block, a header of two or
three merged rows, numbered row labels and subtotal rows. This module reads it cell by cell:

- **Header.** The header block is found by its labels (``Kế hoạch``, ``Giải ngân``, ``Vốn
  đầu tư phát triển``, ``Dự án 1``, ``STT``…). Each column gets the path of header cells
  above it, merged cells included (``ws.merged_cells``): "Dự án 1 / Vốn đầu tư phát triển /
  Kế hoạch" is project DA1, investment capital, plan. Columns headed ``STT``, ``Nội dung``
  or ``Đơn vị`` (the row labels) and ``Mã xã``/``Mã huyện`` (codes) are key columns.
- **Rows.** Rows form an outline by their numbers (``A``, ``I``, ``1``, ``1.1``/``a``,
  ``-``) or labels (``Dự án 4``, ``Tiểu dự án 1``, ``Huyện …``, ``Xã …``). What a row label
  says (project, capital type, fund, unit) applies to the rows under it.
- **Facts.** Only the leaves of the two outlines are facts: a row with rows under it is a
  subtotal, and so is a row labelled ``Tổng cộng``/``Cộng`` or a column headed ``Tổng
  số``/``Tổng cộng``. Subtotals are never written; each one is checked against the sum of
  its parts and any difference reported with its cell (``C14``) and both figures.
- **Where and when.** The district comes from a code column, a unit row ("Huyện Chi Lăng"),
  ``--district``, the title block ("UBND HUYỆN CHI LĂNG") or the sheet name; the as-of date
  from a header ("Giải ngân đến 30/11/2023"), ``--as-of`` or the title block ("Số liệu tính
  đến ngày 30/11/2023"); the year from ``--year``, a header or title ("năm 2023") or the
  as-of date.

Both orientations read the same way: units down the rows with projects and capital types
across the columns, or projects down the rows with capital types across (one district per
sheet). ``docs/data-format.md`` ("Report forms: ntp-atlas import") has an example.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis.catalog.units import resolve_district, resolve_province
from analysis.common.storage import atomic_write_bytes
from analysis.errors import InputFileError, ParameterError, SubtotalError
from analysis.inputs.forms.figures import CONVENTIONS, Reading, read_text_figures
from analysis.inputs.forms.grid import Grid, col_letter, fmt_num
from analysis.inputs.forms.rows import TOLERANCE, Context, SubtotalCheck
from analysis.inputs.forms.sheet import lay_out, read_sheet
from analysis.inputs.schema import FINANCE

__all__ = ["TOLERANCE", "FormImport", "SubtotalCheck", "import_form", "read_form", "write_finance_csv"]


@dataclass
class FormImport:
    """A form read into the canonical finance table, with what was mapped, skipped and checked."""

    path: Path
    table: pd.DataFrame
    mapped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    checks: list[SubtotalCheck] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    #: written although subtotals disagree (``--accept-subtotal-differences``)
    differences_accepted: bool = False
    csv_path: Path | None = None

    @property
    def differences(self) -> list[SubtotalCheck]:
        """Subtotals that do not agree with the sum of their parts."""
        return [c for c in self.checks if not c.agrees]

    def report(self) -> str:
        """What the importer did, for the user: mapping, skips, subtotal checks."""
        lines = [f"{self.path.name}: {len(self.table)} finance rows from {len(self.sheets)} sheet(s)"]
        if self.csv_path:
            lines[0] += f" -> {self.csv_path}"
        lines += ["", "mapped:"] + [f"  {m}" for m in self.mapped]
        if self.skipped:
            lines += ["", "skipped:"] + [f"  {s}" for s in self.skipped]
        if self.readings:
            lines += ["", f"figures written as text that read two ways: {len(self.readings)}"]
            lines += [f"  READ {r.describe()}" for r in self.readings]
        diffs = self.differences
        lines += ["", f"subtotals checked: {len(self.checks)}, disagreeing with their parts: {len(diffs)}"]
        lines += [f"  DIFFERENCE {d.describe(self.path)}" for d in diffs]
        if diffs and self.differences_accepted:
            lines.append("  written all the same (--accept-subtotal-differences): the parts as the form has them")
        return "\n".join(lines)


# --- the workbook ---------------------------------------------------------------------

COLUMNS = [c.name for c in FINANCE.columns]


def read_form(
    path: str | Path,
    *,
    sheet: str | None = None,
    year: int | str | None = None,
    as_of: str | date | None = None,
    province: str | None = None,
    district: str | None = None,
    decimal: str | None = None,
) -> FormImport:
    """Read a report-form workbook into the canonical finance table.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook.
    sheet
        Read only this sheet (default: every sheet with a form table).
    year, as_of
        The plan year and the date the figures run to, when the form does not say them (or
        to override what it says). ``as_of`` as ``yyyy-mm-dd`` or ``dd/mm/yyyy``.
    province, district
        GSO code or name, when the form has no code columns and its title does not name them.
    decimal
        ``","`` or ``"."``: how figures typed as text that read two ways (``1,300``) are read
        when nothing in the workbook shows it (:mod:`analysis.inputs.forms.figures`); the workbook's
        own evidence is used first, and evidence against the option is refused.

    Returns
    -------
    FormImport
        ``table`` in the columns of :data:`analysis.inputs.schema.FINANCE`, one row per fact, in the
        order of the form; ``mapped``, ``skipped``, ``readings`` and ``checks`` say what was done.

    Raises
    ------
    FormError
        A cell or header the importer cannot read, with the sheet, the cell and the fix.
    InputFileError
        The file is missing or not a workbook.
    """
    import openpyxl

    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found", "check the path")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputFileError(
            path,
            f"report forms are read from Excel workbooks, not '{path.suffix}' files",
            "save the form as .xlsx (a CSV in the canonical format goes to 'ntp-atlas prepare')",
        )
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        wbf = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken zip/xml
        raise InputFileError(
            path,
            f"cannot open as an Excel workbook ({type(exc).__name__})",
            "check that the file is a valid .xlsx (open and save it again in Excel)",
        ) from None
    ctx = _options(year, as_of, province, district)
    if decimal is not None and decimal not in CONVENTIONS:
        raise ParameterError(f"--decimal must be ',' or '.', not {decimal!r}")
    names = wb.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise InputFileError(path, f"no sheet named '{sheet}'; the workbook has {names}", "pass one of those")
        names = [sheet]
    result = FormImport(path, pd.DataFrame(columns=COLUMNS))
    facts: dict = {}
    tables = []
    for name in names:
        table = lay_out(Grid(wb[name], wbf[name], path), ctx, result)
        if table is not None:
            tables.append(table)
            result.sheets.append(name)
    if not result.sheets:
        raise InputFileError(path, "no sheet holds a form table (a header with Kế hoạch and Giải ngân columns)",
                             "check the workbook, or pass the sheet with --sheet")  # fmt: skip
    result.readings = read_text_figures(tables, decimal)
    for table in tables:
        read_sheet(table, result, facts)
    result.table = _table(facts)
    return result


def _options(year, as_of, province, district) -> Context:
    ctx = Context()
    if year is not None:
        try:
            ctx.year_cli = int(year)
        except ValueError:
            raise ParameterError(f"--year must be a year such as 2023, not {year!r}") from None
    if as_of is not None:
        ctx.as_of_cli = as_of if isinstance(as_of, date) else _parse_date(str(as_of))
    if province is not None:
        ctx.province = resolve_province(province)[0]
    if district is not None:
        ctx.district = resolve_district(district, ctx.province)[0]
        ctx.notes.append(f"district {ctx.district} from --district")
    return ctx


def _parse_date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise ParameterError(f"--as-of must be a date such as 2023-11-30 or 30/11/2023, not {text!r}")


def _table(facts: dict) -> pd.DataFrame:
    rows = []
    for key, measures in facts.items():
        year, as_of, province, district, commune, project, capital, fund = key
        plan = measures.get("plan", [0.0])[0]
        disbursed = measures.get("disbursed", [0.0])[0]
        rows.append([year, as_of.isoformat(), province, district, commune, project, capital, fund,
                     round(plan, 6), round(disbursed, 6)])  # fmt: skip
    # a form is read for NTP 1719: the programme column stays empty (its default)
    return pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "programme"]).reindex(columns=COLUMNS)


def write_finance_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write an imported table as a canonical finance CSV (UTF-8, English headers) for ``prepare``.

    Written atomically (:func:`analysis.common.storage.atomic_write_bytes`): a failed or killed run
    leaves the previous file as it was, never half a table.
    """
    path = Path(path)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in table.itertuples(index=False):
        writer.writerow(["" if v is None or (isinstance(v, float) and pd.isna(v)) else _plain(v) for v in row])
    # refused, not overwritten, when a user's file (a corrected copy, say) is there (analysis.common.ownership)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path


def _plain(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def import_form(
    path: str | Path, out_dir: str | Path, *, accept_subtotal_differences: bool = False, **options
) -> FormImport:
    """Read a form (:func:`read_form`) and write ``<out_dir>/<name>.finance.csv``; the result knows the path.

    Parameters
    ----------
    path, out_dir
        The workbook, and the folder of the CSV.
    accept_subtotal_differences
        Write the parts even when subtotals of the form disagree with them (the differences
        stay in the report). By default nothing is written and :class:`SubtotalError` is raised.
    **options
        As for :func:`read_form`.

    Raises
    ------
    SubtotalError
        A subtotal disagrees with its parts; the error names each subtotal row, the sum
        expected and the figure found, and holds the import (``result``) for its report.
    """
    result = read_form(path, **options)
    if result.differences and not accept_subtotal_differences:
        raise _disagreeing(result)
    result.differences_accepted = bool(result.differences)
    result.csv_path = write_finance_csv(result.table, Path(out_dir) / f"{Path(path).stem}.finance.csv")
    return result


def _disagreeing(result: FormImport) -> SubtotalError:
    diffs = result.differences
    lines = [
        f"  sheet '{d.sheet}', row {d.at[0]} '{d.row_title[:50]}', column {col_letter(d.at[1])} '{d.column_title}' "
        f"(cell {d.cell}): expected {fmt_num(d.parts_sum)}, the sum of {d.shown_parts()}; found {fmt_num(d.stated)}"
        for d in diffs
    ]
    return SubtotalError(
        result.path,
        f"{len(diffs)} subtotal cell(s) of the form disagree with the sum of their parts, so nothing was written:\n"
        + "\n".join(lines),
        "correct the figures in the form (a part or the subtotal is wrong), or, if the parts are right and the "
        "subtotals are not, import them with --accept-subtotal-differences",
        result=result,
    )
