"""The sections of a report, one module each: title, summary, finance (headline figures and the
project table), units, maps and charts, checks (flagged units, data quality), sources, the
indicators section, and the exploration notebook's pieces.

Sections are leaves: they import the report context (:mod:`analysis.report.area`), its
figures (:mod:`analysis.report.figures`) and the helpers below them, never each other.
May import the rest of :mod:`analysis.report` (the summaries included) and what the
report layer may import.
"""
