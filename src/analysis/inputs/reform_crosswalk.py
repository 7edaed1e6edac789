"""A user's crosswalk from the old units to those of 1 July 2025, read and checked.

An office may give its own old→new crosswalk (CSV or XLSX, ``old_code, new_code`` and a
``weight`` where an old commune was divided) instead of the package's
(:func:`analysis.catalog.units_2025.package_crosswalk`): :func:`read_reform_crosswalk` reads it
with its row numbers, refusing lost zeros, unknown codes, bad weights and duplicate pairs, and
:func:`load_crosswalk` gives the crosswalk to convert with, whichever it is.

:mod:`analysis.metrics.allocation` then moves the figures, and :mod:`analysis.store.convert`
writes the converted prepared data.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd

from analysis.catalog.units import official_units
from analysis.catalog.units_2025 import (
    crosswalk_source,
    new_province_of_old,
    new_units,
    package_crosswalk,
    with_changes,
)
from analysis.common.numbers import classify_number, detect_convention
from analysis.errors import InputFileError
from analysis.inputs.crosswalk import CROSSWALK, cell_text, list_examples
from analysis.inputs.readers import ROW, read_table
from analysis.inputs.schema import Column, TableSpec

__all__ = ["REFORM_CROSSWALK", "load_crosswalk", "read_reform_crosswalk"]

_CODE = re.compile(r"\d{5}")
_LOST_ZERO = re.compile(r"\d{1,4}(\.0+)?")
_EXAMPLES = 5

REFORM_CROSSWALK = TableSpec(
    name="crosswalk",
    description="Old commune to the new commune(s) it became part of; a weight where it was divided.",
    key=("old_code", "new_code"),
    columns=(
        dataclasses.replace(CROSSWALK.column("old_code"), description="GSO code of the old commune (before 1/7/2025)"),
        dataclasses.replace(
            CROSSWALK.column("new_code"), description="GSO code of a new commune (from 1/7/2025) it went (partly) into"
        ),
        Column(
            "weight",
            "amount",
            required=False,
            nullable=True,
            aliases=("trọng số", "tỷ trọng", "tỷ lệ", "share", "population", "dân số", "quy mô dân số"),
            description="share of the old commune going to the new one (any scale; a population works)",
            example="0,25",
        ),
    ),
)


def _codes(frame: pd.DataFrame, column: str, path: Path) -> list[str]:
    codes = []
    for row, value in zip(frame[ROW], frame[column], strict=True):
        text = cell_text(value)
        if text is None:
            raise InputFileError(
                path,
                "empty code cell",
                "fill in old_code and new_code on every row, or delete the row",
                row=int(row),
                column=column,
            )
        if _LOST_ZERO.fullmatch(text):
            raise InputFileError(
                path,
                "the code has lost its leading zeros (GSO commune codes have 5 digits)",
                f"format the column as Text and write '{text.split('.')[0].zfill(5)}'",
                row=int(row),
                column=column,
                value=text,
            )
        if not _CODE.fullmatch(text):
            raise InputFileError(
                path,
                "not a 5-digit GSO commune code",
                "write the numeric GSO code, like 06481",
                row=int(row),
                column=column,
                value=text,
            )
        codes.append(text)
    return codes


def _weights(frame: pd.DataFrame, path: Path) -> list[float | None]:
    if "weight" not in frame.columns:
        return [None] * len(frame)
    cells = {i: classify_number(v) for i, v in enumerate(frame["weight"]) if isinstance(v, str) and v.strip()}
    convention = detect_convention(list(cells.values()))
    out: list[float | None] = []
    for i, (row, value) in enumerate(zip(frame[ROW], frame["weight"], strict=True)):
        if i in cells:
            number = cells[i].value(convention)
            if number is None:
                raise InputFileError(
                    path,
                    "the weight is not a number, or could be read two ways (2.791 or 2,791)",
                    "write weights as plain decimals (0,25 or 0.25)",
                    row=int(row),
                    column="weight",
                    value=value,
                )
        elif isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            number = float(value)
        else:
            number = None
        if number is not None and number < 0:
            raise InputFileError(
                path,
                "a weight cannot be negative",
                "write the share, area or population of the piece (0 or more)",
                row=int(row),
                column="weight",
                value=value,
            )
        out.append(number)
    return out


def _check_weights(pairs: pd.DataFrame, path: Path) -> None:
    has = pairs["weight"].notna()
    partial = pairs[pairs.groupby("old_code")["weight"].transform(lambda w: w.notna().any() and w.isna().any())]
    if len(partial):
        row = partial[~partial["weight"].notna()].iloc[0]
        raise InputFileError(
            path,
            f"old commune {row['old_code']} has a weight on some of its rows but not on all",
            "give a weight on every row of a divided commune, or on none (equal shares are then used)",
            row=int(row[ROW]),
            column="weight",
        )
    zero = pairs[has & (pairs.groupby("old_code")["weight"].transform("sum") <= 0)]
    if len(zero):
        raise InputFileError(
            path,
            f"the weights of old commune {zero.iloc[0]['old_code']} add up to 0",
            "give each piece a positive weight",
            row=int(zero.iloc[0][ROW]),
            column="weight",
        )


def read_reform_crosswalk(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a user's old→new crosswalk: ``old_code, new_code[, weight]``, CSV or XLSX.

    Unlike :func:`analysis.inputs.crosswalk.read_crosswalk` (merges between boundary vintages, one new
    code per old commune), an old commune may appear on several rows here: it was divided, and
    its ``weight`` column (optional) says how (any scale: shares, areas or populations; they are
    normalised per old commune). Rows mapping a commune to itself are kept: they are real
    (the commune kept its code).

    Parameters
    ----------
    path
        ``.csv`` or ``.xlsx``; headers as for :data:`analysis.inputs.crosswalk.CROSSWALK` (``mã xã cũ``,
        ``mã xã mới``…) plus ``weight``/``trọng số``/``tỷ lệ``/``dân số``.
    sheet
        XLSX only: the sheet to read.

    Returns
    -------
    pandas.DataFrame
        ``old_code``, ``new_code`` (strings), ``weight`` (float, NaN when not given) and
        ``_row`` (the file's row number), one row per pair.

    Raises
    ------
    InputFileError
        Missing file or column, no rows, empty or malformed codes (lost leading zeros),
        unreadable or negative weights, a pair given twice with different weights, a divided
        commune with weights on some rows only. The message names the file, row and column.
    """
    path = Path(path)
    frame = read_table(path, REFORM_CROSSWALK, sheet=sheet).frame
    if not len(frame):
        raise InputFileError(
            path,
            "the crosswalk has no rows",
            "add one row per old commune and new commune: old_code, new_code[, weight]",
        )
    pairs = pd.DataFrame(
        {
            "old_code": _codes(frame, "old_code", path),
            "new_code": _codes(frame, "new_code", path),
            "weight": pd.array(_weights(frame, path), dtype="Float64").astype("float64"),
            ROW: frame[ROW].to_numpy(),
        }
    )
    pairs = pairs.drop_duplicates(["old_code", "new_code", "weight"])
    twice = pairs[pairs.duplicated(["old_code", "new_code"], keep=False)]
    if len(twice):
        rows = ", ".join(str(r) for r in twice[ROW].head(_EXAMPLES))
        raise InputFileError(
            path,
            f"the pair {twice.iloc[0]['old_code']} → {twice.iloc[0]['new_code']} is given "
            f"twice with different weights (rows {rows})",
            "keep one row per pair",
            row=int(twice.iloc[0][ROW]),
            column="weight",
        )
    _check_weights(pairs, path)
    pairs["old_code"] = pairs["old_code"].astype("string")
    pairs["new_code"] = pairs["new_code"].astype("string")
    return pairs.reset_index(drop=True)


