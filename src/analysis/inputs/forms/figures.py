"""Figures a report form writes as text, read by what the form itself shows.

Part of the form importer (:mod:`analysis.inputs.forms.importer`). Excel numbers are what they are; a
figure typed as text is read with :func:`analysis.common.numbers.classify_number`. Most text
figures read one way only (``8.356,336``, ``42,99``, ``1.234.567`` the Vietnamese way;
``1,234.5`` the English way), but ``1,300`` or ``2.791`` read two ways, a thousand times
apart. Such a cell is decided by evidence, strongest first, and never silently:

1. **Its subtotals.** When the cell takes part in subtotal checks (as a part, or as the
   subtotal) and every one of them agrees under one reading and not under the other, that
   reading is the one. A check whose other text cells are still undecided is used once they
   are; cells that only decide together (a subtotal and its parts all written as text) are
   read together, the same way, when that way alone makes the check agree.
2. **How the workbook writes its figures.** The text figures that read one way only, and the
   cells decided by their subtotals, show the workbook's convention: Vietnamese (dot for
   thousands, comma for decimals) or English. The remaining cells are read that way.
3. **``--decimal``**, when the workbook shows nothing; evidence against it is refused.

A cell that nothing decides (no evidence, or evidence both ways) is refused with its cell,
both readings and the fix. Every reading is listed in the import's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.common.numbers import ParsedCell, classify_number
from analysis.errors import FormError
from analysis.inputs.forms.grid import addr
from analysis.inputs.forms.rows import SubtotalCheck, evaluate

if TYPE_CHECKING:
    from analysis.inputs.forms.sheet import SheetTable

__all__ = ["CONVENTIONS", "Reading", "read_text_figures"]

#: The two ways of writing a figure, as ``--decimal`` names them.
CONVENTIONS = {",": "vi", ".": "en"}
_NAMES = {"vi": "the Vietnamese way (dot for thousands, comma for decimals)",
          "en": "the English way (comma for thousands, dot for decimals)"}  # fmt: skip
_SHORT = {"vi": "the Vietnamese way", "en": "the English way"}


def plain(x: float) -> str:
    """A figure without thousands separators, so that it cannot be misread: 1300, 1.3."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Reading:
    """How one text figure that reads two ways was read, and why."""

    sheet: str
    cell: str
    text: str
    value: float
    convention: str  # "vi" or "en"
    why: str

    def describe(self) -> str:
        """One line for the report: the cell, what it says, what it was read as and why."""
        return f"'{self.sheet}'!{self.cell} '{self.text}' -> {plain(self.value)}: {self.why}"


@dataclass
class _Cell:
    table: SheetTable
    at: tuple[int, int]
    text: str
    parsed: ParsedCell

    @property
    def where(self) -> str:
        return f"'{self.table.grid.name}'!{addr(*self.at)}"

    def value(self, convention: str) -> float:
        return self.parsed.vi_value if convention == "vi" else self.parsed.en_value


def _text_cells(table: SheetTable) -> list[_Cell]:
    """Text figures of the table's rows (facts, subtotals, totals) in its figure and rate columns."""
    grid = table.grid
    rows = sorted({n.r for n in table.order})
    rates = {c.index for c in table.cols if c.role == "rate"}
    cols = sorted(set(table.figure_cols) | rates)
    out = []
    for r in rows:
        for c in cols:
            v = grid.own(r, c)
            if isinstance(v, str):
                parsed = classify_number(v.rstrip("%") if c in rates else v)  # a rate may say "42,99%"
                if parsed.style != "invalid":
                    out.append(_Cell(table, (r, c), v.strip(), parsed))
    return out


def _checks_of(table: SheetTable) -> dict[tuple[int, int], list[SubtotalCheck]]:
    index: dict[tuple[int, int], list[SubtotalCheck]] = {}
    for check in table.checks:
        for cell in {check.at, *check.terms}:
            index.setdefault(cell, []).append(check)
    return index


