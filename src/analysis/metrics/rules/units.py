"""Rule checks on the units: which data each commune has, and counts outside plausible ranges.

* ``finance_without_poverty`` / ``poverty_without_finance``: a commune with one kind of data
  for a year but not the other (years present in both tables only).
* ``boundary_without_data`` / ``data_without_boundary``: units on one side of the boundary
  join only (from the match report).
* ``value_out_of_range``: DHIS2's min–max ranges, for counts that can be true but rarely are
  (100,000 especially difficult villages in a commune, a commune of 3 households). Impossible
  values (negative counts) are rejected at the door; these only warn. The ranges are
  settings (``resources/rules.json``, ``prepare --rule-settings``).
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs.readers import ROW
from analysis.metrics.rules.frame import flag, records

__all__ = ["coverage", "boundary_coverage", "value_ranges"]


def coverage(finance: pd.DataFrame, poverty: pd.DataFrame) -> pd.DataFrame:
    """Communes with finance data in a year but no poverty data that year, and the reverse.

    Only years present in both tables are compared.
    """
    out = []
    years = sorted(set(finance["year"]) & set(poverty["year"]))
    for year in years:
        fin = finance[(finance["year"] == year) & finance["commune_code"].notna()]
        pov = poverty[poverty["year"] == year]
        fin_c = fin.drop_duplicates("commune_code").set_index("commune_code")["district_code"]
        pov_c = pov.drop_duplicates("commune_code").set_index("commune_code")["district_code"]
        for rule, have, lack in (("finance_without_poverty", fin_c, pov_c), ("poverty_without_finance", pov_c, fin_c)):
            for code in sorted(set(have.index) - set(lack.index)):
                out.append({"rule": rule, "year": year, "district_code": have[code], "commune_code": code,
                            "detail": {"year": year}})
    return records(out)


def boundary_coverage(match_report: pd.DataFrame) -> pd.DataFrame:
    """Units on one side of the boundary join only (from the match report)."""
    out = []
    for r in match_report.itertuples(index=False):
        if r.status == "unmatched_boundary":
            code = r.boundary_code if pd.notna(r.boundary_code) else None
            name = r.boundary_name if pd.notna(r.boundary_name) and r.boundary_name else code
            out.append({"rule": "boundary_without_data", "district_code": r.district_code, "commune_code": code,
                        "detail": {"feature": r.boundary_feature, "name": name}})
        elif r.status == "unmatched_data":
            out.append({"rule": "data_without_boundary", "district_code": r.district_code,
                        "commune_code": r.commune_code, "detail": {"name": r.commune_name, "code": r.commune_code}})
    return records(out)


def value_ranges(tables: dict[str, pd.DataFrame], ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Rows with a count or amount outside its plausible range.

    Parameters
    ----------
    tables
        Accepted rows by table name (``"poverty"``, ``"communes"``, ...).
    ranges
        ``"table.column"`` -> ``(lowest, highest)``, both inclusive.

    Returns
    -------
    pandas.DataFrame
        Warnings ``value_out_of_range`` naming the column, the value, the range and the row.
    """
    parts = []
    for key, (low, high) in ranges.items():
        table, _, column = key.partition(".")
        frame = tables.get(table)
        if frame is None or column not in frame.columns:
            continue
        value = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[value.notna() & ((value < low) | (value > high))]
        details = [{"column": column, "value": v, "low": low, "high": high, "row": r}
                   for v, r in zip(bad[column], bad[ROW], strict=True)]
        parts.append(flag(bad, "value_out_of_range", details))
    return pd.concat(parts, ignore_index=True) if parts else records([])
