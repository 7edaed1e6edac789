"""What a report shows of the indicators: figures written out, tables by unit, map values.

Each function is one call of a report cell: :func:`province_figures` gives the province's
figures as the press writes them (``174/181 xã (96,1%)``, ``226,3 tỷ đồng``), each with its n
and N and the units without data; :func:`indicators_by_unit` the indicators by unit, formatted;
:func:`indicator_values` one indicator by unit for a map, with its legend set
(:func:`legend_set_for`). The numbers come from :func:`analysis.metrics.indicators.aggregate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalog.indicators import Catalogue, Indicator, load_catalogue
from analysis.catalog.units import official_units
from analysis.common.i18n import t
from analysis.common.numbers import format_date, format_number, format_percent
from analysis.metrics.indicators import aggregate, area_units, latest, locate
from analysis.metrics.poverty import region_iii_exits

# --- formatting -----------------------------------------------------------------------------


def _noun(key: str, n: float, lang: str) -> str:
    one = key.replace(".level.", ".level_one.").replace(".unit.", ".unit_one.")
    return t(one if n == 1 else key, lang)


def _billions(x: float, lang: str) -> str:
    return format_number(x / 1000.0, lang, 1)


def format_figure(row: pd.Series | dict, indicator: Indicator, lang: str = "vi", *, prose: bool = False) -> str:
    """One aggregated figure written out: ``174/181 xã (96,1%)``, ``99,99% (376.102/376.140 hộ)``…

    Parameters
    ----------
    row
        A row of :func:`aggregate` (``value``, ``numerator``, ``denominator``, ``level``…).
    indicator
        Its catalogue entry.
    lang
        ``"vi"`` or ``"en"``.
    prose
        Amounts in billion VND (tỷ đồng) with one decimal, as reports write them in text;
        otherwise million VND with three decimals, as in tables.
    """
    value = row["value"]
    if value is None or pd.isna(value):
        return "–"
    ind, share = indicator, format_percent(value, lang, indicator.decimals)
    if ind.kind == "yes_no":
        if row.get("level") == ind.level and row.get("denominator") == 1:
            return t("indicator.yes" if value == 1 else "indicator.no", lang)
        n, total = int(row["numerator"]), int(row["denominator"])
        units = _noun(f"indicator.level.{ind.level}", total, lang)
        return t("indicator.share_of_units", lang, n=format_number(n, lang), total=format_number(total, lang),
                 units=units, share=share)  # fmt: skip
    if ind.kind == "numerator":
        if ind.is_amount:
            num, den = _billions(row["numerator"], lang), _billions(row["denominator"], lang)
            unit = t("indicator.unit.billion_vnd", lang)
        else:
            num, den = format_number(row["numerator"], lang), format_number(row["denominator"], lang)
            unit = _noun(f"indicator.unit.{ind.unit}", row["denominator"], lang)
        return t("indicator.ratio", lang, share=share, num=num, den=den, unit=unit)
    if ind.is_amount:
        if prose:
            return t("indicator.amount_billion", lang, x=_billions(value, lang))
        return t("indicator.amount", lang, x=format_number(value, lang, 3))
    unit = _noun(f"indicator.unit.{ind.unit}", value, lang)
    return t("indicator.count", lang, n=format_number(value, lang), unit=unit)


def missing_note(row: pd.Series | dict, indicator: Indicator, lang: str = "vi") -> str:
    """``1 xã chưa có số liệu`` when units in scope had no figure; empty otherwise."""
    n = int(row.get("units_missing", 0) or 0)
    if n == 0:
        return ""
    units = _noun(f"indicator.level.{indicator.level}", n, lang)
    return t("indicator.missing", lang, n=format_number(n, lang), units=units)


def indicators_by_unit(
    area_indicators: pd.DataFrame,
    units: pd.DataFrame,
    level: str = "commune",
    *,
    lang: str = "vi",
    year: int | None = None,
    as_of=None,
    indicators: list[str] | None = None,
    catalogue: Catalogue | None = None,
    aggregated: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Formatted indicator values by unit: one row per unit of ``level``, one column per indicator.

    Each indicator is shown at its latest date (in ``year``, at or before ``as_of``); its header
    is its name and that date. Cells are text in ``lang`` (``có``, ``12/15 thôn (80,0%)``,
    ``99,99% (1.203/1.204 hộ)``, ``–`` without data); ``frame.attrs["notes"]`` lists, per
    indicator, the units in scope without a figure.

    ``aggregated``: ``aggregate(area_indicators, units, level)`` when already worked out.

    Returns
    -------
    pandas.DataFrame
        Columns: code, unit name, then the indicators (headers in ``lang``), all text.
    """
    cat = catalogue or load_catalogue()
    if aggregated is None:
        aggregated = aggregate(area_indicators, units, level, cat)
    agg = latest(aggregated, year, as_of)
    wanted = [c for c in (indicators or cat.codes) if c in set(agg["indicator"])]
    code_col, name_col = t("indicator.col.unit_code", lang), t("indicator.col.unit_name", lang)
    out = _targets(area_indicators, units, level).rename(columns={"unit_code": code_col, "unit_name": name_col})
    notes = []
    for code in wanted:
        ind, part = cat[code], agg[agg["indicator"] == code]
        header = f"{ind.name(lang)} ({format_date(part['as_of'].iloc[0], lang)})"
        text = {r["unit_code"]: format_figure(r, ind, lang) for _, r in part.iterrows()}
        out[header] = out[code_col].map(text).fillna("–")
        missing = int(part["units_missing"].sum())
        if missing:
            notes.append(f"{ind.name(lang)}: {missing_note({'units_missing': missing}, ind, lang)}")
    out[name_col] = out[name_col].fillna("–")
    out.attrs["notes"] = notes
    return out


