"""Running report notebooks on warm kernels: started once, reused with a reset namespace.

Starting a Jupyter kernel and importing pandas, geopandas and matplotlib in it costs
seconds; drawing a district's maps costs a fraction of one. A :class:`KernelPool` starts
its kernels once, imports the heavy libraries in each (:data:`WARM_MODULES`), and then runs
report after report on them. After each report the kernel is put back to the state it had
just after warming: the user namespace is emptied (IPython's ``reset``), figures are closed,
matplotlib's rcParams, environment variables, ``sys.path`` and warning filters are
restored; before each, the working folder is set to the notebook's. Imported modules and caches
keyed by their inputs stay (that is the point); ``docs/batch-engine.md`` lists what is and
is not reset.

Parameters are injected the papermill way (:func:`papermill.parameterize.parameterize_notebook`:
an ``injected-parameters`` cell after the ``parameters`` cell, and ``metadata.papermill``),
and cells run through papermill's own nbclient wrapper, so an executed notebook, and the
errors raised for a failing one, are those :func:`papermill.execute_notebook` gives.

A report that kills or hangs its kernel fails alone: the kernel is replaced by a fresh,
warmed one before it serves the next report. Kernels start one at a time under a
process-wide lock, so no two start-ups pick the same ports.

Examples
--------
>>> with KernelPool(2) as pool:                                     # doctest: +SKIP
...     nb = pool.execute(nbformat.read("report.ipynb", 4), {"district": "187"}, cwd=".")
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import ReportError
from analysis.maps import textmetrics

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
    """One report for a kernel, and the future its caller waits on."""

    nb: Any
    cwd: str
    output_path: str | None
    timeout: float | None
    future: Future = field(default_factory=Future)


class KernelPool:
    """A fixed number of warm Jupyter kernels that execute report notebooks, one at a time each.

    Use it as a context manager: the kernels start with the first report (one after the
    other; a kernel serves reports as soon as it is warm, while the next one starts) and
    shut down on exit.
    :meth:`execute` may be called from any number of threads; ``size`` reports run at once
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

        Called by the first :meth:`execute`, so a pool that is never used starts nothing;
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

    def execute(
        self,
        nb,
        parameters: Mapping[str, Any],
        *,
        cwd: str | Path,
        input_path: str = "",
        output_path: str | Path | None = None,
        timeout: float | None = 600,
    ):
        """Execute a notebook with parameters on a warm kernel, as papermill would.

        Parameters
        ----------
        nb
            The notebook (an ``nbformat`` node, not modified; read it with
            :func:`papermill.iorw.load_notebook_node` for papermill's metadata).
        parameters
            Injected as papermill does, after the cell tagged ``parameters``. Values are
            passed as they are: give strings to keep codes such as ``"00004"`` intact.
        cwd
            The kernel's working folder while the notebook runs (the notebook's folder).
        input_path, output_path
            Recorded in ``metadata.papermill``; the executed notebook is written to
            ``output_path`` (when given) whether the run succeeds or fails.
        timeout
            Seconds one cell may run.

        Returns
        -------
        nbformat.NotebookNode
            The executed notebook.

        Raises
        ------
        papermill.exceptions.PapermillExecutionError
            A cell raised (its index, ``ename`` and ``evalue``, as papermill reports them);
            the kernel is reset and kept.
        nbclient.exceptions.DeadKernelError, nbclient.exceptions.CellTimeoutError
            The kernel died or a cell ran past ``timeout``; the kernel is replaced by a
            fresh, warmed one before it serves another report.
        KernelStartError
            No kernel could be started for this report.
        """
        import copy

        from papermill.execute import prepare_notebook_metadata, remove_error_markers
        from papermill.parameterize import parameterize_notebook

        self.start()
        out = str(output_path) if output_path is not None else None
        nb = copy.deepcopy(nb)
        if parameters:
            nb = parameterize_notebook(nb, dict(parameters), kernel_name=self.kernel_name)
        nb = remove_error_markers(prepare_notebook_metadata(nb, input_path, out))
        job = _Job(nb, str(cwd), out, timeout)
        self._jobs.put(job)
        return job.future.result()

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
                        _run_code(kc, "__import__('analysis.run.engine', fromlist=['_']).kernel_reset()", timeout=60)
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
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import raise_for_execution_errors
        from papermill.iorw import write_ipynb

        try:
            _run_code(kc, f"__import__('os').chdir({job.cwd!r})", timeout=60)
        except RuntimeError as exc:  # no such folder: the kernel is fine
            job.future.set_exception(ReportError(f"cannot run a report in {job.cwd}: {exc}"))
            return True
        except BaseException as exc:  # noqa: BLE001 - the kernel does not answer
            job.future.set_exception(exc)
            return False
        healthy = False
        try:
            nb_man = NotebookExecutionManager(job.nb, output_path=None, progress_bar=False)
            nb_man.notebook_start()
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                timeout=job.timeout,
                startup_timeout=self.startup_timeout,
                kernel_name=self.kernel_name,
                log=logging.getLogger("papermill"),
            )
            client.kc = kc  # the live kernel's client: nbclient then neither starts nor stops a kernel
            try:
                client.execute()
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
                if job.output_path is not None:
                    write_ipynb(nb_man.nb, job.output_path)
            healthy = True
            raise_for_execution_errors(nb_man.nb, job.output_path)  # a cell that raised: the kernel is fine
            job.future.set_result(nb_man.nb)
        except PapermillExecutionError as exc:
            job.future.set_exception(exc)
        except BaseException as exc:  # noqa: BLE001 - dead kernel, timeout...: handed to the caller
            healthy = False
            job.future.set_exception(exc)
        return healthy

    def _start(self, number: int):
        """Start a kernel (under the process-wide start lock) and warm it: ``(km, kc)``."""
        from jupyter_client.manager import AsyncKernelManager

        last: BaseException | None = None
        with _START_LOCK:
            for attempt in range(1, START_ATTEMPTS + 1):
                km = AsyncKernelManager(kernel_name=self.kernel_name)
                try:
                    _run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
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
                f"__import__('analysis.run.engine', fromlist=['_']).kernel_warm({list(self.warm_modules)!r})",
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


