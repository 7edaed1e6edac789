"""The units from 1 July 2025 and the package's crosswalk from the old units to them.

From 1 July 2025 Vietnam has 34 provinces and 3,321 communes and no districts; programme data
for 2021–2025 stays keyed to the old units (63 provinces, about 700 districts, 10,035
communes). This module holds the new unit list, the new province of each old province and
district, and the old→new crosswalk, taken from the PyPI package ``vietnamadminunits`` (its
``converter_2025.json`` and unit lists). A user's own crosswalk is read by
:mod:`analysis.inputs.reform_crosswalk`; how a divided commune is shared is
:mod:`analysis.inputs.allocation_keys`.
"""

from __future__ import annotations

import importlib.metadata
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import NtpAtlasError

__all__ = [
    "NEW_UNIT_COLUMNS", "PAIR_COLUMNS", "crosswalk_source", "district_targets", "new_province_of_old",
    "new_province_of_old_district", "new_units", "package_crosswalk", "with_changes",
]  # fmt: skip

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
def _new_province_of_old() -> dict[str, str]:
    legacy = _legacy_table().drop_duplicates("province_key").set_index("province_key")["old_province_code"]
    new = _new_table().drop_duplicates("province_key").set_index("province_key")["province_code"]
    out = {}
    for new_key, old_keys in _converter_data()["DICT_PROVINCE"].items():
        for old_key in old_keys:
            out[legacy[old_key]] = new[new_key]
    return out


def new_province_of_old() -> dict[str, str]:
    """Old province code → the code of the new province it became part of (the 63 became 34 by
    whole provinces).

    >>> new_province_of_old()["02"], new_province_of_old()["20"]  # Hà Giang went into Tuyên Quang
    ('08', '20')
    """
    return dict(_new_province_of_old())


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
    return with_changes(out)


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


def with_changes(pairs: pd.DataFrame) -> pd.DataFrame:
    """Add ``old_unit``, ``n_new``, ``n_old`` and ``change`` (split, merged or one_to_one) to a
    crosswalk's pairs; the columns :data:`PAIR_COLUMNS`, sorted by new province, new and old unit."""
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


# --- districts --------------------------------------------------------------------------


def new_province_of_old_district() -> pd.Series:
    """Old district code → new province code (every old district lies in one new province)."""
    districts = _legacy_table().drop_duplicates("old_district_code")
    codes = districts["old_province_code"].map(_new_province_of_old()).astype("string")
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
    out = new_province_of_old_district().rename("new_province_code").rename_axis("old_district_code").reset_index()
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
