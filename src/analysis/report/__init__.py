"""Report content: the one-call-per-cell functions the report notebooks call as ``report.x(ctx)``.

The package holds, bottom to top: the report context (:mod:`~analysis.report.area`), its
pictures and shared map figures (:mod:`~analysis.report.figures`), its figures by unit
(:mod:`~analysis.report.by_unit`), section headings, the indicators' data, the notes on converted
data (``reform_estimates``, ``reform_maps``, ``reform_notes``) and the data-quality pieces; the
written summaries (:mod:`~analysis.report.summaries`), which import the context, never a section;
the sections, one leaf module each (:mod:`~analysis.report.sections`); and the Word and Excel
copies (:mod:`~analysis.report.copies`), which import the sections. This module re-exports the
notebooks' calls; the indicators section's are in :mod:`analysis.report.indicators`
(``report.section`` is :func:`analysis.report.headings.section_heading`).

It may import :mod:`analysis.maps`, :mod:`analysis.store`, :mod:`analysis.metrics`,
:mod:`analysis.inputs`, :mod:`analysis.catalog`, :mod:`analysis.common` and the root modules
``config`` and ``errors``; never :mod:`analysis.run` or the command line.
"""

from analysis.report.area import (
    ReportContext,
    area_headline,
    area_poverty_change,
    area_title,
    context,
    shown_as_of,
    shown_dates,
)
from analysis.report.by_unit import coverage_columns, unit_table
from analysis.report.figures import Picture, decorate_area_map, new_map_figure, shared_map
from analysis.report.headings import section_heading as section
from analysis.report.sections.checks import data_quality, flagged_units
from analysis.report.sections.explore import indicator_table, interactive_map
from analysis.report.sections.finance import (
    headline_figures,
    headline_frames,
    project_frame,
    project_table,
    totals_note,
)
from analysis.report.sections.maps import (
    chart_progress,
    chart_projects,
    map_disbursement,
    map_need_vs_money,
    map_poverty_change,
)
from analysis.report.sections.sources import sources
from analysis.report.sections.summary import summary
from analysis.report.sections.title import coverage_note, title
from analysis.report.sections.units import units_frame, units_table

__all__ = [
    "ReportContext",
    "context",
    "shown_dates",
    "shown_as_of",
    "area_headline",
    "area_poverty_change",
    "area_title",
    "title",
    "coverage_note",
    "section",
    "summary",
    "headline_figures",
    "totals_note",
    "headline_frames",
    "project_table",
    "project_frame",
    "unit_table",
    "coverage_columns",
    "units_table",
    "units_frame",
    "Picture",
    "new_map_figure",
    "decorate_area_map",
    "shared_map",
    "map_disbursement",
    "map_poverty_change",
    "map_need_vs_money",
    "chart_projects",
    "chart_progress",
    "flagged_units",
    "data_quality",
    "sources",
    "interactive_map",
    "indicator_table",
]
