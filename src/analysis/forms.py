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

from analysis import formlabels as fl
from analysis.errors import InputFileError, ParameterError
from analysis.formgrid import (
    HEADER_SEARCH_ROWS,
    Column,
    Grid,
    addr,
    col_letter,
    find_header,
    fmt_num,
    number,
    read_columns,
)
from analysis.formrows import (
    TOLERANCE,
    UNIT_FIX,
    Context,
    Row,
    SubtotalCheck,
    column_agrees,
    column_checks,
    merge_dims,
    outline,
    row_checks,
    table_rows,
    units_list,
)
from analysis.schema import FINANCE
from analysis.storage import atomic_write_bytes

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
        diffs = self.differences
        lines += ["", f"subtotals checked: {len(self.checks)}, disagreeing with their parts: {len(diffs)}"]
        lines += [f"  DIFFERENCE {d.describe(self.path)}" for d in diffs]
        return "\n".join(lines)


# --- a sheet --------------------------------------------------------------------------


def _title_context(grid: Grid, top: int, ctx: Context, province: str | None) -> Context:
    """Year, as-of date and unit from the title block above the header (options win)."""
    from analysis.units import resolve_district, resolve_province

    out = Context(ctx.year_cli, ctx.as_of_cli, ctx.province, ctx.district, notes=list(ctx.notes))
    lines = [fl.nfc(v) for (r, c), v in sorted(grid.values.items()) if r < top and isinstance(v, str)]
    for line in lines:
        if out.as_of is None and fl.find_as_of(line):
            out.as_of = fl.find_as_of(line)
            out.notes.append(f"as of {out.as_of.isoformat()} from the title '{line[:60]}'")
        if out.year is None and fl.find_year(line):
            out.year = fl.find_year(line)
            out.notes.append(f"year {out.year} from the title '{line[:60]}'")
        f = fl.fold(line)
        for prefix in ("ubnd ", "uy ban nhan dan "):
            if not f.startswith(prefix):
                continue
            rest = line.split(None, 3 if prefix == "uy ban nhan dan " else 1)[-1]
            try:
                if out.district is None and fl.is_unit_name(rest) == "district":
                    out.district = resolve_district(rest, out.province or province)[0]
                    out.notes.append(f"district {out.district} from the title '{line[:60]}'")
                elif out.province is None and fl.fold(rest).startswith("tinh "):
                    out.province = resolve_province(rest.split(None, 1)[1])[0]
                    out.notes.append(f"province {out.province} from the title '{line[:60]}'")
            except ParameterError as exc:
                out.notes.append(f"the title '{line[:60]}' names no known unit ({exc})")
    if out.district is None:
        try:
            out.district = resolve_district(grid.name, out.province)[0]
            out.notes.append(f"district {out.district} from the sheet name")
        except ParameterError:
            pass
    return out


def _describe(dims: dict) -> str:
    parts = []
    for k in ("project", "capital_type", "fund", "measure", "source", "year", "as_of", "commune", "district"):
        if k in dims:
            v = dims[k]
            parts.append(f"{k.replace('_', ' ')} {v.isoformat() if isinstance(v, date) else v}")
    return ", ".join(parts) or "nothing"


def _sheet(grid: Grid, ctx: Context, result: FormImport, facts: dict) -> bool:
    """Read one sheet into ``facts``; False if it holds no form table."""
    header = find_header(grid)
    if header is None:
        result.skipped.append(f"sheet '{grid.name}': no table with Kế hoạch / Giải ngân headers in its first "
                              f"{HEADER_SEARCH_ROWS} rows")  # fmt: skip
        return False
    top, bottom = header
    ctx = _title_context(grid, top, ctx, ctx.province)
    cols = read_columns(grid, top, bottom)
    keys: dict[str, int] = {}
    for col in cols:
        if col.role == "key" and col.key not in keys:
            keys[col.key] = col.index
    start = bottom + 1
    body = table_rows(grid, start, result.skipped)
    figure_cols = _figure_columns(grid, cols, body, result)
    data_cols = [c for c in cols if c.role == "data" and c.index in figure_cols]
    if not {"plan", "disbursed"} <= {c.dims.get("measure") for c in data_cols}:
        raise grid.error(
            None,
            "the table needs both plan (Kế hoạch) and disbursed (Giải ngân) columns; found "
            + (", ".join(f"{col_letter(c.index)} '{c.title}'" for c in data_cols) or "no figure columns"),
            "add the missing columns, or import a form that reports both",
        )
    if "name" not in keys and "stt" not in keys:
        first_data = min(c.index for c in data_cols)
        keys["name"] = next((c for c in range(first_data - 1, 0, -1) if any(grid.own(r, c) for r in body)), 1)
    roots, order = outline(grid, body, keys, figure_cols, ctx, result.skipped)
    n_checks = len(result.checks)
    row_checks(grid, roots, order, figure_cols, result.checks)
    column_checks(grid, cols, order, result.checks, result.skipped)
    result.mapped.append(
        f"sheet '{grid.name}': header rows {top}-{bottom}, table rows {body[0] if body else '-'}-"
        f"{body[-1] if body else '-'}; " + ("; ".join(ctx.notes) or "no unit or date in the title")
    )
    if grid.converted:
        result.mapped.append(f"  {grid.converted} cells typed in TCVN3 or VNI fonts converted to Unicode")
    if grid.padded:
        result.mapped.append(f"  {grid.padded} codes typed as numbers: their leading zeros restored (6481 -> 06481)")
    for col in cols:
        _map_column(grid, col, cols, figure_cols, result)
    n_facts = _facts(grid, roots, data_cols, ctx, facts, result)
    for node in order:
        _map_row(grid, node, result)
    result.mapped.append(
        f"  -> {n_facts} figures read; {len(result.checks) - n_checks} subtotal cells checked against their parts"
    )
    return True


