"""The sentence of a warning in a report's language, its figures in that language's format.

A warning keeps its figures structured (the ``detail`` column: JSON of amounts, dates, shares,
codes); its sentence is written when it is shown, from the templates ``rule.<name>.sentence``
of ``resources/labels-rules.json``, so a Vietnamese report reads "kế hoạch 479,000 triệu đồng"
and an English one "plan 479.000 million VND". ``warnings.csv`` keeps the English sentence in
its ``message`` column.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from analysis.common.i18n import t
from analysis.common.numbers import format_date, format_number, format_percent, format_points

__all__ = ["FIELD_KINDS", "render", "sentences"]


def _change(v: object, lang: str) -> str:
    """A relative change with its sign: ``−90,0%``."""
    return format_points(100.0 * float(v), lang, 1) + "%"


#: How a kind of detail field is written: kind -> f(value, lang).
_FORMATS: dict[str, Callable[[object, str], str]] = {
    "mvnd": lambda v, lang: format_number(float(v), lang, 3),
    "date": lambda v, lang: format_date(str(v), lang),
    "share": lambda v, lang: format_percent(float(v), lang, 1),
    "change": _change,
    "count": lambda v, lang: format_number(float(v), lang, 0),
    "score": lambda v, lang: format_number(float(v), lang, 1),
    "number": lambda v, lang: str(int(v)),  # row numbers, years, feature numbers: never grouped
    "numbers": lambda v, lang: ", ".join(str(int(x)) for x in v),
    "text": lambda v, lang: str(v),
    "codes": lambda v, lang: ", ".join(str(x) for x in v),
    "column": lambda v, lang: t(f"rule.column.{v}", lang),
}

#: The kind of every field a warning's detail may hold.
FIELD_KINDS: dict[str, str] = {
    "plan_mvnd": "mvnd",
    "disbursed_mvnd": "mvnd",
    "communes_plan_mvnd": "mvnd",
    "communes_disbursed_mvnd": "mvnd",
    "before_mvnd": "mvnd",
    "after_mvnd": "mvnd",
    "median_mvnd": "mvnd",
    "as_of": "date",
    "before_date": "date",
    "after_date": "date",
    "change": "change",
    "share": "share",
    "other_share": "share",
    "iou": "share",
    "score": "score",
    "value": "count",
    "low": "count",
    "high": "count",
    "n_communes": "count",
    "row": "number",
    "year": "number",
    "feature": "number",
    "rows": "numbers",
    "codes": "codes",
    "name": "text",
    "code": "text",
    "other_code": "text",
    "other_name": "text",
    "column": "column",
}


def render(rule: str, detail: dict, lang: str) -> str:
    """The sentence of one warning.

    Parameters
    ----------
    rule
        The warning's rule (a key of :data:`analysis.metrics.rules.RULES`).
    detail
        Its figures, field -> value (fields of :data:`FIELD_KINDS`).
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str

    Examples
    --------
    >>> render("plan_not_disbursed", {"plan_mvnd": 479.0, "as_of": "2023-01-31"}, "vi")
    'kế hoạch 479,000 triệu đồng, chưa giải ngân đến ngày 31/01/2023'
    """
    unknown = set(detail) - set(FIELD_KINDS)
    if unknown:
        raise ValueError(f"warning {rule!r} has fields without a kind: {sorted(unknown)}; add them to FIELD_KINDS")
    values = {k: ("–" if v is None else _FORMATS[FIELD_KINDS[k]](v, lang)) for k, v in detail.items()}
    return t(f"rule.{rule}.sentence", lang, **values)


def sentences(warnings: pd.DataFrame, lang: str) -> list[str]:
    """The sentence of each warning of a frame, in order.

    Warnings prepared before they carried a ``detail`` keep their English ``message``.
    """
    if "detail" not in warnings.columns:
        return [str(m) for m in warnings["message"]]
    out = []
    for rule, detail, message in zip(warnings["rule"], warnings["detail"], warnings["message"], strict=True):
        out.append(render(str(rule), json.loads(detail), lang) if isinstance(detail, str) and detail else str(message))
    return out
