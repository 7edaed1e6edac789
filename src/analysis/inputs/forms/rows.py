"""The rows of a report form: their outline, what each says, and the subtotal checks.

Part of the form importer (:mod:`analysis.inputs.forms.importer`). Rows form an outline by their numbers
(``A``, ``I``, ``1``, ``1.1``/``a``, ``-``) or labels; a row with rows under it is a
subtotal, a "Tổng cộng"/"Cộng" row a total. :func:`row_checks` and :func:`column_checks`
compare every subtotal cell with the sum of its parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analysis.inputs.forms import labels as fl
from analysis.inputs.forms.grid import Column, Grid, addr, col_letter, fmt_num, has_number, is_numbering_row, number
from analysis.inputs.forms.unit_cells import row_units

#: Two figures closer than this (million VND, i.e. 1,000 VND) agree.
TOLERANCE = 0.001
_ROW_DIMS = ("project", "subproject", "capital_type", "fund")  # what a row label may say


@dataclass
class SubtotalCheck:
    """A subtotal cell of the form compared with the sum of its parts.

    ``at`` is the subtotal cell and ``terms`` the cells whose figures add up to its parts
    (a part left empty counts the rows under it), both as (row, column); ``stated`` and
    ``parts_sum`` are their figures, worked out again by :func:`evaluate` once the figures
    written as text have been read (:mod:`analysis.inputs.forms.figures`).
    """

    sheet: str
    cell: str
    label: str
    stated: float
    parts_sum: float
    parts: list[str]
    at: tuple[int, int] = (0, 0)
    terms: tuple[tuple[int, int], ...] = ()
    row_title: str = ""
    column_title: str = ""

    @property
    def difference(self) -> float:
        return self.stated - self.parts_sum

    @property
    def agrees(self) -> bool:
        return abs(self.difference) <= TOLERANCE

    def describe(self, path: Path) -> str:
        """One line naming the file, sheet, cell and both figures."""
        return (
            f"{path.name}, sheet '{self.sheet}', cell {self.cell} ({self.label}): "
            f"the form says {fmt_num(self.stated)}, the sum of its parts ({self.shown_parts()}) is "
            f"{fmt_num(self.parts_sum)}; difference {fmt_num(self.difference)}"
        )

    def shown_parts(self) -> str:
        """The part cells, the first six of them when there are more."""
        return ", ".join(self.parts[:6]) + (f" … ({len(self.parts)} cells)" if len(self.parts) > 6 else "")


def evaluate(grid: Grid, check: SubtotalCheck) -> SubtotalCheck:
    """Work out the check's two figures from its cells as they read now."""
    check.stated = number(grid, *check.at) or 0.0
    check.parts_sum = sum(number(grid, r, c) or 0.0 for r, c in check.terms)
    return check


@dataclass
class Row:
    r: int
    stt: str
    label: str
    level: int
    dims: dict
    kind: str = "fact"  # fact, subtotal (a row with figures and rows under it), heading, empty, total
    total: str | None = None
    children: list[Row] = field(default_factory=list)
    parent: Row | None = None
    detail: bool = False  # a label with nothing the importer knows: summed with its siblings

    @property
    def title(self) -> str:
        return " ".join(x for x in (self.stt, self.label) if x)


@dataclass
class Context:
    """Where and when: from the options (``*_cli``, which win), the title block, the sheet name."""

    year_cli: int | None = None
    as_of_cli: date | None = None
    province: str | None = None
    district: str | None = None
    year: int | None = None
    as_of: date | None = None
    notes: list[str] = field(default_factory=list)


def table_rows(grid: Grid, start: int, skipped: list[str]) -> list[int]:
    """Rows of the table body: from ``start`` to the signature block, empty rows left out."""
    rows = []
    for r in range(start, grid.max_row + 1):
        cells = [(c, grid.own(r, c)) for c in range(1, grid.max_col + 1) if grid.own(r, c) is not None]
        if not cells:
            continue
        first_text = next((fl.nfc(v) for _, v in cells if isinstance(v, str)), "")
        if first_text and fl.is_footer(first_text) and not has_number(grid, r, [c for c, _ in cells]):
            span = f"row {r}" if r == grid.max_row else f"rows {r}-{grid.max_row}"
            skipped.append(f"sheet '{grid.name}' {span}: below the table ('{first_text[:40]}')")
            break
        rows.append(r)
    return rows


def merge_dims(into: dict, dims: dict, grid: Grid, where: str, what: str) -> dict:
    out = dict(into)
    for k, v in dims.items():
        if k in ("year", "as_of", "source"):
            out.setdefault(k, v)
            continue
        if k in out and out[k] != v:
            raise grid.error(
                where,
                f"{what} says {k.replace('_', ' ')} {v}, but the row or column it belongs to says {out[k]}",
                "correct the label so that each figure has one project, capital type, fund and measure",
            )
        out[k] = v
    if "subproject" in out and "project" in out:
        base = str(out["project"]).split(".")[0]
        out["project"] = f"{base}.{out.pop('subproject')}"
    return out


