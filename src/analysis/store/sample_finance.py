"""The sample's finance table: plan and cumulative disbursement by year, as-of date, commune,
project, capital type and fund, with the published district totals pinned at their dates and
three rows that validation must reject."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.inputs.schema import FINANCE
from analysis.store.sample_figures import (
    CHI_LANG,
    EXTRA_SNAPSHOTS,
    FLAW_DISTRICTS,
    INV,
    LANG_SON,
    PUBLISHED,
    REC,
    SNAPSHOTS,
    SON_LA,
    SOP_COP,
    apportion,
    mvnd,
    seeded_rng,
)

__all__ = ["make_finance"]

_COMMUNE_PROJECTS = (
    ("DA1", (INV, REC), 0.7, (1.2, 1.0)), ("DA2", (INV,), 0.25, (1.5,)),
    ("DA3", (REC,), 0.8, (1.2,)), ("DA4", (INV, REC), 1.0, (3.0, 0.6)),
    ("DA5", (REC,), 0.45, (0.5,)), ("DA6", (INV, REC), 0.35, (0.8, 0.4)),
    ("DA7", (REC,), 0.5, (0.4,)), ("DA8", (REC,), 0.5, (0.3,)),
    ("DA9", (INV, REC), 0.06, (1.0, 0.6)),
)
_DISTRICT_PROJECTS = (("DA5", INV, 4.0), ("DA5", REC, 3.0), ("DA10", REC, 1.5))
_PROJECT_ORDER = ("DA1", "DA2", "DA3", "DA3.1", "DA3.2", "DA4", "DA5", "DA6", "DA7", "DA8",
                  "DA9", "DA10")


def _catalogue(units: pd.DataFrame, region: pd.Series) -> pd.DataFrame:
    """The finance lines (district, commune, project, capital type) with plan weights."""
    rng, rows, boost = seeded_rng("catalogue"), [], {"III": 1.6, "II": 1.0, "I": 0.5}
    for dcode in sorted(units["district_code"].unique()):
        rows += [(dcode, "", p, cap, w) for p, cap, w in _DISTRICT_PROJECTS]
        for code in units.loc[units["district_code"] == dcode, "commune_code"]:
            draws, split = rng.random(len(_COMMUNE_PROJECTS)), rng.random() < 0.12
            for (proj, caps, share, weights), u in zip(_COMMUNE_PROJECTS, draws, strict=True):
                if u >= share:
                    continue
                names = ("DA3.1", "DA3.2") if proj == "DA3" and split else (proj,)
                rows += [(dcode, code, name, cap, w * boost[region[code]] / len(names))
                         for name in names for cap, w in zip(caps, weights, strict=True)]
    cols = ["district_code", "commune_code", "project", "capital_type", "weight"]
    return pd.DataFrame(rows, columns=cols)


def _current_totals(dcode: str, year: int, n_communes: int, carried: pd.DataFrame | None,
                    rng: np.random.Generator) -> dict[str, int]:
    """The current plan of a district by capital type, in thousand VND."""
    if (dcode, year) == (CHI_LANG, 2023):  # published plans include the carried-over funds
        co = carried.groupby("capital_type")["plan"].sum()
        return {INV: PUBLISHED["chi_lang_investment_plan"] - int(co.get(INV, 0)),
                REC: PUBLISHED["chi_lang_recurrent_plan"] - int(co.get(REC, 0))}
    per_commune = {SOP_COP: (6.0, 9.0), "178": (1.0, 2.0)}.get(dcode, (2.5, 5.5))  # billion
    total = n_communes * rng.uniform(*per_commune) * (1.15 if year == 2023 else 1.0) * 1e6
    if (dcode, year) == (SOP_COP, 2023):
        total = PUBLISHED["sop_cop_current_plan"]
    inv = 1000 * round(total * rng.uniform(0.5, 0.65) / 1000)
    return {INV: inv, REC: 1000 * round(total / 1000) - inv}


def _plans(lines: pd.DataFrame, totals: dict[str, int], rng: np.random.Generator) -> np.ndarray:
    weights = lines["weight"].to_numpy() * rng.lognormal(0.0, 0.6, len(lines))
    plan = np.zeros(len(lines), dtype=np.int64)
    for cap, total in totals.items():  # whole millions; the odd thousands on the largest line
        idx = np.flatnonzero(lines["capital_type"].to_numpy() == cap)
        part = apportion(total // 1000, weights[idx]) * 1000
        part[np.argmax(part)] += total % 1000
        plan[idx] = part
    return plan


def _ratios(lines: pd.DataFrame, year: int, rng: np.random.Generator) -> np.ndarray:
    """Year-end disbursement ratio per line: district level, laggards, lines at zero."""
    n = len(lines)
    level = rng.uniform(0.68, 0.93) if year == 2022 else rng.uniform(0.7, 0.95)
    level = np.where(lines["fund"] == "current", level, rng.uniform(0.8, 0.98))
    ratio = np.clip(level * rng.uniform(0.8, 1.15, n), 0, 1)
    ratio[rng.random(n) < 0.3] = 1.0  # fully disbursed: nothing carried over
    communes = lines["commune_code"].unique()
    laggards = communes[rng.random(len(communes)) < 0.06]
    ratio *= np.where(lines["commune_code"].isin(laggards), rng.uniform(0.1, 0.3, n), 1.0)
    return ratio * (rng.random(n) >= 0.03)


def _disburse(plan, ratio, expo, t, pins) -> np.ndarray:
    """Cumulative disbursement per line (rows) and snapshot (columns), never decreasing.

    A line reaches ``plan * ratio`` at the year end along ``t ** expo``. A pinned group of
    lines is first split to hit its published total at its snapshot, then drawn around it.
    """
    tk = t[None, :] ** expo[:, None]
    end = np.floor(plan * ratio)
    out = np.floor(end[:, None] * tk).astype(np.int64)
    for a, mask, total in pins:
        idx = np.flatnonzero(mask)
        va = apportion(total, plan[idx] * ratio[idx] * tk[idx, a], caps=plan[idx])
        out[idx, :a] = np.floor(va[:, None] * (t[None, :a] / t[a]) ** expo[idx, None])
        out[idx, a] = va
        if a + 1 < len(t):
            grow = (tk[idx, a + 1 :] - tk[idx, a, None]) / (1 - tk[idx, a, None])
            gap = np.maximum(va, end[idx]) - va
            out[idx, a + 1 :] = va[:, None] + np.floor(gap[:, None] * grow)
    return out


def _pins(dcode: str, year: int, lines: pd.DataFrame, snaps: list[str]) -> list:
    """(snapshot index, lines, total disbursed) that must match a published figure."""
    cap, fund = lines["capital_type"].to_numpy(), lines["fund"].to_numpy()
    if (dcode, year) == (SOP_COP, 2022):  # the year end leaves exactly the carried-over sum
        total = int(lines["plan"].sum()) - PUBLISHED["sop_cop_carried_plan"]
        return [(len(snaps) - 1, np.ones(len(lines), bool), total)]
    a = snaps.index(EXTRA_SNAPSHOTS[(dcode, year)]) if (dcode, year) in EXTRA_SNAPSHOTS else -1
    if (dcode, year) == (CHI_LANG, 2023):
        return [(a, cap == INV, PUBLISHED["chi_lang_investment_disbursed"]),
                (a, cap == REC, PUBLISHED["chi_lang_recurrent_disbursed"])]
    if (dcode, year) == (SOP_COP, 2023):
        return [(a, fund == "carried_over", PUBLISHED["sop_cop_carried_disbursed"]),
                (a, fund == "current", PUBLISHED["sop_cop_current_disbursed"])]
    return []


def make_finance(units: pd.DataFrame, region: pd.Series) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The finance rows (CSV columns) and the deliberate flaws put in them, by kind."""
    catalogue, carried, frames, flaws = _catalogue(units, region), {}, [], {}
    n_communes = units.groupby("district_code")["commune_code"].size()
    for year in (2022, 2023):
        for dcode in sorted(catalogue["district_code"].unique()):
            rng = seeded_rng("finance", year, dcode)
            lines = catalogue[catalogue["district_code"] == dcode].assign(fund="current")
            totals = _current_totals(dcode, year, int(n_communes[dcode]), carried.get(dcode), rng)
            lines["plan"] = _plans(lines, totals, rng)
            if year == 2023:
                lines = pd.concat([lines, carried[dcode]], ignore_index=True)
            ratio, expo = _ratios(lines, year, rng), rng.uniform(1.2, 2.6, len(lines))
            snaps = sorted([*SNAPSHOTS[year], *filter(None, [EXTRA_SNAPSHOTS.get((dcode, year))])])
            days = [(date.fromisoformat(s) - date(year, 1, 1)).days for s in snaps]
            t = np.minimum(np.array(days) / (date(year, 12, 31) - date(year, 1, 1)).days, 1.0)
            plan = lines["plan"].to_numpy()
            disb = _disburse(plan, ratio, expo, t, _pins(dcode, year, lines, snaps))
            if year == 2022 and dcode == FLAW_DISTRICTS["over_plan"]:
                i = int(np.flatnonzero((lines["commune_code"] != "").to_numpy() & (plan > 0))[0])
                disb[i, -1] = plan[i] + round(plan[i] * 0.035)
                flaws["over_plan"] = {**lines.iloc[i][["commune_code", "project", "capital_type"]],
                                      "as_of": snaps[-1], "plan": plan[i], "disbursed": disb[i, -1]}
            if year == 2022:  # what is left at the year end is carried over into 2023
                left = plan - disb[:, -1]
                carried[dcode] = lines[left > 0].assign(fund="carried_over", plan=left[left > 0])
            frames += [lines.assign(year=year, as_of=s, disbursed=disb[:, j])
                       for j, s in enumerate(snaps)]
    df, rejects = _add_rejects(pd.concat(frames, ignore_index=True))
    df["province_code"] = np.where(df["district_code"] == SOP_COP, SON_LA, LANG_SON)
    df["_p"] = df["project"].map(_PROJECT_ORDER.index)
    df["_f"] = df["fund"].map({"current": 0, "carried_over": 1})
    order = ["year", "as_of", "district_code", "commune_code", "_p", "capital_type", "_f"]
    df = df.sort_values(order, kind="stable")
    df["plan_mvnd"], df["disbursed_mvnd"] = df["plan"].map(mvnd), df["disbursed"].map(mvnd)
    columns = [c for c in FINANCE.names if c != "programme"]  # all NTP 1719, the default
    return df[columns].reset_index(drop=True), {**flaws, **rejects}


