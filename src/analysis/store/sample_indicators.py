"""The sample's unit-level indicator rows: figures of Lạng Sơn whose province totals are those
of seeds 001, 002 and 004 (paved roads, electricity, solid facilities, steering committees,
Programmes 135 and 30a)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.inputs.indicators import load_catalogue, village_code
from analysis.inputs.schema import INDICATORS
from analysis.store.sample_figures import INDICATOR_DATES, LANG_SON, SEED_FIGURES, apportion, mvnd, seeded_rng

__all__ = ["make_indicators"]


def make_indicators(units: pd.DataFrame, region: pd.Series, poverty: pd.DataFrame) -> pd.DataFrame:
    """Unit-level rows of Lạng Sơn whose province totals are the figures of seeds 001, 002, 004.

    The scope of the commune figures is 181 communes: seed 004's "181/181 xã" (the xã of the
    2020-2023 unit list). The sample's units are of 2025, when Lạng Sơn had 175 xã, so six of
    its 14 towns (thị trấn) stand in for the six xã merged since. Wards are out of scope.
    """
    rng, f = seeded_rng("indicators"), SEED_FIGURES
    ls = units[units["province_code"] == LANG_SON].reset_index(drop=True)
    codes, kind = ls["commune_code"].to_numpy(), ls["commune_type"].to_numpy()
    r21 = region.reindex(codes).to_numpy()
    towns = np.flatnonzero(kind == "Thị trấn")
    scope = np.sort(np.concatenate([np.flatnonzero(kind == "Xã"), rng.choice(towns, 6, replace=False)]))
    assert len(scope) == f["scope_communes"]
    rows: list[tuple] = []

    def add(seed: str, indicator: str, unit_codes, values) -> None:
        year, as_of = INDICATOR_DATES[seed]
        rows.extend((year, as_of, c, indicator, v) for c, v in zip(unit_codes, values, strict=True))

    # seed 001, end of 2023: paved roads, electricity, solid schools and clinics
    remote = scope[r21[scope] == "III"]
    no_road = set(rng.choice(remote, f["paved_road_without"], replace=False))
    add("001", "commune_paved_road", codes[scope], ["0" if i in no_road else "1" for i in scope])
    hh = poverty[poverty["year"] == 2023].set_index("commune_code")["households"].reindex(codes)
    dark = np.zeros(len(ls), dtype=np.int64)  # households without electricity, in five remote communes
    lit = remote[hh.notna().to_numpy()[remote]]
    dark[rng.choice(lit, 5, replace=False)] = apportion(f["households_without_electricity"], np.ones(5))
    add("001", "households", codes, ["" if pd.isna(h) else str(int(h)) for h in hh])
    add("001", "households_electricity", codes, ["" if pd.isna(h) else str(int(h) - d) for h, d in zip(hh, dark,
        strict=True)])  # fmt: skip
    total = rng.integers(4, 10, len(ls))
    weight = np.select([kind != "Xã", r21 == "I", r21 == "II"], [1.0, 0.9, 0.8], 0.7)
    solid = apportion(round(f["solid_facilities"] * total.sum()), weight * total, caps=total)
    add("001", "facilities", codes, total.astype(str))
    add("001", "facilities_solid", codes, solid.astype(str))
    # seed 004, mid-term review: steering committees in 11/11 districts and 181/181 communes
    districts = sorted(ls["district_code"].unique())
    add("004", "district_steering_committee", districts, ["1"] * len(districts))
    add("004", "commune_steering_committee", codes[scope], ["1"] * len(scope))
    # seed 002, 2018: Programme 135 in 133 communes and 121 villages, 431 works, 226,3 billion VND
    second = scope[(r21[scope] == "II") & (kind[scope] == "Xã")]
    p135 = np.concatenate([remote, rng.choice(second, f["p135_communes"] - len(remote), replace=False)])
    add("002", "p135_commune", codes[scope], ["1" if i in set(p135) else "0" for i in scope])
    hosts = np.setdiff1d(scope[kind[scope] == "Xã"], p135)  # their especially difficult villages
    n_villages = 2 + (np.arange(len(hosts)) < f["p135_villages"] - 2 * len(hosts))
    rng.shuffle(n_villages)
    villages = [village_code(codes[i], v) for i, n in zip(hosts, n_villages, strict=True)
                for v in np.sort(rng.choice(np.arange(1, 13), n, replace=False))]  # fmt: skip
    add("002", "p135_village", villages, ["1"] * len(villages))
    places = [*codes[np.sort(p135)], *villages]
    works = 1 + apportion(f["p135_works"] - len(places), rng.uniform(0.5, 1.5, len(places)), np.full(len(places), 2))
    add("002", "p135_works", places, works.astype(str))
    plan = apportion(f["p135_plan"], works * rng.lognormal(0.0, 0.3, len(places)))
    add("002", "p135_plan_mvnd", places, [mvnd(x) for x in plan])
    # seed 002, 2018: Programme 30a disbursed 98% of its plan (two districts, synthetic)
    plans = np.array(list(f["p30a_plan"].values()))
    paid = apportion(round(f["p30a_disbursed_share"] * plans.sum()), plans.astype(float), caps=plans)
    add("002", "p30a_plan_mvnd", list(f["p30a_plan"]), [mvnd(x) for x in plans])
    add("002", "p30a_disbursed_mvnd", list(f["p30a_plan"]), [mvnd(x) for x in paid])
    out = pd.DataFrame(rows, columns=INDICATORS.names)
    order = {c: i for i, c in enumerate(load_catalogue().codes)}
    out = out.sort_values(["year", "as_of", "indicator", "unit_code"], key=lambda s: s.map(order)
                          if s.name == "indicator" else s, kind="stable")  # fmt: skip
    return out.reset_index(drop=True)
