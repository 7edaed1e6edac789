"""How many of an area's units each figure of a report is computed from.

A rate summed over the communes that have data is the rate of those communes only: "Tỷ lệ
hộ nghèo năm 2023 là 47,62%" from 1 commune of 8 is not Sốp Cộp's rate. Every figure a
report adds up over units therefore carries a :class:`Coverage` (the units with data, the
units of the area), and where it is partial the figure says so beside it: "(1/8 xã có số
liệu)", "1 of 8 communes with data". :class:`Covered` is a figure with its coverage.

The units of an area are its communes (those of the unit list, with or without a polygon);
the finance figures of a province overview are counted by district, as their snapshots are
reported (:func:`analysis.metrics.finance.latest_snapshot`). What counts as data:

* finance: a row of the snapshot shown for the unit (a district-level row counts for its
  district, not for any commune);
* poverty: a row in the poverty year and, for a change, in the baseline year too (the change
  is computed over the communes with both, :func:`analysis.metrics.poverty.poverty_change`);
* classification: a row in the classification year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.units import official_units
from analysis.common.i18n import t
from analysis.common.numbers import format_number

if TYPE_CHECKING:
    from analysis.report.area import ReportContext

#: The units a coverage counts.
UNITS = ("commune", "district")


@dataclass(frozen=True)
class Coverage:
    """``covered`` of an area's ``total`` units have the data a figure is computed from."""

    covered: int
    total: int
    unit: str = "commune"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")

    @property
    def partial(self) -> bool:
        """Some units of the area have no data (none at all counts as partial too)."""
        return self.covered < self.total

    def fraction(self) -> str:
        """``1/8``: for a table's column."""
        return f"{self.covered}/{self.total}"

    def text(self, lang: str) -> str:
        """``1/8 xã có số liệu`` / ``1 of 8 communes with data``."""
        units = t(f"coverage.unit{'_one' if self.total == 1 else ''}.{self.unit}", lang)
        return t("coverage.with_data", lang, n=format_number(self.covered, lang),
                 total=format_number(self.total, lang), units=units)

    def note(self, lang: str) -> str:
        """:meth:`text` where the coverage is partial, else nothing: what a figure carries beside it."""
        return self.text(lang) if self.partial else ""


def beside(text: str, coverage: Coverage | None, lang: str) -> str:
    """``text`` with the coverage of its figure after it, where partial (a card's note).

    >>> beside("−7,4 điểm % so với năm 2021", Coverage(1, 8), "vi")
    '−7,4 điểm % so với năm 2021 · 1/8 xã có số liệu'
    """
    note = coverage.note(lang) if coverage is not None else ""
    return " · ".join(part for part in (text, note) if part)


@dataclass(frozen=True)
class Covered:
    """A figure and the coverage it was computed from."""

    value: float | None
    coverage: Coverage


@dataclass(frozen=True)
class AreaCoverage:
    """The coverage of a report's area-wide figures; None where the report has no such figure."""

    finance: Coverage
    poverty: Coverage | None = None
    classification: Coverage | None = None

    @property
    def partial(self) -> dict[str, Coverage]:
        """The figures computed from part of the area, by kind."""
        found = {"finance": self.finance, "poverty": self.poverty, "classification": self.classification}
        return {k: c for k, c in found.items() if c is not None and c.partial}


def area_communes(ctx: ReportContext) -> pd.DataFrame:
    """The communes of the report's area (``commune_code``, ``district_code``).

    A district's are those of its prepared data (every commune of the unit list, with or
    without a polygon). A province's prepared data holds only the districts that reported, so a
    province counts every commune of the official list, as the title's "1/12 huyện" counts its
    districts; data converted to the 2025 units counts its new communes.
    """
    communes = ctx.area.communes if ctx.level != "province" else ctx.area.province_communes
    frame = pd.DataFrame({"commune_code": communes["commune_code"].astype(str),
                          "district_code": communes["district_code"].astype("string")})
    if ctx.level == "province" and ctx.area.units.has("district"):
        u = official_units()
        u = u.loc[u["province_code"] == ctx.area.province_code, ["commune_code", "district_code"]]
        frame = pd.concat([frame, u.astype({"district_code": "string"})]).drop_duplicates("commune_code")
    return frame.reset_index(drop=True)


def _count(codes: pd.Series, units: pd.Series) -> int:
    return int(units.isin(set(codes.dropna().astype(str))).sum())


def finance_coverage(ctx: ReportContext) -> Coverage:
    """The units with a row in the report's finance snapshot: the districts of a province
    overview (of the old units), else the communes."""
    snap = ctx.snapshot
    if ctx.level == "province" and ctx.area.units.has("district"):
        total = int(ctx.area.coverage.get("districts_official") or ctx.area.districts["district_code"].nunique())
        return Coverage(int(snap["district_code"].dropna().nunique()), total, "district")
    communes = area_communes(ctx)["commune_code"]
    return Coverage(_count(snap["commune_code"], communes), len(communes))


def poverty_coverage(ctx: ReportContext) -> Coverage | None:
    """The communes the report's poverty rates are computed from: with a row in the poverty year
    and in the baseline year (the change compares the same communes); None without poverty data."""
    if ctx.poverty_year is None or ctx.baseline_year is None:
        return None
    communes = area_communes(ctx)["commune_code"]
    pov = ctx.area.poverty
    years = {int(ctx.poverty_year), int(ctx.baseline_year)}
    per_commune = pov[pov["year"].astype(int).isin(years)].groupby("commune_code")["year"].nunique()
    both = per_commune[per_commune == len(years)].index.to_series()
    return Coverage(_count(both, communes), len(communes))


def classification_coverage(ctx: ReportContext) -> Coverage | None:
    """The communes with a classification (khu vực) in the report's latest classification year."""
    year = ctx.class_years[1]
    if year is None:
        return None
    cls = ctx.area.classification
    communes = area_communes(ctx)["commune_code"]
    return Coverage(_count(cls.loc[cls["year"].astype(int) == int(year), "commune_code"], communes), len(communes))


def area_coverage(ctx: ReportContext) -> AreaCoverage:
    """The coverage of the report's area-wide figures, worked out once per report."""
    if "coverage" not in ctx._once:
        ctx._once["coverage"] = AreaCoverage(finance_coverage(ctx), poverty_coverage(ctx),
                                             classification_coverage(ctx))
    return ctx._once["coverage"]


def communes_by_unit(ctx: ReportContext, rows: pd.DataFrame, by: str = "district_code") -> pd.DataFrame:
    """For each unit of ``by`` (the districts of a province overview), how many of its
    communes have a row in ``rows``: ``by``, ``covered``, ``total``, ``fraction`` (``2/20``)."""
    communes = area_communes(ctx)
    has = communes["commune_code"].isin(set(rows["commune_code"].dropna().astype(str)))
    out = communes.assign(covered=has).groupby(by, observed=True).agg(covered=("covered", "sum"),
                                                                      total=("commune_code", "size"))
    out = out.reset_index()
    out[by] = out[by].astype(str)
    out["covered"] = out["covered"].astype(int)
    out["fraction"] = [f"{c}/{n}" for c, n in zip(out["covered"], out["total"], strict=True)]
    return out

