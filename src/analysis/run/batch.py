"""Rendering a whole province: every district report, the overview and an index page.

Outputs go under ``<out_dir>/<year>/<province-slug>/``::

    187-chi-lang.html       district report (+ 187-chi-lang.ipynb, the executed notebook)
    overview.html           province overview (+ overview.ipynb)
    index.html              links, figures by district, the disbursement map, failures

English outputs carry ``.en`` before the suffix (``187-chi-lang.en.html``,
``overview.en.html``, ``index.en.html``) so both languages live side by side; reports of a
programme other than NTP 1719 carry its code before that (``187-chi-lang.p135.html``,
``overview.p135.en.html``, ``index.p135.html``), so programmes never overwrite each other. One
report's failure is recorded and does not stop the others.

Data converted to the 2025 units (``units="2025"``, or a converted folder as ``data_dir``) is
rendered per new commune into ``<out_dir>/<year>/<province-slug>-2025/``: one report per new
commune with finance data (``06517-quan-son.html``), the new province's overview with the
former districts as a reference layer, and the index (:mod:`analysis.run.batch_plan`).

Reports run on a pool of warm kernels (:mod:`analysis.run.engine`). A batch is incremental: each
page ends with the fingerprint of its inputs (the prepared rows of its area, the notebook,
the parameters, the package), and a report whose fingerprint has not changed since its last
good page is skipped; ``force=True`` renders everything. ``docs/batch-engine.md`` explains
both.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analysis import __version__
from analysis.catalog.programmes import DEFAULT_PROGRAMME, get_programme
from analysis.catalog.unit_systems import CONVERTED_2025, unit_system_of
from analysis.common.locks import DataVersion, hold, reading
from analysis.common.ownership import check_replaceable
from analysis.common.storage import atomic_write_bytes, sha256_file
from analysis.config import LANGUAGES, PROCESSED_DIR, REPORTS_DIR
from analysis.errors import NtpAtlasError, ParameterError
from analysis.run.batch_plan import batch_plan
from analysis.run.converted_data import ensure_converted
from analysis.run.render import notebook_path, page_inputs, render_report, slug, stamp_page
from analysis.run.row_digests import input_digests_2025, row_hashes
from analysis.store.prepare import ensure_prepared
from analysis.store.years import latest_year

#: Notebooks ``ntp-atlas report`` can render for one district.
DISTRICT_NOTEBOOKS = ("district_report", "explore")
#: Prepared tables whose rows for its area a report shows (see prepared.load_area).
AREA_TABLES = ("finance", "poverty", "classification", "communes", "warnings", "rejects", "match_report",
               "indicators")
#: Area tables that prepared data from before they existed does not have (nothing to hash then).
_OPTIONAL_TABLES = ("indicators",)
#: Boundaries every report of a province draws around its area: its districts and outline.
CONTEXT_TABLES = ("districts", "provinces")
#: Tables without ``province_code``: a province's rows are those of its districts.
_DISTRICT_ONLY = ("warnings", "rejects", "match_report")
#: Parameters that say where the data is, not what it is: not part of a fingerprint.
_LOCATION_PARAMETERS = ("data_dir",)


@dataclass
class ReportOutcome:
    """One report of a batch: where it went, and why it failed if it did."""

    name: str
    notebook: str
    html: Path
    ok: bool
    message: str = ""
    seconds: float = 0.0
    district_code: str | None = None
    #: Inputs unchanged since its page was rendered: not rendered again.
    skipped: bool = False


@dataclass
class BatchResult:
    """What :func:`run_batch` wrote: the folder, the index and each report's outcome."""

    province_code: str
    province_name: str
    year: int
    lang: str
    folder: Path
    index: Path | None = None
    reports: list[ReportOutcome] = field(default_factory=list)
    index_error: str = ""
    #: The index was up to date and left as it was.
    index_skipped: bool = False
    #: The programme whose finance the reports sum (:mod:`analysis.catalog.programmes`).
    programme: str = DEFAULT_PROGRAMME
    #: ``"2025"`` when the reports are by the new units (one per new commune), else ``""``.
    units: str = ""
    #: The converted data the reports read and whether it was converted for this run.
    data_note: str = ""

    @property
    def succeeded(self) -> list[ReportOutcome]:
        return [r for r in self.reports if r.ok]

    @property
    def failed(self) -> list[ReportOutcome]:
        return [r for r in self.reports if not r.ok]

    @property
    def rendered(self) -> list[ReportOutcome]:
        """Reports rendered by this run."""
        return [r for r in self.reports if r.ok and not r.skipped]

    @property
    def skipped(self) -> list[ReportOutcome]:
        """Reports whose inputs had not changed: their pages were left as they were."""
        return [r for r in self.reports if r.skipped]

    @property
    def ok(self) -> bool:
        """True when every report and the index were written."""
        return not self.failed and self.index is not None and not self.index_error


