"""Argument types of the command line: bad values are refused by argparse, with a message.

``argparse`` calls each type on the text given; an :class:`argparse.ArgumentTypeError` becomes
``ntp-atlas maps: error: argument --dpi: 0 is out of range: give 50 to 1200`` and exit status
2, before any work starts. The bounds are what the tools can do, not what the data allows
(the data's years are checked against the prepared data later).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

#: Bounds of the numeric options: PNG resolution, kernels or processes at once, plan years,
#: seconds to wait for another run (a day at most).
DPI = (50, 1200)
JOBS = (1, 64)
YEARS = (2000, 2100)
WAIT = (0.0, 86400.0)
#: Rows of data read per table, and reject lines kept per reason (``prepare``).
ROWS = (1, 100_000_000)
REJECT_LINES = (1, 1_000_000)


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``.

    Examples
    --------
    >>> whole_number(1, 64)("2")
    2
    >>> whole_number(50, 1200)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 0 is out of range: give 50 to 1200
    """

    def parse(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number: give {low} to {high}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: give {low} to {high}")
        return value

    parse.__name__ = "whole number"
    return parse


def seconds(text: str) -> float:
    """An argparse type: seconds to wait, 0 to a day (:data:`WAIT`)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds: give 0 to {WAIT[1]:g}") from None
    if not math.isfinite(value) or not WAIT[0] <= value <= WAIT[1]:
        raise argparse.ArgumentTypeError(f"{text} is out of range: give 0 to {WAIT[1]:g} seconds")
    return value


def share(text: str) -> float:
    """An argparse type: a share from 0 to 1 (``--max-rejected-share``)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:  # NaN too
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1 (0.5 allows half the rows rejected)")
    return value


def input_file(text: str) -> Path:
    """An argparse type: a table to read, which must not be a folder (``x.csv`` made as a folder).

    A path that does not exist passes: the reader says "file not found" with the fix.
    """
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file: give the CSV or XLSX file itself")
    return path


def units_choice(text: str) -> str | Path:
    """An argparse type: the units of prepare's tables, ``2025``, ``old``, or a unit list file."""
    return text if text in ("2025", "old") else input_file(text)


def output_folder(text: str) -> Path:
    """An argparse type: a folder to write in or replace, which must not be an existing file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a file, not a folder: give a folder (a new one is made), and move the file away if it is "
            "in the way"
        )
    return path


def data_folder(text: str) -> Path:
    """An argparse type: a folder of prepared data to read, which must not be a file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder of prepared data: give the folder that "
                                         "'ntp-atlas prepare --out' wrote")
    return path
