"""Legend sets: one definition per indicator, shared by every map, report and language.

A :class:`LegendSet` fixes the classes, colours and label format of one indicator, so a
commune at 45% disbursement has the same colour in every district's report, in Vietnamese
and in English. Classes are upper-inclusive: with edges ``(0, 0.3, 0.5, ...)`` a rate of
exactly 30% falls in "0–30%", and 0 (or anything below the first edge) in the first class.

Data-driven schemes (quantiles, natural breaks) are available on request through
:func:`scheme_legend_set`; they give up the comparability of the policy bins.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.common.i18n import t
from analysis.common.numbers import format_number, format_percent, format_points

#: Class code of a unit without data (value missing or not finite).
NO_DATA = -1
#: Class code of a unit without a capital plan (plan == 0, so no rate can be computed).
NO_PLAN = -2

_KINDS = ("sequential", "diverging", "categorical")
_FORMATS = ("percent", "points", "category", "number")
# Values are rounded before classing so that a rate computed as 0.30000000000000004 still
# counts as exactly 30% and falls in the upper-inclusive class "0–30%".
_ROUND = 9


@dataclass(frozen=True)
class LegendSet:
    """Classes, colours and label format of one indicator.

    Parameters
    ----------
    key
        Indicator name; also names the map title (``title.<key>``) and legend title
        (``legend.<key>``) in ``resources/labels.json``.
    kind
        ``"sequential"``, ``"diverging"`` or ``"categorical"``.
    bins
        Class edges ``e0 < e1 < ... < e(n-1)``, one per class: class 0 is ``≤ e1`` (its
        label starts at ``e0``, or reads ``≤ e1`` when ``e0`` is ``-inf``), class ``i`` is
        ``e(i) < x ≤ e(i+1)`` and the last class is ``> e(n-1)``. Empty for categorical sets.
    colors
        One colour per class, in class order.
    labels_fmt
        ``"percent"`` (values are fractions), ``"points"`` (values are percentage points)
        or ``"category"`` (labels from ``category_keys``).
    decimals
        Decimals shown in the labels.
    category_keys
        Label keys of the classes of a categorical set.
    cmap
        Matplotlib colormap the colours come from; used to recolour data-driven schemes.
    has_no_plan
        Whether the set has a "no plan" class (rates that cannot exist because plan == 0).
    poverty_high, disbursement_low
        Thresholds of the two-input ``need_vs_money`` set: poverty rate ``>= poverty_high``
        is high, disbursement rate ``< disbursement_low`` is low.
    scheme, k_requested
        Set by :func:`scheme_legend_set`: the mapclassify scheme and the number of classes
        asked for (more than :attr:`n_classes` when tied values forced fewer classes).
    """

    key: str
    kind: str
    bins: tuple[float, ...]
    colors: tuple[str, ...]
    labels_fmt: str
    decimals: int = 0
    category_keys: tuple[str, ...] = ()
    cmap: str | None = None
    has_no_plan: bool = False
    poverty_high: float | None = None
    disbursement_low: float | None = None
    no_data_color: str = "#d9d9d9"
    no_data_hatch: str = "////"
    no_data_hatch_color: str = "#737373"
    no_plan_color: str = "#f3e3ee"
    no_plan_hatch: str = "..."
    no_plan_hatch_color: str = "#ae8ca3"
    scheme: str | None = None
    k_requested: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"legend set {self.key!r}: kind must be one of {_KINDS}")
        if self.labels_fmt not in _FORMATS:
            raise ValueError(f"legend set {self.key!r}: labels_fmt must be one of {_FORMATS}")
        # e0 == e1 is allowed: a first class of one tied value (all the zeros).
        edges = self.bins[1:]
        if any(b >= c for b, c in zip(edges, edges[1:], strict=False)) or (
            len(self.bins) > 1 and self.bins[0] > self.bins[1]
        ):
            raise ValueError(f"legend set {self.key!r}: bins must increase, got {self.bins}")
        if len(self.colors) != self.n_classes:
            raise ValueError(
                f"legend set {self.key!r}: {self.n_classes} classes but {len(self.colors)} colours"
            )

    @property
    def n_classes(self) -> int:
        """Number of value classes (the special classes not counted)."""
        return len(self.category_keys) if self.kind == "categorical" else len(self.bins)

    @property
    def fewer_classes(self) -> bool:
        """True when a data-driven scheme produced fewer classes than asked for."""
        return self.k_requested is not None and self.n_classes < self.k_requested


_INF = math.inf

#: The one legend definition of each indicator.
LEGEND_SETS: dict[str, LegendSet] = {
    # Fixed policy bins. ColorBrewer YlGnBu: lightness falls steadily from class to class,
    # so the order survives greyscale printing and the common colour-vision deficiencies.
    "disbursement_rate": LegendSet(
        key="disbursement_rate",
        kind="sequential",
        bins=(0.0, 0.3, 0.5, 0.7, 0.9, 1.0),
        colors=("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
        labels_fmt="percent",
        cmap="YlGnBu",
        has_no_plan=True,
    ),
    # ColorBrewer RdBu (7 classes), reversed: falls in poverty are blue, rises red, the
    # class around zero near-white. RdBu is colour-blind safe and reads "blue good, red
    # bad" without a key. The scale is asymmetric on purpose: the programme's target is a
    # fall of more than 3 points a year, so falls get three classes (only ≤ −3 meets the
    # target) and any rise gets a strong red, RdBu's palest red being skipped.
    "poverty_change_pp": LegendSet(
        key="poverty_change_pp",
        kind="diverging",
        bins=(-_INF, -6.0, -3.0, -1.0, 1.0, 3.0),
        colors=("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#ef8a62", "#b2182b"),
        labels_fmt="points",
        decimals=1,
        cmap="RdBu_r",
    ),
    # ColorBrewer YlOrBr: sequential, greyscale and colour-blind safe, and distinct from
    # the disbursement palette so the two indicators are not confused side by side.
    "poverty_rate": LegendSet(
        key="poverty_rate",
        kind="sequential",
        bins=(0.0, 0.05, 0.10, 0.20, 0.35),
        colors=("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"),
        labels_fmt="percent",
        cmap="YlOrBr",
    ),
    # Two inputs, four classes. Colours from ColorBrewer PuOr (colour-blind safe): high
    # poverty orange, low poverty purple; the alarm class (high poverty, low disbursement)
    # is the darkest, the reassuring class (low poverty, high disbursement) the palest.
    "need_vs_money": LegendSet(
        key="need_vs_money",
        kind="categorical",
        bins=(),
        colors=("#b35806", "#fdb863", "#b2abd2", "#ebe9f3"),
        labels_fmt="category",
        category_keys=(
            "class.high_poverty_low_disbursement",
            "class.high_poverty_high_disbursement",
            "class.low_poverty_low_disbursement",
            "class.low_poverty_high_disbursement",
        ),
        has_no_plan=True,
        poverty_high=0.15,
        disbursement_low=0.50,
    ),
    # Indicators (analysis.catalog.indicators), one set per kind. Yes/no of a unit: two classes,
    # ColorBrewer PuOr's ends (colour-blind safe, far apart in lightness).
    "indicator_yes_no": LegendSet(
        key="indicator_yes_no",
        kind="sequential",
        bins=(0.0, 0.5),
        colors=("#fdb863", "#5e3c99"),
        labels_fmt="category",
        category_keys=("indicator.no", "indicator.yes"),
    ),
    # Shares of units and ratios (households with electricity): ColorBrewer Greens, with the
    # top classes narrow because these figures crowd near 100%.
    "indicator_share": LegendSet(
        key="indicator_share",
        kind="sequential",
        bins=(0.0, 0.5, 0.75, 0.9, 0.95, 0.99),
        colors=("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"),
        labels_fmt="percent",
        cmap="Greens",
    ),
    # Counts and amounts differ by indicator: these bins are a default; a data-driven set
    # (scheme_legend_set(values, like="indicator_count")) keeps the palette and labels.
    "indicator_count": LegendSet(
        key="indicator_count",
        kind="sequential",
        bins=(0.0, 1.0, 2.0, 5.0, 10.0),
        colors=("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
        labels_fmt="number",
        cmap="Purples",
    ),
    "indicator_amount": LegendSet(
        key="indicator_amount",
        kind="sequential",
        bins=(0.0, 500.0, 1000.0, 2000.0, 5000.0),
        colors=("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
        labels_fmt="number",
        cmap="Oranges",
    ),
}


def get_legend_set(legend_set: LegendSet | str) -> LegendSet:
    """The :class:`LegendSet` itself, or the one named ``legend_set`` in :data:`LEGEND_SETS`."""
    if isinstance(legend_set, LegendSet):
        return legend_set
    try:
        return LEGEND_SETS[legend_set]
    except KeyError:
        raise ValueError(
            f"unknown legend set {legend_set!r}; choose one of {sorted(LEGEND_SETS)}"
        ) from None


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
    """Class code of each value: ``0 .. n_classes - 1``, :data:`NO_DATA` or :data:`NO_PLAN`.

    Parameters
    ----------
    values
        The indicator. For the two-input ``need_vs_money`` set, a DataFrame whose first
        column is the poverty rate and second the disbursement rate (both fractions).
        Missing and infinite values are "no data" (a rate of ``inf`` comes from a zero
        plan: pass ``no_plan`` to class it as such).
    legend_set
        A :class:`LegendSet` or a key of :data:`LEGEND_SETS`.
    no_plan
        Boolean mask (aligned on the index when a Series) of units whose plan is zero.
        They are classed :data:`NO_PLAN` whatever their value.

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
        pov = pd.to_numeric(values.iloc[:, 0], errors="coerce").astype(float).round(_ROUND)
        rate = pd.to_numeric(values.iloc[:, 1], errors="coerce").astype(float).round(_ROUND)
        high = (pov >= ls.poverty_high).to_numpy()
        low = (rate < ls.disbursement_low).to_numpy()
        codes = np.select([high & low, high, low], [0, 1, 2], default=3)
        ok = (np.isfinite(pov) & np.isfinite(rate)).to_numpy()
        index = values.index
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
        v = pd.to_numeric(series, errors="coerce").astype(float).round(_ROUND)
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


