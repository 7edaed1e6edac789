"""One number convention for a run: what the input files of a ``prepare`` show together.

A file's cells such as ``2.791`` read 2791 the Vietnamese way and 2.791 the English way. A file
that shows its convention (``8.356,336``, ``1,234.5``, ``1.234`` households) is read by it; a
file that shows none (an indicators table of ``1.500`` and ``0``) is read with the convention
the other files of the run show, decided here once for the run:

* ``--decimal`` states it; a file whose evidence says otherwise is refused
  (:func:`analysis.inputs.number_cells.decide`);
* else the files that show a convention show the same one: it is the run's;
* else they disagree (one Vietnamese, one English: each is read by its own evidence) or none
  shows any: a file without evidence of its own has its ambiguous cells rejected, the reason
  saying why.

:func:`decide_run` makes the decision from the files validated once on their own;
:func:`read_again` says which of them must be validated again with it (those that showed no
convention and had ambiguous cells). The decision and its evidence go into the prepare summary
and the manifest: "numbers read as Vietnamese (1.234,5): evidence finance.csv row 3 '8.356,336'".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.common.numbers import CONVENTION_NAMES
from analysis.inputs.number_cells import DECIMAL_MARKS, Evidence

if TYPE_CHECKING:
    from analysis.inputs.validate import ValidatedTable

_FORMAT = {"vi": "Vietnamese", "en": "English"}


@dataclass(frozen=True)
class RunConvention:
    """The number convention of a run, and what it rests on.

    Attributes
    ----------
    convention
        ``"vi"``, ``"en"`` or ``None``: how the files that show no convention are read.
    source
        ``"option"`` (``--decimal``), ``"evidence"`` (the files agree), ``"disagree"`` or
        ``"none"`` (no file shows one).
    decimal
        The ``--decimal`` given, if any.
    evidence
        ``(file, evidence)`` of every file that shows a convention: its first cell that can be
        read only one way, and how many such cells it has.
    undecided
        Why there is no convention when files disagree, for the reason of an ambiguous cell.
    """

    convention: str | None = None
    source: str = "none"
    decimal: str | None = None
    evidence: tuple[tuple[str, Evidence], ...] = ()
    undecided: str = ""

    def describe(self, ambiguous: int = 0) -> str:
        """One line for the prepare summary; ``ambiguous`` cells were rejected for want of one."""
        shown = ", ".join(ev.where(file) for file, ev in self.evidence)
        if self.source == "option":
            text = f"numbers read as {CONVENTION_NAMES[self.convention]}: stated by --decimal '{self.decimal}'"
            return text + (f", and the files agree (evidence {shown})" if shown else "")
        if self.source == "evidence":
            return f"numbers read as {CONVENTION_NAMES[self.convention]}: evidence {shown}"
        if self.source == "disagree":
            text = "numbers read file by file, the files disagree: " + ", ".join(
                f"{Path(file).name} {_FORMAT[ev.convention]} ({ev.where()})" for file, ev in self.evidence
            )
        else:
            text = f"numbers: no cell shows the format, {CONVENTION_NAMES['vi']} or {CONVENTION_NAMES['en']}"
        if ambiguous:
            text += f"; {ambiguous} cell(s) that read both ways rejected (state the format with --decimal)"
        return text

    def manifest(self) -> dict:
        """The manifest's ``numbers`` entry."""
        return {
            "convention": self.convention,
            "source": self.source,
            "decimal": self.decimal,
            "evidence": [{"file": str(file), **evidence_entry(ev)} for file, ev in self.evidence],
        }


#: No run: a table validated on its own (its own evidence, or nothing).
NO_RUN = RunConvention()


def evidence_entry(ev: Evidence) -> dict:
    """One piece of evidence as the manifest writes it."""
    return {"convention": ev.convention, "cells": ev.cells, "row": ev.row, "column": ev.column, "value": ev.value}


def decide_run(tables: Mapping[str, ValidatedTable], decimal: str | None = None) -> RunConvention:
    """The run's number convention from its tables, each validated once on its own.

    Parameters
    ----------
    tables
        The run's validated tables (:attr:`~analysis.inputs.validate.ValidatedTable.numbers` set).
    decimal
        ``","`` or ``"."`` if ``--decimal`` was given.

    Returns
    -------
    RunConvention
    """
    files = [(str(t.raw.path), t.numbers) for t in tables.values() if t.numbers is not None]
    if decimal is not None:
        stated = DECIMAL_MARKS[decimal]
        shown = tuple((file, n.evidence[stated]) for file, n in files if stated in n.evidence)
        return RunConvention(stated, "option", decimal, shown)
    shown = tuple((file, n.evidence[n.own]) for file, n in files if n.own is not None)
    conventions = {ev.convention for _, ev in shown}
    if len(conventions) == 1:
        return RunConvention(conventions.pop(), "evidence", None, shown)
    if not conventions:
        return RunConvention()
    undecided = (
        "and the files of the run disagree ("
        + ", ".join(f"{Path(file).name} {_FORMAT[ev.convention]}, {ev.where()}" for file, ev in shown)
        + ")"
    )
    return RunConvention(None, "disagree", None, shown, undecided)


def read_again(tables: Mapping[str, ValidatedTable], run: RunConvention) -> list[str]:
    """The tables to validate again with the run's convention: each showed none of its own
    and had cells that read both ways, which the run now reads (or says why it cannot)."""
    if run.source not in ("evidence", "disagree"):
        return []  # with --decimal every file was read with it already; with no evidence, nothing changes
    return [
        name
        for name, t in tables.items()
        if t.numbers is not None and t.numbers.source == "none" and t.numbers.ambiguous
    ]
