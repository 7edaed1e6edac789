"""What the Word and Excel copies of a report show: its title, notes, summary, tables and pictures,
built with the functions the notebook's cells call (never from the HTML)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from analysis import __version__
from analysis.common.i18n import t
from analysis.maps.style import map_style
from analysis.report import quality as report_quality
from analysis.report.area import area_title, shown_as_of
from analysis.report.sections.finance import headline_frames, project_frame
from analysis.report.sections.maps import (
    chart_progress,
    chart_projects,
    map_disbursement,
    map_need_vs_money,
    map_poverty_change,
)
from analysis.report.sections.title import coverage_note
from analysis.report.sections.units import units_frame
from analysis.report.summaries.writer import write_summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from analysis.report.area import ReportContext


#: Resolution of the pictures in the Word copy (print).
PRINT_DPI = 300


@dataclass
class ReportTable:
    """A table of a report: its data, its columns (``{column: (header, kind)}``) and names."""

    key: str
    title: str
    sheet: str
    frame: pd.DataFrame
    columns: dict[str, tuple[str, str]]
    total_row: bool = False


@dataclass
class ReportPicture:
    """A chart or map of a report as print-resolution PNG, with its caption."""

    title: str
    png: bytes
    kind: str = "map"  # "chart" or "map"


@dataclass
class ReportContent:
    """Everything the Word and Excel copies show, in order."""

    title: str
    subtitle: str
    notes: list[str]
    summary: list[str]
    tables: list[ReportTable]
    pictures: list[ReportPicture] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    lang: str = "vi"


def report_tables(ctx: ReportContext) -> list[ReportTable]:
    """The report's tables, from the functions its HTML tables come from.

    Headline (by capital type, by fund, total), headline detail (capital type × fund), by
    project, and by commune (district report) or by district (province overview).
    """
    lang = ctx.lang
    (headline, cols), (detail, detail_cols) = headline_frames(ctx)
    projects, project_cols = project_frame(ctx)
    units, unit_cols = units_frame(ctx)
    units_key = "units_commune" if ctx.level == "district" else "units_district"
    made = [
        ("headline", headline, cols, True),
        ("headline_detail", detail, detail_cols, False),
        ("projects", projects, project_cols, False),
        (units_key, units, unit_cols, False),
    ]
    return [ReportTable(key, t(f"table.{key}", lang), t(f"sheet.{key}", lang), frame.reset_index(drop=True),
                        dict(columns), total) for key, frame, columns, total in made]


def figure_png(figure: Figure, dpi: int = PRINT_DPI) -> bytes:
    """A report figure as PNG at ``dpi``, trimmed as the HTML report trims it."""
    buf = io.BytesIO()
    with map_style():
        figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    return buf.getvalue()


def report_pictures(ctx: ReportContext, dpi: int = PRINT_DPI) -> list[ReportPicture]:
    """The report's charts and maps (the notebook's order), drawn at ``dpi``."""
    out = []
    for kind, draw in (("chart", chart_projects), ("chart", chart_progress),
                       ("map", map_disbursement), ("map", map_poverty_change),
                       ("map", map_need_vs_money)):
        picture = draw(ctx)
        out.append(ReportPicture(picture.alt, figure_png(picture.figure, dpi), kind))
    return out


def report_content(ctx: ReportContext, *, pictures: bool = True, dpi: int = PRINT_DPI) -> ReportContent:
    """Everything the Word copy shows, built from the report's own functions.

    Parameters
    ----------
    ctx
        The report's context.
    pictures
        Draw the charts and maps (the slow part); ``False`` for the workbook alone.
    dpi
        Resolution of the pictures.
    """
    lang = ctx.lang
    notes = [n for n in (coverage_note(ctx), *report_quality.coverage_notes(ctx)) if n]
    method = [
        t("report.method.snapshot", lang, as_of=shown_as_of(ctx)),
        t("report.method.rates", lang),
        t("report.method.poverty", lang),
        t("report.method.units", lang),
    ]
    if ctx.area.manifest.get("boundaries", {}).get("quality") == "approximate":
        method.append(t("report.method.approximate", lang))
    method.append(t("report.generated", lang, when=ctx.generated_at.strftime("%d/%m/%Y %H:%M UTC"),
                    version=__version__, prepared=report_quality.prepared_at(ctx.area.manifest)))
    return ReportContent(
        title=area_title(ctx),
        subtitle=t("report.subtitle", lang, year=ctx.year, as_of=shown_as_of(ctx)),
        notes=notes,
        summary=write_summary(ctx),
        tables=report_tables(ctx),
        pictures=report_pictures(ctx, dpi) if pictures else [],
        method=method,
        lang=lang,
    )
