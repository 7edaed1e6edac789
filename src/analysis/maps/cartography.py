"""Map furniture: scale bar, north arrow, unit labels, titles, and the style maps are drawn in.

The functions take the map's ``Axes`` first and return what they drew, so a test can find
it again (each artist carries a ``gid``: ``ntp-scalebar``, ``ntp-north-arrow``,
``ntp-label``, ``ntp-subtitle``, ``ntp-source``). They expect the axes to be in a metric
CRS whose unit is the metre, as every map of :mod:`analysis.maps.choropleth` is
(:data:`analysis.config.METRIC_CRS`, VN-2000 / UTM zone 48N).

Sizes that must hold on paper (bar height, label size, gaps) are in points; lengths that
must hold on the ground (the scale bar) are in data units and go through ``ax.transData``
at draw time, so they stay right whatever the figure size, the layout or the dpi.
"""

from __future__ import annotations

import functools
import io
import math
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
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
from matplotlib.transforms import Affine2D, Bbox, blended_transform_factory
from shapely.geometry import box
from shapely.ops import polylabel

from analysis.common.i18n import t
from analysis.common.numbers import format_number
from analysis.config import METRIC_CRS
from analysis.maps import textmetrics

textmetrics.install()  # maps and charts of a batch measure the same words again and again

__all__ = [
    "MAP_STYLE",
    "TITLE_Y",
    "ScaleBar",
    "add_north_arrow",
    "add_scale_bar",
    "add_titles",
    "emptiest_corner",
    "label_colour",
    "label_units",
    "layout_renderer",
    "map_style",
    "nice_length_km",
    "png_bytes",
    "label_names",
    "short_name",
    "to_metric",
]

#: Matplotlib settings of every map and chart, applied in a context (never globally).
MAP_STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # every Vietnamese precomposed letter is in it
    "svg.fonttype": "none",  # text stays text in SVG: searchable, editable by the office
    "svg.hashsalt": "ntp-atlas",  # stable element ids: the same map gives the same SVG
    "pdf.fonttype": 42,  # TrueType fonts embedded whole, not Type 3 outlines
    "ps.fonttype": 42,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.fontsize": 9,
    "legend.title_fontsize": 9.5,
    "hatch.linewidth": 0.6,
}

#: Where every title of a map or chart sits: at the top of its axes, plus its pad. Given
#: explicitly, because a title left to place itself (``y=None``) makes matplotlib look for tick
#: labels above the plot at every draw, measuring every y tick label of the axes to do so
#: (20 ms a figure); no map or chart of ntp-atlas puts ticks or labels above a plot, so the
#: title lands in the same place.
TITLE_Y = 1.0

_INK = "#252525"
_GREY = "#525252"
_NOTE = {"fontsize": 8, "color": _GREY, "va": "top"}
_TITLE_GAP = 4.0  # points between the map and the subtitle (or the title when there is none)
#: Type prefixes left out of map labels, and their short forms for telling apart two units
#: of the same name ("Xã Chi Lăng" and "Thị trấn Chi Lăng" -> "Chi Lăng", "TT. Chi Lăng").
_PREFIXES = {
    "Thành phố ": "TP. ", "Thị trấn ": "TT. ", "Thị xã ": "TX. ", "Phường ": "P. ",
    "Huyện ": "H. ", "Quận ": "Q. ", "Tỉnh ": "", "Xã ": "",
}  # fmt: skip
#: Round scale-bar lengths, in km, of the 1-2-5 series.
_NICE = tuple(m * 10.0**e for e in range(-1, 4) for m in (1, 2, 5))

P = ParamSpec("P")
R = TypeVar("R")


#: :data:`MAP_STYLE` as matplotlib holds it once set (validated: ``"sans-serif"`` becomes
#: ``["sans-serif"]``), known after the first :func:`map_style`.
_STYLE_HELD: dict[str, Any] = {}


