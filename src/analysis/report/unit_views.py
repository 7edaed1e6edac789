"""What a report says and draws that depends on the unit system of its data.

A report of data keyed to the old units and one of data converted to the 2025 units differ in
a few places: notes under the title, the coverage note, estimated figures marked in the
tables, the former districts drawn on the maps, the warnings (keyed to the old communes), the
method notes and the boundary match summary. Each is a method of :class:`UnitView`, whose
defaults are the old units'; :class:`ConvertedView` is the 2025 units reached by conversion.
The sections ask ``unit_view(ctx)`` and never test which system the data is keyed to, so a new
unit system is a new view in :data:`VIEWS`, keyed like :data:`analysis.catalog.unit_systems.SYSTEMS`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from analysis.catalog.unit_systems import CONVERTED_2025, NATIVE_2025, OLD_UNITS
from analysis.common.i18n import t
from analysis.maps import layers
from analysis.report import reform_estimates, reform_maps, reform_notes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.report.area import ReportContext

__all__ = ["VIEWS", "ConvertedView", "NativeView", "UnitView", "unit_view"]

Columns = dict[str, tuple[str, str]]


class UnitView:
    """A report of data keyed to the old units (province → district → commune): the defaults."""

    #: Maps are drawn alone, never by restyling one shared figure (a converted report draws
    #: each new commune with its own neighbours).
    draws_maps_alone = False
    #: Label of the index page's table of units and of its note (``<key>_note``).
    index_units_key = "index.districts"

    def title_notes(self, ctx: ReportContext) -> list[tuple[str, str]]:
        """Notes under the title, as ``(css class, text)``."""
        return []

    def coverage_note(self, ctx: ReportContext) -> str:
        """"1 of 12 districts reported" when the data covers only part of the province."""
        cov = ctx.area.coverage
        reported = ctx.snapshot["district_code"].nunique()
        if ctx.level == "province" and reported < cov["districts_official"]:
            return t("report.partial_coverage", ctx.lang, n=reported, total=cov["districts_official"])
        return ""

    def estimated_html(self, ctx: ReportContext) -> str:
        """A note under the headline tables on figures that are estimates, or ``""``."""
        return ""

    def mark_units(
        self, ctx: ReportContext, frame: pd.DataFrame, cols: Columns, after: str | None
    ) -> tuple[pd.DataFrame, Columns]:
        """A table of the area's communes, with the communes whose figures are estimates marked."""
        return frame, cols

    def mark_projects(self, ctx: ReportContext, frame: pd.DataFrame, cols: Columns) -> tuple[pd.DataFrame, Columns]:
        """The project table, with the projects whose figures are estimates marked."""
        return frame, cols

    def commune_units_html(self, ctx: ReportContext) -> str:
        """What a new commune's report shows in place of its table of units (HTML)."""
        return f"<p class='ntp-note'>{escape(t('reform.native_commune', ctx.lang))}.</p>"

    def unit_warnings(self, ctx: ReportContext) -> pd.DataFrame:
        """The area's warnings, keyed to the units the report shows."""
        return ctx.area.warnings

    def warning_names(self, ctx: ReportContext) -> pd.Series:
        """Names of the communes the warnings are keyed to, by commune code."""
        return ctx.area.province_communes.set_index("commune_code")["commune_name"]

    def method_notes(self, ctx: ReportContext, notes: list[str]) -> list[str]:
        """The method notes of the sources section (``notes``: the ones every report has)."""
        return notes

    def match_paragraphs(self, ctx: ReportContext) -> list[str]:
        """How the data matched the boundaries, and what prepare did to them: paragraphs."""
        counts = ctx.area.match_report["status"].value_counts()
        text = t(
            "report.match_summary",
            ctx.lang,
            code=int(counts.get("matched_code", 0)),
            name=int(counts.get("matched_name", 0)),
            no_polygon=int(counts.get("unmatched_data", 0)),
            no_data=int(counts.get("unmatched_boundary", 0)),
        )
        return [text, *_boundary_notes(ctx.area.manifest.get("boundaries") or {}, ctx.lang)]

    def frame_axes(self, ctx: ReportContext, ax: Axes) -> None:
        """Fix the map's extent before it is drawn (nothing: the map fits its units)."""

    def decorate_map(self, ctx: ReportContext, ax: Axes, gdf: gpd.GeoDataFrame) -> None:
        """Draw what a map shows around its units: a district's locator inset, or the
        province's district boundaries."""
        if ctx.level == "district":
            layers.add_inset(
                ax,
                ctx.area.districts,
                ctx.area.districts[ctx.area.districts["district_code"] == ctx.area.district_code],
                loc="outside lower right",
            )
        else:
            layers.draw_boundaries(ax, ctx.area.districts, linewidth=1.0, color="#252525")


