"""The shapes of the programme's units, made from a boundary file read by :mod:`analysis.inputs.boundaries`.

:func:`merge_units` dissolves the old polygons of merged communes into the new ones (the 2025
crosswalk); :func:`match_units` matches the features to the data's units by code, then by name
within a district, and reports every unit on both sides so that nothing is dropped silently;
:func:`dissolve_units` builds district or province shapes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial

import geopandas
import pandas as pd
import shapely

from analysis.catalog.units import unit_key
from analysis.config import METRIC_CRS, STORAGE_CRS
from analysis.inputs.boundaries import FEATURE, REPAIRED

__all__ = ["MERGED", "dissolve_units", "match_units", "merge_units"]

#: Column of :func:`merge_units`: the old codes dissolved into the feature, ", "-separated.
MERGED = "merged_from"
DATA_COLUMNS = [
    "commune_code", "commune_name", "district_code", "district_name", "province_code",
    "province_name",
]
REPORT_COLUMNS = [
    "status", "commune_code", "commune_name", "district_code", "boundary_code", "boundary_name",
    "boundary_feature",
    "merged_from",
    "geometry_repaired",
]
#: Name keys, the exact one (diacritics kept, tone placement not) first.
_UNIT_KEYS = (partial(unit_key, marks=True), partial(unit_key, marks=False))


def _merged_row(group: geopandas.GeoDataFrame, target: str, columns: list[str]) -> dict:
    """One feature from the features of a merge: the surviving commune's attributes, if present."""
    survivor = group[group["commune_code"] == target]
    base = (survivor if len(survivor) else group).iloc[0]
    row = {c: base[c] for c in columns}
    row["commune_code"] = target
    if not len(survivor) and "commune_name" in columns:
        row["commune_name"] = pd.NA  # a new code absent from the file: matched by code only
    old = sorted(c for c in group["commune_code"] if c != target)
    row[MERGED] = ", ".join(old)
    row[FEATURE] = int(base[FEATURE])
    if REPAIRED in columns:
        row[REPAIRED] = bool(group[REPAIRED].any())
    row["geometry"] = shapely.union_all(shapely.make_valid(group.geometry.values))
    return row


def merge_units(
    boundaries: geopandas.GeoDataFrame,
    crosswalk: pd.DataFrame,
    *,
    keep: set[str] | frozenset[str] = frozenset(),
) -> geopandas.GeoDataFrame:
    """Dissolve the polygons of communes merged since the boundary file's vintage.

    Parameters
    ----------
    boundaries
        As returned by :func:`read_boundaries`, with commune codes.
    crosswalk
        ``old_code, new_code``, as returned by :func:`analysis.inputs.crosswalk.read_crosswalk`.
    keep
        Codes the data still uses: a merge of one of these is not applied (the data is of a
        vintage before that merge), and it is listed in ``attrs["merges_kept"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        The same columns plus ``merged_from``: one feature per commune of the crosswalk's
        side, its polygon the union of the old communes' and the surviving commune's (if the
        file has it), its ``merged_from`` the old codes dissolved into it (``"06334, 06337"``;
        NA where nothing was merged). The surviving commune keeps its name, district and
        feature number; a new code the file does not have takes the first old feature's
        district and no name. ``attrs["merges"]`` maps each new code used to its old codes.
    """
    missing = {"commune_code", FEATURE} - set(boundaries.columns)
    if missing:
        raise ValueError(f"boundaries lacks columns {sorted(missing)}")
    step = {o: n for o, n in zip(crosswalk["old_code"], crosswalk["new_code"], strict=True) if o not in keep}
    codes = boundaries["commune_code"]
    target = codes.map(lambda c: step.get(c, c) if not pd.isna(c) else c)
    merged_targets = set(target[codes.isin(list(step))].dropna())
    in_merge = target.isin(merged_targets)
    columns = [c for c in boundaries.columns if c != boundaries.geometry.name]
    rest = boundaries[~in_merge].copy()
    rest[MERGED] = pd.Series(pd.NA, index=rest.index, dtype="string")
    rows = [
        _merged_row(group, code, columns) for code, group in boundaries[in_merge].groupby(target[in_merge], sort=False)
    ]
    merged = (
        geopandas.GeoDataFrame(rows, columns=[*columns, MERGED, "geometry"], geometry="geometry", crs=boundaries.crs)
        if rows
        else rest.iloc[:0]
    )
    out = pd.concat([rest, merged]).sort_values(FEATURE, kind="stable").reset_index(drop=True)
    out = geopandas.GeoDataFrame(out, geometry=boundaries.geometry.name, crs=boundaries.crs)
    out["commune_code"] = out["commune_code"].astype("string")
    out[MERGED] = out[MERGED].astype("string")
    out.attrs = {
        **boundaries.attrs,
        "merges": {r["commune_code"]: r[MERGED].split(", ") for r in rows},
        "merges_kept": sorted(o for o in crosswalk["old_code"] if o in keep),
    }
    return out


