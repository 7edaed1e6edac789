"""Unit names written inside their polygons, left out where they do not fit.

:func:`label_units` places each label at the polygon's pole of inaccessibility (or its
representative point), on one line or two, and keeps it only when it lies inside the polygon
and clear of the labels and furniture placed before it. Every label carries the ``gid``
``ntp-label``. :func:`short_name` and :func:`label_names` give the names it writes.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import box
from shapely.ops import polylabel

from analysis.maps.canvas import layout_renderer
from analysis.maps.crs import to_metric
from analysis.maps.style import styled

__all__ = ["label_colour", "label_names", "label_units", "short_name"]

#: Type prefixes left out of map labels, and their short forms for telling apart two units
#: of the same name ("Xã Chi Lăng" and "Thị trấn Chi Lăng" -> "Chi Lăng", "TT. Chi Lăng").
_PREFIXES = {
    "Thành phố ": "TP. ", "Thị trấn ": "TT. ", "Thị xã ": "TX. ", "Phường ": "P. ",
    "Huyện ": "H. ", "Quận ": "Q. ", "Tỉnh ": "", "Xã ": "",
}  # fmt: skip


def short_name(name: object, abbreviate: bool = False) -> str:
    """A unit's name for a map label: NFC, without its type prefix ("Xã ", "Thị trấn "…).

    With ``abbreviate`` the prefix is shortened instead ("TT. ", "P. "; "Xã " still dropped).

    >>> short_name("Thị trấn Đồng Mỏ")
    'Đồng Mỏ'
    >>> short_name("Thị trấn Chi Lăng", abbreviate=True)
    'TT. Chi Lăng'
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    for prefix, short in _PREFIXES.items():
        if text.startswith(prefix) and len(text) > len(prefix):
            return (short if abbreviate else "") + text[len(prefix) :].strip()
    return text


def label_names(names: Sequence[object]) -> list[str]:
    """Map labels of a set of units: :func:`short_name`, abbreviated where two would be equal.

    >>> label_names(["Xã Chi Lăng", "Thị trấn Chi Lăng", "Xã Y Tịch"])
    ['Chi Lăng', 'TT. Chi Lăng', 'Y Tịch']
    """
    short = [short_name(n) for n in names]
    seen = pd.Series(short).duplicated(keep=False).tolist()
    return [short_name(n, abbreviate=True) if dup else s for n, s, dup in zip(names, short, seen, strict=True)]


def _wrapped(name: str) -> str | None:
    # The two-line form of a name, broken at the space nearest its middle.
    words = name.split()
    if len(words) < 2:
        return None
    cuts = [len(" ".join(words[:i])) for i in range(1, len(words))]
    i = min(range(len(cuts)), key=lambda k: abs(cuts[k] - len(name) / 2)) + 1
    return " ".join(words[:i]) + "\n" + " ".join(words[i:])


def _anchors(geom) -> list[tuple[float, float]]:
    # Pole of inaccessibility of the largest part (the point farthest from the edges, where
    # the widest label fits), then the representative point as a second chance.
    parts = getattr(geom, "geoms", [geom])
    main = max(parts, key=lambda g: g.area)
    tolerance = max(math.sqrt(main.area) / 100.0, 1.0)
    points = [polylabel(main, tolerance), geom.representative_point()]
    out: list[tuple[float, float]] = []
    for p in points:
        xy = (float(p.x), float(p.y))
        if xy not in out:
            out.append(xy)
    return out


def _is_dark(colour: str) -> bool:
    # WCAG relative luminance: below about 0.3, white text reads better than black.
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 0.3


def label_colour(fill: str, ink: str = "#1a1a1a") -> str:
    """The colour of a name written over ``fill``: white on a dark fill, ``ink`` otherwise."""
    return "white" if _is_dark(fill) else ink


def _obstacles(ax: Axes, renderer) -> list[Bbox]:
    # What labels must not cover: labels already placed, the map furniture, a legend or an
    # inset drawn inside the map.
    boxes = []
    for artist in ax.get_children():
        gid = artist.get_gid() or ""
        if gid in ("ntp-label", "ntp-scalebar", "ntp-north-arrow") and artist.get_visible():
            boxes.append(artist.get_window_extent(renderer))
    legend = ax.get_legend()
    if legend is not None:
        boxes.append(legend.get_window_extent(renderer))
    boxes += [child.get_window_extent(renderer) for child in ax.child_axes]
    return boxes


