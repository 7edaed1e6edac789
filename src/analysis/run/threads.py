"""Running a batch's reports in this process: ``jobs`` threads, each report's failure its own.

The threads hand the notebooks to the warm kernels of a
:class:`~analysis.run.kernel_pool.KernelPool` (or papermill's new kernels) and export the pages;
a progress bar on stderr counts the reports done, skipped and failed.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from tqdm.auto import tqdm

from analysis.common.locks import DataVersion
from analysis.errors import NtpAtlasError
from analysis.run.kernel_pool import KernelPool
from analysis.run.outcomes import ReportOutcome
from analysis.run.render import render_report


def run_one(task: tuple, pool: KernelPool | None = None, version: DataVersion | None = None) -> ReportOutcome:
    """Render one task ``(name, notebook, parameters, out_html, fingerprint)``; never raises
    for the report's own failure, which its outcome records."""
    name, notebook, params, out, fingerprint = task
    code = params.get("commune") or params.get("district") or None
    start = time.perf_counter()
    try:
        if version is not None:  # prepared data swapped in since the batch began: not rendered
            version.check()
        render_report(notebook, params, out, pool=pool, inputs=fingerprint,
                      check=version.check if version is not None else None)
        return ReportOutcome(name, notebook, out, True, seconds=time.perf_counter() - start, district_code=code)
    except NtpAtlasError as exc:
        message = str(exc)
    except Exception as exc:  # a bug in one report must not stop the others
        message = f"{type(exc).__name__}: {exc}"
    return ReportOutcome(name, notebook, out, False, message, time.perf_counter() - start, code)


def data_changed(outcome: ReportOutcome, version: DataVersion) -> ReportOutcome:
    """A report rendered while the prepared data changed, marked failed with the reason."""
    if not outcome.ok:
        return outcome
    try:
        version.check()
    except NtpAtlasError as exc:
        outcome.ok, outcome.message = False, str(exc).replace("was not written", "was written from data that changed")
    return outcome


def run_all(tasks: list, jobs: int, progress: bool, desc: str, pool: KernelPool | None = None, skipped: int = 0,
            version: DataVersion | None = None) -> list[ReportOutcome]:
    """Render ``tasks`` on ``jobs`` threads (on ``pool``'s kernels when given) behind a
    progress bar that counts ``skipped`` reports as done; the outcomes in the order of ``tasks``."""
    bar = tqdm(total=len(tasks) + skipped, initial=skipped, desc=desc, unit="report", file=sys.stderr,
               disable=None if progress else True)
    if skipped:
        bar.set_postfix(unchanged=skipped)
    outcomes: dict[int, ReportOutcome] = {}

    def done(i: int, outcome: ReportOutcome) -> None:
        outcomes[i] = outcome
        bar.update(1)
        n_failed = sum(not o.ok for o in outcomes.values())
        if n_failed:
            bar.set_postfix(unchanged=skipped, failed=n_failed) if skipped else bar.set_postfix(failed=n_failed)

    try:
        if jobs == 1 or len(tasks) <= 1:
            for i, task in enumerate(tasks):
                done(i, run_one(task, pool, version))
        else:
            with ThreadPoolExecutor(max_workers=min(jobs, len(tasks)), thread_name_prefix="ntp-report") as threads:
                futures = {threads.submit(run_one, task, pool, version): i for i, task in enumerate(tasks)}
                try:
                    for fut in as_completed(futures):
                        done(futures[fut], fut.result())
                except BaseException:
                    threads.shutdown(wait=False, cancel_futures=True)
                    raise
    finally:
        bar.close()
    return [outcomes[i] for i in sorted(outcomes)]
