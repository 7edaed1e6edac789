"""The written summaries that open every report: sentences from the report's figures, in the
offices' register, from the templates in ``resources/summaries``.

Written in two steps: :func:`analysis.report.summaries.gather.summary_facts` gathers the figures
of a report with the functions its tables use (:mod:`~analysis.report.summaries.facts`), and
:func:`analysis.report.summaries.writer.summary_sentences` fills deterministic templates
(:mod:`~analysis.report.summaries.templates`, formatted by :mod:`~analysis.report.summaries.formats`)
with them. A converted report's summary is :mod:`~analysis.report.summaries.converted`. The
package imports the report context, never the sections.

Part of the report layer: may import what :mod:`analysis.report` may import, and the report's
context and figures; never the sections that call it.
"""
