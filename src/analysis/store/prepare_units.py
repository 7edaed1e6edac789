"""The units of a prepare run: read the tables once, decide their unit system, validate by it.

:func:`run_units` reads each input table (with its district column optional, so that a table
keyed to the 2025 units reads too), asks :func:`analysis.inputs.unit_detection.decide_units`
which system they are keyed to (or checks the one asked with ``--units``), and returns the unit
list and the table specifications to validate by: the old list and specifications, or the 2025
list (:func:`analysis.inputs.new_unit_checks.new_unit_list`) and the specifications without
districts (:func:`analysis.inputs.schema.without_districts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.catalog.units import load_unit_list
from analysis.common.limits import ReadLimits
from analysis.inputs.new_unit_checks import new_unit_list
from analysis.inputs.readers import RawTable, read_table
from analysis.inputs.schema import TableSpec, without_districts
from analysis.inputs.unit_detection import NEW, OLD, decide_units, unit_evidence
from analysis.store.prepare_inputs import sheet_for

__all__ = ["RunUnits", "run_units", "units_asked"]


@dataclass
class RunUnits:
    """The unit system of a prepare run's tables, the unit list and how to validate each table."""

    new: bool
    unit_list: pd.DataFrame
    raws: dict[str, RawTable]
    specs: dict[str, TableSpec]

    def spec(self, name: str) -> TableSpec:
        """The specification to validate table ``name`` by (without districts for the 2025 units)."""
        return without_districts(self.specs[name]) if self.new else self.specs[name]

    def raw(self, name: str) -> RawTable | None:
        """The table as read, or ``None`` when a column the old units need is missing: read it
        again by its own specification, which says which."""
        raw, spec = self.raws[name], self.spec(name)
        return raw if all(c.name in raw.frame.columns for c in spec.columns if c.required) else None

    def manifest_text(self, units: str | Path | None) -> str:
        """What the manifest's options say of the unit list."""
        if units in (None, ""):
            return f"vietnamadminunits (official list {'of 1/7/2025' if self.new else 'before 2025'})"
        return NEW if self.new else str(units)


    @staticmethod
    def list_file(units: str | Path | None) -> Path | None:
        """The unit list file ``units`` names, or ``None`` (the official lists)."""
        return None if units_asked(units) in (None, NEW) or str(units) == OLD else Path(units)


def units_asked(units: str | Path | None) -> str | None:
    """The system ``units`` names: ``"2025"``, ``"old"`` (a unit list file is of the old units),
    or ``None`` (decided from the tables)."""
    if units is None or str(units) == "":
        return None
    return NEW if str(units) == NEW else OLD


def run_units(
    inputs: dict[str, tuple[str | Path | None, TableSpec]],
    units: str | Path | None,
    sheets: dict[str, str] | str | None,
    limits: ReadLimits,
) -> RunUnits:
    """Read the tables and decide their unit system.

    Parameters
    ----------
    inputs
        ``{name: (path or None, spec)}`` of the run.
    units
        ``"2025"``, ``"old"``, a unit list CSV (old units of another vintage) or ``None``.
    sheets, limits
        As for :func:`analysis.store.prepare.prepare`.

    Raises
    ------
    InputFileError
        A table that cannot be read, or whose units are mixed, differ from the other tables'
        or from those asked (:func:`analysis.inputs.unit_detection.decide_units`).
    """
    present = {name: (path, spec) for name, (path, spec) in inputs.items() if path is not None}
    raws = {name: read_table(path, without_districts(spec), sheet_for(name, path, sheets), max_rows=limits.max_rows)
            for name, (path, spec) in present.items()}  # fmt: skip
    system = decide_units({name: unit_evidence(name, raw) for name, raw in raws.items()}, units_asked(units))
    new = system == NEW
    unit_list = new_unit_list() if new else load_unit_list(None if units in (None, "", OLD) else units)
    return RunUnits(new, unit_list, raws, {name: spec for name, (_path, spec) in present.items()})
