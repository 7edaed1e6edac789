"""Formats, words and safe storage: what every layer needs and nothing above it.

Numbers and money in each language's format, the report labels (i18n), folding of Vietnamese
text, atomic writes, ownership of outputs, locks, and the limits of what is read. May import only
the root modules ``config`` and ``errors``.
"""
