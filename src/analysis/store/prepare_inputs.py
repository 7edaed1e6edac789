"""The input files of a prepare run: the sheet read from each, a table refused when it lost
most of its rows, each file's entry in the manifest (path, SHA-256, counts), the arguments to
run it again, and which inputs changed since (so damaged data is rebuilt only from the same)."""

from __future__ import annotations

from pathlib import Path

from analysis.common.limits import DEFAULT_LIMITS, ReadLimits
from analysis.common.storage import sha256_file
from analysis.errors import InputFileError
from analysis.inputs.readers import CSV_SUFFIXES
from analysis.inputs.run_convention import evidence_entry
from analysis.inputs.validate import ValidatedTable

__all__ = ["changed_inputs", "check_losses", "input_entry", "prepare_arguments", "sheet_for"]


def prepare_arguments(**kwargs: object) -> dict:
    """The arguments of a prepare run, paths made absolute, to run it again from anywhere.

    Parameters
    ----------
    **kwargs
        The keyword arguments of :func:`analysis.store.prepare.prepare`.
    """
    paths = ("finance", "poverty", "communes", "indicators", "boundaries", "units", "boundary_crosswalk",
             "rule_settings")
    return {k: (str(Path(v).absolute()) if k in paths and v is not None else v) for k, v in kwargs.items()}


def input_entry(path: Path, t: ValidatedTable | None, extra: dict | None = None) -> dict:
    """The manifest entry of an input file: path, SHA-256, size, and what was read from it.

    Parameters
    ----------
    path
        The file.
    t
        The table validated from it, if it is a table (its counts, sheet, columns, reasons).
    extra
        More keys of the entry.
    """
    entry = {"path": str(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}
    if t is not None:
        entry.update(
            rows_read=t.n_read,
            rows_accepted=t.n_accepted,
            rows_rejected=t.n_rejected,
            sheet=t.raw.sheet,
            header_row=t.raw.header_row,
            number_convention=t.convention,
            number_source=t.numbers.source if t.numbers else None,
            number_evidence={c: evidence_entry(ev) for c, ev in t.numbers.evidence.items()} if t.numbers else {},
            columns=t.raw.mapping,
            ignored_columns=t.raw.ignored,
            lines=vars(t.raw.lines) if t.raw.lines is not None else None,
            rejects_by_reason=[{"column": c, "reason": r, "rows": n} for c, r, n in t.reject_counts],
        )
    entry.update(extra or {})
    return entry


def sheet_for(name: str, path: str | Path, sheets: dict[str, str] | str | None) -> str | None:
    """The sheet to read for table ``name``: ``--sheet name=X``, or ``--sheet X`` for every workbook.

    Raises
    ------
    InputFileError
        A sheet named for a table that is a CSV file.
    """
    if sheets is None:
        return None
    is_csv = Path(path).suffix.lower() in CSV_SUFFIXES
    if isinstance(sheets, str):
        return None if is_csv else sheets
    sheet = sheets.get(name)
    if sheet is not None and is_csv:
        raise InputFileError(
            path, f"--sheet {name}='{sheet}' names a sheet, but the {name} table is a CSV file, which has none",
            f"drop --sheet {name}=…, or give the workbook that has the sheet",
        )
    return sheet


def check_losses(name: str, t: ValidatedTable, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Refuse a table that lost most of its rows, so that prepare stops and good prepared data stays.

    Raises
    ------
    InputFileError
        No row accepted, or more than ``limits.max_rejected_share`` of the rows rejected; the
        message names the file, the counts and the most frequent reasons with their first rows.
    """
    if t.n_read == 0:
        raise InputFileError(
            t.raw.path,
            f"the {name} table has no rows of data below its header (row {t.raw.header_row})"
            + (f" on sheet '{t.raw.sheet}'" if t.raw.sheet else ""),
            "check that this is the right file (and sheet); the rows go below the header row",
        )
    share = t.n_rejected / t.n_read
    if t.n_accepted and share <= limits.max_rejected_share:
        return
    what = "no row was accepted" if not t.n_accepted else (
        f"{t.n_rejected:,} of its {t.n_read:,} rows were rejected ({share:.0%}, more than the "
        f"{limits.max_rejected_share:.0%} allowed)"
    )
    reasons = []
    for column, reason, n in t.reject_counts[:5]:
        rows = t.rejects.loc[t.rejects["reason"] == reason, "row"].head(3).tolist()
        at = f"column '{column}', " if column else ""
        reasons.append(f"{reason} ({at}{n:,} row{'s' if n != 1 else ''}, first: {', '.join(map(str, rows))})")
    more = len(t.reject_counts) - len(reasons)
    listed = "; ".join(reasons) + (f"; and {more} other reason{'s' if more != 1 else ''}" if more > 0 else "")
    raise InputFileError(
        t.raw.path,
        f"{what} of the {name} table, so it is not used and the prepared data is left as it was: {listed}",
        "correct the file; if the rejected rows are meant to be left out, allow it with "
        "'prepare --max-rejected-share 1'",
    )



def changed_inputs(manifest: dict) -> list[str]:
    """Inputs recorded in the manifest that are gone or whose bytes changed since prepare.

    Parameters
    ----------
    manifest
        A prepared-data manifest (``manifest.json``).
    """
    entries = [
        *manifest.get("inputs", {}).values(),
        manifest.get("boundaries") or {},
        (manifest.get("boundaries") or {}).get("crosswalk") or {},
        manifest.get("units_file") or {},
        (manifest.get("rules") or {}).get("file") or {},
    ]
    changed = []
    for entry in entries:
        if not entry.get("path"):
            continue
        path = Path(entry["path"])
        if not path.is_file() or sha256_file(path) != entry.get("sha256"):
            changed.append(str(path))
    return changed
