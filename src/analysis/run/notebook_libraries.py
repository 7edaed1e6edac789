"""The Jupyter libraries a notebook run needs, imported when the first notebook runs.

papermill, nbformat, nbconvert and nbclient import jsonschema, which compiles about twenty
grammars (rfc3987-syntax's, with lark) on import: about 2 s. A batch with nothing to render,
a ``--help``, a prepare, an index page pay nothing for them: the modules of
:mod:`analysis.run` import them inside the functions that run or export a notebook, after
:func:`load_notebook_libraries`.

That function imports them on a fresh thread, whose frame stack is shallow. Under CPython 3.11
a recursion that keeps crossing the boundary of a 16 KiB chunk of the interpreter's frame
stack maps and unmaps that chunk at every crossing (CPython issue 142183, fixed from 3.13);
the grammar compile is such a recursion, and imported at the bottom of a deep call chain (a
batch's) it crossed one hundreds of thousands of times, about 2 s of system time. On a fresh
thread its depth is the same whoever asks.
"""

from __future__ import annotations

import importlib
import threading

__all__ = ["NOTEBOOK_LIBRARIES", "load_notebook_libraries"]

#: Imported by :func:`load_notebook_libraries`, in this order.
NOTEBOOK_LIBRARIES = (
    "nbformat",
    "papermill",
    "papermill.engines",
    "papermill.clientwrap",
    "papermill.iorw",
    "papermill.exceptions",
    "nbconvert",
    "jupyter_client.manager",
)

_LOCK = threading.Lock()
_LOADED = False


def load_notebook_libraries() -> None:
    """Import :data:`NOTEBOOK_LIBRARIES` once per process, on a fresh thread (see the module).

    Raises
    ------
    ImportError
        A library that is not installed, as its import raised it.
    """
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if _LOADED:
            return
        failed: list[BaseException] = []

        def load() -> None:
            try:
                for name in NOTEBOOK_LIBRARIES:
                    importlib.import_module(name)
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                failed.append(exc)

        worker = threading.Thread(target=load, name="ntp-notebook-imports", daemon=True)
        worker.start()
        worker.join()
        if failed:
            raise failed[0]
        _LOADED = True
