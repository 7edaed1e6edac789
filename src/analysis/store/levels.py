"""Report levels, and the units of the 2025 reform: loading, converting when needed, batches.

The report notebooks take a ``level`` parameter: ``""`` for the data's own units (the districts
of data keyed to the old units; the new communes of data converted with ``ntp-atlas convert --to
2025``) or ``"commune"`` for a report per new commune, which only converted data has. Data
converted to the 2025 units (manifest ``units: "2025"``) has 34 provinces and 3,321 communes and
no districts; this module reads it for a report and plans a batch over it:

* :func:`load_area_2025`: a new province or commune, with codes and names from
  :func:`analysis.inputs.reform.new_units`, rejects and warnings by the new province, the old districts
  as a reference layer only;
* :func:`ensure_converted`: the converted folder beside the prepared data, converted again when
  it is missing, damaged, made by another version or made from older prepared data;
* :func:`batch_plan` and :func:`input_digests_2025`: which reports a province's batch renders
  (one per district, or one per new commune with finance data) and the fingerprint of the rows
  each one shows, so that incremental batches keep working.

What the reports say about converted data (notes, marks, maps) is in
:mod:`analysis.report.reform_notes`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalog.programmes import DEFAULT_PROGRAMME, programme_finance
from analysis.catalog.units import code_name_choices, official_units, resolve_choice, resolve_province
from analysis.errors import ParameterError, PreparedDataError
from analysis.store.prepared import AreaData, damaged_files, load_area, load_manifest, read_table

__all__ = [
    "LEVELS", "VINTAGE", "BatchPlan", "Converted", "batch_plan", "check_level", "converted_dir", "ensure_converted",
    "input_digests_2025", "is_converted", "load_area_2025", "load_for_level", "old_codes", "provinces_2025",
    "resolve_new_commune", "resolve_new_province", "run_commune_report",
]  # fmt: skip

#: The units data converted by ``ntp-atlas convert --to 2025`` is keyed to.
VINTAGE = "2025"
#: Values of the notebooks' ``level`` parameter: the data's own units, explicitly the old
#: districts, or the new communes.
LEVELS = ("", "district", "commune")


def is_converted(source: AreaData | dict) -> bool:
    """True for data converted to the 2025 units (an :class:`AreaData` or a manifest)."""
    manifest = source if isinstance(source, dict) else source.manifest
    return manifest.get("units") == VINTAGE


def check_level(level: str | None) -> str:
    """The ``level`` parameter, checked: ``""``, ``"district"`` or ``"commune"``.

    Raises
    ------
    ParameterError
        Any other value, with the ones there are.
    """
    text = (level or "").strip().lower()
    if text not in LEVELS:
        raise ParameterError(
            f"level must be '' (the data's own units), 'district' or 'commune' (a report per new commune, on data "
            f"converted with 'ntp-atlas convert --to {VINTAGE}'), not {level!r}"
        )
    return text


def load_for_level(
    province: str, district: str | None, commune: str | None, level: str | None, data_dir: str | Path
) -> AreaData:
    """Load the area a report's parameters ask for, at the level they ask for.

    ``level="commune"`` needs data converted to the 2025 units and ignores ``district`` (the
    parameters cell of a district report has a default district); a ``commune`` alone implies
    it. ``level="district"`` needs data keyed to the old units.

    Raises
    ------
    ParameterError
        A level that the data does not have, an unknown or absent unit.
    """
    level = check_level(level)
    commune = None if commune in (None, "") else str(commune)
    district = None if district in (None, "") or level == "commune" else str(district)
    manifest = load_manifest(data_dir)
    if level == "commune" and not is_converted(manifest):
        raise ParameterError(
            f"level 'commune' (a report per new commune) needs data converted to the {VINTAGE} units; {data_dir} "
            f"is keyed to the old units. Run 'ntp-atlas convert --to {VINTAGE}' and give its folder as data_dir, "
            f"or render with 'ntp-atlas batch --units {VINTAGE}'"
        )
    if level == "district" and is_converted(manifest):
        raise ParameterError(
            f"{data_dir} is keyed to the units of 1/7/2025, which have no districts: use level 'commune' (a report "
            "per new commune) or '' (the province by new commune)"
        )
    return load_area(str(province), district, data_dir, commune=commune)


# --- the new units ------------------------------------------------------------------------


def _new_units() -> pd.DataFrame:
    from analysis.inputs.reform import new_units

    return new_units()


def resolve_new_province(text: str) -> tuple[str, str]:
    """A province of the 2025 list by GSO code or name: ``(code, name)``.

    Raises
    ------
    ParameterError
        Unknown; for a province merged into another on 1/7/2025 ("Hà Giang"), the message
        names the new province it is part of.
    """
    try:
        return resolve_province(text, _new_units())
    except ParameterError as unknown:
        try:
            old_code, old_name = resolve_province(text)
        except ParameterError:
            raise unknown from None
        from analysis.inputs.reform import province_map

        new_code = province_map().get(old_code)
        if new_code is None:
            raise unknown from None
        names = _new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
        raise ParameterError(
            f"province {old_name} ({old_code}) became part of {names[new_code]} ({new_code}) on 1/7/2025; data "
            f"converted to the {VINTAGE} units is by the new provinces: use {new_code} or '{names[new_code]}'"
        ) from None


def old_codes(communes: pd.DataFrame) -> pd.DataFrame:
    """``(old_code, commune_code)`` pairs of converted communes (``old_commune_codes``): a divided
    old commune is paired with each of the new communes it went into."""
    pairs = communes[["commune_code", "old_commune_codes"]].dropna()
    pairs = pairs.assign(old_code=pairs["old_commune_codes"].str.split(";")).explode("old_code")
    return pairs[["old_code", "commune_code"]].reset_index(drop=True)


def resolve_new_commune(text: str, province_code: str, communes: pd.DataFrame | None = None) -> tuple[str, str]:
    """A commune of the 2025 list in a new province, by GSO code or name: ``(code, name)``.

    Parameters
    ----------
    text
        Code (``"06517"``) or name (``"Xã Quan Sơn"``, ``"Hồng Phong"``).
    province_code
        The new province.
    communes
        The province's converted communes (with ``old_commune_codes``), to say which new
        commune a former commune is part of when ``text`` names one.

    Raises
    ------
    ParameterError
        Unknown or ambiguous; a former commune's code or name says which new commune(s) it
        is part of now.
    """
    units = _new_units()
    inside = units[units["province_code"] == province_code]
    try:
        return resolve_choice(text, code_name_choices(inside, "commune_code", "commune_name"), "commune")
    except ParameterError as unknown:
        if communes is None or "old_commune_codes" not in communes.columns:
            raise
        from analysis.inputs.reform import province_map

        old = official_units()
        old = old[old["province_code"].map(province_map()) == province_code]
        try:
            code, name = resolve_choice(text, code_name_choices(old, "commune_code", "commune_name"), "commune")
        except ParameterError:
            raise unknown from None
        pairs = old_codes(communes)
        now = communes.set_index("commune_code").loc[pairs.loc[pairs["old_code"] == code, "commune_code"]]
        if not len(now):
            raise unknown from None
        parts = ", ".join(f"{n} ({c})" for c, n in now["commune_name"].items())
        raise ParameterError(
            f"{name} ({code}) is a former commune (before 1/7/2025); it is part of {parts} now: give the new commune"
        ) from None


def load_area_2025(
    province: str,
    district: str | None,
    commune: str | None,
    data_dir: str | Path,
    manifest: dict,
) -> AreaData:
    """Load a new province, or one of its new communes, from data converted to the 2025 units.

    ``districts`` holds the old districts (a reference layer, ``reference_only``); the finance,
    poverty and classification rows are the commune's (or the province's, district-level
    finance rows included); rejects and warnings are filtered by the new province code, and
    for a commune the warnings are those of the old communes it was formed from. ``coverage``
    counts the province's communes in the 2025 list and those with data.

    Raises
    ------
    ParameterError
        Unknown province or commune, one without data, or a district asked for (there are
        none after the reform).
    """
    pcode, pname = resolve_new_province(province)
    if pcode not in manifest.get("provinces", []):
        raise ParameterError(
            f"province {pname} ({pcode}) has no data in {data_dir}; provinces there: "
            f"{', '.join(manifest.get('provinces', [])) or 'none'}"
        )
    if district not in (None, ""):
        raise ParameterError(
            f"{data_dir} is keyed to the units of 1/7/2025, which have no districts (district {district!r} asked for): "
            "give a new commune (level 'commune') or none for the whole province; the former districts are a "
            "reference layer only"
        )

    def rd(name: str, **kw) -> pd.DataFrame:
        return read_table(data_dir, name, manifest=manifest, **kw)

    province_communes = rd("communes", province=pcode).reset_index(drop=True)
    ccode = cname = None
    if commune not in (None, ""):
        ccode, cname = resolve_new_commune(str(commune), pcode, province_communes)
        if ccode not in set(province_communes["commune_code"]):
            raise ParameterError(
                f"new commune {cname} ({ccode}) has no data in {data_dir}; {len(province_communes)} communes of "
                f"{pname} have data"
            )

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if ccode is None or "commune_code" not in frame.columns:
            return frame
        return frame[frame["commune_code"] == ccode].reset_index(drop=True)

    warnings = rd("warnings", province=pcode)
    if ccode is not None and "commune_code" in warnings.columns:
        pairs = old_codes(province_communes)
        warnings = warnings[warnings["commune_code"].isin(pairs.loc[pairs["commune_code"] == ccode, "old_code"])]
    match_report = rd("match_report")
    if "commune_code" in match_report.columns:
        keep = [ccode] if ccode else list(province_communes["commune_code"])
        match_report = match_report[match_report["commune_code"].isin(keep)].reset_index(drop=True)
    flags = [c for c in ("has_finance", "has_poverty") if c in province_communes.columns]
    coverage = {
        "communes_official": int((_new_units()["province_code"] == pcode).sum()),
        "communes_with_data": int(province_communes[flags].any(axis=1).sum()) if flags else len(province_communes),
    }
    return AreaData(
        data_dir=data_dir,
        manifest=manifest,
        province_code=pcode,
        province_name=pname,
        district_code=None,
        district_name=None,
        finance=mine(rd("finance", province=pcode)),
        poverty=mine(rd("poverty", province=pcode)),
        classification=mine(rd("classification", province=pcode)),
        communes=mine(province_communes),
        districts=rd("districts", province=pcode),
        province=rd("provinces", province=pcode),
        province_communes=province_communes,
        rejects=rd("rejects", province=pcode).reset_index(drop=True),
        warnings=warnings.reset_index(drop=True),
        match_report=match_report,
        coverage=coverage,
        commune_code=ccode,
        commune_name=cname,
    )


# --- converting when needed -----------------------------------------------------------------


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
            return f"{self.source} converted to the {VINTAGE} units in {self.path} ({self.reason})"
        if self.reason:
            return f"{self.path} ({self.reason})"
        return f"{self.path} (up to date with {self.source})"


def converted_dir(data_dir: str | Path) -> Path:
    """Where the converted data of a prepared-data folder goes: ``<data_dir>-2025`` beside it."""
    data_dir = Path(data_dir)
    return data_dir.with_name(f"{data_dir.name}-{VINTAGE}")


def _manifest_or_none(folder: Path) -> dict | None:
    try:
        return load_manifest(folder)
    except PreparedDataError:
        return None


def _why_stale(current: dict | None, source: Path, out: Path) -> str | None:
    """Why the converted folder must be made again, or None when it is up to date."""
    from analysis import __version__
    from analysis.common.storage import sha256_file

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
    its inputs first (:func:`analysis.store.prepared.ensure_prepared`).

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
    from analysis.store.prepared import ensure_prepared

    if "://" in str(data_dir):
        raise ParameterError(
            f"--units {VINTAGE} converts the data on this machine: give a local folder, not {data_dir} (or convert "
            f"with 'ntp-atlas convert --to {VINTAGE}' and give the converted folder's URL as --data)"
        )
    data_dir = Path(data_dir).expanduser().resolve()
    manifest = load_manifest(data_dir)
    if is_converted(manifest):
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
        if current is not None and not is_converted(current):
            raise ParameterError(
                f"{out} holds data that is not converted to the {VINTAGE} units; move it away, or "
                "convert to another folder with 'ntp-atlas convert --to 2025 --out DIR'"
            )
    ensure_prepared(source)
    why = _why_stale(current, source, out)
    if why is None:
        return Converted(out, source)
    from analysis.store.convert import convert_prepared

    options = (current or {}).get("options") or {}
    (log or (lambda msg: print(msg, file=sys.stderr)))(f"converting {source} to the {VINTAGE} units in {out} ({why})")
    convert_prepared(
        source, out, to=VINTAGE, crosswalk=options.get("crosswalk"), key=options.get("key") or "area",
        new_boundaries=options.get("new_boundaries"), new_code_column=options.get("new_code_column") or "commune_code",
        new_layer=options.get("new_layer"),
    )  # fmt: skip
    return Converted(out, source, converted=True, reason=why)


# --- a province's batch -----------------------------------------------------------------------


@dataclass
class BatchPlan:
    """The reports of a province's batch: one per district, or one per new commune.

    Attributes
    ----------
    province_code, province_name
        The province (a new province for converted data).
    year
        Plan year.
    units
        ``(code, name)`` of the unit reports, in code order.
    converted
        The data is keyed to the 2025 units: the unit reports are per new commune, with
        ``level="commune"``, and the outputs go to ``<province-slug>-2025/``.
    without_data
        Names of the districts left out: none of the programme's finance for the year.
    """

    province_code: str
    province_name: str
    year: int
    units: list[tuple[str, str]]
    converted: bool = False
    #: Districts left out because they have no finance of the programme asked for that year.
    without_data: list[str] = field(default_factory=list)

    @property
    def folder_suffix(self) -> str:
        """Added to the province's folder name, so that reports by the new units never
        overwrite those by the old ones."""
        return f"-{VINTAGE}" if self.converted else ""

    @property
    def unit_kind(self) -> str:
        return "new commune" if self.converted else "district"

    def unit_parameters(self, code: str) -> dict[str, str]:
        """The notebook parameters that name one unit's report."""
        if self.converted:  # "district" emptied: the notebook's default district does not apply
            return {"level": "commune", "district": "", "commune": code}
        return {"district": code}

    def overview_parameters(self) -> dict[str, str]:
        """The notebook parameters of the province overview beyond those of every report."""
        return {"level": "commune"} if self.converted else {}


