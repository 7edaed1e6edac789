"""Maps and charts: legend sets, choropleths, charts, print furniture (scale bar, north arrow,
labels), the text cache and the inline interactive map.

A sibling of :mod:`analysis.store`: takes frames, not files. May import :mod:`analysis.metrics`,
:mod:`analysis.inputs`, :mod:`analysis.catalog`, :mod:`analysis.common`, ``config`` and ``errors``.
"""