def _enrich(pairs: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Names, districts and provinces of both sides of a user's crosswalk, checked."""
    old = (
        official_units()
        .dropna(subset=["commune_code"])
        .rename(
            columns={
                "commune_code": "old_code",
                "commune_name": "old_name",
                "district_code": "old_district_code",
                "district_name": "old_district_name",
                "province_code": "old_province_code",
                "province_name": "old_province_name",
            }
        )
    )
    new = new_units().rename(
        columns={
            "commune_code": "new_code",
            "commune_name": "new_name",
            "commune_type": "new_type",
            "province_code": "new_province_code",
            "province_name": "new_province_name",
        }
    )
    out = pairs.merge(
        old[
            ["old_code", "old_name", "old_district_code", "old_district_name", "old_province_code", "old_province_name"]
        ],
        on="old_code",
        how="left",
    )
    out = out.merge(
        new[["new_code", "new_name", "new_type", "new_province_code", "new_province_name"]], on="new_code", how="left"
    )
    unknown = out[out["new_name"].isna()]
    if len(unknown):
        items = [f"row {r[ROW]} {r['new_code']}" for _, r in unknown.iterrows()]
        raise InputFileError(
            path,
            f"{len(unknown)} new code(s) are not communes of the 2025 list: {list_examples(items)}",
            "write the GSO codes of the communes from 1/7/2025 (the list of vietnamadminunits)",
            row=int(unknown.iloc[0][ROW]),
            column="new_code",
            value=unknown.iloc[0]["new_code"],
        )
    new_province = new_province_of_old()
    elsewhere = out["old_province_code"].map(new_province) != out["new_province_code"]
    moved = out[out["old_province_code"].notna() & elsewhere]
    if len(moved):
        r = moved.iloc[0]
        became = new_province.get(r["old_province_code"], "?")
        raise InputFileError(
            path,
            f"old commune {r['old_code']} ({r['old_province_name']}) is mapped to {r['new_code']} in "
            f"{r['new_province_name']}, but in 2025 {r['old_province_name']} became province {became}",
            "check the new code (provinces merged whole; no commune changed province)",
            row=int(r[ROW]),
            column="new_code",
            value=r["new_code"],
        )
    # a code outside the official list (data of another vintage): its province follows the new side
    out["package_default"] = False
    return out


def load_crosswalk(path: str | Path | None = None, *, sheet: str | None = None) -> pd.DataFrame:
    """The crosswalk to convert with: the user's file, or the package's when ``path`` is None.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAIR_COLUMNS`: both sides' codes and names, the user's ``weight``,
        ``n_new`` (new communes the old one went into), ``n_old`` (old units forming the new
        commune) and ``change`` (``split`` when ``n_new > 1``, else ``merged`` when
        ``n_old > 1``, else ``one_to_one``). ``attrs["source"]`` says where it came from.
    """
    if path is None:
        out = package_crosswalk()
    else:
        out = with_changes(_enrich(read_reform_crosswalk(path, sheet=sheet), Path(path)))
    out.attrs["source"] = crosswalk_source(path)
    return out
