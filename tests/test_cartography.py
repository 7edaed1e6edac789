"""Tests of the map furniture (analysis.maps.furniture, labels, png, style, textmetrics): scale bar,
north arrow, unit labels, titles.

Artists are checked, not pixels: the scale bar's drawn extent is measured in display
coordinates and converted to ground distance, and each label's rendered box is converted
to data coordinates and tested against its polygon. The real Lạng Sơn polygons come from
``../shared/reference`` (the tests that need them skip with the reason when it is absent);
the synthetic squares are 0.01° (about 1 km) on a side near (106.5°E, 21.8°N).
"""

from __future__ import annotations

import re
import unicodedata

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from pyproj import Geod, Transformer  # noqa: E402
from shapely.geometry import Point, box  # noqa: E402

from analysis.config import METRIC_CRS  # noqa: E402
from analysis.maps import choropleth as maps
from analysis.maps import furniture, labels, style, textmetrics  # noqa: E402
from analysis.maps import png as png_writer  # noqa: E402
from analysis.maps.classes import classify  # noqa: E402
from analysis.maps.legends import get_legend_set  # noqa: E402
from analysis.maps.schemes import scheme_legend_set  # noqa: E402
from analysis.maps.thematic import change_map


@pytest.fixture(scope="module", autouse=True)
def _text_caches():
    # Installed explicitly, as the warm kernels, the report context and the print-map export do.
    textmetrics.install()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def langson(reference_dir) -> gpd.GeoDataFrame:
    """The 226 real communes of Lạng Sơn (2019 units), EPSG:4326."""
    gdf = gpd.read_file(reference_dir / "boundaries" / "langson_communes_2019.geojson")
    # A deterministic indicator spread over every class: a commune's area in km², as a rate.
    km2 = gdf.to_crs(METRIC_CRS).area / 1e6
    gdf["rate"] = (km2 / km2.max()).round(4)
    return gdf


def squares(n: int, d: float = 0.01) -> gpd.GeoDataFrame:
    geoms = [box(106.5 + i * d, 21.8, 106.5 + (i + 1) * d, 21.8 + d) for i in range(n)]
    return gpd.GeoDataFrame({"rate": np.linspace(0.1, 0.9, n), "name": [f"Xã {i}" for i in range(n)]},
                            geometry=geoms, crs="EPSG:4326")  # fmt: skip


def by_gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def to_data_box(ax, ext: Bbox):
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
    return box(x0, y0, x1, y1)


# --- scale bar and north arrow ---------------------------------------------------------------


def test_every_choropleth_has_a_scale_bar_and_a_north_arrow():
    ax = maps.choropleth(squares(4), "rate", "disbursement_rate")
    assert len(by_gid(ax, "ntp-scalebar")) == 1
    assert len(by_gid(ax, "ntp-north-arrow")) == 1
    # the other map functions go through choropleth
    ax = change_map(squares(3).assign(pp=[-4.0, 0.0, 2.0]), "pp")
    assert by_gid(ax, "ntp-scalebar") and by_gid(ax, "ntp-north-arrow")
    ax = maps.choropleth(squares(4), "rate", "disbursement_rate", scale_bar=False, north_arrow=False)
    assert not by_gid(ax, "ntp-scalebar") and not by_gid(ax, "ntp-north-arrow")


def test_scale_bar_picks_a_round_length_of_about_a_quarter_of_the_map():
    # By hand: 100 km wide -> 22 km asked -> 20 km; 2 km wide -> 0.44 km -> 0.5 km;
    # 37 km wide -> 8.1 km -> 10 km (log-nearest of 5 and 10).
    assert furniture.nice_length_km(100_000) == 20
    assert furniture.nice_length_km(2_000) == 0.5
    assert furniture.nice_length_km(37_000) == 10
    with pytest.raises(ValueError, match="positive"):
        furniture.nice_length_km(0)
    # Four squares of 0.01° (≈ 4.1 km with margins): a 1 km bar, written in km.
    ax = maps.choropleth(squares(4), "rate", "disbursement_rate", lang="en")
    bar = by_gid(ax, "ntp-scalebar")[0]
    width = abs(np.diff(ax.get_xlim())[0])
    assert width / 7 <= bar.length <= width / 2.8
    assert bar.length == bar.length_km * 1000


