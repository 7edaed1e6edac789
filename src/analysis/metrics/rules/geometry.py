"""Rule checks on the communes' polygons: the same polygon twice, overlaps, a district outline.

Communes of one unit list do not overlap; where their polygons do by more than slivers, a map
draws one commune over another and every area-weighted figure is wrong. Three warnings, each
naming both communes:

* ``same_polygon``: two communes whose polygons are (nearly) the same: the area in common is
  at least ``same_polygon_iou`` of the area of the two together (intersection over union);
* ``polygon_covers_district``: a commune whose polygon covers at least
  ``covers_district_share`` of the area of the other communes of its district (at least two
  others): the district's outline given as a commune's; its overlaps with each of those
  communes are not warned again one by one;
* ``polygon_overlap``: any other pair whose area in common is at least ``overlap_share`` of
  the smaller polygon.

Pairs come from the spatial index (:meth:`geopandas.GeoSeries.sindex`, an STRtree; query
with ``predicate="intersects"``) and the areas from shapely's vectorised functions, in metres
(VN-2000 / UTM 48N). The whole country's 11,163 polygons of 2019 take about two seconds.
"""

from __future__ import annotations

import geopandas
import numpy as np
import pandas as pd
import shapely

from analysis.config import METRIC_CRS
from analysis.metrics.rules.frame import records

__all__ = ["overlaps", "geometry_rules"]

_CODES_SHOWN = 8


def overlaps(communes: geopandas.GeoDataFrame) -> pd.DataFrame:
    """Every pair of communes whose polygons share some area, with the shares.

    Parameters
    ----------
    communes
        One row per commune with ``commune_code``, ``district_code`` and a geometry (None
        where the commune has none), in any CRS.

    Returns
    -------
    pandas.DataFrame
        One row per pair (``i < j`` in the order of ``communes`` without its empty
        geometries): positions ``i`` and ``j`` in that order, ``area_i``, ``area_j``,
        ``common`` (m²), ``share_i`` = common ÷ area_i, ``share_j``, ``iou`` = common ÷
        (area_i + area_j − common).
    """
    metric = communes if communes.crs is not None and communes.crs.equals(METRIC_CRS) else communes.to_crs(METRIC_CRS)
    geoms = metric.geometry.values
    i, j = geopandas.GeoSeries(geoms).sindex.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    areas = shapely.area(geoms)
    common = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    has = common > 0
    i, j, common = i[has], j[has], common[has]
    a_i, a_j = areas[i], areas[j]
    return pd.DataFrame({"i": i, "j": j, "area_i": a_i, "area_j": a_j, "common": common,
                         "share_i": common / a_i, "share_j": common / a_j, "iou": common / (a_i + a_j - common)})


def _covering(pairs: pd.DataFrame, units: pd.DataFrame, share: float) -> dict[int, tuple[float, list[int]]]:
    """Communes covering ``share`` of the others of their district: position -> (share, others)."""
    district = units["district_code"].to_numpy(dtype=object)
    area = pd.Series(units["_area"].to_numpy(), index=range(len(units)))
    both = pd.concat([pairs[["i", "j", "common"]],
                      pairs[["j", "i", "common"]].set_axis(["i", "j", "common"], axis=1)], ignore_index=True)
    d_i, d_j = district[both["i"].to_numpy(dtype=int)], district[both["j"].to_numpy(dtype=int)]
    known = pd.notna(d_i) & pd.notna(d_j)  # the units of 1/7/2025 have no district: no pair is "of one district"
    alike = np.zeros(len(both), dtype=bool)
    alike[known] = d_i[known] == d_j[known]
    same = both[alike]
    others_area = units.groupby("district_code", dropna=True)["_area"].sum()
    others_n = units.groupby("district_code", dropna=True).size()
    out = {}
    for pos, group in same.groupby("i"):
        d = district[pos]
        n_others = int(others_n[d]) - 1
        rest = float(others_area[d]) - float(area[pos])
        if n_others < 2 or rest <= 0:
            continue
        covered = float(group["common"].sum()) / rest
        if covered >= share:
            members = [k for k in range(len(units)) if district[k] == d and k != pos]
            out[int(pos)] = (covered, members)
    return out


def geometry_rules(communes: geopandas.GeoDataFrame, *, same_polygon_iou: float = 0.95,
                   overlap_share: float = 0.25, covers_district_share: float = 0.9) -> pd.DataFrame:
    """The geometry warnings of a set of communes.

    Parameters
    ----------
    communes
        One row per commune: ``commune_code``, ``district_code``, ``commune_name`` (optional)
        and a geometry (None where it has none), with a CRS.
    same_polygon_iou, overlap_share, covers_district_share
        The thresholds (see the module's text and ``resources/rules.json``).

    Returns
    -------
    pandas.DataFrame
        Warnings ``same_polygon``, ``polygon_covers_district`` and ``polygon_overlap``; the
        first code is ``commune_code``, the second ``other_code``.
    """
    has = communes.geometry.notna() & ~communes.geometry.is_empty
    units = communes[has].reset_index(drop=True)
    if len(units) < 2:
        return records([])
    units = units.to_crs(METRIC_CRS)
    pairs = overlaps(units)
    units = units.assign(_area=shapely.area(units.geometry.values))
    codes = units["commune_code"].astype("string").to_numpy(dtype=object)
    names = (units["commune_name"] if "commune_name" in units.columns else pd.Series([None] * len(units)))
    names = names.astype("string").to_numpy(dtype=object)
    districts = units["district_code"].astype("string").to_numpy(dtype=object)
    out = []

    def warn(rule: str, a: int, b: int | None, detail: dict) -> None:
        other = {} if b is None else {"other_code": codes[b], "other_name": names[b] if pd.notna(names[b]) else None}
        out.append({"rule": rule, "district_code": districts[a], "commune_code": codes[a],
                    "other_code": None if b is None else codes[b], "detail": {**other, **detail}})

    covering = _covering(pairs, units, covers_district_share)
    for pos, (share, members) in sorted(covering.items()):
        shown = [codes[m] for m in members[:_CODES_SHOWN]] + (["…"] if len(members) > _CODES_SHOWN else [])
        warn("polygon_covers_district", pos, None, {"share": share, "n_communes": len(members), "codes": shown})
    for p in pairs.itertuples(index=False):
        a, b = int(p.i), int(p.j)
        if p.iou >= same_polygon_iou:
            first, second = (a, b) if str(codes[a]) <= str(codes[b]) else (b, a)
            warn("same_polygon", first, second, {"iou": p.iou})
        elif max(p.share_i, p.share_j) >= overlap_share and a not in covering and b not in covering:
            # the commune named first is the one lying most inside the other
            first, second, s1, s2 = (a, b, p.share_i, p.share_j) if p.share_i >= p.share_j else (
                b, a, p.share_j, p.share_i)
            warn("polygon_overlap", first, second, {"share": s1, "other_share": s2})
    return records(out)
