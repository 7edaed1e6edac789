"""What a legend says: the labels of a legend set's classes and its title, in either language.

Numbers are written the language's way (``0,5`` in Vietnamese, ``0.5`` in English), with as
many decimals as it takes to tell two class edges apart (:func:`label_decimals`).
"""

from __future__ import annotations

import math

from analysis.common.i18n import t
from analysis.common.numbers import format_number, format_percent, format_points
from analysis.maps.legends import LegendSet, get_legend_set

__all__ = ["label_decimals", "legend_labels", "legend_title"]


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
    >>> from analysis.maps.legends import LEGEND_SETS
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
        A :class:`LegendSet` or a key of :data:`~analysis.maps.legends.LEGEND_SETS`.
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
