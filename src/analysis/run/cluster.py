"""Running a batch's reports on a Dask distributed cluster.

The same jobs as a local batch (:func:`analysis.run.batch.run_batch`), sent to the workers of a
``dask.distributed`` scheduler. Each worker process keeps one warm kernel
(:func:`analysis.run.engine.shared_pool`) for all the reports it runs, renders a report
into a temporary folder and sends the page and the executed notebook back; the client writes
them into the output folder atomically, so workers need no write access to it. Workers read
the prepared data from ``data_dir``, which must be a path or fsspec URL they can all reach
(a shared file system, ``s3://…``, ``gs://…``), and need ntp-atlas installed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tqdm.auto import tqdm

from analysis.common.ownership import file_problem
from analysis.common.storage import commit, remove_output, stage_bytes
from analysis.errors import NtpAtlasError, OutputError, ParameterError
from analysis.run.engine import shared_pool
from analysis.run.outcomes import ReportOutcome
from analysis.run.render import render_report


def render_remote(notebook: str, parameters: dict, name: str, inputs: str | None) -> dict:
    """Render one report on a worker; return the page and notebook bytes, or the error.

    Runs on the worker. Never raises for a report's own failure: the message travels back,
    so one district's failure does not fail the batch.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ntp-atlas-") as tmp:
        out = Path(tmp) / name
        try:
            render_report(notebook, parameters, out, pool=shared_pool(), inputs=inputs)
        except NtpAtlasError as exc:
            message = str(exc)
        except Exception as exc:  # a bug in one report must not stop the others
            message = f"{type(exc).__name__}: {exc}"
        else:
            return {"ok": True, "html": out.read_bytes(), "ipynb": out.with_suffix(".ipynb").read_bytes(),
                    "seconds": time.perf_counter() - start}
        failed = out.with_name(out.stem + ".failed.ipynb")
        return {"ok": False, "message": message, "failed": failed.read_bytes() if failed.exists() else None,
                "seconds": time.perf_counter() - start}


def _commit(out: Path, reply: dict) -> None:
    """Write a worker's page and notebook beside each other, atomically, like render_report."""
    ipynb = out.with_suffix(".ipynb")
    commit((stage_bytes(ipynb, reply["ipynb"]), ipynb), (stage_bytes(out, reply["html"]), out))
    remove_output(out.with_name(out.stem + ".failed.ipynb"))


def run_on_cluster(tasks: list, scheduler: str, *, progress: bool = True, desc: str = "", skipped: int = 0) -> list:
    """Render ``tasks`` (as built by :func:`analysis.run.batch.run_batch`) on a Dask cluster.

    Parameters
    ----------
    tasks
        ``(name, notebook, parameters, out_html, fingerprint)`` tuples.
    scheduler
        Address of the scheduler, ``tcp://host:8786``.

    Returns
    -------
    list of analysis.run.outcomes.ReportOutcome
        In the order of ``tasks``.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise ParameterError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    outcomes: dict[int, ReportOutcome] = {}
    bar = tqdm(total=len(tasks) + skipped, initial=skipped, desc=desc, unit="report", file=sys.stderr,
               disable=None if progress else True)  # fmt: skip
    try:
        futures = {}
        for i, (_name, notebook, params, out, fingerprint) in enumerate(tasks):
            params = {k: str(v) for k, v in params.items()}
            fut = client.submit(render_remote, str(notebook), params, Path(out).name, fingerprint, pure=False)
            futures[fut] = i
        for fut in as_completed(futures):
            i = futures[fut]
            name, notebook, params, out, _ = tasks[i]
            code = params.get("district") or None
            reply = fut.result()
            out = Path(out)
            try:
                if reply["ok"]:
                    _commit(out, reply)
                    outcomes[i] = ReportOutcome(name, notebook, out, True, seconds=reply["seconds"],
                                                district_code=code)
                else:
                    failed = out.with_name(out.stem + ".failed.ipynb")
                    if reply.get("failed") and file_problem(failed) is None:
                        commit((stage_bytes(failed, reply["failed"]), failed))
                    outcomes[i] = ReportOutcome(name, notebook, out, False, reply["message"], reply["seconds"], code)
            except OutputError as exc:  # a user's file where the page goes, a full disk: this report fails
                outcomes[i] = ReportOutcome(name, notebook, out, False, str(exc), reply["seconds"], code)
            bar.update(1)
    finally:
        bar.close()
        client.close()
    return [outcomes[i] for i in sorted(outcomes)]