def test_scale_bar_length_against_a_geodesic_distance_on_real_langson(langson):
    """The bar, as drawn, is as long on the ground as it says, within 2%.

    Method: two points of the real polygons, the representative points of the westernmost
    and easternmost communes, are placed on the drawn map through the map's CRS and
    ``ax.transData``, which gives their distance in display pixels. Their distance on the
    ground is computed independently of any projection, on the WGS 84 ellipsoid
    (``pyproj.Geod.inv``). The ratio is the map's true scale in pixels per metre. The bar's
    drawn width (the union of its segments' window extents, in pixels) divided by that scale
    must equal the length written under it ("N km") within 2%.
    """
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.choropleth(langson, "rate", "disbursement_rate", ax=ax)
    fig.canvas.draw()
    bar = by_gid(ax, "ntp-scalebar")[0]

    centroids = langson.to_crs(METRIC_CRS).centroid
    west, east = langson.geometry.iloc[centroids.x.idxmin()], langson.geometry.iloc[centroids.x.idxmax()]
    (lon1, lat1), (lon2, lat2) = west.representative_point().coords[0], east.representative_point().coords[0]
    _, _, ground_m = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    to_map = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    on_screen = ax.transData.transform([to_map.transform(lon1, lat1), to_map.transform(lon2, lat2)])
    pixels = np.hypot(*(on_screen[1] - on_screen[0]))
    px_per_m = pixels / ground_m
    assert ground_m > 50_000  # a known distance of the province's size, not of one commune

    renderer = fig.canvas.get_renderer()
    drawn = Bbox.union([r.get_window_extent(renderer) for r in bar.segments])
    texts = [t.get_text() for t in bar.findobj(matplotlib.text.Text) if t.get_text()]
    unit = "km" if "km" in texts else "m"
    written = max(float(x.replace(",", ".")) for x in texts if re.fullmatch(r"[\d.,]+", x))
    written_m = written * (1000 if unit == "km" else 1)
    assert drawn.width / px_per_m == pytest.approx(written_m, rel=0.02)
    assert bar.length_km * 1000 == pytest.approx(written_m)
    # ... and it is a round length of about a quarter of the map (Lạng Sơn is ~110 km wide)
    assert bar.length_km in (10, 20, 50)


def test_north_arrow_is_an_upright_arrow_with_an_n():
    ax = maps.choropleth(squares(2), "rate", "disbursement_rate")
    arrow = by_gid(ax, "ntp-north-arrow")[0]
    texts = [t.get_text() for t in arrow.findobj(matplotlib.text.Text)]
    assert "N" in texts
    fig = ax.figure
    fig.canvas.draw()
    ext = arrow.get_window_extent(fig.canvas.get_renderer())
    axes = ax.get_window_extent(fig.canvas.get_renderer())
    # upper left of the map, inside it
    assert axes.x0 <= ext.x0 < axes.x0 + axes.width / 4 and ext.y1 <= axes.y1 + 1


# --- labels ----------------------------------------------------------------------------------


def placed_labels(ax):
    return [t for t in ax.texts if t.get_gid() == "ntp-label"]


