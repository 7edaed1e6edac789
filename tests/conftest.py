"""Shared fixtures: tiny hand-checked tables, the reference folder, the sample's prepared data."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from analysis.config import REFERENCE_DIR  # noqa: E402
from analysis.run.options import RunOptions

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
    from analysis.catalog.units import official_units

    return official_units()


@pytest.fixture(scope="session")
def sample_prepared(tmp_path_factory) -> Path:
    """The sample data prepared once per test session into a temporary folder."""
    from analysis.store.prepare import prepare

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
    also serves the render tests. Returns the :class:`analysis.run.outcomes.BatchResult`.
    """
    from analysis.run.batch import run_batch

    out = tmp_path_factory.mktemp("reports")
    return run_batch("20", 2023,
                     options=RunOptions(lang="vi", jobs=2, data_dir=sample_prepared, out_dir=out, as_of="2023-08-04",
                                        progress=False))


@pytest.fixture
def stamp_render(monkeypatch):
    """Replace the notebook run of batches with one that writes what render_report writes (a
    page stamped with its inputs, the executed notebook beside it), fast.

    Call it with ``record(notebook, parameters, out_html, pool) -> item``: each render appends
    its item to the list returned. The package's code digest is fixed too: edits made to the
    tree while a test runs must not count as changed inputs.
    """
    from analysis.run import batch, commune_report, fingerprint, threads
    from analysis.run.page_stamp import stamp_page

    def install(record):
        calls = []

        def render(notebook, parameters, out_html, *, inputs=None, pool=None, **_):
            calls.append(record(notebook, parameters, Path(out_html), pool))
            out = Path(out_html)
            out.parent.mkdir(parents=True, exist_ok=True)
            page = f"<html><body>{notebook} {parameters.get('district')} {parameters.get('commune')}</body></html>\n"
            out.write_bytes(stamp_page(page.encode(), inputs) if inputs else page.encode())
            out.with_name(out.stem + ".ipynb").write_text("{}", encoding="utf-8")
            return out

        monkeypatch.setattr(batch, "render_report", render)  # one report (ntp-atlas report)
        monkeypatch.setattr(threads, "render_report", render)  # a batch's reports
        monkeypatch.setattr(commune_report, "render_report", render)  # one new commune's report
        monkeypatch.setattr(fingerprint, "code_digest", lambda: "the package")
        return calls

    return install
