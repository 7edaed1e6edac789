"""Run every bad input of the catalogues and write the table of messages, ``docs/bad-inputs.md``.

The table is made by running the inputs, never by hand, so it says what a user is really
told. ``tests/test_bad_inputs_doc.py`` renders it and compares it with the file; when the
messages or the catalogues change, write it again::

    .venv/bin/python -m tests.bad_inputs_doc --write-docs

Sources: :data:`tests.bad_inputs.CATALOGUE` (data tables, encodings),
:data:`tests.bad_inputs.FORM_CATALOGUE` (report forms, when present) and
:data:`tests.bad_inputs_extra.EXTRA` (boundaries, crosswalks, hostile cells). Whatever
entries they hold are included.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.config import DOCS_DIR

DOC = DOCS_DIR / "bad-inputs.md"
COMMAND = ".venv/bin/python -m tests.bad_inputs_doc --write-docs"


@dataclass(frozen=True)
class Outcome:
    """What one bad input got: the message, and whether it was refused or rows were rejected."""

    kind: str
    reader: str
    how: str  # "file refused", "row rejected", "imported, reported"
    where: str  # "row 2, column 'plan_mvnd'", or ""
    message: str


def _relative(text: str, folder: Path) -> str:
    """Messages name files as the user gave them: here, without the temporary folder."""
    return text.replace(str(folder) + "/", "").replace(str(folder), "")


def _table_entry(bad, folder: Path, units) -> Outcome:
    from analysis.errors import InputFileError
    from analysis.inputs.schema import TABLES
    from analysis.inputs.validate import validate_table
    from tests.test_validate import _write  # the catalogue's own way of writing each entry

    path = _write(folder, bad)
    reader = f"{bad.table} table ({path.name})" + (f", --decimal {bad.decimal}" if bad.decimal else "")
    try:
        result = validate_table(path, TABLES[bad.table], units, decimal=bad.decimal)
    except InputFileError as exc:
        return Outcome(bad.kind, reader, "file refused", "", str(exc))
    hits = result.rejects[result.rejects["row"] == bad.row] if bad.row is not None else result.rejects
    if bad.column:
        hits = hits[hits["column"] == bad.column]
    if not len(hits):
        raise AssertionError(f"{bad.kind}: row {bad.row} was not rejected")
    where = ", ".join(sorted({f"row {r.row}" + (f", column '{r.column}'" if r.column else "")
                              for r in hits.itertuples()}))
    message = " | ".join(f"{r.reason}\n  fix: {r.fix}" for r in hits.itertuples())
    return Outcome(bad.kind, reader, "row rejected", where, message)


def _file_entry(bad, folder: Path) -> Outcome:
    """Boundary files and crosswalks: refused as a whole, the message says where."""
    from analysis.errors import InputFileError
    from analysis.inputs.boundaries import read_boundaries
    from analysis.inputs.crosswalk import read_crosswalk

    path = folder / f"{bad.table}{bad.suffix}"
    path.write_text(bad.text + "\n", encoding="utf-8")
    read = read_boundaries if bad.table == "boundaries" else read_crosswalk
    try:
        read(path)
    except InputFileError as exc:
        if bad.row is not None and (exc.row, exc.column) != (bad.row, bad.column):
            raise AssertionError(f"{bad.kind}: points at row {exc.row} column {exc.column}") from None
        return Outcome(bad.kind, f"{bad.table} ({path.name})", "file refused", "", str(exc))
    raise AssertionError(f"{bad.kind}: {path.name} was accepted")


def _form_entry(bad, folder: Path) -> Outcome:
    from analysis.errors import FormError
    from analysis.inputs.forms.importer import read_form

    path = folder / "bieu.xlsx"
    bad.build(path)
    try:
        report = read_form(path).report()
    except FormError as exc:
        return Outcome(bad.kind, "report form (bieu.xlsx)", "file refused", "", str(exc))
    lines = [line.strip() for line in report.splitlines() if any(f in line for f in bad.expect)]
    return Outcome(bad.kind, "report form (bieu.xlsx)", "imported, reported", "", "\n".join(lines))


def outcomes() -> list[Outcome]:
    """Every entry of the catalogues run once, in catalogue order."""
    import tests.bad_inputs as catalogue
    from analysis.catalog.units import official_units
    from tests.bad_inputs_extra import EXTRA
    from tests.bad_runs import RUNS, run

    units = official_units()
    out = []
    with tempfile.TemporaryDirectory(prefix="ntp-bad-") as tmp:
        for i, bad in enumerate([*catalogue.CATALOGUE, *EXTRA]):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            if bad.table in ("boundaries", "crosswalk"):
                outcome = _file_entry(bad, folder)
            else:
                outcome = _table_entry(bad, folder, units)
            out.append(_clean(outcome, folder))
        for i, bad in enumerate(getattr(catalogue, "FORM_CATALOGUE", [])):
            folder = Path(tmp) / f"form{i}"
            folder.mkdir()
            out.append(_clean(_form_entry(bad, folder), folder))
        for i, bad in enumerate(RUNS):  # paths, options and a folder held by another run
            folder = Path(tmp) / f"run{i}"
            folder.mkdir()
            status, err = run(bad, folder)
            shown = Path(tmp) / f"run{i}-argv"  # the command line, from a scene of its own
            shown.mkdir()
            argv = " ".join(bad.setup(shown))
            out.append(Outcome(bad.kind, f"ntp-atlas {argv}", f"run refused, exit {status}", "", err.strip()))
    return out


def _clean(outcome: Outcome, folder: Path) -> Outcome:
    return Outcome(outcome.kind, outcome.reader, outcome.how, outcome.where, _relative(outcome.message, folder))


_MD_SPECIAL = re.compile(r"([\\`*_|\[\]])")


def md_cell(text: str) -> str:
    """Text as one Markdown table cell: HTML-escaped (a message may quote markup from a file),
    Markdown's special characters backslashed, line breaks as ``<br>``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "<br>".join(line.strip() for line in text.strip().splitlines())


def render(items: list[Outcome]) -> str:
    """The Markdown page."""
    head = [
        "# Bad inputs and what you are told",
        "",
        "<!-- generated by `" + COMMAND + "` from the catalogues in tests/; do not edit -->",
        "",
        "Every kind of bad input the test suite tries, with the exact message ntp-atlas gives. A",
        "*file refused* stops `prepare` (or `import`) with the message; a *row rejected* goes to",
        "`rejects.csv` with its reason and fix while the other rows are used. File names are as",
        "the user gave them. The table is generated by running the inputs",
        "(`tests/bad_inputs_doc.py`), and a test fails when it no longer matches. The last rows are",
        "runs refused before they start: paths, options, a folder held by another run",
        "(`tests/bad_runs.py`).",
        "",
        f"{len(items)} kinds of bad input.",
        "",
        "| # | bad input | read as | outcome | message |",
        "|---|---|---|---|---|",
    ]
    rows = [
        f"| {i} | {md_cell(o.kind)} | {md_cell(o.reader)} | {md_cell(o.how + (': ' + o.where if o.where else ''))} "
        f"| {md_cell(o.message)} |"
        for i, o in enumerate(items, start=1)
    ]
    return "\n".join(head + rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/bad-inputs.md from the bad-input catalogues.")
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOC.name} (default: print it)")
    args = parser.parse_args(argv)
    page = render(outcomes())
    if args.write_docs:
        DOC.write_text(page, encoding="utf-8")
        print(f"wrote {DOC}")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
