"""Exporting a province's maps and charts for print: PNG (300 dpi), SVG and PDF, and an atlas.

:func:`export_province_maps` writes into ``<out_dir>/<year>/<province-slug>/maps/`` (beside
the province's HTML reports) with stable names, so that a rerun replaces the same files::

    20-lang-son_disbursement_rate_2023.png      province, commune map, plan year
    20-lang-son_poverty_change_pp_2021-2023.svg province, poverty change from 2021 to 2023
    20-lang-son_need_vs_money_2023.pdf          province, need against money
    187-chi-lang_disbursement_rate_2023.png     one district, communes labelled, with inset
    187-chi-lang_poverty_change_pp_2021-2023.png
    187-chi-lang_need_vs_money_2023.png
    20-lang-son_projects_2023.png               chart: plan and disbursed by project
    20-lang-son_poverty_trend_2021-2023.png     chart: poverty rate by district by year
    20-lang-son_disbursement_vs_poverty_change_2021-2023.png   chart: scatter by district
    atlas.pdf                                   one page: every district's disbursement map

A name is ``<code>-<slug>_<indicator>_<period>``: the GSO code and the ASCII name without
its type prefix (:func:`analysis.run.outputs.slug`), the indicator (a legend set's key, or the
chart's name), and the plan year or the ``<baseline>-<year>`` of a change. English files
carry ``.en`` before the suffix (``187-chi-lang_need_vs_money_2023.en.png``,
``atlas.en.pdf``), as the reports do. Each file is written to a temporary file and renamed,
so a reader never sees half a map.

``ntp-atlas maps --docs`` (``make docs``) regenerates the pictures of ``docs/maps.md`` from the
sample data (:func:`build_docs_maps`).
"""

from __future__ import annotations

import functools
import io
import math
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from analysis import __version__
from analysis.common.i18n import t
from analysis.common.storage import atomic_write_bytes
from analysis.config import DOCS_DIR, PROCESSED_DIR, REPORTS_DIR
from analysis.errors import ParameterError
from analysis.maps import charts
from analysis.maps import choropleth as maps
from analysis.maps.cartography import TITLE_Y, label_units, map_style, short_name
from analysis.maps.legends import NO_DATA, NO_PLAN, classify, get_legend_set
from analysis.metrics.finance import disbursement
from analysis.report.mapdata import MapData, map_data
from analysis.run.outputs import slug
from analysis.store.prepared import load_area

__all__ = [
    "FORMATS",
    "INDICATORS",
    "atlas_figure",
    "build_docs_maps",
    "chart_figures",
    "district_map",
    "export_province_maps",
    "map_stem",
    "province_map",
]

FORMATS = ("png", "svg", "pdf")
#: The maps of every area: legend set -> the columns it maps.
INDICATORS = {
    "disbursement_rate": ("rate",),
    "poverty_change_pp": ("poverty_rate_change_pp",),
    "need_vs_money": ("poverty_rate_now", "rate"),
}
_MAP_SIZE = (9.0, 6.6)
_A3_LANDSCAPE = (16.54, 11.69)


# --- names -------------------------------------------------------------------------------------


def unit_stem(code: str, name: str) -> str:
    """``187-chi-lang``: a unit's GSO code and slug."""
    return f"{code}-{slug(name)}"


def _period(data: MapData, indicator: str) -> str:
    if indicator in ("poverty_change_pp", "poverty_trend", "disbursement_vs_poverty_change"):
        if indicator == "poverty_trend":
            years = sorted(int(y) for y in data.area.poverty["year"].unique())
            return f"{years[0]}-{years[-1]}" if years else str(data.year)
        return f"{data.baseline_year}-{data.poverty_year}"
    return str(data.year)


def map_stem(data: MapData, indicator: str, district: str | None = None) -> str:
    """File name without suffix: ``20-lang-son_disbursement_rate_2023``."""
    area = data.area
    unit = (
        unit_stem(district, _district_name(data, district))
        if district
        else unit_stem(area.province_code, area.province_name)
    )
    return f"{unit}_{indicator}_{_period(data, indicator)}"


def _suffix(fmt: str, lang: str) -> str:
    return f".{fmt}" if lang == "vi" else f".{lang}.{fmt}"


def _district_name(data: MapData, code: str) -> str:
    d = data.area.districts
    return str(d.loc[d["district_code"] == code, "district_name"].iloc[0])


