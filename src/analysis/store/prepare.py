"""Prepare once, render many: validate and join every input once, write the prepared data.

``prepare`` reads the raw files, validates them (:mod:`analysis.inputs.validate`), joins the units
to the boundaries (:mod:`analysis.inputs.boundaries`), runs the rule checks (:mod:`analysis.metrics.rules`)
and writes, atomically, into one folder:

============================  ==========================================================
``communes.parquet``          GeoParquet, one row per commune of every district in the data
``districts.parquet``         GeoParquet, dissolved from the communes
``provinces.parquet``         GeoParquet, dissolved from the communes
``finance.parquet``           accepted finance rows
``poverty.parquet``           accepted poverty rows (with district and province codes)
``classification.parquet``    accepted commune classification rows
``indicators.parquet``        accepted indicator rows, with level, commune, district, province
``rejects.parquet`` / .csv    every rejected input row, with file, row, column, reason, fix
``warnings.parquet`` / .csv   rule warnings
``match_report.parquet`` / .csv  how each unit met its boundary
``manifest.json``             input hashes and counts, output hashes, options, version
============================  ==========================================================

Nothing downstream re-reads or re-validates the raw files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis import __version__
from analysis.catalog.units import load_unit_list
from analysis.common.limits import DEFAULT_LIMITS, ReadLimits
from analysis.common.spreadsheet_safe import write_csv
from analysis.common.storage import atomic_dir, claim_output_folder, sha256_file, write_json
from analysis.config import PROCESSED_DIR, SAMPLE_CODE_COLUMN, SAMPLE_FILES
from analysis.errors import BoundaryError, InputFileError
from analysis.inputs.boundaries import read_boundaries
from analysis.inputs.bounds import Bounds
from analysis.inputs.crosswalk import read_crosswalk
from analysis.inputs.indicators import empty_indicators
from analysis.inputs.readers import CSV_SUFFIXES, ROW
from analysis.inputs.run_convention import RunConvention, decide_run, evidence_entry, read_again
from analysis.inputs.schema import COMMUNES, FINANCE, INDICATORS, POVERTY
from analysis.inputs.unit_shapes import dissolve_units, match_units, merge_units
from analysis.inputs.validate import REJECT_COLUMNS, ValidatedTable, validate_table
from analysis.metrics.rules import load_settings, run_rules

PREPARED_FILES = (
    "communes.parquet",
    "districts.parquet",
    "provinces.parquet",
    "finance.parquet",
    "poverty.parquet",
    "classification.parquet",
    "indicators.parquet",
    "rejects.parquet",
    "warnings.parquet",
    "match_report.parquet",
)
#: The same tables for people, beside the Parquet files (hashed in the manifest too).
PREPARED_CSV = ("rejects.csv", "warnings.csv", "match_report.csv")


@dataclass
class PrepareResult:
    """What :func:`prepare` did, for the command line summary and for tests."""

    out_dir: Path
    manifest: dict
    tables: dict[str, ValidatedTable]
    match_report: pd.DataFrame
    warnings: pd.DataFrame
    rejects: pd.DataFrame
    numbers: RunConvention | None = None


def _scope_units(units: pd.DataFrame, tables: dict[str, ValidatedTable]) -> pd.DataFrame:
    """Every official commune of every district that appears in the accepted data."""
    districts: set[str] = set()
    for t in tables.values():
        districts |= set(t.accepted["district_code"].dropna().astype(str).unique())
    return units[units["district_code"].isin(districts)].reset_index(drop=True)


def _boundaries_in_scope(bounds: gpd.GeoDataFrame, scope: pd.DataFrame, units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Boundary features of the districts in scope (all of them if the file says no district)."""
    if "district_code" in bounds.columns and bounds["district_code"].notna().any():
        return bounds[bounds["district_code"].isin(set(scope["district_code"]))]
    if "commune_code" in bounds.columns and bounds["commune_code"].notna().any():
        known = set(units["commune_code"])
        in_scope = bounds["commune_code"].isin(set(scope["commune_code"]))
        unknown = ~bounds["commune_code"].isin(known)
        # a code of another vintage cannot be placed: keep it so it shows as unmatched
        return bounds[in_scope | unknown]
    return bounds


