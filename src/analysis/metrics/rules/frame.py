"""The warnings table: one row per warning, its unit, its figures and its English sentence.

Every rule check makes its warnings here, so that each carries the same columns: where
(``year``, ``as_of``, codes, ``programme``, ``project``, ``capital_type``, ``fund``), a second
commune for the checks that compare two (``other_code``), the figures as JSON (``detail``,
written per language by :mod:`analysis.metrics.rules.sentences`) and ``message``, the English
sentence of ``warnings.csv``.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd

from analysis.metrics.rules.sentences import render

__all__ = ["WARNING_COLUMNS", "detail_json", "flag", "records", "typed"]

WARNING_COLUMNS = [
    "rule",
    "year",
    "as_of",
    "district_code",
    "commune_code",
    "other_code",
    "programme",
    "project",
    "capital_type",
    "fund",
    "detail",
    "message",
]

_TEXT = ("rule", "district_code", "commune_code", "other_code", "programme", "project", "capital_type", "fund",
         "detail", "message")


def _plain(value: object) -> object:
    """A detail value as JSON holds it: numbers, ISO dates, text, lists; None for missing."""
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def detail_json(detail: dict) -> str:
    """The figures of a warning as compact JSON (keys sorted, the same bytes every run)."""
    return json.dumps({k: _plain(v) for k, v in detail.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def _message(rule: str, detail: str) -> str:
    return render(rule, json.loads(detail), "en")


def flag(rows: pd.DataFrame, rule: str, details: list[dict]) -> pd.DataFrame:
    """One warning per row of ``rows`` (finance or other input rows), with the row's unit.

    Parameters
    ----------
    rows
        The rows warned about; the columns of :data:`WARNING_COLUMNS` they have are kept.
    rule
        The rule's name.
    details
        One dict of figures per row.
    """
    keep = [c for c in WARNING_COLUMNS if c in rows.columns and c not in ("rule", "detail", "message")]
    out = rows[keep].reset_index(drop=True)
    out["rule"] = rule
    out["detail"] = [detail_json(d) for d in details]
    out["message"] = [_message(rule, d) for d in out["detail"]]
    return out.reindex(columns=WARNING_COLUMNS)


def records(items: list[dict]) -> pd.DataFrame:
    """Warnings from dicts of the columns, each with its ``rule`` and a ``detail`` dict."""
    rows = []
    for item in items:
        row = dict(item)
        row["detail"] = detail_json(item["detail"])
        row["message"] = _message(item["rule"], row["detail"])
        rows.append(row)
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def typed(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The warnings of every check as one table with its column types (text, Int64 year, dates)."""
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=WARNING_COLUMNS)
    out = out.reindex(columns=WARNING_COLUMNS)
    for c in _TEXT:
        out[c] = out[c].astype("string")
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    out["as_of"] = pd.to_datetime(out["as_of"])
    return out