# --- where outputs go ----------------------------------------------------------------------


def lang_suffix(lang: str) -> str:
    """The file-name suffix of a report language: ``""`` for Vietnamese, ``".en"`` for English.

    Raises
    ------
    ParameterError
        An unknown language.
    """
    if lang not in LANGUAGES:
        raise ParameterError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return "" if lang == "vi" else f".{lang}"


def batch_folder(out_dir: str | Path, year: int | str, province_name: str, suffix: str = "") -> Path:
    """``<out_dir>/<year>/<province-slug><suffix>``: the folder of a province's reports
    (``suffix`` ``"-2025"`` for reports by the new units)."""
    return Path(out_dir).expanduser().resolve() / str(int(year)) / (slug(province_name) + suffix)


def report_filename(district_code: str | None = None, district_name: str | None = None, *,
                    lang: str = "vi", notebook: str = "district_report", programme: str = DEFAULT_PROGRAMME) -> str:
    """File name of a report: ``187-chi-lang.html``, ``overview.en.html``,
    ``187-chi-lang.explore.html``; ``.en`` before the suffix for English, and the programme's
    code before that for a programme other than NTP 1719 (``187-chi-lang.p135.en.html``)."""
    if district_code:
        code = district_code if re.fullmatch(r"[0-9]{1,5}", str(district_code)) else slug(district_code)
        stem = f"{code}-{slug(district_name or '')}" if district_name else code
    else:
        stem = "overview"
    variant = "" if notebook in ("district_report", "province_overview") else f".{slug(notebook)}"
    return f"{stem}{variant}{_programme_suffix(programme)}{lang_suffix(lang)}.html"


def _programme_suffix(programme: str | None) -> str:
    """``""`` for NTP 1719 (the default: names as they always were), else ``.<code>`` (``.p135``)."""
    code = get_programme(programme or DEFAULT_PROGRAMME).code
    return "" if code == DEFAULT_PROGRAMME else f".{code}"


# --- one report ----------------------------------------------------------------------------