@contextmanager
def map_style() -> Iterator[None]:
    """Context in which maps are drawn and saved (fonts, text kept as text).

    Where the style is already in place (a styled function calling another, a map saved
    inside the function that drew it) it changes nothing and is not entered again:
    ``rc_context`` copies and then restores every rcParam, about 0.5 ms each time. Nothing
    ntp-atlas draws changes rcParams.
    """
    if _STYLE_HELD and all(plt.rcParams[key] == value for key, value in _STYLE_HELD.items()):
        yield
        return
    with plt.rc_context(MAP_STYLE):
        if not _STYLE_HELD:
            _STYLE_HELD.update((key, plt.rcParams[key]) for key in MAP_STYLE)
        yield


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` inside :func:`map_style`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with map_style():
            return func(*args, **kwargs)

    return wrapper


def png_trimmed(figure: Figure, dpi: float, pad_inches: float = 0.1, compress_level: int = 3) -> bytes:
    """The figure as PNG bytes at ``dpi``, cut to what was drawn with ``pad_inches`` around it.

    The figure is drawn once and cut to its non-background pixels. A figure whose drawing
    reaches the edge of the canvas (a legend wider than the room left for it) may have more
    beyond it: that one is measured and saved as ``bbox_inches="tight"`` does, which draws
    past the edge. A figure with a layout engine or a background that is not opaque is saved
    that way too. zlib level 3: for flat map colours nearly as small as the default 6, in
    half the time. The cut picture is written as :func:`png_bytes` writes one (rows unfiltered),
    its pixels copied straight from Agg's buffer into the PNG's rows.

    Parameters
    ----------
    figure
        The figure.
    dpi
        Resolution.
    pad_inches
        Background kept around the drawing.
    compress_level
        zlib level of the PNG (0-9).

    Returns
    -------
    bytes
    """
    background = tuple(round(c * 255) for c in to_rgba(figure.get_facecolor()))
    with map_style():
        if figure.get_layout_engine() is None and background[3] == 255:
            canvas = _Kept()
            figure.savefig(canvas, format="rgba", dpi=dpi)  # hands over Agg's own buffer, not a copy
            w = int(figure.get_figwidth() * dpi)
            h = len(canvas.data) // 4 // max(w, 1)
            if h * w * 4 == len(canvas.data):
                ink = np.frombuffer(canvas.data, dtype=np.uint32).reshape(h, w) != np.frombuffer(
                    bytes(background), dtype=np.uint32)[0]  # fmt: skip
                rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
                if len(rows) and rows[0] > 0 and cols[0] > 0 and rows[-1] < h - 1 and cols[-1] < w - 1:
                    # Agg draws on the opaque background, so every pixel is opaque: its RGB is the colour
                    drawn = np.frombuffer(canvas.data, dtype=np.uint8).reshape(h, w, 4)[
                        rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # fmt: skip
                    pad = round(pad_inches * dpi)
                    data, pixels = _png_lines(drawn.shape[0] + 2 * pad, drawn.shape[1] + 2 * pad)
                    for channel in range(3):
                        pixels[..., channel] = background[channel]
                    _copy_rgb(pixels[pad : pad + drawn.shape[0], pad : pad + drawn.shape[1]], drawn)
                    return _png_file(data, dpi, compress_level)
        # Measured here rather than by savefig's "tight", which would draw it once more to measure it.
        bbox = "tight"
        if figure.get_layout_engine() is None and figure.axes:
            bbox = figure.get_tightbbox(layout_renderer(figure.axes[0])).padded(pad_inches)
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=dpi, bbox_inches=bbox, pad_inches=pad_inches,
                       pil_kwargs={"compress_level": compress_level})  # fmt: skip
        return buf.getvalue()


def png_bytes(rgb: np.ndarray, dpi: float | None = None, compress_level: int = 3) -> bytes:
    """An 8-bit RGB image (``height x width x 3``) as PNG bytes, its rows left unfiltered.

    PNG lets each row be "filtered" (stored as differences from its neighbours) before
    compression; Pillow tries every filter on every row, which takes most of its time and,
    on the flat colours of maps and charts, gives larger files than no filter (about 130
    against 111 kB for a report's map, in 30 against 12 ms). The file is a plain PNG
    (signature, ``IHDR``, ``pHYs`` when ``dpi`` is given, one ``IDAT``, ``IEND``), read by
    any program.

    Parameters
    ----------
    rgb
        The pixels, ``uint8``.
    dpi
        Resolution recorded in the file (as Pillow records it), or none.
    compress_level
        zlib level (0-9).

    Returns
    -------
    bytes
    """
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"png_bytes takes height x width x 3 uint8 pixels, not {rgb.dtype} {rgb.shape}")
    data, pixels = _png_lines(*rgb.shape[:2])
    _copy_rgb(pixels, rgb)
    return _png_file(data, dpi, compress_level)


def _png_lines(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """PNG image data of unfiltered rows (each starts with filter type 0, none), and the
    view of its pixels (``height x width x 3``) to fill in."""
    data = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    data[:, 0] = 0
    return data, data[:, 1:].reshape(height, width, 3)


def _copy_rgb(to: np.ndarray, rgb: np.ndarray) -> None:
    """Copy the first three channels of ``rgb`` (RGB or RGBA) into ``to``, one channel at a
    time: numpy copies a channel's long strided rows quickly, but 3-byte pixels one by one
    (about 25 ms for a map, against 4)."""
    for channel in range(3):
        to[..., channel] = rgb[..., channel]


def _png_file(data: np.ndarray, dpi: float | None, compress_level: int) -> bytes:
    """A PNG file of 8-bit RGB image data whose rows are unfiltered (:func:`_png_lines`)."""
    import struct
    import zlib

    h, w = data.shape[0], (data.shape[1] - 1) // 3

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))]
    if dpi is not None:
        per_metre = int(dpi / 0.0254 + 0.5)
        parts.append(chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    parts += [chunk(b"IDAT", zlib.compress(data, compress_level)), chunk(b"IEND", b"")]
    return b"".join(parts)


class _Kept(io.RawIOBase):
    """A file that keeps what matplotlib writes to it as a view, without copying it.

    ``savefig(format="rgba")`` writes the Agg canvas's own buffer in one call; the view keeps
    that buffer alive, and it is read before the figure is drawn again.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[memoryview] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(memoryview(data).cast("B"))
        return len(self._parts[-1])

    @property
    def data(self) -> memoryview:
        """What was written: a view of it when it came in one piece."""
        if len(self._parts) == 1:
            return self._parts[0]
        return memoryview(b"".join(self._parts))


def to_metric(gdf: gpd.GeoDataFrame | gpd.GeoSeries, name: str = "gdf") -> gpd.GeoDataFrame:
    """``gdf`` in :data:`~analysis.config.METRIC_CRS`, with a readable error when it has no CRS."""
    if not isinstance(gdf, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"{name} must be a GeoDataFrame, not {type(gdf).__name__}")
    if gdf.crs is None:
        raise ValueError(
            f"{name} has no CRS, so it cannot be drawn in {METRIC_CRS}; set it first, e.g. gdf.set_crs('EPSG:4326')"
        )
    return gdf.to_crs(METRIC_CRS)


def layout_renderer(ax: Axes):
    """A renderer for measuring text, after the figure's layout has been done.

    Text has a fixed size in points, the map a size in metres: whether a label fits depends
    on the axes' final size, so run the layout engine (constrained layout shrinks the axes to
    make room for a legend outside) and the equal-aspect adjustment first.
    """
    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    ax.apply_aspect()
    if not hasattr(fig.canvas, "get_renderer"):
        # A bare Figure() (as the reports make) has a canvas that cannot render; Agg can,
        # and saving to any format still picks its own backend.
        _QuietAggCanvas(fig)
    return fig.canvas.get_renderer()


class _QuietAggCanvas(FigureCanvasAgg):
    """An Agg canvas that ignores idle draws.

    geopandas asks for ``canvas.draw_idle()`` after every ``plot``; on a plain Agg canvas that
    renders the whole figure each time (it was a third of a report's time). These figures are
    never shown in a window, only saved, and saving draws them anyway.
    """

    def draw_idle(self, *args, **kwargs) -> None:
        pass


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


# --- labels ------------------------------------------------------------------------------------


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
