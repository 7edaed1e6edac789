"""Which units a table is keyed to: the units before 1/7/2025, or those after it.

A new commune of 1/7/2025 kept the 5-digit code of one of the old communes it was formed from,
so the same code can name two different communes (06001, 03646): the system of a file must be
known before its codes are read. :func:`unit_evidence` reads what the rows of a table (as
read, before any parsing) say about it:

* a **district code** is of the old units (there are no districts after the reform);
* a commune code **only in the old list** is of the old units, one **only in the 2025 list** of
  the new units; a code in both says nothing by itself;
* rows without a district whose commune codes (ten or more) are all, or nine in ten, codes of
  the 2025 list are keyed to the new units: about two old communes in three lost their code, so
  old-unit data of whole districts always shows some of them;
* a **year from 2026** can only be reported by the new units.

:func:`decide_units` decides one system for the tables of a prepare run, or refuses: a table
that mixes the two (the rows of each named), tables keyed to different systems, a table keyed
to the system not asked for (``--units``), and 2026 figures keyed to the old units (with the
way to convert them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalog.units import official_units
from analysis.catalog.units_2025 import new_units
from analysis.errors import InputFileError
from analysis.inputs.readers import ROW, RawTable

__all__ = ["NEW", "OLD", "UnitEvidence", "decide_units", "unit_evidence"]

#: The two answers: the units before 1/7/2025, and those from it.
OLD, NEW = "old", "2025"
#: Commune codes (all in both lists, none with a district) that make a table's codes evidence.
WHOLE_LIST = 10
#: The share of those codes that must be in the 2025 list (the others are named as old-unit rows).
NEARLY_ALL = 0.9
#: The first year no unit before the reform reports.
FIRST_NEW_YEAR = 2026
_SHOWN = 5


@dataclass
class UnitEvidence:
    """What the rows of one table say about its units.

    Attributes
    ----------
    table, path
        The table (``"finance"``) and its file.
    old, new
        The first rows (:data:`_SHOWN`, the smallest row numbers) that show the old units, and
        the new ones, with why (``{row: "district code 178"}``).
    n_old, n_new
        How many rows show each.
    years_new
        Rows of a year from :data:`FIRST_NEW_YEAR`.
    all_codes_new
        The commune codes of the rows without a district are :data:`WHOLE_LIST` or more codes of
        the 2025 list, and :data:`NEARLY_ALL` of them.
    """

    table: str
    path: Path
    old: dict[int, str] = field(default_factory=dict)
    new: dict[int, str] = field(default_factory=dict)
    n_old: int = 0
    n_new: int = 0
    years_new: list[int] = field(default_factory=list)
    all_codes_new: bool = False

    @property
    def says(self) -> str | None:
        """:data:`OLD`, :data:`NEW`, or ``None`` when the rows say nothing either way (or both)."""
        if self.old and not self.new:
            return OLD
        if (self.new or self.all_codes_new) and not self.old:
            return NEW
        return None

    def rows_of(self, system: str) -> str:
        """The first rows that show ``system``, with why: ``"row 5 (district code 178), row 9 (...)"``."""
        rows = self.old if system == OLD else self.new
        shown = [f"row {r} ({why})" for r, why in sorted(rows.items())[:_SHOWN]]
        more = (self.n_old if system == OLD else self.n_new) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _codes(values: pd.Series, width: int) -> pd.Series:
    text = values.astype("string").str.strip().replace("", pd.NA)
    digits = text.str.fullmatch(r"\d+").fillna(False)
    return text.where(~digits, text.str.zfill(width))


def unit_evidence(table: str, raw: RawTable) -> UnitEvidence:
    """What the rows of ``raw`` say about the units they are keyed to.

    Parameters
    ----------
    table
        The table's name (``"finance"``).
    raw
        The table as read (:func:`analysis.inputs.readers.read_table`).
    """
    frame = raw.frame
    out = UnitEvidence(table, Path(raw.path))
    if not len(frame):
        return out
    rows = frame[ROW].astype(int)
    none = pd.Series(pd.NA, index=frame.index, dtype="string")
    district = _codes(frame["district_code"], 3) if "district_code" in frame.columns else none
    commune = _codes(frame["commune_code"], 5) if "commune_code" in frame.columns else none
    old_codes = set(official_units()["commune_code"])
    new_codes = set(new_units()["commune_code"])
    has_district = district.notna()
    in_old, in_new = commune.isin(old_codes), commune.isin(new_codes)
    undistricted = ~has_district & commune.notna()
    codes = set(commune[undistricted])
    listed = len(codes & new_codes)
    out.all_codes_new = listed >= WHOLE_LIST and listed >= NEARLY_ALL * len(codes)

    def why_old(i) -> str:
        if has_district[i]:
            return f"district code {district[i]}"
        return f"commune code {commune[i]}, a commune before 1/7/2025 only"

    def why_new(i) -> str:
        if in_old[i]:  # in both lists: one of the codes that are, together, the new communes'
            return f"commune code {commune[i]}, one of {listed} codes of the 2025 list"
        return f"commune code {commune[i]}, a commune of 1/7/2025 only"

    shows_old = has_district | (~has_district & in_old & ~in_new)
    shows_new = ~has_district & in_new & (~in_old | (undistricted & out.all_codes_new))
    out.n_old, out.old = _first(shows_old, rows, why_old)
    out.n_new, out.new = _first(shows_new, rows, why_new)
    if "year" in frame.columns:
        years = pd.to_numeric(frame["year"].astype("string").str.strip(), errors="coerce")
        out.years_new = np.sort(rows[years >= FIRST_NEW_YEAR].to_numpy()).tolist()
    return out


def _first(mask: pd.Series, rows: pd.Series, why) -> tuple[int, dict[int, str]]:
    """How many rows ``mask`` holds, and its first :data:`_SHOWN` rows (by row number) with why:
    the reasons are written for those only, not for every row of a file of a million."""
    hits = rows[mask]
    first = hits.sort_values(kind="stable").head(_SHOWN)
    return len(hits), {int(r): why(i) for i, r in first.items()}


def decide_units(evidence: Mapping[str, UnitEvidence], asked: str | None = None) -> str:
    """The units of a prepare run's tables: :data:`OLD` or :data:`NEW`.

    Parameters
    ----------
    evidence
        Each table's evidence (:func:`unit_evidence`).
    asked
        :data:`OLD` or :data:`NEW` when the user named the units (``--units``), else ``None``:
        decided from the tables, the old units when they say nothing.

    Raises
    ------
    InputFileError
        A table that mixes the two systems, names the rows of each; tables keyed to different
        systems; a table keyed to the other system than ``asked``; figures of 2026 or later
        keyed to the old units.
    """
    for ev in evidence.values():
        if ev.old and ev.new:
            raise InputFileError(
                ev.path,
                f"the {ev.table} table mixes the units before and after the reform of 1/7/2025: keyed to the old "
                f"units: {ev.rows_of(OLD)}; keyed to the new communes: {ev.rows_of(NEW)}",
                "key every row of a file to one system: the new communes (province_code, commune_code, no district) "
                "or the old units; put the figures of each in a file of its own",
                row=min(ev.old) if ev.n_old <= ev.n_new else min(ev.new),
            )
    if asked is not None:
        for ev in evidence.values():
            other = OLD if asked == NEW else NEW
            if ev.says == other:
                rows = ev.rows_of(other) if (ev.old if other == OLD else ev.new) else "all of its commune codes"
                raise InputFileError(
                    ev.path,
                    f"--units {asked} was asked, but the {ev.table} table is keyed to the "
                    f"{_system_words(other)}: {rows}",
                    f"prepare it with --units {other}, or key it to the {_system_words(asked)}",
                    row=min((ev.old if other == OLD else ev.new) or [None]) if (ev.old or ev.new) else None,
                )
        decided = asked
    else:
        says = {name: ev.says for name, ev in evidence.items() if ev.says is not None}
        if len(set(says.values())) > 1:
            listed = "; ".join(f"{name}: {_system_words(s)}" for name, s in says.items())
            first = next(n for n, s in says.items() if s == NEW)
            raise InputFileError(
                evidence[first].path,
                f"the tables are keyed to different unit systems ({listed})",
                "prepare the tables of each system separately (--units old, --units 2025), or key them to one",
            )
        decided = next(iter(says.values()), None) or (
            NEW if any(ev.years_new for ev in evidence.values()) else OLD
        )
    if decided == OLD and asked is None:
        for ev in evidence.values():
            if ev.years_new:
                raise InputFileError(
                    ev.path,
                    f"the {ev.table} table has figures of {FIRST_NEW_YEAR} or later (rows "
                    f"{', '.join(map(str, ev.years_new[:_SHOWN]))}) keyed to the units before 1/7/2025, which no "
                    "longer report",
                    "key the file to the new communes (province_code and commune_code of the 2025 list, no district); "
                    "or prepare it with --units old and convert the prepared data with 'ntp-atlas convert --to 2025'",
                    row=ev.years_new[0],
                )
    return decided


def _system_words(system: str) -> str:
    return "units before 1/7/2025 (with districts)" if system == OLD else "communes of 1/7/2025 (no districts)"
