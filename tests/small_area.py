"""A small hand-made dataset whose report figures are worked out by hand.

Used by the coverage, dates and language tests of the reports. Written as the files an office
would send (CSV), prepared with the real ``prepare`` over the sample's boundary file. Every
figure below was chosen so that the reports' sums, rates and coverage can be checked by hand:

Sơn La (14), Sốp Cộp (127), 8 communes (04225 … 04246):

* finance 2023, snapshots 30/06/2023 and 31/12/2023: every commune a DA1 investment line,
  plan 100, disbursed 20 then 60; a district-level DA5 recurrent line, plan 200, disbursed
  50 then 150. At 31/12: plan 8 × 100 + 200 = 1.000, disbursed 8 × 60 + 150 = 630 (63,00%);
  at 30/06: disbursed 8 × 20 + 50 = 210 (21,00%).
* poverty for **1 commune of 8**, Xã Sốp Cộp (04231): 2021 200 households, 110 poor (55,00%),
  180 ethnic-minority, 100 of them poor (55,56%); 2023 210 households, 100 poor
  (100 / 210 = 47,62%), 190 ethnic-minority, 95 poor (50,00%). Change: 47,619 − 55,000 =
  −7,38 → "giảm 7,4 điểm"; ethnic minority 50,000 − 55,556 = −5,56 → "giảm 5,6", −2,78 a year.
* classification 2023 for 3 communes of 8: 04225 III, 04228 III, 04231 II (2 in region III).

Lạng Sơn (20), 2 districts of its 11 with data:

* Chi Lăng (187, 20 communes): 2 communes (06481, 06484), DA4 investment, plan 300 each,
  disbursed 100 at 30/09/2023 and 240 at 31/12/2023: plan 600, disbursed 480 (80,00%).
* Đình Lập (189, 12 communes): 3 communes (06613, 06616, 06619), DA1 recurrent, plan 100 and
  disbursed 50 each, at 30/09/2023 only: plan 300, disbursed 150 (50,00%).
* poverty 2023 for Xã Chiến Thắng (06481) only: 1.000 households, 100 poor (10,00%).

So the province overview of Lạng Sơn at the year's latest snapshot shows Chi Lăng at
31/12/2023 and Đình Lập at 30/09/2023: plan 900, disbursed 630 (70,00%).
"""

from __future__ import annotations

from pathlib import Path

FIN_HEADER = "year,as_of,province_code,district_code,commune_code,project,capital_type,fund,plan_mvnd,disbursed_mvnd"
POV_HEADER = "year,commune_code,households,poor_households,near_poor_households,em_households,em_poor_households"
SOP_COP = ("04225", "04228", "04231", "04234", "04237", "04240", "04243", "04246")


def finance_rows() -> list[str]:
    rows = []
    for as_of, disbursed, district_disbursed in (("30/06/2023", 20, 50), ("31/12/2023", 60, 150)):
        rows += [f"2023,{as_of},14,127,{c},DA1,investment,current,100,{disbursed}" for c in SOP_COP]
        rows.append(f"2023,{as_of},14,127,,DA5,recurrent,current,200,{district_disbursed}")
    for as_of, disbursed in (("30/09/2023", 100), ("31/12/2023", 240)):
        rows += [f"2023,{as_of},20,187,{c},DA4,investment,current,300,{disbursed}" for c in ("06481", "06484")]
    rows += [f"2023,30/09/2023,20,189,{c},DA1,recurrent,current,100,50" for c in ("06613", "06616", "06619")]
    return rows


POVERTY_ROWS = [
    "2021,04231,200,110,20,180,100",
    "2023,04231,210,100,20,190,95",
    "2023,06481,1000,100,50,900,95",
]
COMMUNES_ROWS = ["year,commune_code,region", "2023,04225,III", "2023,04228,III", "2023,04231,II"]


IND_HEADER = "year,as_of,unit_code,indicator,value"


def write_inputs(folder: Path, extra_finance: list[str] = (), extra_poverty: list[str] = (),
                 indicators: list[str] | None = None) -> dict[str, Path]:
    """Write the tables into ``folder``; ``extra_finance`` and ``extra_poverty`` rows are appended
    to those tables (bad rows, for the rejects of a report); ``indicators`` rows, when given, make
    an indicators table."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"finance": folder / "finance.csv", "poverty": folder / "poverty.csv", "communes": folder / "communes.csv"}
    paths["finance"].write_text("\n".join([FIN_HEADER, *finance_rows(), *extra_finance]) + "\n", encoding="utf-8")
    paths["poverty"].write_text("\n".join([POV_HEADER, *POVERTY_ROWS, *extra_poverty]) + "\n", encoding="utf-8")
    paths["communes"].write_text("\n".join(COMMUNES_ROWS) + "\n", encoding="utf-8")
    if indicators is not None:
        paths["indicators"] = folder / "indicators.csv"
        paths["indicators"].write_text("\n".join([IND_HEADER, *indicators]) + "\n", encoding="utf-8")
    return paths


def prepare_small(folder: Path, extra_finance: list[str] = (), extra_poverty: list[str] = (),
                  indicators: list[str] | None = None) -> Path:
    """Write the inputs and prepare them (the sample's boundaries; no indicators unless given)
    into ``folder / "processed"``; returns that folder. A table may lose most of its rows (the
    bad rows are the point): ``--max-rejected-share 1``."""
    from analysis.common.limits import ReadLimits
    from analysis.store.prepare import prepare

    paths = write_inputs(folder / "inputs", extra_finance, extra_poverty, indicators)
    out = folder / "processed"
    prepare(finance=paths["finance"], poverty=paths["poverty"], communes=paths["communes"],
            indicators=paths.get("indicators"), out=out, limits=ReadLimits(max_rejected_share=1.0))
    return out
