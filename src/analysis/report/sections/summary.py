"""The summary section of a report: the written summary, one paragraph per topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.catalog.unit_systems import CONVERTED_2025, NATIVE_2025, OLD_UNITS
from analysis.common.i18n import t
from analysis.report.summaries.converted import write_converted_summary
from analysis.report.summaries.writer import write_summary
from analysis.report.tables import esc

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


#: The writer of the summary of each unit system, by its manifest key.
SUMMARY_WRITERS = {
    OLD_UNITS.key: write_summary, CONVERTED_2025.key: write_converted_summary, NATIVE_2025.key: write_converted_summary,
}  # fmt: skip


def summary(ctx: ReportContext) -> HTML:
    """The written summary that opens the report (:mod:`analysis.report.summaries`), one paragraph per topic."""
    written = SUMMARY_WRITERS[ctx.area.units.key](ctx)
    paragraphs = written or [t("report.no_summary", ctx.lang)]
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return HTML(f"<div class='ntp-report ntp-summary'>{body}</div>")
