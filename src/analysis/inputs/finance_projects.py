"""The programme and project of each finance row, read against the programme catalogue.

The step of :func:`analysis.inputs.validate.validate_table` for the canonical **finance** table
(``extra["resolve"]`` of :data:`analysis.inputs.schema.FINANCE`): a row's ``programme``
(NTP 1719 where empty) says which catalogue of :mod:`analysis.catalog.programmes` its
``project`` is checked against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalog.programmes import default_programme, find_programme, get_programme, known_programmes
from analysis.inputs.readers import ROW


def resolve_projects(parsed: pd.DataFrame, units: pd.DataFrame, rejects, *, pad_codes: bool = False) -> None:
    """The finance step of :func:`analysis.inputs.validate.validate_table` that reads programmes and projects.

    Fills ``programme`` (where empty, the programme of the row's year:
    :func:`~analysis.catalog.programmes.default_programme`) and turns each ``project`` into
    its code in the row's programme. An unknown programme or a project the programme does not
    have is rejected, the message naming the known values.

    Parameters
    ----------
    parsed
        The parsed table (changed in place): ``programme`` and ``project`` as written.
    units
        The unit list (not used: programmes do not depend on places).
    rejects
        The collector of :mod:`analysis.inputs.validate` (``add(row, column, value, reason, fix)``).
    pad_codes
        Not used.
    """
    rows = parsed[ROW].to_numpy()
    written = parsed["programme"].astype(object).to_numpy()
    years = pd.Series(parsed["year"]).astype(object) if "year" in parsed.columns else pd.Series([None] * len(parsed))
    programmes = years.map({y: default_programme(y) for y in pd.unique(years)}).to_numpy(dtype=object)
    for text in pd.unique(written[pd.notna(written)]):
        prog = find_programme(text)
        at = np.flatnonzero(written == text)
        if prog is None:
            programmes[at] = None
            for i in at:
                rejects.add(
                    rows[i],
                    "programme",
                    text,
                    f"'{text}' is not a known programme",
                    f"write one of {known_programmes()}; leave the cell empty for the year's programme "
                    "(NTP 1719 to 2025, NTP 2026–2030 from 2026)",
                )
        else:
            programmes[at] = prog.code
    projects = parsed["project"].astype(object).to_numpy()
    codes = np.full(len(parsed), None, dtype=object)
    pairs = pd.DataFrame({"programme": programmes, "project": projects}).dropna()
    for (code, text), group in pairs.groupby(["programme", "project"], sort=False):
        prog = get_programme(code)
        project = prog.normalize(text)
        codes[group.index] = project
        if project is None:
            for i in group.index:
                rejects.add(rows[i], "project", text, prog.unknown_project(text), prog.project_fix())
    parsed["programme"] = pd.Series(programmes, index=parsed.index, dtype=object)
    parsed["project"] = pd.Series(codes, index=parsed.index, dtype=object)