def _targets(area_indicators: pd.DataFrame, units: pd.DataFrame, level: str) -> pd.DataFrame:
    # The units of ``level`` (villages: those the rows name; locating the rows only for them).
    rows = locate(area_indicators, units) if level == "village" else None
    return area_units(units, level, rows)


def province_figures(
    indicators: pd.DataFrame,
    units: pd.DataFrame | None = None,
    classification: pd.DataFrame | None = None,
    *,
    lang: str = "vi",
    year: int | None = None,
    as_of=None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """The province's figures as the press writes them, each with its n and N.

    Every indicator at its latest date (``year``/``as_of`` as in :func:`latest`), rolled up to
    the province, and, from the commune classification, the region III communes that left
    region III between the first and the last classification year.

    Parameters
    ----------
    indicators
        The province's indicator rows (:func:`load_indicators`).
    units
        The province's communes (default: the official list, for the provinces in the data).
    classification
        Prepared classification rows (``year, commune_code, region``), optional.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``figure`` (indicator code or ``region_iii_exits``), ``name``,
        ``province_code``, ``year``, ``as_of``, ``value``, ``numerator``, ``denominator``,
        ``n_units``, ``units_missing``, ``unit_level``, ``text`` (``174/181 xã (96,1%)``;
        amounts in billion VND) and ``note`` (units without data, said so). An indicator
        with no row in a province gives no figure there.
    """
    cat = catalogue or load_catalogue()
    if units is None:  # the provinces the indicators are about (or, without any, the classification's)
        u = official_units()
        provinces = set(locate(indicators, u)["province_code"].dropna())
        if not provinces and classification is not None:
            provinces = set(u.loc[u["commune_code"].isin(classification["commune_code"]), "province_code"])
        units = u[u["province_code"].isin(provinces)]
    agg = latest(aggregate(indicators, units, "province", cat), year, as_of)
    rows = []
    for r in agg.to_dict("records"):
        if r["n_units"] == 0 and r["units_missing"] == 0:  # nothing reported in this province
            continue
        ind = cat[r["indicator"]]
        rows.append({**r, "figure": ind.code, "name": ind.name(lang), "province_code": r["unit_code"],
                     "text": format_figure(r, ind, lang, prose=True), "note": missing_note(r, ind, lang)})  # fmt: skip
    if classification is not None and len(classification):
        rows += _exits(classification, units, lang, year)
    columns = ["figure", "name", "province_code", "year", "as_of", "value", "numerator", "denominator", "n_units",
               "units_missing", "unit_level", "text", "note"]  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=columns)


