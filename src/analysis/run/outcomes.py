"""What a run reports back: one report's outcome, and a province's batch of them.

Shared by the local runs (:mod:`analysis.run.batch`, :mod:`analysis.run.threads`) and the
cluster (:mod:`analysis.run.cluster`), so neither imports the other for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.catalog.programmes import DEFAULT_PROGRAMME


@dataclass
class ReportOutcome:
    """One report of a batch: where it went, and why it failed if it did."""

    name: str
    notebook: str
    html: Path
    ok: bool
    message: str = ""
    seconds: float = 0.0
    district_code: str | None = None
    #: Inputs unchanged since its page was rendered: not rendered again.
    skipped: bool = False


@dataclass
class BatchResult:
    """What :func:`analysis.run.batch.run_batch` wrote: the folder, the index and each report's outcome."""

    province_code: str
    province_name: str
    year: int
    lang: str
    folder: Path
    index: Path | None = None
    reports: list[ReportOutcome] = field(default_factory=list)
    index_error: str = ""
    #: The index was up to date and left as it was.
    index_skipped: bool = False
    #: The programme whose finance the reports sum (:mod:`analysis.catalog.programmes`).
    programme: str = DEFAULT_PROGRAMME
    #: ``"2025"`` when the reports are by the new units (one per new commune), else ``""``.
    units: str = ""
    #: The converted data the reports read and whether it was converted for this run.
    data_note: str = ""

    @property
    def succeeded(self) -> list[ReportOutcome]:
        return [r for r in self.reports if r.ok]

    @property
    def failed(self) -> list[ReportOutcome]:
        return [r for r in self.reports if not r.ok]

    @property
    def rendered(self) -> list[ReportOutcome]:
        """Reports rendered by this run."""
        return [r for r in self.reports if r.ok and not r.skipped]

    @property
    def skipped(self) -> list[ReportOutcome]:
        """Reports whose inputs had not changed: their pages were left as they were."""
        return [r for r in self.reports if r.skipped]

    @property
    def ok(self) -> bool:
        """True when every report and the index were written."""
        return not self.failed and self.index is not None and not self.index_error

    def summary(self) -> str:
        """What the batch did, in the lines ``ntp-atlas batch`` prints."""
        n_districts = sum(r.notebook == "district_report" and r.ok for r in self.succeeded)
        overview = "+ overview" if any(r.notebook == "province_overview" for r in self.succeeded) else "(no overview)"
        units = "new commune" if self.units else "district"
        lines = [
            f"{self.province_name} {self.year} ({self.lang}): reports in {self.folder}",
            *([f"  data    {self.data_note}"] if self.data_note else []),
            f"  ok      {n_districts} {units} reports {overview}: "
            f"{len(self.skipped)} unchanged, skipped; {len(self.rendered)} rendered",
            f"  failed  {len(self.failed)}",
        ]
        for r in self.failed:
            lines.append(f"    {r.name}: " + r.message.replace("\n", "\n      "))
        if self.index_error:
            lines.append(f"  index without figures: {self.index_error}")
        lines.append(f"index: {self.index}" + (" (unchanged)" if self.index_skipped else ""))
        return "\n".join(lines)
