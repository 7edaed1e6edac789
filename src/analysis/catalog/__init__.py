"""The official lists: administrative units of both unit systems (and the package's crosswalk
from the old units to those of 1 July 2025), the programmes and their projects, the indicator
catalogue.

May import :mod:`analysis.common` and the root modules ``config`` and ``errors``.
"""
