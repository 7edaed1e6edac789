"""How much of an input file ntp-atlas reads and keeps, and how many lost rows it tolerates.

A hostile or broken file must not take the machine down nor publish a table from a few
surviving rows. These limits bound the work of ``prepare``; each is an option of
``ntp-atlas prepare`` and a keyword of :func:`analysis.store.prepare.prepare`.

* :attr:`ReadLimits.max_rows`: rows of data (below the header) read from one table. A file
  with more is refused as soon as the reader passes the limit, so a sheet that claims
  millions of rows costs no more memory than the limit. The default is Excel's own number of
  rows (1,048,576), above the 750,000 finance rows of the whole country
  (``benchmarks/national.py``).
* :attr:`ReadLimits.rejects_per_reason`: rejected rows listed in ``rejects.csv`` for each
  reason of each file; the rest are counted ("and 499,990 more rows with the same reason").
* :attr:`ReadLimits.max_rejected_share`: the share of a file's rows that may be rejected
  before ``prepare`` refuses the file (0 accepted rows is refused whatever the share).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Rows of one Excel worksheet (Excel 2007 and later): a row number past it is not Excel's.
EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class ReadLimits:
    """The limits of one ``prepare`` run (see the module's description)."""

    max_rows: int = EXCEL_MAX_ROWS
    rejects_per_reason: int = 100
    max_rejected_share: float = 0.5

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.rejects_per_reason < 1:
            raise ValueError("max_rows and rejects_per_reason must be at least 1")
        if not 0.0 <= self.max_rejected_share <= 1.0:
            raise ValueError("max_rejected_share must lie between 0 and 1")


DEFAULT_LIMITS = ReadLimits()
