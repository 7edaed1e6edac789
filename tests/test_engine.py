"""The kernel pool: reports on warm kernels stay isolated, crashes fail alone, papermill's conventions hold."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.common.ownership import LEDGER
from analysis.errors import ReportError
from analysis.run.engine import ENGINE_NAME, register_engine
from analysis.run.kernel_pool import KernelPool
from analysis.run.page_stamp import page_inputs, stamp_page
from analysis.run.render import render_report

FIXTURE = Path(__file__).parent / "fixtures" / "echo_parameters.ipynb"


def make_notebook(folder: Path, name: str, *cells: str, parameters: str = 'code: str = "x"') -> Path:
    """A notebook with a ``parameters`` cell and one code cell per source, in its own folder."""
    folder = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    params = new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("A fixture."), params, *(new_code_cell(c) for c in cells)]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def warm(pool: KernelPool | None, path: Path, parameters: dict, output: Path | None = None, **kw):
    """papermill.execute_notebook on the warm kernels of ``pool`` (the ntp-atlas-warm engine)."""
    extra = {"pool": pool} if pool is not None else {}
    register_engine()  # in papermill's registry from the first run on (analysis.run.engine)
    return papermill.execute_notebook(str(path), str(output) if output else None, parameters=parameters,
                                      engine_name=ENGINE_NAME, progress_bar=False, **extra, **kw)


def stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def pool():
    """One warm kernel for the module (warmed with matplotlib only, to keep start-ups short)."""
    with KernelPool(1, warm_modules=("matplotlib.pyplot",)) as pool:
        yield pool


# --- isolation -------------------------------------------------------------------------------

LEAKY = (
    "secret = 42",
    "import json as jj",
    "import os, sys, warnings\n"
    "os.environ['NTP_LEAK'] = '1'\n"
    "sys.path.append('/leak')\n"
    "warnings.simplefilter('error')",
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "matplotlib.rcParams['lines.linewidth'] = 7\n"
    "fig = plt.figure()  # left open",
    "import pandas as pd\n"
    "pd.set_option('display.max_rows', 3)\n"
    "pd.set_option('mode.string_storage', 'pyarrow')",
    "print('pid', os.getpid())",
)
PROBE = (
    "import gc, json, os, sys, warnings\n"
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "import pandas as pd\n"
    "print(json.dumps({'secret': 'secret' in globals(), 'jj': 'jj' in globals(),\n"
    "    'max_rows': pd.get_option('display.max_rows'), 'strings': pd.get_option('mode.string_storage'),\n"
    "    'env': os.environ.get('NTP_LEAK'), 'path': '/leak' in sys.path,\n"
    "    'warnings_error': bool(warnings.filters) and warnings.filters[0][0] == 'error',\n"
    "    'linewidth': matplotlib.rcParams['lines.linewidth'], 'figures': plt.get_fignums(),\n"
    "    'cwd': os.getcwd(), 'pid': os.getpid(), 'frozen': gc.get_freeze_count() > 1000}))",
)


def test_nothing_a_report_defines_reaches_the_next(pool, tmp_path):
    first = make_notebook(tmp_path, "first", *LEAKY)
    second = make_notebook(tmp_path, "second", *PROBE)
    nb1 = warm(pool, first, {"code": "1"})
    nb2 = warm(pool, second, {"code": "2"})
    pid = int(stdout(nb1).split()[-1])
    seen = json.loads(stdout(nb2))
    assert seen["pid"] == pid  # the same kernel ran both
    # pandas options as the warm kernel left them: 60 is pandas' default, and the strings'
    # storage is the one kernel_state.KERNEL_PANDAS_OPTIONS sets
    assert seen == {"secret": False, "jj": False, "env": None, "path": False, "warnings_error": False,
                    "max_rows": 60, "strings": "python", "linewidth": 1.5, "figures": [],
                    "cwd": str(second.parent), "pid": pid,
                    "frozen": True}  # the warm imports kept out of the collector's sight (kernel_state.kernel_warm)
    # execution counts restart at 1, as in a new kernel
    assert [c.execution_count for c in nb2.cells if c.cell_type == "code"] == [1, 2, 3]


# --- papermill's conventions -------------------------------------------------------------------


def test_executed_notebook_is_papermills(pool, tmp_path):
    """Same cells, tags, parameters, outputs and metadata keys as papermill.execute_notebook."""
    import papermill

    params = {"code": "00004", "lang": "en"}
    warm_nb = warm(pool, FIXTURE, params, tmp_path / "warm.ipynb")
    cold = papermill.execute_notebook(str(FIXTURE), str(tmp_path / "cold.ipynb"), parameters=params,
                                      progress_bar=False, resources={"metadata": {"path": str(FIXTURE.parent)}})
    assert [c.source for c in warm_nb.cells] == [c.source for c in cold.cells]
    assert [c.metadata.get("tags") for c in warm_nb.cells] == [c.metadata.get("tags") for c in cold.cells]
    injected = [c for c in warm_nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'code = "00004"' in injected[0].source  # a string, zeros kept
    assert warm_nb.metadata.papermill["parameters"] == {"code": "00004", "lang": "en"}
    assert set(warm_nb.metadata.papermill) == set(cold.metadata.papermill)
    assert set(warm_nb.cells[2].metadata.papermill) == set(cold.cells[2].metadata.papermill)
    assert stdout(warm_nb) == stdout(cold) == f"'00004'\ncwd: {FIXTURE.parent}\n"
    assert nbformat.read(tmp_path / "warm.ipynb", as_version=4).cells[2].source == injected[0].source


def test_papermill_runs_a_notebook_on_a_warm_kernel_by_engine_name(tmp_path):
    """papermill.execute_notebook(..., engine_name="ntp-atlas-warm") finds the engine in its
    registry and runs the notebook on a warm kernel: the report libraries are imported before
    the first cell, and a second notebook runs on the same kernel, with a fresh namespace."""
    from papermill.engines import papermill_engines

    from analysis.run.engine import WarmKernelEngine, shared_pool

    assert papermill_engines.get_engine("ntp-atlas-warm") is WarmKernelEngine
    probe = make_notebook(tmp_path, "probe", "import os, sys\nprint(code, 'analysis.report.area' in sys.modules, "
                          "'seen' in globals(), os.getpid())\nseen = 1")
    first = papermill.execute_notebook(str(probe), str(tmp_path / "first.ipynb"), parameters={"code": "00004"},
                                       engine_name="ntp-atlas-warm", progress_bar=False)
    second = papermill.execute_notebook(str(probe), None, parameters={"code": "2"}, engine_name="ntp-atlas-warm",
                                        progress_bar=False)
    code, warmed, seen, pid = stdout(first).split()
    assert (code, warmed, seen) == ("00004", "True", "False")
    assert stdout(second).split() == ["2", "True", "False", pid]
    assert shared_pool().pids == [int(pid)]
    assert nbformat.read(tmp_path / "first.ipynb", as_version=4).metadata.papermill["parameters"] == {"code": "00004"}


def test_render_with_pool_keeps_codes_and_conventions(pool, tmp_path):
    out = render_report(FIXTURE, {"code": "00004", "lang": "en"}, tmp_path / "echo.html", pool=pool)
    page = out.read_text(encoding="utf-8")
    assert "&#39;00004&#39;" in page or "'00004'" in page
    assert "ANALYST-ONLY" not in page and "celltag_injected-parameters" not in page
    nb = nbformat.read(tmp_path / "echo.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != LEDGER) == ["echo.html", "echo.ipynb"]


# --- failures --------------------------------------------------------------------------------------


def test_cell_error_is_the_same_report_error_and_keeps_the_kernel(pool, tmp_path):
    before = list(pool.pids)
    with pytest.raises(ReportError) as err:
        render_report(FIXTURE, {"code": "1", "fail": "boom"}, tmp_path / "echo.html", pool=pool)
    assert "report echo_parameters.ipynb failed in code cell 4 (if fail:): ValueError: boom" in str(err.value)
    assert (tmp_path / "echo.failed.ipynb").exists() and not (tmp_path / "echo.html").exists()
    assert pool.pids == before


def test_crashed_kernel_fails_alone(pool, tmp_path):
    started = pool.started
    with pytest.raises(ReportError, match="report echo_parameters.ipynb failed: DeadKernelError"):
        render_report(FIXTURE, {"fail": "die"}, tmp_path / "dead.html", pool=pool)  # os._exit(1) in a cell
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != LEDGER) == ["dead.failed.ipynb"]
    out = render_report(FIXTURE, {"code": "after"}, tmp_path / "next.html", pool=pool)
    assert "after" in out.read_text(encoding="utf-8")
    assert pool.started == started + 1  # a fresh kernel replaced the dead one


def test_hung_cell_times_out_and_the_kernel_is_replaced(pool, tmp_path):
    hung = make_notebook(tmp_path, "hung", "import time\ntime.sleep(60)")
    started = pool.started
    with pytest.raises(ReportError, match="failed: CellTimeoutError"):
        render_report(hung, {}, tmp_path / "hung.html", pool=pool, timeout=2)
    out = render_report(FIXTURE, {"code": "next"}, tmp_path / "next.html", pool=pool)
    assert "next" in out.read_text(encoding="utf-8")
    assert pool.started == started + 1


# --- concurrency -----------------------------------------------------------------------------------


def test_two_kernels_six_reports_at_once(tmp_path):
    """--jobs 2: six reports from six threads on two kernels; no start-up race, no mix-up."""
    codes = [f"{i:05d}" for i in range(6)]
    probe = make_notebook(tmp_path, "probe", "import os\nprint(code, os.getpid())")
    with KernelPool(2, warm_modules=()) as pool, ThreadPoolExecutor(6) as threads:
        nbs = list(threads.map(lambda c: warm(pool, probe, {"code": c}),
                               codes))
        pids = set(pool.pids)
    lines = [stdout(nb).split() for nb in nbs]
    assert [line[0] for line in lines] == codes
    assert {int(line[1]) for line in lines} <= pids and len(pids) == 2


def test_closed_pool_refuses_work(tmp_path):
    pool = KernelPool(1, warm_modules=())
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        warm(pool, FIXTURE, {})


# --- the inputs stamp ------------------------------------------------------------------------------


def test_stamp_round_trip_and_tamper(tmp_path):
    fp = "ab" * 32
    page = tmp_path / "p.html"
    page.write_bytes(stamp_page(b"<html><body>x</body></html>", fp))
    assert page_inputs(page) == fp
    page.write_bytes(page.read_bytes().replace(b"x", b"y"))  # edited by hand
    assert page_inputs(page) is None
    page.write_bytes(b"<html></html>\n")
    assert page_inputs(page) is None
    assert page_inputs(tmp_path / "missing.html") is None
    with pytest.raises(ValueError):
        stamp_page(b"", "not a hash")
