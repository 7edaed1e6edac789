"""Legend sets: one definition per indicator, shared by every map, report and language.

A :class:`LegendSet` fixes the classes, colours and label format of one indicator, so a
commune at 45% disbursement has the same colour in every district's report, in Vietnamese
and in English. Classes are upper-inclusive: with edges ``(0, 0.3, 0.5, ...)`` a rate of
exactly 30% falls in "0–30%", and 0 (or anything below the first edge) in the first class.

Values are put into classes by :func:`analysis.maps.classes.classify`; the classes' labels and
the legend title are written by :mod:`analysis.maps.legend_text`. Data-driven schemes
(quantiles, natural breaks) are available on request through
:func:`analysis.maps.schemes.scheme_legend_set`; they give up the comparability of the policy
bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Class code of a unit without data (value missing or not finite).
NO_DATA = -1
#: Class code of a unit without a capital plan (plan == 0, so no rate can be computed).
NO_PLAN = -2

_KINDS = ("sequential", "diverging", "categorical")
_FORMATS = ("percent", "points", "category", "number")


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
        Set by :func:`~analysis.maps.schemes.scheme_legend_set`: the mapclassify scheme and the number of classes
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
