"""The ``ntp-atlas`` command line: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path

from analysis import __version__
from analysis.cliargs import (
    DPI,
    JOBS,
    REJECT_LINES,
    ROWS,
    YEARS,
    data_folder,
    input_file,
    output_folder,
    seconds,
    share,
    whole_number,
)
from analysis.common.limits import DEFAULT_LIMITS, ReadLimits
from analysis.config import (
    BOUNDS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    PROCESSED_DIR,
    REPORTS_DIR,
    SAMPLE_CODE_COLUMN,
    SAMPLE_DIR,
    SAMPLE_FILES,
)
from analysis.errors import BusyError, NtpAtlasError, OutputError, ParameterError, SubtotalError
from analysis.inputs.bounds import Bounds
from analysis.inputs.rejects import more_rows_note

EPILOG_PREPARE = """\
examples:
  ntp-atlas prepare                                  # the sample data in data/sample/
  ntp-atlas prepare --finance my/finance.xlsx --poverty my/poverty.csv \\
      --boundaries my/communes.gpkg --code-column ma_xa --out data/processed
  ntp-atlas prepare --boundaries communes.shp --code-column "" --name-column TEN_XA \\
      --district-column MA_HUYEN                     # a boundary file with names only

Every input row is either used or listed in <out>/rejects.csv with its reason and fix.
"""


def _add_prepare(sub) -> None:
    p = sub.add_parser(
        "prepare",
        help="validate and join the inputs once; write data/processed/",
        description="Validate the finance, poverty and commune tables, join them to the boundaries, "
        "run the rule checks, and write the prepared data (GeoParquet/Parquet + manifest).",
        epilog=EPILOG_PREPARE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--finance", type=input_file, default=SAMPLE_FILES["finance"],
        help="finance table, CSV or XLSX (default: sample)"
    )
    p.add_argument(
        "--poverty", type=input_file, default=SAMPLE_FILES["poverty"],
        help="poverty table, CSV or XLSX (default: sample)"
    )
    p.add_argument(
        "--communes",
        type=input_file,
        default=SAMPLE_FILES["communes"],
        help="commune classification table (optional; 'none' to skip; default: sample)",
    )
    p.add_argument(
        "--indicators",
        type=input_file,
        default=None,
        metavar="FILE",
        help="indicators table: year, as_of, unit_code, indicator, value, CSV or XLSX (optional; 'none' to skip; "
        "default: the sample's when --finance is the sample's)",
    )
    p.add_argument(
        "--boundaries",
        type=Path,
        default=SAMPLE_FILES["boundaries"],
        help="commune boundaries: GeoPackage, GeoJSON, Shapefile or GeoParquet (default: sample)",
    )
    p.add_argument(
        "--code-column",
        default=SAMPLE_CODE_COLUMN,
        help="boundary column with the 5-digit commune GSO code ('' if none; default: %(default)s)",
    )
    p.add_argument("--name-column", default=None, help="boundary column with commune names (to match by name)")
    p.add_argument("--district-column", default=None, help="boundary column with the district code or name")
    p.add_argument("--layer", default=None, help="layer of a multi-layer boundary file")
    p.add_argument(
        "--boundary-crosswalk",
        type=input_file,
        default=None,
        metavar="FILE",
        help="CSV/XLSX of communes merged since the boundary file's vintage (old_code, new_code): "
        "their polygons are dissolved into the new communes",
    )
    p.add_argument("--units", type=input_file, default=None, help="unit list CSV for codes of another vintage")
    p.add_argument("--pad-codes", action="store_true", help="restore leading zeros lost by Excel instead of rejecting")
    p.add_argument(
        "--decimal",
        choices=[",", "."],
        default=None,
        help="decimal mark of the tables (default: detected, once for the run, from every table; a table "
        "whose numbers show the other mark is refused)",
    )
    p.add_argument(
        "--bound",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change the largest figure one row may hold (repeatable); figures above it are rejected. "
        + ", ".join(f"{k} (default {v:g})" for k, v in BOUNDS.items())
        + ": amounts in million VND, households and villages of one commune, other counts of one unit",
    )
    p.add_argument(
        "--rule-settings",
        type=Path,
        default=None,
        metavar="FILE",
        help="JSON thresholds of the rule checks (ranges, outliers, snapshots, geometry) over the defaults "
        "of src/analysis/resources/rules.json",
    )
    p.add_argument(
        "--sheet",
        action="append",
        default=None,
        metavar="[TABLE=]NAME",
        help="the sheet of a workbook to read: TABLE=NAME for one table (finance, poverty, communes, indicators; "
        "repeat for several), or NAME for every workbook (default: the only visible sheet holding the table; "
        "hidden sheets are read only when named)",
    )
    p.add_argument("--max-rows", type=whole_number(*ROWS), default=DEFAULT_LIMITS.max_rows, metavar="N",
                   help="rows of data read at most per table; a file with more is refused (default: %(default)s)")
    p.add_argument("--rejects-per-reason", type=whole_number(*REJECT_LINES), default=DEFAULT_LIMITS.rejects_per_reason,
                   metavar="N", help="rejected rows listed per reason and file in rejects.csv; the rest are counted "
                   "(default: %(default)s)")
    p.add_argument("--max-rejected-share", type=share, default=DEFAULT_LIMITS.max_rejected_share, metavar="F",
                   help="share of a table's rows that may be rejected before prepare refuses it and keeps the "
                   "prepared data as it was (0-1, default: %(default)s); no row accepted is always refused")
    p.add_argument("--out", type=output_folder, default=PROCESSED_DIR,
                   help="output folder (default: data/processed): new, empty, or prepared data, replaced as a whole; "
                   "any other folder is refused and left as it is")
    _add_wait(p)
    p.set_defaults(func=_cmd_prepare)


_SHEET_TABLES = ("finance", "poverty", "communes", "indicators")


def _sheets_option(values: list[str] | None) -> dict[str, str] | str | None:
    """``--sheet finance=Biểu 01 --sheet poverty=Rà soát`` as a dict; a single ``--sheet NAME`` as the name."""
    if not values:
        return None
    per_table: dict[str, str] = {}
    plain: list[str] = []
    for value in values:
        table, sep, name = value.partition("=")
        if sep and table.strip().lower() in _SHEET_TABLES:
            per_table[table.strip().lower()] = name
        else:
            plain.append(value)
    if plain and (per_table or len(plain) > 1):
        raise ParameterError(
            f"--sheet {plain[0]!r}: give TABLE=NAME for each table (tables: {', '.join(_SHEET_TABLES)}) when "
            "naming more than one sheet"
        )
    return plain[0] if plain else per_table


def _add_wait(p) -> None:
    p.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                   help="when another run holds the folder (a batch reading the data, a prepare writing it), wait up "
                   "to this long for it, then stop with exit status 75 (default: 0, stop at once)")


def _cmd_prepare(args) -> int:
    from analysis.store.prepare import prepare

    communes = None if str(args.communes).lower() == "none" else args.communes
    result = prepare(
        finance=args.finance,
        poverty=args.poverty,
        communes=communes,
        indicators=_indicators_option(args.indicators),
        boundaries=args.boundaries,
        code_column=args.code_column or None,
        name_column=args.name_column,
        district_column=args.district_column,
        layer=args.layer,
        boundary_crosswalk=args.boundary_crosswalk,
        out=args.out,
        units=args.units,
        pad_codes=args.pad_codes,
        decimal=args.decimal,
        rule_settings=args.rule_settings,
        bounds=Bounds.parse(args.bound),
        sheets=_sheets_option(args.sheet),
        limits=ReadLimits(args.max_rows, args.rejects_per_reason, args.max_rejected_share),
        step=lambda msg: print(f"… {msg}", file=sys.stderr),
        wait=args.wait,
    )
    print(_prepare_summary(result))
    return 0


def _indicators_option(value: Path | None) -> Path | str | None:
    """``--indicators``: not given is "auto" (the sample's with the sample's finance), 'none' is none."""
    if value is None:
        return "auto"
    return None if str(value).lower() == "none" else value


def _prepare_summary(result) -> str:
    lines = [
        f"prepared data written to {result.out_dir}",
        "",
        f"{'input':<12}{'read':>8}{'accepted':>10}{'rejected':>10}",
    ]
    for name, t in result.tables.items():
        ok = "" if t.reconciles() else "  (DOES NOT RECONCILE)"
        lines.append(f"{name:<12}{t.n_read:>8}{t.n_accepted:>10}{t.n_rejected:>10}{ok}")
        where = f"sheet '{t.raw.sheet}' of " if t.raw.sheet else ""
        lines.append(f"    read {where}{t.raw.path.name}, header row {t.raw.header_row}")
        for note in t.notes:
            lines.append(f"    {note}")
    if "numbers" in result.manifest:
        lines += ["", result.manifest["numbers"]["summary"]]
    if len(result.rejects):
        lines += ["", "rejected rows (first 10; the rest in rejects.csv):"]
        for r in result.rejects.head(10).itertuples(index=False):
            col = f", column '{r.column}'" if r.column else ""
            lines.append(f"  {Path(r.file).name} row {r.row}{col}: {r.reason}")
        capped = [(t, c) for t in result.tables.values() for c in t.reject_counts if c[2] > t.rejects_listed(c[1])]
        if capped:
            lines.append("rejected rows not listed one by one:")
        for t, (_, reason, n) in capped:
            shown = t.rejects_listed(reason)
            lines.append(f"  {t.raw.path.name}: {reason}: {shown} listed, {more_rows_note(n - shown)}")
    counts = result.match_report["status"].value_counts()
    lines += ["", "boundaries: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())]
    lines += _boundary_notes(result.manifest.get("boundaries", {}))
    if len(result.warnings):
        lines += ["rule warnings: " + ", ".join(f"{k} {v}" for k, v in result.warnings["rule"].value_counts().items())]
    return "\n".join(lines)


def _boundary_notes(entry: dict) -> list[str]:
    """Repaired geometries and the merges of the crosswalk, for the prepare summary."""
    lines = []
    if entry.get("repaired_geometries"):
        lines.append(f"  {entry['repaired_geometries']} invalid geometries repaired (see geometry_repaired in "
                     "match_report.csv)")
    crosswalk = entry.get("crosswalk")
    if crosswalk:
        used = crosswalk["merges_used"]
        lines.append(f"  crosswalk {Path(crosswalk['path']).name}: {crosswalk['features_merged']} old communes "
                     f"dissolved into {len(used)}")
        merges = sorted(used.items())
        lines += [f"    {', '.join(old)} → {new}" for new, old in merges[:10]]
        if len(merges) > 10:
            lines.append(f"    … {len(merges)} in all (merged_from in match_report.csv)")
        if crosswalk["merges_kept"]:
            lines.append("  not merged, the unit list still has them: " + ", ".join(crosswalk["merges_kept"]))
    return lines


def _add_sample(sub) -> None:
    p = sub.add_parser(
        "sample",
        help="rebuild the sample data (deterministic)",
        description="Regenerate the sample province in data/sample/ from the official unit list.",
    )
    p.add_argument("--out", type=output_folder, default=SAMPLE_DIR, help="output folder (default: data/sample)")
    p.set_defaults(func=_cmd_sample)


def _cmd_sample(args) -> int:
    from analysis.store.sample import write_sample

    paths = write_sample(args.out)
    for name, path in paths.items():
        print(f"{name:<12}{path}")
    return 0


EPILOG_REPORT = """\
examples:
  ntp-atlas report --province 20 --district 187      # Chi Lăng, latest year and snapshot
  ntp-atlas report --province "Lạng Sơn" --district "Chi Lăng" --year 2023 --as-of 2023-08-04
  ntp-atlas report --province 14 --district 127 --lang en --data data/processed --out reports
  ntp-atlas report --province 20 --district 187 --notebook explore
  ntp-atlas report --province 20 --district 187 --docx --xlsx   # + Word copy and Excel tables
  ntp-atlas report --province 20 --district 187 --programme p135  # Programme 135's money: 187-chi-lang.p135.html
  ntp-atlas report --province "Lạng Sơn" --units 2025 --commune "Hồng Phong" # a new commune (from 1/7/2025)