def _exits(classification: pd.DataFrame, units: pd.DataFrame, lang: str, year: int | None) -> list[dict]:
    """Per province, the region III communes of the first classification year that left it by the last."""
    years = sorted(int(y) for y in classification["year"].unique() if year is None or int(y) <= int(year))
    if len(years) < 2:
        return []
    first, last = years[0], years[-1]
    communes = units[["commune_code", "province_code"]].drop_duplicates("commune_code")
    out = []
    for pcode, mine in communes.groupby("province_code"):
        rows = classification[classification["commune_code"].isin(mine["commune_code"])]
        n = len(region_iii_exits(rows, first, last))
        out.append(
            {
                "figure": "region_iii_exits",
                "name": t("indicator.region_iii_exits", lang),
                "province_code": pcode,
                "year": last,
                "as_of": pd.NaT,
                "value": float(n),
                "numerator": np.nan,
                "denominator": np.nan,
                "n_units": rows["commune_code"].nunique(),
                "units_missing": 0,
                "unit_level": "commune",
                "text": t("indicator.exits", lang, n=n, from_year=first, to_year=last),
                "note": "",
            }
        )
    return out


# --- maps ------------------------------------------------------------------------------------


def legend_set_for(indicator: Indicator, level: str) -> str:
    """The key of the legend set (:data:`analysis.maps.legends.LEGEND_SETS`) for an indicator mapped at ``level``.

    Yes/no at its own level: ``indicator_yes_no``; shares and ratios: ``indicator_share``;
    counts: ``indicator_count``; amounts: ``indicator_amount`` (for the last two, a data-driven
    :func:`~analysis.maps.schemes.scheme_legend_set` with ``like=`` this key usually reads better).
    """
    if indicator.kind == "yes_no":
        return "indicator_yes_no" if level == indicator.level else "indicator_share"
    if indicator.kind == "numerator":
        return "indicator_share"
    return "indicator_amount" if indicator.is_amount else "indicator_count"


def indicator_values(
    area_indicators: pd.DataFrame,
    units: pd.DataFrame,
    indicator: str,
    level: str = "commune",
    *,
    year: int | None = None,
    as_of=None,
    catalogue: Catalogue | None = None,
    aggregated: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One indicator by unit, ready for a choropleth: ``unit_code, value, n_units, units_missing``.

    Every unit of ``level`` in ``units`` is there; ``value`` is NaN where nothing is known (a
    map draws it hatched as "no data"). ``frame.attrs["legend_set"]`` names the legend set.
    ``aggregated``: ``aggregate(area_indicators, units, level)`` of every indicator, when
    already worked out (a report maps several).
    """
    cat = catalogue or load_catalogue()
    ind = cat.get(indicator)
    if aggregated is None:
        needed = area_indicators["indicator"].isin([ind.code, ind.denominator])  # a ratio needs its denominators
        aggregated = aggregate(area_indicators[needed], units, level, cat)
    agg = latest(aggregated[aggregated["indicator"] == ind.code], year, as_of)
    out = _targets(area_indicators, units, level)[["unit_code"]].merge(
        agg[["unit_code", "value", "n_units", "units_missing"]], on="unit_code", how="left")  # fmt: skip
    out[["n_units", "units_missing"]] = out[["n_units", "units_missing"]].fillna(0).astype("int64")
    out.attrs["legend_set"] = legend_set_for(ind, level)
    return out
