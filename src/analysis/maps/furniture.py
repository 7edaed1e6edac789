"""Map furniture: scale bar, north arrow, title, subtitle and source line.

The functions take the map's ``Axes`` first and return what they drew, so a test can find
it again (each artist carries a ``gid``: ``ntp-scalebar``, ``ntp-north-arrow``,
``ntp-subtitle``, ``ntp-source``). They expect the axes to be in a metric CRS whose unit is
the metre, as every map of :mod:`analysis.maps.choropleth` is
(:data:`analysis.config.METRIC_CRS`, VN-2000 / UTM zone 48N).

Sizes that must hold on paper (bar height, label size, gaps) are in points; lengths that
must hold on the ground (the scale bar) are in data units and go through ``ax.transData``
at draw time, so they stay right whatever the figure size, the layout or the dpi.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.offsetbox import (
    AnchoredOffsetbox,
    AuxTransformBox,
    DrawingArea,
    HPacker,
    TextArea,
    VPacker,
)
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, blended_transform_factory
from shapely.geometry import box

from analysis.common.i18n import t
from analysis.common.numbers import format_number
from analysis.maps.style import TITLE_Y, styled

__all__ = [
    "ScaleBar",
    "add_north_arrow",
    "add_scale_bar",
    "add_boundary_note",
    "add_titles",
    "emptiest_corner",
    "is_approximate",
    "nice_length_km",
    "title_pad",
]

_INK = "#252525"
_GREY = "#525252"
_NOTE = {"fontsize": 8, "color": _GREY, "va": "top"}
_TITLE_GAP = 4.0  # points between the map and the subtitle (or the title when there is none)
#: Round scale-bar lengths, in km, of the 1-2-5 series.
_NICE = tuple(m * 10.0**e for e in range(-1, 4) for m in (1, 2, 5))


# --- scale bar ---------------------------------------------------------------------------------


def nice_length_km(width_m: float, fraction: float = 0.22) -> float:
    """A round length (1, 2 or 5 × 10ⁿ km) close to ``fraction`` of a map ``width_m`` metres wide.

    The candidate nearest on a log scale is taken, so the bar covers between about 1/7 and 1/3
    of the map, around 1/4–1/5 by default.

    Examples
    --------
    >>> nice_length_km(100_000)  # 100 km wide: 22 km asked, 20 km is the nearest round length
    20.0
    >>> nice_length_km(2_000)
    0.5
    """
    if not (math.isfinite(width_m) and width_m > 0):
        raise ValueError(f"map width must be a positive number of metres, not {width_m}")
    target = math.log10(width_m * fraction / 1000.0)
    return min(_NICE, key=lambda n: abs(math.log10(n) - target))


def _segments(length_km: float) -> int:
    # 10 km -> 5 × 2 km, 20 km -> 4 × 5 km, 50 km -> 5 × 10 km: each segment a round length.
    lead = round(length_km / 10 ** math.floor(math.log10(length_km)), 6)
    return {1.0: 5, 2.0: 4, 5.0: 5}.get(lead, 4)


class ScaleBar(AnchoredOffsetbox):
    """An alternating black and white scale bar labelled "0 … N km".

    Attributes
    ----------
    length : float
        Length of the bar in data units (metres in a metric CRS).
    length_km : float
        The same in kilometres, as written on the bar.
    segments : list of matplotlib.patches.Rectangle
        The bar's segments; the union of their window extents is the bar as drawn.
    """

    length: float
    length_km: float
    segments: list[Rectangle]


@styled
def add_scale_bar(
    ax: Axes,
    length_km: float | None = None,
    loc: str = "lower left",
    lang: str = "vi",
    *,
    segments: int | None = None,
    height: float = 3.5,
    fontsize: float = 7.5,
    units_per_metre: float = 1.0,
    frameon: bool = True,
) -> ScaleBar:
    """Draw a scale bar in kilometres on a map in a metric CRS.

    The bar's horizontal extent is in data units and goes through ``ax.transData`` when it is
    drawn, so it keeps the right length whatever happens to the figure's size and layout
    afterwards. Its height and labels are in points.

    Parameters
    ----------
    ax
        The map's axes, in a CRS whose unit is the metre (``METRIC_CRS``).
    length_km
        Length of the bar; a round length of about a quarter of the map's width when None.
    loc
        Corner of the axes: ``"lower left"``, ``"lower right"``, ``"upper left"``…
    lang
        Number format of the labels (``"0,5"`` in Vietnamese, ``"0.5"`` in English).
    segments
        Number of alternating segments; chosen from the length when None.
    height
        Height of the bar, in points.
    fontsize
        Size of the labels, in points.
    units_per_metre
        Data units per metre, for a CRS in another unit (1 for UTM).
    frameon
        Draw a translucent white box behind the bar, for legibility over the map.

    Returns
    -------
    ScaleBar
        The artist (``gid`` ``"ntp-scalebar"``); ``.length`` is the bar in data units.
    """
    if length_km is None:
        x0, x1 = ax.get_xlim()
        length_km = nice_length_km(abs(x1 - x0) / units_per_metre)
    if not length_km > 0:
        raise ValueError(f"length_km must be positive, not {length_km}")
    n = segments or _segments(length_km)
    length = length_km * 1000.0 * units_per_metre
    # x in data units, y in points (the translation of either is cancelled by the box), so
    # that the numbers sit exactly under the two ends of the bar.
    points = Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans
    bar = AuxTransformBox(blended_transform_factory(ax.transData, points))
    step = length / n
    rects = []
    for i in range(n):
        face = _INK if i % 2 == 0 else "white"
        rects.append(Rectangle((i * step, 0), step, height, facecolor=face, edgecolor=_INK, linewidth=0.6))
        bar.add_artist(rects[-1])
    metres = length_km < 1
    value = length_km * 1000 if metres else length_km
    decimals = 0 if float(value).is_integer() else 1
    for x, text in ((0.0, "0"), (length, format_number(value, lang, decimals))):
        bar.add_artist(Text(x, -1.5, text, ha="center", va="top", fontsize=fontsize, color=_INK))
    unit = TextArea("m" if metres else "km", textprops={"fontsize": fontsize, "color": _INK})
    child = HPacker(children=[bar, unit], align="bottom", pad=0, sep=2.5)
    sb = ScaleBar(loc, child=child, pad=0.35, borderpad=0.6, frameon=frameon)
    sb.patch.set(facecolor="white", alpha=0.75, edgecolor="none")
    sb.set_gid("ntp-scalebar")
    sb.length, sb.length_km, sb.segments = length, float(length_km), rects
    ax.add_artist(sb)
    return sb


# --- north arrow -------------------------------------------------------------------------------


@styled
def add_north_arrow(
    ax: Axes, loc: str = "upper left", *, size: float = 24.0, fontsize: float = 9.0
) -> AnchoredOffsetbox:
    """Draw a north arrow (a split arrowhead under an "N") in a corner of the map.

    The maps are drawn in UTM zone 48N, whose grid north differs from true north by the
    meridian convergence, (λ − 105°) · sin φ: under 2° anywhere in Vietnam and about 0.6° in
    Lạng Sơn, far below what an eye reads off an arrow, so the arrow points straight up.

    Parameters
    ----------
    ax
        The map's axes.
    loc
        Corner of the axes: ``"upper left"``, ``"upper right"``…
    size
        Height of the arrowhead, in points.
    fontsize
        Size of the "N".

    Returns
    -------
    matplotlib.offsetbox.AnchoredOffsetbox
        The artist, ``gid`` ``"ntp-north-arrow"``.
    """
    w, h = size * 0.55, size
    head = DrawingArea(w, h, clip=False)
    notch = h * 0.28
    for side, face in ((0, _INK), (w, "white")):  # dark west half, light east half
        head.add_artist(Polygon([(w / 2, h), (side, 0), (w / 2, notch)], facecolor=face, edgecolor=_INK, lw=0.7))
    letter = TextArea("N", textprops={"fontsize": fontsize, "fontweight": "bold", "color": _INK})
    child = VPacker(children=[letter, head], align="center", pad=0, sep=1)
    arrow = AnchoredOffsetbox(loc, child=child, pad=0.3, borderpad=0.6, frameon=False)
    arrow.set_gid("ntp-north-arrow")
    ax.add_artist(arrow)
    return arrow


# --- titles ------------------------------------------------------------------------------------


@styled
def title_pad(subtitle: str | None, subtitle_size: float = 9.5) -> float:
    """Points between a map's title and the map: room for the subtitle's lines under the title."""
    lines = subtitle.count("\n") + 1 if subtitle else 0
    return _TITLE_GAP + lines * subtitle_size * 1.25 + (3 if lines else 2)


def add_titles(
    ax: Axes,
    title: str | None,
    subtitle: str | None = None,
    source: str | None = None,
    lang: str = "vi",
    *,
    subtitle_size: float = 9.5,
) -> dict[str, Text]:
    """Write a map's title, a subtitle under it, and a source line under the map.

    The source line starts under the map's left edge; :func:`analysis.maps.choropleth.add_boundary_note`
    continues it with "approximate boundaries" when that applies.

    Parameters
    ----------
    ax
        The map's axes.
    title
        Bold title over the map, on the left; none when None or empty.
    subtitle
        Smaller grey line(s) between the title and the map: the area, the period, the as-of
        date.
    source
        The data source, written "Nguồn: ..." / "Source: ..." under the map.
    lang
        Language of "Nguồn" / "Source".

    Returns
    -------
    dict
        The ``Text`` artists drawn, under ``"title"``, ``"subtitle"``, ``"source"``.
    """
    out: dict[str, Text] = {}
    if subtitle:
        out["subtitle"] = ax.annotate(
            subtitle, xy=(0, 1), xycoords="axes fraction", xytext=(0, _TITLE_GAP), textcoords="offset points",
            ha="left", va="bottom", fontsize=subtitle_size, color=_GREY, gid="ntp-subtitle",
        )  # fmt: skip
    if title:
        out["title"] = ax.set_title(title, loc="left", pad=title_pad(subtitle, subtitle_size), y=TITLE_Y)
    if source:
        out["source"] = ax.text(0.0, -0.01, t("source_line", lang, source=source), transform=ax.transAxes,
                                ha="left", gid="ntp-source", **_NOTE)  # fmt: skip
    return out


def emptiest_corner(
    ax: Axes, geometry: gpd.GeoSeries, candidates: Sequence[str], size: tuple[float, float] = (0.3, 0.16)
) -> str:
    """The corner of the map, among ``candidates``, that the units cover least.

    ``size`` is the width and height of the corner box, as fractions of the axes. Used to
    put the scale bar where it hides the least of the map.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    w, h = size[0] * (x1 - x0), size[1] * (y1 - y0)
    union = shapely.union_all(np.asarray(geometry.values))
    corners = {
        "lower left": box(x0, y0, x0 + w, y0 + h),
        "lower right": box(x1 - w, y0, x1, y0 + h),
        "upper left": box(x0, y1 - h, x0 + w, y1),
        "upper right": box(x1 - w, y1 - h, x1, y1),
    }
    return min(candidates, key=lambda c: (union.intersection(corners[c]).area, list(candidates).index(c)))