def _check_year(name: str, year: int, finance: pd.DataFrame) -> None:
    """Refuse a year the province has no finance data for, before any report runs."""
    years = sorted({int(y) for y in finance["year"].dropna()})
    if years and year not in years:
        raise ParameterError(f"{name} has no finance data for {year}; years with data: {', '.join(map(str, years))}")


def batch_plan(
    province: str,
    data_dir: str | Path,
    year: int | str | None = None,
    communes: Iterable[str] | None = None,
    programme: str | None = None,
) -> BatchPlan:
    """Which reports a province's batch renders, for data of either vintage.

    Old units: a report per district with prepared data. Converted data: a report per new
    commune with finance rows for ``year`` (or only ``communes``, codes or names).

    Raises
    ------
    ParameterError
        Unknown province, no data, a commune without finance data for the year, or
        ``communes`` with data keyed to the old units.
    """
    from analysis.run.query import latest_year
    from analysis.store.prepared import area_districts

    manifest = load_manifest(data_dir)
    only = [str(c).strip() for c in (communes or []) if str(c).strip()]
    if not is_converted(manifest):
        if only:
            raise ParameterError(
                f"reports by new commune need data converted to the {VINTAGE} units (--units "
                f"{VINTAGE}); {data_dir} is keyed to the old units"
            )
        pcode, pname = resolve_province(province)
        districts = area_districts(pcode, data_dir)
        if not len(districts):
            raise ParameterError(f"province {pname} ({pcode}) has no prepared data in {data_dir}")
        year = int(year) if year not in (None, "") else latest_year(pcode, data_dir)
        finance = read_table(data_dir, "finance", province=pcode, manifest=manifest)
        _check_year(pname, year, finance)
        units = list(zip(districts["district_code"], districts["district_name"], strict=True))
        without: list[str] = []
        if programme not in (None, "", DEFAULT_PROGRAMME):  # another programme: its districts only
            rows = programme_finance(finance, programme, pname)[1]
            have = set(rows.loc[rows["year"] == year, "district_code"].dropna().astype(str))
            without = [name for code, name in units if str(code) not in have]
            units = [(code, name) for code, name in units if str(code) in have]
        return BatchPlan(pcode, pname, year, units, without_data=without)
    pcode, pname = resolve_new_province(province)
    if pcode not in manifest.get("provinces", []):
        raise ParameterError(
            f"province {pname} ({pcode}) has no data in {data_dir}; provinces there: "
            f"{', '.join(manifest.get('provinces', [])) or 'none'}"
        )
    finance = read_table(data_dir, "finance", province=pcode, manifest=manifest)
    if not len(finance):
        raise ParameterError(f"{pname} has no finance data in {data_dir}")
    year = int(year) if year not in (None, "") else int(finance["year"].max())
    _check_year(pname, year, finance)
    table = read_table(data_dir, "communes", province=pcode, manifest=manifest)
    with_data = set(finance.loc[finance["year"] == year, "commune_code"].dropna())
    table = table[table["commune_code"].isin(with_data)].sort_values("commune_code")
    if only:
        codes = [resolve_new_commune(c, pcode, table)[0] for c in only]
        missing = [c for c in codes if c not in set(table["commune_code"])]
        if missing:
            raise ParameterError(f"no {year} finance data for new commune(s) {', '.join(missing)} of {pname}")
        table = table[table["commune_code"].isin(codes)]
    return BatchPlan(
        pcode, pname, year, list(zip(table["commune_code"], table["commune_name"], strict=True)), converted=True
    )


