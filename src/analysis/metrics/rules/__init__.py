"""Rule checks on valid data, in the spirit of DHIS2's validation rules and data-quality app.

They flag what deserves a look; they reject nothing (what must be rejected is, at the door:
:mod:`analysis.inputs.gates`). Each warning names its rule, its unit, a second commune where it
compares two, and its figures (``detail``), from which its sentence is written in the report's
language (:mod:`analysis.metrics.rules.sentences`); ``message`` is the English sentence of
``warnings.csv``.

The checks, in the order the reports list them (:data:`RULES`): finance rows
(:mod:`~analysis.metrics.rules.finance`), plans far from their peers (:mod:`~analysis.metrics.rules.outliers`),
counts outside plausible ranges and which data each commune has (:mod:`~analysis.metrics.rules.units`),
the polygons (:mod:`~analysis.metrics.rules.geometry`). Their thresholds are settings
(:mod:`~analysis.metrics.rules.settings`).

Part of the metrics layer: may import the rest of :mod:`analysis.metrics` and what it may
import (:mod:`analysis.inputs`, :mod:`analysis.catalog`, :mod:`analysis.common`, ``config`` and
``errors``).
"""

from __future__ import annotations

import geopandas
import pandas as pd

from analysis.metrics.rules.finance import (
    disbursed_above_plan,
    district_rows_equal_to_communes,
    district_subtotals,
    plan_not_disbursed,
    snapshot_falls,
)
from analysis.metrics.rules.frame import WARNING_COLUMNS, typed
from analysis.metrics.rules.geometry import geometry_rules
from analysis.metrics.rules.outliers import plan_outliers
from analysis.metrics.rules.settings import RuleSettings, default_settings, load_settings
from analysis.metrics.rules.units import boundary_coverage, coverage, value_ranges

__all__ = ["RULES", "WARNING_COLUMNS", "RuleSettings", "load_settings", "run_rules"]

#: Every rule, in the order reports list them (money counted wrongly first). Each has a name
#: (``rule.<rule>``) and a sentence (``rule.<rule>.sentence``) in both languages in
#: ``resources/labels-rules.json``.
RULES = (
    "district_subtotal",
    "district_row_equals_communes",
    "disbursed_fell",
    "plan_decreased",
    "disbursed_above_plan",
    "plan_outlier",
    "value_out_of_range",
    "same_polygon",
    "polygon_covers_district",
    "polygon_overlap",
    "plan_not_disbursed",
    "finance_without_poverty",
    "poverty_without_finance",
    "boundary_without_data",
    "data_without_boundary",
)


def run_rules(
    finance: pd.DataFrame,
    poverty: pd.DataFrame,
    match_report: pd.DataFrame,
    *,
    communes: geopandas.GeoDataFrame | None = None,
    classification: pd.DataFrame | None = None,
    subtotals: pd.DataFrame | None = None,
    settings: RuleSettings | None = None,
) -> pd.DataFrame:
    """All rule checks, one row per warning (columns :data:`WARNING_COLUMNS`).

    Parameters
    ----------
    finance, poverty
        Accepted rows.
    match_report
        How each unit met its boundary (:func:`analysis.inputs.unit_shapes.match_units`).
    communes
        The communes with their polygons, for the geometry checks (left out when None).
    classification
        Accepted rows of the communes table (villages), for the ranges.
    subtotals
        District rows rejected as subtotals at the door (``ValidatedTable.found``).
    settings
        Thresholds (default: ``resources/rules.json``).

    Returns
    -------
    pandas.DataFrame
    """
    s = settings or default_settings()
    tables = {"finance": finance, "poverty": poverty}
    if classification is not None:
        tables["communes"] = classification
    parts = [
        district_subtotals(subtotals),
        district_rows_equal_to_communes(finance),
        snapshot_falls(finance, s.snapshot_tolerance_mvnd),
        disbursed_above_plan(finance),
        plan_outliers(finance, s.outlier_threshold, s.outlier_min_group, s.outlier_scale),
        value_ranges(tables, s.ranges),
        plan_not_disbursed(finance),
        coverage(finance, poverty),
        boundary_coverage(match_report),
    ]
    if communes is not None:
        parts.append(geometry_rules(communes, same_polygon_iou=s.same_polygon_iou, overlap_share=s.overlap_share,
                                    covers_district_share=s.covers_district_share))
    out = typed(parts)
    order = {rule: i for i, rule in enumerate(RULES)}
    return out.sort_values("rule", key=lambda r: r.map(order), kind="stable").reset_index(drop=True)
