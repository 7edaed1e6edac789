"""Crosswalk tables: which old communes were merged into which new ones.

A boundary file often has an older vintage than the data: Lạng Sơn's 2019 polygons hold 226
communes, the programme's 2021–2025 data 194. The user supplies the merges as a table of
``old_code, new_code`` (CSV or XLSX, header aliases ``mã cũ``/``mã mới``…), one row per old
commune; :func:`read_crosswalk` reads and checks it, and
:func:`analysis.inputs.unit_shapes.merge_units` dissolves the old polygons into the new communes.

A crosswalk written over several reforms may chain (``A → B`` in 2020, ``B → C`` in 2025):
chains are followed to their last code, so that ``A`` and ``B`` both end in ``C``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputFileError
from analysis.inputs.readers import ROW, read_table
from analysis.inputs.schema import Column, TableSpec

__all__ = ["CROSSWALK", "cell_text", "list_examples", "read_crosswalk"]

CROSSWALK = TableSpec(
    name="crosswalk",
    description="Communes merged since the boundary file's vintage: one row per old commune.",
    key=("old_code",),
    columns=(
        Column(
            "old_code",
            "code",
            width=5,
            aliases=("mã cũ", "mã xã cũ", "mã xã trước sáp nhập", "mã xã trước", "old commune code", "ma_cu"),
            description="GSO code of the commune that was merged away (as in the boundary file)",
            example="06334",
        ),
        Column(
            "new_code",
            "code",
            width=5,
            aliases=("mã mới", "mã xã mới", "mã xã sau sáp nhập", "mã xã sau", "new commune code", "ma_moi"),
            description="GSO code of the commune it became part of (as in the data)",
            example="06343",
        ),
    ),
)

_EXAMPLES = 5
_CODE = re.compile(r"\d{5}")
_LOST_ZERO = re.compile(r"\d{1,4}(\.0+)?")


def list_examples(items: list[str]) -> str:
    """The first few items joined for a message, with how many there are in all."""
    more = f", … ({len(items)} in all)" if len(items) > _EXAMPLES else ""
    return "; ".join(items[:_EXAMPLES]) + more


def cell_text(value: object) -> str | None:
    """A cell as text: typed XLSX numbers without their ``.0``, None when empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _check_codes(frame: pd.DataFrame, path: Path) -> None:
    """Refuse empty cells, codes without their leading zeros and anything else not a code."""
    problems: dict[str, list[tuple[int, str, str]]] = {"empty": [], "zeros": [], "other": []}
    for column in ("old_code", "new_code"):
        for row, value in zip(frame[ROW], frame[column], strict=True):
            text = cell_text(value)
            if text is None:
                problems["empty"].append((int(row), column, ""))
            elif _LOST_ZERO.fullmatch(text):
                problems["zeros"].append((int(row), column, text))
            elif not _CODE.fullmatch(text):
                problems["other"].append((int(row), column, text))
    where = {
        kind: [f"row {r} {c} {v!r}" if v else f"row {r} {c}" for r, c, v in items] for kind, items in problems.items()
    }
    if problems["zeros"]:
        row, column, value = problems["zeros"][0]
        raise InputFileError(
            path,
            f"{len(where['zeros'])} commune code(s) have lost their leading zeros: {list_examples(where['zeros'])}. "
            "GSO commune codes have 5 digits (like 06334); Excel stores codes typed as numbers without the zero",
            "format both code columns as Text and write every code with its 5 digits "
            f"('{value.split('.')[0].zfill(5)}'), then run prepare again",
            row=row,
            column=column,
        )
    if problems["empty"]:
        row, column, _ = problems["empty"][0]
        raise InputFileError(
            path,
            f"{len(where['empty'])} empty code cell(s): {list_examples(where['empty'])}",
            "fill in both codes on every row (one row per old commune), or delete the row",
            row=row,
            column=column,
        )
    if problems["other"]:
        row, column, _ = problems["other"][0]
        raise InputFileError(
            path,
            f"{len(where['other'])} value(s) are not 5-digit GSO commune codes: {list_examples(where['other'])}",
            "write the numeric GSO commune codes (like 06334) in old_code and new_code",
            row=row,
            column=column,
        )


