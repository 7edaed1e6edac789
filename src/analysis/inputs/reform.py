"""The 2025 reform: the new units, the old→new crosswalk and the allocation keys.

From 1 July 2025 Vietnam has 34 provinces and 3,321 communes and no districts; programme data
for 2021–2025 stays keyed to the old units (63 provinces, about 700 districts, 10,035
communes). This module holds the new unit list and the crosswalk between the two, taken from
the PyPI package ``vietnamadminunits`` (its ``converter_2025.json`` and unit lists) or from a
user's own file, and decides how a divided old commune is shared among its new communes: by
``area`` (the part of its polygon inside each new one, when new boundaries are given), by the
crosswalk's own weights, by ``population`` (weights that are populations) or in ``equal``
shares, always saying which key was used.

:mod:`analysis.metrics.allocation` then moves the figures, and :mod:`analysis.store.convert` writes the
converted prepared data.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd

from analysis.catalog.units import official_units
from analysis.common.numbers import classify_number, detect_convention
from analysis.config import METRIC_CRS
from analysis.errors import InputFileError, NtpAtlasError, ParameterError
from analysis.inputs.crosswalk import CROSSWALK, cell_text, list_examples
from analysis.inputs.readers import ROW, read_table
from analysis.inputs.schema import Column, TableSpec

__all__ = [
    "KEYS", "NEW_UNIT_COLUMNS", "PAIR_COLUMNS", "REFORM_CROSSWALK", "crosswalk_source", "district_province_map",
    "district_targets", "intersection_areas", "load_crosswalk", "new_units", "package_crosswalk", "province_map",
    "read_reform_crosswalk", "split_shares",
]  # fmt: skip

#: Allocation keys a user can ask for (``--key``).
KEYS = ("area", "population", "equal")
#: ``allocation_key`` written on estimated rows: the key actually used for that old commune.
KEY_LABELS = ("area", "weight", "population", "equal")

NEW_UNIT_COLUMNS = [
    "province_code", "province_name", "commune_code", "commune_name", "commune_type", "lat", "lon", "area_km2",
]  # fmt: skip
#: One row per (old unit, new commune) pair. ``old_code`` is empty for the five island
#: districts that had no communes (their row maps the district itself).
PAIR_COLUMNS = [
    "old_code", "old_name", "old_district_code", "old_district_name", "old_province_code", "old_province_name",
    "new_code", "new_name", "new_type", "new_province_code", "new_province_name", "weight", "package_default",
    "old_unit", "n_new", "n_old", "change",
]  # fmt: skip
_CODE = re.compile(r"\d{5}")
_LOST_ZERO = re.compile(r"\d{1,4}(\.0+)?")
_EXAMPLES = 5


# --- the package's data ------------------------------------------------------------------


def _package_version() -> str:
    try:
        return importlib.metadata.version("vietnamadminunits")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown version"


def crosswalk_source(path: str | Path | None = None) -> str:
    """Where a crosswalk comes from, in words: the user's file or the package and its version."""
    return str(path) if path is not None else f"vietnamadminunits {_package_version()} (converter_2025.json)"


def _strip_province_prefix(names: pd.Series) -> pd.Series:
    return names.str.replace(r"^(Tỉnh|Thành phố)\s+", "", regex=True)


