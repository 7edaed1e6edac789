"""The templates of the written summaries: which exist, what each may use, and reading them.

The wording lives in ``resources/summaries/<lang>.json`` (one file per language) so that an
office can change it without touching code. Each template may use the placeholders that
:data:`TEMPLATES` lists for it, with these formats:

``{amount}``
    money, in the unit the offices use in prose: ``triệu đồng`` below 1,000 million, else
    ``tỷ đồng`` written exactly when two decimals hold it (29.720 triệu → ``29,72 tỷ đồng``)
    and otherwise as "over" the figure cut to one decimal (3.312 → ``trên 3,3 tỷ đồng``;
    the word comes from the ``money.over`` template).
``{amount:mvnd}``
    money in million VND as the tables show it (three decimals), trailing zeros dropped
    (``2.791 triệu đồng``, ``8.356,336 triệu đồng``).
``{amount:bvnd}``
    money in billion VND by the rule above, whatever its size.
``{amount:both}``
    as ``{amount}``, followed by the exact million-VND figure in brackets when the prose
    says billions: ``trên 2,7 tỷ đồng (2.791 triệu đồng)``, but ``541,305 triệu đồng``.
``{amount:round}``
    billion VND rounded to one decimal from 1,000 million (226.284,5 triệu →
    ``226,3 tỷ đồng``, as seed 002 and the indicator tables write it), else million VND.
``{rate}``
    a rate as the tables show it (``33,40%``); ``{rate:short}`` the same rounded figure
    with trailing zeros dropped (``37%``, ``4,9%``).
``{change}``
    a change in percentage points, one decimal, without sign (the template says which way).

A template file with a missing or unknown template, or a placeholder or format a template
may not use, is refused with a :class:`SummaryTemplateError` that names the file, the
template and what it may use.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources

from analysis.catalog.indicators import load_catalogue
from analysis.config import LANGUAGES
from analysis.errors import NtpAtlasError

#: Folder (inside the package) of the template files, one ``<lang>.json`` per language.
TEMPLATE_FOLDER = "resources/summaries"

_M, _R, _P, _T = "money", "rate", "points", "text"
#: Format specifications a placeholder of each kind accepts.
SPECS = {_M: ("", "mvnd", "bvnd", "both", "round"), _R: ("", "short"), _P: ("",), _T: ("",)}
_CHANGE = {"previous_as_of": _T, "as_of": _T, "delta": _M, "rate": _R, "previous_rate": _R}
_POSITION = {"area": _T, "rate": _R, "province": _T, "province_rate": _R, "rank": _T, "n": _T}
_POVERTY = {"what": _T, "year": _T, "rate": _R, "change": _P, "base_year": _T, "coverage": _T}
_REGIONS = {"year": _T, "area": _T, "n": _T, "coverage": _T}
_INDICATOR = {"phrase": _T, "name": _T}

#: Every template and the placeholders (name: kind) it may use.
TEMPLATES: dict[str, dict[str, str]] = {
    # pieces used inside sentences
    "join.items": {},
    "join.names": {},
    "join.last": {},
    "money.over": {"amount": _T},
    "area.district": {"name": _T},
    "area.province": {"name": _T},
    "fund.carried_over": {"year": _T, "previous_year": _T},
    "fund.current": {"year": _T},
    "unit.commune.one": {},
    "unit.commune.many": {},
    "unit.district.one": {},
    "unit.district.many": {},
    "rate.poverty": {},
    "rate.em_poverty": {},
    #: beside a figure computed from part of the area's units ("(1/8 xã có số liệu)")
    "coverage": {"n": _T, "total": _T, "units": _T},
    # plan and disbursement
    "plan": {"year": _T, "area": _T, "plan": _M, "parts": _T, "coverage": _T},
    "plan.total": {"year": _T, "area": _T, "plan": _M, "coverage": _T},
    "plan.part": {"fund": _T, "plan": _M},
    "funds": {"as_of": _T, "items": _T},
    "funds.item": {"fund": _T, "disbursed": _M, "plan": _M, "rate": _R},
    "funds.item_no_plan": {"fund": _T, "disbursed": _M},
    "capital": {"as_of": _T, "items": _T},
    "capital.item": {"capital": _T, "disbursed": _M, "plan": _M, "rate": _R},
    "capital.item_no_plan": {"capital": _T, "disbursed": _M},
    "total": {"area": _T, "as_of": _T, "disbursed": _M, "plan": _M, "rate": _R},
    # since the previous snapshot, and against the province
    "change.up": _CHANGE,
    "change.down": _CHANGE,
    "change.same": _CHANGE,
    "position.above": _POSITION,
    "position.below": _POSITION,
    "position.equal": _POSITION,
    # the units furthest behind
    "units.with_plan": {"n": _T, "total": _T, "units": _T, "year": _T},
    "behind.one": {"unit": _T, "names": _T},
    "behind.many": {"units": _T, "names": _T},
    "behind.item": {"name": _T, "rate": _R},
    # poverty and region III
    "poverty": {"clauses": _T},
    "poverty.down": _POVERTY,
    "poverty.up": _POVERTY,
    "poverty.same": _POVERTY,
    "poverty.level": _POVERTY,
    "poverty.per_year.down": {"what": _T, "change": _P},
    "poverty.per_year.up": {"what": _T, "change": _P},
    "regions": {"clauses": _T},
    "regions.count": _REGIONS,
    "regions.count_one": _REGIONS,
    "regions.none": _REGIONS,
    "regions.exits": {"n": _T, "base_year": _T, "names": _T},
    "regions.exits_one": {"n": _T, "base_year": _T, "names": _T},
    "regions.exits_unnamed": {"n": _T, "base_year": _T},
    "regions.no_exits": {"base_year": _T},
    # unit-level indicators (analysis.inputs.indicators): a sentence per date, an item per indicator
    "indicators.year_end": {"year": _T, "area": _T, "items": _T},
    "indicators.as_of": {"as_of": _T, "area": _T, "items": _T},
    "indicator.share": {"n": _T, "total": _T, "units": _T, "share": _T, **_INDICATOR},
    "indicator.ratio": {"share": _T, "num": _T, "den": _T, "unit": _T, **_INDICATOR},
    "indicator.count": {"n": _T, "unit": _T, **_INDICATOR},
    "indicator.amount": {"amount": _M, **_INDICATOR},
    "indicator.own_yes": {"unit": _T, **_INDICATOR},
    "indicator.own_no": {"unit": _T, **_INDICATOR},
    "indicator.missing": {"item": _T, "n": _T, "units": _T},
    # what each indicator of the catalogue says, in the sentence's own words: a new indicator needs one
    **{f"phrase.{code}": {} for code, ind in load_catalogue().indicators.items() if ind.kind != "denominator"},
}


class SummaryTemplateError(NtpAtlasError, ValueError):
    """A summary template file cannot be used: what is wrong, where, and what would do."""


def template_path(lang: str) -> str:
    """Where the templates of a language are, for messages: ``src/analysis/resources/summaries/vi.json``."""
    return f"src/analysis/{TEMPLATE_FOLDER}/{lang}.json"


@cache
def templates(lang: str) -> dict[str, str]:
    """The checked templates of a language, read once from ``resources/summaries/<lang>.json``.

    Raises
    ------
    SummaryTemplateError
        Unknown language, unreadable file, or a template missing, unknown, or using a
        placeholder or format it may not.
    """
    if lang not in LANGUAGES:
        raise SummaryTemplateError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    where = template_path(lang)
    source = resources.files("analysis").joinpath(TEMPLATE_FOLDER, f"{lang}.json")
    try:
        data = json.loads(source.read_text("utf-8"))
    except FileNotFoundError:
        raise SummaryTemplateError(f"{where} is missing: every report language needs its summary templates") from None
    except json.JSONDecodeError as exc:
        raise SummaryTemplateError(f"{where} is not valid JSON: {exc}") from None
    found = data.get("templates") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise SummaryTemplateError(f'{where}: expected an object {{"templates": {{name: text, ...}}}}')
    return check_templates(found, where)


def check_templates(found: Mapping[str, object], where: str = "templates") -> dict[str, str]:
    """Check a set of templates against :data:`TEMPLATES` and return it.

    Parameters
    ----------
    found
        ``{template name: text}``.
    where
        Where they come from, for the messages (a file name).

    Raises
    ------
    SummaryTemplateError
        A template missing, unknown, not text, with unbalanced braces, or using a
        placeholder or a format it may not.
    """
    missing = [k for k in TEMPLATES if k not in found]
    if missing:
        raise SummaryTemplateError(f"{where}: template {missing[0]!r} is missing"
                                   + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    unknown = [k for k in found if k not in TEMPLATES]
    if unknown:
        raise SummaryTemplateError(f"{where}: unknown template {unknown[0]!r}; the templates are "
                                   + ", ".join(TEMPLATES))
    out = {}
    for key, text in found.items():
        if not isinstance(text, str):
            raise SummaryTemplateError(f"{where}: template {key!r} must be text, not {type(text).__name__}")
        allowed = TEMPLATES[key]
        may_use = ", ".join("{" + p + "}" for p in allowed) or "no placeholders"
        try:
            fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise SummaryTemplateError(f"{where}: template {key!r}: {exc} (write {{{{ and }}}} for a brace)") from None
        for name, spec, conv in fields:
            if name not in allowed:
                raise SummaryTemplateError(
                    f"{where}: template {key!r} uses the unknown placeholder {{{name}}}; it may use {may_use}"
                )
            if conv or spec not in SPECS[allowed[name]]:
                specs = ", ".join(f"{{{name}:{s}}}" if s else f"{{{name}}}" for s in SPECS[allowed[name]])
                raise SummaryTemplateError(
                    f"{where}: template {key!r} writes {{{name}{'!' + conv if conv else ''}"
                    f"{':' + spec if spec else ''}}}; {{{name}}} is a {allowed[name]} and may be written {specs}"
                )
        out[key] = text
    return out
