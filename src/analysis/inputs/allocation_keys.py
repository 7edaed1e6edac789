"""Allocation keys: how the figures of a divided old commune are shared among its new communes.

By ``area`` (the part of its polygon inside each new one, when new boundaries are given), by
the crosswalk's own weights, by ``population`` (weights that are populations) or in ``equal``
shares, always saying which key was used (``allocation_key``).
:mod:`analysis.metrics.allocation` then moves the figures with these shares.
"""

from __future__ import annotations

import geopandas
import numpy as np
import pandas as pd

from analysis.config import METRIC_CRS
from analysis.errors import ParameterError

__all__ = ["KEYS", "KEY_LABELS", "intersection_areas", "split_shares"]

#: Allocation keys a user can ask for (``--key``).
KEYS = ("area", "population", "equal")
#: ``allocation_key`` written on estimated rows: the key actually used for that old commune.
KEY_LABELS = ("area", "weight", "population", "equal")


def intersection_areas(old: geopandas.GeoDataFrame, new: geopandas.GeoDataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Area of each old polygon inside each new polygon, for the given pairs, in m².

    Parameters
    ----------
    old, new
        Polygons with ``commune_code`` (old and new codes), any CRS; measured in
        :data:`analysis.config.METRIC_CRS`.
    pairs
        ``old_code``, ``new_code``: the pairs to measure (the pieces of divided communes).

    Returns
    -------
    pandas.DataFrame
        ``old_code``, ``new_code``, ``area_m2``; a pair whose polygons are unknown is absent.
    """
    o = old.dropna(subset=["commune_code"]).to_crs(METRIC_CRS).drop_duplicates("commune_code")
    n = new.dropna(subset=["commune_code"]).to_crs(METRIC_CRS).drop_duplicates("commune_code")
    o = o.set_index("commune_code").geometry
    n = n.set_index("commune_code").geometry
    p = pairs[pairs["old_code"].isin(o.index) & pairs["new_code"].isin(n.index)][["old_code", "new_code"]]
    p = p.drop_duplicates()
    a = o.loc[p["old_code"]].values
    b = n.loc[p["new_code"]].values
    ok = ~(pd.isna(a) | pd.isna(b))
    areas = np.zeros(len(p))
    if ok.any():
        areas[ok] = geopandas.GeoSeries(a[ok]).intersection(geopandas.GeoSeries(b[ok])).area.to_numpy()
    return p.assign(area_m2=areas).reset_index(drop=True)


def split_shares(pairs: pd.DataFrame, key: str = "area", areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """The share of each old unit going to each new commune, and the key that decided it.

    An old unit that went wholly into one new commune has share 1 and no key. A divided one
    (``n_new > 1``) is shared by, in order of preference for each key:

    ``area``
        the area of its polygon inside each new commune (``areas``, from new boundaries);
        else the crosswalk's own weights (key written ``weight``); else equal shares.
    ``population``
        the crosswalk's weights read as populations; else equal shares.
    ``equal``
        equal shares.

    Parameters
    ----------
    pairs
        A crosswalk from :func:`load_crosswalk` (or the pairs in scope).
    key
        One of :data:`KEYS`.
    areas
        ``old_code``, ``new_code``, ``area_m2`` from :func:`intersection_areas`.

    Returns
    -------
    pandas.DataFrame
        ``pairs`` with ``share`` (summing to 1 per old unit) and ``allocation_key`` (the key
        used, empty where nothing was allocated).

    Examples
    --------
    An old commune divided between two new ones with an area of 1 and 3 km² in each:

    >>> p = pd.DataFrame({"old_unit": ["A", "A"], "old_code": ["A", "A"], "new_code": ["N1", "N2"],
    ...                   "n_new": [2, 2], "weight": [None, None]})
    >>> a = pd.DataFrame({"old_code": ["A", "A"], "new_code": ["N1", "N2"], "area_m2": [1e6, 3e6]})
    >>> split_shares(p, "area", a)[["new_code", "share", "allocation_key"]].values.tolist()
    [['N1', 0.25, 'area'], ['N2', 0.75, 'area']]
    """
    if key not in KEYS:
        raise ParameterError(f"unknown allocation key '{key}'; use one of: {', '.join(KEYS)}")
    out = pairs.copy()
    unit = out["old_unit"]
    area = pd.Series(np.nan, index=out.index)
    if areas is not None and len(areas):
        lookup = areas.set_index(["old_code", "new_code"])["area_m2"]
        idx = pd.MultiIndex.from_arrays([out["old_code"].astype(object), out["new_code"].astype(object)])
        area = pd.Series(lookup.reindex(idx).to_numpy(dtype=float), index=out.index)
    weight = pd.to_numeric(out["weight"]).astype("float64")
    # area only when every piece of the old unit was measured (a new commune missing from the
    # boundary file would otherwise get nothing)
    area_ok = area.notna().groupby(unit).transform("all") & (area.groupby(unit).transform("sum") > 0)
    weight_ok = weight.notna().groupby(unit).transform("all") & (weight.groupby(unit).transform("sum") > 0)
    if key == "area":
        choices = [(area_ok, area, "area"), (weight_ok, weight, "weight")]
    elif key == "population":
        choices = [(weight_ok, weight, "population")]
    else:
        choices = []
    basis = pd.Series(1.0, index=out.index)
    label = pd.Series("equal", index=out.index, dtype="string")
    for ok, values, name in reversed(choices):  # the first choice that applies wins
        basis = basis.where(~ok, values)
        label = label.where(~ok, name)
    split = out["n_new"] > 1
    share = basis / basis.groupby(unit).transform("sum")
    out["share"] = share.where(split, 1.0).astype("float64")
    out["allocation_key"] = label.where(split, pd.NA).astype("string")
    return out
