"""Administrative units: the official lists, and names as the field spells them.

The official list of units before the 2025 reform (63 provinces, districts, communes, with
GSO codes, names and coordinates) comes from the PyPI package ``vietnamadminunits``. Codes are
strings, always: ``06481`` is not ``6481``.

Names from the field are spelled inconsistently: tone-mark placement (``Hoà``/``Hòa``),
missing diacritics, NFC or NFD Unicode, with or without the type prefix (``Xã``,
``Thị trấn``). :func:`unit_key` gives comparison keys that ignore those differences, keeping
the diacritics (``marks=True``) or dropping them (``marks=False``); the folding itself is
:func:`analysis.common.text.fold`.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache, partial

import pandas as pd

from analysis.common.text import fold
from analysis.errors import InputFileError, ParameterError

UNIT_COLUMNS = [
    "province_code",
    "province_name",
    "district_code",
    "district_name",
    "district_type",
    "commune_code",
    "commune_name",
    "commune_type",
    "lat",
    "lon",
]

_PREFIXES = (
    "thanh pho",
    "thi xa",
    "thi tran",
    "huyen",
    "quan",
    "phuong",
    "xa",
    "tinh",
    "tp",
    "tx",
    "tt",
    "h",
    "p",
)
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")\.?\s+")


def _strip_prefix(folded: str) -> str:
    # Only strip when something is left ("Xã Thị trấn" is not a name, but "Xã" alone is odd too).
    stripped = _PREFIX_RE.sub("", folded, count=1)
    return stripped if stripped else folded


def ascii_words(name: str) -> list[str]:
    """The words of a name without diacritics, case, punctuation or type prefix.

    >>> ascii_words("Huyện Chi Lăng")
    ['chi', 'lang']
    """
    return _strip_prefix(fold(name, keep="")).split()


def unit_key(name: str, *, marks: bool) -> str:
    """Comparison key of a unit name: no case, Unicode form, spaces, punctuation or type prefix.

    Parameters
    ----------
    name : str
        A unit name as the field writes it (``Xã Chiến Thắng``, ``chien thang``).
    marks : bool
        Keep the diacritics but not the tone mark's placement (``Hoà`` and ``Hòa`` give one
        key, ``Tân`` and ``Tấn`` two); without them, names that differ only in diacritics
        share a key. See :func:`analysis.common.text.fold`.

    Returns
    -------
    str
        The key.

    Examples
    --------
    >>> unit_key("Xã Chiến Thắng", marks=False) == unit_key("chien thang", marks=False)
    True
    >>> unit_key("Xã Hoà Bình", marks=True) == unit_key("hòa bình", marks=True)
    True
    >>> unit_key("Tân Lập", marks=True) == unit_key("Tấn Lập", marks=True)
    False
    """
    if not marks:
        return "".join(ascii_words(name))
    # the type prefix is found on the folded text; drop the same number of words here
    folded = fold(name, keep="")
    n_prefix_words = len(folded.split()) - len(_strip_prefix(folded).split())
    return fold(" ".join(str(name).split()[n_prefix_words:]), marks=True, sep="")


@lru_cache(maxsize=1)
def official_units() -> pd.DataFrame:
    """The official commune list before the 2025 reform, one row per commune.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNIT_COLUMNS`; codes as strings with their leading zeros.
    """
    from vietnamadminunits.database import query

    rows = query(
        "SELECT provinceCode, province, districtCode, district, districtType, wardCode, ward, "
        "wardType, wardLat, wardLon FROM admin_units_legacy"
    )
    df = pd.DataFrame(rows)
    df.columns = UNIT_COLUMNS
    df = df.drop_duplicates("commune_code").sort_values("commune_code").reset_index(drop=True)
    df["province_name"] = df["province_name"].str.replace(r"^(Tỉnh|Thành phố)\s+", "", regex=True)
    for col in ("province_code", "district_code", "commune_code"):
        df[col] = df[col].astype(str)
    return df


def load_unit_list(path=None) -> pd.DataFrame:
    """The unit list to validate codes against: a user's CSV, or the official list.

    A user's file (for units of another vintage) needs the columns ``province_code``,
    ``district_code``, ``commune_code`` and may have the name columns of :data:`UNIT_COLUMNS`.
    """
    if path is None:
        return official_units()
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    missing = {"province_code", "district_code", "commune_code"} - set(df.columns)
    if missing:
        raise InputFileError(
            path,
            f"unit list lacks columns {sorted(missing)}",
            "a unit list needs province_code, district_code, commune_code (and names)",
        )
    for col in UNIT_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    return df[UNIT_COLUMNS]


def code_name_choices(table: pd.DataFrame, code_col: str, name_col: str) -> pd.DataFrame:
    """The distinct ``code``/``name`` pairs of a unit table, for :func:`resolve_choice`."""
    return table[[code_col, name_col]].drop_duplicates().rename(columns={code_col: "code", name_col: "name"})


def resolve_choice(text: str, choices: pd.DataFrame, what: str) -> tuple[str, str]:
    """``(code, name)`` of the one choice ``text`` names by code or by name (tone placement and
    prefixes aside).

    Raises
    ------
    ParameterError
        No choice, or several, named by ``text``; the message suggests near names.
    """
    text = str(text).strip()
    exact, loose = partial(unit_key, marks=True), partial(unit_key, marks=False)
    hit = choices[choices["code"] == text]
    if len(hit) == 0:
        hit = choices[choices["name"].map(exact) == exact(text)]
    if len(hit) == 0:
        hit = choices[choices["name"].map(loose) == loose(text)]
    if len(hit) == 1:
        return hit.iloc[0]["code"], hit.iloc[0]["name"]
    if len(hit) > 1:
        options = ", ".join(f"{r.name} ({r.code})" for r in hit.itertuples())
        raise ParameterError(f"{what} '{text}' is ambiguous: {options}. Give the GSO code instead.")
    close = difflib.get_close_matches(loose(text), choices["name"].map(loose).tolist(), n=3, cutoff=0.6)
    names = choices.set_index(choices["name"].map(loose))["name"]
    hint = ""
    if close:
        hint = (
            " Did you mean: "
            + ", ".join(f"{names[c] if isinstance(names[c], str) else names[c].iloc[0]}" for c in close)
            + "?"
        )
    elif text.isdigit():
        hint = " GSO codes keep their leading zeros (a province code has 2 digits, a district 3, a commune 5)."
    raise ParameterError(f"unknown {what} '{text}'.{hint}")


def resolve_province(text: str, units: pd.DataFrame | None = None) -> tuple[str, str]:
    """Find a province by GSO code or name: returns ``(code, name)``.

    Raises
    ------
    ParameterError
        Unknown or ambiguous; the message suggests close names.
    """
    units = official_units() if units is None else units
    return resolve_choice(text, code_name_choices(units, "province_code", "province_name"), "province")


def resolve_district(text: str, province: str | None = None, units: pd.DataFrame | None = None) -> tuple[str, str]:
    """Find a district by GSO code or name, within a province if given: ``(code, name)``."""
    units = official_units() if units is None else units
    if province is None:
        return resolve_choice(text, code_name_choices(units, "district_code", "district_name"), "district")
    pcode, pname = resolve_province(province, units)
    inside = units[units["province_code"] == pcode]
    try:
        return resolve_choice(text, code_name_choices(inside, "district_code", "district_name"), "district")
    except ParameterError as inside_error:
        try:  # a district of another province: say where it is
            code, name = resolve_choice(text, code_name_choices(units, "district_code", "district_name"), "district")
        except ParameterError:
            raise ParameterError(f"{inside_error} (province {pname}, {pcode})") from None
        other = units.loc[units["district_code"] == code, ["province_code", "province_name"]].iloc[0]
        raise ParameterError(
            f"district '{text}' ({name}) is in {other['province_name']} ({other['province_code']}), "
            f"not in {pname} ({pcode}); check the province parameter"
        ) from None
