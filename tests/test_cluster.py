"""The batch on a Dask distributed cluster gives the same reports as the local batch."""

from __future__ import annotations

import re

import pytest

from analysis.run.batch import run_batch
from analysis.run.options import RunOptions

_GENERATED = re.compile(r"(Tạo lúc|Generated) [^<]*")
_PAGE_HASH = re.compile(r"sha256=[0-9a-f]{64}")


def _page(path):
    # the generated-at line (and so the page's own hash in its stamp) differs between any two
    # runs; everything else, the input fingerprint included, must not
    return _PAGE_HASH.sub("", _GENERATED.sub("", path.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_cluster_reports_equal_local_ones(sample_prepared, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = run_batch("14", 2023,
                      options=RunOptions(data_dir=sample_prepared, out_dir=tmp_path / "local", progress=False))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        # the workers read the prepared data through an fsspec URL
        remote = run_batch("14", 2023,
                           options=RunOptions(data_dir=sample_prepared.absolute().as_uri(),
                                              out_dir=tmp_path / "cluster", progress=False,
                                              scheduler=lc.scheduler_address))
    assert local.ok and remote.ok, [r.message for r in remote.failed]
    # Sơn La in the sample: Sốp Cộp (127) and the province overview
    names = sorted(p.name for p in (tmp_path / "cluster" / "2023" / "son-la").glob("*.html"))
    assert names == ["127-sop-cop.html", "index.html", "overview.html"]
    for name in ("127-sop-cop.html", "overview.html"):
        ours = tmp_path / "cluster" / "2023" / "son-la" / name
        theirs = tmp_path / "local" / "2023" / "son-la" / name
        assert _page(ours) == _page(theirs), name
        assert ours.with_suffix(".ipynb").exists()


def test_unreachable_scheduler_is_a_message(sample_prepared, tmp_path):
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="cannot reach the Dask scheduler"):
        run_batch("14", 2023,
                  options=RunOptions(data_dir=sample_prepared, out_dir=tmp_path, progress=False,
                                     scheduler="tcp://127.0.0.1:9", force=True))