def run_report(
    province: str,
    district: str | None = None,
    *,
    year: int | str | None = None,
    as_of: str | None = None,
    lang: str = "vi",
    data_dir: str | Path = PROCESSED_DIR,
    out_dir: str | Path = REPORTS_DIR,
    notebook: str = "district_report",
    docx: bool = False,
    xlsx: bool = False,
    commune: str | None = None,
    units: str | None = None,
    programme: str | None = None,
    wait: float = 0.0,
) -> Path:
    """Render one district's report where :func:`run_batch` would put it.

    Parameters
    ----------
    province, district
        GSO codes or names.
    year
        Plan year; default the latest with data.
    as_of
        Report date; default the latest snapshot of the year.
    lang
        ``"vi"`` or ``"en"``.
    data_dir, out_dir
        Prepared data; the reports root (``reports/``).
    notebook
        ``"district_report"`` or ``"explore"``.
    docx, xlsx
        Also write the Word copy (``.docx``) and/or the tables as a workbook (``.xlsx``)
        beside the HTML (:mod:`analysis.report.copies`).
    commune, units
        A new commune's report instead of a district's (code or name), on data by the 2025
        units: a converted folder as ``data_dir``, or ``units="2025"`` to convert ``data_dir``
        first when needed (:func:`analysis.run.converted_data.ensure_converted`). ``district`` is ignored.
    programme
        The programme whose finance the report sums (code, name or alias); default NTP 1719.
        Another programme's report is named with its code (``187-chi-lang.p135.html``) and
        its default year is the programme's latest.
    wait
        Seconds to wait when another run holds the report's folder or is writing
        ``data_dir`` (:mod:`analysis.common.locks`; as :func:`run_batch`).

    Returns
    -------
    pathlib.Path
        The HTML file.
    """
    from analysis.catalog.units import resolve_district, resolve_province

    if notebook not in DISTRICT_NOTEBOOKS:
        raise ParameterError(f"notebook must be one of {', '.join(DISTRICT_NOTEBOOKS)}, not {notebook!r}")
    lang_suffix(lang)
    if commune not in (None, "") or units not in (None, ""):
        from analysis.run.commune_report import run_commune_report

        return run_commune_report(province, commune, year=year, as_of=as_of, lang=lang, data_dir=data_dir,
                                  out_dir=out_dir, notebook=notebook, documents=docx or xlsx, units=units)
    if district in (None, ""):
        raise ParameterError("give a district (or a new commune, on data by the 2025 units)")
    pcode, pname = resolve_province(province)
    dcode, dname = resolve_district(district, pcode)
    # a URL (s3://, file://…) is read through fsspec, by this process and by cluster workers
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    ensure_prepared(data_dir)  # a damaged prepared file is rebuilt from its inputs, never read
    prog = get_programme(programme or DEFAULT_PROGRAMME).code
    with reading(data_dir, wait=wait) as version:  # as a batch does: the data shared, the folder held
        year = int(year) if year not in (None, "") else latest_year(pcode, data_dir, dcode, programme=prog)
        out = batch_folder(out_dir, year, pname) / report_filename(dcode, dname, lang=lang, notebook=notebook,
                                                                   programme=prog)
        params = {"province": pcode, "district": dcode, "year": year, "as_of": as_of or "", "lang": lang,
                  "data_dir": data_dir, "baseline_year": "", "programme": prog}
        with hold(out.parent, wait=wait):
            path = render_report(notebook, params, out, check=version.check)
            if docx or xlsx:
                from analysis.report.copies.export import export_for_parameters

                export_for_parameters(params, path, docx=docx, xlsx=xlsx)
    return path


# --- a province ----------------------------------------------------------------------------


