"""Chart axes whose ticks are readable and true: nice steps, labels with the decimals the step needs.

Matplotlib's own locator already steps by 1, 2, 2.5 or 5 times a power of ten; what went wrong
was the labels. A formatter that always wrote whole numbers turned the steps of 2.5 of Sốp
Cộp's project chart into ``0 2 5 8 10 12 15 18`` and the steps of 0.2 of a small commune's
into ``0 0 0 1 1 1 1``. Here:

* :func:`nice_locator` is :class:`~matplotlib.ticker.MaxNLocator` with the steps
  ``[1, 2, 2.5, 5, 10]``, and whole-number ticks only for values that are whole (counts);
* :class:`NumberFormatter` writes every tick of an axis with the same number of decimals,
  the fewest that write each tick exactly (a step of 2.5 needs one: ``0,0 2,5 5,0 … 17,5``),
  in the report's number format, like :class:`~matplotlib.ticker.ScalarFormatter` does for
  its own labels;
* :func:`value_axis` puts both on an axis of a chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.ticker import Formatter, MaxNLocator

from analysis.common.numbers import format_number, format_points

#: The steps of a tick spacing, times a power of ten (matplotlib's AutoLocator has the same).
NICE_STEPS = (1, 2, 2.5, 5, 10)
#: Decimals a tick label may have at most: a step finer than this is not a chart's.
MAX_DECIMALS = 6
#: How an axis writes its values: ``number`` as is, ``percent`` a fraction as ``12,5%``,
#: ``points`` a change in percentage points with its sign (``−2,5``, ``+5,0``).
KINDS = ("number", "percent", "points")


def nice_locator(integer: bool = False, nbins: int | str = "auto") -> MaxNLocator:
    """A locator of ticks at 1, 2, 2.5 or 5 times a power of ten.

    Parameters
    ----------
    integer
        Ticks on whole numbers only: for values that are whole (counts of units, households),
        never for amounts or rates.
    nbins
        At most this many intervals; ``"auto"`` lets the axis length decide (at most 9).
    """
    return MaxNLocator(nbins=nbins, steps=list(NICE_STEPS), integer=integer)


def decimals_for(values: Sequence[float], scale: float = 1.0) -> int:
    """The fewest decimals at which every value times ``scale`` is written exactly.

    >>> decimals_for([0, 2.5, 5, 7.5]), decimals_for([0, 0.2, 0.4]), decimals_for([0, 10, 20])
    (1, 1, 0)
    >>> decimals_for([0.0, 0.025, 0.05], scale=100)  # 0%, 2,5%, 5%
    1
    """
    scaled = [float(v) * scale for v in values]
    for decimals in range(MAX_DECIMALS + 1):
        # a tick computed as 3 * 0.1 is 0.30000000000000004: compare with a tolerance
        if all(abs(round(v, decimals) - v) <= 1e-9 * max(1.0, abs(v)) for v in scaled):
            return decimals
    return MAX_DECIMALS


class NumberFormatter(Formatter):
    """Tick labels in a language's number format, each with the decimals the axis's step needs.

    Parameters
    ----------
    lang
        ``"vi"`` (``2,5``; ``1.250``) or ``"en"`` (``2.5``; ``1,250``).
    kind
        One of :data:`KINDS`.

    Examples
    --------
    >>> NumberFormatter("vi").format_ticks([0, 2.5, 5, 17.5])
    ['0,0', '2,5', '5,0', '17,5']
    >>> NumberFormatter("en", "percent").format_ticks([0, 0.25, 0.5])
    ['0%', '25%', '50%']
    >>> NumberFormatter("vi", "points").format_ticks([-5, -2.5, 0, 2.5])
    ['−5,0', '−2,5', '0,0', '+2,5']
    """

    def __init__(self, lang: str, kind: str = "number") -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.lang = lang
        self.kind = kind
        self.decimals = 0

    @property
    def _scale(self) -> float:
        return 100.0 if self.kind == "percent" else 1.0

    def set_locs(self, locs: Sequence[float]) -> None:
        """Called with the axis's ticks before they are labelled: their decimals."""
        super().set_locs(locs)
        self.decimals = decimals_for(list(locs), self._scale) if len(locs) else 0

    def __call__(self, x: float, pos: int | None = None) -> str:
        if self.kind == "points":
            return format_points(x, self.lang, self.decimals)
        text = format_number(x * self._scale, self.lang, self.decimals)
        return text + "%" if self.kind == "percent" else text


def value_axis(ax: Axes, lang: str, axis: str = "y", kind: str = "number", integer: bool = False) -> None:
    """Put a :func:`nice_locator` and a :class:`NumberFormatter` on an axis of ``ax``.

    Parameters
    ----------
    ax
        The chart's axes.
    lang
        The report's language.
    axis
        ``"x"`` or ``"y"``.
    kind
        One of :data:`KINDS`.
    integer
        The values are whole numbers: ticks on whole numbers only.
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(nice_locator(integer))
    target.set_major_formatter(NumberFormatter(lang, kind))
