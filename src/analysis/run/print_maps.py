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
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analysis.catalog.programmes import DEFAULT_PROGRAMME, get_programme
from analysis.catalog.units import resolve_district
from analysis.common.storage import atomic_write_bytes
from analysis.config import DOCS_DIR
from analysis.errors import ParameterError
from analysis.maps import textmetrics
from analysis.report.mapdata import MapData, map_data
from analysis.run.options import DEFAULT_OPTIONS, RunOptions
from analysis.run.outputs import batch_folder
from analysis.run.print_figures import INDICATORS, atlas_figure, chart_figures, district_map, province_map
from analysis.run.print_files import small_png, write_figure
from analysis.run.print_names import map_stem
from analysis.store.areas import load_area
from analysis.store.prepare import prepare

__all__ = ["FORMATS", "PrintMaps", "build_docs_maps", "export_province_maps"]

FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class PrintMaps:
    """The files an export of print maps wrote.

    Parameters
    ----------
    folder
        Where they are (``<out_dir>/<year>/<province-slug>/maps/``, or ``docs/img/``).
    paths
        The files, in the order they were written.
    """

    folder: Path
    paths: list[Path]

    def summary(self) -> str:
        """The files, one per line: what ``ntp-atlas maps`` prints."""
        return "\n".join(str(path) for path in self.paths)


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(f"formats must be among {', '.join(FORMATS)}, not {', '.join(bad) or 'none'}")
    return tuple(dict.fromkeys(formats))


def _resolve_districts(data: MapData, districts: Sequence[str] | None) -> list[str]:
    if districts is None:
        return data.district_codes
    return [resolve_district(str(d), data.area.province_code)[0] for d in districts]


def export_province_maps(
    province: str,
    year: int | str | None,
    *,
    options: RunOptions = DEFAULT_OPTIONS,
    formats: Sequence[str] = FORMATS,
    dpi: int = 300,
    districts: Sequence[str] | None = None,
    baseline_year: int | str | None = None,
    indicators: Sequence[str] = tuple(INDICATORS),
) -> PrintMaps:
    """Write every map and chart of a province, and its one-page atlas.

    Parameters
    ----------
    province
        GSO code or name.
    year
        Plan year; the latest with finance data when None.
    options
        How to run (:class:`analysis.run.options.RunOptions`): ``lang``, ``data_dir`` (the
        prepared data), ``out_dir`` (the reports folder; files go to
        ``<out_dir>/<year>/<province-slug>/maps/``), ``as_of`` (the date the finance figures
        run to, ``yyyy-mm-dd``; the year's latest snapshot when None), ``jobs`` (processes
        drawing district maps side by side: font subsetting for PDF and PNG compression make
        each map take a few seconds) and ``progress`` (a bar over the districts on stderr,
        when it is a terminal). The maps are of NTP 1719 by the units before the 2025 reform:
        ``programme`` and ``units`` must be unset; the other options are for reports.
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

    Returns
    -------
    PrintMaps
        The folder and the files written, in a stable order (province maps, district maps,
        charts, atlas); its :meth:`~PrintMaps.summary` is what ``ntp-atlas maps`` prints.

    Raises
    ------
    ParameterError
        An unknown province, district, year, format or language; a programme or units asked for.
    PreparedDataError
        No prepared data in ``data_dir``.
    """
    from tqdm.auto import tqdm

    textmetrics.install()  # the maps and charts of a province write the same words again and again
    formats = _check_formats(formats)
    unknown = [i for i in indicators if i not in INDICATORS]
    if unknown or not indicators:
        raise ParameterError(f"indicators must be among {', '.join(INDICATORS)}, not {', '.join(unknown) or 'none'}")
    indicators = tuple(dict.fromkeys(indicators))
    lang, data_dir, out_dir, as_of = options.lang, options.data_dir, options.out_dir, options.as_of
    jobs, progress = options.jobs, options.progress
    if lang not in ("vi", "en"):
        raise ParameterError(f"lang must be 'vi' or 'en', not {lang!r}")
    if options.programme and get_programme(options.programme).code != DEFAULT_PROGRAMME:
        raise ParameterError(f"the print maps are of NTP 1719 only, not programme {options.programme!r}")
    if options.units not in (None, ""):
        raise ParameterError(f"the print maps are by the units before the 2025 reform, not units={options.units!r}")
    key = (str(province), None if year in (None, "") else int(year), as_of, baseline_year, str(data_dir))
    data = map_data(load_area(str(province), None, data_dir), year, as_of, baseline_year)
    codes = _resolve_districts(data, districts)
    folder = batch_folder(out_dir, data.year, data.area.province_name) / "maps"
    written: list[Path] = []
    for indicator in indicators:
        fig = province_map(data, indicator, lang)
        written += write_figure(fig, folder, map_stem(data, indicator), formats, dpi, lang)
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
        written += write_figure(fig, folder, map_stem(data, name), formats, dpi, lang)
    # The atlas keeps its exact page size (no tight cropping) to print on A3.
    written += write_figure(atlas_figure(data, "disbursement_rate", lang, codes), folder, "atlas", ["pdf"], dpi, lang,
                      tight=False)  # fmt: skip
    return PrintMaps(folder, written)


@functools.lru_cache(maxsize=1)
def _load(province: str, year: int | None, as_of, baseline_year, data_dir: str) -> MapData:
    # Once per worker process (which ends with the export): it draws several districts.
    return map_data(load_area(province, None, data_dir), year, as_of, baseline_year)


def _district_job(task: tuple, data: MapData | None = None) -> list[Path]:
    key, code, indicators, folder, formats, dpi, lang = task
    textmetrics.install()  # in a worker process too, however it was started
    data = data if data is not None else _load(*key)
    paths = []
    for indicator in indicators:
        fig = district_map(data, code, indicator, lang)
        paths += write_figure(fig, folder, map_stem(data, indicator, code), formats, dpi, lang)
    return paths


# --- docs --------------------------------------------------------------------------------------


def build_docs_maps(
    out: str | Path = DOCS_DIR / "img",
    *,
    data_dir: str | Path | None = None,
    province: str = "20",
    district: str = "187",
    year: int | None = None,
    lang: str = "vi",
    dpi: int = 150,
) -> PrintMaps:
    """Regenerate the pictures of ``docs/maps.md`` (small 8-bit PNGs).

    The province's disbursement map, one district's three maps, the atlas page, and the two
    district charts. With ``data_dir`` None the sample data is prepared into a temporary
    folder first, so the pictures never show anything but the sample.

    Returns
    -------
    PrintMaps
        ``out`` and the pictures written.
    """
    textmetrics.install()
    if data_dir is None:
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
        atomic_write_bytes(path, small_png(fig, res, tight))
        paths.append(path)
    return PrintMaps(out, paths)
