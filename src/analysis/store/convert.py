"""Prepared data keyed to the 2025 units: ``ntp-atlas convert --to 2025``.

:func:`convert_prepared` reads a prepared-data folder keyed to the old units (from
``ntp-atlas prepare``), converts every table with :mod:`analysis.metrics.allocation` (crosswalk and
shares from :mod:`analysis.inputs.allocation_keys`) and writes, atomically, a folder of the same shape keyed to
the new units, so the same loaders read it:

=============================  ===============================================================
``communes.parquet``           the new communes that received any old commune of the data, with
                               polygons dissolved from the old ones (``boundary_source`` says
                               "derived from pre-2025 communes") or from a new boundary file
``provinces.parquet``          the new provinces, dissolved from those communes
``districts.parquet``          the **old** districts, for reference only (``reference_only``):
                               districts were abolished; no table is keyed to them any more
``finance.parquet`` …          the converted tables; ``district_code`` is empty throughout,
                               ``province_code`` is the new province
``convert_report.parquet/csv`` every merge, every split (with its share and key), every old
                               commune left out of a new one's figures, every unmapped unit
``convert_totals.csv``         totals per new province before and after, and not mapped
``manifest.json``              as from prepare, plus ``units: "2025"``, the crosswalk, the keys
                               used, the totals before and after per province
any other table (indicators)   written **empty**, with the same columns, and listed under
                               ``not_converted`` in the manifest and in the summary: no rule
                               converts it yet
=============================  ===============================================================

Totals per new province are checked before the folder is written: every amount and count of
the old data is either in the converted tables or listed as unmapped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis import __version__
from analysis.catalog.unit_systems import CONVERTED_2025, unit_system_of
from analysis.catalog.units_2025 import new_province_of_old_district, new_units
from analysis.common.locks import reading
from analysis.common.spreadsheet_safe import write_csv
from analysis.common.storage import STAGING_MARK, atomic_dir, claim_output_folder, sha256_file, write_json
from analysis.config import PROCESSED_DIR
from analysis.errors import ParameterError
from analysis.inputs.allocation_keys import intersection_areas, split_shares
from analysis.inputs.boundaries import read_boundaries
from analysis.inputs.reform_crosswalk import load_crosswalk
from analysis.metrics.allocation import convert_classification, convert_finance, convert_poverty
from analysis.store.convert_boundaries import (
    SPLIT_METHOD,
    new_communes,
    new_match_report,
    new_provinces,
    reference_districts,
)
from analysis.store.convert_report import CONVERTED_TABLES, change_report, reconcile
from analysis.store.prepared import load_manifest, read_prepared

__all__ = ["ConvertResult", "convert_prepared", "convert_summary"]



@dataclass
class ConvertResult:
    """What :func:`convert_prepared` did, for the command line summary and for tests."""

    out_dir: Path
    manifest: dict
    pairs: pd.DataFrame
    report: pd.DataFrame
    totals: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    communes: gpd.GeoDataFrame

    def summary(self) -> str:
        """What the conversion did, in a few lines for the terminal (:func:`convert_summary`)."""
        return convert_summary(self)



# --- the folder ------------------------------------------------------------------------


def _scope(old_communes: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> set[str]:
    codes = set(old_communes["commune_code"].dropna().unique())
    for t in tables.values():
        codes |= set(t["commune_code"].dropna().unique())
    return codes


def _with_new_province(frame: pd.DataFrame) -> pd.DataFrame:
    """Rejects and warnings keep the old codes of their input rows; add the new province."""
    out = frame.copy()
    if "district_code" in out.columns:
        out["province_code"] = out["district_code"].map(new_province_of_old_district()).astype("string")
    return out


def _manifest(
    source_dir: Path,
    source: dict,
    options: dict,
    pairs: pd.DataFrame,
    scope_pairs: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    report: pd.DataFrame,
    totals: pd.DataFrame,
    extra: dict,
) -> dict:
    split_units = scope_pairs[scope_pairs["n_new"] > 1].drop_duplicates("old_unit")
    merged = scope_pairs[scope_pairs["n_old"] > 1]["new_code"].nunique()
    return {
        "tool": "ntp-atlas",
        "version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "units": CONVERTED_2025.key,
        "levels": ["province", "commune"],
        "source": {
            "path": str(source_dir),
            "created_at": source.get("created_at"),
            "manifest_sha256": sha256_file(source_dir / "manifest.json"),
            "outputs": source.get("outputs", {}),
        },
        "inputs": source.get("inputs", {}),
        "options": options,
        "crosswalk": {
            "source": pairs.attrs.get("source"),
            "old_units_in_data": int(scope_pairs["old_unit"].nunique()),
            "new_communes": int(scope_pairs["new_code"].nunique()),
            "merges": int(merged),
            "splits": int(len(split_units)),
            "keys_used": split_units["allocation_key"].value_counts().to_dict(),
            "not_in_data": int((report["change"] == "not_in_data").sum()),
            "unmapped": int((report["change"] == "unmapped").sum()),
        },
        "boundaries": extra["boundaries"],
        "match": communes["match"].value_counts().to_dict(),
        "warnings": source.get("warnings", {}),
        "provinces": sorted(communes["province_code"].dropna().unique().tolist()),
        "districts": [],
        "reference_districts": extra["reference_districts"],
        "totals": totals.to_dict("records"),
    }


_READ = ("communes", "districts", "finance", "poverty", "classification", "rejects", "warnings", "match_report")
#: The tables the converted folder gets from the conversion; any other table of the source is not converted.
_MADE = {*_READ, "provinces", "convert_report"}


def _read_source(data_dir: Path, source: dict) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The tables converted here, and any other table of the folder (hash-checked, both)."""
    old = {name: read_prepared(data_dir, name, manifest=source) for name in _READ}
    names = [Path(f).stem for f in source.get("outputs", {}) if f.endswith(".parquet")]
    others = {name: read_prepared(data_dir, name, manifest=source) for name in names if name not in _MADE}
    return old, others


