"""How a run renders: the options a report, a province's batch and the country's run share.

One :class:`RunOptions` travels from the command line (or a caller) to
:func:`analysis.run.batch.run_report`, :func:`analysis.run.batch.run_batch` and
:func:`analysis.run.country.run_country`, rather than the same dozen keywords repeated by
each; what a run is *of* (the province, district, year) stays in its own arguments.

Examples
--------
>>> options = RunOptions(lang="en", jobs=2, data_dir="data/processed")
>>> options.replace(force=True).force
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from analysis.catalog.unit_systems import CONVERTED_2025
from analysis.config import DEFAULT_LANGUAGE, PROCESSED_DIR, REPORTS_DIR
from analysis.errors import ParameterError
from analysis.run.outputs import lang_suffix


@dataclass(frozen=True)
class RunOptions:
    """The options of a run.

    Parameters
    ----------
    lang
        ``"vi"`` or ``"en"``.
    data_dir, out_dir
        Prepared data (a path or an fsspec URL); the reports root (``reports/``).
    as_of
        Report date; default the latest snapshot of the year.
    programme
        The programme whose finance the reports sum (code, name or alias); default NTP 1719.
        Another programme's files carry its code (``187-chi-lang.p135.html``) and its
        default year is the programme's latest with finance data.
    units
        ``"2025"``: by the units of the 2025 reform (one report per new commune), the data
        converted to ``<data_dir>-2025`` first when that is missing or older
        (:func:`analysis.run.converted_data.ensure_converted`).
    jobs
        Reports rendered at the same time (each on its own kernel).
    pool
        Run the reports on warm kernels started once for the run
        (:class:`analysis.run.kernel_pool.KernelPool`); ``False`` starts a new kernel for each
        report through papermill (slower; for debugging).
    force
        Render every report and the index, changed or not.
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``) whose workers render
        the reports (:mod:`analysis.run.cluster`); default the ``NTP_ATLAS_SCHEDULER``
        environment variable, else this machine.
    docx, xlsx
        Also write each report's Word copy and/or its tables as a workbook beside its HTML
        (:mod:`analysis.report.copies`).
    progress
        Show a progress bar on stderr (when it is a terminal).
    wait
        Seconds to wait when another run holds the reports' folder or is writing
        ``data_dir`` (:mod:`analysis.common.locks`).
    """

    lang: str = DEFAULT_LANGUAGE
    data_dir: str | Path = PROCESSED_DIR
    out_dir: str | Path = REPORTS_DIR
    as_of: str | None = None
    programme: str | None = None
    units: str | None = None
    jobs: int = 1
    pool: bool = True
    force: bool = False
    scheduler: str | None = None
    docx: bool = False
    xlsx: bool = False
    progress: bool = True
    wait: float = 0.0

    def check(self) -> RunOptions:
        """The options, checked: a known language, one job or more, known units.

        Raises
        ------
        ParameterError
            An option out of its range, saying which.
        """
        lang_suffix(self.lang)
        if int(self.jobs) < 1:
            raise ParameterError(f"jobs must be 1 or more, not {self.jobs}")
        if self.units not in (None, "", CONVERTED_2025.key):
            raise ParameterError(
                f"units must be {CONVERTED_2025.key} (the units of the 2025 reform) or empty, not {self.units!r}"
            )
        return self

    @property
    def documents(self) -> bool:
        """A Word or an Excel copy of each report is asked for."""
        return self.docx or self.xlsx

    def replace(self, **changes) -> RunOptions:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)


#: The options of a run given none: Vietnamese, ``data/processed`` into ``reports/``, one job
#: on warm kernels, incremental.
DEFAULT_OPTIONS = RunOptions()
