"""Values put into the classes of a legend set: a class code per unit.

Classes are upper-inclusive (a rate of exactly 30% falls in "0–30%"); a unit without data is
classed :data:`~analysis.maps.legends.NO_DATA`, one without a plan
:data:`~analysis.maps.legends.NO_PLAN`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.maps.legends import NO_DATA, NO_PLAN, LegendSet, get_legend_set

__all__ = ["ROUND_DECIMALS", "classify"]

#: Values are rounded to this many decimals before classing, so that a rate computed as
#: 0.30000000000000004 still counts as exactly 30% and falls in the upper-inclusive class "0–30%".
ROUND_DECIMALS = 9


def _no_plan_mask(no_plan: object, index: pd.Index) -> pd.Series:
    if no_plan is None:
        return pd.Series(False, index=index)
    if isinstance(no_plan, pd.Series) and not no_plan.index.equals(index):
        mask = no_plan.reindex(index)
    elif isinstance(no_plan, pd.Series):
        mask = no_plan
    else:
        mask = pd.Series(np.asarray(no_plan), index=index)
    return mask.fillna(False).astype(bool)


def classify(
    values: pd.Series | pd.DataFrame | Sequence[float],
    legend_set: LegendSet | str,
    no_plan: pd.Series | Sequence[bool] | None = None,
) -> pd.Series:
    """Class code of each value: ``0 .. n_classes - 1``, ``NO_DATA`` or ``NO_PLAN``.

    Parameters
    ----------
    values
        The indicator. For the two-input ``need_vs_money`` set, a DataFrame whose first
        column is the poverty rate and second the disbursement rate (both fractions).
        Missing and infinite values are "no data" (a rate of ``inf`` comes from a zero
        plan: pass ``no_plan`` to class it as such).
    legend_set
        A :class:`LegendSet` or a key of :data:`~analysis.maps.legends.LEGEND_SETS`.
    no_plan
        Boolean mask (aligned on the index when a Series) of units whose plan is zero.
        They are classed :data:`~analysis.maps.legends.NO_PLAN` whatever their value.

    Returns
    -------
    pandas.Series
        Integer class codes named ``"class"``, on the index of ``values``.

    Examples
    --------
    >>> classify([0.0, 0.3, 0.31, 1.0, 1.2, None], "disbursement_rate").tolist()
    [0, 0, 1, 4, 5, -1]
    """
    ls = get_legend_set(legend_set)
    if ls.kind == "categorical":
        if not isinstance(values, pd.DataFrame) or values.shape[1] != 2:
            raise ValueError(
                f"legend set {ls.key!r} needs a DataFrame of two columns: "
                "poverty rate, then disbursement rate"
            )
        pov = pd.to_numeric(values.iloc[:, 0], errors="coerce").astype(float).round(ROUND_DECIMALS)
        rate = pd.to_numeric(values.iloc[:, 1], errors="coerce").astype(float).round(ROUND_DECIMALS)
        high = (pov >= ls.poverty_high).to_numpy()
        low = (rate < ls.disbursement_low).to_numpy()
        codes = np.select([high & low, high, low], [0, 1, 2], default=3)
        ok = (np.isfinite(pov) & np.isfinite(rate)).to_numpy()
        index = values.index
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
        v = pd.to_numeric(series, errors="coerce").astype(float).round(ROUND_DECIMALS)
        codes = np.searchsorted(np.asarray(ls.bins[1:], dtype=float), v.to_numpy(), side="left")
        ok = np.isfinite(v.to_numpy())
        index = series.index
    out = pd.Series(np.where(ok, codes, NO_DATA), index=index, name="class", dtype=int)
    mask = _no_plan_mask(no_plan, index)
    if mask.any():
        if not ls.has_no_plan:
            raise ValueError(f"legend set {ls.key!r} has no 'no plan' class; drop no_plan")
        out[mask] = NO_PLAN
    return out