def input_digests_2025(province: str, data_dir: str | Path, manifest: dict | None = None) -> dict[str, str]:
    """SHA-256 of the rows each report of a converted province shows, by new commune.

    The counterpart of :func:`analysis.run.batch.input_digests` for data keyed to the 2025
    units. Every report of the province draws its communes, its outline and the former
    districts, and lists its rejects: those rows are in every digest. A commune's digest adds
    its rows of finance, poverty, classification, the match report and the conversion report,
    and the warnings of the old communes it was formed from; the province's (key ``""``)
    covers every row and which communes have data.

    Returns
    -------
    dict
        New commune code (and ``""`` for the province) to hex digest.
    """
    from analysis.run.fingerprint import row_hashes

    manifest = manifest or load_manifest(data_dir)
    pcode, _ = resolve_new_province(province)

    def rows(name: str, **kw) -> pd.DataFrame:
        return read_table(data_dir, name, manifest=manifest, **kw)

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
    report = rows("convert_report")
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


def provinces_2025(data_dir: str | Path) -> pd.DataFrame:
    """Provinces of converted data: ``province_code``, ``province_name`` (new), by code."""
    manifest = load_manifest(data_dir)
    names = _new_units().drop_duplicates("province_code").set_index("province_code")["province_name"]
    codes = sorted(manifest.get("provinces", []))
    return pd.DataFrame({"province_code": codes, "province_name": [names.get(c, c) for c in codes]})