# --- writing -----------------------------------------------------------------------------------


def _metadata(fmt: str, title: str) -> dict:
    creator = f"ntp-atlas {__version__}"
    # No creation date: the same data gives byte-identical SVG and PDF files.
    return {
        "png": {"Title": title, "Software": creator},
        "svg": {"Title": title, "Creator": creator, "Date": None},
        "pdf": {"Title": title, "Creator": creator, "CreationDate": None},
    }[fmt]


def _render(fig: Figure, fmt: str, dpi: int, title: str, bbox: Bbox | str | None = "tight") -> bytes:
    buf = io.BytesIO()
    kwargs = {"bbox_inches": bbox, "pad_inches": 0.15} if bbox is not None else {}
    with map_style():
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt, title), **kwargs)
    return buf.getvalue()


def _tight_bbox(fig: Figure) -> Bbox:
    # The figure's content, in inches, measured once for all formats: "tight" would draw
    # the whole figure again for each file just to measure it.
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    with map_style():
        fig.draw_without_rendering()
        return fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.15)


def _write(fig: Figure, folder: Path, stem: str, formats: Iterable[str], dpi: int, lang: str,
           tight: bool = True) -> list[Path]:  # fmt: skip
    title = _figure_title(fig)
    bbox = _tight_bbox(fig) if tight else None
    paths = []
    for fmt in formats:
        path = folder / (stem + _suffix(fmt, lang))
        atomic_write_bytes(path, _render(fig, fmt, dpi, title, bbox))
        paths.append(path)
    return paths


def _figure_title(fig: Figure) -> str:
    if fig._suptitle is not None:
        return fig._suptitle.get_text()
    for ax in fig.axes:
        if ax.get_title(loc="left"):
            return ax.get_title(loc="left")
    return "ntp-atlas"


# --- maps --------------------------------------------------------------------------------------


def _source(data: MapData, lang: str) -> str:
    m = data.area.manifest
    names = {k: Path(m["inputs"][k]["path"]).name if k in m.get("inputs", {}) else "–" for k in ("finance", "poverty")}
    boundaries = Path(m.get("boundaries", {}).get("path", "–")).name
    return t("map.source", lang, boundaries=boundaries, **names)


def _subtitle(data: MapData, indicator: str, lang: str, district: str | None) -> str:
    area = data.area
    if district:
        where = t("map.area_district", lang, district=_district_name(data, district), province=area.province_name)
    else:
        where = t("map.area_province", lang, province=area.province_name)
    as_of = data.as_of_text(lang, district)  # the date of the figures shown, not only the one asked for
    if indicator == "poverty_change_pp":
        when = t("map.period_change", lang, base=data.baseline_year, year=data.poverty_year)
    elif indicator == "need_vs_money":
        when = t("map.period_need", lang, poverty_year=data.poverty_year, year=data.year, as_of=as_of)
    else:
        when = t("map.period_year", lang, year=data.year, as_of=as_of)
    return f"{where} · {when}"


def _draw(ax: Axes, gdf: gpd.GeoDataFrame, indicator: str, lang: str, **kwargs) -> Axes:
    if indicator not in INDICATORS:
        raise ParameterError(f"indicator must be one of {', '.join(INDICATORS)}, not {indicator!r}")
    gdf = gdf.copy()
    for col in INDICATORS[indicator]:
        if col not in gdf.columns:
            gdf[col] = float("nan")
    no_plan = "no_plan" if indicator != "poverty_change_pp" else None
    columns = INDICATORS[indicator]
    column = columns[0] if len(columns) == 1 else columns
    return maps.choropleth(gdf, column, indicator, ax=ax, lang=lang, no_plan_column=no_plan, **kwargs)


def _fills(gdf: gpd.GeoDataFrame, indicator: str) -> list[str]:
    # The colour each unit is drawn in, so that its label can be written in a contrasting one.
    ls = get_legend_set(indicator)
    columns = INDICATORS[indicator]
    values = gdf[columns[0]] if len(columns) == 1 else gdf[list(columns)]
    codes = classify(values, ls, gdf["no_plan"] if ls.has_no_plan else None)
    special = {NO_PLAN: ls.no_plan_color, NO_DATA: ls.no_data_color}
    return [ls.colors[c] if c >= 0 else special[c] for c in codes]


def _new_map(size: tuple[float, float] = _MAP_SIZE) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=100)
    return fig, fig.add_subplot()


