"""Paths and constants, anchored at the project root (one place, cookiecutter-data-science style)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("NTP_ATLAS_ROOT", Path(__file__).resolve().parents[2]))
DATA_DIR = PROJECT_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
DOCS_DIR = PROJECT_ROOT / "docs"
#: Real reference data for tests; never copied into the repository.
REFERENCE_DIR = Path(os.environ.get("NTP_ATLAS_REFERENCE", PROJECT_ROOT.parent / "shared" / "reference"))

#: Sample inputs shipped with the project (the defaults of ``ntp-atlas prepare``).
SAMPLE_FILES = {
    "finance": SAMPLE_DIR / "finance.csv",
    "poverty": SAMPLE_DIR / "poverty.xlsx",
    "communes": SAMPLE_DIR / "communes.csv",
    "indicators": SAMPLE_DIR / "indicators.csv",
    "boundaries": SAMPLE_DIR / "boundaries.gpkg",
}
#: The sample's 2026 tables, keyed to Lạng Sơn's 65 communes of 1/7/2025 (no districts).
SAMPLE_2026_FILES = {
    "finance": SAMPLE_DIR / "2026" / "finance.csv",
    "poverty": SAMPLE_DIR / "2026" / "poverty.csv",
    "communes": SAMPLE_DIR / "2026" / "communes.csv",
}
SAMPLE_CODE_COLUMN = "commune_code"

#: Metric CRS for Vietnam used for areas, distances and drawing: VN-2000 / UTM zone 48N.
METRIC_CRS = "EPSG:3405"
#: Geographic CRS in which prepared boundaries are stored.
STORAGE_CRS = "EPSG:4326"

#: Programme years accepted in the data (phase I 2021-2025 and phase II to 2030).
FIRST_YEAR = 2021
LAST_YEAR = 2030

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

#: The largest figure one input row may hold: a figure above its bound is a typing or unit
#: error (đồng for million đồng, a pasted ID), rejected at the door with the bound named.
#: Change one for a run with ``prepare --bound NAME=VALUE`` (see :mod:`analysis.inputs.bounds`).
#: Chosen from the programme's own scale:
BOUNDS = {
    # million VND, one row (one district or commune, project, capital type, fund, year): the
    # whole central budget for 2026-2030 is 100,000 tỷ = 1e8 million, 2e7 a year for the
    # country, about 600,000 million a year for each of 34 provinces; Sốp Cộp's plan for all of
    # 2023 was 90,279 million. 500,000 million (500 tỷ) for one row is more than five years of
    # that district and most of an average province's year: never a real row.
    "amount_mvnd": 500_000.0,
    # households of one commune (all, poor, near-poor, ethnic-minority): 200,000 households are
    # some 800,000 people, a province of the mountains (Lạng Sơn's 65 communes and wards), not
    # a commune or a ward.
    "households": 200_000.0,
    # villages of one commune (thôn ĐBKK): Lạng Sơn's 1,646 villages are 25 a commune (385 of
    # them ĐBKK), the country's 12,368 thôn ĐBKK 9 for each of 1,333 communes: 200 is none.
    "villages": 200.0,
    # other counts of one unit in the indicators (works built, facilities): 10,000 works in a
    # village or commune in a year is none.
    "count": 10_000.0,
}
