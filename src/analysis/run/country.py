"""The whole country in one run: every province's batch on one set of warm kernels.

``ntp-atlas batch --province all`` renders, province after province, what ``ntp-atlas batch
--province P`` renders for one (each district's report, the overview, the province's
index), then a national index that links the provinces. The kernels start once for the
whole run, not once per province, and reports whose inputs did not change are skipped as in
a province's batch, so a nightly run over the country costs what changed. With
``scheduler=`` every province's reports go to the Dask cluster instead. With ``units="2025"``
the data is converted to the units of the 2025 reform first when needed and every new
province is rendered per new commune (:mod:`analysis.run.batch_plan`); the national index is then
``index-2025.html``, beside the old units' one.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.catalog.programmes import DEFAULT_PROGRAMME, get_programme
from analysis.catalog.unit_systems import unit_system_of
from analysis.catalog.units import official_units, resolve_province
from analysis.common.i18n import t
from analysis.common.locks import hold, reading
from analysis.common.storage import atomic_write_bytes, make_folder
from analysis.config import PROCESSED_DIR
from analysis.errors import NtpAtlasError, ParameterError
from analysis.report.tables import CSS, esc
from analysis.run.batch import run_batch
from analysis.run.converted_data import ensure_converted
from analysis.run.kernel_pool import KernelPool
from analysis.run.options import DEFAULT_OPTIONS, RunOptions
from analysis.run.outcomes import BatchResult
from analysis.run.outputs import lang_suffix
from analysis.store.new_unit_areas import provinces_2025, resolve_new_province
from analysis.store.prepare import ensure_prepared
from analysis.store.prepared import load_manifest
from analysis.store.years import latest_year

#: Provinces in flight at once on the country's kernels (see :func:`run_country`).
PROVINCES_AT_ONCE = 2
#: What ``--province`` accepts for the whole country.
ALL = ("all", "tất cả", "toàn quốc", "*")


@dataclass
class CountryResult:
    """What :func:`run_country` wrote: one :class:`~analysis.run.outcomes.BatchResult` a province."""

    year: int
    lang: str
    folder: Path
    provinces: list[BatchResult] = field(default_factory=list)
    #: Provinces that could not run at all (no data for the year, unreadable data): name → why.
    errors: dict[str, str] = field(default_factory=dict)
    #: District codes with prepared data that are not in the unit list reports use (codes of
    #: an older vintage, say): no report can be made for them, and the summary says so.
    unlisted: list[str] = field(default_factory=list)
    index: Path | None = None
    #: ``"2025"`` when the provinces are the new ones, rendered per new commune.
    units: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unlisted and all(p.ok for p in self.provinces)

    def count(self, what: str) -> int:
        """Reports over all provinces that are ``"rendered"``, ``"skipped"`` or ``"failed"``."""
        return sum(len(getattr(p, what)) for p in self.provinces)

    def summary(self) -> str:
        """What the run did, in the lines ``ntp-atlas batch --province all`` prints."""
        lines = [province.summary() for province in self.provinces]
        lines += [f"{name}: not rendered: {why}" for name, why in self.errors.items()]
        if self.unlisted:
            codes = ", ".join(self.unlisted)
            lines.append(f"districts with data but not in the official unit list, no report: {codes}")
        lines.append(f"country {self.year} ({self.lang}): {len(self.provinces)} provinces, "
                     f"{self.count('rendered')} reports rendered, {self.count('skipped')} unchanged, skipped, "
                     f"{self.count('failed')} failed")
        lines.append(f"index: {self.index}")
        return "\n".join(lines)


def is_all(province: str | None) -> bool:
    """True when ``province`` asks for the whole country (``all``, ``toàn quốc``...)."""
    return str(province or "").strip().casefold() in ALL


def provinces_with_data(data_dir: str | Path = PROCESSED_DIR) -> pd.DataFrame:
    """Provinces with a district in the prepared data: ``province_code``, ``province_name``, by code."""
    manifest = load_manifest(data_dir)
    if not unit_system_of(manifest).has("district"):  # converted data: the new provinces, no districts
        return provinces_2025(data_dir)
    units = official_units()
    units = units[units["district_code"].isin(manifest.get("districts", []))]
    return (units[["province_code", "province_name"]].drop_duplicates()
            .sort_values("province_code").reset_index(drop=True))


def unlisted_districts(data_dir: str | Path = PROCESSED_DIR) -> list[str]:
    """District codes of the prepared data that the official unit list does not have."""
    known = set(official_units()["district_code"])
    return sorted(d for d in load_manifest(data_dir).get("districts", []) if d not in known)


def run_provinces(
    province: str,
    year: int | str | None = None,
    *,
    options: RunOptions = DEFAULT_OPTIONS,
    communes: list[str] | None = None,
) -> BatchResult | CountryResult:
    """What ``ntp-atlas batch --province`` asks for: one province's batch
    (:func:`~analysis.run.batch.run_batch`), or the run of several provinces (``"20,14"``,
    ``"Lạng Sơn,Sơn La"``) or of the whole country (``"all"``, :data:`ALL`) on one set of
    kernels (:func:`run_country`).

    Parameters
    ----------
    province
        A GSO code or name; several, comma-separated (new provinces with ``options.units``);
        or one of :data:`ALL`.
    year
        Plan year; default the latest with data.
    options
        How to render (:class:`analysis.run.options.RunOptions`).
    communes
        New communes to render, for one province's batch by the 2025 units.

    Returns
    -------
    BatchResult or CountryResult
        The province's result, or the provinces'; either has ``ok`` and ``summary()``.

    Raises
    ------
    ParameterError
        A programme other than NTP 1719, Word or Excel copies, or communes asked for more
        than one province.
    """
    if not (is_all(province) or "," in province):
        return run_batch(province, year, options=options, communes=communes)
    if options.programme and get_programme(options.programme).code != DEFAULT_PROGRAMME:
        raise ParameterError("--programme other than ntp1719 is for one province at a time: "
                             "ntp-atlas batch --province P --programme CODE")
    if options.documents:
        raise ParameterError("--docx and --xlsx are per province: run ntp-atlas batch --province P --docx")
    if communes:
        raise ParameterError("--commune is for one province: run ntp-atlas batch --province P --units 2025 --commune C")
    provinces = None
    if not is_all(province):  # a list: "20,14" or "Lạng Sơn,Sơn La"; the new provinces with the 2025 units
        resolve = resolve_new_province if options.units else resolve_province
        provinces = [resolve(p.strip())[0] for p in province.split(",") if p.strip()]
    return run_country(year, options=options, provinces=provinces)


def run_country(
    year: int | str | None = None,
    *,
    options: RunOptions = DEFAULT_OPTIONS,
    provinces: list[str] | None = None,
) -> CountryResult:
    """Run :func:`analysis.run.batch.run_batch` for every province with data, on one kernel pool.

    Parameters
    ----------
    year
        Plan year; default the latest year with finance data anywhere in ``data_dir``.
        A province without data for that year is listed in ``errors``, not rendered.
    options
        As for :func:`~analysis.run.batch.run_batch` (:class:`analysis.run.options.RunOptions`);
        ``jobs`` kernels serve every province. ``units="2025"``: by the units of the 2025
        reform (:func:`analysis.run.converted_data.ensure_converted` first, then every new province
        per new commune). ``wait``: seconds to wait for another run holding the year's folder
        or writing the data; the run holds ``<out_dir>/<year>`` and reads ``data_dir`` shared
        from start to end, as a province's batch does (:mod:`analysis.common.locks`).
        ``programme``, ``docx`` and ``xlsx`` are for one province's batch and not used here.
    provinces
        GSO codes to run (default: every province with prepared data); new codes with
        ``units="2025"``.

    Returns
    -------
    CountryResult
        Each province's result, the provinces that could not run, and the national index
        (``<out_dir>/<year>/index.html``).
    """
    options.check()
    lang, jobs, out_dir, pool, scheduler, wait = (options.lang, options.jobs, options.out_dir, options.pool,
                                                   options.scheduler, options.wait)
    data_dir = options.data_dir
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    if options.units not in (None, ""):
        data_dir = ensure_converted(data_dir).path
    # every province's batch: on the data as converted, the default programme, no copies
    province_options = options.replace(data_dir=data_dir, units=None, programme=None, docx=False, xlsx=False)
    ensure_prepared(data_dir)  # rebuilt first if damaged: no province may rebuild it while the others read it
    with contextlib.ExitStack() as held:
        held.enter_context(reading(data_dir, wait=wait))  # the same data for every province
        table = provinces_with_data(data_dir)
        if provinces is not None:
            table = table[table["province_code"].isin([str(p) for p in provinces])]
        if table.empty:
            raise ParameterError(f"no province has prepared data in {data_dir}; run ntp-atlas prepare first")
        latest = {}
        for code in table["province_code"]:
            with contextlib.suppress(NtpAtlasError):
                latest[code] = latest_year(code, data_dir)
        if year in (None, ""):
            if not latest:
                raise ParameterError(f"no finance data for any province in {data_dir}")
            year = max(latest.values())
        year = int(year)
        result = CountryResult(year, lang, Path(out_dir).expanduser().resolve() / str(year))
        held.enter_context(hold(result.folder, wait=wait))  # one country run at a time writes the year's index
        result.unlisted = unlisted_districts(data_dir)
        result.units = unit_system_of(load_manifest(data_dir)).key

        def one(code: str, name: str) -> BatchResult | str:
            if latest.get(code, 0) < year:
                return f"no finance data for {year} (latest: {latest.get(code) or 'none'})"
            try:
                return run_batch(code, year, options=province_options, kernel_pool=kernels)
            except NtpAtlasError as exc:  # one province's bad data does not stop the country
                return str(exc)

        kernels = None
        if pool and not scheduler:
            kernels = KernelPool(int(jobs))
        rows = list(table.itertuples(index=False))
        with kernels or contextlib.nullcontext():
            if kernels is None or len(rows) < 2:
                outcomes = [one(code, name) for code, name in rows]
            else:
                # Two provinces at a time on the same kernels: while one works out its
                # fingerprints, waits for its last report or writes its index, the kernels run the
                # other's reports instead of waiting (the kernels' queue keeps them in order).
                with ThreadPoolExecutor(max_workers=PROVINCES_AT_ONCE, thread_name_prefix="ntp-province") as threads:
                    outcomes = list(threads.map(lambda row: one(*row), rows))
        for (_, name), outcome in zip(rows, outcomes, strict=True):
            if isinstance(outcome, str):
                result.errors[name] = outcome
            else:
                result.provinces.append(outcome)
        suffix = f"-{result.units}" if result.units else ""  # never over the old units' national index
        result.index = result.folder / f"index{suffix}{lang_suffix(lang)}.html"
        make_folder(result.folder)
        atomic_write_bytes(result.index, country_index_html(result).encode("utf-8"))
        return result


def country_index_html(result: CountryResult) -> str:
    """The national index: one row a province, linking its index, with its report counts."""
    lang = result.lang
    title = t("country.title", lang, year=result.year)
    head = [t("country.province", lang), t("country.reports", lang), t("country.failed", lang)]
    rows = []
    for p in result.provinces:
        href = os.path.relpath(p.index, result.folder).replace(os.sep, "/") if p.index else ""
        name = f"<a href='{esc(href)}'>{esc(p.province_name)}</a>" if href else esc(p.province_name)
        failed = len(p.failed)
        rows.append(f"<tr><td>{name}</td><td class='num'>{len(p.succeeded)}</td>"
                    f"<td class='num'>{failed or ''}</td></tr>")
    for name, why in result.errors.items():
        rows.append(f"<tr><td>{esc(name)}</td><td colspan='2'>{esc(why)}</td></tr>")
    if result.unlisted:
        note = t("country.unlisted", lang, codes=", ".join(result.unlisted))
        rows.append(f"<tr><td colspan='3'>{esc(note)}</td></tr>")
    table = ("<table class='ntp-table'><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head)
             + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    when = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    note = esc(t("index.generated", lang, when=when, version=__version__))
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n{CSS}\n</head>\n<body>\n<main class='ntp-report'>\n"
            f"<h1>{esc(title)}</h1>\n{table}\n<p class='ntp-note'>{note}</p>\n</main>\n</body>\n</html>\n")
