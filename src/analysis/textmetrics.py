"""One cache of text sizes for every figure of a process.

Measuring a string is the largest single cost of drawing a map or chart with matplotlib
3.11: each measure shapes the whole string again (about 1 ms for a commune name), and
matplotlib keeps its own cache per renderer, so a new figure, a second dpi or the layout
pass of ``bbox_inches="tight"`` measure every label, title and legend entry again. A batch
draws the same words thousands of times.

The size of a plain string drawn by Agg depends only on the string, the font files chosen
for its properties, the size in points, the dpi and the hinting setting. :func:`install`
wraps ``RendererAgg.get_text_width_height_descent`` with a cache keyed on exactly those, so
the answer is the one matplotlib would compute, found once per process. Mathtext and TeX go
to matplotlib unchanged. ``tests/test_cartography.py`` checks the cached sizes against
matplotlib's own on fresh renderers.
"""

from __future__ import annotations

import threading

from matplotlib.backends import backend_agg
from matplotlib.font_manager import fontManager

_MAX_ENTRIES = 200_000
_cache: dict[tuple, tuple[float, float, float]] = {}
_lock = threading.Lock()
_installed = False


def _cached(original):
    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return original(self, s, prop, ismath)
        try:
            fonts = tuple(map(str, fontManager._find_fonts_by_props(prop)))
        except Exception:  # noqa: BLE001 - a matplotlib without this helper: measure as before
            return original(self, s, prop, ismath)
        key = (s, fonts, prop.get_size_in_points(), self.dpi, backend_agg.get_hinting_flag())
        found = _cache.get(key)
        if found is None:
            found = original(self, s, prop, ismath)
            with _lock:
                if len(_cache) >= _MAX_ENTRIES:
                    _cache.clear()
                _cache[key] = found
        return found

    get_text_width_height_descent.__wrapped__ = original
    get_text_width_height_descent.__doc__ = original.__doc__
    return get_text_width_height_descent


def install() -> None:
    """Make every Agg renderer of this process share one cache of text sizes (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        renderer = backend_agg.RendererAgg
        renderer.get_text_width_height_descent = _cached(renderer.get_text_width_height_descent)
        _installed = True


def cache_size() -> int:
    """How many text sizes are cached (for tests and benchmarks)."""
    return len(_cache)
