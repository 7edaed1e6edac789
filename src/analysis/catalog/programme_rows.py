"""A finance table's rows of one programme, and the catalogue as a table.

Reports add up one programme's money, never several programmes' together:
:func:`programme_finance` picks a programme's rows (by default the programme of the report's
year, :func:`analysis.catalog.programmes.default_programme`). :func:`programme_table` lists
the catalogue of :mod:`analysis.catalog.programmes`, project by project.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalog.programmes import (
    DEFAULT_PROGRAMME,
    Programme,
    default_programme,
    find_programme,
    get_programme,
    list_programmes,
)
from analysis.errors import ParameterError

__all__ = ["programme_finance", "programme_table"]


def programme_finance(
    finance: pd.DataFrame, programme: object = None, area: str | None = None, year: object = None
) -> tuple[Programme, pd.DataFrame]:
    """The programme ``programme`` names and its rows of a finance table: what a report sums.

    Reports add up one programme's money, never several programmes' together. Finance
    prepared before the ``programme`` column existed is all NTP 1719's.

    Parameters
    ----------
    finance
        Prepared finance rows (with or without a ``programme`` column).
    programme
        Code, name or alias; empty or ``None`` for the programme of ``year``
        (:func:`default_programme`), or of the table's latest year when ``year`` is empty.
    area
        The area's name: when given, a table with rows but none of this programme is an error
        (a report of it would be empty) that names the programmes the area has.
    year
        The report's year, for the default programme.

    Returns
    -------
    tuple
        ``(Programme, rows)``; ``rows`` keeps the table's columns and index.

    Raises
    ------
    ParameterError
        Unknown programme; or, with ``area``, no rows of it.

    Examples
    --------
    >>> rows = pd.DataFrame({"programme": ["ntp1719", "p135", None], "plan_mvnd": [100.0, 50.0, 7.0]})
    >>> prog, mine = programme_finance(rows, "Chương trình 135")
    >>> prog.code, mine["plan_mvnd"].tolist()
    ('p135', [50.0])
    >>> programme_finance(rows)[1]["plan_mvnd"].tolist()  # an empty cell is NTP 1719
    [100.0, 7.0]
    """
    if programme in (None, ""):
        if year in (None, "") and "year" in finance.columns and len(finance):
            year = finance["year"].max()
        programme = default_programme(year)
    prog = get_programme(programme)
    defaults = _row_defaults(finance)
    if "programme" in finance.columns:
        codes = finance["programme"].astype(object).where(finance["programme"].notna(), defaults)
    else:
        codes = defaults
    mine = finance[(codes == prog.code).to_numpy()]
    if area is not None and len(finance) and not len(mine):
        present = ", ".join(f"{c} ({find_programme(c).short_en})" if find_programme(c) else str(c)
                            for c in sorted(set(codes)))  # fmt: skip
        raise ParameterError(
            f"{area} has no finance data of {prog.short_en} ({prog.code}); programmes with finance data there: "
            f"{present}. Choose one of them with --programme (the notebooks' 'programme' parameter)"
        )
    return prog, mine


def _row_defaults(finance: pd.DataFrame) -> pd.Series:
    """The programme of each row that names none, by its year (:func:`default_programme`)."""
    if "year" not in finance.columns:
        return pd.Series(DEFAULT_PROGRAMME, index=finance.index, dtype=object)
    years = finance["year"]
    return years.map({y: default_programme(y) for y in pd.unique(years)}).astype(object)


def programme_table(lang: str = "vi") -> pd.DataFrame:
    """The catalogue as a table: programme, project code, parent, name in ``lang``."""
    rows = [
        {
            "programme": prog.code,
            "programme_name": prog.name(lang, short=True),
            "project": p.code,
            "parent": p.parent,
            "name": p.name(lang),
        }
        for prog in list_programmes()
        for p in prog.projects
    ]
    return pd.DataFrame(rows)
