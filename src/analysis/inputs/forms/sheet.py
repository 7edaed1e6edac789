"""One sheet of a report form: its header, rows and figures, into facts.

Part of the form importer (:mod:`analysis.inputs.forms.importer`, which reads the workbook).
:func:`read_sheet` finds the header block (:mod:`analysis.inputs.forms.grid`), the outline of the
rows (:mod:`analysis.inputs.forms.rows`), checks the subtotals, and adds the sheet's figures to the
facts of the workbook, saying in the import's ``mapped`` and ``skipped`` lists what became of
every column and row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from analysis.catalog.units import resolve_district, resolve_province
from analysis.common.text import fold
from analysis.errors import ParameterError
from analysis.inputs.forms import labels as fl
from analysis.inputs.forms.grid import (
    HEADER_SEARCH_ROWS,
    Column,
    Grid,
    addr,
    col_letter,
    find_header,
    fmt_num,
    is_numbering_row,
    number,
    read_columns,
)
from analysis.inputs.forms.rows import (
    Context,
    Row,
    SubtotalCheck,
    column_agrees,
    column_checks,
    evaluate,
    merge_dims,
    outline,
    row_checks,
    table_rows,
)
from analysis.inputs.forms.unit_cells import UNIT_FIX, units_list

if TYPE_CHECKING:
    from analysis.inputs.forms.importer import FormImport

__all__ = ["SheetTable", "lay_out", "read_sheet"]


def _title_context(grid: Grid, top: int, ctx: Context, province: str | None) -> Context:
    """Year, as-of date and unit from the title block above the header (options win)."""
    out = Context(ctx.year_cli, ctx.as_of_cli, ctx.province, ctx.district, notes=list(ctx.notes))
    lines = [fl.nfc(v) for (r, c), v in sorted(grid.values.items()) if r < top and isinstance(v, str)]
    for line in lines:
        if out.as_of is None and fl.find_as_of(line):
            out.as_of = fl.find_as_of(line)
            out.notes.append(f"as of {out.as_of.isoformat()} from the title '{line[:60]}'")
        if out.year is None and fl.find_year(line):
            out.year = fl.find_year(line)
            out.notes.append(f"year {out.year} from the title '{line[:60]}'")
        f = fold(line)
        for prefix in ("ubnd ", "uy ban nhan dan "):
            if not f.startswith(prefix):
                continue
            rest = line.split(None, 3 if prefix == "uy ban nhan dan " else 1)[-1]
            try:
                if out.district is None and fl.is_unit_name(rest) == "district":
                    out.district = resolve_district(rest, out.province or province)[0]
                    out.notes.append(f"district {out.district} from the title '{line[:60]}'")
                elif out.province is None and fold(rest).startswith("tinh "):
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


@dataclass
class SheetTable:
    """A sheet's form table as laid out (:func:`lay_out`): header, columns, outline, subtotal checks."""

    grid: Grid
    ctx: Context
    header: tuple[int, int]
    cols: list[Column]
    body: list[int]
    figure_cols: list[int]
    data_cols: list[Column]
    roots: list[Row]
    order: list[Row]
    checks: list[SubtotalCheck] = field(default_factory=list)


def lay_out(grid: Grid, ctx: Context, result: FormImport) -> SheetTable | None:
    """Find a sheet's form table, its columns and rows, and the subtotal checks; None if it holds none.

    Figures written as text are not read yet: the checks hold the cells they add up, so that
    :mod:`analysis.inputs.forms.figures` can use them to read the text figures of the whole workbook.
    """
    header = find_header(grid)
    if header is None:
        result.skipped.append(f"sheet '{grid.name}': no table with Kế hoạch / Giải ngân headers in its first "
                              f"{HEADER_SEARCH_ROWS} rows")  # fmt: skip
        return None
    top, bottom = header
    ctx = _title_context(grid, top, ctx, ctx.province)
    cols = read_columns(grid, top, bottom)
    keys: dict[str, int] = {}
    for col in cols:
        if col.role == "key" and col.key not in keys:
            keys[col.key] = col.index
    body = table_rows(grid, bottom + 1, result.skipped)
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
    table = SheetTable(grid, ctx, (top, bottom), cols, body, figure_cols, data_cols, roots, order)
    row_checks(grid, roots, order, figure_cols, table.checks, {c.index: c.title for c in cols})
    column_checks(grid, cols, order, table.checks, result.skipped)
    return table


def read_sheet(table: SheetTable, result: FormImport, facts: dict) -> None:
    """Add a laid-out sheet's figures to ``facts`` and say in ``result`` what became of each column and row."""
    grid, ctx, cols, body = table.grid, table.ctx, table.cols, table.body
    top, bottom = table.header
    for check in table.checks:
        evaluate(grid, check)
    result.checks.extend(table.checks)
    result.mapped.append(
        f"sheet '{grid.name}': header rows {top}-{bottom}, table rows {body[0] if body else '-'}-"
        f"{body[-1] if body else '-'}; " + ("; ".join(ctx.notes) or "no unit or date in the title")
    )
    if grid.converted:
        result.mapped.append(f"  {grid.converted} cells typed in TCVN3 or VNI fonts converted to Unicode")
    if grid.padded:
        result.mapped.append(f"  {grid.padded} codes typed as numbers: their leading zeros restored (6481 -> 06481)")
    for col in cols:
        _map_column(grid, col, cols, table.figure_cols, result)
    n_facts = _facts(grid, table.roots, table.data_cols, ctx, facts, result)
    for node in table.order:
        _map_row(grid, node, result)
    result.mapped.append(f"  -> {n_facts} figures read; {len(table.checks)} subtotal cells checked against their parts")


def _figure_columns(grid: Grid, cols: list[Column], body: list[int], result: FormImport) -> list[int]:
    """Columns holding figures (data and total columns); refuses a figure column it cannot place."""
    out = []
    for col in cols:
        if col.role in ("key", "skip", "rate"):
            continue
        has = any(number(grid, r, col.index) is not None for r in body if not is_numbering_row(grid, r))
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
    elif col.role == "skip" and col.path:
        result.skipped.append(f"sheet '{grid.name}' column {col_letter(col.index)} '{col.title}': notes or units, "
                              "not figures")  # fmt: skip
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