def province_map(data: MapData, indicator: str = "disbursement_rate", lang: str = "vi") -> Figure:
    """A province's commune map of one indicator, district boundaries and names over it."""
    fig, ax = _new_map()
    _draw(ax, data.communes, indicator, lang, subtitle=_subtitle(data, indicator, lang, None),
          source=_source(data, lang))  # fmt: skip
    maps.draw_boundaries(ax, data.area.districts, linewidth=1.1, color="#252525")
    label_units(ax, data.area.districts, "district_name", fontsize=7.5, fontweight="bold")
    return fig


def district_map(data: MapData, district: str, indicator: str = "disbursement_rate", lang: str = "vi") -> Figure:
    """A district's commune map of one indicator: communes labelled, a locator inset."""
    districts = data.area.districts
    if district not in set(districts["district_code"]):
        raise ParameterError(f"district {district!r} is not a district code of {data.area.province_name}")
    this = districts[districts["district_code"] == district]
    fig, ax = _new_map()
    communes = data.communes[data.communes["district_code"] == district]
    _draw(ax, communes, indicator, lang, subtitle=_subtitle(data, indicator, lang, district),
          source=_source(data, lang))  # fmt: skip
    maps.draw_boundaries(ax, this, linewidth=1.1, color="#252525")
    maps.add_inset(ax, districts, this, loc="outside lower right", size=0.3)
    label_units(ax, communes, "commune_name", background=_fills(communes, indicator))  # last: fitted to the layout
    return fig


def _panel_title(name: str) -> str:
    # "Huyện" goes without saying on a page of districts; a city or town keeps its type.
    return short_name(name) if name.startswith("Huyện ") else name


def _grid(n: int) -> tuple[int, int]:
    cols = max(1, math.ceil(math.sqrt(n * 4 / 3)))
    return math.ceil(n / cols), cols


def atlas_figure(
    data: MapData, indicator: str = "disbursement_rate", lang: str = "vi", districts: Sequence[str] | None = None
) -> Figure:
    """One A3 landscape page: a small map of each district, the province, one shared legend.

    Each district is drawn to fill its panel, with its own scale bar and north arrow; the
    last column holds the whole province with the district boundaries and, under it, the
    legend, whose counts are the province's (the sum of the panels').
    """
    codes = list(districts) if districts is not None else data.district_codes
    area = data.area
    fig = Figure(figsize=_A3_LANDSCAPE, dpi=100)
    rows, cols = _grid(max(len(codes), 1))
    grid = fig.add_gridspec(rows, cols + 1, width_ratios=[1] * cols + [1.35], left=0.025, right=0.975, top=0.88,
                            bottom=0.06, wspace=0.12, hspace=0.16)  # fmt: skip
    # Panels leave the boundary note out: it is said once, on the page's source line.
    communes = data.communes.drop(columns="boundary_quality", errors="ignore")
    communes.attrs = {}
    small = {"scale_bar": {"fontsize": 6.5, "height": 2.5}, "north_arrow": {"size": 14, "fontsize": 7}}
    for i, code in enumerate(codes):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        part = communes[communes["district_code"] == code]
        _draw(ax, part, indicator, lang, title="", **small)
        ax.get_legend().remove()
        # Each map fills its panel (extra ground, not a smaller panel), so titles line up.
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(_panel_title(_district_name(data, code)), loc="left", fontsize=10.5, pad=3, y=TITLE_Y)
        maps.draw_boundaries(ax, area.districts[area.districts["district_code"] == code], linewidth=0.9)
    side = grid[:, cols].subgridspec(2, 1, height_ratios=[1.1, 1], hspace=0.02)
    loc_ax = fig.add_subplot(side[0])
    legend = {"loc": "upper left", "bbox_to_anchor": (0.0, -0.06), "fontsize": 10, "title_fontsize": 10.5}
    _draw(loc_ax, communes, indicator, lang, title="", legend_kwds=legend, **small)
    maps.draw_boundaries(loc_ax, area.districts, linewidth=0.9)
    loc_ax.set_title(t("map.locator", lang, province=area.province_name), loc="left", fontsize=10.5, pad=3,
                     y=TITLE_Y)
    label_units(loc_ax, area.districts, "district_name", fontsize=6.5, fontweight="bold")
    with map_style():
        fig.suptitle(t("map.atlas_title", lang, title=t(f"title.{indicator}", lang), province=area.province_name),
                     x=0.025, y=0.965, ha="left", fontsize=18, fontweight="bold")  # fmt: skip
        fig.text(0.025, 0.925, _subtitle(data, indicator, lang, None), fontsize=11, color="#525252")
        note = ""
        if maps.is_approximate(data.communes):
            note = " · " + t("legend.approximate_boundaries", lang).capitalize()
        fig.text(0.025, 0.02, t("source_line", lang, source=_source(data, lang)) + note, fontsize=8.5,
                 color="#525252")  # fmt: skip
    return fig