def convert_prepared(
    data_dir: str | Path = PROCESSED_DIR,
    out: str | Path | None = None,
    *,
    to: str = CONVERTED_2025.key,
    crosswalk: str | Path | None = None,
    key: str = "area",
    new_boundaries: str | Path | None = None,
    new_code_column: str = "commune_code",
    new_layer: str | None = None,
    step: Callable[[str], None] | None = None,
    wait: float = 0.0,
) -> ConvertResult:
    """Convert prepared data keyed to the old units into prepared data keyed to the 2025 units.

    Parameters
    ----------
    data_dir
        Prepared data from ``ntp-atlas prepare`` (old units).
    out
        Output folder, replaced atomically; default ``<data_dir>-2025`` beside it. It must be
        new, empty, or converted data (an ntp-atlas manifest listing every file in it): any
        other folder, or a file, is refused before anything is read, and left as it is.
    to
        Target vintage; only ``"2025"``.
    crosswalk
        A user's crosswalk file (``old_code, new_code[, weight]``); default: the package's.
    key
        Allocation key for divided communes: ``area`` (default), ``population`` or ``equal``
        (see :func:`analysis.inputs.allocation_keys.split_shares` for what each falls back to).
    new_boundaries, new_code_column, new_layer
        Boundaries of the new communes, if known: they give the ``area`` key and the polygons;
        without them the polygons are dissolved from the old communes.
    step
        Called with a short description as each step starts.
    wait
        Seconds to wait when another run holds ``out`` or is writing ``data_dir``.

    Returns
    -------
    ConvertResult

    Raises
    ------
    ParameterError
        Unknown target or key, ``out`` the same as ``data_dir``, data already converted.
    PreparedDataError
        The prepared data is missing or damaged.
    InputFileError
        The crosswalk or the boundary file cannot be used.
    """
    step = step or (lambda _msg: None)
    target = CONVERTED_2025.key
    if str(to) != target:
        raise ParameterError(f"cannot convert to '{to}': the only reform known is {target} (use --to {target})")
    data_dir = Path(data_dir)
    out = Path(out) if out is not None else data_dir.with_name(f"{data_dir.name}-{CONVERTED_2025.key}")
    if out.absolute() == data_dir.absolute():
        raise ParameterError(f"--out must differ from --data-dir ({data_dir}): the old-unit data is kept")
    claim_output_folder(out, wait=wait)  # a foreign folder or a busy one: refused before any work
    step("reading prepared data")
    with reading(data_dir, wait=wait) as version:  # no prepare swaps the data in while it is read
        source = load_manifest(data_dir)
        if unit_system_of(source).after_reform:
            raise ParameterError(f"{data_dir} is already keyed to the {CONVERTED_2025.key} units: nothing to convert")
        old, others = _read_source(data_dir, source)
    tables = {name: old[name] for name in CONVERTED_TABLES}

    step("crosswalk")
    pairs = load_crosswalk(crosswalk)
    scope = _scope(old["communes"], tables)
    new_bounds = areas = None
    if new_boundaries is not None:
        new_bounds = read_boundaries(new_boundaries, code_column=new_code_column, layer=new_layer)
        split = pairs[pairs["old_code"].isin(scope) & (pairs["n_new"] > 1)]
        areas = intersection_areas(old["communes"], new_bounds, split)
    pairs = split_shares(pairs, key, areas)
    scope_pairs = pairs[pairs["old_code"].isin(scope)].reset_index(drop=True)

    step("converting tables")
    converted, unmapped = {}, {}
    for name, fn in (
        ("finance", convert_finance),
        ("poverty", convert_poverty),
        ("classification", convert_classification),
    ):
        converted[name], unmapped[name] = fn(tables[name], pairs)
    totals = reconcile(tables, converted, unmapped)

    step("new-unit boundaries")
    new_source = f"new boundary file {Path(new_boundaries).name}" if new_boundaries is not None else None
    communes = new_communes(old["communes"], scope_pairs, new_bounds, new_source, converted)
    provinces = new_provinces(communes)
    districts = reference_districts(old["districts"])
    report = change_report(scope_pairs, pairs, tables, unmapped)
    quality = "approximate" if (communes["boundary_quality"] == "approximate").any() else "surveyed"
    extra = {
        "boundaries": {
            "source": "; ".join(sorted(set(communes["boundary_source"]))),
            "derived_from": source.get("boundaries", {}),
            "split_method": SPLIT_METHOD,
            "new_boundaries": str(new_boundaries) if new_boundaries is not None else None,
            "quality": quality,
        },
        "reference_districts": sorted(districts["district_code"].astype(str)),
    }
    options = {
        "to": CONVERTED_2025.key,
        "crosswalk": str(crosswalk) if crosswalk else None,
        "key": key,
        "new_boundaries": str(new_boundaries) if new_boundaries else None,
        "new_code_column": new_code_column,
        "new_layer": new_layer,
    }

    step("writing converted data")
    frames = {
        "communes": communes,
        "districts": districts,
        "provinces": provinces,
        **converted,
        **{name: frame.iloc[0:0] for name, frame in others.items()},
    }
    with_csv = {
        "rejects": _with_new_province(old["rejects"]),
        "warnings": _with_new_province(old["warnings"]),
        "match_report": new_match_report(communes, old["match_report"]),
        "convert_report": report,
    }
    with atomic_dir(out, wait=wait) as tmp:
        version.check()  # the manifest recorded below must be the one the tables were read with
        for name, frame in {**frames, **with_csv}.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        for name, frame in with_csv.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_csv(totals, tmp / "convert_totals.csv")
        manifest = _manifest(data_dir, source, options, pairs, scope_pairs, communes, report, totals, extra)
        manifest["not_converted"] = {
            name: {"rows": len(frame), "reason": "no conversion rule for this table yet; written empty"}
            for name, frame in others.items()
        }
        # the files of the converted data; not the staging mark, removed as the folder is swapped in
        manifest["outputs"] = {f.name: sha256_file(f) for f in sorted(tmp.iterdir())
                               if f.is_file() and f.name != STAGING_MARK}  # fmt: skip
        write_json(tmp / "manifest.json", manifest)
    return ConvertResult(out, manifest, scope_pairs, report, totals, converted, communes)


