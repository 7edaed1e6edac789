"""Each run of the bad-run catalogue is refused with its message and status, touching nothing."""

from __future__ import annotations

import pytest

from tests.bad_runs import RUNS, run


def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.is_dir(), p.read_bytes() if p.is_file() else b"")
            for p in sorted(folder.rglob("*"))}  # fmt: skip


@pytest.mark.parametrize("bad", RUNS, ids=[b.kind for b in RUNS])
def test_a_bad_run_is_refused_with_its_message_and_touches_nothing(tmp_path, bad):
    scene = tmp_path / "scene"
    scene.mkdir()
    status, err = run(bad, scene)
    assert status == bad.status, err
    for fragment in bad.expect:
        assert fragment in err, (fragment, err)
    assert "internal error" not in err and "Traceback" not in err
    again = tmp_path / "again"  # the same scene, set up and not run: what was there is all there is
    again.mkdir()
    bad.setup(again)
    made = {k for k in _snapshot(scene) if not k.startswith(".") and not k.endswith(".lock")}
    assert made == {k for k in _snapshot(again)}
    assert {k: v for k, v in _snapshot(scene).items() if k in made} == _snapshot(again)