def check_labels(ax, units: gpd.GeoDataFrame, name_column: str) -> None:
    """Each label lies inside the polygon of the unit it names; no two labels overlap."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    metric = units.to_crs(METRIC_CRS)
    names = labels.label_names(units[name_column].tolist())
    boxes = []
    for label in placed_labels(ax):
        text = label.get_text().replace("\n", " ")
        anchor = Point(label.get_position())
        matches = [g for g, n in zip(metric.geometry, names, strict=True) if n == text and g.contains(anchor)]
        assert len(matches) == 1, f"label {text!r} is not inside the unit it names"
        ext = label.get_window_extent(renderer)
        assert matches[0].contains(to_data_box(ax, ext)), f"label {text!r} runs out of its polygon"
        boxes.append(ext)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_labels_on_real_communes_are_inside_and_apart(langson):
    chi_lang = langson[langson["gso_district_code"] == "187"].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.choropleth(chi_lang, "rate", "disbursement_rate", ax=ax, labels="commune_vn")
    labels = placed_labels(ax)
    assert len(labels) >= len(chi_lang) // 2  # most of the communes of a district map fit
    check_labels(ax, chi_lang, "commune_vn")
    # prefixes dropped, diacritics kept, NFC
    texts = [t.get_text().replace("\n", " ") for t in labels]
    assert all(not t.startswith(("Xã ", "Thị trấn ")) for t in texts)
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert "Chiến Thắng" in texts or "Chiến\nThắng" in [t.get_text() for t in labels]


def test_labels_on_the_whole_province_are_inside_and_apart(langson):
    # 226 communes on one page: many cannot fit, the ones placed must still be right.
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.choropleth(langson, "rate", "disbursement_rate", ax=ax, labels="commune_vn")
    assert 0 < len(placed_labels(ax)) < len(langson)
    check_labels(ax, langson, "commune_vn")


def test_labels_that_do_not_fit_are_left_out_biggest_first():
    # By hand: a 20 km square holds "Xã Lớn"; a 50 m square holds no 6.5-pt label at this
    # scale (a label is ~1 km long on this map), so it is left out, not drawn over its
    # neighbours.
    big = box(106.5, 21.8, 106.7, 21.98)
    tiny = box(106.75, 21.8, 106.7505, 21.8005)
    gdf = gpd.GeoDataFrame({"name": ["Xã Nhỏ", "Xã Lớn"]}, geometry=[tiny, big], crs="EPSG:4326")
    fig, ax = plt.subplots(figsize=(6, 5))
    gdf.to_crs(METRIC_CRS).plot(ax=ax)
    ax.set_aspect("equal")
    placed = labels.label_units(ax, gdf, "name")
    assert [t.get_text() for t in placed] == ["Lớn"]
    check_labels(ax, gdf, "name")


def test_same_names_are_told_apart_and_prefixes_dropped():
    assert labels.short_name("Thị trấn Đồng Mỏ") == "Đồng Mỏ"
    # NFD input (as some field files have it) comes out NFC
    assert labels.short_name(unicodedata.normalize("NFD", "Xã Chiến Thắng")) == "Chiến Thắng"
    assert labels.label_names(["Xã Chi Lăng", "Thị trấn Chi Lăng", "Phường Tam Thanh"]) == [
        "Chi Lăng", "TT. Chi Lăng", "Tam Thanh",
    ]  # fmt: skip


def test_labels_are_white_on_dark_classes():
    gdf = squares(2, d=0.2).assign(rate=[0.1, 0.95])  # classes 0 (pale yellow) and 4 (dark blue)
    ax = maps.choropleth(gdf, "rate", "disbursement_rate", labels="name")
    colours = {t.get_text(): matplotlib.colors.to_hex(t.get_color()) for t in placed_labels(ax)}
    assert colours == {"0": "#1a1a1a", "1": "#ffffff"}


# --- legend counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [None, "quantiles", "natural_breaks"])
def test_legend_counts_equal_class_counts_on_real_communes(langson, scheme):
    kwds = {"scheme": scheme, "k": 5} if scheme else None
    ax = maps.choropleth(langson, "rate", "disbursement_rate", classification_kwds=kwds)
    base = get_legend_set("disbursement_rate")
    # the legend set the map used: natural breaks (k-means from random starts) are seeded
    ls = scheme_legend_set(langson["rate"], like=base, **kwds) if scheme else base
    codes = classify(langson["rate"], ls).value_counts()
    counts = [int(re.search(r"\((\d+)\)$", t.get_text()).group(1)) for t in ax.get_legend().get_texts()]
    assert counts[: ls.n_classes] == [int(codes.get(i, 0)) for i in range(ls.n_classes)]
    assert sum(counts) == len(langson)
    if scheme:  # the same data gives the same legend, run after run
        again = maps.choropleth(langson, "rate", "disbursement_rate", classification_kwds=kwds)
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert [t.get_text() for t in again.get_legend().get_texts()] == texts


# --- titles ----------------------------------------------------------------------------------


def test_title_subtitle_and_source_line():
    gdf = squares(2)
    gdf.attrs["boundary_quality"] = "approximate"
    ax = maps.choropleth(gdf, "rate", "disbursement_rate", subtitle="Huyện Chi Lăng · năm 2023", source="MTQG 1719")
    assert ax.get_title(loc="left") == "Tỷ lệ giải ngân theo xã"
    assert [t.get_text() for t in ax.texts if t.get_gid() == "ntp-subtitle"] == ["Huyện Chi Lăng · năm 2023"]
    source = [t for t in ax.texts if t.get_gid() == "ntp-source"]
    note = [t for t in ax.texts if t.get_gid() == "ntp-boundary-note"]
    assert source[0].get_text() == "Nguồn: MTQG 1719" and note[0].get_text() == "Ranh giới gần đúng"
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    title, sub = ax.title.get_window_extent(r), ax.texts[0].get_window_extent(r)
    sub = [t for t in ax.texts if t.get_gid() == "ntp-subtitle"][0].get_window_extent(r)
    assert title.y0 >= sub.y1 - 0.5 and sub.y0 >= ax.get_window_extent(r).y1  # stacked above the map
    src, nt = source[0].get_window_extent(r), note[0].get_window_extent(r)
    assert nt.x0 >= src.x1 and abs(nt.y1 - src.y1) < 1  # the note continues the source line


def test_shared_text_size_cache_gives_matplotlibs_own_sizes():
    """The process-wide cache (analysis.maps.textmetrics) must return what Agg computes itself.

    Expected values come from matplotlib's own measure (the wrapped original) on a fresh
    renderer, for several strings, sizes, weights and dpi; a changed font setting must not
    be served from the cache.
    """
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties


    measure = RendererAgg.get_text_width_height_descent
    original = measure.__wrapped__  # installed by the fixture, as a map export installs it
    cases = [("Xã Hữu Kiên", 9, "normal"), ("Chi Lăng", 13, "bold"), ("0 – 25%", 8, "normal"), ("W", 30, "bold")]
    for dpi in (72, 150, 300):
        for text, size, weight in cases:
            prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)
            first = measure(RendererAgg(10, 10, dpi), text, prop, False)
            again = measure(RendererAgg(20, 20, dpi), text, prop, False)  # another renderer: from the cache
            assert first == again == original(RendererAgg(10, 10, dpi), text, prop, False)
    assert textmetrics.cache_size() >= len(cases) * 3
    # A wider string is wider, and a bigger dpi is bigger: the cache is keyed on both.
    prop = FontProperties(family="DejaVu Sans", size=9)
    small = measure(RendererAgg(10, 10, 72), "Lạng Sơn", prop, False)
    big = measure(RendererAgg(10, 10, 144), "Lạng Sơn", prop, False)
    assert 1.7 * small[0] < big[0] <= 2 * small[0] + 8  # about twice (hinting rounds glyphs to pixels)
    mono = FontProperties(family="DejaVu Sans Mono", size=9)
    assert measure(RendererAgg(10, 10, 72), "Lạng Sơn", mono, False) == original(
        RendererAgg(10, 10, 72), "Lạng Sơn", mono, False
    )
    narrow, wide = (measure(RendererAgg(10, 10, 72), s, prop, False)[0] for s in ("iiii", "WWWW"))
    assert narrow < wide


# --- PNG cut to the drawing ------------------------------------------------------------------


def _decoded(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_png_is_cut_to_what_was_drawn_with_its_margin():
    # Worked by hand: a 2 x 1 in figure at 100 dpi is 200 x 100 px; a rectangle from 25% to
    # 75% of it covers x 50..149 and y 25..74, 100 x 50 px; 0.1 in of margin at 100 dpi is
    # 10 px on each side: 120 x 70 px. Colours of three different channels, so that a channel
    # copied to the wrong place shows: #0c2238 is (12, 34, 56) inside, the figure's #faf0e6
    # (250, 240, 230) in the margin.
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(2, 1), facecolor="#faf0e6")
    fig.patches.append(
        Rectangle(
            (0.25, 0.25), 0.5, 0.5, transform=fig.transFigure, facecolor="#0c2238", linewidth=0, antialiased=False
        )
    )
    pixels = _decoded(png_writer.png_trimmed(fig, dpi=100))
    assert pixels.shape == (70, 120, 3)
    assert (pixels[10:60, 10:110] == (12, 34, 56)).all()
    margin = np.ones((70, 120), dtype=bool)
    margin[10:60, 10:110] = False
    assert (pixels[margin] == (250, 240, 230)).all()


def test_kept_file_hands_over_what_was_written():
    # One write (matplotlib's canvas buffer) is kept as a view of the same memory, not a copy;
    # several are joined in order.
    canvas = np.arange(8, dtype=np.uint8)
    one = png_writer.ViewKeepingFile()
    one.write(canvas)
    assert np.shares_memory(np.frombuffer(one.data, dtype=np.uint8), canvas)
    two = png_writer.ViewKeepingFile()
    two.write(b"ab")
    two.write(memoryview(b"cd"))
    assert bytes(two.data) == b"abcd"


def test_png_of_a_drawing_past_the_edge_keeps_all_of_it():
    # A text that runs off the right edge of the figure (a legend wider than its room): the
    # cut must not stop at the canvas, as bbox_inches="tight" does not.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_axes((0.1, 0.1, 0.5, 0.8)).set_axis_off()
    fig.text(0.7, 0.5, "Tỷ lệ giải ngân rất dài, rất dài", fontsize=12)
    pixels = _decoded(png_writer.png_trimmed(fig, dpi=100))
    assert pixels.shape[1] > 200  # wider than the 200 px canvas
    assert (pixels[:, -5:] == 255).all()  # and the text ends inside the picture, with a margin


def test_png_bytes_is_a_png_of_the_pixels_given():
    # By hand: a 2 x 3 image, each pixel a known colour; PNG keeps them exactly (lossless) and
    # records 150 dpi as round(150 / 0.0254) = 5906 pixels a metre, which reads back as
    # 5906 * 0.0254 = 150.0124 dpi.
    import io
    import struct

    from PIL import Image

    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                    [[0, 0, 0], [255, 255, 255], [12, 34, 56]]], dtype=np.uint8)  # fmt: skip
    png = png_writer.png_bytes(rgb, dpi=150)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR" and struct.unpack(">IIBB", png[16:26]) == (3, 2, 8, 2)  # width, height, 8-bit RGB
    assert (_decoded(png) == rgb).all()
    assert Image.open(io.BytesIO(png)).info["dpi"] == pytest.approx((150.0124, 150.0124))
    assert "dpi" not in Image.open(io.BytesIO(png_writer.png_bytes(rgb))).info
    with pytest.raises(ValueError, match="uint8"):
        png_writer.png_bytes(rgb.astype(np.float32))


# --- text drawn once per place, titles placed without a search ---------------------------------


def _text_figure(dpi: float = 100):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=dpi)
    FigureCanvasAgg(fig)
    # the same string at two places (a cache keyed without the place would draw it at the first)
    fig.text(0.05, 0.9, "Xã Chiềng Khoong", fontsize=9)
    fig.text(0.5137, 0.9, "Xã Chiềng Khoong", fontsize=9)  # same line, other place
    fig.text(0.05, 0.7071, "Xã Chiềng Khoong", fontsize=9)  # same column, other line
    fig.text(0.05, 0.55, "Tỷ lệ giải ngân 84,9%", fontsize=13, weight="bold", color="#1f78b4")
    fig.text(0.6, 0.3, "Lạng Sơn", fontsize=8, rotation=30)
    fig.text(0.9, 0.1, "Bắc", fontsize=11, rotation=90, alpha=0.5)
    fig.text(0.05, 0.3, "hai dòng\nchữ", fontsize=10)
    fig.text(0.05, 0.1, "không khử răng cưa", fontsize=9, antialiased=False)
    fig.text(0.6, 0.85, r"$x^2$ mathtext", fontsize=9)  # mathtext is matplotlib's alone
    if hasattr(fig.texts[0], "set_language"):  # languages by range and font features (matplotlib 3.10+)
        fig.text(0.3, 0.45, "Lạng Sơn fi", fontsize=9, language=[("vi", 0, 8)], fontfeatures=["-liga"])
    return fig


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_drawn_text_has_matplotlibs_own_pixels(monkeypatch):
    """Text drawn through analysis.maps.textmetrics' cache, the first time (recorded) and again
    (replayed), must give the pixels matplotlib's own draw_text gives: the expected image is
    drawn by the wrapped original on a fresh figure."""
    from matplotlib.backends.backend_agg import RendererAgg


    if not hasattr(RendererAgg.draw_text, "__wrapped__"):
        pytest.skip("this matplotlib does not draw text glyph by glyph; the drawn-text cache is not installed")
    for dpi in (100, 150):
        first, again = _pixels(_text_figure(dpi)), _pixels(_text_figure(dpi))
        assert textmetrics.drawn_size() >= 7
        with monkeypatch.context() as m:
            m.setattr(RendererAgg, "draw_text", RendererAgg.draw_text.__wrapped__)
            own = _pixels(_text_figure(dpi))
        assert (first == own).all() and (again == own).all()
    # A colour changed between two draws at the same place: the glyphs are the same, the ink is new.
    fig = _text_figure()
    _pixels(fig)
    fig.texts[3].set_color("#e31a1c")
    recoloured = _pixels(fig)
    with monkeypatch.context() as m:
        m.setattr(RendererAgg, "draw_text", RendererAgg.draw_text.__wrapped__)
        fig = _text_figure()
        fig.texts[3].set_color("#e31a1c")
        assert (recoloured == _pixels(fig)).all()


def test_titles_sit_where_matplotlib_places_them(monkeypatch):
    """Maps and charts give their titles y=TITLE_Y so that matplotlib does not search for tick
    labels above the plot at every draw; the title must land where that search puts it. The
    expected place is matplotlib's own: the same map and chart drawn with y left to it."""
    import pandas as pd
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from analysis.common.i18n import t
    from analysis.maps import charts

    wanted = ("Tỷ lệ giải ngân theo xã", t("chart.progress", "vi"))

    def titles():
        gdf = squares(4)
        gdf["rate"] = [0.2, 0.4, 0.6, 0.95]
        m = maps.choropleth(gdf, "rate", "disbursement_rate", labels="name", title=wanted[0],
                            subtitle="Năm 2023", source="thử")  # fmt: skip
        prog = pd.DataFrame({"as_of": pd.to_datetime(["2023-06-30", "2023-12-31"] * 2),
                             "capital_type": ["investment", "investment", "recurrent", "recurrent"],
                             "rate": [0.25, 0.8, 0.3, 0.9]})  # fmt: skip
        c = charts.progress_chart(prog, "vi")
        out = []
        for ax in (m, c):
            canvas = FigureCanvasAgg(ax.figure)  # a chart's bare Figure has no renderer of its own
            canvas.draw()
            title = [a for a in ax.get_children() if isinstance(a, Text) and a.get_text() in wanted]
            assert len(title) == 1
            out += title[0].get_window_extent(canvas.get_renderer()).bounds
        return out

    placed = titles()
    for module in (furniture, maps, charts):
        monkeypatch.setattr(module, "TITLE_Y", None)
    own = titles()
    assert placed == pytest.approx(own, abs=1e-6)


