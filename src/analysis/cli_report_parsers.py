"""The argument parsers of the output commands: ``report``, ``batch`` and ``maps``.

Their options are those of :class:`analysis.run.options.RunOptions`, which
:mod:`analysis.cli` builds from them.
"""

from __future__ import annotations

import argparse

from analysis.cli_parsers import add_wait
from analysis.cliargs import (
    DPI,
    JOBS,
    YEARS,
    data_folder,
    output_folder,
    whole_number,
)
from analysis.config import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    PROCESSED_DIR,
    REPORTS_DIR,
)

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


def add_report(sub) -> None:
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
    add_wait(p)


def add_batch(sub) -> None:
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
    add_wait(p)


EPILOG_MAPS = """\
examples:
  ntp-atlas maps --province 20 --year 2023              # every map: PNG 300 dpi, SVG, PDF + atlas.pdf
  ntp-atlas maps --province "Lạng Sơn" --format pdf --lang en --jobs 2
  ntp-atlas maps --docs                                 # regenerate docs/img/ (docs/maps.md)

Files go to <out>/<year>/<province>/maps/ with stable names:
  <code>-<name>_<indicator>_<period>[.en].<format>, e.g. 187-chi-lang_disbursement_rate_2023.png
"""


def add_maps(sub) -> None:
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
