"""Maps and charts: legend sets, choropleths, charts, print furniture, the PNG writer, the text
cache and the inline interactive map.

``style`` (the map style, titles' place), ``canvas`` (a renderer to measure text with), ``crs``
(the metric CRS), ``png`` (PNG bytes), ``polygons`` (polygons as paths), ``legends`` (the legend
sets), ``classes`` (values put into classes), ``legend_text`` (labels and titles of legends),
``schemes`` (data-driven legend sets), ``furniture`` (scale bar, north arrow, titles, the note on
approximate boundaries), ``labels`` (unit names inside their polygons), ``layers`` (boundaries,
reference layer, inset), ``choropleth`` (the maps), ``charts`` and ``ticks`` (the charts),
``interactive`` (the inline SVG map), ``textmetrics`` (one cache of text sizes and drawn text,
installed explicitly by :func:`analysis.maps.textmetrics.install`).

A sibling of :mod:`analysis.store`: takes frames, not files. May import :mod:`analysis.metrics`,
:mod:`analysis.inputs`, :mod:`analysis.catalog`, :mod:`analysis.common`, ``config`` and ``errors``.
"""
