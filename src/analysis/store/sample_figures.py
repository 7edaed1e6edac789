"""The fixed figures of the sample data set and its deterministic arithmetic: the seed, the
published district figures it reproduces, the sample's units, random generators seeded per
concern, integer apportionment and amounts in million VND (:mod:`analysis.store.sample`)."""

from __future__ import annotations

import zlib
from datetime import datetime

import numpy as np
import pandas as pd

from analysis.catalog.units import official_units

SEED = 1719
LANG_SON, SON_LA, SOP_COP, CHI_LANG = "20", "14", "127", "187"
INV, REC = "investment", "recurrent"
#: Published district figures in thousand VND (seed 000: Chi Lăng; seed 003: Sốp Cộp).
PUBLISHED = {
    "chi_lang_investment_plan": 80_324_324, "chi_lang_investment_disbursed": 29_720_000,
    "chi_lang_recurrent_plan": 67_591_837, "chi_lang_recurrent_disbursed": 3_312_000,
    "sop_cop_carried_plan": 8_356_336, "sop_cop_carried_disbursed": 2_791_000,
    "sop_cop_current_plan": 81_923_000, "sop_cop_current_disbursed": 35_215_000,
}
#: Lạng Sơn's EM poverty rate per year (seed 001: a fall of about 2.9 points a year).
EM_POVERTY_TARGET = {2021: 0.145, 2022: 0.116, 2023: 0.087}
REGION_III_EXITS = 11  # seed 001
#: The Lạng Sơn commune left without 2023 poverty data (Xã Lâm Ca, Đình Lập).
NO_POVERTY_2023 = "06640"
SNAPSHOTS = {
    2022: ("2022-06-30", "2022-09-30", "2023-01-31"),
    2023: ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"),
}
EXTRA_SNAPSHOTS = {(CHI_LANG, 2023): "2023-08-04", (SOP_COP, 2023): "2023-11-30"}
#: Province figures of seeds 001, 002 and 004 that the indicators reproduce (see make_indicators).
SEED_FIGURES = {
    "scope_communes": 181,  # seed 004: "181/181 xã"; seed 001's 96,1% is 174/181
    "paved_road_without": 7,  # 174/181 = 96,13%
    "households_without_electricity": 38,  # (376.140 - 38)/376.140 = 99,990%
    "solid_facilities": 0.81,  # seed 001: 81% of schools, classrooms and health stations
    "p135_communes": 133,
    "p135_villages": 121,
    "p135_works": 431,  # seed 002 (2018)
    "p135_plan": 226_284_500,  # thousand VND: "226,3 tỷ đồng"
    "p30a_plan": {"181": 46_225_000, "189": 38_118_000},  # thousand VND, seed 002: 98% disbursed
    "p30a_disbursed_share": 0.98,
}
#: Dates of the indicator figures: seed 001 (end of 2023), 004 (mid-term review, assumed 30/6/2023), 002 (2018).
INDICATOR_DATES = {"001": (2023, "2023-12-31"), "004": (2023, "2023-06-30"), "002": (2018, "2018-12-31")}
#: Districts holding the deliberate flaws, all in the 2022 data.
FLAW_DISTRICTS = {"over_plan": "182", "negative_plan": "185", "unknown_commune": "180",
                  "duplicate": "188"}
#: Plausible (lon_min, lat_min, lon_max, lat_max) of each province.
PROVINCE_BBOX = {LANG_SON: (106.0, 21.3, 107.45, 22.5), SON_LA: (103.1, 20.5, 105.1, 22.1)}
# (project, capital types, share of communes that have it, plan weight per capital type)
#: The time stamped into the sample's workbook and GeoPackage, so their bytes never change.
FIXED_TIME = datetime(2024, 1, 1)


def seeded_rng(*labels: object) -> np.random.Generator:
    """A generator seeded from :data:`SEED` and the labels of one concern (``"finance", 2023, "187"``)."""
    # crc32, not hash(): str hashes are salted per process.
    return np.random.default_rng([SEED, zlib.crc32("/".join(map(str, labels)).encode())])


def apportion(total: int, weights: np.ndarray, caps: np.ndarray | None = None) -> np.ndarray:
    """Split an integer total in proportion to weights, no part above its cap."""
    w = np.asarray(weights, dtype=float)
    caps = np.full(len(w), max(total, 0)) if caps is None else np.asarray(caps, dtype=np.int64)
    if total < 0 or total > caps.sum():
        raise ValueError(f"cannot split {total} under caps summing to {caps.sum()}")
    out = np.zeros(len(w), dtype=np.int64)
    free, left = caps > 0, total
    while True:  # parts that would pass their cap are fixed at it; share the rest again
        basis = np.where(free, w if w[free].sum() > 0 else caps.astype(float), 0.0)
        share = left * basis / basis.sum() if basis.sum() > 0 else basis
        over = free & (share > caps)
        if not over.any():
            break
        out[over], left, free = caps[over], left - caps[over].sum(), free & ~over
    out[free] = np.floor(share[free]).astype(np.int64)
    order = np.lexsort((np.arange(len(w)), np.floor(share) - share))
    order = order[(free & (out < caps))[order]][: total - out.sum()]
    out[order] += 1  # largest remainders first
    assert out.sum() == total
    return out


def mvnd(thousands: int) -> str:
    """An amount in thousand VND as million VND text with three decimals (``"29720.000"``)."""
    sign = "-" if thousands < 0 else ""
    return f"{sign}{abs(thousands) // 1000}.{abs(thousands) % 1000:03d}"



def sample_units() -> pd.DataFrame:
    """The official units of the sample: all of Lạng Sơn and the district of Sốp Cộp, by code.

    Raises
    ------
    ValueError
        A commune point outside its province (a changed unit list).
    """
    u = official_units()
    u = u[(u["province_code"] == LANG_SON) | (u["district_code"] == SOP_COP)].copy()
    u["lat"], u["lon"] = u["lat"].astype(float), u["lon"].astype(float)
    box = u["province_code"].map(PROVINCE_BBOX)
    inside = np.array([x0 <= x <= x1 and y0 <= y <= y1
                       for (x0, y0, x1, y1), x, y in zip(box, u["lon"], u["lat"], strict=True)])
    if not inside.all():
        raise ValueError(f"points outside their province: {u['commune_code'][~inside].tolist()}")
    return u.sort_values("commune_code").reset_index(drop=True)