# --- the note on approximate boundaries -------------------------------------------------------


def is_approximate(gdf: pd.DataFrame) -> bool:
    """Whether any boundary of ``gdf`` is approximate (its map must say so)."""
    if gdf.attrs.get("boundary_quality") == "approximate":
        return True
    if "boundary_quality" in gdf.columns:
        return bool(gdf["boundary_quality"].eq("approximate").any())
    return False


@styled
def add_boundary_note(ax: Axes, gdf: pd.DataFrame, lang: str = "vi") -> Text | None:
    """Write "ranh giới gần đúng" / "approximate boundaries" under the map when it applies.

    It applies when ``gdf.attrs["boundary_quality"]`` is ``"approximate"`` or any row of a
    ``boundary_quality`` column is. The note follows the source line when the map has one.
    Returns the note, or None when no note was needed.
    """
    if not is_approximate(gdf):
        return None
    text = t("legend.approximate_boundaries", lang)
    text = text[:1].upper() + text[1:]
    source = [s for s in ax.texts if s.get_gid() == "ntp-source"]
    if source:  # on the source line, after the source: one line names the data and its limits
        return ax.annotate(text, xy=(1, 1), xycoords=source[-1], xytext=(8, 0), textcoords="offset points",
                           ha="left", style="italic", gid="ntp-boundary-note", **_NOTE)  # fmt: skip
    return ax.text(0.0, -0.01, text, transform=ax.transAxes, ha="left", style="italic",
                   gid="ntp-boundary-note", **_NOTE)  # fmt: skip
