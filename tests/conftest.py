"""Shared fixtures: tiny hand-checked tables, the reference folder, the sample's prepared data."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from analysis.config import REFERENCE_DIR  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference``; tests that need it skip with the reason when it is absent."""
    if not REFERENCE_DIR.exists():
        pytest.skip(
            f"reference data not found at {REFERENCE_DIR} (it lives in ../shared/reference beside the repository)"
        )
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def units():
    from analysis.units import official_units

    return official_units()


@pytest.fixture(scope="session")
def sample_prepared(tmp_path_factory) -> Path:
    """The sample data prepared once per test session into a temporary folder."""
    from analysis.prepare import prepare

    out = tmp_path_factory.mktemp("prepared") / "processed"
    prepare(out=out)
    return out


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_batch(sample_prepared, tmp_path_factory):
    """The sample Lạng Sơn province (20) rendered once per session: 2023, Vietnamese, 2 jobs.

    As of 2023-08-04, the date of Chi Lăng's published figures (seed 000), so its report
    also serves the render tests. Returns the :class:`analysis.batch.BatchResult`.
    """
    from analysis.batch import run_batch

    out = tmp_path_factory.mktemp("reports")
    return run_batch("20", 2023, lang="vi", jobs=2, data_dir=sample_prepared, out_dir=out,
                     as_of="2023-08-04", progress=False)
