"""The written summary of a report on data converted to the 2025 units.

:mod:`analysis.report.summaries.gather` speaks of a district report (its units are communes) and
of a province overview (its units are districts). A new commune's report reads like the first,
and a new province's overview is one whose units are communes.
"""

from __future__ import annotations

import dataclasses
import functools

from analysis.report.area import ReportContext
from analysis.report.summaries.gather import summary_facts
from analysis.report.summaries.writer import summary_paragraphs


@functools.cache
def _communes_as_units() -> type:
    """A :class:`~analysis.report.area.ReportContext` whose units are communes, for the summary.

    :mod:`analysis.report.summaries` speaks of a district report (its units are communes) and of a
    province overview (its units are districts). A new commune's report reads like the first
    ("xã Quan Sơn" for "huyện Chi Lăng"), and a new province's overview is one whose units are
    communes: the summary is written from this view, with the province's level put back.
    """
    class CommunesAsUnits(ReportContext):
        @property
        def level(self) -> str:
            return "district"

    return CommunesAsUnits


def write_converted_summary(ctx: ReportContext) -> list[str]:
    """The written summary of a converted report, as paragraphs (see :func:`_communes_as_units`)."""
    view = _communes_as_units()(**{f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)})
    facts = summary_facts(view)
    if ctx.level == "province":
        facts = dataclasses.replace(facts, level="province")
    else:  # "xã X has 1 region III commune" says nothing: its region is in the headline cards
        facts = dataclasses.replace(facts, regions=None)
    return summary_paragraphs(facts, ctx.lang)
