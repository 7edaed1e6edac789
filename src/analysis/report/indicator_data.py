"""The area's indicator rows for a report: its rows up to the report's date (read once) and those
rows added up by level (once per level). The area's figures at their latest dates are
:func:`analysis.report.summaries.indicator_facts.area_figures`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalog.indicators import load_catalogue
from analysis.inputs.indicators import empty_indicators
from analysis.metrics.indicators import aggregate
from analysis.store.indicators import load_indicators

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def indicator_rows(ctx: ReportContext) -> pd.DataFrame:
    """The area's indicator rows up to the report's date: year at most the report's year, as-of
    date at most the report's date. Read once per report and kept on ``ctx``.

    Prepared data from before indicators existed gives an empty table.
    """
    if ctx._indicators is None:
        a = ctx.area
        if ctx.level not in ("district", "province"):  # a new commune's report: data by the 2025 units has none
            ctx._indicators = empty_indicators()
            return ctx._indicators
        rows = load_indicators(a.data_dir, a.province_code, a.district_code)
        keep = (rows["year"].astype(int) <= ctx.year) & (pd.to_datetime(rows["as_of"]) <= ctx.as_of)
        ctx._indicators = rows[keep.to_numpy()].reset_index(drop=True)
    return ctx._indicators


def has_indicators(ctx: ReportContext) -> bool:
    """Whether the area has any indicator row up to the report's date."""
    return len(indicator_rows(ctx)) > 0


def area_communes(ctx: ReportContext) -> pd.DataFrame:
    """The report's communes (with their district and province), without geometry."""
    return pd.DataFrame(ctx.area.communes.drop(columns="geometry"))


def aggregated(ctx: ReportContext, level: str) -> pd.DataFrame:
    """The report's indicator rows added up to the units of ``level``
    (:func:`analysis.inputs.indicators.aggregate`), worked out once per report and level: the area's
    figures, the table by unit and the maps use them. A copy each time."""
    by_level = ctx._indicators_by_level
    if level not in by_level:
        by_level[level] = aggregate(indicator_rows(ctx), area_communes(ctx), level, load_catalogue())
    return by_level[level].copy()
