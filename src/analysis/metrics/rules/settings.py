"""Thresholds of the rule checks: the package's defaults and an office's own file.

The defaults live in ``resources/rules.json``, which says where each comes from. An office
gives its own with ``ntp-atlas prepare --rule-settings FILE``: a JSON file of the same shape
in which any key may be left out (it keeps the default). A key the defaults do not have, a
value that is not a number, or a range whose lowest value is above its highest is refused
with the file, the key and what to write.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from analysis.errors import InputFileError
from analysis.inputs.schema import TABLES

__all__ = ["RuleSettings", "default_settings", "load_settings"]

_RESOURCE = "rules.json"
_SECTIONS = ("ranges", "outliers", "snapshots", "geometry")


@dataclass(frozen=True)
class RuleSettings:
    """The thresholds one run of the rule checks uses.

    Attributes
    ----------
    ranges
        ``"table.column"`` -> ``(lowest, highest)`` plausible value (both inclusive).
    outlier_threshold, outlier_min_group, outlier_scale
        The modified z-score above which a plan warns, the fewest communes with a plan a
        group needs to be judged, and whether the plans are scored as they are (``"raw"``)
        or by their logarithm (``"log"``).
    snapshot_tolerance_mvnd
        How far (million VND) a cumulative figure may fall between snapshots unflagged.
    same_polygon_iou, overlap_share, covers_district_share
        Area shares of the geometry checks (see ``resources/rules.json``).
    source
        Where the values came from (``"defaults"`` or the office's file), for the manifest.
    """

    ranges: dict[str, tuple[float, float]]
    outlier_threshold: float
    outlier_min_group: int
    outlier_scale: str
    snapshot_tolerance_mvnd: float
    same_polygon_iou: float
    overlap_share: float
    covers_district_share: float
    source: str = "defaults"

    def as_dict(self) -> dict:
        """The settings in the shape of ``rules.json`` (for the manifest)."""
        return {
            "source": self.source,
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "outliers": {"threshold": self.outlier_threshold, "min_group": self.outlier_min_group,
                         "scale": self.outlier_scale},
            "snapshots": {"tolerance_mvnd": self.snapshot_tolerance_mvnd},
            "geometry": {
                "same_polygon_iou": self.same_polygon_iou,
                "overlap_share": self.overlap_share,
                "covers_district_share": self.covers_district_share,
            },
        }


def _strip(doc: dict) -> dict:
    """A section without its ``_about`` notes."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


@cache
def _defaults() -> dict:
    text = resources.files("analysis").joinpath("resources", _RESOURCE).read_text("utf-8")
    doc = json.loads(text)
    return {section: _strip(doc[section]) for section in _SECTIONS}


def _number(value: object, where: str, path: Path, *, whole: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (whole and float(value) != int(value)) or value < 0:
        kind = "a whole number" if whole else "a number"
        raise InputFileError(path, f"'{where}' must be {kind}, 0 or more, not {value!r}",
                             f"write {kind} for '{where}', as in src/analysis/resources/{_RESOURCE}")
    return float(value)


def _check_range_key(key: str, path: Path) -> None:
    """A range may be given for any number column of an input table (``table.column``)."""
    table, _, column = key.partition(".")
    spec = TABLES.get(table)
    if spec is None or column not in spec.names or spec.column(column).kind not in ("amount", "count"):
        numeric = [f"{t.name}.{c.name}" for t in TABLES.values() for c in t.columns if c.kind in ("amount", "count")]
        raise InputFileError(path, f"'ranges.{key}' names no number column of an input table",
                             "name one as table.column: " + ", ".join(numeric))


def _merge(defaults: dict, doc: object, path: Path) -> dict:
    if not isinstance(doc, dict):
        raise InputFileError(path, "the rule settings are not a JSON object",
                             'write an object such as {"ranges": {"poverty.households": [20, 60000]}}')
    merged = {section: dict(values) for section, values in defaults.items()}
    for section, values in _strip(doc).items():
        if section not in merged:
            raise InputFileError(path, f"unknown section '{section}' in the rule settings",
                                 f"use the sections of src/analysis/resources/{_RESOURCE}: {', '.join(_SECTIONS)}")
        if not isinstance(values, dict):
            raise InputFileError(path, f"'{section}' must be an object of settings, not {values!r}",
                                 f"see src/analysis/resources/{_RESOURCE}")
        for key, value in _strip(values).items():
            if section == "ranges" and key not in merged[section]:
                _check_range_key(key, path)
            elif key not in merged[section]:
                known = ", ".join(sorted(merged[section]))
                raise InputFileError(path, f"unknown setting '{section}.{key}'",
                                     f"the settings of '{section}' are: {known}")
            merged[section][key] = value
    return merged


def _build(doc: dict, path: Path, source: str) -> RuleSettings:
    ranges = {}
    for key, pair in doc["ranges"].items():
        where = f"ranges.{key}"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InputFileError(path, f"'{where}' must be [lowest, highest], not {pair!r}",
                                 f'write for example "{key}": [0, 60]')
        low, high = (_number(v, where, path) for v in pair)
        if low > high:
            raise InputFileError(path, f"'{where}': the lowest value {low:g} is above the highest {high:g}",
                                 "write the lowest value first")
        ranges[key] = (low, high)
    out, snap, geo = doc["outliers"], doc["snapshots"], doc["geometry"]
    if out["scale"] not in ("log", "raw"):
        raise InputFileError(path, f"'outliers.scale' must be \"log\" or \"raw\", not {out['scale']!r}",
                             'write "log" (score the logarithm of the plans) or "raw" (the plans themselves)')
    shares = {k: _number(geo[k], f"geometry.{k}", path) for k in geo}
    for key, share in shares.items():
        if share > 1:
            raise InputFileError(path, f"'geometry.{key}' is a share of an area: 1 or less, not {share:g}",
                                 "write a share between 0 and 1 (0.25 for a quarter)")
    return RuleSettings(
        ranges=ranges,
        outlier_threshold=_number(out["threshold"], "outliers.threshold", path),
        outlier_min_group=int(_number(out["min_group"], "outliers.min_group", path, whole=True)),
        outlier_scale=out["scale"],
        snapshot_tolerance_mvnd=_number(snap["tolerance_mvnd"], "snapshots.tolerance_mvnd", path),
        same_polygon_iou=shares["same_polygon_iou"],
        overlap_share=shares["overlap_share"],
        covers_district_share=shares["covers_district_share"],
        source=source,
    )


def default_settings() -> RuleSettings:
    """The package's thresholds, ``resources/rules.json``."""
    return _build(_defaults(), Path("src/analysis/resources") / _RESOURCE, "defaults")


def load_settings(path: str | Path | None) -> RuleSettings:
    """The thresholds of a run: the defaults, with an office's file over them when given.

    Parameters
    ----------
    path
        A JSON file shaped like ``resources/rules.json`` (keys may be left out), or None.

    Returns
    -------
    RuleSettings

    Raises
    ------
    InputFileError
        The file is missing or not JSON, names a section or setting the defaults lack, or
        holds a value that is not a number (or a range the wrong way round).

    Examples
    --------
    >>> load_settings(None).ranges["communes.dbkk_villages"]
    (0.0, 60.0)
    """
    if path is None:
        return default_settings()
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(path, "the rule settings file does not exist",
                             "check the path given to --rule-settings") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(path, f"the rule settings cannot be read as JSON ({exc})",
                             f"write a JSON file shaped like src/analysis/resources/{_RESOURCE}") from None
    return _build(_merge(_defaults(), doc, path), path, str(path))
