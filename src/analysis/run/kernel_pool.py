"""A pool of warm Jupyter kernels: started once, each reused report after report.

Starting a Jupyter kernel and importing pandas, geopandas and matplotlib in it costs
seconds; drawing a district's maps costs a fraction of one. A :class:`KernelPool` starts
its kernels once, imports the heavy libraries in each (:data:`WARM_MODULES`), and then runs
report after report on them. After each report the kernel is put back to the state it had
just after warming (:mod:`analysis.run.kernel_state`); before each, the working folder is
set to the notebook's. Imported modules and caches keyed by their inputs stay (that is the
point); ``docs/batch-engine.md`` lists what is and is not reset.

Notebooks reach the pool through papermill: the ``ntp-atlas-warm`` engine
(:mod:`analysis.run.engine`) hands papermill's execution manager of a parameterized notebook
to :meth:`KernelPool.run`, whose worker runs its cells with papermill's own nbclient wrapper,
so an executed notebook, and the errors raised for a failing one, are those
:func:`papermill.execute_notebook` gives with its default engine.

A report that kills or hangs its kernel fails alone: the kernel is replaced by a fresh,
warmed one before it serves the next report. Kernels start one at a time under a
process-wide lock, so no two start-ups pick the same ports.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.utils import run_sync

from analysis.errors import ReportError
from analysis.run.notebook_libraries import load_notebook_libraries

if TYPE_CHECKING:
    from papermill.engines import NotebookExecutionManager

log = logging.getLogger(__name__)

#: Imported once in every kernel of a pool; the report notebooks need all of them.
WARM_MODULES = (
    "analysis.report",
    "pandas",
    "numpy",
    "geopandas",
    "shapely",
    "pyarrow.parquet",
    "mapclassify",
    "matplotlib.pyplot",
)
#: Arguments every kernel starts with, pooled or started by papermill (render.py). ipykernel
#: logs a warning about TCP transport at every start, and the interrupt jupyter_client sends
#: on shutdown, which would drown a batch's progress bar (cell errors still reach the executed
#: notebook and the ReportError); the history lives in memory so that kernels never contend
#: for one SQLite file.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:")
#: The module whose functions warm a kernel and reset it (they run in the kernel).
KERNEL_STATE = "analysis.run.kernel_state"
#: Attempts at starting one kernel before giving up (a port taken by another process
#: between its choice and the kernel's bind is the usual cause of a failed start).
START_ATTEMPTS = 3

# One kernel starts at a time in this process, whatever the pool: jupyter_client picks free
# ports by binding and releasing them, and the kernel binds them again later; two start-ups
# interleaved there can pick the same port ("address already in use"), and a kernel that
# never bound its ports "didn't respond".
_START_LOCK = threading.Lock()


class KernelStartError(ReportError):
    """No kernel could be started (or warmed) for a report."""


@dataclass
class _Job:
    """One notebook for a kernel (papermill's execution manager of it), and the future its caller waits on."""

    nb_man: NotebookExecutionManager
    cwd: str
    timeout: float | None
    future: Future = field(default_factory=Future)


class KernelPool:
    """A fixed number of warm Jupyter kernels that execute report notebooks, one at a time each.

    Use it as a context manager: the kernels start with the first report (one after the
    other; a kernel serves reports as soon as it is warm, while the next one starts) and
    shut down on exit.
    :meth:`run` may be called from any number of threads; ``size`` reports run at once
    and the others wait for a kernel to come free.

    Each kernel belongs to one worker thread of the pool, which alone talks to it (ZMQ
    sockets and their event loop never cross threads), resets it after every report, and
    replaces it when it dies or hangs.

    Parameters
    ----------
    size
        Number of kernels, i.e. reports executed at the same time.
    kernel_name
        Jupyter kernel (``python3``: the one ``papermill`` would use for the notebooks).
    warm_modules
        Modules imported in each kernel when it starts.
    startup_timeout
        Seconds a kernel may take to start and answer.
    warm_timeout
        Seconds the imports of ``warm_modules`` may take.
    """

    def __init__(
        self,
        size: int = 1,
        *,
        kernel_name: str = "python3",
        warm_modules: Sequence[str] = WARM_MODULES,
        startup_timeout: float = 60,
        warm_timeout: float = 300,
    ) -> None:
        if int(size) < 1:
            raise ValueError(f"a kernel pool needs 1 kernel or more, not {size}")
        self.size = int(size)
        self.kernel_name = kernel_name
        self.warm_modules = tuple(warm_modules)
        self.startup_timeout = startup_timeout
        self.warm_timeout = warm_timeout
        #: Kernels started, including those that replaced one that died or timed out.
        self.started = 0
        #: Process id of each worker's current kernel (``None`` while it has none).
        self.pids: list[int | None] = [None] * self.size
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    # --- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> KernelPool:
        """Start the workers; each starts and warms its kernel, then takes reports.

        Called by the first :meth:`run`, so a pool that is never used starts nothing;
        call it earlier to have the kernels warm before the first report.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this kernel pool was closed; make a new one")
            if not self._workers:
                for number in range(self.size):
                    worker = threading.Thread(
                        target=self._work, args=(number,), name=f"ntp-kernel-{number}", daemon=True
                    )
                    worker.start()
                    self._workers.append(worker)
        return self

    def close(self, timeout: float = 30) -> None:
        """Shut every kernel down. Reports still queued fail with a :class:`ReportError`."""
        with self._lock:
            self._closed = True
        for _ in self._workers:
            self._jobs.put(None)
        for worker in self._workers:
            worker.join(timeout)
            if worker.is_alive():  # stuck in a start-up or a cell: kill its kernel, which ends the wait
                pid = self.pids[self._workers.index(worker)]
                if pid:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                worker.join(timeout)
        while True:  # reports queued behind the stop signals: nobody will run them
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None and not job.future.done():
                job.future.set_exception(ReportError("the kernel pool closed before this report ran"))

    # --- running a report -------------------------------------------------------------------

    def run(self, nb_man: NotebookExecutionManager, *, cwd: str | Path, timeout: float | None = 600) -> None:
        """Run the cells of papermill's execution manager of a notebook on a warm kernel.

        This is the work of the ``ntp-atlas-warm`` papermill engine
        (:class:`analysis.run.engine.WarmKernelEngine`): papermill has parameterized the
        notebook and wraps the run; call :func:`papermill.execute_notebook` with
        ``engine_name=ENGINE_NAME, pool=pool`` rather than this. The cells run in
        ``nb_man.nb``, which papermill's manager updates as they do.

        Parameters
        ----------
        nb_man
            papermill's execution manager of the (parameterized) notebook.
        cwd
            The kernel's working folder while the notebook runs (the notebook's folder).
        timeout
            Seconds one cell may run.

        Raises
        ------
        nbclient.exceptions.DeadKernelError, nbclient.exceptions.CellTimeoutError
            The kernel died or a cell ran past ``timeout``; the kernel is replaced by a
            fresh, warmed one before it serves another report. A cell that raised is
            recorded in the notebook (papermill raises for it after the run) and the kernel
            is reset and kept.
        KernelStartError
            No kernel could be started for this report.
        """
        self.start()
        job = _Job(nb_man, str(cwd), timeout)
        self._jobs.put(job)
        job.future.result()

    # --- the workers ------------------------------------------------------------------------

    def _work(self, number: int) -> None:
        """A worker: its kernel, and the reports it runs on it until the pool closes."""
        km = kc = None
        start_error: KernelStartError | None = None
        try:
            while True:
                if km is None and not self._closed:
                    try:
                        km, kc = self._start(number)
                        start_error = None
                    except KernelStartError as exc:
                        start_error = exc
                job = self._jobs.get()
                if job is None:
                    return
                if not job.future.set_running_or_notify_cancel():
                    continue
                if km is not None and not _alive(km):  # died while idle (out of memory...)
                    _stop(km, kc)
                    km = kc = None
                    self.pids[number] = None
                    try:
                        km, kc = self._start(number)
                        start_error = None
                    except KernelStartError as exc:
                        start_error = exc
                if km is None:  # starting a kernel failed (or the pool is closing): this report fails alone
                    closed = ReportError("the kernel pool closed before this report ran")
                    job.future.set_exception(start_error or closed)
                    continue
                healthy = self._run(km, kc, job)
                if healthy:
                    try:  # forget the report now, while its caller exports the HTML
                        _run_code(kc, f"__import__({KERNEL_STATE!r}, fromlist=['_']).kernel_reset()", timeout=60)
                    except Exception as exc:  # noqa: BLE001 - a kernel that cannot reset is replaced
                        log.warning("kernel %d did not reset (%s); replacing it", number, exc)
                        healthy = False
                if not healthy:  # dead, hung in a cell or in an unknown state: never reuse it
                    _stop(km, kc)
                    km = kc = None
                    self.pids[number] = None
        finally:
            if km is not None:
                _stop(km, kc)
            self.pids[number] = None

    def _run(self, km, kc, job: _Job) -> bool:
        """Run one job on a live kernel; set its future. True when the kernel can be reused."""
        try:
            _run_code(kc, f"__import__('os').chdir({job.cwd!r})", timeout=60)
        except RuntimeError as exc:  # no such folder: the kernel is fine
            job.future.set_exception(ReportError(f"cannot run a report in {job.cwd}: {exc}"))
            return True
        except BaseException as exc:  # noqa: BLE001 - the kernel does not answer
            job.future.set_exception(exc)
            return False
        try:
            from papermill.clientwrap import PapermillNotebookClient  # loaded by the pool's start

            client = PapermillNotebookClient(
                job.nb_man,
                km=km,
                timeout=job.timeout,
                startup_timeout=self.startup_timeout,
                kernel_name=self.kernel_name,
                log=logging.getLogger("papermill"),
            )
            client.kc = kc  # the live kernel's client: nbclient then neither starts nor stops a kernel
            client.execute()  # a cell that raised is recorded in the notebook: the kernel is fine
        except BaseException as exc:  # noqa: BLE001 - dead kernel, timeout...: handed to the caller
            job.future.set_exception(exc)
            return False
        job.future.set_result(None)
        return True

    def _start(self, number: int):
        """Start a kernel (under the process-wide start lock) and warm it: ``(km, kc)``."""
        last: BaseException | None = None
        load_notebook_libraries()  # papermill and jupyter_client, imported where the stack is short
        from jupyter_client.manager import AsyncKernelManager

        with _START_LOCK:
            for attempt in range(1, START_ATTEMPTS + 1):
                km = AsyncKernelManager(kernel_name=self.kernel_name)
                try:
                    run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
                    kc = _client(km, self.startup_timeout)  # answered: the kernel has bound its ports
                    break
                except Exception as exc:  # port taken meanwhile, slow start: a new kernel, new ports
                    last = exc
                    log.warning("kernel %d did not start (attempt %d): %s", number, attempt, exc)
                    _stop(km, None)
            else:
                raise KernelStartError(
                    f"could not start a '{self.kernel_name}' kernel ({START_ATTEMPTS} attempts): "
                    f"{type(last).__name__}: {last}\n  check that 'jupyter kernelspec list' has it and "
                    "that ipykernel is installed"
                )
        try:
            _run_code(
                kc,
                f"__import__({KERNEL_STATE!r}, fromlist=['_']).kernel_warm({list(self.warm_modules)!r})",
                timeout=self.warm_timeout,
            )
        except Exception as exc:
            _stop(km, kc)
            raise KernelStartError(f"a new kernel could not import the report libraries: {exc}") from None
        with self._lock:
            self.started += 1
        self.pids[number] = _kernel_pid(km)
        return km, kc


# --- jupyter_client helpers ----------------------------------------------------------------


def _client(km, timeout: float):
    """A started client of ``km`` whose kernel answered (created in the calling thread, whose
    event loop its sockets then use)."""
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=timeout)
    except BaseException:
        kc.stop_channels()
        raise
    kc.allow_stdin = False
    return kc


def _run_code(kc, code: str, *, timeout: float) -> None:
    """Run pool code silently in the kernel: nothing in its history, its execution count or
    its outputs. Raises RuntimeError with the kernel's error."""
    reply = run_sync(kc.execute_interactive)(
        code, silent=True, store_history=False, allow_stdin=False, timeout=timeout, output_hook=lambda msg: None
    )
    content = reply["content"]
    if content.get("status") != "ok":
        raise RuntimeError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")


def _stop(km, kc) -> None:
    """Stop a client and kill its kernel (a pool's kernels hold nothing worth a clean exit)."""
    if kc is not None:
        kc.stop_channels()
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        else:
            run_sync(km.cleanup_resources)()
    except Exception as exc:  # noqa: BLE001 - already gone: nothing left to stop
        log.debug("kernel shutdown: %s", exc)


def _alive(km) -> bool:
    try:
        return bool(run_sync(km.is_alive)())
    except Exception:  # noqa: BLE001 - cannot tell: treat it as dead, it gets replaced
        return False


def _kernel_pid(km) -> int | None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "pid", None)
