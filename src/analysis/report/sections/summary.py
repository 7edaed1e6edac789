"""The summary section of a report: the written summary, one paragraph per topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from IPython.display import HTML

from analysis.common.i18n import t
from analysis.report.summaries.converted import write_converted_summary
from analysis.report.summaries.writer import write_summary
from analysis.report.tables import esc

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


def summary(ctx: ReportContext) -> HTML:
    """The written summary that opens the report (:mod:`analysis.report.summaries`), one paragraph per topic."""
    written = write_converted_summary(ctx) if ctx.converted else write_summary(ctx)
    paragraphs = written or [t("report.no_summary", ctx.lang)]
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return HTML(f"<div class='ntp-report ntp-summary'>{body}</div>")