def _agree(table: SheetTable, checks: list[SubtotalCheck], readings: dict[tuple[int, int], float]) -> bool:
    """Do all ``checks`` agree with these cells read so (others as already decided)?"""
    grid = table.grid
    saved = {cell: grid.readings.get(cell) for cell in readings}
    grid.readings.update(readings)
    try:
        return all(evaluate(grid, check).agrees for check in checks)
    finally:
        for cell, value in saved.items():
            if value is None:
                grid.readings.pop(cell, None)
            else:
                grid.readings[cell] = value


def _other(convention: str) -> str:
    return "en" if convention == "vi" else "vi"


class _Subtotals:
    """Deciding text cells by the subtotal checks they take part in."""

    def __init__(self, pending: list[_Cell]) -> None:
        self.index = {id(c.table): _checks_of(c.table) for c in pending}
        self.undecided = {(id(c.table), c.at): c for c in pending}
        self.decided: list[tuple[_Cell, str, str]] = []

    def _checks(self, cell: _Cell) -> list[SubtotalCheck]:
        return self.index[id(cell.table)].get(cell.at, [])

    def _others(self, cell: _Cell, checks: list[SubtotalCheck]) -> list[_Cell]:
        cells = {at for ch in checks for at in (ch.at, *ch.terms)} - {cell.at}
        return [self.undecided[(id(cell.table), at)] for at in sorted(cells) if (id(cell.table), at) in self.undecided]

    def _component(self, cell: _Cell) -> tuple[list[_Cell], list[SubtotalCheck]]:
        """The undecided cells linked to ``cell`` through checks, and those checks."""
        group, checks, todo = {cell.at: cell}, {}, [cell]
        while todo:
            current = todo.pop()
            for ch in self._checks(current):
                checks[id(ch)] = ch
                for other in self._others(current, [ch]):
                    if other.at not in group:
                        group[other.at] = other
                        todo.append(other)
        return list(group.values()), list(checks.values())

    def _try(self, group: list[_Cell], checks: list[SubtotalCheck]) -> bool:
        """Decide ``group`` (read all one way) if one way alone makes every check agree."""
        table = group[0].table
        verdict = {conv: _agree(table, checks, {g.at: g.value(conv) for g in group}) for conv in ("vi", "en")}
        if verdict["vi"] == verdict["en"]:
            return False
        conv = "vi" if verdict["vi"] else "en"
        names = ", ".join(addr(*ch.at) for ch in checks[:6]) + (" …" if len(checks) > 6 else "")
        for g in group:
            together = [addr(*o.at) for o in group if o is not g]
            why = (
                f"read {_SHORT[conv]}, as its subtotals ({names}) agree only so"
                + (
                    f", with {', '.join(together[:6])}{' …' if len(together) > 6 else ''} read so too"
                    if together
                    else ""
                )
                + f"; as {plain(g.value(_other(conv)))} they would not"
            )
            table.grid.readings[g.at] = g.value(conv)
            self.decided.append((g, conv, why))
            del self.undecided[(id(table), g.at)]
        return True

    def run(self) -> list[tuple[_Cell, str, str]]:
        """Cells alone first (their checks' other cells decided), then linked cells together."""
        while True:
            singles = [c for c in self.undecided.values() if self._checks(c) and not self._others(c, self._checks(c))]
            if any([self._try([c], self._checks(c)) for c in singles]):
                continue
            progress = False
            for key in list(self.undecided):
                if key in self.undecided and self._checks(self.undecided[key]):
                    progress |= self._try(*self._component(self.undecided[key]))
            if not progress:
                return self.decided