The report goes where 'ntp-atlas batch' puts it: <out>/<year>/<province>/<code>-<name>.html
(.en.html in English), with the executed notebook beside it (.ipynb). A failed run leaves
the previous report untouched and saves the failed notebook as <name>.failed.ipynb.
"""

EPILOG_BATCH = """\
examples:
  ntp-atlas batch --province 20                      # Lạng Sơn, latest year, in Vietnamese
  ntp-atlas batch --province "Lạng Sơn" --year 2023 --lang en --jobs 2
  ntp-atlas batch --province 14 --as-of 2023-11-30 --data data/processed --out reports
  ntp-atlas batch --province 20 --docx --xlsx        # + <name>.docx and <name>.xlsx beside each report
  ntp-atlas batch --province 20 --programme p135     # another programme's money: <name>.p135.html, index.p135.html
  ntp-atlas batch --province all --jobs 2            # every province with data, one set of kernels
  ntp-atlas batch --province 20,14                   # several provinces, the same way
  ntp-atlas batch --province "Lạng Sơn" --units 2025 # by the units of 1/7/2025: a report per new commune

Writes <out>/<year>/<province>/: one report per district with prepared data
(<code>-<name>.html), overview.html and index.html (.en.html in English). A report that
fails is listed in the summary and in index.html and does not stop the others; the exit
status is then 1. With --province all (or a list), every province in turn on the same
kernels, and <out>/<year>/index.html linking them.