def _figure_columns(grid: Grid, cols: list[Column], body: list[int], result: FormImport) -> list[int]:
    """Columns holding figures (data and total columns); refuses a figure column it cannot place."""
    out = []
    for col in cols:
        if col.role in ("key", "skip", "rate"):
            continue
        has = any(number(grid, r, col.index) is not None for r in body)
        placed = set(col.dims) - {"year", "as_of"} or col.role == "total"
        where = f"sheet '{grid.name}' column {col_letter(col.index)}"
        if col.unknown and placed:
            label, cell = col.unknown[0]
            raise grid.error(
                cell,
                f"the header '{label}' above column {col_letter(col.index)} ('{col.title}') is not a project, capital "
                "type, fund, funding source or measure, so the importer cannot place its figures",
                "rename the header (for example 'Dự án 1', 'Vốn đầu tư phát triển', 'Vốn sự nghiệp', 'Chuyển "
                "nguồn', 'Kế hoạch', 'Giải ngân', 'Tổng số'), or delete the column if it is not a figure of the table",
            )
        if "measure" in col.dims:
            out.append(col.index)
        elif has and placed:
            raise grid.error(
                col.path[-1][1],
                f"column {col_letter(col.index)} ('{col.title}') has figures but its header does not say "
                "whether they are the plan (Kế hoạch) or the disbursement (Giải ngân)",
                "add 'Kế hoạch' or 'Giải ngân' to the header of the column",
            )
        elif has:
            header = f" '{col.title}'" if col.path else " (no header)"
            result.skipped.append(f"{where}{header}: figures that are not a plan or disbursement")
    return out


def _map_column(grid: Grid, col: Column, cols: list[Column], figure_cols: list[int], result: FormImport) -> None:
    head = f"  column {col_letter(col.index)} '{col.title}' -> "
    if col.role == "key":
        result.mapped.append(head + {"stt": "row numbers", "name": "row labels"}.get(col.key, f"{col.key} codes"))
    elif col.role == "rate":
        result.skipped.append(f"sheet '{grid.name}' column {col_letter(col.index)} '{col.title}': a rate, worked out "
                              "from plan and disbursed")  # fmt: skip
    elif col.role == "total" and col.index in figure_cols:
        parts = [col_letter(p.index) for p in cols if column_agrees(p, col)]
        result.mapped.append(head + f"subtotal of columns {', '.join(parts) or '(none)'}: not written, checked")
    elif col.role == "data" and col.index in figure_cols:
        result.mapped.append(head + _describe(col.dims))


def _map_row(grid: Grid, node: Row, result: FormImport) -> None:
    head = f"  row {node.r} '{node.title[:50]}' -> "
    if node.kind == "total":
        result.mapped.append(head + "total row: not written, checked against the rows it adds up")
    elif node.kind == "subtotal":
        rows = ", ".join(str(ch.r) for ch in node.children)
        result.mapped.append(head + f"subtotal of rows {rows}: not written, checked")
    elif node.kind == "heading":
        result.mapped.append(head + f"heading ({_describe(node.dims)}) for the rows under it")
    elif node.kind == "empty":
        result.skipped.append(f"sheet '{grid.name}' row {node.r} '{node.title[:40]}': no figures")
    elif node.kind == "fact":
        result.mapped.append(head + _describe(node.dims) + (" (detail, summed)" if node.detail else ""))


def _leaves(nodes: list[Row]):
    for node in nodes:
        if node.children:
            yield from _leaves(node.children)
        else:
            yield node


