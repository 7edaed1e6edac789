"""Figures from valid rows: finance totals and rates, poverty and classification, rule checks,
coverage, and how figures follow units that merge and split (allocation).

May import :mod:`analysis.inputs`, :mod:`analysis.catalog`, :mod:`analysis.common`, ``config``
and ``errors``.
"""
