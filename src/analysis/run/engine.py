"""The ``ntp-atlas-warm`` papermill engine: papermill's notebook runs, on warm kernels.

papermill runs a notebook through an engine from its registry
(:data:`papermill.engines.papermill_engines`): it loads and parameterizes the notebook,
records its metadata, hands the engine an execution manager of it, raises for a cell that
failed and writes the executed notebook. :class:`WarmKernelEngine` is such an engine: it
runs the cells on a kernel of a :class:`~analysis.run.kernel_pool.KernelPool` instead of a
new kernel, so that::

    papermill.execute_notebook("report.ipynb", "out.ipynb", parameters={"district": "187"},
                               engine_name="ntp-atlas-warm", pool=pool)

gives the notebook, and the errors, that papermill's own engine gives, in a fraction of the
time. Without ``pool=`` the notebook runs on this process's shared one-kernel pool
(:func:`shared_pool`). The kernel's working folder is the notebook's (``input_path``'s) or
``resources["metadata"]["path"]``, as for nbclient; papermill's ``cwd=`` changes the whole
process's folder and is best left out when reports run in threads.

The engine is registered under :data:`ENGINE_NAME` in papermill's engine registry by
:func:`register_engine`, which :func:`analysis.run.render.render_report` calls before its
first notebook, and which ``WarmKernelEngine`` (an attribute of this module, built on first
use) calls too: papermill and the libraries it imports cost 2 s, which a batch with nothing to
render does not pay (:mod:`analysis.run.notebook_libraries`). Not through papermill's
``papermill.engine`` entry point: papermill loads every entry point the first time it is
imported, by anyone, so an entry point would import this package into every papermill run of
the environment, and an import error here would break papermill for every notebook.
"""

from __future__ import annotations

import atexit
import functools
import os
import threading
from pathlib import Path

from analysis.run.kernel_pool import KernelPool
from analysis.run.notebook_libraries import load_notebook_libraries

#: The engine's name in papermill's registry: ``engine_name=`` of :func:`papermill.execute_notebook`.
ENGINE_NAME = "ntp-atlas-warm"

_SHARED: KernelPool | None = None
_SHARED_LOCK = threading.Lock()


def shared_pool() -> KernelPool:
    """This process's one-kernel pool, started with its first notebook and closed at exit."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = KernelPool(1)
            atexit.register(_SHARED.close)
        return _SHARED


@functools.cache
def register_engine() -> type:
    """The ``ntp-atlas-warm`` engine class, registered in papermill's engine registry (once).

    Returns
    -------
    type
        ``WarmKernelEngine``, a :class:`papermill.engines.Engine`.
    """
    load_notebook_libraries()
    from papermill.engines import Engine, NotebookExecutionManager, papermill_engines
    from papermill.iorw import write_ipynb

    class WarmKernelEngine(Engine):
        """A papermill engine that runs notebooks on the warm kernels of a :class:`KernelPool`."""

        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name: str | None,
            output_path: str | None = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs,
        ):
            """papermill's :meth:`Engine.execute_notebook`, without writing the notebook to
            ``output_path`` after every cell: a report's notebook is a megabyte of pictures, and a
            batch runs hundreds. :func:`papermill.execute_notebook` writes the executed notebook
            when the run returns (a cell that raised included); this writes it only when the run
            itself fails (a dead kernel, a timeout), so that what ran is kept."""
            nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=progress_bar, log_output=log_output,
                                              autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                if output_path:
                    nb_man.cleanup_pbar()
                    nb_man.notebook_complete()
                    write_ipynb(nb_man.nb, output_path)
                raise
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: NotebookExecutionManager,
            kernel_name: str | None,
            *,
            pool: KernelPool | None = None,
            execution_timeout: float | None = None,
            input_path: object = None,
            resources: dict | None = None,
            **kwargs,
        ) -> None:
            """Run the cells of ``nb_man.nb`` on a kernel of ``pool`` (default :func:`shared_pool`).

            Parameters
            ----------
            nb_man
                papermill's execution manager of the parameterized notebook.
            kernel_name
                Ignored: the pool's kernels are of the pool's ``kernel_name``.
            pool
                The warm kernels to run on.
            execution_timeout
                Seconds one cell may run (default: no limit, as papermill's own engine).
            input_path, resources
                The kernel runs in ``resources["metadata"]["path"]`` when given, else in the
                folder of ``input_path`` (a path), else in this process's working folder.
            **kwargs
                papermill's other engine arguments (``log_output``, ``start_timeout``,
                ``extra_arguments``...): a warm kernel has no use for them.
            """
            cwd = ((resources or {}).get("metadata") or {}).get("path")
            if not cwd:
                cwd = Path(input_path).resolve().parent if isinstance(input_path, str | Path) else os.getcwd()
            (pool or shared_pool()).run(nb_man, cwd=cwd, timeout=execution_timeout)

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    return WarmKernelEngine


def __getattr__(name: str):
    """``WarmKernelEngine``, built and registered on first use (:func:`register_engine`)."""
    if name == "WarmKernelEngine":
        return register_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

