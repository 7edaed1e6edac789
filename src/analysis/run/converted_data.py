"""The data a run by the 2025 units reads: the converted folder beside the prepared data,
converted again when it is missing, damaged, made by another version or made from older
prepared data (``ntp-atlas batch --units 2025``, ``ntp-atlas report --units 2025``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import __version__
from analysis.catalog.unit_systems import CONVERTED_2025, NATIVE_2025, unit_system_of
from analysis.common.storage import sha256_file
from analysis.errors import ParameterError, PreparedDataError
from analysis.store.convert import convert_prepared
from analysis.store.prepare import ensure_prepared
from analysis.store.prepared import damaged_files, load_manifest

__all__ = ["Converted", "converted_dir", "ensure_converted"]


@dataclass
class Converted:
    """The converted folder a batch reads, and whether it was (re)made for it and why."""

    path: Path
    source: Path | None
    converted: bool = False
    reason: str = ""

    def describe(self) -> str:
        """One line for the batch summary."""
        if self.converted:
            return f"{self.source} converted to the {CONVERTED_2025.key} units in {self.path} ({self.reason})"
        if self.reason:
            return f"{self.path} ({self.reason})"
        return f"{self.path} (up to date with {self.source})"


def converted_dir(data_dir: str | Path) -> Path:
    """Where the converted data of a prepared-data folder goes: ``<data_dir>-2025`` beside it.

    Parameters
    ----------
    data_dir
        Prepared data keyed to the old units.
    """
    data_dir = Path(data_dir)
    return data_dir.with_name(f"{data_dir.name}-{CONVERTED_2025.key}")


def _manifest_or_none(folder: Path) -> dict | None:
    try:
        return load_manifest(folder)
    except PreparedDataError:
        return None


def _why_stale(current: dict | None, source: Path, out: Path) -> str | None:
    """Why the converted folder must be made again, or None when it is up to date."""
    if current is None:
        return "no converted data yet"
    if current.get("source", {}).get("manifest_sha256") != sha256_file(source / "manifest.json"):
        return "the prepared data changed since it was converted"
    if current.get("version") != __version__:
        return f"converted by ntp-atlas {current.get('version')}, this is {__version__}"
    bad = damaged_files(out, current)
    if bad:
        return f"damaged: {', '.join(bad)}"
    return None


def ensure_converted(data_dir: str | Path, *, log: Callable[[str], None] | None = None) -> Converted:
    """The data of ``data_dir`` keyed to the 2025 units, converted first when needed.

    ``data_dir`` is prepared data (the converted folder is ``<data_dir>-2025`` beside it) or a
    converted folder (its source is the prepared folder recorded in its manifest). The
    conversion (:func:`analysis.store.convert.convert_prepared`) runs when the converted folder is
    missing or damaged, was made by another version of ntp-atlas, or was made from prepared
    data that has changed since (the SHA-256 of the source's manifest, recorded in the
    converted manifest, no longer matches); a conversion made with a user's crosswalk, key or
    new boundaries is made again with the same options. Damaged prepared data is rebuilt from
    its inputs first (:func:`analysis.store.prepare.ensure_prepared`).

    Parameters
    ----------
    data_dir
        Prepared data or converted data, on a local disk.
    log
        Called with a sentence when the data is converted (default: printed on stderr).

    Returns
    -------
    Converted

    Raises
    ------
    ParameterError
        A URL, or a folder in the converted folder's place that holds other data.
    PreparedDataError
        No prepared data.
    """
    new = CONVERTED_2025.key  # the units converted to
    if "://" in str(data_dir):
        raise ParameterError(
            f"--units {new} converts the data on this machine: give a local folder, not {data_dir} (or convert "
            f"with 'ntp-atlas convert --to {CONVERTED_2025.key}' and give the converted folder's URL as --data)"
        )
    data_dir = Path(data_dir).expanduser().resolve()
    manifest = load_manifest(data_dir)
    if unit_system_of(manifest) is NATIVE_2025:  # keyed to the new units from the start
        ensure_prepared(data_dir)
        return Converted(data_dir, None, reason="keyed to the 2025 units from the start: nothing to convert")
    if unit_system_of(manifest).derived:
        out, current = data_dir, manifest
        source = Path(manifest.get("source", {}).get("path") or "")
        if not source.is_absolute() or not (source / "manifest.json").is_file():
            return Converted(
                out,
                None,
                reason="converted data used as it is: its prepared data is not at "
                f"{source or 'a recorded place'}, so whether it is up to date cannot be checked",
            )
    else:
        source, out = data_dir, converted_dir(data_dir)
        current = _manifest_or_none(out)
        if current is not None and unit_system_of(current) is not CONVERTED_2025:
            raise ParameterError(
                f"{out} holds data that is not converted to the {CONVERTED_2025.key} units; move it away, or "
                "convert to another folder with 'ntp-atlas convert --to 2025 --out DIR'"
            )
    ensure_prepared(source)
    why = _why_stale(current, source, out)
    if why is None:
        return Converted(out, source)
    options = (current or {}).get("options") or {}
    (log or (lambda msg: print(msg, file=sys.stderr)))(f"converting {source} to the {new} units in {out} ({why})")
    convert_prepared(
        source, out, to=CONVERTED_2025.key, crosswalk=options.get("crosswalk"), key=options.get("key") or "area",
        new_boundaries=options.get("new_boundaries"), new_code_column=options.get("new_code_column") or "commune_code",
        new_layer=options.get("new_layer"),
    )  # fmt: skip
    return Converted(out, source, converted=True, reason=why)
