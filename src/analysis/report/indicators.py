"""The indicators section as the report notebooks call it: ``report_indicators.section(ctx)``,
``.figures(ctx)``, ``.units_table(ctx)`` and ``.maps(ctx)``.

The functions live in :mod:`analysis.report.sections.indicators` under names of their own; this
front door gives them the short names of the notebooks' cells.
"""

from analysis.report.sections.indicators import indicator_figures_table as figures
from analysis.report.sections.indicators import indicator_maps as maps
from analysis.report.sections.indicators import indicator_units_table as units_table
from analysis.report.sections.indicators import indicators_heading as section

__all__ = ["section", "figures", "units_table", "maps"]
