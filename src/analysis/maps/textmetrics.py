"""One cache of text sizes, and of drawn text, for every figure of a process.

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

Drawing a string costs more still: matplotlib 3.11 shapes it again and renders every glyph
with FreeType on its own (about 3 ms for a commune name), although a report draws the same
commune labels on each of its maps, at the same places, and the same legend entries, source
line and axis labels at the same places from one report to the next. :func:`install` also
wraps ``RendererAgg.draw_text``: what a string draws (the glyph images FreeType renders and
where Agg puts them) depends only on the string, its fonts, size, angle, dpi, hinting and
antialiasing, and its exact position on the canvas. The first draw is matplotlib's own, and
records those images; a draw with the same key puts the same images at the same places, so
the pixels are the same. The shaping of a string (its glyphs and their offsets, which do
not depend on the position) is kept too, with the FreeType font objects it names: it is kept
by the font object matplotlib lends for the string, so it lives exactly as long as matplotlib's
own rule allows (one set of fonts per thread, and none across ``fork``: matplotlib empties its
font cache in a forked child, and so does this module, see :func:`_after_fork`).
``tests/test_cartography.py`` checks that figures
drawn with the cache have matplotlib's own pixels. A matplotlib whose text drawing differs
from 3.11's (no ``_layout``/``_render_glyph``) is left to draw as it does.

Nothing is patched when this module is imported: :func:`install` does it, called where
maps are drawn for a whole run (a warm kernel's start, a report's context, the print-map
export). matplotlib itself is imported by :func:`install` too, so that importing this module
costs a process that draws nothing no more than numpy. The hooked internals are those of
matplotlib 3.11; ``pyproject.toml`` bounds matplotlib below 3.12 for them.
"""

from __future__ import annotations

import math
import os
import threading

import numpy as np

_MAX_ENTRIES = 200_000
_cache: dict[tuple, tuple[float, float, float]] = {}
#: What a string drew (glyph images and where they went), by string, fonts, size, angle,
#: dpi, hinting, antialiasing and exact position: plain pixels, valid in any process.
_MAX_DRAWN = 5_000  # a few hundred bytes of glyph images each: a few MB at most
_drawn: dict[tuple, tuple[tuple[np.ndarray, int, int], ...]] = {}
#: A string's shaping (the FT2Font of each glyph, its index and offset), by the FT2Font
#: matplotlib lent for the string and all of the drawn key but the position. The key holds
#: that font object, so no other font can take its id while the entry lives.
_MAX_SHAPED = 20_000
_shaped: dict[tuple, tuple] = {}
_lock = threading.Lock()
_installed = False


def _after_fork() -> None:
    """In a forked child: forget the parent's shapings, and take a lock of its own.

    An FT2Font must not be used across ``fork``: the child's copy reads the font file through
    the file descriptor it shares with its parent and its siblings, so two processes drawing
    at once move each other's file offset and FreeType loads garbage ("FT_Load_Glyph ...
    invalid outline", seen in ``ntp-atlas maps --jobs 2``). matplotlib empties its own font
    cache in the child for this reason (``font_manager._get_font``); the child then gets
    fonts of its own, and the shapings kept with the parent's fonts would never be asked for
    again. They are dropped here so that they are not kept alive either. A lock held by
    another thread of the parent at the fork would never be released in the child.
    """
    global _lock
    _lock = threading.Lock()
    _shaped.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork()
    os.register_at_fork(after_in_child=_after_fork)


def _remember(store: dict, limit: int, key: tuple, value) -> None:
    """Keep ``value`` in one of the caches, emptied first when it holds ``limit`` entries."""
    with _lock:
        if len(store) >= limit:
            store.clear()
        store[key] = value


def _font_files(prop) -> tuple[str, ...]:
    """The font files matplotlib chooses for ``prop``, the first and its fallbacks."""
    from matplotlib.font_manager import fontManager

    return tuple(map(str, fontManager._find_fonts_by_props(prop)))


def _cached(original):
    from matplotlib.backends import backend_agg

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return original(self, s, prop, ismath)
        try:
            fonts = _font_files(prop)
        except Exception:  # noqa: BLE001 - a matplotlib without this helper: measure as before
            return original(self, s, prop, ismath)
        key = (s, fonts, prop.get_size_in_points(), self.dpi, backend_agg.get_hinting_flag())
        found = _cache.get(key)
        if found is None:
            found = original(self, s, prop, ismath)
            _remember(_cache, _MAX_ENTRIES, key, found)
        return found

    get_text_width_height_descent.__wrapped__ = original
    get_text_width_height_descent.__doc__ = original.__doc__
    return get_text_width_height_descent