def outline(grid: Grid, rows: list[int], keys: dict[str, int], figures: list[int], ctx: Context, skipped):
    """The rows as a tree (by their numbers and labels), total rows apart, with the dims each says."""
    stt_col, name_col = keys.get("stt"), keys.get("name")
    roots: list[Row] = []
    order: list[Row] = []
    stack: list[Row] = []
    for r in rows:
        stt = grid.text(r, stt_col)
        label = grid.text(r, name_col) if name_col else ""
        if not label and not name_col:
            label = next((grid.text(r, c) for c in sorted(keys.values()) if grid.text(r, c)), "")
        where = addr(r, name_col or stt_col or 1)
        if is_numbering_row(grid, r) and not fl.total_kind(label):
            skipped.append(f"sheet '{grid.name}' row {r}: the row of column numbers")
            continue
        if fl.is_of_which(label):
            skipped.append(f"sheet '{grid.name}' row {r} '{label[:40]}': an 'of which' row, already in the row above")
            continue
        total = fl.total_kind(label) or (fl.total_kind(stt) if stt else None)
        if total:
            row = Row(r, stt, label, 0, {}, kind="total", total=total)
            order.append(row)
            continue
        dims = {k: v for k, v in fl.classify_label(label).items() if k in _ROW_DIMS}
        level = fl.row_level(stt, label)
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        inherited = dict(parent.dims) if parent else {}
        row = Row(r, stt, label, level, {}, parent=parent)
        units = row_units(grid, r, keys, label, inherited.get("district") or ctx.district, ctx.province, where)
        row.detail = not dims and not units and bool(label)
        row.dims = merge_dims(inherited, {**dims, **units}, grid, where, f"the row label '{label}'")
        if "subproject" in row.dims:
            raise grid.error(
                where,
                f"'{label}' is a sub-project, but no 'Dự án' row above it says of which project",
                "write 'Tiểu dự án 1 thuộc Dự án 3', or put the sub-project rows under their 'Dự án' row",
            )
        (parent.children if parent else roots).append(row)
        stack.append(row)
        order.append(row)
    for node in order:
        if node.kind != "total":
            node.kind = "fact"
    _prune(roots, grid, figures)
    return roots, order


def _has_figures(grid: Grid, node: Row, figures: list[int]) -> bool:
    return any(number(grid, node.r, c) is not None for c in figures)


def _prune(nodes: list[Row], grid: Grid, figures: list[int]) -> bool:
    """Drop rows without figures anywhere below them; True if any of ``nodes`` keeps figures."""
    keep = []
    for node in nodes:
        below = _prune(node.children, grid, figures)
        own = _has_figures(grid, node, figures)
        if below or own:
            keep.append(node)
        if node.children:
            node.kind = "subtotal" if own else "heading"
        elif not own:
            node.kind = "empty"
    nodes[:] = keep
    return bool(keep)


def _terms(grid: Grid, node: Row, c: int) -> list[tuple[int, int]]:
    """The cells that make a row's figure in column c: its own, or those of the rows under it when empty."""
    if number(grid, node.r, c) is not None:
        return [(node.r, c)]
    return [t for ch in node.children for t in _terms(grid, ch, c)]


def _check(grid: Grid, checks: list, at: tuple[int, int], label: str, parts: list[tuple[int, int]],
           terms: list[tuple[int, int]], row_title: str, column_title: str) -> None:  # fmt: skip
    check = SubtotalCheck(grid.name, addr(*at), label, 0.0, 0.0, [addr(*p) for p in parts], at, tuple(terms),
                          row_title, column_title)  # fmt: skip
    checks.append(evaluate(grid, check))


def row_checks(grid: Grid, roots, order, figure_cols, checks, titles: dict[int, str]) -> None:
    """Check every figure of a row with rows under it, and of a total row, against the rows it adds up.

    ``titles`` are the figure columns' header paths, for the messages.
    """

    def walk(nodes):
        for node in nodes:
            if node.children:
                for c in figure_cols:
                    if number(grid, node.r, c) is not None:
                        parts = [(ch.r, c) for ch in node.children]
                        terms = [t for ch in node.children for t in _terms(grid, ch, c)]
                        _check(grid, checks, (node.r, c), node.title, parts, terms, node.title, titles.get(c, ""))
                walk(node.children)

    walk(roots)
    for total in (n for n in order if n.kind == "total"):
        rows = _total_parts(total, order, roots)
        for c in figure_cols:
            if number(grid, total.r, c) is not None and rows:
                terms = [t for p in rows for t in _terms(grid, p, c)]
                _check(grid, checks, (total.r, c), total.title, [(p.r, c) for p in rows], terms, total.title,
                       titles.get(c, ""))  # fmt: skip


def _total_parts(total: Row, order: list[Row], roots: list[Row]) -> list[Row]:
    """The rows a total row adds up: all top rows ("Tổng cộng"), or those since the last total ("Cộng")."""
    if total.total == "grand":
        return list(roots)
    i = order.index(total)
    before = []
    for node in reversed(order[:i]):
        if node.kind == "total":
            break
        before.append(node)
    scope = before or [n for n in order[i + 1 :]]
    rows = {n.r for n in scope}
    return [n for n in roots if n.r in rows]


def column_agrees(part: Column, total: Column) -> bool:
    if part.role != "data":
        return False
    if total.parent_span and not (total.parent_span[0] <= part.index <= total.parent_span[1]):
        return False
    for k, v in total.dims.items():
        if k in ("year", "as_of"):
            continue
        pv = part.dims.get(k)
        if k == "project" and pv and str(pv).startswith(f"{v}."):
            continue
        if pv != v:
            return False
    return True


def column_checks(grid: Grid, cols: list[Column], order: list[Row], checks, notes) -> None:
    """Check every figure of a total column ("Tổng số") against the columns it adds up, row by row."""
    rows = [n for n in order if n.kind in ("fact", "subtotal", "total")]
    for t in (c for c in cols if c.role == "total"):
        parts = [p for p in cols if column_agrees(p, t)]
        if not parts:
            notes.append(
                f"sheet '{grid.name}' column {col_letter(t.index)} '{t.title}': a total with no columns to check"
            )
            continue
        for node in rows:
            if number(grid, node.r, t.index) is None:
                continue
            cells = [(node.r, p.index) for p in parts]
            terms = [cell for cell in cells if number(grid, *cell) is not None]
            _check(grid, checks, (node.r, t.index), f"{t.title}, row {node.r}", cells, terms, node.title, t.title)
