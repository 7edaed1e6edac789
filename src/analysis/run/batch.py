"""Rendering a whole province: every district report, the overview and an index page.

Outputs go where :mod:`analysis.run.outputs` says (``<out_dir>/<year>/<province-slug>/``).
One report's failure is recorded (:mod:`analysis.run.outcomes`) and does not stop the others.

Data converted to the 2025 units (``units="2025"``, or a converted folder as ``data_dir``) is
rendered per new commune into ``<out_dir>/<year>/<province-slug>-2025/``: one report per new
commune with finance data (``06517-quan-son.html``), the new province's overview with the
former districts as a reference layer, and the index (:mod:`analysis.run.batch_plan`).

Reports run on a pool of warm kernels (:mod:`analysis.run.kernel_pool`, through
:mod:`analysis.run.threads`). A batch is incremental: each page ends with the fingerprint of
its inputs (:mod:`analysis.run.fingerprint`), and a report whose fingerprint has not changed
since its last good page is skipped; ``force=True`` renders everything.
``docs/batch-engine.md`` explains both.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from analysis.catalog.programmes import default_programme, get_programme
from analysis.catalog.units import resolve_district, resolve_province
from analysis.common.locks import hold, reading
from analysis.common.ownership import check_replaceable
from analysis.common.storage import atomic_write_bytes
from analysis.errors import NtpAtlasError, ParameterError
from analysis.report.copies.export import export_batch, export_for_parameters
from analysis.run.batch_plan import batch_plan
from analysis.run.cluster import run_on_cluster
from analysis.run.commune_report import run_commune_report
from analysis.run.converted_data import ensure_converted
from analysis.run.fingerprint import BatchFingerprints, up_to_date
from analysis.run.index_page import index_html
from analysis.run.kernel_pool import KernelPool
from analysis.run.options import DEFAULT_OPTIONS, RunOptions
from analysis.run.outcomes import BatchResult, ReportOutcome
from analysis.run.outputs import batch_folder, index_filename, lang_suffix, report_filename
from analysis.run.page_stamp import page_inputs, stamp_page
from analysis.run.render import render_report
from analysis.run.threads import data_changed, run_all
from analysis.store.prepare import ensure_prepared
from analysis.store.years import latest_year

#: Notebooks ``ntp-atlas report`` can render for one district.
DISTRICT_NOTEBOOKS = ("district_report", "explore")


# --- one report ----------------------------------------------------------------------------


def run_report(
    province: str,
    district: str | None = None,
    *,
    year: int | str | None = None,
    notebook: str = "district_report",
    commune: str | None = None,
    options: RunOptions = DEFAULT_OPTIONS,
) -> Path:
    """Render one district's report where :func:`run_batch` would put it.

    Parameters
    ----------
    province, district
        GSO codes or names.
    year
        Plan year; default the latest with data.
    notebook
        ``"district_report"`` or ``"explore"``.
    commune
        A new commune's report instead of a district's (code or name), on data by the 2025
        units: a converted folder as ``options.data_dir``, or ``options.units="2025"`` to
        convert it first when needed (:func:`analysis.run.converted_data.ensure_converted`).
        ``district`` is ignored.
    options
        How to render (:class:`analysis.run.options.RunOptions`): ``lang``, ``data_dir``,
        ``out_dir``, ``as_of``, ``programme`` (another programme's report is named with its
        code, ``187-chi-lang.p135.html``), ``units``, ``docx`` and ``xlsx`` (the Word copy and
        the tables as a workbook beside the HTML), ``wait``; the others are for batches.

    Returns
    -------
    pathlib.Path
        The HTML file.
    """
    if notebook not in DISTRICT_NOTEBOOKS:
        raise ParameterError(f"notebook must be one of {', '.join(DISTRICT_NOTEBOOKS)}, not {notebook!r}")
    lang, data_dir, out_dir, as_of = options.lang, options.data_dir, options.out_dir, options.as_of
    docx, xlsx, units, programme, wait = options.docx, options.xlsx, options.units, options.programme, options.wait
    lang_suffix(lang)
    if commune not in (None, "") or units not in (None, ""):
        return run_commune_report(province, commune, year=year, as_of=as_of, lang=lang, data_dir=data_dir,
                                  out_dir=out_dir, notebook=notebook, documents=docx or xlsx, units=units)
    if district in (None, ""):
        raise ParameterError("give a district (or a new commune, on data by the 2025 units)")
    pcode, pname = resolve_province(province)
    dcode, dname = resolve_district(district, pcode)
    # a URL (s3://, file://…) is read through fsspec, by this process and by cluster workers
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    ensure_prepared(data_dir)  # a damaged prepared file is rebuilt from its inputs, never read
    with reading(data_dir, wait=wait) as version:  # as a batch does: the data shared, the folder held
        asked = get_programme(programme).code if programme else None
        year = int(year) if year not in (None, "") else latest_year(pcode, data_dir, dcode, programme=asked)
        prog = asked or default_programme(year)  # by default the year's: NTP 1719 to 2025, then 2026–2030's
        out = batch_folder(out_dir, year, pname) / report_filename(dcode, dname, lang=lang, notebook=notebook,
                                                                   programme=prog, year=year)
        params = {"province": pcode, "district": dcode, "year": year, "as_of": as_of or "", "lang": lang,
                  "data_dir": data_dir, "baseline_year": "", "programme": prog}
        with hold(out.parent, wait=wait):
            path = render_report(notebook, params, out, check=version.check)
            if docx or xlsx:
                export_for_parameters(params, path, docx=docx, xlsx=xlsx)
    return path


# --- a province ----------------------------------------------------------------------------


def run_batch(
    province: str,
    year: int | str | None = None,
    *,
    options: RunOptions = DEFAULT_OPTIONS,
    communes: list[str] | None = None,
    kernel_pool: KernelPool | None = None,
) -> BatchResult:
    """Render every district with prepared data, the province overview and ``index.html``.

    Only reports whose inputs changed since their last good page are rendered (see
    :func:`analysis.run.fingerprint.input_digests` and
    :func:`analysis.run.fingerprint.report_fingerprint`); the index is rebuilt when any
    report was rendered or failed, or its own inputs changed.

    Parameters
    ----------
    province
        GSO code or name.
    year
        Plan year; default the latest with data (of ``options.programme``).
    options
        How to render (:class:`analysis.run.options.RunOptions`). ``jobs`` reports at the
        same time, each on its own kernel: warm ones started once for the batch unless
        ``pool`` is False; on a Dask cluster's workers with ``scheduler`` (they must reach
        ``data_dir``: a shared path or an fsspec URL). ``force`` renders every report and the
        index, changed or not. ``docx``/``xlsx`` write each report's copies beside its HTML in
        this process (:func:`analysis.report.copies.export_batch`; a report whose copy fails
        counts as failed). ``units="2025"`` renders by the units of the 2025 reform, one report
        per new commune with finance data, the new province's overview (the former districts
        as a reference layer) and the index, into ``<province-slug>-2025/``, ``data_dir``
        converted first when needed (a converted folder as ``data_dir`` is rendered by the
        new units without it). Another ``programme``'s files carry its code
        (``187-chi-lang.p135.html``, ``overview.p135.html``, ``index.p135.html``) and sit
        beside NTP 1719's. ``wait``: a batch holds ``data_dir`` shared and its folder
        exclusively while it runs (:mod:`analysis.common.locks`), and checks before each
        report, and before its files replace the previous ones, that the prepared data is
        still the version it started with; a report made while it changed fails, saying so.
    communes
        With data by the new units: render only these new communes (codes or names), with
        the overview and the index.
    kernel_pool
        A started :class:`analysis.run.kernel_pool.KernelPool` to run the reports on, left
        open for the caller (a country run renders one province after another on the same
        kernels); ``options.jobs`` should then be its size.

    Returns
    -------
    BatchResult
        ``.ok`` is False when a report failed; ``.failed`` holds the messages;
        ``.rendered`` and ``.skipped`` say which reports were rendered and which were not.

    Raises
    ------
    BusyError
        Another run holds the folder, or is writing the data, for longer than ``wait``.
    OutputError
        A file ntp-atlas did not write is at the index's place, or the folder cannot be made.
    """
    options.check()
    lang, jobs, data_dir, out_dir, as_of = options.lang, options.jobs, options.data_dir, options.out_dir, options.as_of
    progress, pool, force, scheduler = options.progress, options.pool, options.force, options.scheduler
    docx, xlsx, units, programme, wait = options.docx, options.xlsx, options.units, options.programme, options.wait
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    converted = ensure_converted(data_dir) if units else None  # the new units: converted first when needed
    data_dir = converted.path if converted else data_dir
    ensure_prepared(data_dir)  # a damaged prepared file is rebuilt from its inputs, never read
    with contextlib.ExitStack() as held:
        # the data read shared for the whole batch: no prepare swaps it in half way (analysis.common.locks)
        version = held.enter_context(reading(data_dir, wait=wait))
        scheduler = scheduler or os.environ.get("NTP_ATLAS_SCHEDULER") or None
        asked = get_programme(programme).code if programme else None
        if year in (None, "") and asked and not units:  # the programme's latest year
            year = latest_year(province, data_dir, programme=asked)
        plan = batch_plan(province, data_dir, year, communes, programme=asked)
        prog = asked or default_programme(plan.year)  # by default the year's: NTP 1719 to 2025, then 2026–2030's
        if plan.by_commune and (docx or xlsx):
            raise ParameterError("--docx and --xlsx are not available yet for reports by the new units (--units 2025)")
        pcode, pname, year = plan.province_code, plan.province_name, plan.year
        folder = batch_folder(out_dir, year, pname, plan.folder_suffix)
        held.enter_context(hold(folder, wait=wait))  # one batch at a time writes a province's folder
        index = folder / index_filename(lang=lang, programme=prog, year=year)
        check_replaceable(index)  # a user's file at the index's place: refused before any report runs
        note = converted.describe() if converted else ""
        if plan.without_data:  # another programme's batch: the districts without its money are said
            note = (f"{len(plan.without_data)} district(s) without {get_programme(prog).short_en} finance for {year}, "
                    f"no report: {', '.join(plan.without_data)}")
        result = BatchResult(pcode, pname, year, lang, folder, units=plan.system.key,
                             data_note=note)

        result.programme = prog
        common = {"province": pcode, "year": year, "as_of": as_of or "", "lang": lang, "data_dir": data_dir,
                  "baseline_year": "", "programme": prog}
        tasks: list[tuple[str, str, dict, Path]] = [
            (name, "district_report", common | plan.unit_parameters(unit),
             folder / report_filename(unit, name, lang=lang, programme=prog, year=year))
            for unit, name in plan.units
        ]
        tasks.append((pname, "province_overview", common | plan.overview_parameters(),
                      folder / report_filename(lang=lang, programme=prog, year=year)))

        fingerprints = BatchFingerprints.of(pcode, data_dir)
        todo, skipped = [], []
        for name, notebook, params, out in tasks:
            code = params.get("commune") or params.get("district")
            fingerprint = fingerprints.report(notebook, params)
            if not force and fingerprint and up_to_date(out, fingerprint):
                skipped.append(ReportOutcome(name, notebook, out, True, district_code=code, skipped=True))
            else:
                todo.append((name, notebook, params, out, fingerprint))

        if scheduler and todo:
            outcomes = run_on_cluster(todo, scheduler, progress=progress, desc=f"{pname} {year}", skipped=len(skipped))
            if version.changed():  # the workers wrote their pages already: say so
                outcomes = [data_changed(o, version) for o in outcomes]
        kernels = owned = None
        if kernel_pool is not None and todo and not scheduler:
            kernels = kernel_pool  # the caller's: started once for many provinces, closed by the caller
        elif pool and todo and not scheduler:
            kernels = owned = KernelPool(min(int(jobs), len(todo)))
        # With a pool, one thread more than kernels: while a thread exports a page to HTML, the
        # next report already runs on the kernel it left.
        threads = int(jobs) + 1 if kernels else int(jobs)
        if not scheduler or not todo:
            with owned or contextlib.nullcontext():
                outcomes = run_all(todo, threads, progress, f"{pname} {year}", kernels, len(skipped), version)
        order = {out: i for i, (*_, out) in enumerate(tasks)}
        result.reports = sorted(skipped + outcomes, key=lambda r: order[r.html])
        if docx or xlsx:
            export_batch(result.reports, {out: params for _, _, params, out in tasks}, docx=docx, xlsx=xlsx,
                         force=force, progress=progress)

        index_fp = fingerprints.index(common, result.reports)
        if not force and index_fp and not todo and page_inputs(index) == index_fp:
            result.index_skipped = True
        else:
            try:
                version.check()  # the index's figures from the data the reports were made from
                page = index_html(result, as_of=as_of, data_dir=data_dir).encode("utf-8")
            except Exception as exc:  # still write an index that lists what was rendered and why not more
                result.index_error = str(exc) if isinstance(exc, NtpAtlasError) else f"{type(exc).__name__}: {exc}"
                page = index_html(result, as_of=as_of, data_dir=None).encode("utf-8")
            # an index without its figures is not stamped, so the next run tries again
            atomic_write_bytes(index, stamp_page(page, index_fp) if index_fp and not result.index_error else page)
        result.index = index
        return result
