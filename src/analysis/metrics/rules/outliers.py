"""Plans far from their peers: the modified z-score of Iglewicz and Hoaglin (1993).

For the communes with a plan in one group, ``M = 0.6745 (x − median) / MAD`` where MAD is the
median absolute deviation from the median; ``|M| > 3.5`` is flagged (their recommendation).
A group is one province, year, programme, project, capital type and fund, at each
district's latest snapshot of the year (a plan is one figure for the year; earlier snapshots
would flag it again). Only plans above zero count: a commune without a plan for a project is
not part of that project's spread. Groups of fewer communes with a plan than ``min_group``
are not judged: their median says little.

By default the score is of the plans' logarithms (``scale="log"``): plans spread by factors
rather than by amounts (a commune's plan is often several times another's), so on the plans
themselves the long upper tail is flagged by the dozen (165 of the sample's 3,659 judged plans,
against 12), and a plan far *below* the median, as a figure written in billions of đồng
instead of millions is, can never reach −3.5. ``scale="raw"`` scores the plans themselves.
The message gives the plan and the group's median in million VND either way.

When more than half the plans (or logarithms) of a group are the same, MAD is 0 and M is undefined; the
mean absolute deviation stands in, as IBM SPSS does: ``M = (x − median) / (1.253314 MeanAD)``
(1.253314 ≈ √(π/2) makes the two agree for normal data). A group whose plans are all the same
has no outlier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics.finance import latest_snapshot
from analysis.metrics.rules.frame import flag

__all__ = ["GROUP", "modified_z", "plan_outliers"]

GROUP = ("province_code", "year", "programme", "project", "capital_type", "fund")


def modified_z(values: np.ndarray) -> np.ndarray:
    """The modified z-score of each value (NaN for all when every value is the same).

    Examples
    --------
    Hand-worked: median 10, absolute deviations 2 0 0 1 90 so MAD 1; 100 scores
    0.6745 × 90 = 60.705.

    >>> modified_z(np.array([8.0, 10, 10, 11, 100])).round(4).tolist()
    [-1.349, 0.0, 0.0, 0.6745, 60.705]
    """
    x = np.asarray(values, dtype=float)
    median = np.median(x)
    deviation = np.abs(x - median)
    mad = np.median(deviation)
    if mad > 0:
        return 0.6745 * (x - median) / mad
    mean_ad = deviation.mean()
    if mean_ad > 0:
        return (x - median) / (1.253314 * mean_ad)
    return np.full(len(x), np.nan)


def plan_outliers(
    finance: pd.DataFrame, threshold: float = 3.5, min_group: int = 6, scale: str = "log"
) -> pd.DataFrame:
    """Commune plans whose modified z-score within their group exceeds ``threshold``.

    Parameters
    ----------
    finance
        Accepted finance rows.
    threshold
        The |M| above which a plan is flagged (3.5, Iglewicz and Hoaglin).
    min_group
        The fewest communes with a plan a group needs to be judged.
    scale
        ``"log"`` scores the natural logarithm of each plan, ``"raw"`` the plan.

    Returns
    -------
    pandas.DataFrame
        Warnings ``plan_outlier`` with the plan, the group's median, its number of communes
        and the score.
    """
    snaps = [latest_snapshot(finance, int(year)) for year in sorted(finance["year"].unique())]
    snap = pd.concat(snaps) if snaps else finance.iloc[:0]
    snap = snap[snap["commune_code"].notna() & (snap["plan_mvnd"] > 0)].reset_index(drop=True)
    keys = [c for c in GROUP if c in snap.columns]
    if not len(snap):
        return flag(snap, "plan_outlier", [])
    # every group at once (the country has thousands): median, MAD and mean deviation by transform
    group = snap.groupby(keys, dropna=False, sort=False).ngroup()
    plans = snap["plan_mvnd"].astype(float)
    x = np.log(plans) if scale == "log" else plans
    by = x.groupby(group, sort=False)
    n = by.transform("size")
    median = by.transform("median")
    deviation = (x - median).abs()
    mad = deviation.groupby(group, sort=False).transform("median")
    mean_ad = deviation.groupby(group, sort=False).transform("mean")
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(mad > 0, 0.6745 * (x - median) / mad,
                         np.where(mean_ad > 0, (x - median) / (1.253314 * mean_ad), np.nan))
    hit = (n >= min_group).to_numpy() & (np.abs(np.nan_to_num(score)) > threshold)
    plan_median = plans.groupby(group, sort=False).transform("median")
    details = [{"plan_mvnd": p, "median_mvnd": m, "n_communes": int(k), "score": z}
               for p, m, k, z in zip(plans[hit], plan_median[hit], n[hit], score[hit], strict=True)]
    return flag(snap[hit], "plan_outlier", details)