def run_batch(
    province: str,
    year: int | str | None = None,
    *,
    lang: str = "vi",
    jobs: int = 1,
    data_dir: str | Path = PROCESSED_DIR,
    out_dir: str | Path = REPORTS_DIR,
    as_of: str | None = None,
    progress: bool = True,
    pool: bool = True,
    force: bool = False,
    scheduler: str | None = None,
    docx: bool = False,
    xlsx: bool = False,
    kernel_pool=None,
    units: str | None = None,
    communes: list[str] | None = None,
    programme: str | None = None,
    wait: float = 0.0,
) -> BatchResult:
    """Render every district with prepared data, the province overview and ``index.html``.

    Only reports whose inputs changed since their last good page are rendered (see
    :func:`input_digests` and :func:`report_fingerprint`); the index is rebuilt when any
    report was rendered or failed, or its own inputs changed.

    Parameters
    ----------
    province
        GSO code or name.
    year
        Plan year; default the latest with data.
    lang
        ``"vi"`` or ``"en"``.
    jobs
        Reports rendered at the same time (each on its own kernel).
    data_dir, out_dir
        Prepared data; the reports root (``reports/``).
    as_of
        Report date; default the latest snapshot of the year.
    progress
        Show a progress bar on stderr (when it is a terminal).
    pool
        Run the reports on ``jobs`` warm kernels started once for the batch
        (:class:`analysis.run.engine.KernelPool`); ``False`` starts a new kernel for each report
        through papermill (slower; for debugging).
    force
        Render every report and the index, changed or not.
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``): the reports run on its
        workers (:mod:`analysis.run.cluster`), which must reach ``data_dir`` (a shared path or an
        fsspec URL). Default: the ``NTP_ATLAS_SCHEDULER`` environment variable, else local.
    docx, xlsx
        Also write each report's Word copy (``.docx``) and/or its tables as a workbook
        (``.xlsx``) beside its HTML, in this process (:func:`analysis.report.copies.export.export_batch`);
        a report whose copy fails counts as failed.
    kernel_pool
        A started :class:`analysis.run.engine.KernelPool` to run the reports on, left open for
        the caller (a country run renders one province after another on the same kernels);
        ``jobs`` should then be its size.
    units
        ``"2025"``: render by the units of the 2025 reform, one report per new commune with
        finance data, the new province's overview (the former districts as a reference layer)
        and the index, into ``<province-slug>-2025/``. ``data_dir`` is then converted first
        (to ``<data_dir>-2025``) when the converted data is missing or older than it
        (:func:`analysis.run.converted_data.ensure_converted`). A converted folder given as ``data_dir``
        is rendered by the new units without it.
    communes
        With data by the new units: render only these new communes (codes or names), with
        the overview and the index.
    programme
        The programme whose finance the reports sum (code, name or alias); default NTP 1719.
        It is a parameter of every report, so part of its fingerprint; the files of another
        programme carry its code (``187-chi-lang.p135.html``, ``overview.p135.html``,
        ``index.p135.html``) and sit beside NTP 1719's without overwriting them. Its default
        year is the programme's latest with finance data.
    wait
        Seconds to wait when another run holds the province's reports folder or is writing
        ``data_dir``. A batch holds ``data_dir`` shared and its folder exclusively while it
        runs (:mod:`analysis.common.locks`), and checks before each report, and before its files
        replace the previous ones, that the prepared data is still the version it started
        with; a report made while it changed fails, saying so.

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
    lang_suffix(lang)
    if int(jobs) < 1:
        raise ParameterError(f"jobs must be 1 or more, not {jobs}")
    if units not in (None, "", CONVERTED_2025.key):
        raise ParameterError(
            f"units must be {CONVERTED_2025.key} (the units of the 2025 reform) or empty, not {units!r}"
        )
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    converted = ensure_converted(data_dir) if units else None  # the new units: converted first when needed
    data_dir = converted.path if converted else data_dir
    ensure_prepared(data_dir)  # a damaged prepared file is rebuilt from its inputs, never read
    with contextlib.ExitStack() as held:
        # the data read shared for the whole batch: no prepare swaps it in half way (analysis.common.locks)
        version = held.enter_context(reading(data_dir, wait=wait))
        scheduler = scheduler or os.environ.get("NTP_ATLAS_SCHEDULER") or None
        prog = get_programme(programme or DEFAULT_PROGRAMME).code
        if year in (None, "") and prog != DEFAULT_PROGRAMME and not units:  # the programme's latest year
            year = latest_year(province, data_dir, programme=prog)
        plan = batch_plan(province, data_dir, year, communes, programme=prog)
        if plan.converted and (docx or xlsx):
            raise ParameterError("--docx and --xlsx are not available yet for reports by the new units (--units 2025)")
        pcode, pname, year = plan.province_code, plan.province_name, plan.year
        folder = batch_folder(out_dir, year, pname, plan.folder_suffix)
        held.enter_context(hold(folder, wait=wait))  # one batch at a time writes a province's folder
        index = folder / f"index{_programme_suffix(prog)}{lang_suffix(lang)}.html"
        check_replaceable(index)  # a user's file at the index's place: refused before any report runs
        note = converted.describe() if converted else ""
        if plan.without_data:  # another programme's batch: the districts without its money are said
            note = (f"{len(plan.without_data)} district(s) without {get_programme(prog).short_en} finance for {year}, "
                    f"no report: {', '.join(plan.without_data)}")
        result = BatchResult(pcode, pname, year, lang, folder, units=CONVERTED_2025.key if plan.converted else "",
                             data_note=note)

        result.programme = prog
        common = {"province": pcode, "year": year, "as_of": as_of or "", "lang": lang, "data_dir": data_dir,
                  "baseline_year": "", "programme": prog}
        tasks: list[tuple[str, str, dict, Path]] = [
            (name, "district_report", common | plan.unit_parameters(unit),
             folder / report_filename(unit, name, lang=lang, programme=prog))
            for unit, name in plan.units
        ]
        tasks.append((pname, "province_overview", common | plan.overview_parameters(),
                      folder / report_filename(lang=lang, programme=prog)))

        try:
            digests = input_digests(pcode, data_dir)
        except NtpAtlasError:  # damaged data: every report renders, and fails saying so
            digests = None
        package = _code_digest()
        todo, skipped = [], []
        for name, notebook, params, out in tasks:
            code = params.get("commune") or params.get("district")
            data = digests.get(code or "") if digests is not None else None
            fingerprint = report_fingerprint(notebook, params, data, package) if data else None
            if not force and fingerprint and _up_to_date(out, fingerprint):
                skipped.append(ReportOutcome(name, notebook, out, True, district_code=code, skipped=True))
            else:
                todo.append((name, notebook, params, out, fingerprint))

        if scheduler and todo:
            from analysis.run.cluster import run_on_cluster

            outcomes = run_on_cluster(todo, scheduler, progress=progress, desc=f"{pname} {year}", skipped=len(skipped))
            if version.changed():  # the workers wrote their pages already: say so
                outcomes = [_data_changed(o, version) for o in outcomes]
        kernels = owned = None
        if kernel_pool is not None and todo and not scheduler:
            kernels = kernel_pool  # the caller's: started once for many provinces, closed by the caller
        elif pool and todo and not scheduler:
            from analysis.run.engine import KernelPool

            kernels = owned = KernelPool(min(int(jobs), len(todo)))
        # With a pool, one thread more than kernels: while a thread exports a page to HTML, the
        # next report already runs on the kernel it left.
        threads = int(jobs) + 1 if kernels else int(jobs)
        if not scheduler or not todo:
            with owned or contextlib.nullcontext():
                outcomes = _run_all(todo, threads, progress, f"{pname} {year}", kernels, len(skipped), version)
        order = {out: i for i, (*_, out) in enumerate(tasks)}
        result.reports = sorted(skipped + outcomes, key=lambda r: order[r.html])
        if docx or xlsx:
            from analysis.report.copies.export import export_batch

            export_batch(result.reports, {out: params for _, _, params, out in tasks}, docx=docx, xlsx=xlsx,
                         force=force, progress=progress)

        index_fp = None
        if digests is not None:
            index_fp = _fingerprint({"data": digests[""], "parameters": _parameters(common), "code": package,
                                     "reports": [[r.html.name, r.ok, r.message] for r in result.reports]})
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


# --- what a report depends on --------------------------------------------------------------


def input_digests(province: str, data_dir: str | Path = PROCESSED_DIR) -> dict[str, str]:
    """SHA-256 of the prepared rows each report of a province shows.

    A district's digest covers its rows of :data:`AREA_TABLES` and the province's
    :data:`CONTEXT_TABLES` (the boundaries drawn around it); the province's (key ``""``)
    covers the rows of all its districts, the boundaries and which districts have data. Rows
    are hashed by value (:func:`pandas.util.hash_pandas_object`, geometries by their WKB as
    stored, without decoding them), so a
    digest changes when, and only when, what the report reads changes, whatever happened to
    the rest of the file.

    Returns
    -------
    dict
        District GSO code (and ``""`` for the province) to hex digest.

    Raises
    ------
    PreparedDataError
        Prepared data missing or damaged.
    """
    from analysis.catalog.units import official_units, resolve_province
    from analysis.store.prepared import load_manifest, read_prepared

    data_dir = data_dir if "://" in str(data_dir) else Path(data_dir)
    manifest = load_manifest(data_dir)
    if not unit_system_of(manifest).has("district"):  # by new commune (analysis.run.row_digests)
        return input_digests_2025(province, data_dir, manifest)
    pcode, _ = resolve_province(province)
    units = official_units()
    official = sorted(units.loc[units["province_code"] == pcode, "district_code"].unique())

    context = hashlib.sha256()
    for name in CONTEXT_TABLES:
        _, hashes, header = row_hashes(read_prepared(data_dir, name, province=pcode, manifest=manifest, geometry=False))
        context.update(header + hashes.tobytes())
    with_data = sorted(set(manifest.get("districts", [])) & set(official))
    province = hashlib.sha256(context.digest() + json.dumps(with_data).encode())
    districts = {code: hashlib.sha256(context.digest()) for code in official}
    for name in AREA_TABLES:
        if name in _OPTIONAL_TABLES and f"{name}.parquet" not in manifest.get("outputs", {}):
            continue  # prepared before the table existed: the reports show none of it
        frame = read_prepared(data_dir, name, province=pcode, manifest=manifest, geometry=False)
        if name in _DISTRICT_ONLY and "district_code" in frame.columns:
            frame = frame[frame["district_code"].isin(official)]
        codes, hashes, header = row_hashes(frame)
        province.update(header + hashes.tobytes())
        for code, digest in districts.items():
            digest.update(header + (hashes[codes == code].tobytes() if codes is not None else b""))
    return {"": province.hexdigest()} | {code: digest.hexdigest() for code, digest in districts.items()}


def report_fingerprint(notebook: str | Path, parameters: dict, data_digest: str, code: str | None = None) -> str:
    """The fingerprint of one report's inputs: its area's data digest (:func:`input_digests`),
    the notebook file, the parameters (but not where the data folder is) and the package:
    its version, and the code the report runs (``code``, default :func:`_code_digest`), so
    that an edited source tree counts as new."""
    return _fingerprint({"data": data_digest, "notebook": sha256_file(notebook_path(notebook)),
                         "parameters": _parameters(parameters), "code": code or _code_digest()})


#: Libraries whose version changes what a page shows (its maps, numbers and HTML): a new
#: matplotlib or Babel re-renders every report, as an edited source tree does.
_OUTPUT_LIBRARIES = ("matplotlib", "geopandas", "shapely", "pyproj", "mapclassify", "pandas", "numpy",
                     "babel", "nbconvert", "papermill")


@functools.cache
def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in _OUTPUT_LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = ""
    return found


def _fingerprint(record: dict) -> str:
    record = record | {"version": __version__, "libraries": _library_versions()}
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _parameters(parameters: dict) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in parameters.items() if k not in _LOCATION_PARAMETERS}


def _code_digest() -> str:
    """SHA-256 of the package's code and resources: every module of every subpackage and every
    file under ``resources/`` (labels, templates, catalogues), by path and content. Any edit of
    the package re-renders the reports of the next batch; none goes unnoticed because of where
    a module lives."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(root.rglob("*.py")) + sorted(p for p in (root / "resources").rglob("*") if p.is_file())
    h = hashlib.sha256()
    for path in files:
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()


