"""Prepared data keyed to the 2025 units: ``ntp-atlas convert --to 2025``.

:func:`convert_prepared` reads a prepared-data folder keyed to the old units (from
``ntp-atlas prepare``), converts every table with :mod:`analysis.metrics.allocation` (crosswalk
from :mod:`analysis.inputs.reform_crosswalk`, shares from :mod:`analysis.inputs.allocation_keys`)
and writes, atomically, a folder of the same shape keyed to the new units, so the same loaders
read it:

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
import numpy as np
import pandas as pd
import shapely

from analysis import __version__
from analysis.catalog.units_2025 import new_province_of_old, new_province_of_old_district, new_units
from analysis.common.locks import reading
from analysis.common.spreadsheet_safe import write_csv
from analysis.common.storage import STAGING_MARK, atomic_dir, claim_output_folder, sha256_file, write_json
from analysis.config import METRIC_CRS, PROCESSED_DIR, STORAGE_CRS
from analysis.errors import NtpAtlasError, ParameterError
from analysis.inputs.allocation_keys import intersection_areas, split_shares
from analysis.inputs.boundaries import read_boundaries
from analysis.inputs.reform_crosswalk import load_crosswalk
from analysis.inputs.unit_shapes import dissolve_units
from analysis.metrics.allocation import convert_classification, convert_finance, convert_poverty
from analysis.store.prepared import load_manifest, read_table

__all__ = ["ConvertResult", "convert_prepared", "convert_summary", "derive_communes"]

VINTAGE = "2025"
OLD_VINTAGE = "pre-2025"
#: A divided commune's piece whose new commune's centre lies farther than this from the old
#: commune's centre is flagged in the report (the package's centres are geocoded: a hint only).
FAR_KM = 25.0
SPLIT_METHOD = (
    "a divided old commune's polygon is cut between its new communes by the Voronoi cells of their "
    "centre points (vietnamadminunits); the cut is approximate"
)
REPORT_COLUMNS_CONVERT = [
    "change", "old_code", "old_name", "old_district_code", "old_district_name", "old_province_code",
    "old_province_name", "new_code", "new_name", "new_province_code", "new_province_name", "n_old", "n_new",
    "share", "allocation_key", "in_data", "distance_km", "note",
]  # fmt: skip
_TABLES = ("finance", "poverty", "classification")


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


# --- boundaries --------------------------------------------------------------------------


def _centres() -> pd.Series:
    u = new_units()
    pts = gpd.GeoSeries(gpd.points_from_xy(u["lon"], u["lat"]), index=u["commune_code"], crs=STORAGE_CRS)
    return pts.to_crs(METRIC_CRS)


def _polygonal(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def _main_piece(group: pd.DataFrame) -> str:
    ordered = group.sort_values(["share", "package_default"], ascending=False, kind="stable")
    return ordered["new_code"].iloc[0]


def _cut(geom, group: pd.DataFrame, centres: pd.Series) -> list[tuple[str, object]]:
    """A divided commune's polygon in pieces, one per new commune, by nearest new centre."""
    seen: set[tuple[float, float]] = set()
    known = []
    for code in group["new_code"]:
        point = centres.get(code)
        if point is not None and not point.is_empty and (point.x, point.y) not in seen:
            seen.add((point.x, point.y))
            known.append((code, point))
    if len(known) < 2:  # nothing to cut by: the whole polygon goes to the main piece
        return [(_main_piece(group), geom)]
    cells = shapely.voronoi_polygons(shapely.MultiPoint([p for _, p in known]), extend_to=geom, ordered=True)
    pieces = [(code, _polygonal(geom.intersection(cell))) for (code, _), cell in zip(known, cells.geoms, strict=True)]
    return [(code, piece) for code, piece in pieces if piece is not None]


