"""What runs inside a warm kernel: its warm-up, and its reset after every report.

:class:`analysis.run.kernel_pool.KernelPool` calls these two functions in the kernel (as
``__import__('analysis.run.kernel_state', fromlist=['_']).kernel_reset()``), so that they
leave no name in the user's namespace. They hold the state to restore in this module's
globals, which IPython's reset does not touch. ``docs/batch-engine.md`` lists what is and is
not reset.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd
from IPython import get_ipython

from analysis.catalog.units import official_units
from analysis.maps import textmetrics

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
    try:
        from pandas._config import config

        keys = [k for k in config._registered_options if k not in config._deprecated_options]
    except (ImportError, AttributeError):  # a pandas without this registry: the ones set here
        keys = list(KERNEL_PANDAS_OPTIONS)
    return {key: pd.get_option(key) for key in keys}


def kernel_warm(modules: Sequence[str]) -> None:
    """In a new kernel: import ``modules``, draw once (font cache, Agg) and record the state
    that :func:`kernel_reset` restores before every report."""
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
        now = _pandas_options()
        for key, value in _WARM_STATE["pandas"].items():
            if now.get(key) != value:
                pd.set_option(key, value)
    saved = _WARM_STATE.get("warnings")
    if saved is not None:
        saved.__exit__(None, None, None)
        _WARM_STATE["warnings"] = warnings.catch_warnings()
        _WARM_STATE["warnings"].__enter__()
