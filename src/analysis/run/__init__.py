"""Runs: rendering one report (papermill and nbconvert), warm kernels, batches of a province,
the country, clusters, incremental fingerprints, the index page and the print-map export.

May import every layer below: :mod:`analysis.report`, :mod:`analysis.maps`,
:mod:`analysis.store` and what they may import; never the command line.
"""