def _check_duplicates(pairs: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Drop repeated rows; refuse an old commune merged into two different communes."""
    pairs = pairs.drop_duplicates(["old_code", "new_code"])
    clash = pairs[pairs["old_code"].duplicated(keep=False)]
    if len(clash):
        items = [
            f"{old} into "
            + " and ".join(f"{new} (row {row})" for new, row in zip(group["new_code"], group[ROW], strict=True))
            for old, group in clash.groupby("old_code", sort=True)
        ]
        first = clash.iloc[0]
        raise InputFileError(
            path,
            f"an old commune is merged into two different communes: {list_examples(items)}",
            "keep one row per old_code: a commune merges into exactly one commune",
            row=int(first[ROW]),
            column="old_code",
            value=first["old_code"],
        )
    return pairs


def _resolve_chains(pairs: pd.DataFrame, path: Path) -> dict[str, str]:
    """Old code -> last code of its chain; refuse cycles (``A → B``, ``B → A``)."""
    step = dict(zip(pairs["old_code"], pairs["new_code"], strict=True))
    rows = dict(zip(pairs["old_code"], pairs[ROW], strict=True))
    final: dict[str, str] = {}
    for start in step:
        seen = [start]
        code = step[start]
        while code in step:
            if code in seen:
                cycle = seen[seen.index(code) :] + [code]
                listed = " → ".join(cycle)
                where = ", ".join(str(rows[c]) for c in cycle[:-1])
                raise InputFileError(
                    path,
                    f"the merges go round in a circle: {listed} (rows {where})",
                    "each row must merge an old commune into the commune that exists after the merge; "
                    "remove the row that points back",
                    row=int(rows[cycle[0]]),
                    column="new_code",
                )
            seen.append(code)
            code = step[code]
        final[start] = code
    return final


def read_crosswalk(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a crosswalk of merged communes (``old_code, new_code``) from CSV or XLSX.

    Parameters
    ----------
    path
        A ``.csv`` or ``.xlsx`` file with the columns ``old_code`` and ``new_code`` (or the
        Vietnamese headers ``mã xã cũ``/``mã xã mới``), codes written as text with their
        5 digits; other columns (names, notes) are ignored. A title block above the header
        is skipped, as for the data tables.
    sheet
        XLSX only: the sheet to read (default: the first with a header row).

    Returns
    -------
    pandas.DataFrame
        Columns ``old_code`` and ``new_code`` (strings), one row per old commune, sorted by
        ``old_code``. Repeated rows are kept once; rows that merge a commune into itself are
        left out; chains (``A → B``, ``B → C``) are followed, so ``new_code`` is the code
        at the end of the chain.

    Raises
    ------
    InputFileError
        The file is missing or unreadable, lacks a column, has no rows, has empty cells,
        codes that lost their leading zeros (``6334``) or are not codes, an old commune merged
        into two communes, or merges that go round in a circle. The message names the file,
        the rows and the column, and says how to fix it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "crosswalk.csv"
    >>> _ = f.write_text("old_code,new_code\\n06334,06343\\n", encoding="utf-8")
    >>> read_crosswalk(f).to_dict("records")
    [{'old_code': '06334', 'new_code': '06343'}]
    """
    path = Path(path)
    raw = read_table(path, CROSSWALK, sheet=sheet)
    frame = raw.frame
    if not len(frame):
        raise InputFileError(
            path,
            f"the crosswalk has no rows below its header (row {raw.header_row})",
            "add one row per old commune: old_code, new_code",
        )
    _check_codes(frame, path)
    pairs = pd.DataFrame(
        {
            "old_code": [cell_text(v) for v in frame["old_code"]],
            "new_code": [cell_text(v) for v in frame["new_code"]],
            ROW: frame[ROW].to_numpy(),
        }
    )
    pairs = pairs[pairs["old_code"] != pairs["new_code"]]
    pairs = _check_duplicates(pairs, path)
    final = _resolve_chains(pairs, path)
    out = pd.DataFrame({"old_code": list(final), "new_code": list(final.values())}, dtype="string")
    return out.sort_values("old_code").reset_index(drop=True)
