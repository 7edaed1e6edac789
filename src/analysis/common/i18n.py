"""Labels of maps and reports in Vietnamese (the default) and English.

The wording lives in ``resources/labels.json`` (and one ``resources/labels-<topic>.json`` per
further topic, such as the written summaries) so that an office can adjust it without
touching code; the files are read once, on first use. Keys are dotted names
(``"title.disbursement_rate"``, ``"legend.no_data"``); values may hold ``{placeholders}``
filled from the keyword arguments of :func:`t`.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from analysis.config import DEFAULT_LANGUAGE, LANGUAGES

_RESOURCE = "labels.json"


@cache
def labels() -> dict[str, dict[str, str]]:
    """The label catalogue, ``{key: {"vi": ..., "en": ...}}``, read once from the package.

    ``labels.json`` first, then every ``labels-*.json`` in name order; a key defined in two
    files is an error (it would be unclear which wording wins).
    """
    folder = resources.files("analysis").joinpath("resources")
    names = [_RESOURCE] + sorted(
        f.name for f in folder.iterdir() if f.name.startswith("labels-") and f.name.endswith(".json")
    )
    catalogue: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for name in names:
        for key, entry in json.loads(folder.joinpath(name).read_text("utf-8"))["labels"].items():
            if key in catalogue:
                raise ValueError(f"resources/{name}: label {key!r} is already defined in resources/{origin[key]}")
            if DEFAULT_LANGUAGE not in entry:
                raise ValueError(
                    f"resources/{name}: label {key!r} has no {DEFAULT_LANGUAGE!r} text; "
                    f"every label needs at least the {DEFAULT_LANGUAGE!r} wording"
                )
            catalogue[key] = entry
            origin[key] = name
    return catalogue


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: Any) -> str:
    """The label ``key`` in language ``lang``, with ``{placeholders}`` filled from ``fmt``.

    A label not yet translated into ``lang`` falls back to the Vietnamese wording rather
    than failing, so a report never stops for a missing translation.

    Parameters
    ----------
    key
        Dotted label name, for example ``"legend.no_data"``.
    lang
        ``"vi"`` or ``"en"``.
    **fmt
        Values for the placeholders of the label.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For an unknown language, an unknown key (the message suggests close keys) or a
        placeholder without a value.

    Examples
    --------
    >>> t("legend.no_data", "vi")
    'không có số liệu'
    >>> t("source_line", "en", source="DEMA")
    'Source: DEMA'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, not {lang!r}")
    catalogue = labels()
    entry = catalogue.get(key)
    if entry is None:
        close = difflib.get_close_matches(key, catalogue, n=3)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise ValueError(
            f"unknown label key {key!r}{hint}. Add it to src/analysis/resources/{_RESOURCE}."
        )
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    try:
        return text.format(**fmt) if fmt or "{" in text else text
    except KeyError as err:
        raise ValueError(
            f"label {key!r} needs a value for the placeholder {{{err.args[0]}}}: "
            f"call t({key!r}, {lang!r}, {err.args[0]}=...)"
        ) from None