def _up_to_date(html: Path, fingerprint: str) -> bool:
    """The page was rendered from these inputs and is intact, and its executed notebook is there."""
    return html.with_name(html.stem + ".ipynb").is_file() and page_inputs(html) == fingerprint


def _run_one(task: tuple, pool=None, version: DataVersion | None = None) -> ReportOutcome:
    name, notebook, params, out, fingerprint = task
    code = params.get("commune") or params.get("district") or None
    start = time.perf_counter()
    try:
        if version is not None:  # prepared data swapped in since the batch began: not rendered
            version.check()
        render_report(notebook, params, out, pool=pool, inputs=fingerprint,
                      check=version.check if version is not None else None)
        return ReportOutcome(name, notebook, out, True, seconds=time.perf_counter() - start, district_code=code)
    except NtpAtlasError as exc:
        message = str(exc)
    except Exception as exc:  # a bug in one report must not stop the others
        message = f"{type(exc).__name__}: {exc}"
    return ReportOutcome(name, notebook, out, False, message, time.perf_counter() - start, code)


def _data_changed(outcome: ReportOutcome, version: DataVersion) -> ReportOutcome:
    """A report rendered while the prepared data changed, marked failed with the reason."""
    if not outcome.ok:
        return outcome
    try:
        version.check()
    except NtpAtlasError as exc:
        outcome.ok, outcome.message = False, str(exc).replace("was not written", "was written from data that changed")
    return outcome


