"""What the rows a report shows hash to: the row hashes of a prepared table, and the digests of
the reports of a province of data converted to the 2025 units (one per new commune), so that
incremental batches keep working by the new units."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.store.new_unit_areas import old_codes, resolve_new_province
from analysis.store.prepared import load_manifest, read_prepared

__all__ = ["input_digests_2025", "row_hashes"]


def row_hashes(frame: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray, bytes]:
    """``(district codes or None, one uint64 hash per row, header bytes)`` of a table.

    Parameters
    ----------
    frame
        A prepared table; geometries are hashed by their exact coordinates (WKB).
    """
    if hasattr(frame, "to_wkb") and hasattr(frame, "geometry"):
        frame = frame.to_wkb()  # hash geometries by their exact coordinates
    header = json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode("utf-8")
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy() if len(frame.columns) else None
    if hashes is None:
        hashes = np.zeros(len(frame), dtype="uint64")
    codes = frame["district_code"].astype(str).to_numpy() if "district_code" in frame.columns else None
    return codes, hashes, header


def input_digests_2025(province: str, data_dir: str | Path, manifest: dict | None = None) -> dict[str, str]:
    """SHA-256 of the rows each report of a converted province shows, by new commune.

    The counterpart of :func:`analysis.run.fingerprint.input_digests` for data keyed to the 2025
    units. Every report of the province draws its communes, its outline and the former
    districts, and lists its rejects: those rows are in every digest. A commune's digest adds
    its rows of finance, poverty, classification, the match report and the conversion report,
    and the warnings of the old communes it was formed from; the province's (key ``""``)
    covers every row and which communes have data.

    Parameters
    ----------
    province
        A new province, by GSO code or name.
    data_dir
        Prepared data converted to the 2025 units.
    manifest
        Its manifest, if already read.

    Returns
    -------
    dict
        New commune code (and ``""`` for the province) to hex digest.
    """
    manifest = manifest or load_manifest(data_dir)
    pcode, _ = resolve_new_province(province)

    def rows(name: str, **kw) -> pd.DataFrame:
        return read_prepared(data_dir, name, manifest=manifest, **kw)

    communes = rows("communes", province=pcode)
    codes = sorted(communes["commune_code"].dropna())
    context = hashlib.sha256()
    for frame in (
        communes,
        rows("districts", province=pcode),
        rows("provinces", province=pcode),
        rows("rejects", province=pcode),
    ):
        _, hashes, header = row_hashes(frame)
        context.update(header + hashes.tobytes())
    province_digest = hashlib.sha256(context.digest() + json.dumps(codes).encode())
    digests = {code: hashlib.sha256(context.digest()) for code in codes}
    pairs = old_codes(communes)
    olds = {code: set(group) for code, group in pairs.groupby("commune_code")["old_code"]}
    # the conversion's report: data keyed to the new units from the start has none
    report = rows("convert_report") if "convert_report.parquet" in manifest.get("outputs", {}) else pd.DataFrame()
    report = report[report["new_province_code"] == pcode] if "new_province_code" in report.columns else report
    match = rows("match_report")
    match = match[match["commune_code"].isin(codes)] if "commune_code" in match.columns else match
    keyed = [(rows(name, province=pcode), "commune_code") for name in ("finance", "poverty", "classification")]
    keyed += [(match, "commune_code"), (report, "new_code")]
    for frame, key in [*keyed, (rows("warnings", province=pcode), None)]:
        _, hashes, header = row_hashes(frame)
        province_digest.update(header + hashes.tobytes())
        for code, digest in digests.items():
            if key is not None and key in frame.columns:
                mask = (frame[key] == code).fillna(False).to_numpy(dtype=bool)
            elif "commune_code" in frame.columns:  # warnings: keyed to the old communes
                mask = frame["commune_code"].isin(olds.get(code, set())).to_numpy(dtype=bool)
            else:
                mask = None
            digest.update(header + (hashes[mask].tobytes() if mask is not None else b""))
    return {"": province_digest.hexdigest()} | {code: digest.hexdigest() for code, digest in digests.items()}
