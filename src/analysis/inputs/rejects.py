"""Rejected rows as validation finds them: every row counted, the first few per reason listed.

A file of 500,000 broken rows must not make a rejects list of a million lines (it once took
4.5 GB and wrote a 567 MB ``rejects.csv``). :class:`Rejects` keeps, for each reason of a
file, the first :attr:`~analysis.common.limits.ReadLimits.rejects_per_reason` lines and counts the
rest; every rejected row is still counted (``n_rejected``), so ``read = accepted + rejected``
holds. A reason is grouped with the same reason about another value or column (``unknown commune code
'99999'`` and ``'88888'``): quoted values and digits are left out of the grouping key.

The last line kept of a reason says, in ``more_rows``, how many more rows share it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.limits import DEFAULT_LIMITS
from analysis.inputs.pandera_schemas import fix_for
from analysis.inputs.reasons import identify

#: ``reason`` is the English text; ``reason_key`` and ``reason_args`` (JSON) name it in the
#: catalogue of :mod:`analysis.inputs.reasons`, from which a report writes it in its own language.
REJECT_COLUMNS = ["table", "file", "row", "column", "value", "reason", "fix", "more_rows", "reason_key", "reason_args"]

_VALUES = re.compile(r"'[^']*'|\d+(?:[.,]\d+)*")


def reason_group(reason: str) -> str:
    """The key reasons are counted under: the reason without its values.

    A row-wide check names every column of a failing row with the same reason: one line.

    >>> reason_group("unknown commune code '99999'")
    "unknown commune code '…'"
    """
    return _VALUES.sub(lambda m: "'…'" if m.group().startswith("'") else "#", reason)


class Rejects:
    """Collects the problems of one table's rows as the validation steps find them.

    Parameters
    ----------
    table
        The table's name (``finance``...).
    path
        The file, as the user gave it.
    per_reason
        Lines kept per reason; the rest are counted.
    """

    def __init__(self, table: str, path: str | Path, per_reason: int = DEFAULT_LIMITS.rejects_per_reason) -> None:
        self.table = table
        self.path = str(path)
        self.per_reason = per_reason
        self.items: list[dict] = []
        self._rows: set[int] = set()
        self._groups: dict[str, dict] = {}
        self._explained: set[tuple[int, str]] = set()
        self._whole: set[int] = set()

    def add(self, row: int, column: str, value: object, reason: str, fix: str | None = None) -> None:
        """Reject ``row`` for ``reason`` (once per row and reason: a row-wide check names every column).

        ``reason`` is a :class:`~analysis.inputs.reasons.Reason`, or English text that the catalogue of
        reasons is matched against (pandera's messages are text).
        """
        row = int(row)
        if row in self._whole or (row, column) in self._explained:
            return  # the cell's real problem was said first (a formula without a saved value)
        group = self._groups.setdefault(reason_group(reason), {"rows": set(), "last": None})
        if row in group["rows"]:
            return
        group["rows"].add(row)
        self._rows.add(row)
        if len(group["rows"]) > self.per_reason:
            return
        known = identify(reason)  # only for the lines kept: a few per reason
        item = {
            "table": self.table,
            "file": self.path,
            "row": row,
            "column": column,
            "value": "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value),
            "reason": str(reason),
            "fix": fix if fix is not None else fix_for(reason),
            "more_rows": 0,
            "reason_key": known.key if known is not None else "",
            "reason_args": known.args_json() if known is not None else "",
        }
        self.items.append(item)
        group["last"] = item

    def explain(self, row: int, column: str, value: object, reason: str, fix: str) -> None:
        """Reject a cell for what really happened to it; later problems of the same cell are not added."""
        self.add(row, column, value, reason, fix)
        self._explained.add((int(row), column))

    def reject_row(self, row: int, column: str, value: object, reason: str, fix: str) -> None:
        """Reject a whole row that cannot be read as a row of the table; nothing more is said about it."""
        self.add(row, column, value, reason, fix)
        self._whole.add(int(row))

    def rows(self) -> set[int]:
        """Every rejected row (listed or only counted)."""
        return self._rows

    @property
    def n_rows(self) -> int:
        return len(self._rows)

    def counts(self) -> list[tuple[str, str, int]]:
        """``(column, reason of the first row, rows)`` per reason, the most frequent first."""
        out = []
        for group in self._groups.values():
            if group["last"] is not None:
                out.append((group["last"]["column"], group["last"]["reason"], len(group["rows"])))
        return sorted(out, key=lambda c: -c[2])

    def frame(self) -> pd.DataFrame:
        """The lines kept, in row order; ``more_rows`` on the last line of a reason that has more."""
        for group in self._groups.values():
            if group["last"] is not None:
                group["last"]["more_rows"] = max(0, len(group["rows"]) - self.per_reason)
        df = pd.DataFrame(self.items, columns=REJECT_COLUMNS)
        df["row"] = df["row"].astype("int64")
        df["more_rows"] = df["more_rows"].astype("int64")
        return df.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def more_rows_note(n: int) -> str:
    """``"and 499,990 more rows with the same reason"``."""
    return f"and {n:,} more row{'s' if n != 1 else ''} with the same reason"
