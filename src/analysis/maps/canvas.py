"""A renderer to measure text with, once a figure's layout is done.

Text has a size in points and a map a size in metres, so whether a label or a legend fits is
known only after the layout engine and the equal-aspect adjustment have run:
:func:`layout_renderer` runs them and hands back the renderer to measure with.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["layout_renderer"]


def layout_renderer(ax: Axes):
    """A renderer for measuring text, after the figure's layout has been done.

    Text has a fixed size in points, the map a size in metres: whether a label fits depends
    on the axes' final size, so run the layout engine (constrained layout shrinks the axes to
    make room for a legend outside) and the equal-aspect adjustment first.
    """
    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    ax.apply_aspect()
    if not hasattr(fig.canvas, "get_renderer"):
        # A bare Figure() (as the reports make) has a canvas that cannot render; Agg can,
        # and saving to any format still picks its own backend.
        _QuietAggCanvas(fig)
    return fig.canvas.get_renderer()


class _QuietAggCanvas(FigureCanvasAgg):
    """An Agg canvas that ignores idle draws.

    geopandas asks for ``canvas.draw_idle()`` after every ``plot``; on a plain Agg canvas that
    renders the whole figure each time (it was a third of a report's time). These figures are
    never shown in a window, only saved, and saving draws them anyway.
    """

    def draw_idle(self, *args, **kwargs) -> None:
        pass