@lru_cache(maxsize=1)
def _converter_data() -> dict:
    return json.loads(resources.files("vietnamadminunits").joinpath("data/converter_2025.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _new_table() -> pd.DataFrame:
    from vietnamadminunits.database import query

    rows = query(
        "SELECT provinceCode, province, wardCode, ward, wardType, wardLat, wardLon, wardAreaKm2, "
        "provinceKey, wardKey FROM admin_units"
    )
    df = pd.DataFrame(rows)
    df.columns = [*NEW_UNIT_COLUMNS, "province_key", "ward_key"]
    df["province_name"] = _strip_province_prefix(df["province_name"])
    return df.sort_values("commune_code").reset_index(drop=True)


@lru_cache(maxsize=1)
def _legacy_table() -> pd.DataFrame:
    from vietnamadminunits.database import query

    rows = query(
        "SELECT provinceKey, districtKey, wardKey, provinceCode, province, districtCode, district, wardCode, ward "
        "FROM admin_units_legacy"
    )
    df = pd.DataFrame(rows)
    df.columns = [
        "province_key",
        "district_key",
        "ward_key",
        "old_province_code",
        "old_province_name",
        "old_district_code",
        "old_district_name",
        "old_code",
        "old_name",
    ]
    df["old_province_name"] = _strip_province_prefix(df["old_province_name"])
    df["key"] = df["province_key"] + "_" + df["district_key"] + "_" + df["ward_key"].fillna("")
    return df


def new_units() -> pd.DataFrame:
    """The units from 1 July 2025: 34 provinces, 3,321 communes (xã, phường, đặc khu).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NEW_UNIT_COLUMNS`, codes as strings, province names without
        ``Tỉnh``/``Thành phố``; ``lat``/``lon`` are the package's centre points and
        ``area_km2`` the area it gives.
    """
    return _new_table()[NEW_UNIT_COLUMNS].copy()


@lru_cache(maxsize=1)
def _province_map() -> dict[str, str]:
    legacy = _legacy_table().drop_duplicates("province_key").set_index("province_key")["old_province_code"]
    new = _new_table().drop_duplicates("province_key").set_index("province_key")["province_code"]
    out = {}
    for new_key, old_keys in _converter_data()["DICT_PROVINCE"].items():
        for old_key in old_keys:
            out[legacy[old_key]] = new[new_key]
    return out


def province_map() -> dict[str, str]:
    """Old province code → new province code (the 63 became 34 by whole provinces).

    >>> province_map()["02"], province_map()["20"]  # Hà Giang went into Tuyên Quang; Lạng Sơn stayed
    ('08', '20')
    """
    return dict(_province_map())


def _package_pairs() -> pd.DataFrame:
    data = _converter_data()
    rows = []
    for pkey, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            rows += [(old, pkey, wkey, False) for old in olds]
    for pkey, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in olds.items():
            rows += [(old, pkey, t["newWardKey"], bool(t["isDefaultNewWard"])) for t in targets]
    return pd.DataFrame(rows, columns=["key", "province_key", "ward_key", "package_default"])


@lru_cache(maxsize=1)
def _package_crosswalk() -> pd.DataFrame:
    pairs = _package_pairs()
    legacy = _legacy_table().drop(columns=["province_key", "district_key", "ward_key"])
    new = _new_table().rename(
        columns={
            "commune_code": "new_code",
            "commune_name": "new_name",
            "commune_type": "new_type",
            "province_code": "new_province_code",
            "province_name": "new_province_name",
        }
    )
    out = pairs.merge(legacy, on="key", how="left").merge(new, on=["province_key", "ward_key"], how="left")
    missing = out[out["old_district_code"].isna() | out["new_code"].isna()]
    if len(missing):
        raise NtpAtlasError(
            f"vietnamadminunits {_package_version()}: {len(missing)} pair(s) of its converter data name units "
            f"missing from its own unit lists (first: {missing.iloc[0]['key']}). Install the version ntp-atlas was "
            "tested with (pyproject.toml), or give your own crosswalk with --crosswalk FILE"
        )
    out["weight"] = np.nan
    return _with_changes(out)


def package_crosswalk() -> pd.DataFrame:
    """The old→new crosswalk of ``vietnamadminunits``: one row per (old commune, new commune).

    Every old commune appears once if it lies wholly in one new commune, or once per new
    commune it was divided among (``n_new > 1``; ``package_default`` marks the new commune
    the package picks when it has to choose one). The five island districts that had no
    communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have one row each with an
    empty ``old_code``. The package gives no shares for divided communes (``weight`` is empty).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAIR_COLUMNS`.
    """
    return _package_crosswalk().copy()


def _with_changes(pairs: pd.DataFrame) -> pd.DataFrame:
    """Add ``old_unit``, ``n_new``, ``n_old`` and ``change`` (split, merged or one_to_one)."""
    out = pairs.copy()
    for col in (
        "old_code",
        "old_name",
        "old_district_code",
        "old_district_name",
        "old_province_code",
        "old_province_name",
        "new_code",
        "new_name",
        "new_type",
        "new_province_code",
        "new_province_name",
    ):
        out[col] = out[col].astype("string")
    out["weight"] = pd.to_numeric(out["weight"]).astype("float64")
    out["package_default"] = out["package_default"].fillna(False).astype(bool)
    # an island district without communes is its own old unit
    out["old_unit"] = out["old_code"].fillna("district " + out["old_district_code"].fillna("?"))
    out["n_new"] = out.groupby("old_unit")["new_code"].transform("nunique").astype("int64")
    out["n_old"] = out.groupby("new_code")["old_unit"].transform("nunique").astype("int64")
    out["change"] = np.select([out["n_new"] > 1, out["n_old"] > 1], ["split", "merged"], "one_to_one")
    order = ["new_province_code", "new_code", "old_unit"]
    return out[PAIR_COLUMNS].sort_values(order).reset_index(drop=True)


# --- a user's crosswalk ------------------------------------------------------------------

REFORM_CROSSWALK = TableSpec(
    name="crosswalk",
    description="Old commune to the new commune(s) it became part of; a weight where it was divided.",
    key=("old_code", "new_code"),
    columns=(
        dataclasses.replace(CROSSWALK.column("old_code"), description="GSO code of the old commune (before 1/7/2025)"),
        dataclasses.replace(
            CROSSWALK.column("new_code"), description="GSO code of a new commune (from 1/7/2025) it went (partly) into"
        ),
        Column(
            "weight",
            "amount",
            required=False,
            nullable=True,
            aliases=("trọng số", "tỷ trọng", "tỷ lệ", "share", "population", "dân số", "quy mô dân số"),
            description="share of the old commune going to the new one (any scale; a population works)",
            example="0,25",
        ),
    ),
)


def _codes(frame: pd.DataFrame, column: str, path: Path) -> list[str]:
    codes = []
    for row, value in zip(frame[ROW], frame[column], strict=True):
        text = cell_text(value)
        if text is None:
            raise InputFileError(
                path,
                "empty code cell",
                "fill in old_code and new_code on every row, or delete the row",
                row=int(row),
                column=column,
            )
        if _LOST_ZERO.fullmatch(text):
            raise InputFileError(
                path,
                "the code has lost its leading zeros (GSO commune codes have 5 digits)",
                f"format the column as Text and write '{text.split('.')[0].zfill(5)}'",
                row=int(row),
                column=column,
                value=text,
            )
        if not _CODE.fullmatch(text):
            raise InputFileError(
                path,
                "not a 5-digit GSO commune code",
                "write the numeric GSO code, like 06481",
                row=int(row),
                column=column,
                value=text,
            )
        codes.append(text)
    return codes


def _weights(frame: pd.DataFrame, path: Path) -> list[float | None]:
    if "weight" not in frame.columns:
        return [None] * len(frame)
    cells = {i: classify_number(v) for i, v in enumerate(frame["weight"]) if isinstance(v, str) and v.strip()}
    convention = detect_convention(list(cells.values()))
    out: list[float | None] = []
    for i, (row, value) in enumerate(zip(frame[ROW], frame["weight"], strict=True)):
        if i in cells:
            number = cells[i].value(convention)
            if number is None:
                raise InputFileError(
                    path,
                    "the weight is not a number, or could be read two ways (2.791 or 2,791)",
                    "write weights as plain decimals (0,25 or 0.25)",
                    row=int(row),
                    column="weight",
                    value=value,
                )
        elif isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            number = float(value)
        else:
            number = None
        if number is not None and number < 0:
            raise InputFileError(
                path,
                "a weight cannot be negative",
                "write the share, area or population of the piece (0 or more)",
                row=int(row),
                column="weight",
                value=value,
            )
        out.append(number)
    return out


def _check_weights(pairs: pd.DataFrame, path: Path) -> None:
    has = pairs["weight"].notna()
    partial = pairs[pairs.groupby("old_code")["weight"].transform(lambda w: w.notna().any() and w.isna().any())]
    if len(partial):
        row = partial[~partial["weight"].notna()].iloc[0]
        raise InputFileError(
            path,
            f"old commune {row['old_code']} has a weight on some of its rows but not on all",
            "give a weight on every row of a divided commune, or on none (equal shares are then used)",
            row=int(row[ROW]),
            column="weight",
        )
    zero = pairs[has & (pairs.groupby("old_code")["weight"].transform("sum") <= 0)]
    if len(zero):
        raise InputFileError(
            path,
            f"the weights of old commune {zero.iloc[0]['old_code']} add up to 0",
            "give each piece a positive weight",
            row=int(zero.iloc[0][ROW]),
            column="weight",
        )


def read_reform_crosswalk(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a user's old→new crosswalk: ``old_code, new_code[, weight]``, CSV or XLSX.

    Unlike :func:`analysis.inputs.crosswalk.read_crosswalk` (merges between boundary vintages, one new
    code per old commune), an old commune may appear on several rows here: it was divided, and
    its ``weight`` column (optional) says how (any scale: shares, areas or populations; they are
    normalised per old commune). Rows mapping a commune to itself are kept: they are real
    (the commune kept its code).

    Parameters
    ----------
    path
        ``.csv`` or ``.xlsx``; headers as for :data:`analysis.inputs.crosswalk.CROSSWALK` (``mã xã cũ``,
        ``mã xã mới``…) plus ``weight``/``trọng số``/``tỷ lệ``/``dân số``.
    sheet
        XLSX only: the sheet to read.

    Returns
    -------
    pandas.DataFrame
        ``old_code``, ``new_code`` (strings), ``weight`` (float, NaN when not given) and
        ``_row`` (the file's row number), one row per pair.

    Raises
    ------
    InputFileError
        Missing file or column, no rows, empty or malformed codes (lost leading zeros),
        unreadable or negative weights, a pair given twice with different weights, a divided
        commune with weights on some rows only. The message names the file, row and column.
    """
    path = Path(path)
    frame = read_table(path, REFORM_CROSSWALK, sheet=sheet).frame
    if not len(frame):
        raise InputFileError(
            path,
            "the crosswalk has no rows",
            "add one row per old commune and new commune: old_code, new_code[, weight]",
        )
    pairs = pd.DataFrame(
        {
            "old_code": _codes(frame, "old_code", path),
            "new_code": _codes(frame, "new_code", path),
            "weight": pd.array(_weights(frame, path), dtype="Float64").astype("float64"),
            ROW: frame[ROW].to_numpy(),
        }
    )
    pairs = pairs.drop_duplicates(["old_code", "new_code", "weight"])
    twice = pairs[pairs.duplicated(["old_code", "new_code"], keep=False)]
    if len(twice):
        rows = ", ".join(str(r) for r in twice[ROW].head(_EXAMPLES))
        raise InputFileError(
            path,
            f"the pair {twice.iloc[0]['old_code']} → {twice.iloc[0]['new_code']} is given "
            f"twice with different weights (rows {rows})",
            "keep one row per pair",
            row=int(twice.iloc[0][ROW]),
            column="weight",
        )
    _check_weights(pairs, path)
    pairs["old_code"] = pairs["old_code"].astype("string")
    pairs["new_code"] = pairs["new_code"].astype("string")
    return pairs.reset_index(drop=True)


def _enrich(pairs: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Names, districts and provinces of both sides of a user's crosswalk, checked."""
    old = (
        official_units()
        .dropna(subset=["commune_code"])
        .rename(
            columns={
                "commune_code": "old_code",
                "commune_name": "old_name",
                "district_code": "old_district_code",
                "district_name": "old_district_name",
                "province_code": "old_province_code",
                "province_name": "old_province_name",
            }
        )
    )
    new = new_units().rename(
        columns={
            "commune_code": "new_code",
            "commune_name": "new_name",
            "commune_type": "new_type",
            "province_code": "new_province_code",
            "province_name": "new_province_name",
        }
    )
    out = pairs.merge(
        old[
            ["old_code", "old_name", "old_district_code", "old_district_name", "old_province_code", "old_province_name"]
        ],
        on="old_code",
        how="left",
    )
    out = out.merge(
        new[["new_code", "new_name", "new_type", "new_province_code", "new_province_name"]], on="new_code", how="left"
    )
    unknown = out[out["new_name"].isna()]
    if len(unknown):
        items = [f"row {r[ROW]} {r['new_code']}" for _, r in unknown.iterrows()]
        raise InputFileError(
            path,
            f"{len(unknown)} new code(s) are not communes of the 2025 list: {list_examples(items)}",
            "write the GSO codes of the communes from 1/7/2025 (the list of vietnamadminunits)",
            row=int(unknown.iloc[0][ROW]),
            column="new_code",
            value=unknown.iloc[0]["new_code"],
        )
    moved = out[
        out["old_province_code"].notna() & (out["old_province_code"].map(_province_map()) != out["new_province_code"])
    ]
    if len(moved):
        r = moved.iloc[0]
        became = _province_map().get(r["old_province_code"], "?")
        raise InputFileError(
            path,
            f"old commune {r['old_code']} ({r['old_province_name']}) is mapped to {r['new_code']} in "
            f"{r['new_province_name']}, but in 2025 {r['old_province_name']} became province {became}",
            "check the new code (provinces merged whole; no commune changed province)",
            row=int(r[ROW]),
            column="new_code",
            value=r["new_code"],
        )
    # a code outside the official list (data of another vintage): its province follows the new side
    out["package_default"] = False
    return out


def load_crosswalk(path: str | Path | None = None, *, sheet: str | None = None) -> pd.DataFrame:
    """The crosswalk to convert with: the user's file, or the package's when ``path`` is None.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAIR_COLUMNS`: both sides' codes and names, the user's ``weight``,
        ``n_new`` (new communes the old one went into), ``n_old`` (old units forming the new
        commune) and ``change`` (``split`` when ``n_new > 1``, else ``merged`` when
        ``n_old > 1``, else ``one_to_one``). ``attrs["source"]`` says where it came from.
    """
    if path is None:
        out = package_crosswalk()
    else:
        out = _with_changes(_enrich(read_reform_crosswalk(path, sheet=sheet), Path(path)))
    out.attrs["source"] = crosswalk_source(path)
    return out


# --- allocation keys ---------------------------------------------------------------------


def intersection_areas(old: geopandas.GeoDataFrame, new: geopandas.GeoDataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Area of each old polygon inside each new polygon, for the given pairs, in m².

    Parameters
    ----------
    old, new
        Polygons with ``commune_code`` (old and new codes), any CRS; measured in
        :data:`analysis.config.METRIC_CRS`.
    pairs
        ``old_code``, ``new_code``: the pairs to measure (the pieces of divided communes).

    Returns
    -------
    pandas.DataFrame
        ``old_code``, ``new_code``, ``area_m2``; a pair whose polygons are unknown is absent.
    """
    o = old.dropna(subset=["commune_code"]).to_crs(METRIC_CRS).drop_duplicates("commune_code")
    n = new.dropna(subset=["commune_code"]).to_crs(METRIC_CRS).drop_duplicates("commune_code")
    o = o.set_index("commune_code").geometry
    n = n.set_index("commune_code").geometry
    p = pairs[pairs["old_code"].isin(o.index) & pairs["new_code"].isin(n.index)][["old_code", "new_code"]]
    p = p.drop_duplicates()
    a = o.loc[p["old_code"]].values
    b = n.loc[p["new_code"]].values
    ok = ~(pd.isna(a) | pd.isna(b))
    areas = np.zeros(len(p))
    if ok.any():
        areas[ok] = geopandas.GeoSeries(a[ok]).intersection(geopandas.GeoSeries(b[ok])).area.to_numpy()
    return p.assign(area_m2=areas).reset_index(drop=True)


def split_shares(pairs: pd.DataFrame, key: str = "area", areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """The share of each old unit going to each new commune, and the key that decided it.

    An old unit that went wholly into one new commune has share 1 and no key. A divided one
    (``n_new > 1``) is shared by, in order of preference for each key:

    ``area``
        the area of its polygon inside each new commune (``areas``, from new boundaries);
        else the crosswalk's own weights (key written ``weight``); else equal shares.
    ``population``
        the crosswalk's weights read as populations; else equal shares.
    ``equal``
        equal shares.

    Parameters
    ----------
    pairs
        A crosswalk from :func:`load_crosswalk` (or the pairs in scope).
    key
        One of :data:`KEYS`.
    areas
        ``old_code``, ``new_code``, ``area_m2`` from :func:`intersection_areas`.

    Returns
    -------
    pandas.DataFrame
        ``pairs`` with ``share`` (summing to 1 per old unit) and ``allocation_key`` (the key
        used, empty where nothing was allocated).

    Examples
    --------
    An old commune divided between two new ones with an area of 1 and 3 km² in each:

    >>> p = pd.DataFrame({"old_unit": ["A", "A"], "old_code": ["A", "A"], "new_code": ["N1", "N2"],
    ...                   "n_new": [2, 2], "weight": [None, None]})
    >>> a = pd.DataFrame({"old_code": ["A", "A"], "new_code": ["N1", "N2"], "area_m2": [1e6, 3e6]})
    >>> split_shares(p, "area", a)[["new_code", "share", "allocation_key"]].values.tolist()
    [['N1', 0.25, 'area'], ['N2', 0.75, 'area']]
    """
    if key not in KEYS:
        raise ParameterError(f"unknown allocation key '{key}'; use one of: {', '.join(KEYS)}")
    out = pairs.copy()
    unit = out["old_unit"]
    area = pd.Series(np.nan, index=out.index)
    if areas is not None and len(areas):
        lookup = areas.set_index(["old_code", "new_code"])["area_m2"]
        idx = pd.MultiIndex.from_arrays([out["old_code"].astype(object), out["new_code"].astype(object)])
        area = pd.Series(lookup.reindex(idx).to_numpy(dtype=float), index=out.index)
    weight = pd.to_numeric(out["weight"]).astype("float64")
    # area only when every piece of the old unit was measured (a new commune missing from the
    # boundary file would otherwise get nothing)
    area_ok = area.notna().groupby(unit).transform("all") & (area.groupby(unit).transform("sum") > 0)
    weight_ok = weight.notna().groupby(unit).transform("all") & (weight.groupby(unit).transform("sum") > 0)
    if key == "area":
        choices = [(area_ok, area, "area"), (weight_ok, weight, "weight")]
    elif key == "population":
        choices = [(weight_ok, weight, "population")]
    else:
        choices = []
    basis = pd.Series(1.0, index=out.index)
    label = pd.Series("equal", index=out.index, dtype="string")
    for ok, values, name in reversed(choices):  # the first choice that applies wins
        basis = basis.where(~ok, values)
        label = label.where(~ok, name)
    split = out["n_new"] > 1
    share = basis / basis.groupby(unit).transform("sum")
    out["share"] = share.where(split, 1.0).astype("float64")
    out["allocation_key"] = label.where(split, pd.NA).astype("string")
    return out


# --- districts --------------------------------------------------------------------------


def district_province_map() -> pd.Series:
    """Old district code → new province code (every old district lies in one new province)."""
    districts = _legacy_table().drop_duplicates("old_district_code")
    codes = districts["old_province_code"].map(_province_map()).astype("string")
    return pd.Series(codes.to_numpy(), index=districts["old_district_code"].astype("string").to_numpy())


def district_targets(pairs: pd.DataFrame) -> pd.DataFrame:
    """Where a district-level row (no commune) of each old district goes after the reform.

    Districts are abolished: such a row goes to the new province of its old province, with
    no commune, unless the whole district became one new commune (the island districts that
    had no communes, such as Lý Sơn or Côn Đảo, became a đặc khu), then to that commune.

    Returns
    -------
    pandas.DataFrame
        ``old_district_code``, ``new_province_code``, ``new_code`` (empty when the district
        is spread over several new communes).
    """
    legacy = _legacy_table()
    out = district_province_map().rename("new_province_code").rename_axis("old_district_code").reset_index()
    official = legacy.dropna(subset=["old_code"]).groupby("old_district_code")["old_code"].nunique()
    p = pairs.dropna(subset=["old_district_code"])
    whole = p.groupby("old_district_code").agg(
        n_new=("new_code", "nunique"),
        new_code=("new_code", "first"),
        n_old=("old_code", "nunique"),
        islands=("old_code", lambda s: s.isna().any()),
    )
    complete = whole["islands"] | (whole["n_old"] >= official.reindex(whole.index).fillna(0))
    single = whole[(whole["n_new"] == 1) & complete]["new_code"]
    out["new_code"] = out["old_district_code"].map(single).astype("string")
    return out.reset_index(drop=True)
