"""The written summaries that open every report: sentences from the report's figures, in the
offices' register, from the templates in ``resources/summaries``.

Part of the report layer.
"""