Reports run on --jobs warm kernels started once for the batch. A report whose inputs
(its area's prepared data, the notebook, the parameters, the package) have not changed
since its last good page is skipped, and the summary says so; --force renders them all.
See docs/batch-engine.md.

With --units 2025 the reports are by the units of the 2025 reform (no districts): the data is
converted first (to <data>-2025, as 'ntp-atlas convert --to 2025' does) when the converted
folder is missing or older than the prepared data, then one report per new commune with data
(<code>-<name>.html), the new province's overview with the former districts as a reference
layer, and index.html go to <out>/<year>/<province>-2025/, beside the old units' reports.
--commune CODE[,CODE] renders only those new communes (with the overview and index). A
converted folder given as --data is rendered by the new units as it is. See
docs/reform-2025.md.
"""


def _add_units_options(p, batch: bool) -> None:
    p.add_argument("--units", choices=["2025"], default=None,
                   help="report by the units of the 2025 reform (34 provinces, new communes, no districts); the "
                   "data is converted to <data>-2025 first when that is missing or older than --data")
    what = ("render only these new communes, codes or names, comma-separated (with the overview and index)"
            if batch else "the new commune, code or name (with --units 2025 or converted --data)")
    p.add_argument("--commune", default=None, metavar="CODES" if batch else "COMMUNE", help=what)


def _add_report_options(p) -> None:
    p.add_argument("--year", type=whole_number(*YEARS), default=None,
                   help="plan year (default: the latest year with data)")
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        metavar="DATE",
        help="report date, yyyy-mm-dd or dd/mm/yyyy (default: the latest snapshot of the year)",
    )
    p.add_argument(
        "--lang", choices=list(LANGUAGES), default=DEFAULT_LANGUAGE, help="report language (default: %(default)s)"
    )
    p.add_argument(
        "--data",
        type=data_folder,
        default=PROCESSED_DIR,
        metavar="DIR",
        help="prepared data from 'ntp-atlas prepare' (default: data/processed)",
    )
    p.add_argument("--out", type=output_folder, default=REPORTS_DIR, metavar="DIR",
                   help="reports folder (default: reports/)")
    p.add_argument("--programme", default=None, metavar="CODE",
                   help="programme whose finance the reports sum, by code or name: ntp1719 (default), ntp_gnbv, "
                   "ntp_ntm, p135, p30a; other programmes' files carry the code (187-chi-lang.p135.html)")


def _add_document_options(p) -> None:
    p.add_argument("--docx", action="store_true",
                   help="also write a Word copy beside each HTML report (.docx: A4, Times New Roman, the summary, "
                   "the tables, the maps at 300 dpi)")
    p.add_argument("--xlsx", action="store_true",
                   help="also write each report's tables as an Excel workbook beside it (.xlsx, a sheet per table)")


def _add_report(sub) -> None:
    p = sub.add_parser(
        "report",
        help="render one district's report as offline HTML",
        description="Run a report notebook for one district with papermill and export it as one "
        "self-contained HTML file (no code, no internet needed), the executed notebook beside it.",
        epilog=EPILOG_REPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--province", required=True, help="province GSO code or name, e.g. 20 or 'Lạng Sơn'")
    p.add_argument("--district", default=None,
                   help="district GSO code or name, e.g. 187 or 'Chi Lăng' (required unless --commune)")
    _add_report_options(p)
    p.add_argument(
        "--notebook",
        choices=["district_report", "explore"],
        default="district_report",
        help="report notebook in notebooks/ (default: %(default)s)",
    )
    _add_document_options(p)
    _add_units_options(p, batch=False)
    _add_wait(p)
    p.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from analysis.run.batch import run_report

    if not args.district and not args.commune:
        raise ParameterError("give --district (or --commune with --units 2025)")
    path = run_report(
        args.province,
        args.district,
        year=args.year,
        as_of=args.as_of,
        lang=args.lang,
        data_dir=args.data,
        out_dir=args.out,
        notebook=args.notebook,
        docx=args.docx,
        xlsx=args.xlsx,
        commune=args.commune,
        units=args.units,
        programme=args.programme,
        wait=args.wait,
    )
    print(path)
    for suffix, wanted in ((".docx", args.docx), (".xlsx", args.xlsx)):
        if wanted:
            print(path.with_suffix(suffix))
    return 0


def _add_batch(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="render every district of a province, the overview and an index",
        description="Render the report of every district of a province that has prepared data, "
        "the province overview and index.html, as offline HTML.",
        epilog=EPILOG_BATCH,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--province", required=True,
                   help="province GSO code or name, e.g. 20 or 'Lạng Sơn'; several with commas (20,14); "
                   "'all' for every province with data")
    _add_report_options(p)
    p.add_argument(
        "--jobs",
        type=whole_number(*JOBS),
        default=1,
        metavar="N",
        help="reports rendered at the same time, one kernel each (default: %(default)s)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="render every report and the index, even those whose inputs have not changed",
    )
    p.add_argument(
        "--no-pool",
        dest="pool",
        action="store_false",
        help="start a new kernel for each report through papermill instead of reusing warm ones (for debugging)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the reports on a Dask distributed cluster, e.g. tcp://host:8786 "
        "(default: $NTP_ATLAS_SCHEDULER, else this machine); workers must reach --data",
    )
    _add_document_options(p)
    _add_units_options(p, batch=True)
    _add_wait(p)
    p.set_defaults(func=_cmd_batch)


def _cmd_batch(args) -> int:
    from analysis.run.batch import run_batch
    from analysis.run.country import is_all

    if is_all(args.province) or "," in args.province:
        from analysis.catalog.programmes import DEFAULT_PROGRAMME, get_programme

        if args.programme and get_programme(args.programme).code != DEFAULT_PROGRAMME:
            raise ParameterError("--programme other than ntp1719 is for one province at a time: "
                                 "ntp-atlas batch --province P --programme CODE")
        return _cmd_country(args)
    communes = [c.strip() for c in args.commune.split(",") if c.strip()] if args.commune else None
    result = run_batch(
        args.province,
        args.year,
        lang=args.lang,
        jobs=args.jobs,
        data_dir=args.data,
        out_dir=args.out,
        as_of=args.as_of,
        progress=True,
        pool=args.pool,
        force=args.force,
        scheduler=args.scheduler,
        docx=args.docx,
        xlsx=args.xlsx,
        units=args.units,
        communes=communes,
        programme=args.programme,
        wait=args.wait,
    )
    print(_batch_summary(result))
    return 0 if result.ok else 1


def _cmd_country(args) -> int:
    from analysis.catalog.units import resolve_province
    from analysis.run.country import is_all, run_country

    if args.docx or args.xlsx:
        print("error: --docx and --xlsx are per province: run ntp-atlas batch --province P --docx", file=sys.stderr)
        return 2
    if args.commune:
        print("error: --commune is for one province: run ntp-atlas batch --province P --units 2025 --commune C",
              file=sys.stderr)
        return 2
    provinces = None
    if not is_all(args.province):  # a list: "20,14" or "Lạng Sơn,Sơn La"
        from analysis.store.new_unit_areas import resolve_new_province

        resolve = resolve_new_province if args.units else resolve_province  # --units 2025: the new provinces
        provinces = [resolve(p.strip())[0] for p in args.province.split(",") if p.strip()]
    result = run_country(args.year, lang=args.lang, jobs=args.jobs, data_dir=args.data, out_dir=args.out,
                         as_of=args.as_of, progress=True, pool=args.pool, force=args.force, scheduler=args.scheduler,
                         provinces=provinces, units=args.units, wait=args.wait)
    for province in result.provinces:
        print(_batch_summary(province))
    for name, why in result.errors.items():
        print(f"{name}: not rendered: {why}")
    if result.unlisted:
        print(f"districts with data but not in the official unit list, no report: {', '.join(result.unlisted)}")
    print(f"country {result.year} ({result.lang}): {len(result.provinces)} provinces, "
          f"{result.count('rendered')} reports rendered, {result.count('skipped')} unchanged, skipped, "
          f"{result.count('failed')} failed")
    print(f"index: {result.index}")
    return 0 if result.ok else 1


def _batch_summary(result) -> str:
    n_districts = sum(r.notebook == "district_report" and r.ok for r in result.succeeded)
    overview = "+ overview" if any(r.notebook == "province_overview" for r in result.succeeded) else "(no overview)"
    units = "new commune" if getattr(result, "units", "") else "district"
    lines = [
        f"{result.province_name} {result.year} ({result.lang}): reports in {result.folder}",
        *([f"  data    {result.data_note}"] if getattr(result, "data_note", "") else []),
        f"  ok      {n_districts} {units} reports {overview}: "
        f"{len(result.skipped)} unchanged, skipped; {len(result.rendered)} rendered",
        f"  failed  {len(result.failed)}",
    ]
    for r in result.failed:
        lines.append(f"    {r.name}: " + r.message.replace("\n", "\n      "))
    if result.index_error:
        lines.append(f"  index without figures: {result.index_error}")
    lines.append(f"index: {result.index}" + (" (unchanged)" if result.index_skipped else ""))
    return "\n".join(lines)


EPILOG_MAPS = """\
examples:
  ntp-atlas maps --province 20 --year 2023              # every map: PNG 300 dpi, SVG, PDF + atlas.pdf
  ntp-atlas maps --province "Lạng Sơn" --format pdf --lang en --jobs 2
  ntp-atlas maps --docs                                 # regenerate docs/img/ (docs/maps.md)

Files go to <out>/<year>/<province>/maps/ with stable names:
  <code>-<name>_<indicator>_<period>[.en].<format>, e.g. 187-chi-lang_disbursement_rate_2023.png
"""


def _add_maps(sub) -> None:
    p = sub.add_parser(
        "maps",
        help="export every map and chart of a province for print (PNG, SVG, PDF, atlas)",
        description="Write the province's commune maps, each district's maps and the charts as PNG "
        "(300 dpi), SVG and PDF with text kept as text, plus a one-page PDF atlas of the districts.",
        epilog=EPILOG_MAPS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--province", help="province GSO code or name, e.g. 20 or 'Lạng Sơn'")
    _add_report_options(p)
    p.add_argument("--format", action="append", choices=["png", "svg", "pdf"],
                   help="repeat for several (default: png, svg and pdf)")
    p.add_argument("--dpi", type=whole_number(*DPI), default=300,
                   help=f"resolution of PNG files, {DPI[0]} to {DPI[1]} (default: %(default)s)")
    p.add_argument("--jobs", type=whole_number(*JOBS), default=1, metavar="N",
                   help="processes drawing district maps (default: 1)")
    p.add_argument("--docs", action="store_true", help="regenerate the images of docs/maps.md from the sample data")
    p.set_defaults(func=_cmd_maps)


def _cmd_maps(args) -> int:
    from analysis.config import DOCS_DIR
    from analysis.run import print_maps as export

    if args.docs:
        paths = export.build_docs_maps(DOCS_DIR / "img")
    elif args.province:
        paths = export.export_province_maps(
            args.province, args.year, as_of=args.as_of, lang=args.lang, data_dir=args.data, out_dir=args.out,
            formats=args.format or export.FORMATS, dpi=args.dpi, progress=True, jobs=args.jobs,
        )  # fmt: skip
    else:
        raise ParameterError("give --province (or --docs to regenerate the documentation's maps)")
    for path in paths:
        print(path)
    return 0


EPILOG_CONVERT = """\
examples:
  ntp-atlas convert --to 2025                        # data/processed -> data/processed-2025
  ntp-atlas convert --to 2025 --crosswalk my/crosswalk.xlsx --key population
  ntp-atlas convert --to 2025 --new-boundaries communes_2025.gpkg --new-code-column ma_xa

Merged communes are summed; a commune divided among several new ones is allocated by --key
and every such figure is marked estimated. <out>/convert_report.csv lists every merge, split
and unmapped unit. See docs/reform-2025.md.
"""


def _add_convert(sub) -> None:
    p = sub.add_parser(
        "convert",
        help="convert prepared data to the units of the 2025 reform (34 provinces, 3,321 communes)",
        description="Turn prepared data keyed to the old units into prepared data keyed to the new communes "
        "and provinces (no districts), with a report of every merge, split and unmapped unit.",
        epilog=EPILOG_CONVERT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--to", required=True, choices=["2025"], help="the reform to convert to")
    p.add_argument("--data-dir", type=data_folder, default=PROCESSED_DIR,
                   help="prepared data (default: data/processed)")
    p.add_argument("--out", type=output_folder, default=None,
                   help="output folder (default: <data-dir>-2025): new, empty, or converted data, replaced as a whole")
    p.add_argument(
        "--crosswalk",
        type=input_file,
        default=None,
        help="your crosswalk, CSV or XLSX: old_code, new_code[, weight] (default: vietnamadminunits)",
    )
    p.add_argument(
        "--key",
        choices=["area", "population", "equal"],
        default="area",
        help="how a divided commune's figures are allocated (default: %(default)s; see docs/reform-2025.md)",
    )
    p.add_argument("--new-boundaries", type=Path, default=None, help="boundaries of the new communes, if you have them")
    p.add_argument("--new-code-column", default="commune_code", help="their commune code column (default: %(default)s)")
    p.add_argument("--new-layer", default=None, help="their layer, in a multi-layer file")
    _add_wait(p)
    p.set_defaults(func=_cmd_convert)


def _cmd_convert(args) -> int:
    from analysis.store.convert import convert_prepared, convert_summary

    result = convert_prepared(
        args.data_dir, args.out, to=args.to, crosswalk=args.crosswalk, key=args.key,
        new_boundaries=args.new_boundaries, new_code_column=args.new_code_column, new_layer=args.new_layer,
        step=lambda msg: print(f"… {msg}", file=sys.stderr), wait=args.wait,
    )  # fmt: skip
    print(convert_summary(result))
    return 0


EPILOG_IMPORT = """\
examples:
  ntp-atlas import forms/bieu-01.xlsx                    # every sheet with a form table
  ntp-atlas import bieu-01.xlsx --sheet "Chi Lăng" --as-of 30/11/2023 --year 2023
  ntp-atlas import bieu-01.xlsx --province 20 --district 187 --out data/interim
  ntp-atlas prepare --finance data/interim/bieu-01.finance.csv ...   # then, as usual

Reads a workbook in the shape of the circular's report forms (title block, merged headers,
numbered rows, subtotal rows) and writes <out>/<name>.finance.csv in the canonical finance
format. Prints which header became which project / capital type / fund / measure, what was
skipped and why, and how each figure typed as text that reads two ways (1,300) was read;
subtotals are not written but checked against the sum of their parts. When one disagrees,
nothing is written and the exit status is 2 (unless --accept-subtotal-differences).
See docs/data-format.md ("Report forms").
"""


def _add_import(sub) -> None:
    p = sub.add_parser(
        "import",
        help="turn a report-form workbook (merged headers, subtotal rows) into a canonical finance CSV",
        description="Read an Excel workbook shaped like the circular's report forms and write the canonical "
        "finance table that 'ntp-atlas prepare --finance' reads, with a report of what was mapped and checked.",
        epilog=EPILOG_IMPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("form", type=input_file, metavar="FORM.xlsx", help="the workbook")
    p.add_argument("--out", type=output_folder, default=None, metavar="DIR",
                   help="output folder (default: data/interim)")
    p.add_argument("--sheet", default=None, help="read only this sheet (default: every sheet with a form table)")
    p.add_argument("--year", default=None, help="plan year, when the form does not say it")
    p.add_argument("--as-of", dest="as_of", default=None, metavar="DATE",
                   help="date the figures run to (yyyy-mm-dd or dd/mm/yyyy), when the form does not say it")
    p.add_argument("--province", default=None, help="province GSO code or name, when the form has no codes")
    p.add_argument("--district", default=None, help="district GSO code or name, when the form has no codes")
    p.add_argument("--decimal", choices=[",", "."], default=None,
                   help="decimal mark of figures typed as text, when the form does not show it (default: from the "
                   "form; a figure such as 1,300 that nothing in the form decides is refused)")
    p.add_argument("--accept-subtotal-differences", action="store_true",
                   help="write the figures even when subtotals disagree with their parts (default: exit 2, nothing "
                   "written)")
    p.set_defaults(func=_cmd_import)


def _cmd_import(args) -> int:
    from analysis.config import DATA_DIR
    from analysis.inputs.forms.importer import import_form

    try:
        result = import_form(
            args.form, args.out or DATA_DIR / "interim", sheet=args.sheet, year=args.year, as_of=args.as_of,
            province=args.province, district=args.district, decimal=args.decimal,
            accept_subtotal_differences=args.accept_subtotal_differences,
        )  # fmt: skip
    except SubtotalError as exc:
        print(exc.result.report())  # what was read and checked, before the error on stderr
        raise
    print(result.report())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so that docs and tests can inspect it)."""
    parser = argparse.ArgumentParser(
        prog="ntp-atlas",
        description="Reports and maps of Vietnam's National Target Programmes by area. "
        "Start with 'ntp-atlas prepare', then 'ntp-atlas report' or 'ntp-atlas batch'.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


_SUBCOMMANDS = [_add_prepare, _add_import, _add_sample, _add_report, _add_batch, _add_maps, _add_convert]


#: Exit statuses: 0 done; 1 a report failed (the others were written) or a bug; 2 bad input or
#: a path that cannot be used (the message says which and what to do); 75 (EX_TEMPFAIL)
#: another run holds the folder, try again later; 130 interrupted. Nothing is replaced unless 0.
EXIT_BUSY = 75


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ntp-atlas`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except NtpAtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; previous outputs are left as they were", file=sys.stderr)
        return 130
    except OSError as exc:  # the system refused a read or write: the path and what to do, not a traceback
        print(f"error: {_system_error(exc)}", file=sys.stderr)
        return 2
    except Exception:  # a bug, not bad input: keep the traceback out of the user's way
        details = traceback.format_exc()
        log = _error_log(details)
        where = f"the details are in {log}" if log else "the details follow:\n" + details
        print(f"internal error: {sys.exc_info()[1]!r}\n  this is a bug in ntp-atlas; {where}", file=sys.stderr)
        return 1


def _system_error(exc: OSError) -> str:
    """What a user is told when the system refused a file operation that ntp-atlas did not expect."""
    path = exc.filename or "a file"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS):  # only writes meet these
        return str(OutputError.from_os_error(exc, path))
    where = f"{path}" + (f" -> {exc.filename2}" if exc.filename2 else "")
    return (f"{where}: {exc.strerror or exc}\n  fix: check that the path exists and that you may read and write "
            "there (or give another --out); the previous outputs were left as they were")


def _error_log(details: str) -> str | None:
    """Write a bug's traceback to a new file only this user can read, and say where.

    ``tempfile.mkstemp`` makes it with a name no one can guess, ``O_EXCL`` and mode 0600: a
    link or file planted in the temporary folder is never followed or written to. None when
    no file can be made (the caller prints the details instead).
    """
    try:
        fd, path = tempfile.mkstemp(prefix="ntp-atlas-error-", suffix=".log")
    except OSError:
        return None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(details)
    return path


if __name__ == "__main__":
    sys.exit(main())
