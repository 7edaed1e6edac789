"""Why an input row was rejected, by a stable key with its arguments, written in each language.

``rejects.csv`` keeps the English reason ("plan_mvnd is empty"); a Vietnamese report writes
"cột Kế hoạch vốn để trống". Each reason of ``resources/reasons.json`` has a key
(``cell.empty``), its English and Vietnamese texts and the kinds of its arguments; the figures
in it are formatted when the reason is written, in the language it is written in ("'2.791' có
thể là 2.791 … hoặc 2,791 …").

A reason is made with :func:`reason` (``reason("cell.empty", column="plan_mvnd")``), a
:class:`Reason`: the English text itself (a ``str``), with ``key`` and ``args``. A reason
given as plain text (pandera's check messages are text, and so are the messages of the table
resolvers) is recognised by :func:`identify`, which matches it against the English texts of
the catalogue; :func:`render` writes a key and its arguments in a language.

Kinds of argument:

``column``
    a canonical column (``plan_mvnd``): in Vietnamese its name in the offices' words
    (``Kế hoạch vốn``, ``resources/labels-inputs.json``).
``value``, ``text``
    as written (a cell of the user's file, a code, a name).
``number``
    a figure: ``2791``, ``2.791`` in English (as ``:g`` writes it), ``2.791``, ``2,791`` in Vietnamese.
``figure``
    a large figure with its thousands grouped: ``1,000,000.5`` in English, ``1.000.000,5`` in
    Vietnamese (``1e+30`` beyond 24 digits, as :mod:`analysis.inputs.bounds` writes it).
``int``, ``rows``
    whole numbers (a row, a count of digits), and a list of rows ``3, 5``.
``programme``
    a programme by its English short name (``NTP 1719``): its title in the language.
``levels``
    unit levels joined by "or" (``commune or village``).
a key of ``vocab``
    one word of that list (``level``: ``commune`` → ``xã``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from analysis.catalog.programmes import find_programme
from analysis.common.i18n import labels, t
from analysis.common.numbers import format_number
from analysis.config import LANGUAGES
from analysis.inputs.schema import TABLES

RESOURCE = "reasons.json"
#: Kinds of argument that are not a vocabulary.
KINDS = ("column", "value", "text", "number", "figure", "int", "rows", "programme", "levels")

_NUMBER = r"-?(?:inf|nan|[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)"
_FIGURE = r"-?(?:[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?|[0-9](?:\.[0-9]+)?e[+-][0-9]+|inf)"


@dataclass(frozen=True)
class Message:
    """One reason of the catalogue."""

    key: str
    en: str
    vi: str
    args: dict[str, str]

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


class Reason(str):
    """A reason: its English text, with the catalogue ``key`` and the ``args`` it was made from.

    It is a ``str`` (the English text), so whatever takes a reason as text keeps working.
    """

    key: str
    args: dict[str, Any]

    def __new__(cls, key: str, args: dict[str, Any]) -> Reason:
        obj = super().__new__(cls, render(key, args, "en"))
        obj.key = key
        obj.args = dict(args)
        return obj

    def text(self, lang: str) -> str:
        """The reason in ``lang``."""
        return render(self.key, self.args, lang)

    def args_json(self) -> str:
        """The arguments as JSON, for the rejects table."""
        return json.dumps(self.args, ensure_ascii=False, sort_keys=True)


def reason(key: str, **args: Any) -> Reason:
    """The reason ``key`` of the catalogue with its arguments.

    >>> reason("cell.empty", column="plan_mvnd")
    'plan_mvnd is empty'
    >>> reason("cell.empty", column="plan_mvnd").text("vi")
    'cột Kế hoạch vốn để trống'
    """
    message = catalogue().get(key)
    if message is None:
        raise ValueError(f"unknown reason {key!r}: add it to src/analysis/resources/{RESOURCE}")
    missing = set(message.args) - set(args)
    if missing:
        raise ValueError(f"reason {key!r} needs {', '.join(sorted(missing))}")
    return Reason(key, {k: _plain(v) for k, v in args.items()})


def _plain(value: Any) -> Any:
    """A numpy number or a tuple of rows as JSON has them."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


# --- the catalogue -----------------------------------------------------------------------------


@cache
def _data() -> dict:
    return json.loads(resources.files("analysis").joinpath("resources", RESOURCE).read_text("utf-8"))


@cache
def catalogue() -> dict[str, Message]:
    """Every reason by key, read once from ``resources/reasons.json`` and checked.

    Raises
    ------
    ValueError
        A reason without both languages, with an argument of an unknown kind, or a text using a
        placeholder it does not list.
    """
    data = _data()
    vocab = data.get("vocab", {})
    out = {}
    for key, entry in data["reasons"].items():
        where = f"src/analysis/resources/{RESOURCE}: reason {key!r}"
        if not all(isinstance(entry.get(lang), str) for lang in LANGUAGES):
            raise ValueError(f"{where} needs a text in each of {', '.join(LANGUAGES)}")
        args = dict(entry.get("args", {}))
        for name, kind in args.items():
            if kind not in KINDS and kind not in vocab:
                raise ValueError(f"{where}: argument {name!r} is of the unknown kind {kind!r}")
        for lang in LANGUAGES:
            used = set(re.findall(r"\{(\w+)\}", entry[lang]))
            if used - set(args):
                raise ValueError(f"{where}: the {lang} text uses {{{sorted(used - set(args))[0]}}}, not in its args")
        out[key] = Message(key, entry["en"], entry["vi"], args)
    return out