def derive_communes(old: gpd.GeoDataFrame, pairs: pd.DataFrame) -> gpd.GeoDataFrame:
    """Polygons of new communes dissolved from the old communes' polygons.

    An old commune wholly inside one new commune gives it its whole polygon; a divided one is
    cut between its new communes by the Voronoi cells of their centre points (the package's
    points), an approximation flagged by ``cut = True``.

    Parameters
    ----------
    old
        Old communes with ``commune_code`` and polygons (geometry may be None), any CRS.
    pairs
        The crosswalk pairs of those communes (``old_code``, ``new_code``, ``n_new``, ``share``,
        ``package_default``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune_code`` (new), ``cut`` (a piece of it was cut), geometry in EPSG:4326; new
        communes that got no polygon are absent.
    """
    metric = old.dropna(subset=["commune_code"]).to_crs(METRIC_CRS).drop_duplicates("commune_code")
    shapes = dict(zip(metric["commune_code"], metric.geometry.values, strict=True))
    centres = _centres()
    valid = pairs.dropna(subset=["old_code"])
    targets: dict[str, list[int]] = {}
    for i, code in enumerate(valid["old_code"]):
        targets.setdefault(code, []).append(i)
    new_codes = valid["new_code"].to_numpy()
    pieces: list[tuple[str, object, bool]] = []
    for old_code in sorted(targets):
        geom = shapes.get(old_code)
        if geom is None or geom.is_empty:
            continue
        rows = targets[old_code]
        if len(rows) == 1:  # most communes: wholly inside one new commune
            pieces.append((new_codes[rows[0]], geom, False))
        else:
            pieces += [(code, piece, True) for code, piece in _cut(geom, valid.iloc[rows], centres)]
    if not pieces:
        return gpd.GeoDataFrame({"commune_code": [], "cut": []}, geometry=[], crs=STORAGE_CRS)
    frame = pd.DataFrame(pieces, columns=["commune_code", "geometry", "cut"])
    rows = [
        (code, bool(g["cut"].any()), shapely.union_all(g["geometry"].to_numpy()))
        for code, g in frame.groupby("commune_code", sort=True)
    ]
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["commune_code", "cut", "geometry"]), crs=METRIC_CRS)
    return out.to_crs(STORAGE_CRS)


def _joined_codes(pairs: pd.DataFrame, column: str) -> pd.Series:
    """New commune code -> the distinct values of ``column`` of its pairs, sorted, joined with ';'."""
    distinct = pairs[["new_code", column]].dropna().drop_duplicates().sort_values(["new_code", column])
    return distinct.groupby("new_code")[column].agg(";".join)


def _attributes(codes: list[str]) -> pd.DataFrame:
    """Codes and names of new communes, with the district columns of the old layout left empty."""
    u = new_units().set_index("commune_code")
    frame = pd.DataFrame({"commune_code": pd.array(codes, dtype="string")})
    for col in ("province_code", "province_name"):
        frame[col] = frame["commune_code"].map(u[col]).astype("string")
    for col in ("district_code", "district_name", "district_type"):
        frame[col] = pd.Series(pd.NA, index=frame.index, dtype="string")
    for col in ("commune_name", "commune_type"):
        frame[col] = frame["commune_code"].map(u[col]).astype("string")
    return frame


