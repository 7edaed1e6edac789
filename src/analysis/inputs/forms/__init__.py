"""Importing the circular's report forms: Excel workbooks as offices fill them, cell by cell
into the canonical tables.

Part of the inputs layer: may import the rest of :mod:`analysis.inputs` and what it may import.
"""