def _run_all(tasks: list, jobs: int, progress: bool, desc: str, pool=None, skipped: int = 0,
             version: DataVersion | None = None) -> list[ReportOutcome]:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks) + skipped, initial=skipped, desc=desc, unit="report", file=sys.stderr,
               disable=None if progress else True)
    if skipped:
        bar.set_postfix(unchanged=skipped)
    outcomes: dict[int, ReportOutcome] = {}

    def done(i: int, outcome: ReportOutcome) -> None:
        outcomes[i] = outcome
        bar.update(1)
        n_failed = sum(not o.ok for o in outcomes.values())
        if n_failed:
            bar.set_postfix(unchanged=skipped, failed=n_failed) if skipped else bar.set_postfix(failed=n_failed)

    try:
        if jobs == 1 or len(tasks) <= 1:
            for i, task in enumerate(tasks):
                done(i, _run_one(task, pool, version))
        else:
            with ThreadPoolExecutor(max_workers=min(jobs, len(tasks)), thread_name_prefix="ntp-report") as threads:
                futures = {threads.submit(_run_one, task, pool, version): i for i, task in enumerate(tasks)}
                try:
                    for fut in as_completed(futures):
                        done(futures[fut], fut.result())
                except BaseException:
                    threads.shutdown(wait=False, cancel_futures=True)
                    raise
    finally:
        bar.close()
    return [outcomes[i] for i in sorted(outcomes)]