def test_drawn_text_in_another_thread_uses_that_threads_fonts(monkeypatch):
    # matplotlib gives each thread its own FT2Font objects (FreeType is not thread-safe); a
    # string shaped in one thread must be shaped again in another, with that thread's fonts,
    # and still give matplotlib's own pixels.
    from concurrent.futures import ThreadPoolExecutor

    from matplotlib.backends.backend_agg import RendererAgg


    if not hasattr(RendererAgg.draw_text, "__wrapped__"):
        pytest.skip("this matplotlib does not draw text glyph by glyph; the drawn-text cache is not installed")
    from matplotlib.font_manager import FontProperties

    here = _pixels(_text_figure(120))
    with ThreadPoolExecutor(max_workers=1) as pool:
        there = pool.submit(lambda: _pixels(_text_figure(121))).result()
        font_there = pool.submit(lambda: RendererAgg(10, 10, 121)._prepare_font(FontProperties(size=9))).result()
    font_here = RendererAgg(10, 10, 121)._prepare_font(FontProperties(size=9))
    assert font_there is not font_here  # matplotlib's own rule: each thread its own FT2Font
    shaped_there = [k for k in textmetrics._shaped if k[0] is font_there]
    assert shaped_there and all(ft.fname for k in shaped_there for ft, *_ in textmetrics._shaped[k])
    with monkeypatch.context() as m:
        m.setattr(RendererAgg, "draw_text", RendererAgg.draw_text.__wrapped__)
        assert (here == _pixels(_text_figure(120))).all() and (there == _pixels(_text_figure(121))).all()


