"""The pandera schemas that check parsed rows, and the advice shown beside each rejection.

Parsing (text to number, date, code) happens first in :mod:`analysis.inputs.cell_parsing`; these
schemas check the parsed values of the canonical tables of :mod:`analysis.inputs.schema`. Each
check's ``error`` text is the reason shown to the user, and :func:`fix_for` what to do about it.
"""

from __future__ import annotations

import functools

from analysis.config import FIRST_YEAR, LAST_YEAR
from analysis.inputs.schema import CAPITAL_TYPES, FUNDS, INDICATOR_FIRST_YEAR, REGIONS


@functools.cache
def schemas() -> dict:
    """The pandera schema of each canonical table, by name (built once, on first use: pandera
    costs a third of a second to import, which a run that validates nothing does not pay)."""
    import pandera.pandas as pa

    # Parsing (text to number, date, code) happens first in analysis.inputs.validate; these schemas
    # check the parsed values. Each check's ``error`` text is the reason shown to the user.

    def _year_col() -> pa.Column:
        return pa.Column(
            int,
            pa.Check.in_range(
                FIRST_YEAR, LAST_YEAR, error=f"year outside the programme years {FIRST_YEAR}-{LAST_YEAR}"
            ),
        )

    def _nonneg(name: str) -> pa.Column:
        return pa.Column(float, pa.Check.ge(0, error=f"{name} is negative"), nullable=False)

    FINANCE_SCHEMA = pa.DataFrameSchema(
        {
            "year": _year_col(),
            "capital_type": pa.Column(
                str, pa.Check.isin(CAPITAL_TYPES, error="capital_type must be investment or recurrent")
            ),
            "fund": pa.Column(str, pa.Check.isin(FUNDS, error="fund must be current or carried_over")),
            "plan_mvnd": _nonneg("plan"),
            "disbursed_mvnd": _nonneg("disbursed amount"),
        },
        checks=[
            pa.Check(
                lambda df: (df["as_of"].dt.year >= df["year"]) & (df["as_of"].dt.year <= df["year"] + 1),
                error="as_of date is not in the plan year or the month after it",
            ),
        ],
        strict=False,
        coerce=False,
    )

    POVERTY_SCHEMA = pa.DataFrameSchema(
        {
            "year": _year_col(),
            "households": pa.Column(float, pa.Check.ge(0, error="households is negative")),
            "poor_households": pa.Column(float, pa.Check.ge(0, error="poor households is negative")),
            "near_poor_households": pa.Column(float, pa.Check.ge(0, error="near-poor households is negative")),
            "em_households": pa.Column(float, pa.Check.ge(0, error="ethnic-minority households is negative")),
            "em_poor_households": pa.Column(float, pa.Check.ge(0, error="ethnic-minority poor households is negative")),
        },
        checks=[
            pa.Check(
                lambda df: df["poor_households"] + df["near_poor_households"] <= df["households"],
                error="poor plus near-poor households exceed all households",
            ),
            pa.Check(
                lambda df: df["em_households"] <= df["households"],
                error="ethnic-minority households exceed all households",
            ),
            pa.Check(
                lambda df: df["em_poor_households"] <= df["em_households"],
                error="ethnic-minority poor households exceed ethnic-minority households",
            ),
            pa.Check(
                lambda df: df["em_poor_households"] <= df["poor_households"],
                error="ethnic-minority poor households exceed all poor households",
            ),
        ],
        strict=False,
    )

    COMMUNES_SCHEMA = pa.DataFrameSchema(
        {
            "year": _year_col(),
            "region": pa.Column(str, pa.Check.isin(REGIONS, error="region must be I, II or III")),
            "dbkk_villages": pa.Column(
                float, pa.Check.ge(0, error="especially difficult villages is negative"), nullable=True, required=False
            ),
            "villages": pa.Column(float, pa.Check.ge(0, error="villages is negative"), nullable=True, required=False),
        },
        checks=[
            pa.Check(
                lambda df: (
                    ~(df["dbkk_villages"] > df["villages"]) if {"villages", "dbkk_villages"} <= set(df) else True
                ),
                error="more especially difficult villages than villages in the ethnic-minority area",
            )
        ],
        strict=False,
    )

    INDICATORS_SCHEMA = pa.DataFrameSchema(
        {
            "year": pa.Column(
                int,
                pa.Check.in_range(
                    INDICATOR_FIRST_YEAR,
                    LAST_YEAR,
                    error=f"year is not one of the indicator years {INDICATOR_FIRST_YEAR}-{LAST_YEAR}",
                ),
            ),
            "value": pa.Column(float, pa.Check.ge(0, error="value is negative"), nullable=True),
        },
        checks=[
            pa.Check(
                lambda df: (df["as_of"].dt.year >= df["year"]) & (df["as_of"].dt.year <= df["year"] + 1),
                error="date of the figure is not in its year or the next",
            ),
        ],
        strict=False,
        coerce=False,
    )

    return {
        "finance": FINANCE_SCHEMA,
        "poverty": POVERTY_SCHEMA,
        "communes": COMMUNES_SCHEMA,
        "indicators": INDICATORS_SCHEMA,
    }


#: Which column a cross-column check is reported against, for the rejects table.
CHECK_COLUMNS = {
    "as_of date is not in the plan year or the month after it": "as_of",
    "poor plus near-poor households exceed all households": "poor_households",
    "ethnic-minority households exceed all households": "em_households",
    "ethnic-minority poor households exceed ethnic-minority households": "em_poor_households",
    "ethnic-minority poor households exceed all poor households": "em_poor_households",
    "date of the figure is not in its year or the next": "as_of",
    "more especially difficult villages than villages in the ethnic-minority area": "dbkk_villages",
}

#: What to do about each kind of problem (shown with the reason).
FIXES = {
    "negative": "amounts and counts cannot be negative; correct the figure in the source file",
    "exceed": "check the counts against the poverty review for this commune and year",
    "year outside": f"use a year from {FIRST_YEAR} to {LAST_YEAR}, or check the year column",
    "as_of": "the as-of date must fall in the plan year (or January of the next for the year-end figures)",
    "capital_type": "write investment / recurrent (or 'vốn đầu tư phát triển' / 'vốn sự nghiệp')",
    "fund": "write current / carried_over (or 'vốn giao trong năm' / 'chuyển nguồn')",
    "region": "write I, II or III",
    "indicator years": f"use a year from {INDICATOR_FIRST_YEAR} to {LAST_YEAR}, or check the year column",
    "date of the figure": "write the date the figure stands at, in its year (or the next, for year-end figures)",
}


def fix_for(reason: str) -> str:
    """The advice shown beside a rejection reason."""
    for key, fix in FIXES.items():
        if key in reason:
            return fix
    return "correct the value in the source file and run prepare again"