def _rejects_with_district(tables: dict[str, ValidatedTable], units: pd.DataFrame) -> pd.DataFrame:
    frames = []
    commune_district = units.set_index("commune_code")["district_code"]
    for t in tables.values():
        if not len(t.rejects):
            continue
        raw = t.raw.frame.set_index(ROW)
        r = t.rejects.copy()
        district = pd.Series(pd.NA, index=r.index, dtype="string")
        if "district_code" in raw.columns:
            district = r["row"].map(raw["district_code"]).astype("string")
        if "commune_code" in raw.columns:
            from_commune = r["row"].map(raw["commune_code"]).astype("string").map(commune_district)
            district = district.fillna(from_commune.astype("string"))
        r["district_code"] = district
        frames.append(r)
    if not frames:
        return pd.DataFrame(columns=[*REJECT_COLUMNS, "district_code"]).astype("string")
    out = pd.concat(frames, ignore_index=True)
    return out.astype({c: "string" for c in out.columns if c != "row"})


def _apply_crosswalk(
    bounds: gpd.GeoDataFrame, path: Path, crosswalk_path: Path, units: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, dict]:
    """Dissolve the merged communes of the boundary file; the manifest entry of the crosswalk."""
    crosswalk = read_crosswalk(crosswalk_path)
    if bounds["commune_code"].isna().all():
        raise BoundaryError(
            path,
            f"a crosswalk ({crosswalk_path.name}) merges communes by code, but the boundary file was read without "
            "commune codes",
            "name the boundary column holding the 5-digit commune codes with --code-column",
        )
    merged = merge_units(bounds, crosswalk, keep=set(units["commune_code"].dropna()))
    merges = merged.attrs["merges"]
    entry = _input_entry(
        crosswalk_path,
        None,
        {
            "rows": len(crosswalk),
            "features_merged": sum(len(old) for old in merges.values()),
            "merges_used": merges,
            "merges_kept": merged.attrs["merges_kept"],
        },
    )
    return merged, entry


def _arguments(**kwargs: object) -> dict:
    """The arguments of a prepare run, paths made absolute, to run it again from anywhere."""
    paths = ("finance", "poverty", "communes", "indicators", "boundaries", "units", "boundary_crosswalk",
             "rule_settings")
    return {k: (str(Path(v).absolute()) if k in paths and v is not None else v) for k, v in kwargs.items()}


def _input_entry(path: Path, t: ValidatedTable | None, extra: dict | None = None) -> dict:
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


def _sheet_for(name: str, path: str | Path, sheets: dict[str, str] | str | None) -> str | None:
    """The sheet to read for table ``name``: ``--sheet name=X``, or ``--sheet X`` for every workbook."""
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