def _geometry(
    frame: pd.DataFrame,
    old: gpd.GeoDataFrame,
    scope_pairs: pd.DataFrame,
    new_bounds: gpd.GeoDataFrame | None,
    new_source: str | None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Each new commune's polygon, and where it came from: ``match``, ``boundary_quality``, ``boundary_source``."""
    codes = frame["commune_code"]
    derived = derive_communes(old, scope_pairs).set_index("commune_code")
    geometry = codes.map(derived.geometry)
    cut = codes.map(derived["cut"]).fillna(False).astype(bool)
    source = pd.Series(f"derived from {OLD_VINTAGE} communes", index=frame.index, dtype="string")
    match = pd.Series("derived", index=frame.index, dtype="string")
    if new_bounds is not None:
        given = new_bounds.dropna(subset=["commune_code"]).drop_duplicates("commune_code").set_index("commune_code")
        has = codes.isin(given.index)
        geometry = geometry.where(~has, codes.map(given.geometry))
        source = source.where(~has, new_source)
        match = match.where(~has, "matched_code")
        cut = cut & ~has
    match = match.where(geometry.notna(), "no_geometry")
    approx = pd.Series(False, index=frame.index)
    if "boundary_quality" in old.columns:  # derived from approximate polygons: approximate too
        old_quality = old.set_index("commune_code")["boundary_quality"]
        approx_old = scope_pairs["old_code"].map(old_quality).eq("approximate")
        approx = codes.map(approx_old.groupby(scope_pairs["new_code"]).any()).fillna(False) & (match == "derived")
    quality = pd.Series(np.where(approx | cut, "approximate", "surveyed"), index=frame.index, dtype="string")
    return geometry, pd.DataFrame({"match": match, "boundary_quality": quality, "boundary_source": source})


def _provenance(frame: pd.DataFrame, scope_pairs: pd.DataFrame) -> pd.DataFrame:
    """Which old units each new commune holds, and whether all of them are in the data."""
    codes = frame["commune_code"]
    g = scope_pairs.groupby("new_code")
    out = pd.DataFrame(index=frame.index)
    out["n_old_communes"] = codes.map(g["n_old"].first()).astype("int64")
    out["n_old_communes_in_data"] = codes.map(g["old_unit"].nunique()).astype("int64")
    out["complete"] = out["n_old_communes_in_data"] >= out["n_old_communes"]
    out["old_commune_codes"] = codes.map(_joined_codes(scope_pairs, "old_code")).astype("string")
    out["old_district_codes"] = codes.map(_joined_codes(scope_pairs, "old_district_code")).astype("string")
    split = _joined_codes(scope_pairs[scope_pairs["n_new"] > 1], "old_code")
    out["split_old_codes"] = codes.map(split).astype("string").fillna("")
    return out


def _new_communes(
    old: gpd.GeoDataFrame,
    scope_pairs: pd.DataFrame,
    new_bounds: gpd.GeoDataFrame | None,
    new_source: str | None,
    tables: dict[str, pd.DataFrame],
) -> gpd.GeoDataFrame:
    """The communes table of the converted folder: one row per new commune in scope."""
    frame = _attributes(sorted(scope_pairs["new_code"].unique()))
    geometry, origin = _geometry(frame, old, scope_pairs, new_bounds, new_source)
    frame["match"] = origin["match"]
    frame["boundary_quality"] = origin["boundary_quality"]
    for name in ("finance", "poverty"):
        frame[f"has_{name}"] = frame["commune_code"].isin(tables[name]["commune_code"].dropna().unique())
    frame["boundary_source"] = origin["boundary_source"]
    frame = pd.concat([frame, _provenance(frame, scope_pairs)], axis=1)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry.to_numpy(), crs=STORAGE_CRS), crs=STORAGE_CRS)