@styled
def label_units(
    ax: Axes,
    gdf: gpd.GeoDataFrame,
    name_column: str,
    fontsize: float = 6.5,
    *,
    wrap: bool = True,
    pad: float = 1.0,
    color: str = "#1a1a1a",
    fontweight: str = "normal",
    background: Sequence[str] | None = None,
    halo: bool | None = None,
    zorder: float = 6,
) -> list[Text]:
    """Label units inside their polygons, leaving out the labels that do not fit.

    Units are taken biggest first (ties by name), so the order, and thus which label wins a
    conflict, is deterministic. Each label goes at the polygon's pole of inaccessibility (the
    inside point farthest from the edges) or, failing that, its representative point, on
    one line or, if ``wrap``, on two. It is kept only when its rendered box, grown by
    ``pad`` points, lies entirely inside the polygon and overlaps no label placed before it,
    nor the scale bar, north arrow, legend or inset inside the map. The rest are left out:
    a missing label is better than a label over the wrong commune.

    Text has a fixed size in points, so whether a label fits depends on the map's final
    size: call this last, after the legend, titles and any inset (the layout engine is run
    first). The axes' limits are frozen, so that lines drawn later do not move the map.

    Parameters
    ----------
    ax
        The map's axes, in ``METRIC_CRS``.
    gdf
        The units, in any CRS.
    name_column
        Column with the names; type prefixes ("Xã ", "Thị trấn ", "Huyện "…) are dropped,
        or shortened ("TT. ") where two units would get the same label (:func:`label_names`).
    fontsize
        Label size in points.
    wrap
        Also try the name on two lines when it does not fit on one.
    pad
        Clearance around each label, in points.
    color, fontweight, zorder
        Text style.
    background
        The fill colour of each unit, in the order of ``gdf``: labels on dark fills are
        then written in white, the others in ``color``.
    halo
        Put a light translucent box behind each label, so that it reads over any colour
        (the default when ``background`` is not given). A box, not a stroked outline: an
        outline would turn the text into paths in SVG and PDF, where it must stay text.

    Returns
    -------
    list of matplotlib.text.Text
        The labels placed (``gid`` ``"ntp-label"``), in placing order.
    """
    if name_column not in gdf.columns:
        raise ValueError(f"column {name_column!r} not in the GeoDataFrame; it has {list(gdf.columns)}")
    data = to_metric(gdf)
    if background is not None:
        if len(background) != len(gdf):
            raise ValueError(f"background has {len(background)} colours for {len(gdf)} units")
        data = data.assign(_fill=list(background))
    keep = (data.geometry.notna() & ~data.geometry.is_empty & data[name_column].notna()).to_numpy()
    rows = np.flatnonzero(keep)  # each label's row in gdf, for maps.restyle
    data = data[keep]
    renderer = layout_renderer(ax)
    ax.set_autoscale_on(False)  # the labels are fitted to this extent: keep it
    taken = _obstacles(ax, renderer)
    to_data = ax.transData.inverted()
    grow = pad * ax.figure.dpi / 72.0
    names = label_names(data[name_column].tolist())
    order = sorted(range(len(data)), key=lambda i: (-data.geometry.iloc[i].area, names[i]))
    style = dict(ha="center", va="center", fontsize=fontsize, color=color, fontweight=fontweight, zorder=zorder)
    if halo or (halo is None and background is None):
        style["bbox"] = dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.6)
    placed: list[Text] = []
    for i in order:
        geom = data.geometry.iloc[i]
        shapely.prepare(geom)
        name = names[i]
        variants = [name, *([_wrapped(name)] if wrap and _wrapped(name) else [])]
        label = ax.text(0, 0, name, gid="ntp-label", **style)
        label.ntp_row, label.ntp_ink = int(rows[i]), color
        if background is not None:
            label.set_color(label_colour(data["_fill"].iloc[i], color))
        label.set_clip_on(False)
        for text in variants:
            label.set_text(text)
            fits = None
            for xy in _anchors(geom):
                label.set_position(xy)
                ext = label.get_window_extent(renderer).padded(grow)
                if any(ext.overlaps(b) for b in taken):
                    continue
                (x0, y0), (x1, y1) = to_data.transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
                if geom.contains(box(x0, y0, x1, y1)):
                    fits = ext
                    break
            if fits is not None:
                break
        if fits is None:
            label.remove()
            continue
        taken.append(fits)
        placed.append(label)
    return placed