class ConvertedView(UnitView):
    """A report of data converted to the 2025 units (province → commune): estimates marked,
    the former districts as a reference layer, warnings of the old communes."""

    draws_maps_alone = True
    index_units_key = "levels.index.communes"

    def title_notes(self, ctx: ReportContext) -> list[tuple[str, str]]:
        return reform_notes.title_notes(ctx)

    def coverage_note(self, ctx: ReportContext) -> str:
        return reform_notes.converted_coverage_note(ctx)

    def estimated_html(self, ctx: ReportContext) -> str:
        return reform_estimates.estimated_html(ctx)

    def commune_units_html(self, ctx: ReportContext) -> str:
        return reform_estimates.former_communes_table(ctx)

    def mark_units(
        self, ctx: ReportContext, frame: pd.DataFrame, cols: Columns, after: str | None
    ) -> tuple[pd.DataFrame, Columns]:
        marked = reform_estimates.estimated_codes(ctx)
        return reform_estimates.mark_estimated(ctx, frame, cols, "commune_code", marked, after)

    def mark_projects(self, ctx: ReportContext, frame: pd.DataFrame, cols: Columns) -> tuple[pd.DataFrame, Columns]:
        marked = reform_estimates.estimated_projects(ctx)
        return reform_estimates.mark_estimated(ctx, frame, cols, "project", marked, "project")

    def unit_warnings(self, ctx: ReportContext) -> pd.DataFrame:
        return reform_estimates.unit_warnings(ctx)

    def warning_names(self, ctx: ReportContext) -> pd.Series:
        return reform_estimates.warning_names(ctx)

    def method_notes(self, ctx: ReportContext, notes: list[str]) -> list[str]:
        return reform_notes.method_notes(ctx)

    def match_paragraphs(self, ctx: ReportContext) -> list[str]:
        return [reform_notes.match_summary(ctx)]

    def frame_axes(self, ctx: ReportContext, ax: Axes) -> None:
        reform_maps.frame_axes(ctx, ax)

    def decorate_map(self, ctx: ReportContext, ax: Axes, gdf: gpd.GeoDataFrame) -> None:
        reform_maps.decorate_map(ctx, ax)


class NativeView(ConvertedView):
    """A report of data keyed to the 2025 units from the start (province → commune): nothing
    estimated, warnings keyed to the new communes themselves; the maps and the coverage note
    as for converted data, boundaries derived from the old communes said so."""

    def title_notes(self, ctx: ReportContext) -> list[tuple[str, str]]:
        return reform_notes.native_title_notes(ctx)

    # as for the old units: nothing estimated, no former communes, warnings keyed to the units shown
    estimated_html = UnitView.estimated_html
    commune_units_html = UnitView.commune_units_html
    mark_units = UnitView.mark_units
    mark_projects = UnitView.mark_projects
    unit_warnings = UnitView.unit_warnings
    warning_names = UnitView.warning_names

    def method_notes(self, ctx: ReportContext, notes: list[str]) -> list[str]:
        return reform_notes.native_method_notes(ctx, notes)


#: The view of each unit system, by its manifest key.
VIEWS: dict[str, UnitView] = {
    OLD_UNITS.key: UnitView(), CONVERTED_2025.key: ConvertedView(), NATIVE_2025.key: NativeView(),
}  # fmt: skip


def unit_view(ctx: ReportContext) -> UnitView:
    """The view of the unit system the report's data is keyed to."""
    return VIEWS[ctx.area.units.key]


def _boundary_notes(entry: dict, lang: str) -> list[str]:
    """What prepare did to the boundaries: merged communes dissolved (crosswalk), polygons repaired."""
    notes = []
    crosswalk = entry.get("crosswalk") or {}
    if crosswalk.get("merges_used"):
        notes.append(t("report.boundary_merges", lang, n_old=crosswalk["features_merged"],
                       n_new=len(crosswalk["merges_used"]), file=Path(crosswalk["path"]).name))
    if entry.get("repaired_geometries"):
        notes.append(t("report.boundary_repairs", lang, n=entry["repaired_geometries"]))
    return notes
