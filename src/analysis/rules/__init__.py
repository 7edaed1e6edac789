"""Rule checks on valid data, in the spirit of DHIS2's validation rules.

They flag what deserves a look; they reject nothing. Each warning names its rule, the unit
and the figures.
"""

from __future__ import annotations

import pandas as pd

from analysis.finance import latest_snapshot

WARNING_COLUMNS = [
    "rule",
    "year",
    "as_of",
    "district_code",
    "commune_code",
    "project",
    "capital_type",
    "fund",
    "message",
]

#: rule -> (Vietnamese, English) description, for reports.
RULES = {
    "disbursed_above_plan": ("Giải ngân vượt kế hoạch", "Disbursed above plan"),
    "plan_not_disbursed": ("Có kế hoạch nhưng chưa giải ngân", "Plan with nothing disbursed"),
    "finance_without_poverty": ("Có số liệu vốn, thiếu số liệu hộ nghèo", "Finance data but no poverty data"),
    "poverty_without_finance": ("Có số liệu hộ nghèo, thiếu số liệu vốn", "Poverty data but no finance data"),
    "boundary_without_data": ("Có ranh giới, không có số liệu", "In the boundary file, no data at all"),
    "data_without_boundary": ("Có số liệu, không có ranh giới", "Data but no boundary"),
}


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def _flag(rows: pd.DataFrame, rule: str, messages: list[str]) -> pd.DataFrame:
    """One warning per row of ``rows``, with the row's unit and figures."""
    keep = [c for c in WARNING_COLUMNS if c in rows.columns and c != "message"]
    out = rows[keep].assign(rule=rule, message=messages).reset_index(drop=True)
    return out.reindex(columns=WARNING_COLUMNS)


def disbursed_above_plan(finance: pd.DataFrame) -> pd.DataFrame:
    """Rows whose disbursed amount exceeds their plan (any snapshot)."""
    bad = finance[finance["disbursed_mvnd"] > finance["plan_mvnd"] + 1e-9]
    messages = [
        f"disbursed {disbursed:.3f} above plan {plan:.3f} million VND (row {row})"
        for disbursed, plan, row in zip(bad["disbursed_mvnd"], bad["plan_mvnd"], bad["_row"], strict=True)
    ]
    return _flag(bad, "disbursed_above_plan", messages)


def plan_not_disbursed(finance: pd.DataFrame) -> pd.DataFrame:
    """At each district's latest snapshot of each year: rows with a plan and nothing disbursed."""
    out = []
    for year in sorted(finance["year"].unique()):
        snap = latest_snapshot(finance, int(year))
        bad = snap[(snap["plan_mvnd"] > 0) & (snap["disbursed_mvnd"] == 0)]
        messages = [
            f"plan {plan:.3f} million VND, nothing disbursed by {pd.Timestamp(as_of):%d/%m/%Y}"
            for plan, as_of in zip(bad["plan_mvnd"], bad["as_of"], strict=True)
        ]
        out.append(_flag(bad, "plan_not_disbursed", messages))
    return pd.concat(out, ignore_index=True) if out else _frame([])


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
        for code in sorted(set(fin_c.index) - set(pov_c.index)):
            out.append(
                {
                    "rule": "finance_without_poverty",
                    "year": year,
                    "district_code": fin_c[code],
                    "commune_code": code,
                    "message": f"finance data for {year} but no poverty data for {year}",
                }
            )
        for code in sorted(set(pov_c.index) - set(fin_c.index)):
            out.append(
                {
                    "rule": "poverty_without_finance",
                    "year": year,
                    "district_code": pov_c[code],
                    "commune_code": code,
                    "message": f"poverty data for {year} but no finance data for {year}",
                }
            )
    return _frame(out)


def boundary_coverage(match_report: pd.DataFrame) -> pd.DataFrame:
    """Units on one side of the boundary join only (from the match report)."""
    out = []
    for r in match_report.itertuples(index=False):
        if r.status == "unmatched_boundary":
            out.append(
                {
                    "rule": "boundary_without_data",
                    "district_code": r.district_code,
                    "commune_code": r.boundary_code if pd.notna(r.boundary_code) else None,
                    "message": f"boundary feature {r.boundary_feature} "
                    f"({r.boundary_name or r.boundary_code}) has no data",
                }
            )
        elif r.status == "unmatched_data":
            out.append(
                {
                    "rule": "data_without_boundary",
                    "district_code": r.district_code,
                    "commune_code": r.commune_code,
                    "message": f"{r.commune_name} ({r.commune_code}) has data but no polygon in the boundary file",
                }
            )
    return _frame(out)


def run_rules(finance: pd.DataFrame, poverty: pd.DataFrame, match_report: pd.DataFrame) -> pd.DataFrame:
    """All rule checks, one row per warning."""
    parts = [
        disbursed_above_plan(finance),
        plan_not_disbursed(finance),
        coverage(finance, poverty),
        boundary_coverage(match_report),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _frame([])
    out = pd.concat(parts, ignore_index=True)
    for c in ("district_code", "commune_code", "project", "capital_type", "fund", "rule", "message"):
        out[c] = out[c].astype("string")
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    out["as_of"] = pd.to_datetime(out["as_of"])
    return out