def _facts(grid: Grid, roots: list[Row], data_cols: list[Column], ctx: Context, facts: dict, result) -> int:
    """Leaf rows x figure columns into ``facts`` (key -> measure -> [value, cells, summable])."""
    n = 0
    default_fund = False
    for node in _leaves(roots):
        for col in data_cols:
            value = number(grid, node.r, col.index)
            if value is None:
                continue
            cell = addr(node.r, col.index)
            dims = merge_dims(node.dims, col.dims, grid, cell, f"the header of column {col_letter(col.index)}")
            if "subproject" in dims:
                raise grid.error(cell, f"sub-project {dims['subproject']} without its project (Dự án)",
                                 "name the project in the header or in a row above ('Dự án 3')")  # fmt: skip
            if "capital_type" not in dims:
                raise grid.error(
                    cell,
                    f"the figure {fmt_num(value)} has no capital type: neither its row ('{node.title[:40]}') nor its "
                    f"column ('{col.title}') says vốn đầu tư phát triển or vốn sự nghiệp",
                    "add the capital type to the header (or a row such as 'I. Vốn đầu tư phát triển')",
                )
            if "fund" not in dims:
                dims["fund"], default_fund = "current", True
            key = _key(grid, cell, dims, ctx)
            entry = facts.setdefault(key, {}).setdefault(dims["measure"], [0.0, [], True])
            summable = node.detail or "source" in dims
            if entry[1] and not (summable and entry[2]):
                raise grid.error(
                    cell,
                    f"this figure and the one in {entry[1][0]} are the same fact ({_describe(dims)}, "
                    f"commune {key[4] or '-'}, district {key[3]}), so one of them would be counted twice",
                    "give each row its unit or project and each column its own project, capital type and fund",
                )
            entry[0] += value
            entry[1].append(f"'{grid.name}'!{cell}")
            entry[2] = entry[2] and summable
            n += 1
    if default_fund:
        result.mapped.append(
            f"  fund: the sheet '{grid.name}' does not split current and carried-over funds; its figures are taken "
            "as the year's own allocation (current, vốn giao trong năm)"
        )
    return n


def _key(grid: Grid, cell: str, dims: dict, ctx: Context) -> tuple:
    district = dims.get("district") or ctx.district
    if district is None:
        raise grid.error(cell, "the form does not say which district its figures are for", UNIT_FIX)
    as_of = dims.get("as_of") if ctx.as_of_cli is None else ctx.as_of_cli
    as_of = as_of or ctx.as_of
    if as_of is None:
        raise grid.error(
            cell,
            "the form does not say the date its figures run to",
            "give --as-of (for example --as-of 30/11/2023), or write 'Số liệu tính đến ngày 30/11/2023' in the title",
        )
    year = ctx.year_cli or dims.get("year") or ctx.year or (as_of.year if as_of.month > 1 else None)
    if year is None:
        raise grid.error(cell, f"the plan year of figures as of {as_of.isoformat()} is not clear", "give --year")
    units = units_list()
    province = ctx.province
    hit = units.loc[units["district_code"] == district, "province_code"]
    if len(hit):
        province = hit.iloc[0]
    return (int(year), as_of, province, district, dims.get("commune"), dims.get("project"), dims["capital_type"],
            dims["fund"])  # fmt: skip


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

    Returns
    -------
    FormImport
        ``table`` in the columns of :data:`analysis.schema.FINANCE`, one row per fact, in the
        order of the form; ``mapped``, ``skipped`` and ``checks`` say what was done.

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
    names = wb.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise InputFileError(path, f"no sheet named '{sheet}'; the workbook has {names}", "pass one of those")
        names = [sheet]
    result = FormImport(path, pd.DataFrame(columns=COLUMNS))
    facts: dict = {}
    for name in names:
        grid = Grid(wb[name], wbf[name], path)
        if _sheet(grid, ctx, result, facts):
            result.sheets.append(name)
    if not result.sheets:
        raise InputFileError(path, "no sheet holds a form table (a header with Kế hoạch and Giải ngân columns)",
                             "check the workbook, or pass the sheet with --sheet")  # fmt: skip
    result.table = _table(facts)
    return result


def _options(year, as_of, province, district) -> Context:
    from analysis.units import resolve_district, resolve_province

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
    """Write an imported table as a canonical finance CSV (UTF-8, English headers) for ``prepare``."""
    path = Path(path)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in table.itertuples(index=False):
        writer.writerow(["" if v is None or (isinstance(v, float) and pd.isna(v)) else _plain(v) for v in row])
    # refused, not overwritten, when a user's file (a corrected copy, say) is there (analysis.ownership)
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
    return path


def _plain(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


def import_form(path: str | Path, out_dir: str | Path, **options) -> FormImport:
    """Read a form (:func:`read_form`) and write ``<out_dir>/<name>.finance.csv``; the result knows the path."""
    result = read_form(path, **options)
    result.csv_path = write_finance_csv(result.table, Path(out_dir) / f"{Path(path).stem}.finance.csv")
    return result
