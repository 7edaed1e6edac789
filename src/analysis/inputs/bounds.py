"""Plausible ranges: the largest amount or count one input row may hold.

A plan of 1e18 million VND is a typing or unit error (đồng for million đồng, a pasted
identifier, a run of nines); accepted, it is printed as a trillion tỷ đồng, and a larger one
(1e28) cannot be formatted at all. Each amount and count column names its bound
(:attr:`analysis.inputs.schema.Column.bound`); the defaults are :data:`analysis.config.BOUNDS`, chosen
from the programme's scale, and ``prepare --bound NAME=VALUE`` changes one for a run. A figure
above its bound (``inf`` too: 400 digits read as a float) is rejected at the door, the reason
naming the bound and the option. Negative figures are the schema's (``… is negative``).

An indicator's value is bounded by what its indicator counts: million VND by ``amount_mvnd``,
households by ``households``, other things (works, facilities) by ``count``; yes/no values are
0 or 1 already (:mod:`analysis.inputs.indicators`).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.config import BOUNDS
from analysis.errors import ParameterError
from analysis.inputs.readers import ROW
from analysis.inputs.schema import TableSpec

#: The largest bound ``--bound`` may set: 1e12 million VND written to the đồng (three decimals)
#: is 15 digits, what a float holds exactly; sums of a country's rows stay far from overflow.
LARGEST = 1e12
#: What each bound measures, for messages.
MEASURES = {"amount_mvnd": "million VND", "households": "households", "villages": "villages", "count": "units"}
#: An indicator's unit of measure to its bound (any other unit counts things: ``count``).
OF_UNIT = {"million_vnd": "amount_mvnd", "households": "households"}
_HINT = {
    "amount_mvnd": " and its unit: million VND (triệu đồng), not đồng",
    "households": " (the households of one commune)",
    "villages": " (the villages of one commune)",
    "count": "",
}


@dataclass(frozen=True)
class Bounds:
    """The bounds of a run: :data:`analysis.config.BOUNDS`, some changed.

    Examples
    --------
    >>> Bounds.parse(["amount_mvnd=2000000"])["amount_mvnd"]
    2000000.0
    >>> Bounds()["households"]
    200000.0
    """

    limits: Mapping[str, float] = field(default_factory=lambda: dict(BOUNDS))

    def __getitem__(self, name: str) -> float:
        return self.limits[name]

    def changed(self) -> dict[str, float]:
        """The bounds that differ from the defaults (for the manifest)."""
        return {k: v for k, v in self.limits.items() if BOUNDS.get(k) != v}

    @classmethod
    def of(cls, value: Bounds | Mapping[str, float] | None) -> Bounds:
        """Bounds from bounds, from the changed ones (``{"amount_mvnd": 2e6}``, as a manifest's
        arguments keep them) or the defaults for ``None``."""
        if isinstance(value, Bounds):
            return value
        return cls.parse(f"{k}={v}" for k, v in (value or {}).items())

    @classmethod
    def parse(cls, options: Iterable[str] | None) -> Bounds:
        """Bounds from ``NAME=VALUE`` texts (``--bound amount_mvnd=2000000``).

        Raises
        ------
        ParameterError
            An unknown name, or a value that is not a positive number up to :data:`LARGEST`.
        """
        limits = dict(BOUNDS)
        for text in options or ():
            name, sep, value = str(text).partition("=")
            name = name.strip()
            if not sep or name not in BOUNDS:
                raise ParameterError(
                    f"--bound {text!r}: write NAME=VALUE with NAME one of {', '.join(BOUNDS)} "
                    "(e.g. --bound amount_mvnd=1000000)"
                )
            try:
                limit = float(value.strip())
            except ValueError:
                limit = math.nan
            if not (math.isfinite(limit) and limit > 0):
                raise ParameterError(
                    f"--bound {text!r}: the value must be a positive number written in digits "
                    f"(e.g. --bound {name}={BOUNDS[name] * 2:.0f})"
                )
            if limit > LARGEST:
                raise ParameterError(
                    f"--bound {text!r}: at most {LARGEST:.0e} (a float holds 15 digits: an amount of "
                    "1e12 million VND to the đồng, its three decimals, is the most it keeps exact)"
                )
            limits[name] = limit
        return cls(limits)


def _english(x: float) -> str:
    """``500,000``, ``1,000,000,000,000,000,000``; ``1e+300`` beyond 24 digits."""
    if abs(x) >= 1e24:
        return f"{x:.6g}"
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def _written(value: object) -> str:
    s = str(value).strip()
    return s if len(s) <= 24 else f"{s[:12]}… ({len(s)} characters)"


def bound_names(parsed: pd.DataFrame, spec: TableSpec, column: str) -> np.ndarray:
    """Per row, the name of the bound a column's figure must fall in (``None``: not bounded)."""
    bound = spec.column(column).bound
    if bound != "unit":
        return np.full(len(parsed), bound, dtype=object)
    module, _, name = spec.extra["bound_units"].partition(":")
    units = getattr(importlib.import_module(module), name)(parsed)
    return np.array([None if u is None or u != u else OF_UNIT.get(u, "count") for u in units], dtype=object)


def check_bounds(parsed: pd.DataFrame, raw: pd.DataFrame, spec: TableSpec, rej, bounds: Bounds) -> None:
    """Reject every figure above its bound, naming the bound and the option that changes it.

    Parameters
    ----------
    parsed
        The parsed table (amounts and counts as floats, NaN where empty or rejected).
    raw
        The table as read, to show each figure as written.
    spec
        The table's specification (each column's :attr:`~analysis.inputs.schema.Column.bound`).
    rej
        The collector of :mod:`analysis.inputs.validate` (``add(row, column, value, reason, fix)``).
    bounds
        The run's bounds.
    """
    if not len(parsed):
        return
    written = raw.set_index(ROW)
    for col in spec.columns:
        if col.bound is None or col.name not in parsed.columns:
            continue
        x = parsed[col.name].astype("float64").to_numpy()
        names = bound_names(parsed, spec, col.name)
        limit = np.array([np.inf if n is None else bounds[n] for n in names], dtype=float)
        for i in np.flatnonzero(~np.isnan(x) & (x > limit)):
            row, name = parsed[ROW].iat[i], names[i]
            value = written.at[row, col.name] if col.name in written.columns else x[i]
            most = f"{_english(limit[i])} {MEASURES[name]}"
            if math.isfinite(x[i]):
                reason = (
                    f"{col.name} {_english(x[i])} is above the largest plausible figure for one row, "
                    f"{most} (bound {name})"
                )
            else:
                reason = f"{col.name} '{_written(value)}' is too large to be a figure (at most {most}, bound {name})"
            fix = f"check the figure{_HINT[name]}; if it is right, run prepare again with --bound {name}=N above it"
            rej.add(row, col.name, value, reason, fix)