def _range(lo: str, hi: str, suffix: str = "") -> str:
    # An unspaced en dash between signed numbers ("−6,0–−3,0") is hard to read.
    signed = lo[:1] in "−+-" or hi[:1] in "−+-"
    return f"{lo} – {hi}{suffix}" if signed else f"{lo}–{hi}{suffix}"


def _thresholds(ls: LegendSet, lang: str) -> dict[str, str]:
    # Placeholders of the labels of the two-input set, e.g. {"poverty": "15%"}.
    if ls.poverty_high is None or ls.disbursement_low is None:
        return {}
    return {
        "poverty": format_percent(ls.poverty_high, lang, 0),
        "rate": format_percent(ls.disbursement_low, lang, 0),
    }


#: Decimals a legend label may be given at most to tell two class edges apart.
_MAX_LABEL_DECIMALS = 4


def label_decimals(ls: LegendSet) -> int:
    """The decimals of a legend set's labels: its own, or more where two different edges
    would otherwise read the same (data-driven breaks of 5,18% and 5,23% are not both
    "5,2%", which would say a class holds one value).

    >>> from dataclasses import replace
    >>> label_decimals(replace(LEGEND_SETS["poverty_rate"], bins=(0.0512, 0.0518, 0.0523, 0.2, 0.3)))
    2
    """
    scale = 100.0 if ls.labels_fmt == "percent" else 1.0
    edges = [scale * e for e in ls.bins if math.isfinite(e)]
    pairs = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if a != b]  # e0 == e1: one tied value
    decimals = ls.decimals
    def same(a: float, b: float) -> bool:  # written alike, as the labels write them
        return format_number(a, "en", decimals) == format_number(b, "en", decimals)

    while decimals < _MAX_LABEL_DECIMALS and any(same(a, b) for a, b in pairs):
        decimals += 1
    return decimals


