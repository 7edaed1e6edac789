"""Fingerprints of a report's inputs, which make a batch incremental.

Each page a batch renders ends with the fingerprint of its inputs
(:func:`analysis.run.page_stamp.stamp_page`): the prepared rows of its area
(:func:`input_digests`), the notebook, the parameters and the package (its version, the
libraries that draw its pages, and the code: :func:`code_digest`). A report whose
fingerprint has not changed since its last good page is skipped. ``docs/batch-engine.md``
explains both.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from analysis import __version__
from analysis.catalog.unit_systems import unit_system_of
from analysis.catalog.units import official_units, resolve_province
from analysis.common.storage import sha256_file
from analysis.config import PROCESSED_DIR
from analysis.errors import NtpAtlasError
from analysis.run.page_stamp import page_inputs
from analysis.run.render import notebook_path
from analysis.run.row_digests import input_digests_2025, row_hashes
from analysis.store.prepared import load_manifest, read_prepared

#: Prepared tables whose rows for its area a report shows (see prepared.load_area).
AREA_TABLES = ("finance", "poverty", "classification", "communes", "warnings", "rejects", "match_report",
               "indicators")
#: Area tables that prepared data from before they existed does not have (nothing to hash then).
_OPTIONAL_TABLES = ("indicators",)
#: Boundaries every report of a province draws around its area: its districts and outline.
CONTEXT_TABLES = ("districts", "provinces")
#: Tables without ``province_code``: a province's rows are those of its districts.
_DISTRICT_ONLY = ("warnings", "rejects", "match_report")
#: The package's folder, whose code and resources :func:`code_digest` hashes.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: Parameters that say where the data is, not what it is: not part of a fingerprint.
_LOCATION_PARAMETERS = ("data_dir",)


@dataclass
class BatchFingerprints:
    """The digests a batch fingerprints its reports with, worked out once for the batch.

    ``data`` is None when the prepared data could not be read: every report then renders
    (and fails, saying why), and none is stamped.
    """

    data: dict[str, str] | None
    code: str

    @classmethod
    def of(cls, province: str, data_dir: str | Path) -> BatchFingerprints:
        """The data digests of a province's reports (:func:`input_digests`) and the code's."""
        try:
            digests = input_digests(province, data_dir)
        except NtpAtlasError:  # damaged data: every report renders, and fails saying so
            digests = None
        return cls(digests, code_digest())

    def report(self, notebook: str | Path, parameters: dict) -> str | None:
        """The fingerprint of one report (of its area: ``commune`` or ``district``, else the province)."""
        area = parameters.get("commune") or parameters.get("district")
        data = self.data.get(area or "") if self.data is not None else None
        return report_fingerprint(notebook, parameters, data, self.code) if data else None

    def index(self, parameters: dict, reports: list) -> str | None:
        """The fingerprint of the index page: the province's data, and what each report became."""
        if self.data is None:
            return None
        return _fingerprint({"data": self.data[""], "parameters": _parameters(parameters), "code": self.code,
                             "reports": [[r.html.name, r.ok, r.message] for r in reports]})


def input_digests(province: str, data_dir: str | Path = PROCESSED_DIR) -> dict[str, str]:
    """SHA-256 of the prepared rows each report of a province shows.

    A district's digest covers its rows of :data:`AREA_TABLES` and the province's
    :data:`CONTEXT_TABLES` (the boundaries drawn around it); the province's (key ``""``)
    covers the rows of all its districts, the boundaries and which districts have data. Rows
    are hashed by value (:func:`pandas.util.hash_pandas_object`, geometries by their WKB as
    stored, without decoding them), so a
    digest changes when, and only when, what the report reads changes, whatever happened to
    the rest of the file.

    Returns
    -------
    dict
        District GSO code (and ``""`` for the province) to hex digest.

    Raises
    ------
    PreparedDataError
        Prepared data missing or damaged.
    """
    data_dir = data_dir if "://" in str(data_dir) else Path(data_dir)
    manifest = load_manifest(data_dir)
    if not unit_system_of(manifest).has("district"):  # by new commune (analysis.run.row_digests)
        return input_digests_2025(province, data_dir, manifest)
    pcode, _ = resolve_province(province)
    units = official_units()
    official = sorted(units.loc[units["province_code"] == pcode, "district_code"].unique())

    context = hashlib.sha256()
    for name in CONTEXT_TABLES:
        _, hashes, header = row_hashes(read_prepared(data_dir, name, province=pcode, manifest=manifest, geometry=False))
        context.update(header + hashes.tobytes())
    with_data = sorted(set(manifest.get("districts", [])) & set(official))
    province = hashlib.sha256(context.digest() + json.dumps(with_data).encode())
    districts = {code: hashlib.sha256(context.digest()) for code in official}
    for name in AREA_TABLES:
        if name in _OPTIONAL_TABLES and f"{name}.parquet" not in manifest.get("outputs", {}):
            continue  # prepared before the table existed: the reports show none of it
        frame = read_prepared(data_dir, name, province=pcode, manifest=manifest, geometry=False)
        if name in _DISTRICT_ONLY and "district_code" in frame.columns:
            frame = frame[frame["district_code"].isin(official)]
        codes, hashes, header = row_hashes(frame)
        province.update(header + hashes.tobytes())
        for code, digest in districts.items():
            digest.update(header + (hashes[codes == code].tobytes() if codes is not None else b""))
    return {"": province.hexdigest()} | {code: digest.hexdigest() for code, digest in districts.items()}


def report_fingerprint(notebook: str | Path, parameters: dict, data_digest: str, code: str | None = None) -> str:
    """The fingerprint of one report's inputs: its area's data digest (:func:`input_digests`),
    the notebook file, the parameters (but not where the data folder is) and the package:
    its version, and the code the report runs (``code``, default :func:`code_digest`), so
    that an edited source tree counts as new."""
    return _fingerprint({"data": data_digest, "notebook": sha256_file(notebook_path(notebook)),
                         "parameters": _parameters(parameters), "code": code or code_digest()})


#: Libraries whose version changes what a page shows (its maps, numbers and HTML): a new
#: matplotlib or Babel re-renders every report, as an edited source tree does.
_OUTPUT_LIBRARIES = ("matplotlib", "geopandas", "shapely", "pyproj", "mapclassify", "pandas", "numpy",
                     "babel", "nbconvert", "papermill")


@functools.cache
def library_versions() -> dict[str, str]:
    """The installed version of each of :data:`_OUTPUT_LIBRARIES` (``""`` when not installed)."""
    found = {}
    for name in _OUTPUT_LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = ""
    return found


def _fingerprint(record: dict) -> str:
    record = record | {"version": __version__, "libraries": library_versions()}
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _parameters(parameters: dict) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in parameters.items() if k not in _LOCATION_PARAMETERS}


def code_digest(root: Path = PACKAGE_ROOT) -> str:
    """SHA-256 of the package's code and resources: every module of every subpackage and every
    file under ``resources/`` (labels, templates, catalogues), by path and content. Any edit of
    the package re-renders the reports of the next batch; none goes unnoticed because of where
    a module lives.

    Parameters
    ----------
    root
        The package's folder (``src/analysis``).
    """
    files = sorted(root.rglob("*.py")) + sorted(p for p in (root / "resources").rglob("*") if p.is_file())
    h = hashlib.sha256()
    for path in files:
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()


def up_to_date(html: Path, fingerprint: str) -> bool:
    """The page was rendered from these inputs and is intact, and its executed notebook is there."""
    return html.with_name(html.stem + ".ipynb").is_file() and page_inputs(html) == fingerprint