# --- index page ----------------------------------------------------------------------------


#: matplotlib is not thread-safe: an index draws its map in the batch's own process, and a
#: country run writes two provinces' indexes from two threads.
_DRAWING = threading.Lock()


def _overview_map(overview: ReportOutcome | None, ctx) -> str | None:
    """The disbursement map of the province overview written by this run (rendered, or left
    as it was because its inputs had not changed), as the ``<img>`` of its page; None when
    there is none to take. The index shows the same map of the same communes with the same
    parameters, so a batch does not draw it twice. Reports by the new units draw their own."""
    from analysis.common.i18n import t
    from analysis.report.figures import Picture

    if overview is None or not overview.ok or ctx.converted:
        return None
    try:
        page = overview.html.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return Picture.find_html(page, t("title.disbursement_rate", ctx.lang))


def index_html(result: BatchResult, *, as_of: str | None = None, data_dir: str | Path | None = PROCESSED_DIR) -> str:
    """The index page of a batch: self-contained HTML, every text escaped.

    With ``data_dir=None`` (the province's data could not be read) the page lists the
    reports and failures only.
    """
    from analysis.common.i18n import t
    from analysis.report.tables import CSS, esc

    lang = result.lang
    ctx = None
    if data_dir is not None:
        from analysis import report

        ctx = report.context(result.province_code, None, result.year, as_of, lang, data_dir,
                             programme=result.programme)
    title = t("index.title_programme", lang, programme=get_programme(result.programme).title(lang),
              province=result.province_name, year=result.year)
    parts = [f"<h1>{esc(title)}</h1>"]
    if ctx is not None:
        parts.append(f"<div class='subtitle'>{esc(t('index.as_of', lang, as_of=report.shown_as_of(ctx)))}</div>")
        note = report.coverage_note(ctx)
        if note:
            parts.append(f"<div class='ntp-warn'>{esc(note)}</div>")
        if ctx.converted:
            from analysis.report.reform_notes import title_notes

            parts += [f"<div class='{css}'>{esc(text)}</div>" for css, text in title_notes(ctx)]
    overview = next((r for r in result.reports if r.notebook == "province_overview"), None)
    if overview is not None and overview.ok:
        parts.append(f"<p class='ntp-links'><a href='{esc(_href(overview.html, result.folder))}'>"
                     f"{esc(t('index.overview_link', lang, province=result.province_name))}</a></p>")
    if ctx is not None:
        key = "levels.index.communes" if ctx.converted else "index.districts"
        parts.append(f"<h2>{esc(t(key, lang))}</h2>")
        parts.append(f"<p class='ntp-note'>{esc(t(key + '_note', lang))}</p>")
        parts.append(_district_table(ctx, result))
        parts.append(f"<h2>{esc(t('index.map', lang))}</h2>")
        shown = _overview_map(overview, ctx)
        if shown is None:
            with _DRAWING:
                shown = report.map_disbursement(ctx)._repr_html_()
        parts.append(shown)
    failed = result.failed
    if failed or result.index_error:
        parts.append(f"<h2>{esc(t('index.failed', lang, n=len(failed)))}</h2><ul class='ntp-failed'>")
        for r in failed:
            parts.append(f"<li><strong>{esc(r.name)}</strong> ({esc(r.html.name)})<pre>{esc(r.message)}</pre></li>")
        if result.index_error:
            parts.append(f"<li><strong>index</strong><pre>{esc(result.index_error)}</pre></li>")
        parts.append("</ul>")
    when = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    parts.append(f"<p class='ntp-note'>{esc(t('index.generated', lang, when=when, version=__version__))}</p>")
    style = ("<style>body { margin: 0; } .ntp-report { margin: 0 auto; padding: 1em 1.5em 3em 1.5em; }"
             " .ntp-failed pre { white-space: pre-wrap; background: #fdf0ef; padding: 6px; }"
             " .ntp-report img { max-width: 100%; height: auto; }</style>")
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{esc(title)}</title>\n{CSS}{style}\n</head>\n<body>\n"
            f"<main class='ntp-report'>\n{''.join(parts)}\n</main>\n</body>\n</html>\n")


