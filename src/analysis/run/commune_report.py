"""One new commune's report, where a batch by the 2025 units puts it
(:func:`analysis.run.batch.run_report` with ``commune``)."""

from __future__ import annotations

from pathlib import Path

from analysis.catalog.unit_systems import CONVERTED_2025
from analysis.errors import ParameterError
from analysis.run.batch_plan import batch_plan
from analysis.run.converted_data import ensure_converted
from analysis.run.outputs import batch_folder, report_filename
from analysis.run.render import render_report
from analysis.store.prepare import ensure_prepared

__all__ = ["run_commune_report"]


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

    Parameters
    ----------
    province, commune
        The new province and the new commune (codes or names).
    year, as_of, lang, data_dir, out_dir, notebook
        As for :func:`analysis.run.batch.run_report`.
    documents
        Word/Excel copies asked for (not available yet for new communes).
    units
        ``"2025"``: convert ``data_dir`` first when needed; empty: ``data_dir`` is converted data.

    Returns
    -------
    pathlib.Path
        The HTML file.

    Raises
    ------
    ParameterError
        No commune, another notebook, Word/Excel copies asked for, or a commune without
        finance data for the year.
    """
    new = CONVERTED_2025.key  # the units of the reports
    if units not in (None, "", new):
        raise ParameterError(f"units must be {new} (the units of the 2025 reform) or empty, not {units!r}")
    if notebook != "district_report" or documents:
        raise ParameterError("a new commune's report is the district_report notebook, without --docx/--xlsx for now")
    if commune in (None, ""):
        raise ParameterError(
            f"give the new commune (--commune) for a report by the {new} units, or render the whole province "
            f"with 'ntp-atlas batch --units {CONVERTED_2025.key}'"
        )
    data_dir = str(data_dir) if "://" in str(data_dir) else Path(data_dir).expanduser().resolve()
    data_dir = ensure_converted(data_dir).path if units else data_dir
    ensure_prepared(data_dir)
    plan = batch_plan(province, data_dir, year, [commune])
    code, name = plan.units[0]
    folder = batch_folder(out_dir, plan.year, plan.province_name, plan.folder_suffix)
    params = {"province": plan.province_code, "year": plan.year, "as_of": as_of or "", "lang": lang}
    params |= {"data_dir": data_dir, "baseline_year": ""} | plan.unit_parameters(code)
    return render_report(notebook, params, folder / report_filename(code, name, lang=lang))
