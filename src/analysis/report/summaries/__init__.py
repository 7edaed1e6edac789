"""The written summaries that open every report: sentences from the report's figures, in the
offices' register, from the templates in ``resources/summaries``.

Part of the report layer: may import what :mod:`analysis.report` may import, and the report's
context and figures; never the sections that call it.
"""