def _add_rejects(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Three rows that validation must reject, all in the 2022 data as of 30/09/2022."""
    as_of = "2022-09-30"
    at = (df["year"] == 2022) & (df["as_of"] == as_of) & (df["commune_code"] != "")
    neg = df[at & (df["district_code"] == FLAW_DISTRICTS["negative_plan"])]
    code = neg["commune_code"].iloc[0]
    used = neg.loc[neg["commune_code"] == code, "project"].tolist()
    proj = next(p for p in ("DA8", "DA7", "DA6", "DA2") if p not in used)  # a key of its own
    out = {
        "negative_plan": {"commune_code": code, "project": proj, "capital_type": REC,
                          "plan": -120_000, "disbursed": 0},
        "unknown_commune": {"commune_code": "99999", "project": "DA4", "capital_type": INV,
                            "plan": 450_000, "disbursed": 118_500},
    }
    rows = [{"year": 2022, "as_of": as_of, "fund": "current", "district_code": FLAW_DISTRICTS[k],
             **out[k]} for k in out]
    dup = df[at & (df["district_code"] == FLAW_DISTRICTS["duplicate"])
             & (df["project"] == "DA4") & (df["capital_type"] == INV)].iloc[[0]]
    out["duplicate"] = dup.iloc[0][["commune_code", "project", "capital_type", "plan",
                                    "disbursed"]].to_dict()
    for v in out.values():
        v["as_of"] = as_of
    return pd.concat([df, pd.DataFrame(rows), dup], ignore_index=True), out