def _glyphs(
    renderer, gc, x, y, s, prop, angle, shape_key, features, language
) -> tuple[tuple[np.ndarray, int, int], ...]:
    """Draw ``s`` as ``RendererAgg.draw_text`` of matplotlib 3.11 does, and return what it drew.

    The same steps as its ``draw_text`` and ``_draw_text_glyphs_and_boxes`` (no boxes for
    plain text), keeping each glyph's image and its place on the canvas. ``features`` and
    ``language`` are the text's own, as matplotlib passes them.
    """
    from matplotlib.backends import backend_agg

    font = renderer._prepare_font(prop)
    flags = backend_agg.get_hinting_flag()
    # A shaping names the FT2Font objects of its glyphs, which belong to the thread and the
    # process matplotlib lent them to (FreeType is not thread-safe; a font cannot cross a
    # fork): it is kept by the font lent now, and found again only with that same font.
    font_key = (font, shape_key)
    items = _shaped.get(font_key)
    if items is None:
        laid = font._layout(s, flags=flags, features=features, language=language)
        items = tuple((item.ft_object, item.glyph_index, item.x, item.y) for item in laid)
        _remember(_shaped, _MAX_SHAPED, font_key, items)
    size = prop.get_size_in_points()
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)  # no slant, no extension
    mode = backend_agg.RenderMode.NORMAL if gc.get_antialiased() else backend_agg.RenderMode.MONO
    drawn = []
    for ft_object, glyph_index, dx, dy in items:
        ft_object.set_size(size, renderer.dpi)
        ft_object._set_transform(matrix, [round(0x40 * (x + dx * cos - dy * sin)),
                                          round(0x40 * (renderer.height - y + dx * sin + dy * cos))])  # fmt: skip
        bitmap = ft_object._render_glyph(glyph_index, flags, mode)
        buffer = bitmap.buffer
        if not gc.get_antialiased():
            buffer *= 0xFF
        place = (bitmap.left, int(renderer.height) - bitmap.top + buffer.shape[0])
        renderer._renderer.draw_text_image(buffer, *place, 0, gc)
        drawn.append((np.array(buffer, copy=True), *place))
    return tuple(drawn)


def _cached_draw(original):
    from matplotlib.backends import backend_agg

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return original(self, gc, x, y, s, prop, angle, ismath, mtext)
        try:
            fonts = _font_files(prop)
            features = mtext.get_fontfeatures() if mtext is not None else None
            language = mtext.get_language() if mtext is not None else None
            ranges = language is not None and not isinstance(language, str)  # [(language, start, end), ...]
            hashable_language = tuple(map(tuple, language)) if ranges else language
            shape_key = (s, fonts, prop.get_size_in_points(), self.dpi, backend_agg.get_hinting_flag(),
                         None if features is None else tuple(features), hashable_language)  # fmt: skip
            key = (shape_key, float(angle), bool(gc.get_antialiased()), float(x), float(y), self.height)
        except Exception:  # noqa: BLE001 - text this cache does not understand: matplotlib draws it
            return original(self, gc, x, y, s, prop, angle, ismath, mtext)
        found = _drawn.get(key)
        if found is None:
            found = _glyphs(self, gc, x, y, s, prop, angle, shape_key, features, language)
            _remember(_drawn, _MAX_DRAWN, key, found)
        else:
            for buffer, left, bottom in found:
                self._renderer.draw_text_image(buffer, left, bottom, 0, gc)
        return None

    draw_text.__wrapped__ = original
    draw_text.__doc__ = original.__doc__
    return draw_text


def _draws_glyph_by_glyph() -> bool:
    """Whether this matplotlib draws text as 3.11 does, the way :func:`_glyphs` repeats."""
    from matplotlib.backends import backend_agg
    from matplotlib.ft2font import FT2Font

    return (all(hasattr(FT2Font, name) for name in ("_layout", "_render_glyph", "_set_transform"))
            and hasattr(backend_agg.RendererAgg, "_draw_text_glyphs_and_boxes")
            and hasattr(backend_agg, "RenderMode"))  # fmt: skip


def install() -> None:
    """Make every Agg renderer of this process share one cache of text sizes and of drawn
    text (idempotent).

    Text sizes are cached with any matplotlib; drawn text only with one that draws text as
    3.11 does (:func:`_draws_glyph_by_glyph`): another draws as it always does.
    """
    global _installed
    with _lock:
        if _installed:
            return
        from matplotlib.backends import backend_agg

        renderer = backend_agg.RendererAgg
        renderer.get_text_width_height_descent = _cached(renderer.get_text_width_height_descent)
        if _draws_glyph_by_glyph():
            renderer.draw_text = _cached_draw(renderer.draw_text)
        _installed = True


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return _installed


def cache_size() -> int:
    """How many text sizes are cached (for tests and benchmarks)."""
    return len(_cache)


def drawn_size() -> int:
    """How many drawn strings are cached (for tests and benchmarks)."""
    return len(_drawn)