def _href(target: Path, folder: Path) -> str:
    # reports sit in the index's own folder: a bare file name, safe by construction (slug)
    return os.path.relpath(target, folder).replace(os.sep, "/")


def _district_table(ctx, result: BatchResult) -> str:
    """Figures by district; each name links to its report. html_table escapes every cell,
    so names go in as unique placeholder tokens and are swapped for escaped links after."""
    from analysis import report
    from analysis.common.i18n import t
    from analysis.report.tables import esc, html_table

    lang, code_col = ctx.lang, ctx.unit_col  # districts; new communes for data by the 2025 units
    name_col = code_col.replace("_code", "_name")
    # official GSO order, as the offices list districts (and as the reports' file names sort)
    df = report.unit_table(ctx).sort_values(code_col).reset_index(drop=True)
    df["rate"] = df["rate"].where(df["has_plan"].eq(True))  # no plan: no rate, not 0 %
    done = {r.district_code: r for r in result.reports if r.notebook == "district_report"}
    links: dict[str, str] = {}
    tokens = []
    for i, row in df.iterrows():
        token = f"ntpdistrict{i}x"
        tokens.append(token)
        outcome = done.get(str(row[code_col]))
        name = esc(row[name_col])
        if outcome is not None and outcome.ok:
            links[token] = f"<a href='{esc(_href(outcome.html, result.folder))}'>{name}</a>"
        elif outcome is not None:
            links[token] = f"{name} <span class='ntp-bad'>({esc(t('index.report_failed', lang))})</span>"
        else:
            links[token] = name
    df["_link"] = tokens
    cols: dict[str, tuple[str, str]] = {
        "_link": (t(f"report.col.{name_col}", lang), "text"),
        "plan_mvnd": (t("report.col.plan_mvnd", lang), "mvnd"),
        "disbursed_mvnd": (t("report.col.disbursed_mvnd", lang), "mvnd"),
        "rate": (t("report.col.rate", lang), "rate"),
    }
    if "poverty_rate" in df.columns:
        cols["poverty_rate"] = (t("report.col.poverty_rate", lang, year=ctx.poverty_year), "rate")
    if "poverty_rate_change_pp" in df.columns:
        cols["poverty_rate_change_pp"] = (t("report.col.poverty_change", lang, year=ctx.baseline_year), "pp")
    cols |= report.coverage_columns(ctx, df, "finance") | report.coverage_columns(ctx, df, "poverty")
    if ctx.converted:  # figures allocated from a divided old commune are marked
        from analysis.report.reform_estimates import estimated_codes, mark_estimated

        df, cols = mark_estimated(ctx, df, cols, "commune_code", estimated_codes(ctx), "_link")
    table = html_table(df, cols, lang)
    return re.sub(r"<td>(ntpdistrict\d+x)</td>", lambda m: f"<td>{links[m.group(1)]}</td>", table)
