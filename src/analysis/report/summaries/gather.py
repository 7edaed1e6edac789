"""Gathering a summary's facts from a report, with the functions the report's tables use
(:func:`analysis.metrics.finance.headline`, :func:`analysis.report.by_unit.unit_table`,
:func:`analysis.metrics.poverty.poverty_change`…), so that a sentence can only say what a table shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.programme_rows import programme_finance
from analysis.inputs.schema import CAPITAL_TYPES, FUNDS
from analysis.metrics.coverage import area_coverage
from analysis.metrics.finance import disbursement, latest_snapshot, progress
from analysis.metrics.poverty import region_counts, region_iii_exits
from analysis.report.area import area_headline, area_poverty_change, shown_dates
from analysis.report.by_unit import unit_table
from analysis.report.summaries.facts import (
    MAX_BEHIND,
    Amounts,
    IndicatorFigure,
    Position,
    Poverty,
    Previous,
    Regions,
    SummaryFacts,
    Units,
)
from analysis.report.summaries.indicator_facts import summary_figures
from analysis.store.prepared import read_prepared

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def summary_facts(ctx: ReportContext) -> SummaryFacts:
    """The figures of a report's summary, computed with the functions of its tables.

    Parameters
    ----------
    ctx
        The report's context (:func:`analysis.report.area.context`).

    Returns
    -------
    SummaryFacts
    """
    a = ctx.area
    h = area_headline(ctx)
    total = Amounts.from_row(h["total"].iloc[0]) if len(ctx.snapshot) else None
    by_fund = h["fund"].set_index("fund")
    by_capital = h["capital_type"].set_index("capital_type")
    return SummaryFacts(
        level=ctx.level,
        area=a.name,
        province=a.province_name,
        year=ctx.year,
        as_of=ctx.as_of.date(),
        total=total,
        funds={f: Amounts.from_row(by_fund.loc[f]) for f in _ordered(by_fund.index, FUNDS[::-1])},
        capital={c: Amounts.from_row(by_capital.loc[c]) for c in _ordered(by_capital.index, CAPITAL_TYPES)},
        previous=_previous(ctx),
        position=_position(ctx, total),
        units=_units(ctx, unit_table(ctx)),
        poverty=_poverty(ctx),
        regions=_regions(ctx),
        indicators=_indicators(ctx),
        dates=shown_dates(ctx),
        coverage=area_coverage(ctx).finance,
    )


def _ordered(present, order) -> list[str]:
    """Codes in the offices' order (carried-over funds before the year's, as seed 003 does)."""
    present = [str(p) for p in present]
    return [c for c in order if c in present] + sorted(c for c in present if c not in order)


def _previous(ctx: ReportContext) -> Previous | None:
    """Totals at the snapshot before the report's, as the progress chart computes them."""
    prog = progress(ctx.area.finance[ctx.area.finance["as_of"] <= ctx.as_of], ctx.year)
    if len(prog) < 2:
        return None
    row = prog.iloc[-2]
    return Previous(pd.Timestamp(row["as_of"]).date(), float(row["disbursed_mvnd"]),
                    float(row["rate"]) if bool(row["has_plan"]) else None)


def _position(ctx: ReportContext, total: Amounts | None) -> Position | None:
    """Where a district stands among its province's districts at the same date."""
    if ctx.level != "district" or total is None or total.rate is None:
        return None
    a = ctx.area
    finance = read_prepared(a.data_dir, "finance", province=a.province_code, manifest=a.manifest)
    finance = programme_finance(finance, ctx.programme)[1]  # the report's programme only
    snap = latest_snapshot(finance, ctx.year, ctx.as_of)
    by_district = disbursement(snap, "district_code")
    by_district = by_district[by_district["has_plan"]]
    if len(by_district) < 2 or a.district_code not in set(by_district["district_code"]):
        return None
    province = disbursement(snap).iloc[0]
    if not bool(province["has_plan"]):
        return None
    ours = float(by_district.loc[by_district["district_code"] == a.district_code, "rate"].iloc[0])
    rank = 1 + int((by_district["rate"] > ours).sum())
    return Position(float(province["rate"]), rank, len(by_district))


def _units(ctx: ReportContext, table: pd.DataFrame) -> Units | None:
    if not len(table):
        return None
    kind = "commune" if ctx.level == "district" else "district"
    name = f"{kind}_name"
    has_plan = table["has_plan"].fillna(False).astype(bool)
    planned = table[has_plan].sort_values(["rate", name])
    n_named = min(MAX_BEHIND, len(planned) - 1)
    lowest = tuple((str(r[name]), float(r["rate"])) for _, r in planned.head(max(n_named, 0)).iterrows())
    return Units(kind, len(table), int(has_plan.sum()), lowest)


def _poverty(ctx: ReportContext) -> Poverty | None:
    """The rates of the headline cards: :func:`analysis.metrics.poverty.poverty_change` of the area."""
    if ctx.poverty_year is None or ctx.baseline_year is None or not len(ctx.area.poverty):
        return None
    ch = area_poverty_change(ctx)
    same = ctx.baseline_year == ctx.poverty_year
    return Poverty(
        ctx.poverty_year,
        None if same else ctx.baseline_year,
        _number(ch["poverty_rate_now"]),
        None if same else _number(ch["poverty_rate_change_pp"]),
        _number(ch["em_poverty_rate_now"]),
        None if same else _number(ch["em_poverty_rate_change_pp"]),
        area_coverage(ctx).poverty,
    )


def _regions(ctx: ReportContext) -> Regions | None:
    base_y, now_y = ctx.class_years
    cls = ctx.area.classification
    if now_y is None or not len(cls[cls["year"] == now_y]):
        return None
    n3 = int(region_counts(cls, now_y)["III"].iloc[0])
    coverage = area_coverage(ctx).classification
    if base_y is None or base_y == now_y:
        return Regions(now_y, n3, coverage=coverage)
    names = ctx.area.province_communes.set_index("commune_code")["commune_name"]
    exits = region_iii_exits(cls, base_y, now_y)
    return Regions(now_y, n3, base_y, tuple(str(names.get(c, c)) for c in sorted(exits["commune_code"])), coverage)


def _indicators(ctx: ReportContext) -> tuple[IndicatorFigure, ...]:
    """The area's indicators at their latest dates
    (:func:`analysis.report.summaries.indicator_facts.summary_figures`)."""
    return summary_figures(ctx)


def _number(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)
