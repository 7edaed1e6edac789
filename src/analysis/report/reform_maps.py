"""The maps of data converted to the 2025 units: a new commune framed with its neighbours (grey,
named) and a locator inset; the former districts over every map as a grey dashed reference
layer with their names and a legend entry "Huyện cũ (trước 1/7/2025)" (``gid`` :data:`REFERENCE_GID`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from analysis.common.i18n import t
from analysis.maps import layers
from analysis.maps.crs import to_metric
from analysis.maps.labels import label_units

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from analysis.report.area import ReportContext


#: ``gid`` of the former districts' outlines on every map of converted data (names:
#: ``<gid>-label``, legend: ``<gid>-legend``).
REFERENCE_GID = "ntp-former-districts"


#: ``gid`` of the neighbouring communes drawn around a new commune's maps.
NEIGHBOURS_GID = "ntp-neighbours"


_NEIGHBOUR_STYLE = {"facecolor": "#f0f0f0", "edgecolor": "#bdbdbd", "linewidth": 0.4}


#: How much room around a new commune its maps give to the neighbours, as a share of its size.
_FRAME_PAD = 0.3


def frame_axes(ctx: ReportContext, ax: Axes) -> None:
    """Fix a new commune's map to the commune and some room around it, before it is drawn,
    so that its neighbours show (a district report's map shows the district's communes)."""
    if ctx.level != "commune":
        return
    focus = to_metric(ctx.area.communes).geometry.dropna()
    focus = focus[~focus.is_empty]
    if focus.empty:
        return
    xmin, ymin, xmax, ymax = focus.total_bounds
    pad = _FRAME_PAD * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_autoscale_on(False)


def _neighbours(ctx: ReportContext, ax: Axes) -> list[tuple[Any, str]]:
    """Draw the communes around a new commune in light grey with their names; the legend entry."""
    from matplotlib.patches import Patch
    from shapely.geometry import box

    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    view = box(min(xlim), min(ylim), max(xlim), max(ylim))
    others = to_metric(ctx.area.province_communes)
    others = others[others.geometry.notna() & (others["commune_code"] != ctx.area.commune_code)]
    others = others[others.intersects(view)]
    if others.empty:
        return []
    others = others.assign(geometry=others.geometry.intersection(view))
    others.plot(ax=ax, zorder=0.5, **_NEIGHBOUR_STYLE)
    ax.collections[-1].set_gid(NEIGHBOURS_GID)
    label_units(ax, others, "commune_name", fontsize=6.0, color="#737373", halo=True)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return [(Patch(**_NEIGHBOUR_STYLE), t("levels.neighbours", ctx.lang))]


def _exterior(units: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The outer edge of the union of ``units``, as polygons without holes."""
    import shapely

    parts = shapely.get_parts(shapely.union_all(units.geometry.dropna().to_numpy()))
    shells = [shapely.Polygon(p.exterior) for p in parts if p.geom_type == "Polygon"]
    return gpd.GeoSeries(shells, crs=units.crs)


def decorate_map(ctx: ReportContext, ax: Axes) -> None:
    """What a converted report's map shows around its communes.

    A new commune: its neighbours, its outline, a locator inset of the new province. The
    province: its outline. Both: the former districts as a grey dashed reference layer with
    their names and a legend entry :data:`REFERENCE_GID`.
    """
    label = t("levels.former_districts", ctx.lang)
    legend: dict[str, Any] = {}
    extra: Sequence[tuple[Any, str]] = ()
    if ctx.level == "commune":
        extra = _neighbours(ctx, ax)
        layers.draw_boundaries(ax, ctx.area.communes, linewidth=1.6, color="#252525")
        layers.add_inset(ax, ctx.area.province_communes, ctx.area.communes, loc="outside lower right")
        legend = {"bbox_to_anchor": (1.02, 0.31)}  # above the inset
    elif len(ctx.area.province):  # its outer edge: slivers between derived communes are no border
        layers.draw_boundaries(ax, _exterior(ctx.area.province), linewidth=1.2, color="#252525")
    layers.draw_reference_layer(
        ax, ctx.area.districts, label, "district_name", gid=REFERENCE_GID, legend_kwds=legend, extra_handles=extra
    )
