"""What a conversion to the 2025 units did, row by row and in total: the report of changes
(every merge, split, old commune left out and unmapped unit) and the totals per new province
before and after, checked so that nothing is lost or created.

Used by :func:`analysis.store.convert.convert_prepared`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalog.units import official_units
from analysis.catalog.units_2025 import new_province_of_old, new_units
from analysis.errors import NtpAtlasError

__all__ = ["CONVERTED_TABLES", "FAR_KM", "REPORT_COLUMNS_CONVERT", "change_report", "reconcile"]

#: A divided commune's piece whose new commune's centre lies farther than this from the old
#: commune's centre is flagged in the report (the package's centres are geocoded: a hint only).
FAR_KM = 25.0
REPORT_COLUMNS_CONVERT = [
    "change", "old_code", "old_name", "old_district_code", "old_district_name", "old_province_code",
    "old_province_name", "new_code", "new_name", "new_province_code", "new_province_name", "n_old", "n_new",
    "share", "allocation_key", "in_data", "distance_km", "note",
]  # fmt: skip
#: The tables whose rows the conversion moves to the new communes.
CONVERTED_TABLES = ("finance", "poverty", "classification")


def _distance_km(pairs: pd.DataFrame) -> pd.Series:
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
    return codes.map(lambda c: ";".join(n for n in CONVERTED_TABLES if c in present[n])).astype("string")


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