def _run_sync(coro):
    from jupyter_core.utils import run_sync

    return run_sync(coro)


def _client(km, timeout: float):
    """A started client of ``km`` whose kernel answered (created in the calling thread, whose
    event loop its sockets then use)."""
    kc = km.client()
    kc.start_channels()
    try:
        _run_sync(kc.wait_for_ready)(timeout=timeout)
    except BaseException:
        kc.stop_channels()
        raise
    kc.allow_stdin = False
    return kc


def _run_code(kc, code: str, *, timeout: float) -> None:
    """Run pool code silently in the kernel: nothing in its history, its execution count or
    its outputs. Raises RuntimeError with the kernel's error."""
    reply = _run_sync(kc.execute_interactive)(
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
            _run_sync(km.shutdown_kernel)(now=True)
        else:
            _run_sync(km.cleanup_resources)()
    except Exception as exc:  # noqa: BLE001 - already gone: nothing left to stop
        log.debug("kernel shutdown: %s", exc)


def _alive(km) -> bool:
    try:
        return bool(_run_sync(km.is_alive)())
    except Exception:  # noqa: BLE001 - cannot tell: treat it as dead, it gets replaced
        return False


def _kernel_pid(km) -> int | None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "pid", None)


# --- run inside the kernel -----------------------------------------------------------------
# These two functions are called in the kernel by the pool (as
# ``__import__('analysis.run.engine', fromlist=['_']).kernel_reset()``), so that they leave no
# name in the user's namespace. They hold the state to restore in this module's globals, which
# IPython's reset does not touch.

_WARM_STATE: dict[str, Any] = {}