#: Draws the same strings in a parent and then in two forked workers at once, at new places
#: (so each worker renders glyphs with shapings the parent kept), and compares each worker's
#: pixels with matplotlib's own draw_text in that worker. Before the shapings were tied to
#: the font objects matplotlib lends (and dropped at fork), the workers rendered with the
#: parent's FT2Font objects, whose font files they read through one shared file offset:
#: 5 runs of 5 failed with "FT_Load_Glyph ... invalid outline" (or "too many hints").
_FORKED_DRAW = """
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from analysis.maps import textmetrics
textmetrics.install()  # as a map export does

WORDS = [f"Xã Thượng Hoà {i} Đồng Mỏ Chiến Thắng" for i in range(60)]

def pixels(offset):
    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    for i, word in enumerate(WORDS):
        fig.text(0.01 + offset, (i % 50) / 50, word, fontsize=7)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()

def job(k):
    for r in range(10):
        drawn = pixels(0.001 * (k * 97 + r + 1))
    cached = RendererAgg.draw_text  # the last one drawn again by matplotlib alone, to compare
    RendererAgg.draw_text = cached.__wrapped__
    try:
        return bool((drawn == pixels(0.001 * (k * 97 + r + 1))).all())
    finally:
        RendererAgg.draw_text = cached

if __name__ == "__main__":
    if not hasattr(RendererAgg.draw_text, "__wrapped__"):
        print("no drawn-text cache"); sys.exit(0)
    pixels(0.0)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        print(list(pool.map(job, range(4))))
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork() on this system")
def test_text_drawn_by_forked_workers_at_once_is_matplotlibs_own(tmp_path):
    # What `ntp-atlas maps --jobs 2` does (the parent draws the province maps, then forks the
    # workers that draw the districts' maps), in small: 3 runs, each a fresh process.
    import os
    import subprocess
    import sys
    from pathlib import Path

    import analysis

    script = tmp_path / "forked_draw.py"
    script.write_text(_FORKED_DRAW, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(analysis.__file__).parents[1]), "MPLBACKEND": "Agg"}
    for run in range(3):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, f"run {run + 1}: {done.stderr[-2000:]}"
        if "no drawn-text cache" not in done.stdout:
            assert done.stdout.strip() == "[True, True, True, True]", done.stdout


def test_a_forked_child_forgets_the_parents_shapings_and_shapes_with_its_own_fonts():
    # matplotlib empties its font cache in a forked child (font_manager._get_font); the text
    # cache must drop the shapings that name the parent's FT2Font objects as well, keep the
    # drawn pixels (plain data), and shape again with the fonts the child is lent.
    import os

    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties


    if not hasattr(os, "fork") or not hasattr(RendererAgg.draw_text, "__wrapped__"):
        pytest.skip("needs fork() and the drawn-text cache")
    _pixels(_text_figure(97))
    parent_fonts = {id(k[0]) for k in textmetrics._shaped}
    assert parent_fonts and textmetrics.drawn_size() > 0
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, and leave without running pytest's exit handlers
        try:
            before = (len(textmetrics._shaped), textmetrics.drawn_size() > 0)
            _pixels(_text_figure(98))
            mine = RendererAgg(10, 10, 98)._prepare_font(FontProperties(size=9))
            fonts = {k[0] for k in textmetrics._shaped}
            answer = f"{before[0]} {before[1]} {mine in fonts} {any(id(f) in parent_fonts for f in fonts)}"
        except BaseException as exc:  # noqa: BLE001 - whatever it is, the parent reports it
            answer = repr(exc)
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    # no shaping inherited; the pixels kept; shaped with the child's own font, none of the parent's
    assert answer == "0 True True False"


# --- the map style, entered once ---------------------------------------------------------------


def test_map_style_inside_itself_is_not_entered_again_but_a_changed_style_is_set_again(monkeypatch):
    entered = []
    real = plt.rc_context
    monkeypatch.setattr(plt, "rc_context", lambda rc=None, fname=None: entered.append(rc) or real(rc, fname))
    default = list(plt.rcParams["font.sans-serif"])
    with style.map_style():
        assert plt.rcParams["font.sans-serif"] == ["DejaVu Sans"] and plt.rcParams["svg.fonttype"] == "none"
        with style.map_style():  # the style in place: nothing to copy or restore
            assert plt.rcParams["font.sans-serif"] == ["DejaVu Sans"]
        assert len(entered) == 1
        with real({"font.sans-serif": ["DejaVu Serif"]}):  # someone changed it in between
            with style.map_style():
                assert plt.rcParams["font.sans-serif"] == ["DejaVu Sans"]
            assert plt.rcParams["font.sans-serif"] == ["DejaVu Serif"]
        assert len(entered) == 2
    assert plt.rcParams["font.sans-serif"] == default


# --- installing the text caches ----------------------------------------------------------------

#: Imports every module that draws, and checks that none patched matplotlib's text rendering:
#: the caches are installed by textmetrics.install() alone.
_NO_INSTALL_ON_IMPORT = """
import analysis.report, analysis.run.print_maps, analysis.run.engine, analysis.maps.charts
from matplotlib.backends.backend_agg import RendererAgg
from analysis.maps import textmetrics
assert not textmetrics.installed()
assert not hasattr(RendererAgg.get_text_width_height_descent, "__wrapped__")
assert not hasattr(RendererAgg.draw_text, "__wrapped__")
textmetrics.install()
textmetrics.install()  # idempotent: wrapped once
assert textmetrics.installed()
measure = RendererAgg.get_text_width_height_descent
assert not hasattr(measure.__wrapped__, "__wrapped__")
print("ok")
"""

#: A matplotlib whose text drawing differs from 3.11's (the internals the drawn-text cache
#: repeats are missing): install() leaves draw_text alone, sizes are still cached, and the
#: pixels are matplotlib's own, drawn before anything was installed.
_FALLBACK = """
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from analysis.maps import textmetrics

def pixels():
    fig = Figure(figsize=(3, 1), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.4, "Xã Hữu Kiên 0,5%", fontsize=9)
    fig.suptitle("Lạng Sơn", fontweight="bold")
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()

own = pixels()
textmetrics._draws_glyph_by_glyph = lambda: False  # as on a matplotlib without _layout/_render_glyph
textmetrics.install()
assert hasattr(RendererAgg.get_text_width_height_descent, "__wrapped__")
assert not hasattr(RendererAgg.draw_text, "__wrapped__")
first, again = pixels(), pixels()
assert (first == own).all() and (again == own).all() and (own[..., :3] < 128).any()
assert textmetrics.cache_size() > 0 and textmetrics.drawn_size() == 0
print("ok")
"""


@pytest.mark.parametrize("script", [_NO_INSTALL_ON_IMPORT, _FALLBACK], ids=["not-on-import", "fallback"])
def test_text_caches_are_installed_explicitly_and_fall_back_to_matplotlib(tmp_path, script):
    import os
    import subprocess
    import sys
    from pathlib import Path

    import analysis

    path = tmp_path / "check.py"
    path.write_text(script, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(analysis.__file__).parents[1]), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
