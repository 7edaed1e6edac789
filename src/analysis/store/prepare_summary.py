"""What ``ntp-atlas prepare`` did, for the terminal: :meth:`PrepareResult.summary`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.catalog.unit_systems import NATIVE_2025, unit_system_of
from analysis.inputs.rejects import more_rows_note

if TYPE_CHECKING:
    from analysis.store.prepare import PrepareResult

__all__ = ["boundary_notes", "prepare_summary"]


def prepare_summary(result: PrepareResult) -> str:
    """What prepare did, in lines for the terminal: every input's rows read, accepted and
    rejected (they reconcile), the first rejects, the boundaries matched, the rule warnings."""
    native = unit_system_of(result.manifest) is NATIVE_2025
    lines = [
        f"prepared data written to {result.out_dir}",
        "units: the communes of 1/7/2025 (province → commune, no districts)" if native
        else "units: before 1/7/2025 (province → district → commune)",
        "",
        f"{'input':<12}{'read':>8}{'accepted':>10}{'rejected':>10}",
    ]
    for name, t in result.tables.items():
        ok = "" if t.reconciles() else "  (DOES NOT RECONCILE)"
        lines.append(f"{name:<12}{t.n_read:>8}{t.n_accepted:>10}{t.n_rejected:>10}{ok}")
        where = f"sheet '{t.raw.sheet}' of " if t.raw.sheet else ""
        lines.append(f"    read {where}{t.raw.path.name}, header row {t.raw.header_row}")
        for note in t.notes:
            lines.append(f"    {note}")
    if "numbers" in result.manifest:
        lines += ["", result.manifest["numbers"]["summary"]]
    if len(result.rejects):
        lines += ["", "rejected rows (first 10; the rest in rejects.csv):"]
        for r in result.rejects.head(10).itertuples(index=False):
            col = f", column '{r.column}'" if r.column else ""
            lines.append(f"  {Path(r.file).name} row {r.row}{col}: {r.reason}")
        capped = [(t, c) for t in result.tables.values() for c in t.reject_counts if c[2] > t.rejects_listed(c[1])]
        if capped:
            lines.append("rejected rows not listed one by one:")
        for t, (_, reason, n) in capped:
            shown = t.rejects_listed(reason)
            lines.append(f"  {t.raw.path.name}: {reason}: {shown} listed, {more_rows_note(n - shown)}")
    counts = result.match_report["status"].value_counts()
    lines += ["", "boundaries: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())]
    lines += boundary_notes(result.manifest.get("boundaries", {}))
    if native and result.manifest["boundaries"].get("vintage") != "2025":
        lines.append("  the new communes' polygons are dissolved from the old communes of the boundary file "
                     "(every map says so)")
    if len(result.warnings):
        lines += ["rule warnings: " + ", ".join(f"{k} {v}" for k, v in result.warnings["rule"].value_counts().items())]
    return "\n".join(lines)


def boundary_notes(entry: dict) -> list[str]:
    """Repaired geometries and the merges of the crosswalk, for the prepare summary."""
    lines = []
    if entry.get("repaired_geometries"):
        lines.append(f"  {entry['repaired_geometries']} invalid geometries repaired (see geometry_repaired in "
                     "match_report.csv)")
    crosswalk = entry.get("crosswalk")
    if crosswalk:
        used = crosswalk["merges_used"]
        lines.append(f"  crosswalk {Path(crosswalk['path']).name}: {crosswalk['features_merged']} old communes "
                     f"dissolved into {len(used)}")
        merges = sorted(used.items())
        lines += [f"    {', '.join(old)} → {new}" for new, old in merges[:10]]
        if len(merges) > 10:
            lines.append(f"    … {len(merges)} in all (merged_from in match_report.csv)")
        if crosswalk["merges_kept"]:
            lines.append("  not merged, the unit list still has them: " + ", ".join(crosswalk["merges_kept"]))
    return lines