def _provinces(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    provinces = dissolve_units(communes, "province")
    official = new_units().groupby("province_code")["commune_code"].nunique()
    provinces["n_communes_official"] = provinces["province_code"].map(official).astype("int64")
    sources = communes.groupby("province_code")["boundary_source"].agg(lambda s: "; ".join(sorted(set(s))))
    provinces["boundary_source"] = provinces["province_code"].map(sources).astype("string")
    return provinces


def _reference_districts(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The old districts, kept as a reference layer under their new province."""
    out = districts.copy()
    out["old_province_code"] = out["province_code"].astype("string")
    out["old_province_name"] = out["province_name"].astype("string")
    pmap = new_province_of_old()
    names = new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
    out["province_code"] = out["old_province_code"].map(pmap).astype("string")
    out["province_name"] = out["province_code"].map(names).astype("string")
    out["reference_only"] = True
    out["valid_until"] = "2025-06-30"
    return out


def _match_report(communes: gpd.GeoDataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """How each new commune got its polygon, in the columns of the old match report."""
    known = {
        "status": communes["match"].astype("string"),
        "commune_code": communes["commune_code"].astype("string"),
        "commune_name": communes["commune_name"].astype("string"),
        "boundary_code": communes["commune_code"].astype("string").where(communes["match"] == "matched_code"),
        "boundary_name": communes["boundary_source"].astype("string"),
    }
    report = pd.DataFrame(index=communes.index)
    for col in dict.fromkeys([*like.columns, *known]):
        if col in known:
            report[col] = known[col].to_numpy()
        else:  # district columns and whatever else the old report has: empty, same dtype
            report[col] = pd.Series(pd.NA, index=communes.index).astype(like[col].dtype if col in like else "string")
    return report.reset_index(drop=True)


# --- the report of changes and the totals ------------------------------------------------


def _distance_km(pairs: pd.DataFrame) -> pd.Series:
    from analysis.catalog.units import official_units

    old = official_units().dropna(subset=["commune_code"]).set_index("commune_code")
    new = new_units().set_index("commune_code")
    lat1, lon1 = (np.radians(pairs["old_code"].map(old[c]).astype(float)) for c in ("lat", "lon"))
    lat2, lon2 = (np.radians(pairs["new_code"].map(new[c]).astype(float)) for c in ("lat", "lon"))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return (2 * 6371.0 * np.arcsin(np.sqrt(h))).round(1)


def _pair_notes(p: pd.DataFrame) -> pd.Series:
    notes = []
    for r in p.itertuples(index=False):
        if r.n_new > 1:
            text = f"divided among {r.n_new} new communes; {r.share:.1%} of its figures allocated by {r.allocation_key}"
            if pd.notna(r.distance_km) and r.distance_km > FAR_KM:
                text += f"; the centres are {r.distance_km:.0f} km apart: check this piece"
        elif r.n_old > 1:
            text = f"merged: one of {r.n_old} old units of {r.new_name}"
        else:
            text = "one to one"
        notes.append(text)
    return pd.Series(notes, index=p.index, dtype="string")


def _in_data(codes: pd.Series, tables: dict[str, pd.DataFrame]) -> pd.Series:
    present = {name: set(t["commune_code"].dropna().unique()) for name, t in tables.items()}
    return codes.map(lambda c: ";".join(n for n in _TABLES if c in present[n])).astype("string")


def _unmapped_rows(unmapped: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One report row per unit of the data that the crosswalk does not know."""
    fin = unmapped["finance"]
    by_commune = fin[fin["commune_code"].notna()].groupby("commune_code")
    money = by_commune[["plan_mvnd", "disbursed_mvnd"]].sum().assign(rows=by_commune.size())
    counts = {name: unmapped[name]["commune_code"].value_counts() for name in ("poverty", "classification")}
    codes = sorted(set(money.index) | set(counts["poverty"].index) | set(counts["classification"].index))
    rows = []
    for code in codes:
        parts = []
        if code in money.index:
            m = money.loc[code]
            parts.append(
                f"finance {int(m['rows'])} rows (plan {m['plan_mvnd']:,.3f}, disbursed {m['disbursed_mvnd']:,.3f} "
                "million VND)"
            )
        parts += [f"{name} {int(c[code])} rows" for name, c in counts.items() if code in c.index]
        note = "no row in the crosswalk; left out of the converted data: " + ", ".join(parts)
        rows.append({"change": "unmapped", "old_code": code, "note": note})
    for district, n in fin.loc[fin["commune_code"].isna(), "district_code"].value_counts().sort_index().items():
        note = f"district-level finance rows of a district the crosswalk does not know: {n} rows left out"
        rows.append({"change": "unmapped", "old_district_code": district, "note": note})
    return pd.DataFrame(rows)


def change_report(
    scope_pairs: pd.DataFrame, pairs: pd.DataFrame, tables: dict[str, pd.DataFrame], unmapped: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """Every change met by the data: splits, merges, one-to-one, old units left out, unmapped.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPORT_COLUMNS_CONVERT`; ``change`` is ``split``, ``merged``,
        ``one_to_one``, ``not_in_data`` (an old unit of a new commune in the data, itself
        without data: the new commune's figures leave it out) or ``unmapped`` (a unit of the
        data with no row in the crosswalk: its rows are left out).
    """
    p = scope_pairs.copy()
    p["distance_km"] = _distance_km(p)
    p["in_data"] = _in_data(p["old_code"], tables)
    p["note"] = _pair_notes(p)
    missing = pairs[pairs["new_code"].isin(p["new_code"]) & ~pairs["old_unit"].isin(p["old_unit"])].copy()
    missing["change"] = "not_in_data"
    missing["note"] = "not in the prepared data: the new commune's figures leave it out"
    missing["in_data"] = ""
    out = pd.concat([p, missing, _unmapped_rows(unmapped)], ignore_index=True)
    for col in REPORT_COLUMNS_CONVERT:
        if col not in out.columns:
            out[col] = pd.NA
    out = out[REPORT_COLUMNS_CONVERT]
    order = {"split": 0, "merged": 1, "one_to_one": 2, "not_in_data": 3, "unmapped": 4}
    out["_order"] = out["change"].map(order)
    out = out.sort_values(["_order", "new_province_code", "new_code", "old_code"], na_position="last")
    return out.drop(columns="_order").reset_index(drop=True)


_TOTALS = {
    "finance": ["plan_mvnd", "disbursed_mvnd"],
    "poverty": ["households", "poor_households", "near_poor_households", "em_households", "em_poor_households"],
    "classification": ["dbkk_villages"],
}


def _by_new_province(frame: pd.DataFrame, columns: list[str], old: bool) -> pd.Series:
    if not len(frame):  # no such table (no communes table given), or no rows: no totals, same shape
        index = pd.MultiIndex.from_arrays([[], []], names=["province_code", "column"])
        return pd.Series(index=index, dtype="float64")
    province = frame["province_code"].map(new_province_of_old()) if old else frame["province_code"]
    return frame[columns].groupby(province.astype(str)).sum().stack()


def reconcile(
    before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame], unmapped: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """Totals per new province, before and after: ``before = after + not_mapped`` for each.

    Raises
    ------
    NtpAtlasError
        A total is not kept (a bug: nothing may be lost or created by the conversion).
    """
    frames = []
    for name, columns in _TOTALS.items():
        b = _by_new_province(before[name], columns, old=True)
        a = _by_new_province(after[name], columns, old=False)
        n = _by_new_province(unmapped[name], columns, old=True)
        t = pd.concat([b.rename("before"), a.rename("after"), n.rename("not_mapped")], axis=1).fillna(0.0)
        t.index = t.index.set_names(["province_code", "column"])
        frames.append(t.reset_index().assign(table=name))
    totals = pd.concat(frames, ignore_index=True)[["province_code", "table", "column", "before", "after", "not_mapped"]]
    gap = totals["before"] - totals["after"] - totals["not_mapped"]
    bad = totals[gap.abs() > 1e-6 * (1 + totals["before"].abs())]
    if len(bad):
        r = bad.iloc[0]
        raise NtpAtlasError(
            f"the conversion does not keep the totals ({r['table']}.{r['column']} of province {r['province_code']}: "
            f"{r['before']} before, {r['after']} after, {r['not_mapped']} not mapped). This is a bug in ntp-atlas; "
            "nothing was written"
        )
    return totals


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
        "units": VINTAGE,
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
    old = {name: read_table(data_dir, name, manifest=source) for name in _READ}
    names = [Path(f).stem for f in source.get("outputs", {}) if f.endswith(".parquet")]
    others = {name: read_table(data_dir, name, manifest=source) for name in names if name not in _MADE}
    return old, others


def convert_prepared(
    data_dir: str | Path = PROCESSED_DIR,
    out: str | Path | None = None,
    *,
    to: str = VINTAGE,
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
    if str(to) != VINTAGE:
        raise ParameterError(f"cannot convert to '{to}': the only reform known is {VINTAGE} (use --to {VINTAGE})")
    data_dir = Path(data_dir)
    out = Path(out) if out is not None else data_dir.with_name(f"{data_dir.name}-{VINTAGE}")
    if out.absolute() == data_dir.absolute():
        raise ParameterError(f"--out must differ from --data-dir ({data_dir}): the old-unit data is kept")
    claim_output_folder(out, wait=wait)  # a foreign folder or a busy one: refused before any work
    step("reading prepared data")
    with reading(data_dir, wait=wait) as version:  # no prepare swaps the data in while it is read
        source = load_manifest(data_dir)
        if source.get("units") == VINTAGE:
            raise ParameterError(f"{data_dir} is already keyed to the {VINTAGE} units")
        old, others = _read_source(data_dir, source)
    tables = {name: old[name] for name in _TABLES}

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
    communes = _new_communes(old["communes"], scope_pairs, new_bounds, new_source, converted)
    provinces = _provinces(communes)
    districts = _reference_districts(old["districts"])
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
        "to": VINTAGE,
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
        "match_report": _match_report(communes, old["match_report"]),
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
