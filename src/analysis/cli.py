"""The ``ntp-atlas`` command line: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from analysis import __version__
from analysis.config import PROCESSED_DIR, SAMPLE_CODE_COLUMN, SAMPLE_DIR, SAMPLE_FILES
from analysis.errors import NtpAtlasError

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
    p.add_argument("--finance", type=Path, default=SAMPLE_FILES["finance"], help="finance table, CSV or XLSX (default: sample)")
    p.add_argument("--poverty", type=Path, default=SAMPLE_FILES["poverty"], help="poverty table, CSV or XLSX (default: sample)")
    p.add_argument("--communes", type=Path, default=SAMPLE_FILES["communes"],
                   help="commune classification table (optional; 'none' to skip; default: sample)")
    p.add_argument("--boundaries", type=Path, default=SAMPLE_FILES["boundaries"],
                   help="commune boundaries: GeoPackage, GeoJSON, Shapefile or GeoParquet (default: sample)")
    p.add_argument("--code-column", default=SAMPLE_CODE_COLUMN,
                   help="boundary column with the 5-digit commune GSO code ('' if none; default: %(default)s)")
    p.add_argument("--name-column", default=None, help="boundary column with commune names (to match by name)")
    p.add_argument("--district-column", default=None, help="boundary column with the district code or name")
    p.add_argument("--layer", default=None, help="layer of a multi-layer boundary file")
    p.add_argument("--units", type=Path, default=None, help="unit list CSV for codes of another vintage")
    p.add_argument("--pad-codes", action="store_true", help="restore leading zeros lost by Excel instead of rejecting")
    p.add_argument("--decimal", choices=[",", "."], default=None,
                   help="decimal mark of the tables (default: detected; ambiguous cells are rejected)")
    p.add_argument("--out", type=Path, default=PROCESSED_DIR, help="output folder (default: data/processed)")
    p.set_defaults(func=_cmd_prepare)


def _cmd_prepare(args) -> int:
    from analysis.prepare import prepare

    communes = None if str(args.communes).lower() == "none" else args.communes
    result = prepare(
        finance=args.finance, poverty=args.poverty, communes=communes, boundaries=args.boundaries,
        code_column=args.code_column or None, name_column=args.name_column, district_column=args.district_column,
        layer=args.layer, out=args.out, units=args.units, pad_codes=args.pad_codes, decimal=args.decimal,
        step=lambda msg: print(f"… {msg}", file=sys.stderr),
    )
    print(_prepare_summary(result))
    return 0


def _prepare_summary(result) -> str:
    lines = [f"prepared data written to {result.out_dir}", "", f"{'input':<12}{'read':>8}{'accepted':>10}{'rejected':>10}"]
    for name, t in result.tables.items():
        ok = "" if t.reconciles() else "  (DOES NOT RECONCILE)"
        lines.append(f"{name:<12}{t.n_read:>8}{t.n_accepted:>10}{t.n_rejected:>10}{ok}")
        for note in t.notes:
            lines.append(f"    {note}")
    if len(result.rejects):
        lines += ["", "rejected rows (first 10; all in rejects.csv):"]
        for r in result.rejects.head(10).itertuples(index=False):
            col = f", column '{r.column}'" if r.column else ""
            lines.append(f"  {Path(r.file).name} row {r.row}{col}: {r.reason}")
    counts = result.match_report["status"].value_counts()
    lines += ["", "boundaries: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())]
    if len(result.warnings):
        lines += ["rule warnings: " + ", ".join(f"{k} {v}" for k, v in result.warnings["rule"].value_counts().items())]
    return "\n".join(lines)


def _add_sample(sub) -> None:
    p = sub.add_parser("sample", help="rebuild the sample data (deterministic)",
                       description="Regenerate the sample province in data/sample/ from the official unit list.")
    p.add_argument("--out", type=Path, default=SAMPLE_DIR, help="output folder (default: data/sample)")
    p.set_defaults(func=_cmd_sample)


def _cmd_sample(args) -> int:
    from analysis.sample import write_sample

    paths = write_sample(args.out)
    for name, path in paths.items():
        print(f"{name:<12}{path}")
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


_SUBCOMMANDS = [_add_prepare, _add_sample]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ntp-atlas`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except NtpAtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; previous outputs are left as they were", file=sys.stderr)
        return 130
    except Exception:  # a bug, not bad input: keep the traceback out of the user's way
        log = Path(tempfile.gettempdir()) / "ntp-atlas-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        print(f"internal error: {sys.exc_info()[1]!r}\n  this is a bug in ntp-atlas; the details are in {log}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
