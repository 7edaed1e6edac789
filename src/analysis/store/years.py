"""Which plan years the prepared data has: the latest year with finance data for an area."""

from __future__ import annotations

from pathlib import Path

from analysis.catalog.programme_rows import programme_finance
from analysis.catalog.units import resolve_district, resolve_province
from analysis.config import PROCESSED_DIR
from analysis.errors import ParameterError
from analysis.store.prepared import read_prepared

__all__ = ["latest_year"]


def latest_year(province: str, data_dir: str | Path = PROCESSED_DIR, district: str | None = None, *,
                programme: str | None = None) -> int:
    """The latest plan year with finance data for a province (or one of its districts); of one
    programme when ``programme`` is given.

    Parameters
    ----------
    province, district
        GSO codes or names.
    data_dir
        Prepared data.
    programme
        A programme's code, name or alias (:mod:`analysis.catalog.programmes`); default all.

    Returns
    -------
    int
        The year.

    Raises
    ------
    ParameterError
        No finance data for the area.
    PreparedDataError
        No prepared data in ``data_dir``.
    """
    pcode, pname = resolve_province(province)
    dcode = resolve_district(district, pcode)[0] if district else None
    finance = read_prepared(data_dir, "finance", province=pcode, district=dcode)
    if programme not in (None, ""):
        finance = programme_finance(finance, programme, pname)[1]
    if not len(finance):
        raise ParameterError(f"{pname} has no finance data in {data_dir}; run 'ntp-atlas prepare' with its data")
    return int(finance["year"].max())
