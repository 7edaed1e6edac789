"""Data-driven legend sets: the classes of a mapclassify scheme (quantiles, natural breaks).

They give up the comparability of the fixed policy bins of :data:`analysis.maps.legends.LEGEND_SETS`
and are made on request only (``classification_kwds`` of a choropleth).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from analysis.maps.classes import ROUND_DECIMALS
from analysis.maps.legends import LegendSet, get_legend_set

__all__ = ["scheme_legend_set"]


_SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "NaturalBreaks",
    "fisher_jenks": "FisherJenks",
    "equal_interval": "EqualInterval",
}


def _sample_colors(cmap: str | None, n: int) -> tuple[str, ...]:
    cm = colormaps[cmap or "YlGnBu"]
    points = np.linspace(0.12, 0.92, n) if n > 1 else [0.5]
    return tuple(to_hex(cm(p)) for p in points)


def scheme_legend_set(
    values: pd.Series | Sequence[float],
    scheme: str = "quantiles",
    k: int = 5,
    like: LegendSet | str = "poverty_rate",
) -> LegendSet:
    """A data-driven legend set from a mapclassify scheme, robust to tied values.

    When the data has ``k`` or fewer distinct values, each distinct value gets its own
    class; when the scheme's breaks coincide (quantiles of many zeros), duplicates are
    merged. Either way the result may have fewer than ``k`` classes: its
    :attr:`~LegendSet.fewer_classes` is then True and :func:`~analysis.maps.legend_text.legend_title` says so.

    Parameters
    ----------
    values
        The indicator; missing and infinite values are ignored.
    scheme
        ``"quantiles"``, ``"natural_breaks"``, ``"fisher_jenks"`` or ``"equal_interval"``.
    k
        Number of classes asked for.
    like
        Legend set whose key (titles), label format and colormap the result takes.

    Returns
    -------
    LegendSet
    """
    base = get_legend_set(like)
    if base.kind == "categorical":
        raise ValueError(f"legend set {base.key!r} is categorical; schemes need numbers")
    if scheme not in _SCHEMES:
        raise ValueError(f"scheme must be one of {sorted(_SCHEMES)}, not {scheme!r}")
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    v = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).round(ROUND_DECIMALS)
    v = v[np.isfinite(v)].to_numpy()
    if v.size == 0:
        raise ValueError("no finite values to classify: the scheme needs data")
    unique = np.unique(v)
    if unique.size <= k:
        uppers = unique  # one class per distinct value
    else:
        try:
            import mapclassify
        except ImportError as err:  # pragma: no cover - mapclassify is a dependency
            raise ImportError(
                "data-driven schemes need mapclassify: pip install mapclassify"
            ) from err
        # NaturalBreaks starts its k-means from seeds drawn from numpy's global generator:
        # seed it for the call (and put its state back) so the same data gets the same breaks.
        state = np.random.get_state()
        np.random.seed(20211014)  # any fixed seed; this one is the date of QĐ 1719
        try:
            with warnings.catch_warnings():
                # mapclassify warns and lowers k itself on ties; duplicates are merged below.
                warnings.simplefilter("ignore", UserWarning)
                bins = getattr(mapclassify, _SCHEMES[scheme])(v, k=k).bins
        finally:
            np.random.set_state(state)
        # Snap each break down to the largest value it holds: no unit changes class, but
        # breaks interpolated between tied values (quantiles of many zeros) merge instead
        # of leaving empty classes.
        uppers = np.unique([v[v <= b].max() for b in np.asarray(bins, float) if (v <= b).any()])
    # The first class starts at the smallest value; the last one is "> second-last break".
    edges = tuple(float(e) for e in (unique[0], *uppers[:-1]))
    return dataclasses.replace(
        base,
        bins=edges,
        colors=_sample_colors(base.cmap, len(edges)),
        decimals=base.decimals + 1,
        scheme=scheme,
        k_requested=k,
    )