# --- charts ------------------------------------------------------------------------------------


def chart_figures(data: MapData, lang: str = "vi") -> dict[str, Figure]:
    """The province's three charts, by file-name indicator.

    ``projects`` (plan and disbursed by project and capital type), ``poverty_trend`` (poverty
    rate by district and year) and ``disbursement_vs_poverty_change`` (a scatter by district).
    """
    snap = data.snapshot.assign(project=data.snapshot["project"].fillna("–"))
    table = disbursement(snap, ["project", "capital_type"])
    out = {"projects": charts.projects_chart(table, lang).figure}
    names = dict(zip(data.area.districts["district_code"], data.area.districts["district_name"], strict=True))
    out["poverty_trend"] = charts.poverty_trend_chart(data.area.poverty, "district", lang, names=names).figure
    province = disbursement(data.snapshot)["rate"].iloc[0]
    ax = charts.scatter_chart(
        data.districts, lang, period=(data.baseline_year, data.poverty_year), reference=float(province)
    )
    out["disbursement_vs_poverty_change"] = ax.figure
    return out


# --- the export --------------------------------------------------------------------------------


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"formats must be among {', '.join(FORMATS)}, not {', '.join(bad) or 'none'}")
    return tuple(dict.fromkeys(formats))


def _resolve_districts(data: MapData, districts: Sequence[str] | None) -> list[str]:
    if districts is None:
        return data.district_codes
    from analysis.catalog.units import resolve_district

    return [resolve_district(str(d), data.area.province_code)[0] for d in districts]


def export_province_maps(
    province: str,
    year: int | str | None,
    *,
    as_of: str | None = None,
    lang: str = "vi",
    data_dir: str | Path = PROCESSED_DIR,
    out_dir: str | Path = REPORTS_DIR,
    formats: Sequence[str] = FORMATS,
    dpi: int = 300,
    districts: Sequence[str] | None = None,
    baseline_year: int | str | None = None,
    indicators: Sequence[str] = tuple(INDICATORS),
    progress: bool = False,
    jobs: int = 1,
) -> list[Path]:
    """Write every map and chart of a province, and its one-page atlas.

    Parameters
    ----------
    province
        GSO code or name.
    year
        Plan year; the latest with finance data when None.
    as_of
        Date the finance figures run to (``yyyy-mm-dd``); the year's latest snapshot when None.
    lang
        ``"vi"`` (default) or ``"en"``.
    data_dir
        Prepared-data folder.
    out_dir
        Reports folder; files go to ``<out_dir>/<year>/<province-slug>/maps/``.
    formats
        Any of ``"png"``, ``"svg"``, ``"pdf"``.
    dpi
        Resolution of the PNG files (written into them as metadata).
    districts
        Codes or names of the districts to map; every district with data when None.
    baseline_year
        Year the poverty change is measured from; the first with poverty data when None.
    indicators
        The maps to draw, among :data:`INDICATORS` (all three by default).
    progress
        Show a progress bar over the districts.
    jobs
        Processes drawing district maps side by side (font subsetting for PDF and PNG
        compression make each map take a few seconds).

    Returns
    -------
    list of pathlib.Path
        The files written, in a stable order (province maps, district maps, charts, atlas).

    Raises
    ------
    ParameterError
        An unknown province, district, year or format.
    PreparedDataError
        No prepared data in ``data_dir``.
    """
    from tqdm.auto import tqdm

    from analysis.run.outputs import batch_folder

    formats = _check_formats(formats)
    unknown = [i for i in indicators if i not in INDICATORS]
    if unknown or not indicators:
        raise ParameterError(f"indicators must be among {', '.join(INDICATORS)}, not {', '.join(unknown) or 'none'}")
    indicators = tuple(dict.fromkeys(indicators))
    if lang not in ("vi", "en"):
        raise ParameterError(f"lang must be 'vi' or 'en', not {lang!r}")
    key = (str(province), None if year in (None, "") else int(year), as_of, baseline_year, str(data_dir))
    data = map_data(load_area(str(province), None, data_dir), year, as_of, baseline_year)
    codes = _resolve_districts(data, districts)
    folder = batch_folder(out_dir, data.year, data.area.province_name) / "maps"
    written: list[Path] = []
    for indicator in indicators:
        written += _write(province_map(data, indicator, lang), folder, map_stem(data, indicator), formats, dpi, lang)
    tasks = [(key, code, indicators, folder, formats, dpi, lang) for code in codes]
    bar = dict(total=len(tasks), desc=f"maps of {data.area.province_name}", unit="district", file=sys.stderr,
               disable=None if progress else True)  # fmt: skip
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            for paths in tqdm(pool.map(_district_job, tasks), **bar):
                written += paths
    else:
        for task in tqdm(tasks, **bar):
            written += _district_job(task, data)
    for name, fig in chart_figures(data, lang).items():
        written += _write(fig, folder, map_stem(data, name), formats, dpi, lang)
    # The atlas keeps its exact page size (no tight cropping) to print on A3.
    written += _write(atlas_figure(data, "disbursement_rate", lang, codes), folder, "atlas", ["pdf"], dpi, lang,
                      tight=False)  # fmt: skip
    return written


