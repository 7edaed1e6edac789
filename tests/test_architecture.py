"""The architecture of ``src/analysis`` stays as docs/architecture.md draws it.

Each rule is a checker over source text (parsed with :mod:`ast`) and a test that runs it over
every module of the package. Each checker also has a self-test on a tiny synthetic source, so
a checker that can no longer fail is caught before it silently passes the real tree.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis.config import PROJECT_ROOT

pytestmark = pytest.mark.architecture

SRC = PROJECT_ROOT / "src"
PACKAGE = SRC / "analysis"
DOC = PROJECT_ROOT / "docs" / "architecture.md"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

#: The only module allowed to import the package inside functions: lazy imports keep the
#: command line's start-up fast (``ntp-atlas --help`` must not load pandas and matplotlib).
FUNCTION_IMPORTS_ALLOWED = {"analysis/cli.py"}

#: Most lines a module of src/analysis may have: one concern per module.
MAX_LINES = 400

#: Modules allowed over :data:`MAX_LINES`, as ``{"analysis/x/y.py": "why it cannot be split"}``.
#: Each one is also named, with its reason, in docs/architecture.md ("Exceptions to the line
#: limit"). Keep it empty unless a split would cut one concern in two.
LINE_LIMIT_EXCEPTIONS: dict[str, str] = {}


def _modules() -> list[Path]:
    """Every ``.py`` file of the package, sorted."""
    return sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    """``analysis/x/y.py``: a module's path relative to ``src``."""
    return path.relative_to(SRC).as_posix()


def _is_package_import(node: ast.Import | ast.ImportFrom) -> bool:
    """Whether an import statement imports from the ``analysis`` package (relative imports too)."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "analysis"
    return any(alias.name.split(".")[0] == "analysis" for alias in node.names)


def _is_private(name: str) -> bool:
    """``_name`` is private; ``__dunder__`` names (``__version__``) are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# -- checkers: each takes a module's source text and returns its offences as readable lines --


def function_level_imports(source: str) -> list[str]:
    """Imports of ``analysis`` inside a function or method, as ``"line N: import ..."``."""
    offences = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import | ast.ImportFrom) and _is_package_import(node):
                offences.append(f"line {node.lineno} in {func.name}(): {ast.unparse(node)}")
    return sorted(set(offences))


def private_imports(source: str) -> list[str]:
    """Another module's ``_private`` names reached by import (``from analysis.x import _y``,
    ``import analysis.x._y``) or by attribute on an imported module (``batch._lang_suffix``)."""
    tree = ast.parse(source)
    offences = []
    module_aliases: set[str] = set()  # local names bound to modules of the package
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or not _is_package_import(node):
            continue
        if isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            for alias in node.names:
                if _is_private(alias.name) or any(_is_private(p) for p in parts):
                    offences.append(f"line {node.lineno}: {ast.unparse(node)}")
                module_aliases.add(alias.asname or alias.name)
        else:
            for alias in node.names:
                if any(_is_private(p) for p in alias.name.split(".")):
                    offences.append(f"line {node.lineno}: {ast.unparse(node)}")
                module_aliases.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in module_aliases and base.id not in ("self", "cls"):
                offences.append(f"line {node.lineno}: {ast.unparse(node)}")
    return sorted(set(offences))


def star_imports(source: str) -> list[str]:
    """``from x import *`` statements."""
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
    ]


def too_long(source: str, limit: int = MAX_LINES) -> int | None:
    """The module's line count when it is over ``limit``, else None."""
    n = len(source.splitlines())
    return n if n > limit else None


_SAYS_IMPORTS = re.compile(r"\bmay import\b", re.IGNORECASE)


def package_docstring_problem(source: str) -> str | None:
    """What an ``__init__.py``'s docstring lacks: it must say what the folder holds (a summary
    line) and what it may import (a sentence with "may import")."""
    doc = ast.get_docstring(ast.parse(source))
    if not doc:
        return "no docstring"
    if len(doc.strip().splitlines()[0].split()) < 3:
        return "no summary of what the folder holds"
    if not _SAYS_IMPORTS.search(doc):
        return 'does not say what it may import (a sentence with "May import ...")'
    return None