def read_text_figures(tables: list[SheetTable], decimal: str | None = None) -> list[Reading]:
    """Decide how every text figure that reads two ways is read, by the workbook's evidence.

    Parameters
    ----------
    tables
        The workbook's laid-out sheets; each grid's ``readings`` get the decided values.
    decimal
        ``","`` or ``"."`` (``--decimal``): how ambiguous figures are read when the workbook
        shows nothing. Evidence against it is refused.

    Returns
    -------
    list of Reading
        One per ambiguous cell, in the workbook's order.

    Raises
    ------
    FormError
        A cell nothing decides, or evidence that contradicts ``decimal``.
    """
    cells = [cell for table in tables for cell in _text_cells(table)]
    plain_evidence = {"vi": [c for c in cells if c.parsed.style == "vi"],
                      "en": [c for c in cells if c.parsed.style == "en"]}  # fmt: skip
    ambiguous = [c for c in cells if c.parsed.style == "ambiguous" and c.at[1] in c.table.figure_cols]
    by_sums = _Subtotals(ambiguous).run()
    evidence = {conv: [f"'{c.text}' in {c.where}" for c in plain_evidence[conv]] for conv in ("vi", "en")}
    for cell, conv, _ in by_sums:
        evidence[conv].append(f"'{cell.text}' in {cell.where} by its subtotals")
    wanted = CONVENTIONS.get(decimal) if decimal else None
    if wanted and evidence[_other(wanted)]:
        example = evidence[_other(wanted)][0]
        first = (plain_evidence[_other(wanted)] or [c for c, conv, _ in by_sums if conv != wanted])[0]
        raise FormError(
            first.table.grid.path,
            first.table.grid.name,
            addr(*first.at),
            f"--decimal {decimal} says the form writes its figures {_NAMES[wanted]}, but it writes them "
            f"{_NAMES[_other(wanted)]}: {example}"
            + (f" and {len(evidence[_other(wanted)]) - 1} more" if len(evidence[_other(wanted)]) > 1 else ""),
            "leave --decimal out (the form shows how it writes its figures), or correct the cell",
        )
    shown = [conv for conv in ("vi", "en") if evidence[conv]]
    readings = {(id(c.table), c.at): Reading(c.table.grid.name, addr(*c.at), c.text, c.value(conv), conv, why)
                for c, conv, why in by_sums}  # fmt: skip
    rest = [c for c in ambiguous if (id(c.table), c.at) not in readings]
    if rest and len(shown) == 1:
        conv = shown[0]
        more = f" and {len(evidence[conv]) - 1} more" if len(evidence[conv]) > 1 else ""
        why = f"read {_SHORT[conv]}, as the workbook writes its figures ({evidence[conv][0]}{more})"
    elif rest and not shown and wanted:
        conv, why = wanted, f"read {_SHORT[wanted]}, as --decimal {decimal} says"
    elif rest:
        _refuse(rest, evidence)
    for c in rest:
        c.table.grid.readings[c.at] = c.value(conv)
        readings[(id(c.table), c.at)] = Reading(c.table.grid.name, addr(*c.at), c.text, c.value(conv), conv, why)
    return [readings[(id(c.table), c.at)] for c in ambiguous]


def _refuse(rest: list[_Cell], evidence: dict[str, list[str]]) -> None:
    cell = rest[0]
    grid = cell.table.grid
    vi, en = cell.parsed.vi_value, cell.parsed.en_value
    if evidence["vi"] and evidence["en"]:
        said = (f"the workbook writes figures both ways: {evidence['vi'][0]} the Vietnamese way, "
                f"{evidence['en'][0]} the English way")  # fmt: skip
        fix = (
            f"type the figure as a number in Excel, or write it so that it reads one way only (as {_unambiguous(cell)})"
        )
    else:
        said = "nothing else in the workbook shows which way its figures are written"
        fix = (f"type the figure as a number in Excel, or write it so that it reads one way only (as "
               f"{_unambiguous(cell)}), or give --decimal , (Vietnamese) or --decimal . (English)")  # fmt: skip
    more = (
        f" ({len(rest) - 1} more cells read two ways: " + ", ".join(c.where for c in rest[1:6]) if len(rest) > 1 else ""
    )
    more += (" …" if len(rest) > 6 else "") + (")" if more else "")
    raise FormError(
        grid.path,
        grid.name,
        addr(*cell.at),
        f"the text '{cell.text}' reads as {plain(vi)} the Vietnamese way and as {plain(en)} the English way, "
        f"its subtotals do not tell which, and {said}{more}",
        fix,
    )


def _unambiguous(cell: _Cell) -> str:
    """The two readings of a cell, each written so that it reads one way only."""
    whole, fraction = sorted((cell.parsed.vi_value, cell.parsed.en_value), key=lambda v: -abs(v))
    return f"{plain(whole)} if it is {plain(whole)}, {plain(fraction).replace('.', ',')} if it is {plain(fraction)}"