#: pandas options a warm kernel sets before its first report. Strings are held as Python
#: objects rather than in Arrow arrays: a report works on frames of tens or hundreds of rows,
#: where each pandas operation on Arrow strings (column selection included, as the column
#: labels are strings too) costs about 40% more, and a district report's cells take about 10%
#: less time. The values and their order are the same, so the reports are the same
#: (tests/test_render.py::test_warm_kernel_page_equals_papermills compares a whole report page,
#: pictures included, with the one papermill's new kernel gives).
KERNEL_PANDAS_OPTIONS: dict[str, object] = {"mode.string_storage": "python"}


def _pandas_options() -> dict[str, object]:
    """Every pandas option that is not deprecated, with its value."""
    import pandas as pd

    try:
        from pandas._config import config

        keys = [k for k in config._registered_options if k not in config._deprecated_options]
    except (ImportError, AttributeError):  # a pandas without this registry: the ones set here
        keys = list(KERNEL_PANDAS_OPTIONS)
    return {key: pd.get_option(key) for key in keys}


def kernel_warm(modules: Sequence[str]) -> None:
    """In a new kernel: import ``modules``, draw once (font cache, Agg) and record the state
    that :func:`kernel_reset` restores before every report."""
    import gc
    import importlib
    import sys
    import warnings

    import pandas as pd

    for key, value in KERNEL_PANDAS_OPTIONS.items():  # before any import reads data
        pd.set_option(key, value)
    for name in modules:
        importlib.import_module(name)
    textmetrics.install()  # before the first draw, as every report's context installs it
    if "matplotlib.pyplot" in sys.modules:
        # Importing pyplot in an IPython kernel selects the inline backend (MPLBACKEND set by
        # ipykernel) and installs its hooks, as the first report cell would in a new kernel.
        import matplotlib
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(1, 1))
        fig.text(0.5, 0.5, "Lạng Sơn 0,5%")
        fig.canvas.draw()
        plt.close(fig)
        _WARM_STATE["rc"] = matplotlib.rcParams.copy()
    try:
        from analysis.catalog.units import official_units

        official_units()  # package data, the same for every report
    except Exception:  # noqa: BLE001 - a report that needs it will say what is wrong
        pass
    _WARM_STATE["environ"] = dict(os.environ)
    _WARM_STATE["path"] = list(sys.path)
    _WARM_STATE["pandas"] = _pandas_options()
    # Entered now and exited by each reset: catch_warnings restores the filters it saved.
    _WARM_STATE["warnings"] = warnings.catch_warnings()
    _WARM_STATE["warnings"].__enter__()
    # What the imports made lives as long as the kernel: out of the garbage collector's sight,
    # so that the full collections of a report and of each reset look only at what reports
    # made (200,000 objects fewer: 0.1-0.2 s a report).
    gc.collect()
    gc.freeze()


def kernel_reset() -> None:
    """In a warm kernel, after a report: forget everything it did to the user namespace,
    figures, rcParams, environment, ``sys.path``, warning filters and pandas options."""
    import gc
    import sys
    import warnings

    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        # %reset -f, and a new session: the execution count restarts at 1 as in a new kernel.
        # Its output cache flush runs the garbage collector.
        shell.reset(new_session=True)
    if shell is None or not shell.displayhook.do_full_cache:
        gc.collect()
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        if "rc" in _WARM_STATE:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # deprecated keys in the saved copy
                matplotlib.rcParams.update(_WARM_STATE["rc"])
    if "environ" in _WARM_STATE:
        os.environ.clear()
        os.environ.update(_WARM_STATE["environ"])
        sys.path[:] = _WARM_STATE["path"]
    if _WARM_STATE.get("pandas"):
        import pandas as pd

        now = _pandas_options()
        for key, value in _WARM_STATE["pandas"].items():
            if now.get(key) != value:
                pd.set_option(key, value)
    saved = _WARM_STATE.get("warnings")
    if saved is not None:
        saved.__exit__(None, None, None)
        _WARM_STATE["warnings"] = warnings.catch_warnings()
        _WARM_STATE["warnings"].__enter__()