# -- self-tests: every checker fails on a bad example and passes a good one --


def test_function_level_imports_checker_can_fail():
    """The checker flags package imports in functions and methods, and nothing else."""
    bad = textwrap.dedent(
        """
        def f():
            from analysis.x import y
        class C:
            def m(self):
                import analysis.z
        async def g():
            from . import w
        """
    )
    assert len(function_level_imports(bad)) == 3
    good = "import json\nfrom analysis.x import y\n\ndef f():\n    import json\n    return y\n"
    assert function_level_imports(good) == []


def test_private_imports_checker_can_fail():
    """The checker flags private names imported or reached through an imported module."""
    assert private_imports("from analysis.run.batch import _lang_suffix\n")
    assert private_imports("from analysis.run import batch\nbatch._lang_suffix('vi')\n")
    assert private_imports("import analysis.run.batch as b\nb._row_hashes\n")
    assert private_imports("from analysis.x._impl import y\n")
    good = (
        "from analysis import __version__\nfrom analysis.run.batch import lang_suffix\n"
        "import pandas as pd\npd._libs\nclass C:\n    def m(self):\n        return self._x\n"
    )
    assert private_imports(good) == []


def test_star_imports_checker_can_fail():
    """The checker flags ``import *`` and passes explicit imports."""
    assert star_imports("from analysis.report import *\n")
    assert star_imports("from analysis.report import area_title\n") == []


def test_line_limit_checker_can_fail():
    """The checker flags a module one line over the limit and passes one at the limit."""
    assert too_long("x = 1\n" * (MAX_LINES + 1)) == MAX_LINES + 1
    assert too_long("x = 1\n" * MAX_LINES) is None


def test_package_docstring_checker_can_fail():
    """The checker wants a docstring, a summary line and a sentence on what may be imported."""
    assert package_docstring_problem("from x import y\n") == "no docstring"
    assert package_docstring_problem('"""Maps."""\n') == "no summary of what the folder holds"
    assert "may import" in package_docstring_problem('"""Maps and charts of every area."""\n')
    good = '"""Maps and charts of every area.\n\nMay import :mod:`analysis.metrics`."""\n'
    assert package_docstring_problem(good) is None


# -- the rules over the real tree --


def _offences(checker) -> dict[str, list[str]]:
    found = {}
    for path in _modules():
        if lines := checker(path.read_text(encoding="utf-8")):
            found[_rel(path)] = lines
    return found


def _lint_imports_command() -> list[str] | None:
    """The ``lint-imports`` command of this interpreter's environment, or None."""
    if importlib.util.find_spec("importlinter") is None:
        return None
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    return [found] if found else None


def _run_lint_imports(command: list[str], cwd: Path, src: Path, config: Path | None = None):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))}
    args = [*command, "--no-cache"] + (["--config", str(config)] if config else [])
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def lint_imports() -> list[str]:
    command = _lint_imports_command()
    if command is None:
        reason = "import-linter is not installed: `make setup` installs it (pip install -e '.[test]')"
        if IN_CI:
            pytest.fail(reason)  # CI installs the test extras: a missing linter is a broken setup
        pytest.skip(reason)
    return command


def test_lint_imports_can_fail(lint_imports, tmp_path):
    """lint-imports, run the way the next test runs it, fails on a package whose lower layer
    imports its upper one (so a passing run means the contracts were checked)."""
    pkg = tmp_path / "src" / "tinypkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("from tinypkg import high\n")
    (pkg / "high.py").write_text("x = 1\n")
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "tinypkg"\n\n[[tool.importlinter.contracts]]\n'
        'name = "layers"\ntype = "layers"\nlayers = ["tinypkg.high", "tinypkg.low"]\n'
    )
    result = _run_lint_imports(lint_imports, tmp_path, tmp_path / "src", config)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "tinypkg.low -> tinypkg.high" in result.stdout