def _class_labels(ls: LegendSet, lang: str) -> list[str]:
    if ls.labels_fmt == "category":
        return [t(key, lang, **_thresholds(ls, lang)) for key in ls.category_keys]
    decimals = label_decimals(ls)
    if ls.labels_fmt == "percent":
        suffix = "%"

        def num(x: float) -> str:
            return format_number(100.0 * x, lang, decimals)
    elif ls.labels_fmt == "number":  # counts and amounts: no sign
        suffix = ""

        def num(x: float) -> str:
            return format_number(x, lang, decimals)
    else:
        suffix = ""

        def num(x: float) -> str:
            return format_points(x, lang, decimals)

    edges = ls.bins
    if len(edges) == 1:
        return [num(edges[0]) + suffix]
    labels = []
    for i, lo in enumerate(edges):
        if i == len(edges) - 1:
            labels.append(f"> {num(lo)}{suffix}")
        elif i == 0 and not math.isfinite(lo):
            labels.append(f"≤ {num(edges[1])}{suffix}")
        elif num(lo) == num(edges[i + 1]):  # a class of one tied value, e.g. all zeros
            labels.append(num(lo) + suffix)
        else:
            labels.append(_range(num(lo), num(edges[i + 1]), suffix))
    return labels


def legend_labels(legend_set: LegendSet | str, lang: str = "vi", special: bool = True) -> list[str]:
    """Labels of the classes of a legend set, in class order, written the language's way.

    Parameters
    ----------
    legend_set
        A :class:`LegendSet` or a key of :data:`LEGEND_SETS`.
    lang
        ``"vi"`` or ``"en"``.
    special
        Append "no plan" (when the set has it) and "no data".

    Examples
    --------
    >>> legend_labels("disbursement_rate", "en", special=False)[:2]
    ['0–30%', '30–50%']
    >>> legend_labels("poverty_change_pp", "vi", special=False)[0]
    '≤ −6,0'
    """
    ls = get_legend_set(legend_set)
    labels = _class_labels(ls, lang)
    if special:
        if ls.has_no_plan:
            labels.append(t("legend.no_plan", lang))
        labels.append(t("legend.no_data", lang))
    return labels


def legend_title(legend_set: LegendSet | str, lang: str = "vi") -> str:
    """Title of the legend, with the set's thresholds; says so when ties cut the classes."""
    ls = get_legend_set(legend_set)
    title = t(f"legend.{ls.key}", lang, **_thresholds(ls, lang))
    if ls.fewer_classes:
        note = t("legend.fewer_classes", lang, k=ls.n_classes, k_requested=ls.k_requested)
        title += f"\n({note})"
    return title


_SCHEMES = {
    "quantiles": "Quantiles",
    "natural_breaks": "NaturalBreaks",
    "fisher_jenks": "FisherJenks",
    "equal_interval": "EqualInterval",
}


def _sample_colors(cmap: str | None, n: int) -> tuple[str, ...]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

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
    :attr:`~LegendSet.fewer_classes` is then True and :func:`legend_title` says so.

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
    v = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).round(_ROUND)
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