def convert_summary(result: ConvertResult) -> str:
    """What the conversion did, in a few lines for the terminal."""
    m = result.manifest
    c = m["crosswalk"]
    names = new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
    keys = ", ".join(f"{k} {v}" for k, v in sorted(c["keys_used"].items())) or "none needed"
    lines = [
        f"converted data written to {result.out_dir} (units from 1/7/2025; crosswalk: {c['source']})",
        f"  {c['old_units_in_data']} old communes → {c['new_communes']} new communes in "
        f"{len(m['provinces'])} province(s): {', '.join(f'{p} {names.get(p, p)}' for p in m['provinces'])}",
        f"  merges   {c['merges']} new communes formed from 2 or more old units",
        f"  splits   {c['splits']} old communes divided, figures estimated; keys used: {keys} "
        f"(asked: {m['options']['key']})",
        f"  left out {c['not_in_data']} old communes of these new communes have no data (outside the prepared data)",
        f"  unmapped {c['unmapped']}",
        *[
            f"  NOT CONVERTED {name}: {v['rows']} rows ({v['reason']})"
            for name, v in m.get("not_converted", {}).items()
        ],
        f"  boundaries: {m['boundaries']['source']} ({m['boundaries']['quality']})",
        "",
        "totals over every row (all years and snapshots: a check that nothing was lost or created, not a figure):",
        f"{'province':<10}{'table':<16}{'column':<22}{'before':>18}{'after':>18}{'not mapped':>14}",
    ]
    for r in result.totals.itertuples(index=False):
        if r.column in ("plan_mvnd", "disbursed_mvnd", "households", "poor_households"):
            lines.append(
                f"{r.province_code:<10}{r.table:<16}{r.column:<22}{r.before:>18,.3f}{r.after:>18,.3f}"
                f"{r.not_mapped:>14,.3f}"
            )
    for r in result.report[result.report["change"] == "unmapped"].head(10).itertuples(index=False):
        lines.append(f"  unmapped {r.old_code if pd.notna(r.old_code) else r.old_district_code}: {r.note}")
    lines.append(f"report: {result.out_dir / 'convert_report.csv'} (every merge, split and unmapped unit)")
    return "\n".join(lines)
