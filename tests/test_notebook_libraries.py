"""The Jupyter libraries load when a notebook first runs, not when the package is imported."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return set(out.stdout.split())


def test_the_run_modules_import_no_notebook_library():
    # an unchanged batch renders nothing: papermill and jsonschema (2 s of grammar compiling) are not paid
    loaded = _modules_after("import analysis.run.batch, analysis.run.country, analysis.cli")
    assert not {"papermill", "nbformat", "nbconvert", "jsonschema"} & loaded


def test_loading_them_imports_them_on_another_thread():
    loaded = _modules_after(
        "import importlib, threading\n"
        "from analysis.run import notebook_libraries as nl\n"
        "seen = []\n"
        "real = importlib.import_module\n"
        "def spy(name, *a):\n"
        "    if name in nl.NOTEBOOK_LIBRARIES:\n"
        "        seen.append((name, threading.current_thread().name))\n"
        "    return real(name, *a)\n"
        "importlib.import_module = spy\n"
        "nl.load_notebook_libraries(); nl.load_notebook_libraries()\n"
        "assert {t for _, t in seen} == {'ntp-notebook-imports'}, seen\n"
        "assert [n for n, _ in seen] == list(nl.NOTEBOOK_LIBRARIES), seen  # once: the second call has them\n"
    )
    assert {"papermill", "nbformat", "nbconvert", "jupyter_client.manager"} <= loaded


def test_the_engine_is_registered_on_first_use():
    loaded = _modules_after(
        "import analysis.run.engine as engine, sys\n"
        "assert 'papermill' not in sys.modules\n"
        "cls = engine.WarmKernelEngine\n"
        "from papermill.engines import papermill_engines\n"
        "assert papermill_engines.get_engine(engine.ENGINE_NAME) is cls is engine.register_engine()\n"
    )
    assert "papermill" in loaded
