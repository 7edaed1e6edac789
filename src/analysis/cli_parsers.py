"""The argument parsers of the data commands: ``prepare``, ``import``, ``sample``, ``convert``.

:func:`analysis.cli.build_parser` adds them (and those of :mod:`analysis.cli_report_parsers`)
to its subparsers; the subcommand's name (``args.command``) says which command of
:mod:`analysis.cli` runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cliargs import (
    REJECT_LINES,
    ROWS,
    data_folder,
    input_file,
    output_folder,
    seconds,
    share,
    units_choice,
    whole_number,
)
from analysis.common.limits import DEFAULT_LIMITS
from analysis.config import (
    BOUNDS,
    PROCESSED_DIR,
    SAMPLE_CODE_COLUMN,
    SAMPLE_DIR,
    SAMPLE_FILES,
)
from analysis.errors import ParameterError

EPILOG_PREPARE = """\
examples:
  ntp-atlas prepare                                  # the sample data in data/sample/
  ntp-atlas prepare --finance my/finance.xlsx --poverty my/poverty.csv \\
      --boundaries my/communes.gpkg --code-column ma_xa --out data/processed
  ntp-atlas prepare --boundaries communes.shp --code-column "" --name-column TEN_XA \\
      --district-column MA_HUYEN                     # a boundary file with names only

Every input row is either used or listed in <out>/rejects.csv with its reason and fix.
"""


def add_prepare(sub) -> None:
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
    p.add_argument(
        "--units", type=units_choice, default=None, metavar="2025|old|FILE",
        help="the units the tables are keyed to: 2025 (the communes of 1/7/2025: province_code and commune_code, "
        "no district), old (before the reform), or a unit list CSV for codes of another vintage; default: told "
        "from the tables' codes and years (a table mixing the two is refused)",
    )  # fmt: skip
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
    add_wait(p)


_SHEET_TABLES = ("finance", "poverty", "communes", "indicators")


def sheets_option(values: list[str] | None) -> dict[str, str] | str | None:
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


def add_wait(p) -> None:
    """``--wait SECONDS``: how long to wait for another run holding the folder."""
    p.add_argument("--wait", type=seconds, default=0.0, metavar="SECONDS",
                   help="when another run holds the folder (a batch reading the data, a prepare writing it), wait up "
                   "to this long for it, then stop with exit status 75 (default: 0, stop at once)")


def indicators_option(value: Path | None) -> Path | str | None:
    """``--indicators``: not given is "auto" (the sample's with the sample's finance), 'none' is none."""
    if value is None:
        return "auto"
    return None if str(value).lower() == "none" else value


def add_sample(sub) -> None:
    p = sub.add_parser(
        "sample",
        help="rebuild the sample data (deterministic)",
        description="Regenerate the sample province in data/sample/ from the official unit list.",
    )
    p.add_argument("--out", type=output_folder, default=SAMPLE_DIR, help="output folder (default: data/sample)")


EPILOG_CONVERT = """\
examples:
  ntp-atlas convert --to 2025                        # data/processed -> data/processed-2025
  ntp-atlas convert --to 2025 --crosswalk my/crosswalk.xlsx --key population
  ntp-atlas convert --to 2025 --new-boundaries communes_2025.gpkg --new-code-column ma_xa

Merged communes are summed; a commune divided among several new ones is allocated by --key
and every such figure is marked estimated. <out>/convert_report.csv lists every merge, split
and unmapped unit. See docs/reform-2025.md.
"""


def add_convert(sub) -> None:
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
    add_wait(p)


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


def add_import(sub) -> None:
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