def test_import_contracts_are_kept(lint_imports):
    """The import-linter contracts of pyproject.toml are kept: imports go down the layers
    (upward only for type hints under TYPE_CHECKING), no cycle inside a folder, the office-form
    importer is called only by the CLI. Without this the folders stop showing the architecture."""
    result = _run_lint_imports(lint_imports, PROJECT_ROOT, SRC)
    assert result.returncode == 0, result.stdout[result.stdout.find("Broken contracts") :] or result.stderr


def test_no_package_imports_inside_functions():
    """No ``import analysis...`` inside a function or method except in cli.py (lazy loading for
    start-up speed): a function-level import hides a cycle; move the code to its layer instead."""
    found = {k: v for k, v in _offences(function_level_imports).items() if k not in FUNCTION_IMPORTS_ALLOWED}
    assert found == {}, "package imports inside functions:\n" + _listing(found)


def test_no_private_cross_module_imports():
    """No module reaches another module's ``_private`` name: a helper two modules need is
    public in the module where it belongs, so a private name can change without breaking others."""
    found = _offences(private_imports)
    assert found == {}, "private names of other modules:\n" + _listing(found)


def test_modules_are_at_most_400_lines():
    """No module of src/analysis over 400 lines, except the listed exceptions: one concern per
    module, small enough to read whole."""
    over = {}
    for path in _modules():
        n = too_long(path.read_text(encoding="utf-8"))
        if n is not None and _rel(path) not in LINE_LIMIT_EXCEPTIONS:
            over[_rel(path)] = n
    listing = "\n".join(f"  {name}: {n} lines" for name, n in sorted(over.items(), key=lambda kv: -kv[1]))
    assert over == {}, f"modules over {MAX_LINES} lines (split them along their concerns):\n{listing}"


def test_line_limit_exceptions_are_needed_and_documented():
    """Every listed exception to the line limit is still over it and is justified in
    docs/architecture.md, so the list cannot quietly grow or go stale."""
    doc = DOC.read_text(encoding="utf-8")
    for name, reason in LINE_LIMIT_EXCEPTIONS.items():
        path = SRC / name
        assert path.exists(), f"{name} is listed as an exception but does not exist"
        assert too_long(path.read_text(encoding="utf-8")) is not None, f"{name} is under the limit: unlist it"
        assert reason.strip(), f"{name}: give the reason"
        assert name.removeprefix("analysis/") in doc, f"{name}: justify it in docs/architecture.md"


def test_every_subpackage_says_what_it_holds_and_may_import():
    """Every subpackage's ``__init__.py`` has a docstring saying what the folder holds and what
    it may import: the folder is the unit a newcomer reads first."""
    problems = {}
    for init in sorted(PACKAGE.rglob("__init__.py")):
        if init.parent == PACKAGE:
            continue  # the package itself: its docstring says what ntp-atlas is
        if problem := package_docstring_problem(init.read_text(encoding="utf-8")):
            problems[_rel(init)] = problem
    assert problems == {}, "\n".join(f"  {name}: {problem}" for name, problem in problems.items())


def test_no_star_imports():
    """No ``import *`` in the package, its tests, scripts or benchmarks: every name's home is
    written where it is used, so moving a name updates its callers instead of hiding them."""
    found = {}
    for folder in ("src", "tests", "scripts", "benchmarks"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if lines := star_imports(path.read_text(encoding="utf-8")):
                found[path.relative_to(PROJECT_ROOT).as_posix()] = lines
    assert found == {}, "import * :\n" + _listing(found)


def _listing(found: dict[str, list[str]]) -> str:
    return "\n".join(f"  {name}\n" + "\n".join(f"    {line}" for line in lines) for name, lines in found.items())