def run_commune_report(
    province: str,
    commune: str | None,
    *,
    year: int | str | None = None,
    as_of: str | None = None,
    lang: str = "vi",
    data_dir: str | Path,
    out_dir: str | Path,
    notebook: str = "district_report",
    documents: bool = False,
    units: str | None = None,
) -> Path:
    """One new commune's report, where a batch by the 2025 units puts it
    (:func:`analysis.run.batch.run_report` with ``commune``).

    Raises
    ------
    ParameterError
        No commune, another notebook, Word/Excel copies asked for, or a commune without
        finance data for the year.
    """
    from analysis.run import batch, outputs  # its render_report: the one a batch uses (and tests replace)
    from analysis.store.prepared import ensure_prepared

    if units not in (None, "", VINTAGE):
        raise ParameterError(f"units must be {VINTAGE} (the units of the 2025 reform) or empty, not {units!r}")
    if notebook != "district_report" or documents:
        raise ParameterError("a new commune's report is the district_report notebook, without --docx/--xlsx for now")
    if commune in (None, ""):
        raise ParameterError(
            f"give the new commune (--commune) for a report by the {VINTAGE} units, or render the whole province "
            f"with 'ntp-atlas batch --units {VINTAGE}'"
        )
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    data_dir = ensure_converted(data_dir).path if units else data_dir
    ensure_prepared(data_dir)
    plan = batch_plan(province, data_dir, year, [commune])
    code, name = plan.units[0]
    folder = outputs.batch_folder(out_dir, plan.year, plan.province_name, plan.folder_suffix)
    params = {"province": plan.province_code, "year": plan.year, "as_of": as_of or "", "lang": lang}
    params |= {"data_dir": data_dir, "baseline_year": ""} | plan.unit_parameters(code)
    return batch.render_report(notebook, params, folder / outputs.report_filename(code, name, lang=lang))
