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

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.catalog.unit_systems import NATIVE_2025
from analysis.common.limits import DEFAULT_LIMITS, ReadLimits
from analysis.common.spreadsheet_safe import write_csv
from analysis.common.storage import atomic_dir, claim_output_folder, sha256_file, write_json
from analysis.config import PROCESSED_DIR, SAMPLE_CODE_COLUMN, SAMPLE_FILES
from analysis.errors import PreparedDataError
from analysis.inputs.boundaries import read_boundaries
from analysis.inputs.bounds import Bounds
from analysis.inputs.indicators import empty_indicators
from analysis.inputs.readers import ROW
from analysis.inputs.run_convention import RunConvention, decide_run, read_again
from analysis.inputs.schema import COMMUNES, FINANCE, INDICATORS, POVERTY
from analysis.inputs.validate import ValidatedTable, validate_table
from analysis.metrics.rules import load_settings, run_rules
from analysis.store.prepare_2025 import new_unit_geography
from analysis.store.prepare_inputs import changed_inputs, check_losses, input_entry, prepare_arguments, sheet_for
from analysis.store.prepare_scope import apply_crosswalk, old_unit_geography, rejects_with_district
from analysis.store.prepare_summary import prepare_summary
from analysis.store.prepare_units import run_units
from analysis.store.prepared import damaged_files, load_manifest

__all__ = ["PREPARED_CSV", "PREPARED_FILES", "PrepareResult", "ensure_prepared", "prepare"]


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

    def summary(self) -> str:
        """What prepare did, in lines for the terminal (:func:`analysis.store.prepare_summary.prepare_summary`)."""
        return prepare_summary(self)


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
        The units the tables are keyed to: ``"2025"`` for the communes of 1/7/2025 (province and
        commune codes, no districts), ``"old"`` for the units before it, a unit list CSV for codes
        of another vintage of the old units; by default decided from the tables' codes and years
        (:mod:`analysis.inputs.unit_detection`), which also refuses a table that mixes the two.
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
    tables: dict[str, ValidatedTable] = {}
    inputs = {"finance": (finance, FINANCE), "poverty": (poverty, POVERTY), "communes": (communes, COMMUNES)}
    if isinstance(indicators, str) and indicators == "auto":
        same = Path(finance).resolve() == Path(SAMPLE_FILES["finance"]).resolve()
        indicators = SAMPLE_FILES["indicators"] if same else None
    inputs["indicators"] = (indicators, INDICATORS)  # unit-level figures (analysis.inputs.indicators), optional
    step("reading the tables")
    keyed = run_units(inputs, units, sheets, limits)  # the tables' unit system: old, or 1/7/2025
    new, unit_list = keyed.new, keyed.unit_list
    plausible = Bounds.of(bounds)  # "bounds" is the boundary file below
    for name, (path, _spec) in inputs.items():
        if path is None:
            continue
        step(f"validating {name}")
        tables[name] = validate_table(
            path, keyed.spec(name), unit_list, sheet=sheet_for(name, path, sheets), pad_codes=pad_codes,
            decimal=decimal, today=run_date, bounds=plausible, limits=limits, raw=keyed.raw(name),
        )
    # one number convention for the run: a table that showed none is read again with the others'
    numbers = decide_run(tables, decimal)
    for name in read_again(tables, numbers):
        step(f"reading the numbers of {name} as the other tables write them")
        path = inputs[name][0]
        tables[name] = validate_table(
            path, keyed.spec(name), unit_list, sheet=sheet_for(name, path, sheets), pad_codes=pad_codes,
            decimal=decimal, run=numbers, today=run_date, bounds=plausible, limits=limits, raw=keyed.raw(name),
        )
    for name, table in tables.items():  # a table that lost most of its rows: refused, the prepared data kept
        check_losses(name, table, limits)

    step("joining boundaries")
    bounds = read_boundaries(
        boundaries, code_column=code_column, name_column=name_column, district_column=district_column, layer=layer
    )
    crosswalk_entry = None
    if boundary_crosswalk is not None:
        bounds, crosswalk_entry = apply_crosswalk(bounds, Path(boundaries), Path(boundary_crosswalk), unit_list)
    fin = tables["finance"].accepted
    pov = tables["poverty"].accepted
    cls = (
        tables["communes"].accepted
        if "communes" in tables
        else pd.DataFrame(columns=[*COMMUNES.names, "district_code", "province_code", ROW])
    )
    vintage = None
    if new:  # the communes of 1/7/2025: the file's polygons as they are, or dissolved from the old ones
        geo = new_unit_geography(bounds, boundaries, {name: t.accepted for name, t in tables.items()})
        joined, districts, provinces, match_report, vintage = (
            geo.communes, geo.districts, geo.provinces, geo.match_report, geo.vintage
        )
        bounds_scope, scope, quality = bounds, joined, geo.quality
    else:
        old = old_unit_geography(bounds, unit_list, tables)
        scope, bounds_scope, joined, match_report, quality = (
            old.scope, old.bounds_scope, old.communes, old.match_report, old.quality
        )
        districts, provinces = old.districts, old.provinces

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
    rejects = rejects_with_district(tables, unit_list)

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
            "inputs": {name: input_entry(Path(inputs[name][0]), t) for name, t in tables.items()},
            "options": {
                "code_column": code_column,
                "name_column": name_column,
                "district_column": district_column,
                "layer": layer,
                "boundary_crosswalk": str(boundary_crosswalk) if boundary_crosswalk else None,
                "units": keyed.manifest_text(units),
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
                **input_entry(Path(boundaries), None),
                "features": len(bounds),
                "features_in_scope": len(bounds_scope),
                "quality": quality,
                "repaired_geometries": int(bounds.attrs.get("repaired_geometries", 0)),
                "crosswalk": crosswalk_entry,
                "vintage": vintage or "pre-2025",
                "source": "; ".join(sorted(set(joined["boundary_source"].dropna()))) if new else None,
            },
            "match": match_report["status"].value_counts().to_dict(),
            "warnings": warnings["rule"].value_counts().to_dict() if len(warnings) else {},
            "rules": {
                **settings.as_dict(),
                "file": input_entry(Path(rule_settings), None) if rule_settings else None,
                "run_date": run_date,
            },
            "provinces": sorted(set(scope["province_code"])),
            "districts": [] if new else sorted(set(scope["district_code"])),
            "outputs": {f: sha256_file(tmp / f) for f in (*PREPARED_FILES, *PREPARED_CSV)},
            # how to make it again: ensure_prepared rebuilds damaged data from these
            "arguments": prepare_arguments(
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
            "units_file": input_entry(keyed.list_file(units), None) if keyed.list_file(units) else None,
        }
        if new:
            manifest["units"] = NATIVE_2025.key
        write_json(tmp / "manifest.json", manifest)
    return PrepareResult(Path(out), manifest, tables, match_report, warnings, rejects, numbers)