def prepare(
    finance: str | Path = SAMPLE_FILES["finance"],
    poverty: str | Path = SAMPLE_FILES["poverty"],
    communes: str | Path | None = SAMPLE_FILES["communes"],
    indicators: str | Path | None = "auto",
    boundaries: str | Path = SAMPLE_FILES["boundaries"],
    code_column: str | None = SAMPLE_CODE_COLUMN,
    *,
    name_column: str | None = None,
    district_column: str | None = None,
    layer: str | None = None,
    boundary_crosswalk: str | Path | None = None,
    out: str | Path = PROCESSED_DIR,
    units: str | Path | None = None,
    pad_codes: bool = False,
    decimal: str | None = None,
    rule_settings: str | Path | None = None,
    today: date | str | None = None,
    bounds: Bounds | Mapping[str, float] | None = None,
    sheets: dict[str, str] | str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    step: Callable[[str], None] | None = None,
    wait: float = 0.0,
) -> PrepareResult:
    """Validate and join the inputs once and write the prepared data.

    Parameters
    ----------
    finance, poverty, communes, indicators
        Input tables (CSV or XLSX; ``communes`` and ``indicators`` optional). Defaults: the
        sample files; ``indicators="auto"`` is the sample's only when ``finance`` is the
        sample's too, so the sample's figures never join someone else's data.
    boundaries
        Commune boundaries in any format GDAL reads, any CRS.
    code_column, name_column, district_column, layer
        Columns of the boundary file holding the commune GSO code, the commune name and the
        district (code or name), and its layer.
    boundary_crosswalk
        A table of communes merged since the boundary file's vintage (``old_code, new_code``,
        CSV or XLSX, see :func:`analysis.inputs.crosswalk.read_crosswalk`): the old polygons are
        dissolved into the new communes before matching, except for codes the unit list still
        has. ``match_report`` shows the merges used in ``merged_from``.
    out
        Output folder, replaced atomically (default ``data/processed/``). It must be new,
        empty, or prepared data (an ntp-atlas manifest listing every file in it): any other
        folder, or a file, is refused before anything is read, and left as it is.
    units
        A unit list CSV for codes of another vintage (default: the official list).
    pad_codes
        Restore leading zeros lost by Excel instead of rejecting those rows.
    decimal
        ``","`` or ``"."`` to state the number format of the tables; a table whose numbers
        show the other is refused. By default one convention is decided for the run from the
        evidence of every table (:mod:`analysis.inputs.run_convention`).
    bounds
        The largest figure one row may hold (default :data:`analysis.config.BOUNDS`), or the
        bounds changed from it (``{"amount_mvnd": 2e6}``); figures above are rejected.
    rule_settings
        A JSON file of thresholds for the rule checks over ``resources/rules.json``
        (:func:`analysis.metrics.rules.load_settings`).
    today
        The run date: figures dated after it are rejected (default: today; recorded in the
        manifest's arguments, so a rebuild reads the inputs as this run did).
        The sheet to read per table (``{"finance": "Biểu 01"}``), or one name for every
        workbook; by default the only visible sheet holding the table.
    limits
        Rows read per table, reject lines kept per reason, and the share of a table's rows
        that may be rejected before the table is refused (:class:`~analysis.common.limits.ReadLimits`).
    step
        Called with a short description as each step starts (progress display).
    wait
        Seconds to wait when another run holds ``out`` (a prepare writing it, a batch
        reading it) before giving up (:mod:`analysis.common.locks`).

    Returns
    -------
    PrepareResult

    Raises
    ------
    OutputError
        ``out`` is not ntp-atlas's to replace, or cannot be written (a full or read-only disk).
    BusyError
        Another run holds ``out``. Whatever fails, the prepared data already in ``out`` stays.
    """
    claim_output_folder(out, wait=wait)  # a foreign folder or a busy one: refused before any work
    step = step or (lambda _msg: None)
    run_date = (date.today() if today is None else datetime.fromisoformat(str(today)).date()).isoformat()
    settings = load_settings(rule_settings)
    unit_list = load_unit_list(units)
    tables: dict[str, ValidatedTable] = {}
    inputs = {"finance": (finance, FINANCE), "poverty": (poverty, POVERTY), "communes": (communes, COMMUNES)}
    if isinstance(indicators, str) and indicators == "auto":
        same = Path(finance).resolve() == Path(SAMPLE_FILES["finance"]).resolve()
        indicators = SAMPLE_FILES["indicators"] if same else None
    inputs["indicators"] = (indicators, INDICATORS)  # unit-level figures (analysis.inputs.indicators), optional
    plausible = Bounds.of(bounds)  # "bounds" is the boundary file below
    for name, (path, spec) in inputs.items():
        if path is None:
            continue
        step(f"validating {name}")
        tables[name] = validate_table(
            path, spec, unit_list, sheet=_sheet_for(name, path, sheets), pad_codes=pad_codes, decimal=decimal,
            today=run_date, bounds=plausible, limits=limits,
        )
    # one number convention for the run: a table that showed none is read again with the others'
    numbers = decide_run(tables, decimal)
    for name in read_again(tables, numbers):
        step(f"reading the numbers of {name} as the other tables write them")
        path, spec = inputs[name]
        tables[name] = validate_table(
            path, spec, unit_list, sheet=_sheet_for(name, path, sheets), pad_codes=pad_codes, decimal=decimal,
            run=numbers, today=run_date, bounds=plausible, limits=limits,
        )
    for name, table in tables.items():  # a table that lost most of its rows: refused, the prepared data kept
        check_losses(name, table, limits)

    step("joining boundaries")
    scope = _scope_units(unit_list, tables)
    bounds = read_boundaries(
        boundaries, code_column=code_column, name_column=name_column, district_column=district_column, layer=layer
    )
    crosswalk_entry = None
    if boundary_crosswalk is not None:
        bounds, crosswalk_entry = _apply_crosswalk(bounds, Path(boundaries), Path(boundary_crosswalk), unit_list)
    bounds_scope = _boundaries_in_scope(bounds, scope, unit_list)
    joined, match_report = match_units(scope.drop(columns=["lat", "lon"], errors="ignore"), bounds_scope)
    quality = (
        "approximate"
        if "boundary_quality" in bounds.columns and (bounds["boundary_quality"] == "approximate").any()
        else "surveyed"
    )
    joined["boundary_quality"] = quality
    fin = tables["finance"].accepted
    pov = tables["poverty"].accepted
    cls = (
        tables["communes"].accepted
        if "communes" in tables
        else pd.DataFrame(columns=[*COMMUNES.names, "district_code", "province_code", ROW])
    )
    joined["has_finance"] = joined["commune_code"].isin(fin["commune_code"].dropna().unique())
    joined["has_poverty"] = joined["commune_code"].isin(pov["commune_code"].unique())
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs="EPSG:4326")
    districts = dissolve_units(joined, "district")
    provinces = dissolve_units(joined, "province")

    step("rule checks")
    warnings = run_rules(
        fin,
        pov,
        match_report,
        communes=joined,
        classification=cls,
        subtotals=tables["finance"].found.get("subtotals"),
        settings=settings,
    )
    rejects = _rejects_with_district(tables, unit_list)

    step("writing prepared data")
    with atomic_dir(out, wait=wait) as tmp:
        joined.to_parquet(tmp / "communes.parquet", index=False)
        districts.to_parquet(tmp / "districts.parquet", index=False)
        provinces.to_parquet(tmp / "provinces.parquet", index=False)
        sort = ["province_code", "district_code", "year", "as_of", ROW]
        fin.sort_values(sort).to_parquet(tmp / "finance.parquet", index=False)
        pov.sort_values(["province_code", "district_code", "year", "commune_code"]).to_parquet(
            tmp / "poverty.parquet", index=False
        )
        cls.to_parquet(tmp / "classification.parquet", index=False)
        ind = (
            tables["indicators"].accepted[empty_indicators().columns] if "indicators" in tables else empty_indicators()
        )
        ind.sort_values(["province_code", "district_code", "year", "as_of", "indicator", "unit_code"]).to_parquet(
            tmp / "indicators.parquet", index=False
        )
        for name, frame in (("rejects", rejects), ("warnings", warnings), ("match_report", match_report)):
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
            write_csv(frame, tmp / f"{name}.csv")
        manifest = {
            "tool": "ntp-atlas",
            "version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "inputs": {name: _input_entry(Path(inputs[name][0]), t) for name, t in tables.items()},
            "options": {
                "code_column": code_column,
                "name_column": name_column,
                "district_column": district_column,
                "layer": layer,
                "boundary_crosswalk": str(boundary_crosswalk) if boundary_crosswalk else None,
                "units": str(units) if units else "vietnamadminunits (official list before 2025)",
                "pad_codes": pad_codes,
                "decimal": decimal,
                "bounds": dict(plausible.limits),
                "sheets": sheets,
                "limits": vars(limits),
            },
            "numbers": {
                **numbers.manifest(),
                "summary": numbers.describe(sum(t.numbers.ambiguous for t in tables.values() if t.numbers)),
            },
            "boundaries": {
                **_input_entry(Path(boundaries), None),
                "features": len(bounds),
                "features_in_scope": len(bounds_scope),
                "quality": quality,
                "repaired_geometries": int(bounds.attrs.get("repaired_geometries", 0)),
                "crosswalk": crosswalk_entry,
            },
            "match": match_report["status"].value_counts().to_dict(),
            "warnings": warnings["rule"].value_counts().to_dict() if len(warnings) else {},
            "rules": {
                **settings.as_dict(),
                "file": _input_entry(Path(rule_settings), None) if rule_settings else None,
                "run_date": run_date,
            },
            "provinces": sorted(set(scope["province_code"])),
            "districts": sorted(set(scope["district_code"])),
            "outputs": {f: sha256_file(tmp / f) for f in (*PREPARED_FILES, *PREPARED_CSV)},
            # how to make it again: analysis.store.prepared.ensure_prepared rebuilds damaged data from these
            "arguments": _arguments(
                finance=finance,
                poverty=poverty,
                communes=communes,
                indicators=indicators,
                boundaries=boundaries,
                units=units,
                boundary_crosswalk=boundary_crosswalk,
                code_column=code_column,
                name_column=name_column,
                district_column=district_column,
                layer=layer,
                pad_codes=pad_codes,
                decimal=decimal,
                rule_settings=rule_settings,
                today=run_date,
                bounds=plausible.changed(),
                sheets=sheets,
            ),
            "units_file": _input_entry(Path(units), None) if units else None,
        }
        write_json(tmp / "manifest.json", manifest)
    return PrepareResult(Path(out), manifest, tables, match_report, warnings, rejects, numbers)
