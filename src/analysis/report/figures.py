"""The pictures of a report: a figure shown as an embedded PNG, the reports' map figure and the
map of the area's communes with their figures, drawn once and shared by the maps of the same units.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from analysis.maps.png import png_trimmed
from analysis.report.mapdata import commune_metrics
from analysis.report.tables import esc
from analysis.report.unit_views import unit_view

if TYPE_CHECKING:
    from analysis.report.area import ReportContext


class Picture:
    """A figure shown as an embedded PNG with alt text (offline, no pyplot state).

    ``.figure`` is the matplotlib figure, for an analyst who wants to save it. The PNG is
    drawn once and kept: a notebook shows the picture as HTML only (``<img>`` with its alt
    text), so the executed notebook does not carry every image twice and a report does not
    pay to draw it twice.

    A picture can also be made from its PNG and a function that draws its figure: the
    report's three maps are drawn on one figure in turn (:func:`analysis.maps.choropleth.restyle`), and
    ``.figure`` then draws the map alone on a new figure when first asked for.
    """

    def __init__(
        self,
        figure: Figure | None,
        alt: str,
        dpi: int = 150,
        *,
        png: bytes | None = None,
        draw: Callable[[], Figure] | None = None,
    ) -> None:
        if figure is None and draw is None:
            raise ValueError("a Picture needs a figure, or a function that draws it")
        self._figure = figure
        self._draw = draw
        self.alt = alt
        self.dpi = dpi
        self._png = png

    @property
    def figure(self) -> Figure:
        """The matplotlib figure (drawn now if the picture was made from its PNG)."""
        if self._figure is None:
            self._figure = self._draw()
        return self._figure

    def png(self) -> bytes:
        """The picture as PNG bytes at ``dpi``, trimmed to its content (drawn on first call)."""
        if self._png is None:
            self._png = png_trimmed(self.figure, self.dpi)
        return self._png

    def _repr_html_(self) -> str:
        import base64

        data = base64.b64encode(self.png()).decode("ascii")
        return _IMG.format(data=data, alt=esc(self.alt))

    @staticmethod
    def find_html(page: str, alt: str) -> str | None:
        """The first picture with alt text ``alt`` in an HTML ``page``, as its ``<img>``
        exactly as :meth:`_repr_html_` wrote it; None when there is none."""
        pattern = re.escape(_IMG).replace(re.escape("{data}"), "[A-Za-z0-9+/=]+")
        found = re.search(pattern.replace(re.escape("{alt}"), re.escape(esc(alt))), page)
        return found.group(0) if found else None


#: How a picture is written into a page (:meth:`Picture._repr_html_`).
_IMG = '<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'


#: Where a report map's axes sit in its 9 × 6.6 in figure: room above for the title and
#: subtitle, below for the source line, on the right for the legend and the locator inset.
#: A fixed frame rather than constrained layout: a layout pass measures every text of the
#: figure again at each draw, and the PNG is cut to what was drawn anyway. A legend wider
#: than the room is drawn beyond the figure's edge and still kept whole by the cut.
MAP_RECT = (0.01, 0.06, 0.64, 0.82)


def new_map_figure() -> tuple[Figure, object]:
    """A map figure of the reports' size, and its map axes."""
    fig = Figure(figsize=(9.0, 6.6), dpi=110)
    return fig, fig.add_axes(MAP_RECT)


def decorate_area_map(ctx: ReportContext, ax, gdf: gpd.GeoDataFrame) -> None:
    """Draw what a report's map shows around its units (:meth:`analysis.report.unit_views.UnitView.decorate_map`):
    the former districts of converted data, or the area's outline and neighbours."""
    unit_view(ctx).decorate_map(ctx, ax, gdf)


def map_frame(ctx: ReportContext) -> gpd.GeoDataFrame:
    """The communes a map shows with their figures: the district's, or the whole province's.

    Worked out once per report (every map of a report shows the same communes) and handed
    out as a copy, so that one map's drawing cannot change another's data.
    """
    if ctx._map_frame is None:
        gdf = commune_metrics(ctx.area, ctx.snapshot, ctx.baseline_year, ctx.poverty_year)
        if ctx.level == "district":
            gdf = gdf[gdf["district_code"] == ctx.area.district_code]
        elif ctx.level == "commune":
            gdf = gdf[gdf["commune_code"] == ctx.area.commune_code]
        ctx._map_frame = gdf
    return ctx._map_frame.copy()


def shared_map(
    ctx: ReportContext,
    units: pd.Series,
    labels: str | None,
    alt: str,
    alone: Callable[[], Figure],
    restyle: Callable[[object], object],
) -> Picture:
    """A map of ``units`` drawn on the report's figure of those units, if it has one.

    A report shows several maps of the same units (its communes' disbursement, poverty and
    indicators). The first is drawn in full by ``alone``; the next ones are drawn on the
    same figure by ``restyle(ax)`` (:func:`analysis.maps.choropleth.restyle`: fills, legend, titles and
    label colours replaced), so that outlines, label placement, the inset and the scale bar
    are drawn and measured once. Each map's PNG is made before the next map is drawn; its
    ``.figure`` calls ``alone`` to draw it alone when an analyst asks for it.

    Parameters
    ----------
    ctx
        The report; it keeps one figure per set of units and labels.
    units
        The unit codes the map shows, in the order drawn.
    labels
        The column the units are labelled with, or None.
    alt
        Alt text of the picture.
    alone, restyle
        Draw the map on a new figure; show it on the axes of a figure ``alone`` drew for
        another map of the same units.
    """
    key = (tuple(units), labels)
    base = ctx._map_bases.get(key)
    if base is None:
        base = ctx._map_bases[key] = alone()
    else:
        restyle(base.axes[0])
    return Picture(None, alt, png=Picture(base, alt).png(), draw=alone)
