"""The style every map and chart is drawn in, and where titles sit.

:data:`MAP_STYLE` holds the matplotlib settings (DejaVu Sans, text kept as text in SVG and
PDF, stable SVG ids); :func:`map_style` applies them in a context, never globally, and
:func:`styled` wraps a drawing function in it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["MAP_STYLE", "TITLE_Y", "map_style", "save_map", "styled"]

#: Matplotlib settings of every map and chart, applied in a context (never globally).
MAP_STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # every Vietnamese precomposed letter is in it
    "svg.fonttype": "none",  # text stays text in SVG: searchable, editable by the office
    "svg.hashsalt": "ntp-atlas",  # stable element ids: the same map gives the same SVG
    "pdf.fonttype": 42,  # TrueType fonts embedded whole, not Type 3 outlines
    "ps.fonttype": 42,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.fontsize": 9,
    "legend.title_fontsize": 9.5,
    "hatch.linewidth": 0.6,
}

#: Where every title of a map or chart sits: at the top of its axes, plus its pad. Given
#: explicitly, because a title left to place itself (``y=None``) makes matplotlib look for tick
#: labels above the plot at every draw, measuring every y tick label of the axes to do so
#: (20 ms a figure); no map or chart of ntp-atlas puts ticks or labels above a plot, so the
#: title lands in the same place.
TITLE_Y = 1.0

P = ParamSpec("P")
R = TypeVar("R")


#: :data:`MAP_STYLE` as matplotlib holds it once set (validated: ``"sans-serif"`` becomes
#: ``["sans-serif"]``), known after the first :func:`map_style`.
_STYLE_HELD: dict[str, Any] = {}


@contextmanager
def map_style() -> Iterator[None]:
    """Context in which maps are drawn and saved (fonts, text kept as text).

    Where the style is already in place (a styled function calling another, a map saved
    inside the function that drew it) it changes nothing and is not entered again:
    ``rc_context`` copies and then restores every rcParam, about 0.5 ms each time. Nothing
    ntp-atlas draws changes rcParams.
    """
    if _STYLE_HELD and all(plt.rcParams[key] == value for key, value in _STYLE_HELD.items()):
        yield
        return
    with plt.rc_context(MAP_STYLE):
        if not _STYLE_HELD:
            _STYLE_HELD.update((key, plt.rcParams[key]) for key in MAP_STYLE)
        yield


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` inside :func:`map_style`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with map_style():
            return func(*args, **kwargs)

    return wrapper


def save_map(figure: Axes | Figure, path: str | Path, dpi: int = 200, **kwargs: Any) -> Path:
    """Save a map's figure inside :func:`map_style`, cropped to its content.

    Parameters
    ----------
    figure
        The figure, or any of its axes.
    path
        Output file; the suffix chooses the format (``.png``, ``.pdf``, ``.svg``).
    dpi
        Resolution of raster formats.
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.savefig`.

    Returns
    -------
    pathlib.Path
    """
    fig = figure.figure if isinstance(figure, Axes) else figure
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with map_style():
        fig.savefig(path, dpi=dpi, **({"bbox_inches": "tight", "pad_inches": 0.15} | kwargs))
    return path
