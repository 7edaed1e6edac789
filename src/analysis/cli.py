"""The ``ntp-atlas`` command line: parses arguments, calls one library function, prints its result.

The subcommands' parsers are in :mod:`analysis.cli_parsers`. The library is imported by each
command when it runs (here only), so that ``ntp-atlas --help`` starts at once.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import tempfile
import traceback
from typing import TYPE_CHECKING

from analysis import __version__
from analysis.cli_parsers import add_convert, add_import, add_prepare, add_sample, indicators_option, sheets_option
from analysis.cli_report_parsers import add_batch, add_maps, add_report
from analysis.common.limits import ReadLimits
from analysis.config import DATA_DIR, DOCS_DIR
from analysis.errors import BusyError, NtpAtlasError, OutputError, ParameterError, SubtotalError
from analysis.inputs.bounds import Bounds

if TYPE_CHECKING:
    from analysis.run.options import RunOptions


def _cmd_prepare(args) -> int:
    from analysis.store.prepare import prepare

    communes = None if str(args.communes).lower() == "none" else args.communes
    result = prepare(
        finance=args.finance,
        poverty=args.poverty,
        communes=communes,
        indicators=indicators_option(args.indicators),
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
        sheets=sheets_option(args.sheet),
        limits=ReadLimits(args.max_rows, args.rejects_per_reason, args.max_rejected_share),
        step=lambda msg: print(f"… {msg}", file=sys.stderr),
        wait=args.wait,
    )
    print(result.summary())
    return 0


def _cmd_sample(args) -> int:
    from analysis.store.sample import write_sample

    paths = write_sample(args.out)
    for name, path in paths.items():
        print(f"{name:<12}{path}")
    return 0


def _run_options(args, **more) -> RunOptions:
    """The options of a run, from the arguments every output command has (and ``more``)."""
    from analysis.run.options import RunOptions

    return RunOptions(lang=args.lang, data_dir=args.data, out_dir=args.out, as_of=args.as_of, **more)


def _report_options(args, **batch) -> RunOptions:
    """The options of a report or batch run, from the arguments both commands have."""
    return _run_options(args, programme=args.programme, units=args.units, docx=args.docx, xlsx=args.xlsx,
                        wait=args.wait, **batch)  # fmt: skip


def _cmd_report(args) -> int:
    from analysis.run.batch import run_report

    if not args.district and not args.commune:
        raise ParameterError("give --district (or --commune with --units 2025)")
    path = run_report(args.province, args.district, year=args.year, notebook=args.notebook, commune=args.commune,
                      options=_report_options(args))
    print(path)
    for suffix, wanted in ((".docx", args.docx), (".xlsx", args.xlsx)):
        if wanted:
            print(path.with_suffix(suffix))
    return 0


def _cmd_batch(args) -> int:
    from analysis.run.country import run_provinces

    communes = [c.strip() for c in args.commune.split(",") if c.strip()] if args.commune else None
    options = _report_options(args, jobs=args.jobs, pool=args.pool, force=args.force, scheduler=args.scheduler)
    result = run_provinces(args.province, args.year, options=options, communes=communes)
    print(result.summary())
    return 0 if result.ok else 1


def _cmd_maps(args) -> int:
    from analysis.run import print_maps as export

    if args.docs:
        result = export.build_docs_maps(DOCS_DIR / "img")
    elif args.province:
        result = export.export_province_maps(args.province, args.year, options=_run_options(args, jobs=args.jobs),
                                             formats=args.format or export.FORMATS, dpi=args.dpi)  # fmt: skip
    else:
        raise ParameterError("give --province (or --docs to regenerate the documentation's maps)")
    print(result.summary())
    return 0


def _cmd_convert(args) -> int:
    from analysis.store.convert import convert_prepared

    result = convert_prepared(
        args.data_dir, args.out, to=args.to, crosswalk=args.crosswalk, key=args.key,
        new_boundaries=args.new_boundaries, new_code_column=args.new_code_column, new_layer=args.new_layer,
        step=lambda msg: print(f"… {msg}", file=sys.stderr), wait=args.wait,
    )  # fmt: skip
    print(result.summary())
    return 0


def _cmd_import(args) -> int:
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


#: What each subcommand runs.
COMMANDS = {"prepare": _cmd_prepare, "import": _cmd_import, "sample": _cmd_sample, "report": _cmd_report,
            "batch": _cmd_batch, "maps": _cmd_maps, "convert": _cmd_convert}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so that docs and tests can inspect it)."""
    parser = argparse.ArgumentParser(
        prog="ntp-atlas",
        description="Reports and maps of Vietnam's National Target Programmes by area. "
        "Start with 'ntp-atlas prepare', then 'ntp-atlas report' or 'ntp-atlas batch'.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (add_prepare, add_import, add_sample, add_report, add_batch, add_maps, add_convert):
        add(sub)
    return parser


#: Exit statuses: 0 done; 1 a report failed (the others were written) or a bug; 2 bad input or
#: a path that cannot be used (the message says which and what to do); 75 (EX_TEMPFAIL)
#: another run holds the folder, try again later; 130 interrupted. Nothing is replaced unless 0.
EXIT_BUSY = 75


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ntp-atlas`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(COMMANDS[args.command](args) or 0)
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