def _district_groups(bnd: geopandas.GeoDataFrame, data: pd.DataFrame) -> list[object]:
    """The data district each boundary feature sits in: a code, ``"*"`` (no district info)."""
    if "district_code" in bnd.columns:
        return [None if pd.isna(c) else c for c in bnd["district_code"]]
    if "district_name" not in bnd.columns:
        return ["*"] * len(bnd)
    districts = data[["district_code", "district_name"]].drop_duplicates("district_code")
    resolved: dict[str, object] = {}
    for name in bnd["district_name"].dropna().unique():
        for key in _UNIT_KEYS:
            hits = districts[districts["district_name"].map(key) == key(name)]
            if len(hits) == 1:
                resolved[name] = hits["district_code"].iloc[0]
                break
    return [None if pd.isna(n) else resolved.get(n) for n in bnd["district_name"]]


def _name_pairs(bnd: geopandas.GeoDataFrame, data: pd.DataFrame, b_groups: list[object],
                d_groups: list[object], key: Callable[[str], str],
                pairs: dict[int, tuple[int, str]]) -> None:
    """Add name matches to ``pairs`` (data row -> boundary row), unique on both sides."""
    taken = {j for j, _ in pairs.values()}
    # only the groups of features still unmatched can gain a match: names elsewhere need no key
    open_groups = {g for j, g in enumerate(b_groups) if j not in taken and g is not None}

    def keys(names: pd.Series, groups: list[object]) -> list[str | None]:
        return [None if g not in open_groups or pd.isna(n) else key(n) or None
                for n, g in zip(names, groups, strict=True)]

    b_keys = keys(bnd["commune_name"], b_groups)
    d_keys = keys(data["commune_name"], d_groups)
    # uniqueness counts every unit, matched or not: a name shared by two communes of a
    # district is ambiguous even when one of them was matched by code
    b_count = Counter(zip(b_groups, b_keys, strict=True))
    d_count = Counter(zip(d_groups, d_keys, strict=True))
    d_index = {k: i for i, k in enumerate(zip(d_groups, d_keys, strict=True)) if d_count[k] == 1}
    for j, k in enumerate(zip(b_groups, b_keys, strict=True)):
        i = d_index.get(k)
        if None in k or j in taken or b_count[k] != 1 or i is None or i in pairs:
            continue
        pairs[i] = (j, "name")
        taken.add(j)


