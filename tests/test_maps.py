"""Tests of analysis.maps.choropleth, analysis.maps.legends and analysis.common.i18n.

Artists are checked, not pixels (geopandas' habit): legend texts, face colours and hatches
of the collections each class is drawn as. Fixtures are rows of 0.01° squares near
(106.5, 21.8) in Lạng Sơn; every expected class and count was worked out by hand from the
upper-inclusive bin rule, as the comments say.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from shapely.geometry import box  # noqa: E402

from analysis.common.i18n import labels, t  # noqa: E402
from analysis.maps import choropleth as maps  # noqa: E402
from analysis.maps import furniture, layers, polygons, style  # noqa: E402
from analysis.maps.classes import classify
from analysis.maps.legend_text import legend_labels
from analysis.maps.legends import LEGEND_SETS, NO_DATA, NO_PLAN
from analysis.maps.schemes import scheme_legend_set
from analysis.maps.style import save_map  # noqa: E402
from analysis.maps.thematic import change_map, need_vs_money_map  # noqa: E402

NAN = float("nan")
DISB = LEGEND_SETS["disbursement_rate"]
# Every precomposed Vietnamese letter (U+1EA0..U+1EF9) plus đ, ơ, ư and the legend's signs.
VIETNAMESE_LETTERS = "".join(map(chr, range(0x1EA0, 0x1EFA))) + "ĐđƠơƯư ≤ ≥ − – %"


def squares(n: int, x0: float = 106.5, y0: float = 21.8, d: float = 0.01) -> list:
    """``n`` squares side by side, west to east."""
    return [box(x0 + i * d, y0, x0 + (i + 1) * d, y0 + d) for i in range(n)]


def communes(rates: list[float], plan: list[float] | None = None, **cols) -> gpd.GeoDataFrame:
    data = {"commune": [f"Xã {i}" for i in range(len(rates))], "rate": rates, **cols}
    if plan is not None:
        data["plan"] = plan
    return gpd.GeoDataFrame(data, geometry=squares(len(rates)), crs="EPSG:4326")


def legend_texts(ax: Axes) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def collection(ax: Axes, code: int):
    found = [c for c in ax.collections if c.get_gid() == f"ntp-class-{code}"]
    assert len(found) == 1, f"no single collection for class {code}"
    return found[0]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- labels ------------------------------------------------------------------------------


def test_t_languages_placeholders_and_unknown_key():
    assert t("legend.no_data", "vi") == "không có số liệu"
    assert t("legend.no_data", "en") == "no data"
    assert t("capital.recurrent", "vi") == "vốn sự nghiệp"
    assert t("fund.carried_over", "vi") == "vốn chuyển nguồn"
    assert t("money.billion_vnd", "en") == "billion VND"
    assert t("source_line", "vi", source="UBND") == "Nguồn: UBND"
    with pytest.raises(ValueError, match="legend.no_data"):
        t("legend.nodata", "vi")  # a typo: the message suggests the right key
    with pytest.raises(ValueError, match="placeholder"):
        t("source_line", "vi")
    with pytest.raises(ValueError, match="language"):
        t("legend.no_data", "fr")


def test_every_label_has_both_languages():
    for key, entry in labels().items():
        assert entry.get("vi") and entry.get("en"), key


# --- legend sets -------------------------------------------------------------------------


def test_legend_labels_follow_the_bins_in_both_languages():
    assert legend_labels("disbursement_rate", "vi") == [
        "0–30%", "30–50%", "50–70%", "70–90%", "90–100%", "> 100%",
        "không có kế hoạch", "không có số liệu",
    ]  # fmt: skip
    assert legend_labels("disbursement_rate", "en")[-2:] == ["no plan", "no data"]
    assert legend_labels("poverty_rate", "en", special=False) == [
        "0–5%", "5–10%", "10–20%", "20–35%", "> 35%",
    ]  # fmt: skip
    # Decimals appear in the change set: comma in Vietnamese, point in English.
    assert legend_labels("poverty_change_pp", "vi", special=False) == [
        "≤ −6,0", "−6,0 – −3,0", "−3,0 – −1,0", "−1,0 – +1,0", "+1,0 – +3,0", "> +3,0",
    ]  # fmt: skip
    assert legend_labels("poverty_change_pp", "en", special=False)[0] == "≤ −6.0"


def test_classify_is_upper_inclusive_with_special_codes():
    # By hand: 0 and 0.3 are in "0–30%" (class 0), 0.31 in "30–50%", exactly 1.0 in
    # "90–100%" (4), 1.2 in "> 100%" (5); NaN and inf are no data; the last is no plan.
    # 0.1 * 3 = 0.30000000000000004 must still count as 30%.
    rates = [0.0, 0.3, 0.1 * 3, 0.31, 1.0, 1.2, NAN, np.inf, NAN]
    no_plan = [False] * 8 + [True]
    assert classify(rates, DISB, no_plan).tolist() == [0, 0, 0, 1, 4, 5, NO_DATA, NO_DATA, NO_PLAN]


def test_diverging_zero_falls_in_the_middle_class():
    # Classes ≤−6 | −6..−3 | −3..−1 | −1..+1 | +1..+3 | >+3: 0 is class 3, the one around
    # zero; −1 belongs to (−3, −1] and +1 to (−1, +1] by the upper-inclusive rule.
    codes = classify([0.0, -1.0, 1.0, -6.0, 3.5], "poverty_change_pp").tolist()
    assert codes == [3, 2, 3, 0, 5]
    assert legend_labels("poverty_change_pp", "en", special=False)[3] == "−1.0 – +1.0"


def test_need_vs_money_classes_by_hand():
    # poverty >= 15% is high, disbursement < 50% is low (thresholds of the set).
    frame = pd.DataFrame(
        {
            "poverty": [0.20, 0.15, 0.10, 0.05, 0.30, NAN],
            "rate": [0.30, 0.50, 0.49, 0.90, NAN, 0.40],
        }
    )
    no_plan = [False, False, False, False, True, False]
    # alarm; high-high (both on the threshold); low-low; low-high; no plan; no data
    assert classify(frame, "need_vs_money", no_plan).tolist() == [0, 1, 2, 3, NO_PLAN, NO_DATA]


def test_no_plan_on_a_set_without_it_is_an_error():
    with pytest.raises(ValueError, match="no plan"):
        classify([1.0], "poverty_change_pp", no_plan=[True])


def test_quantiles_with_many_ties_give_fewer_classes():
    values = [0.0] * 8 + [0.1, 0.3]
    ls = scheme_legend_set(values, "quantiles", k=5)
    # Three distinct values, so at most three classes: {0}, (0, 0.1], > 0.1.
    assert ls.n_classes == 3 and ls.fewer_classes
    assert classify(values, ls).value_counts().to_dict() == {0: 8, 1: 1, 2: 1}
    nb = scheme_legend_set(values, "natural_breaks", k=5)
    assert nb.n_classes <= 3

    gdf = gpd.GeoDataFrame({"pov": values}, geometry=squares(10), crs="EPSG:4326")
    ax = maps.choropleth(
        gdf, "pov", "poverty_rate", lang="vi",
        classification_kwds={"scheme": "quantiles", "k": 5},
    )  # fmt: skip
    assert "3 nhóm thay vì 5" in ax.get_legend().get_title().get_text()
    assert legend_texts(ax) == ["0,0% (8)", "0,0–10,0% (1)", "> 10,0% (1)", "không có số liệu (0)"]


def test_data_driven_legend_labels_tell_close_breaks_apart():
    # Issue #17 (chart ticks rounded to whole numbers; the same fault in a legend): quantile
    # breaks at 5,18% and 5,23% written with the set's one decimal both read "5,2%", so the
    # second class would read as holding the single value 5,2%. By hand: the 8 values give
    # the edges 5,12 / 5,18 / 5,23 / 20 / 30 (%); two decimals tell them apart.
    values = [0.0512, 0.0518, 0.0523, 0.0531, 0.2, 0.3, 0.4, 0.45]
    ls = scheme_legend_set(values, "quantiles", k=5)
    assert ls.bins == (0.0512, 0.0518, 0.0523, 0.2, 0.3)
    assert legend_labels(ls, "vi", special=False) == [
        "5,12–5,18%", "5,18–5,23%", "5,23–20,00%", "20,00–30,00%", "> 30,00%"]
    # the fixed sets keep their own decimals: their edges differ at them
    assert legend_labels("disbursement_rate", "vi", special=False)[:2] == ["0–30%", "30–50%"]
    # a class of one tied value still reads as that value
    assert legend_labels(scheme_legend_set([0.0] * 8 + [0.1, 0.3], "quantiles", k=5), "vi",
                         special=False)[0] == "0,0%"


# --- choropleth --------------------------------------------------------------------------


def test_legend_counts_worked_out_by_hand():
    # 0.0, 0.25 and 0.3 are in "0–30%" (0 included, 30% upper-inclusive): 3; 0.45 in
    # "30–50%": 1; 0.95 in "90–100%": 1; NaN is no data: 1; the other classes are empty
    # but still listed.
    gdf = communes([0.0, 0.25, 0.3, 0.45, 0.95, NAN])
    ax = maps.choropleth(gdf, "rate", DISB, lang="vi")
    assert legend_texts(ax) == [
        "0–30% (3)", "30–50% (1)", "50–70% (0)", "70–90% (0)", "90–100% (1)", "> 100% (0)",
        "không có kế hoạch (0)", "không có số liệu (1)",
    ]  # fmt: skip


def test_missing_commune_is_drawn_hatched_and_zero_plan_gets_its_colour():
    gdf = communes([0.4, NAN, NAN], plan=[100.0, 50.0, 0.0])
    ax = maps.choropleth(gdf, "rate", DISB, lang="en", no_plan_column="plan")
    no_data = collection(ax, NO_DATA)
    assert len(no_data.get_paths()) == 1  # commune 1 is on the map, not dropped
    assert no_data.get_hatch() == DISB.no_data_hatch
    assert tuple(no_data.get_facecolor()[0]) == to_rgba(DISB.no_data_color)
    no_plan = collection(ax, NO_PLAN)
    assert len(no_plan.get_paths()) == 1
    assert tuple(no_plan.get_facecolor()[0]) == to_rgba(DISB.no_plan_color)
    assert "no data (1)" in legend_texts(ax) and "no plan (1)" in legend_texts(ax)
    vi = maps.choropleth(gdf, "rate", DISB, lang="vi", no_plan_column="plan")
    assert "không có số liệu (1)" in legend_texts(vi)
    # every commune is drawn once, outlines included
    outlines = [c for c in vi.collections if c.get_gid() == "ntp-outlines"]
    assert len(outlines[0].get_paths()) == 3


def test_two_districts_get_the_same_legend():
    low = communes([0.05, 0.1, 0.2])
    high = communes([0.8, 0.95, 1.3, NAN])
    fig, (ax1, ax2) = plt.subplots(1, 2)
    maps.choropleth(low, "rate", DISB, ax=ax1, show_counts=False)
    maps.choropleth(high, "rate", DISB, ax=ax2, show_counts=False)
    assert legend_texts(ax1) == legend_texts(ax2) == legend_labels(DISB, "vi")
    colours = [
        [tuple(h.get_facecolor()) for h in ax.get_legend().legend_handles] for ax in (ax1, ax2)
    ]
    assert colours[0] == colours[1]
    assert colours[0][:6] == [to_rgba(c) for c in DISB.colors]


def test_change_map_counts_zero_in_the_middle():
    gdf = communes([0.0, -4.0, 2.0, NAN])  # classes 3, 1, 4 and no data, by hand
    ax = change_map(gdf, "rate", lang="vi")
    texts = legend_texts(ax)
    assert texts[3] == "−1,0 – +1,0 (1)"
    assert texts[1] == "−6,0 – −3,0 (1)" and texts[4] == "+1,0 – +3,0 (1)"
    assert texts[-1] == "không có số liệu (1)"
    assert ax.get_title(loc="left") == "Thay đổi tỷ lệ hộ nghèo (điểm %)"


def test_need_vs_money_map_colours_the_alarm_class():
    gdf = communes([0.3, 0.9], poverty=[0.2, 0.05])  # alarm, then low poverty / high rate
    ax = need_vs_money_map(gdf, "poverty", "rate", lang="en")
    ls = LEGEND_SETS["need_vs_money"]
    assert tuple(collection(ax, 0).get_facecolor()[0]) == to_rgba(ls.colors[0])
    assert legend_texts(ax)[0] == "High poverty, low disbursement (1)"
    assert "15%" in ax.get_legend().get_title().get_text()
    assert ax.get_title(loc="left") == "Where need and money diverge"


def test_map_is_projected_without_axis_and_returns_its_axes():
    gdf = communes([0.1, 0.2])
    fig, ax = plt.subplots()
    out = maps.choropleth(gdf, "rate", DISB, ax=ax)
    assert out is ax
    assert not ax.axison and ax.get_aspect() == 1.0
    # EPSG:3405 eastings near 106.5°E are hundreds of kilometres, not degrees.
    assert ax.get_xlim()[0] > 1e5


def test_boundary_note_when_approximate():
    gdf = communes([0.1, 0.2])
    ax = maps.choropleth(gdf, "rate", DISB)
    assert not [t for t in ax.texts if t.get_gid() == "ntp-boundary-note"]
    gdf.attrs["boundary_quality"] = "approximate"
    ax = maps.choropleth(gdf, "rate", DISB, lang="vi")
    assert [t.get_text() for t in ax.texts if t.get_gid() == "ntp-boundary-note"] == [
        "Ranh giới gần đúng"
    ]
    by_column = communes([0.1, 0.2], boundary_quality=["exact", "approximate"])
    fig, ax = plt.subplots()
    assert furniture.add_boundary_note(ax, by_column, "en").get_text() == "Approximate boundaries"


def test_bad_input_messages():
    gdf = communes([0.1])
    with pytest.raises(ValueError, match="'missing'"):
        maps.choropleth(gdf, "missing", DISB)
    with pytest.raises(ValueError, match="no CRS"):
        maps.choropleth(gdf.set_crs(None, allow_override=True), "rate", DISB)
    with pytest.raises(ValueError, match="unknown legend set"):
        maps.choropleth(gdf, "rate", "disbursment_rate")


# --- fonts, inset, boundaries ------------------------------------------------------------


def test_vietnamese_text_has_no_missing_glyphs():
    gdf = communes([0.1, NAN])
    ax = maps.choropleth(gdf, "rate", DISB, title="Xã Chiến Thắng, Thị trấn Đồng Mỏ")
    ax.figure.suptitle(VIETNAMESE_LETTERS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_saved_text_stays_text_and_style_does_not_leak(tmp_path):
    before = dict(matplotlib.rcParams)
    ax = maps.choropleth(communes([0.1]), "rate", DISB, title="Thị trấn Đồng Mỏ")
    assert dict(matplotlib.rcParams) == before  # style context, not a global change
    svg = save_map(ax, tmp_path / "map.svg").read_text("utf-8")
    assert "Thị trấn Đồng Mỏ" in svg  # svg.fonttype none: a <text> element, not paths
    pdf = save_map(ax, tmp_path / "map.pdf").read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # pdf.fonttype 42: TrueType


def test_inset_is_a_child_axes_of_the_map():
    province = gpd.GeoDataFrame(
        {"district": ["A", "B", "C"]}, geometry=squares(3, d=0.1), crs="EPSG:4326"
    )
    fig, ax = plt.subplots()
    maps.choropleth(communes([0.1, 0.6]), "rate", DISB, ax=ax)
    inset = layers.add_inset(ax, province, province.iloc[[1]])
    assert isinstance(inset, Axes)
    assert inset in ax.child_axes and inset.figure is fig
    assert len(inset.collections) == 3  # districts, province outline, highlight
    with pytest.raises(ValueError, match="loc"):
        layers.add_inset(ax, province, province.iloc[[1]], loc="middle")


def test_draw_boundaries_adds_a_heavier_line():
    fig, ax = plt.subplots()
    maps.choropleth(communes([0.1, 0.6]), "rate", DISB, ax=ax)
    district = gpd.GeoDataFrame(geometry=[box(106.5, 21.8, 106.52, 21.81)], crs="EPSG:4326")
    assert layers.draw_boundaries(ax, district, linewidth=1.5) is ax
    lines = [c for c in ax.collections if c.get_gid() == "ntp-boundaries"]
    assert lines and lines[0].get_linewidth()[0] == 1.5


def _map_state(ax: Axes) -> dict:
    """What a reader sees of a choropleth, artist by artist."""
    classes = {c.get_gid(): (c.get_facecolor().round(4).tolist(), c.get_hatch(), len(c.get_paths()))
               for c in ax.collections if (c.get_gid() or "").startswith("ntp-class-")}
    labels = sorted((tx.get_text(), tx.get_position(), tx.get_color()) for tx in ax.texts
                    if tx.get_gid() == "ntp-label")
    return {"classes": classes, "legend": legend_texts(ax), "title": ax.get_title(loc="left"), "labels": labels}


def test_restyle_gives_the_map_drawn_alone():
    # A report draws its three maps on one figure in turn. Rates 10%, 95%, missing, 0 plan;
    # changes -4, +1, -0.5, missing: after restyle the map must be the change map drawn alone
    # (fills, legend with its counts, title, labels and their colours), with nothing of the
    # disbursement map left.
    gdf = communes([0.10, 0.95, NAN, NAN], plan=[100.0, 100.0, 100.0, 0.0],
                   change=[-4.0, 1.0, -0.5, NAN], name=["An", "Bình", "Chi", "Dương"])
    gdf.geometry = squares(4, d=0.05)  # room for a label in each
    ax = maps.choropleth(gdf, "rate", "disbursement_rate", no_plan_column="plan", labels="name", subtitle="2023")
    before = _map_state(ax)
    maps.restyle(ax, gdf, "change", "poverty_change_pp", title="Δ")
    alone = maps.choropleth(gdf, "change", "poverty_change_pp", labels="name", subtitle="2023", title="Δ")
    after, expected = _map_state(ax), _map_state(alone)
    assert after == expected
    assert after["classes"] != before["classes"] and after["legend"] != before["legend"]
    assert f"ntp-class-{NO_PLAN}" not in after["classes"]  # the change map has no "no plan"
    assert len(after["labels"]) == 4  # every square labelled, in the same places as before
    assert [p for _, p, _ in after["labels"]] == [p for _, p, _ in before["labels"]]
    # The 95% square is dark blue in the disbursement map (white name), light in the change map.
    assert dict((t_, c) for t_, _, c in before["labels"])["Bình"] == "white"
    assert dict((t_, c) for t_, _, c in after["labels"])["Bình"] != "white"
    plt.close("all")


def _pixels(fig) -> np.ndarray:
    import io

    from PIL import Image

    buf = io.BytesIO()
    with style.map_style():
        fig.savefig(buf, format="png", dpi=60)
    return np.asarray(Image.open(buf))


def test_restyle_replaces_subtitle_and_source_and_moves_the_title():
    # An indicator map drawn on the figure of a commune map brings its own subtitle (here two
    # lines where the first map had one) and source. The title must go up by one subtitle
    # line, as on the map drawn alone with them: the same pixels, and not those of the
    # first map's subtitle.
    from matplotlib.figure import Figure

    gdf = communes([0.10, 0.95, NAN, NAN], plan=[100.0, 100.0, 100.0, 0.0],
                   change=[-4.0, 1.0, -0.5, NAN], name=["An", "Bình", "Chi", "Dương"])
    gdf.geometry = squares(4, d=0.05)
    two_lines, rect = "Lạng Sơn\n31/12/2023", (0.1, 0.1, 0.6, 0.6)

    def new_axes():
        fig = Figure(figsize=(6, 4))
        return fig, fig.add_axes(rect)

    shared, ax = new_axes()
    maps.choropleth(gdf, "rate", "disbursement_rate", ax=ax, no_plan_column="plan", labels="name",
                    subtitle="2023", source="Sở Tài chính")
    maps.restyle(ax, gdf, "change", "poverty_change_pp", title="Δ", subtitle=two_lines, source="UBND")
    texts = {tx.get_gid(): tx.get_text() for tx in ax.texts}
    assert texts["ntp-subtitle"] == two_lines
    assert texts["ntp-source"] == t("source_line", "vi", source="UBND")
    alone, ax2 = new_axes()
    maps.choropleth(gdf, "change", "poverty_change_pp", ax=ax2, labels="name", subtitle=two_lines, source="UBND",
                    title="Δ")
    one_line, ax3 = new_axes()
    maps.choropleth(gdf, "change", "poverty_change_pp", ax=ax3, labels="name", subtitle="2023", source="UBND",
                    title="Δ")
    assert (_pixels(shared) == _pixels(alone)).all()
    assert not (_pixels(shared) == _pixels(one_line)).all()  # the subtitle and title did change


@pytest.mark.parametrize("style", [{"facecolor": "#336699", "edgecolor": "#ff0000", "hatch": "//", "linewidth": 0},
                                   {"facecolor": "#e5e5e5", "edgecolor": "#67000d", "linewidth": 3}])
def test_class_fills_are_the_polygons_geopandas_draws(style):
    # maps draws each class's polygons from paths made with shapely's array functions
    # (polygons.polygon_paths) instead of GeoSeries.plot. On a polygon with two holes (given in
    # the same winding as its exterior, which geopandas normalises), a multipolygon whose
    # second part has a hole, a triangle, a missing and an empty geometry, the fill must be
    # GeoSeries.plot's: same paths, same pixels, holes left empty. With hatching (a class
    # without data) and with thick outlines (the locator inset).
    from matplotlib.figure import Figure
    from shapely.geometry import MultiPolygon, Polygon

    holed = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)],
                    [[(1, 1), (2, 1), (2, 2), (1, 2)], [(2.5, 2.5), (3.5, 2.5), (3, 3.5)]])
    multi = MultiPolygon([box(5, 0, 6, 1), Polygon([(5, 2), (7, 2), (7, 4), (5, 4)],
                                                  [[(5.5, 2.5), (6.5, 2.5), (6.5, 3.5), (5.5, 3.5)]])])
    geoms = gpd.GeoSeries([holed, multi, Polygon([(0, 5), (3, 5), (1.5, 7)]), None, Polygon()], crs="EPSG:3405")

    def drawn(fill) -> tuple[np.ndarray, Axes]:
        fig = Figure(figsize=(4, 4))
        ax = fig.add_axes((0, 0, 1, 1))
        fill(ax)
        ax.set_aspect("equal")
        ax.set_axis_off()
        return _pixels(fig), ax

    theirs, ax1 = drawn(lambda ax: geoms.plot(ax=ax, **style))
    ours, ax2 = drawn(lambda ax: polygons.fill_paths(ax, polygons.polygon_paths(geoms), **style))
    assert (theirs == ours).all()
    paths1, paths2 = ax1.collections[0].get_paths(), ax2.collections[0].get_paths()
    assert len(paths2) == 3  # the missing and the empty geometry are left out, as geopandas does
    for p1, p2 in zip(paths1, paths2, strict=True):
        assert (p1.codes == p2.codes).all() and np.allclose(p1.vertices, p2.vertices)
    assert ax1.get_xlim() == ax2.get_xlim() and ax1.get_ylim() == ax2.get_ylim()
    # the hole at (1.5, 1.5) is empty: white, and the polygon around it is filled
    x, y = (ax2.transData.transform([(1.5, 1.5), (0.5, 0.5)]) * 60 / ax2.figure.dpi).round().astype(int).T  # at 60 dpi
    h = ours.shape[0]
    assert (ours[h - y[0], x[0], :3] == 255).all() and not (ours[h - y[1], x[1], :3] == 255).all()


def test_locator_maps_of_two_provinces_are_not_mixed_up():
    # The simplified surroundings of a locator map are kept per process (every district of a
    # province draws the same province): two provinces must still get their own, and a
    # drawing must not change what is kept.
    west = gpd.GeoDataFrame({"d": ["a", "b"]}, geometry=squares(2), crs="EPSG:4326")
    east = gpd.GeoDataFrame({"d": ["a", "b", "c"]}, geometry=squares(3, x0=107.0), crs="EPSG:4326")

    def inset_extent(context):
        _, ax = plt.subplots()
        inset = layers.add_inset(ax, context, context.iloc[[0]])
        polygons = inset.collections[0]
        return len(polygons.get_paths()), inset.collections[1].get_paths()[0].get_extents().x0

    n_west, x_west = inset_extent(west)
    n_east, x_east = inset_extent(east)
    assert (n_west, n_east) == (2, 3)  # two squares, then three: not the first province again
    assert x_east > x_west  # the outline of the eastern province lies east (107.0° vs 106.5°)
    assert inset_extent(west) == (n_west, x_west)  # the kept one, unchanged
    plt.close("all")
