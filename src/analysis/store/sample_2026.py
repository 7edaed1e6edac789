"""The sample's 2026 tables: Lạng Sơn by its 65 communes and wards of 1/7/2025 (``data/sample/2026/``).

Keyed to the new communes (``province_code``, ``commune_code``, no district), as an office
reports this year's figures, and made by the same deterministic arithmetic as the rest of the
sample (:mod:`analysis.store.sample_figures`):

* **finance** of the programme of 2026–2030 (no programme column: the year's), by component
  (HP1, HP2), capital type and fund (2025 funds carried over into 2026 a fund of their own), at
  the quarterly snapshots 31/03, 30/06 and 30/09/2026, cumulative;
* **poverty** for 2025 and 2026 (2026 still counted under the 2022–2025 standard);
* **classification 2026–2030** (``year, commune_code, region, villages, dbkk_villages``): it
  reproduces the province's published figures of 29/01/2026 (``../shared/reference/
  published_figures.csv``): 1,646 villages in the ethnic-minority and mountainous area, 385 of
  them thôn đặc biệt khó khăn, and the 16 communes and wards without one
  (:data:`WITHOUT_DBKK`). Regions are synthetic: the 16 are khu vực I (the four wards) or II.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalog.units_2025 import new_units
from analysis.store.sample_figures import LANG_SON, apportion, mvnd, seeded_rng

__all__ = ["DBKK_VILLAGES", "EM_VILLAGES", "SNAPSHOTS_2026", "WITHOUT_DBKK", "make_2026"]

#: Published 29/01/2026 (UBND tỉnh Lạng Sơn, reported by laodong.vn).
EM_VILLAGES, DBKK_VILLAGES = 1_646, 385
#: The 16 communes and wards with no thôn ĐBKK in 2026–2030, as published.
WITHOUT_DBKK = (
    "Phường Đông Kinh", "Phường Kỳ Lừa", "Phường Lương Văn Tri", "Phường Tam Thanh", "Xã Bình Gia", "Xã Đồng Đăng",
    "Xã Chi Lăng", "Xã Bằng Mạc", "Xã Ba Sơn", "Xã Châu Sơn", "Xã Đình Lập", "Xã Thái Bình", "Xã Hữu Lũng",
    "Xã Cai Kinh", "Xã Tân Thành", "Xã Tuấn Sơn",
)  # fmt: skip
SNAPSHOTS_2026 = ("2026-03-31", "2026-06-30", "2026-09-30")
_SHARE_DONE = (0.18, 0.41, 0.63)  # of the plan disbursed by each snapshot, before noise


def _communes() -> pd.DataFrame:
    u = new_units()
    return u[u["province_code"] == LANG_SON].sort_values("commune_code").reset_index(drop=True)


def make_classification_2026(communes: pd.DataFrame) -> pd.DataFrame:
    """Regions, villages in the EM area and thôn ĐBKK of 2026 per new commune (see the module)."""
    rng, n = seeded_rng("classification", 2026), len(communes)
    without = communes["commune_name"].isin(WITHOUT_DBKK).to_numpy()
    assert without.sum() == len(WITHOUT_DBKK), "a published commune name is not in the 2025 list"
    ward = (communes["commune_type"] == "Phường").to_numpy()
    villages = apportion(EM_VILLAGES, np.where(ward, 0.4, 1.0) * rng.uniform(0.6, 1.4, n))
    dbkk = np.zeros(n, dtype=int)
    dbkk[~without] = apportion(DBKK_VILLAGES, rng.uniform(0.5, 1.5, (~without).sum()),
                               caps=villages[~without])  # fmt: skip
    region = np.where(ward & without, "I", np.where(without, "II", np.where(dbkk >= 6, "III", "II")))
    return pd.DataFrame({"year": 2026, "commune_code": communes["commune_code"], "region": region,
                         "villages": villages, "dbkk_villages": dbkk})  # fmt: skip


def make_poverty_2026(communes: pd.DataFrame, classification: pd.DataFrame) -> pd.DataFrame:
    """Households, poor, near-poor, EM households and EM poor per new commune, 2025 and 2026."""
    rng, n = seeded_rng("poverty", 2026), len(communes)
    region = classification["region"].to_numpy()
    households = rng.integers(1_800, 7_500, n)
    em_share = np.select([region == "III", region == "II"], [0.93, 0.8], 0.45)
    em = np.round(households * em_share).astype(int)
    base = np.select([region == "III", region == "II"], [0.16, 0.08], 0.015) * rng.uniform(0.7, 1.3, n)
    frames = []
    for year, fall in ((2025, 0.0), (2026, 0.22)):
        rate = base * (1 - fall * rng.uniform(0.8, 1.2, n))
        poor = np.round(households * rate).astype(int)
        em_poor = np.minimum(np.round(poor * np.minimum(em_share * 1.08, 1)).astype(int), em)
        frames.append(pd.DataFrame({
            "year": year, "commune_code": communes["commune_code"], "households": households,
            "poor_households": poor, "near_poor_households": np.round(poor * rng.uniform(0.6, 1.1, n)).astype(int),
            "em_households": em, "em_poor_households": em_poor,
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def make_finance_2026(communes: pd.DataFrame, classification: pd.DataFrame) -> pd.DataFrame:
    """Plan and cumulative disbursement per commune, component, capital type and fund, in million VND."""
    rng, n = seeded_rng("finance", 2026), len(communes)
    weight = np.select([classification["region"] == "III", classification["region"] == "II"], [1.3, 1.15], 0.9)
    rows = []
    for component, share in (("HP1", 0.45), ("HP2", 0.55)):
        for capital, cshare in (("investment", 0.7), ("recurrent", 0.3)):
            for fund, fshare in (("current", 0.85), ("carried_over", 0.15)):
                # plans in thousand VND, rounded to the million: every sum exact
                plan = np.round(weight * share * cshare * fshare * rng.uniform(1.6e6, 3.6e6, n), -3).astype(np.int64)
                done = np.zeros(n, dtype=np.int64)
                carried = fund == "carried_over"  # last year's money goes first
                for as_of, target in zip(SNAPSHOTS_2026, _SHARE_DONE, strict=True):
                    goal = np.minimum(1.0, target * (1.5 if carried else 1.0) * rng.uniform(0.7, 1.3, n))
                    done = np.maximum(done, np.round(plan * goal, -1).astype(np.int64))
                    rows.append(pd.DataFrame({
                        "year": 2026, "as_of": as_of, "province_code": LANG_SON,
                        "commune_code": communes["commune_code"], "project": component, "capital_type": capital,
                        "fund": fund,
                        "plan_mvnd": [mvnd(int(v)) for v in plan], "disbursed_mvnd": [mvnd(int(v)) for v in done],
                    }))  # fmt: skip
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["as_of", "commune_code", "project", "capital_type", "fund"], kind="stable").reset_index(
        drop=True
    )


def make_2026() -> dict[str, pd.DataFrame]:
    """The three 2026 tables of the sample: ``finance``, ``poverty``, ``communes``."""
    communes = _communes()
    classification = make_classification_2026(communes)
    return {
        "finance": make_finance_2026(communes, classification),
        "poverty": make_poverty_2026(communes, classification),
        "communes": classification,
    }