def vocabulary(kind: str) -> dict[str, str]:
    """The words of a vocabulary kind: English word -> Vietnamese."""
    return dict(_data().get("vocab", {}).get(kind, {}))


# --- writing ----------------------------------------------------------------------------------


def _number(x: Any, lang: str) -> str:
    x = float(x)
    english = f"{x:g}"
    if lang == "en":
        return english
    if not math.isfinite(x) or "e" in english:
        return english.replace(".", ",")
    decimals = len(english.split(".")[1]) if "." in english else 0
    return format_number(x, lang, decimals)


def _figure(x: Any, lang: str) -> str:
    x = float(x)
    if not math.isfinite(x) or abs(x) >= 1e24:
        english = f"{x:.6g}"
        return english if lang == "en" else english.replace(".", ",")
    english = f"{x:,.3f}".rstrip("0").rstrip(".")
    if lang == "en":
        return english
    decimals = len(english.split(".")[1]) if "." in english else 0
    return format_number(x, lang, decimals)


def _column(name: str, lang: str) -> str:
    key = f"input.column.{name}"
    return t(key, lang) if lang != "en" and key in labels() else str(name)


def _programme(name: str, lang: str) -> str:
    prog = find_programme(name) if lang != "en" else None
    return prog.title(lang) if prog is not None else str(name)


def _argument(kind: str, value: Any, lang: str) -> str:
    if kind == "column":
        return _column(value, lang)
    if kind == "number":
        return _number(value, lang)
    if kind == "figure":
        return _figure(value, lang)
    if kind == "rows":
        return ", ".join(str(int(r)) for r in (value if isinstance(value, list) else str(value).split(", ")))
    if kind == "programme":
        return _programme(value, lang)
    if kind == "levels":
        words = value if isinstance(value, list) else str(value).split(" or ")
        join = t("reason.join_or", lang)
        return join.join(vocabulary("level").get(w, w) if lang == "vi" else w for w in words)
    if kind in ("value", "text", "int"):
        return str(value)
    return vocabulary(kind).get(str(value), str(value)) if lang == "vi" else str(value)


def render(key: str, args: dict[str, Any], lang: str) -> str:
    """The reason ``key`` with ``args`` written in ``lang``.

    Raises
    ------
    ValueError
        An unknown key or language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    message = catalogue().get(key)
    if message is None:
        raise ValueError(f"unknown reason {key!r}: add it to src/analysis/resources/{RESOURCE}")
    values = {name: _argument(kind, args.get(name, ""), lang) for name, kind in message.args.items()}
    return message.text(lang).format(**values)


# --- reading a reason written as text ------------------------------------------------------------


def _pattern(kind: str) -> str:
    if kind == "column":
        names = sorted({c.name for spec in TABLES.values() for c in spec.columns}, key=len, reverse=True)
        return "|".join(map(re.escape, names))
    if kind == "number":
        return _NUMBER
    if kind == "figure":
        return _FIGURE
    if kind in ("int",):
        return r"[0-9]+"
    if kind == "rows":
        return r"[0-9]+(?:, [0-9]+)*"
    if kind == "levels":
        level = "|".join(map(re.escape, vocabulary("level")))
        return rf"(?:{level})(?: or (?:{level}))*"
    if kind in ("value", "text", "programme"):
        return r".*?"
    return "|".join(map(re.escape, sorted(vocabulary(kind), key=len, reverse=True)))


@cache
def _matchers() -> list[tuple[int, re.Pattern, Message]]:
    """Each reason's English text as a regular expression, with the length of its literal text."""
    out = []
    for message in catalogue().values():
        parts = re.split(r"(\{\w+\})", message.en)
        regex = "".join(
            f"(?P<{p[1:-1]}>{_pattern(message.args[p[1:-1]])})" if p.startswith("{") else re.escape(p) for p in parts
        )
        literal = sum(len(p) for p in parts if not p.startswith("{"))
        out.append((literal, re.compile(rf"^{regex}$", re.DOTALL), message))
    return sorted(out, key=lambda m: -m[0])  # the most specific text first


def identify(text: object) -> Reason | None:
    """The catalogue reason of a reason: ``text`` itself when it is a :class:`Reason`, else the
    reason whose English text it is (its arguments read from it); None when none is.

    >>> r = identify("unknown commune code '99999'")
    >>> r.key, r.args
    ('unit.unknown_commune', {'code': '99999'})
    """
    if isinstance(text, Reason):
        return text
    if text is None:
        return None
    text = str(text)
    for _, regex, message in _matchers():
        found = regex.match(text)
        if found is None:
            continue
        args: dict[str, Any] = {}
        for name, value in found.groupdict().items():
            kind = message.args[name]
            if kind == "figure":
                args[name] = float(value.replace(",", ""))
            else:
                args[name] = float(value) if kind == "number" else int(value) if kind == "int" else value
        made = Reason(message.key, args)
        if str(made) == text:  # written back the same: the reading is right
            return made
    return None


def written(english: str, key: object = None, args: object = None, lang: str = "vi") -> str:
    """A reject's reason in ``lang``, from its key and arguments (rejects of a prepare run) or
    from its English text (older prepared data); the English text when the catalogue has neither."""
    if isinstance(key, str) and key in catalogue():
        try:
            parsed = json.loads(args) if isinstance(args, str) and args else {}
        except json.JSONDecodeError:
            parsed = {}
        return render(key, parsed, lang)
    found = identify(english)
    return found.text(lang) if found is not None else str(english)
