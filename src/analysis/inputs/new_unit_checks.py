"""Reference checks of a table keyed to the units of 1/7/2025: province → commune, no districts.

:func:`analysis.inputs.validate.validate_table` calls :func:`check_new_units` instead of its
district checks when the unit list it is given has no districts (the 2025 list of
:func:`analysis.catalog.units_2025.new_units`, shaped by :func:`new_unit_list`). A row is
rejected, with the cell and the fix, when it gives a district code, a commune code that is not
in the 2025 list, a commune of another province than the one it gives, or neither a commune nor
a province; the province of a commune row is taken from the list.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalog.units import UNIT_COLUMNS
from analysis.catalog.units_2025 import new_units
from analysis.inputs.readers import ROW
from analysis.inputs.reasons import reason
from analysis.inputs.rejects import Rejects

__all__ = ["check_new_units", "is_new_unit_list", "new_unit_list"]

_FIX_UNKNOWN = (
    "check the code against the list of communes of 1/7/2025; a file keyed to the units before the reform "
    "is prepared with --units old"
)


def new_unit_list() -> pd.DataFrame:
    """The 2025 unit list in the columns of the old one (:data:`analysis.catalog.units.UNIT_COLUMNS`),
    its district columns empty."""
    units = new_units().copy()
    for col in UNIT_COLUMNS:
        if col not in units.columns:
            units[col] = pd.Series(pd.NA, index=units.index, dtype="string")
    return units[UNIT_COLUMNS]


def is_new_unit_list(units: pd.DataFrame) -> bool:
    """True for a unit list without districts: the units of 1/7/2025."""
    return bool(len(units)) and bool(units["district_code"].isna().all())


def check_new_units(df: pd.DataFrame, units: pd.DataFrame, rej: Rejects) -> pd.DataFrame:
    """Check the unit codes of parsed rows against the 2025 list; fill ``province_code``.

    Parameters
    ----------
    df
        Parsed rows (``commune_code``, and ``province_code``, ``district_code`` when the file
        has them), with :data:`~analysis.inputs.readers.ROW`.
    units
        The 2025 list as :func:`new_unit_list` gives it.
    rej
        Where the rejected rows go.

    Returns
    -------
    pandas.DataFrame
        The rows with ``province_code`` from the list (for a commune row) and ``district_code``
        empty.
    """
    communes = units.drop_duplicates("commune_code").set_index("commune_code")
    provinces = set(units["province_code"].dropna())
    df = df.copy()
    empty = pd.Series(pd.NA, index=df.index, dtype="object")
    c = df["commune_code"] if "commune_code" in df.columns else empty
    p = df["province_code"] if "province_code" in df.columns else empty
    d = df["district_code"] if "district_code" in df.columns else empty

    def reject(mask: pd.Series, column: str, why, fix: str) -> None:
        for _, r in df[mask].iterrows():
            rej.add(r[ROW], column, r[column] if column in r else "", why(r), fix)

    reject(d.notna(), "district_code", lambda r: reason("unit.district_after_reform", code=r["district_code"]),
           "leave district_code empty (the commune and province codes say where a figure belongs), or prepare a "
           "file keyed to the units before 1/7/2025 with --units old")  # fmt: skip
    known_c = c.isin(communes.index)
    reject(c.notna() & ~known_c, "commune_code", lambda r: reason("unit.unknown_commune", code=r["commune_code"]),
           _FIX_UNKNOWN)  # fmt: skip
    actual = c.map(communes["province_code"])
    reject(
        known_c & p.notna() & (p != actual),
        "province_code",
        lambda r: reason(
            "unit.commune_in_province", code=r["commune_code"], name=communes.at[r["commune_code"], "commune_name"],
            actual=communes.at[r["commune_code"], "province_code"], given=r["province_code"],
        ),
        "check the province and commune codes of this row (provinces of 1/7/2025: 34, Lạng Sơn 20, Sơn La 14)",
    )  # fmt: skip
    reject(c.isna() & p.notna() & ~p.isin(provinces), "province_code",
           lambda r: reason("unit.unknown_province", code=r["province_code"]),
           "check the code against the 34 provinces of 1/7/2025")  # fmt: skip
    reject(c.isna() & p.isna(), "commune_code", lambda r: reason("unit.no_unit"),
           "give the commune code, or the province code for a figure of the province as a whole")  # fmt: skip
    df["province_code"] = actual.where(known_c, p)
    df["district_code"] = pd.Series(pd.NA, index=df.index, dtype="string")
    return df