def match_units(
    data_units: pd.DataFrame, boundaries: geopandas.GeoDataFrame
) -> tuple[geopandas.GeoDataFrame, pd.DataFrame]:
    """Give each commune of the data its boundary: by code, then by name within its district.

    Parameters
    ----------
    data_units
        One row per commune in the programme data, with columns :data:`DATA_COLUMNS`.
    boundaries
        As returned by :func:`read_boundaries`.

    Returns
    -------
    communes : geopandas.GeoDataFrame
        One row per data commune, in order: its columns, ``geometry`` (None when unmatched)
        and ``match`` ("code", "name" or "none").
    report : pandas.DataFrame
        One row per unit on either side, columns :data:`REPORT_COLUMNS`; ``status`` is
        "matched_code", "matched_name", "unmatched_data" or "unmatched_boundary";
        ``merged_from`` lists the old codes dissolved into the boundary (:func:`merge_units`)
        and ``geometry_repaired`` says whether its polygon was repaired (NA where unknown).

    Notes
    -----
    A boundary feature is matched by name only when its code is empty or not in the data,
    first on :func:`~analysis.catalog.units.unit_key` with its marks, then without, and
    only where the key is unique in the district on both sides. The district is the
    feature's ``district_code``, else its ``district_name`` matched to the data's district
    names; a file with no district column is matched on names unique in the whole data.
    """
    missing = [c for c in DATA_COLUMNS if c not in data_units.columns]
    if missing:
        raise ValueError(f"data_units lacks columns {missing}")
    if data_units["commune_code"].duplicated().any():
        raise ValueError("data_units has duplicate commune codes")
    data = data_units.reset_index(drop=True)
    bnd = boundaries.reset_index(drop=True)
    b_codes = [None if pd.isna(c) else c for c in bnd["commune_code"]]
    position = {code: i for i, code in enumerate(data["commune_code"])}
    pairs = {position[c]: (j, "code") for j, c in enumerate(b_codes) if c in position}
    if "commune_name" in bnd.columns:
        b_groups = _district_groups(bnd, data)
        no_district = not {"district_code", "district_name"} & set(bnd.columns)
        d_groups = ["*"] * len(data) if no_district else [
            None if pd.isna(c) else c for c in data["district_code"]]
        for key in _UNIT_KEYS:
            _name_pairs(bnd, data, b_groups, d_groups, key, pairs)

    features = (bnd[FEATURE] if FEATURE in bnd.columns else pd.Series(range(1, len(bnd) + 1))).tolist()

    def column(name: str) -> list[object]:
        return [None if pd.isna(v) else v for v in bnd[name]] if name in bnd.columns else [None] * len(bnd)

    b_names, b_district = column("commune_name"), column("district_code")
    b_merged, b_repaired = column(MERGED), column(REPAIRED)
    b_geoms = bnd.geometry.to_numpy()
    geoms, how, rows = [None] * len(data), ["none"] * len(data), []
    for i, unit in enumerate(data.itertuples(index=False)):
        j, method = pairs.get(i, (None, "none"))
        side = (
            (b_codes[j], b_names[j], features[j], b_merged[j], b_repaired[j])
            if j is not None
            else (None, None, None, None, None)
        )
        if j is not None:
            geoms[i], how[i] = b_geoms[j], method
        status = "unmatched_data" if j is None else f"matched_{method}"
        rows.append((status, unit.commune_code, unit.commune_name, unit.district_code, *side))
    taken = {j for j, _ in pairs.values()}
    for j in range(len(bnd)):
        if j not in taken:
            rows.append(
                (
                    "unmatched_boundary",
                    b_codes[j],
                    b_names[j],
                    b_district[j],
                    b_codes[j],
                    b_names[j],
                    features[j],
                    b_merged[j],
                    b_repaired[j],
                )
            )
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    report["boundary_feature"] = report["boundary_feature"].astype("Int64")
    report["merged_from"] = report["merged_from"].astype("string")
    report["geometry_repaired"] = report["geometry_repaired"].astype("boolean")
    communes = geopandas.GeoDataFrame(data.copy(), geometry=geopandas.GeoSeries(geoms, crs=bnd.crs))
    communes["match"] = how
    return communes, report


def dissolve_units(communes: geopandas.GeoDataFrame, level: str) -> geopandas.GeoDataFrame:
    """Dissolve commune shapes into district or province shapes.

    Parameters
    ----------
    communes
        One row per commune with ``district_code``, ``district_name``, ``province_code``,
        ``province_name`` and a geometry that may be None (as from :func:`match_units`).
    level
        "district" or "province".

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district (or province), sorted by code, in EPSG:4326, with
        ``n_communes`` and ``n_communes_with_geometry``; the geometry is None when no
        commune of the unit has one (the unit is kept, so that it shows as missing).
    """
    keep = {"district": ["district_code", "district_name", "province_code", "province_name"],
            "province": ["province_code", "province_name"]}
    if level not in keep:
        raise ValueError(f"level must be 'district' or 'province', not {level!r}")
    if communes.crs is None:
        raise ValueError("communes has no CRS")
    columns = keep[level]
    metric = communes.to_crs(METRIC_CRS)
    has_geometry = metric.geometry.notna() & ~metric.geometry.is_empty
    rows, shapes = [], []
    for _, group in metric.groupby(columns[0], sort=True, dropna=False):
        present = group.geometry[has_geometry.loc[group.index]]
        rows.append([group[c].iloc[0] for c in columns] + [len(group), len(present)])
        # dissolving in metres: union in a projected CRS, as the areas are measured there
        shapes.append(shapely.union_all(present.values) if len(present) else None)
    frame = pd.DataFrame(rows, columns=[*columns, "n_communes", "n_communes_with_geometry"])
    out = geopandas.GeoDataFrame(frame, geometry=geopandas.GeoSeries(shapes, crs=METRIC_CRS))
    return out.to_crs(STORAGE_CRS)
