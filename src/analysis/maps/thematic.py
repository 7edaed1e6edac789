"""Maps of one indicator: the change in the poverty rate, and need against money.

Thin wrappers of :func:`analysis.maps.choropleth.choropleth` with their legend sets.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from matplotlib.axes import Axes

from analysis.maps.choropleth import choropleth

__all__ = ["change_map", "need_vs_money_map"]


def change_map(
    gdf: gpd.GeoDataFrame, column: str, ax: Axes | None = None, lang: str = "vi", **kwargs: Any
) -> Axes:
    """Map a change in the poverty rate, in percentage points (``-2.9`` = 2.9 points fewer).

    A thin wrapper of :func:`choropleth` with the ``poverty_change_pp`` legend set; keyword
    arguments are passed on.
    """
    return choropleth(gdf, column, "poverty_change_pp", ax=ax, lang=lang, **kwargs)


def need_vs_money_map(
    gdf: gpd.GeoDataFrame,
    poverty_col: str,
    rate_col: str,
    ax: Axes | None = None,
    lang: str = "vi",
    no_plan_column: str | None = None,
    **kwargs: Any,
) -> Axes:
    """Map where need (poverty rate) and money (disbursement rate) diverge.

    Four classes from the thresholds of the ``need_vs_money`` legend set (poverty ≥ 15% is
    high, disbursement < 50% is low); "high poverty, low disbursement" is the alarm class
    and has the strongest colour. A thin wrapper of :func:`choropleth`.

    Parameters
    ----------
    gdf
        Communes with both rates as fractions.
    poverty_col, rate_col
        Poverty rate and disbursement rate columns.
    ax, lang, no_plan_column, **kwargs
        As for :func:`choropleth`.
    """
    return choropleth(
        gdf,
        (poverty_col, rate_col),
        "need_vs_money",
        ax=ax,
        lang=lang,
        no_plan_column=no_plan_column,
        **kwargs,
    )
