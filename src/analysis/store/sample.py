"""The sample data shipped in ``data/sample/``, built by a deterministic generator.

District totals at the published dates reproduce the figures quoted in the press (Chi Lăng
at 04/08/2023, Sốp Cộp at 30/11/2023); everything below district level is synthetic. The
units are the official ones: all of Lạng Sơn (20) and the district of Sốp Cộp (127, Sơn La).
Amounts are kept in integer thousands of VND so that every sum is exact; files write them in
million VND with three decimals. Randomness comes from ``numpy.random.default_rng`` seeded
per concern from a fixed seed and a label, so changing one table leaves the others alone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.config import SAMPLE_DIR
from analysis.store.sample_2026 import make_2026
from analysis.store.sample_boundaries import make_boundaries, shared_points, write_gpkg
from analysis.store.sample_figures import FLAW_DISTRICTS, LANG_SON, NO_POVERTY_2023, mvnd, sample_units
from analysis.store.sample_finance import make_finance
from analysis.store.sample_indicators import make_indicators
from analysis.store.sample_poverty import make_classification, make_poverty, regions_2021, write_poverty_xlsx

__all__ = ["write_sample"]


def write_sample(out_dir: Path = SAMPLE_DIR) -> dict[str, Path]:
    """Write the sample data set, the same bytes on every run.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing); existing sample files are replaced.

    Returns
    -------
    dict of str to pathlib.Path
        The files written, keyed ``finance``, ``poverty``, ``communes``, ``indicators``,
        ``boundaries``, ``readme``, and the 2026 tables by the new communes
        (:mod:`analysis.store.sample_2026`) in ``2026/``: ``finance_2026``, ``poverty_2026``,
        ``communes_2026``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    units = sample_units()
    region21 = regions_2021(units)
    poverty = make_poverty(units, region21)
    communes = make_classification(units, region21, poverty)
    finance, flaws = make_finance(units, region21)
    indicators = make_indicators(units, region21, poverty)
    names = ("finance.csv", "poverty.xlsx", "communes.csv", "indicators.csv", "boundaries.gpkg", "README.md")
    paths = {n.split(".")[0].lower(): out_dir / n for n in names}
    for key, table in (("finance", finance), ("communes", communes), ("indicators", indicators)):
        table.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")
    write_poverty_xlsx(poverty, paths["poverty"])
    (out_dir / "2026").mkdir(exist_ok=True)  # this year's tables, keyed to the communes of 1/7/2025
    for key, table in make_2026().items():
        paths[f"{key}_2026"] = out_dir / "2026" / f"{key}.csv"
        table.to_csv(paths[f"{key}_2026"], index=False, encoding="utf-8", lineterminator="\n")
    write_gpkg(make_boundaries(units), paths["boundaries"])
    text = _readme(units, finance, poverty, communes, flaws, indicators)
    paths["readme"].write_text(text, encoding="utf-8", newline="\n")
    return paths


# --- README -----------------------------------------------------------------------------


def _indicator_lines(ind: pd.DataFrame) -> str:
    """The seed figures as the sample's indicator rows give them, with the arithmetic."""
    v = ind.assign(x=pd.to_numeric(ind["value"], errors="coerce"))

    def of(code: str) -> pd.Series:
        return v.loc[v["indicator"] == code, "x"]

    def ratio(num: str, den: str) -> tuple[float, float]:
        both = v[v["indicator"].isin([num, den])].pivot(index="unit_code", columns="indicator", values="x").dropna()
        return both[num].sum(), both[den].sum()

    road, (lit, hh) = of("commune_paved_road"), ratio("households_electricity", "households")
    (solid, fac), (paid, plan) = ratio("facilities_solid", "facilities"), ratio("p30a_disbursed_mvnd", "p30a_plan_mvnd")
    no_hh = v.loc[(v["indicator"] == "households") & v["x"].isna(), "unit_code"].tolist()
    return f"""- seed 001 (2023, as of 2023-12-31): paved road to the commune centre in {int(road.sum())} of
  {road.count()} communes = {100 * road.mean():.2f}% (96.1%); households with electricity
  {int(lit):,} of {int(hh):,} = {100 * lit / hh:.3f}% (99.99%), commune {", ".join(no_hh)} without a
  figure (no 2023 poverty review either: left out, not counted as zero); solid schools, classrooms
  and health stations {int(solid):,} of {int(fac):,} = {100 * solid / fac:.2f}% (81%).
- seed 004 (2023, as of 2023-06-30, assumed: the mid-term review): steering committees in
  {int(of("district_steering_committee").sum())} of {of("district_steering_committee").count()} districts and \
{int(of("commune_steering_committee").sum())} of {of("commune_steering_committee").count()} communes.
- seed 002 (2018, as of 2018-12-31): Programme 135 in {int(of("p135_commune").sum())} communes (of
  {of("p135_commune").count()}) and {int(of("p135_village").sum())} villages, {int(of("p135_works").sum())} works, \
plan {of("p135_plan_mvnd").sum():,.3f} million VND
  (226.3 billion); Programme 30a disbursed {paid:,.3f} of {plan:,.3f} million VND = {100 * paid / plan:.2f}%
  (98%) in two districts, Bình Gia (181) and Đình Lập (189), chosen for the sample.
- The 11 communes leaving khu vực III (seed 001) come from `communes.csv`."""


