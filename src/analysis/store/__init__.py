"""The prepared data: prepare (validate and join every input once), the reader each report uses
for its own area, the conversion to the 2025 units and the sample generator.

May import :mod:`analysis.metrics`, :mod:`analysis.inputs`, :mod:`analysis.catalog`,
:mod:`analysis.common`, ``config`` and ``errors``; never the maps, reports or runs.
"""