def ensure_prepared(
    data_dir: str | Path = PROCESSED_DIR, *, rebuild: bool = True, log: Callable[[str], None] | None = None
) -> dict:
    """Check every prepared file against the manifest; rebuild damaged data from its inputs.

    A prepared file that is missing, changed or cut short (a disk error, a copy that stopped
    half way) is never read. When the inputs ``prepare`` was run on are still where they were
    and unchanged (their SHA-256 in the manifest), the prepared data is made again from them
    with the same options, so a batch carries on with exactly the data it would have had.
    Otherwise the message says which file is corrupt and which input changed.

    Parameters
    ----------
    data_dir
        Prepared-data folder; a URL (``s3://…``) is checked but never rebuilt.
    rebuild
        Rebuild when possible (``False``: only check).
    log
        Called with a sentence when files are found damaged and rebuilt (default: printed on
        stderr, so that a cron job's log says so).

    Returns
    -------
    dict
        The manifest of the intact (or rebuilt) data.

    Raises
    ------
    PreparedDataError
        Damaged and cannot be rebuilt: "data/processed/finance.parquet is corrupt (hash
        mismatch); run 'ntp-atlas prepare' again" with the reason it was not rebuilt.
    """
    manifest = load_manifest(data_dir)
    bad = damaged_files(data_dir, manifest)
    if not bad:
        return manifest
    listed = ", ".join(f"{data_dir}/{name}" for name in bad)
    problem = f"{listed} {'is' if len(bad) == 1 else 'are'} corrupt (hash mismatch with manifest.json)"
    arguments = manifest.get("arguments")
    why = None
    if not rebuild:
        why = "rebuilding was not asked for"
    elif "://" in str(data_dir):
        why = "prepared data at a URL is not rebuilt here"
    elif not arguments:
        why = "the manifest does not record how it was made (made by an older version)"
    elif changed := changed_inputs(manifest):
        why = "the inputs it was made from have changed or moved since: " + ", ".join(changed)
    if why:
        raise PreparedDataError(f"{problem}; {why}. Run 'ntp-atlas prepare' again.")
    (log or (lambda msg: print(msg, file=sys.stderr)))(
        f"{problem}: rebuilding from the inputs recorded in the manifest"
    )
    return prepare(**arguments, out=data_dir).manifest
