"""The official lists: administrative units of both unit systems, the programmes and their
projects, the indicator catalogue.

May import :mod:`analysis.common` and the root modules ``config`` and ``errors``.
"""
