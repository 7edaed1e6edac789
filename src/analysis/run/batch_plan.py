"""Which reports a province's batch renders, for data of either unit system: one per district
of data keyed to the old units, or one per new commune with finance data of data converted to
the 2025 units; and the notebook parameters that name each one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalog.programme_rows import programme_finance
from analysis.catalog.programmes import DEFAULT_PROGRAMME
from analysis.catalog.unit_systems import CONVERTED_2025, NATIVE_2025, OLD_UNITS, UnitSystem, unit_system_of
from analysis.catalog.units import resolve_province
from analysis.errors import ParameterError
from analysis.store.new_unit_areas import resolve_new_commune, resolve_new_province
from analysis.store.old_unit_areas import area_districts
from analysis.store.prepared import load_manifest, read_prepared
from analysis.store.years import latest_year

__all__ = ["BatchPlan", "batch_plan"]


@dataclass
class BatchPlan:
    """The reports of a province's batch: one per district, or one per new commune.

    Attributes
    ----------
    province_code, province_name
        The province (a new province for converted data).
    year
        Plan year.
    units
        ``(code, name)`` of the unit reports, in code order.
    system
        The unit system of the data: its ``batch_level`` says what the unit reports are
        (districts; new communes, with ``level="commune"``), its ``key`` where the outputs go
        (``<province-slug>-2025/`` for the 2025 units).
    without_data
        Names of the districts left out: none of the programme's finance for the year.
    """

    province_code: str
    province_name: str
    year: int
    units: list[tuple[str, str]]
    system: UnitSystem = OLD_UNITS
    #: Districts left out because they have no finance of the programme asked for that year.
    without_data: list[str] = field(default_factory=list)

    @property
    def folder_suffix(self) -> str:
        """Added to the province's folder name, so that reports by the new units never
        overwrite those by the old ones."""
        return f"-{self.system.key}" if self.system.key else ""

    @property
    def by_commune(self) -> bool:
        """The unit reports are per commune (a system without districts)."""
        return self.system.batch_level == "commune"

    @property
    def unit_kind(self) -> str:
        """What a unit report is of, in the batch's log."""
        return "new commune" if self.by_commune else "district"

    def unit_parameters(self, code: str) -> dict[str, str]:
        """The notebook parameters that name one unit's report."""
        if self.by_commune:  # "district" emptied: the notebook's default district does not apply
            return {"level": "commune", "district": "", "commune": code}
        return {"district": code}

    def overview_parameters(self) -> dict[str, str]:
        """The notebook parameters of the province overview beyond those of every report."""
        return {"level": "commune"} if self.by_commune else {}


def _check_year(name: str, year: int, finance: pd.DataFrame) -> None:
    """Refuse a year the province has no finance data for, before any report runs."""
    years = sorted({int(y) for y in finance["year"].dropna()})
    if years and year not in years:
        raise ParameterError(f"{name} has no finance data for {year}; years with data: {', '.join(map(str, years))}")


def batch_plan(
    province: str,
    data_dir: str | Path,
    year: int | str | None = None,
    communes: Iterable[str] | None = None,
    programme: str | None = None,
) -> BatchPlan:
    """Which reports a province's batch renders, for data of either vintage.

    Old units: a report per district with prepared data. Converted data: a report per new
    commune with finance rows for ``year`` (or only ``communes``, codes or names).

    Raises
    ------
    ParameterError
        Unknown province, no data, a commune without finance data for the year, or
        ``communes`` with data keyed to the old units.
    """
    manifest = load_manifest(data_dir)
    only = [str(c).strip() for c in (communes or []) if str(c).strip()]
    system = unit_system_of(manifest)
    return PLANNERS[system.key](province, data_dir, manifest, year, only, programme, system)


def _plan_by_district(
    province: str, data_dir: str | Path, manifest: dict, year: int | str | None, only: list[str],
    programme: str | None, system: UnitSystem,
) -> BatchPlan:
    """A report per district with prepared data (of ``programme`` only, when another is asked)."""
    if only:
        raise ParameterError(
            f"reports by new commune need data converted to the {CONVERTED_2025.key} units (--units "
            f"{CONVERTED_2025.key}); {data_dir} is keyed to the old units"
        )
    pcode, pname = resolve_province(province)
    districts = area_districts(pcode, data_dir)
    if not len(districts):
        raise ParameterError(f"province {pname} ({pcode}) has no prepared data in {data_dir}")
    year = int(year) if year not in (None, "") else latest_year(pcode, data_dir)
    finance = read_prepared(data_dir, "finance", province=pcode, manifest=manifest)
    _check_year(pname, year, finance)
    units = list(zip(districts["district_code"], districts["district_name"], strict=True))
    without: list[str] = []
    if programme not in (None, "", DEFAULT_PROGRAMME):  # another programme: its districts only
        rows = programme_finance(finance, programme, pname)[1]
        have = set(rows.loc[rows["year"] == year, "district_code"].dropna().astype(str))
        without = [name for code, name in units if str(code) not in have]
        units = [(code, name) for code, name in units if str(code) in have]
    return BatchPlan(pcode, pname, year, units, system=system, without_data=without)


def _plan_by_new_commune(
    province: str, data_dir: str | Path, manifest: dict, year: int | str | None, only: list[str],
    programme: str | None, system: UnitSystem,
) -> BatchPlan:
    """A report per new commune with finance rows for ``year`` (or only ``only``)."""
    pcode, pname = resolve_new_province(province)
    if pcode not in manifest.get("provinces", []):
        raise ParameterError(
            f"province {pname} ({pcode}) has no data in {data_dir}; provinces there: "
            f"{', '.join(manifest.get('provinces', [])) or 'none'}"
        )
    finance = read_prepared(data_dir, "finance", province=pcode, manifest=manifest)
    if not len(finance):
        raise ParameterError(f"{pname} has no finance data in {data_dir}")
    year = int(year) if year not in (None, "") else int(finance["year"].max())
    _check_year(pname, year, finance)
    table = read_prepared(data_dir, "communes", province=pcode, manifest=manifest)
    with_data = set(finance.loc[finance["year"] == year, "commune_code"].dropna())
    table = table[table["commune_code"].isin(with_data)].sort_values("commune_code")
    if only:
        codes = [resolve_new_commune(c, pcode, table)[0] for c in only]
        missing = [c for c in codes if c not in set(table["commune_code"])]
        if missing:
            raise ParameterError(f"no {year} finance data for new commune(s) {', '.join(missing)} of {pname}")
        table = table[table["commune_code"].isin(codes)]
    return BatchPlan(
        pcode, pname, year, list(zip(table["commune_code"], table["commune_name"], strict=True)), system=system
    )


#: How a province's batch is planned for data of each unit system, by its manifest key.
PLANNERS = {
    OLD_UNITS.key: _plan_by_district, CONVERTED_2025.key: _plan_by_new_commune, NATIVE_2025.key: _plan_by_new_commune,
}  # fmt: skip