@functools.lru_cache(maxsize=1)
def _load(province: str, year: int | None, as_of, baseline_year, data_dir: str) -> MapData:
    # Once per worker process (which ends with the export): it draws several districts.
    return map_data(load_area(province, None, data_dir), year, as_of, baseline_year)


def _district_job(task: tuple, data: MapData | None = None) -> list[Path]:
    key, code, indicators, folder, formats, dpi, lang = task
    data = data if data is not None else _load(*key)
    paths = []
    for indicator in indicators:
        paths += _write(district_map(data, code, indicator, lang), folder, map_stem(data, indicator, code), formats,
                        dpi, lang)  # fmt: skip
    return paths


# --- docs --------------------------------------------------------------------------------------


def _small_png(fig: Figure, dpi: int, tight: bool = True) -> bytes:
    # 8-bit palette PNG: the maps are flat colours, so 256 colours lose nothing visible and
    # keep the files in docs/ small.
    from PIL import Image

    png = _render(fig, "png", dpi, _figure_title(fig), _tight_bbox(fig) if tight else None)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, format="png", optimize=True, dpi=(dpi, dpi))
    return out.getvalue()


def build_docs_maps(
    out: str | Path = DOCS_DIR / "img",
    *,
    data_dir: str | Path | None = None,
    province: str = "20",
    district: str = "187",
    year: int | None = None,
    lang: str = "vi",
    dpi: int = 150,
) -> list[Path]:
    """Regenerate the pictures of ``docs/maps.md`` (small 8-bit PNGs).

    The province's disbursement map, one district's three maps, the atlas page, and the two
    district charts. With ``data_dir`` None the sample data is prepared into a temporary
    folder first, so the pictures never show anything but the sample.
    """
    if data_dir is None:
        from analysis.store.prepare import prepare

        with tempfile.TemporaryDirectory(prefix="ntp-atlas-docs-") as tmp:
            prepare(out=Path(tmp) / "processed")
            return build_docs_maps(out, data_dir=Path(tmp) / "processed", province=province, district=district,
                                   year=year, lang=lang, dpi=dpi)  # fmt: skip
    out = Path(out)
    data = map_data(load_area(province, None, data_dir), year)
    figures = {
        "province_disbursement_rate": (province_map(data, "disbursement_rate", lang), dpi, True),
        **{f"district_{ind}": (district_map(data, district, ind, lang), dpi, True) for ind in INDICATORS},
        "atlas": (atlas_figure(data, "disbursement_rate", lang), 100, False),
    }
    chart = chart_figures(data, lang)
    figures["chart_poverty_trend"] = (chart["poverty_trend"], dpi, True)
    figures["chart_disbursement_vs_poverty_change"] = (chart["disbursement_vs_poverty_change"], dpi, True)
    paths = []
    for name, (fig, res, tight) in figures.items():
        path = out / f"{name}.png"
        atomic_write_bytes(path, _small_png(fig, res, tight))
        paths.append(path)
    return paths
