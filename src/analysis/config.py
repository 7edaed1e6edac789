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
