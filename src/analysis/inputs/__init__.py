"""Reading what offices send: tables in any of their formats and encodings, the canonical
schema, validation row by row with the reason of every reject, boundaries, crosswalk files and
the office-form importer (:mod:`analysis.inputs.forms`).

May import :mod:`analysis.catalog`, :mod:`analysis.common`, ``config`` and ``errors``.
"""
