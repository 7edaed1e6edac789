"""The names of the print-map files: ``<code>-<slug>_<indicator>_<period>``, ``.en`` for English.

:func:`map_stem` names a map or chart of a province or district (``187-chi-lang_need_vs_money_2023``);
:func:`file_suffix` adds the format and, for English, ``.en``; see :mod:`analysis.run.print_maps`.
"""

from __future__ import annotations

from analysis.report.mapdata import MapData
from analysis.run.outputs import slug

__all__ = ["district_name", "file_period", "file_suffix", "map_stem", "unit_stem"]


def unit_stem(code: str, name: str) -> str:
    """``187-chi-lang``: a unit's GSO code and slug."""
    return f"{code}-{slug(name)}"


def file_period(data: MapData, indicator: str) -> str:
    """The period in a file name: the plan year, or ``<baseline>-<year>`` of a change or a trend."""
    if indicator in ("poverty_change_pp", "poverty_trend", "disbursement_vs_poverty_change"):
        if indicator == "poverty_trend":
            years = sorted(int(y) for y in data.area.poverty["year"].unique())
            return f"{years[0]}-{years[-1]}" if years else str(data.year)
        return f"{data.baseline_year}-{data.poverty_year}"
    return str(data.year)


def map_stem(data: MapData, indicator: str, district: str | None = None) -> str:
    """File name without suffix: ``20-lang-son_disbursement_rate_2023``."""
    area = data.area
    unit = (
        unit_stem(district, district_name(data, district))
        if district
        else unit_stem(area.province_code, area.province_name)
    )
    return f"{unit}_{indicator}_{file_period(data, indicator)}"


def file_suffix(fmt: str, lang: str) -> str:
    """``.png`` for a Vietnamese file, ``.en.png`` for an English one."""
    return f".{fmt}" if lang == "vi" else f".{lang}.{fmt}"


def district_name(data: MapData, code: str) -> str:
    """The name of the district ``code`` of the province, as the prepared data spells it."""
    d = data.area.districts
    return str(d.loc[d["district_code"] == code, "district_name"].iloc[0])