def _readme(units, finance, poverty, communes, flaws, indicators) -> str:
    names = dict(zip(units["commune_code"], units["commune_name"], strict=True))
    names.update(zip(units["district_code"], units["district_name"], strict=True))

    def flaw(key: str) -> str:
        a = flaws[key]
        place = names.get(a["commune_code"], "no such commune")
        return (f"{place} ({a['commune_code']}), {names[FLAW_DISTRICTS[key]]}, {a['project']} "
                f"{a['capital_type']}, as of {a['as_of']}: plan {mvnd(a['plan'])}, "
                f"disbursed {mvnd(a['disbursed'])}")

    codes = units["commune_code"]
    shared = "; ".join(" and ".join(f"{names[codes[i]]} ({codes[i]})" for i in group)
                       for group in shared_points(units))
    regions = communes.pivot(index="commune_code", columns="year", values="region")
    exits = int(((regions[2021] == "III") & (regions[2023] != "III")).sum())
    n_ls = int((units["province_code"] == LANG_SON).sum())
    return f"""# Sample data: generated by `ntp-atlas sample`, do not edit by hand

`analysis.store.sample.write_sample` writes these files, the same bytes on every run. Units: the 11
districts and {n_ls} communes of Lạng Sơn (20) and Sốp Cộp (127, 8 communes) of Sơn La (14).

**Everything below district level is SYNTHETIC.** Only district totals at the published dates
reproduce press figures: Chi Lăng (187) as of 2023-08-04, investment 29,720.000 of 80,324.324
million VND (37%), recurrent 3,312.000 of 67,591.837 (4.9%), both funds; Sốp Cộp (127) as of
2023-11-30, carried over from 2022 2,791.000 of 8,356.336 (33.40%), 2023 allocation 35,215.000
of 81,923.000 (42.99%). Lạng Sơn's ethnic-minority poverty rate falls about 2.9 points a year
(2021-2023) and {exits} of its communes leave khu vực III between the 2021 and 2023 lists.

- `finance.csv` ({len(finance):,} rows): plan and cumulative disbursement, million VND, by year,
  as-of date, commune (empty for the district-level DA5 and DA10 rows), project, capital type
  and fund. 2022 as of 30/6, 30/9, 31/1/2023 (year end); 2023 as of 31/3, 30/6, 30/9, 31/12,
  plus 4/8 (Chi Lăng) and 30/11 (Sốp Cộp). A carried-over plan is the line's 2022 plan less
  its 2022 year-end disbursement.
- `poverty.xlsx` ({len(poverty):,} rows): households, poor, near-poor, DTTS and DTTS poor
  households per commune, 2021-2023, under a title block; commune codes are text cells.
- `communes.csv` ({len(communes):,} rows): khu vực and thôn ĐBKK per commune, 2021 and 2023.
- `indicators.csv` ({len(indicators):,} rows): unit-level figures of Lạng Sơn, one per year,
  as-of date, unit and indicator (`resources/indicators.json`); units are districts, communes
  and villages (commune code, `-`, the village's number: `06481-03`).
- `boundaries.gpkg`: layer `communes`, EPSG:4326, `boundary_quality` = `approximate`.

## Indicators: the province figures of seeds 001, 002 and 004

Every figure is computed from the rows, never stored as a total:

{_indicator_lines(indicators)}

The commune figures are about 181 communes: the denominator of seed 004's "181/181 xã", and
one under which seed 001's 96.1% is a whole number of communes (174/181 = 96.13%), while
neither the sample's 194 communes (186 = 95.88%, 187 = 96.39%) nor all 200 units of 2023
(192 = 96.0%, 193 = 96.5%) gives it. They were the xã of the 2020-2023 unit list;
the sample's units are of 2025, when Lạng Sơn had 175 xã, so 6 of its 14 towns (thị trấn) stand
in for the 6 xã merged since. Wards have no row: out of scope, not missing. The 2018 figures
are keyed to the same units. Which commune has which figure is synthetic.

## The polygons are approximate

Real boundaries cannot ship. Each polygon is the Voronoi cell of the commune's point in the
official unit list (EPSG:3405, per province), clipped to a 4 km buffer around a concave hull
of the points (a convex hull for Sốp Cộp). For trying the maps, never for measuring. Points
shared by two communes were first moved 600 m apart: {shared}. The Cao Lộc Mẫu Sơn has
the coordinate of its Lộc Bình namesake, so its polygon lies among Lộc Bình's communes.

## Deliberate flaws, for the validator (2022 data, districts with no published figure)

- Disbursed above plan (a warning; no carried-over line follows): {flaw("over_plan")}.
- Rejected, negative plan: {flaw("negative_plan")}.
- Rejected, unknown commune code: {flaw("unknown_commune")}.
- Rejected, exact duplicate of the row above it: {flaw("duplicate")}.
- {names[NO_POVERTY_2023]} ({NO_POVERTY_2023}, Đình Lập) has 2023 finance but no 2023 poverty
  row (for the "finance but no poverty" rule).
"""
