"""environment.yml (conda users) and pyproject.toml (pip users) list the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis.config import PROJECT_ROOT

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(req: str) -> tuple[str, str]:
    m = _REQ.match(req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"])
    for extra in data["project"]["optional-dependencies"].values():
        reqs += extra
    return dict(_parse(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            name, spec = _parse(item)
            if name in ("python", "pip"):
                continue
            out[name] = spec
    return out


def test_same_packages_and_versions():
    pip, conda = _pyproject(), _environment()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml, missing from environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml, missing from pyproject.toml"
    differ = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda[k]}
    assert differ == {}, f"version specs differ (pyproject, environment.yml): {differ}"


def test_python_version_matches():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[-1] == data["project"]["requires-python"].removeprefix(">=")


def test_data_format_doc_lists_every_column_and_alias():
    from analysis.inputs.schema import TABLES

    doc = (PROJECT_ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for spec in TABLES.values():
        for col in spec.columns:
            assert f"`{col.name}`" in doc, col.name
            for alias in col.aliases:
                assert f"“{alias}”" in doc, alias


def test_data_format_doc_examples_are_valid(tmp_path):
    """The examples in docs/data-format.md parse with no rejects, and both spellings agree."""
    import re as _re

    from analysis.catalog.units import official_units
    from analysis.inputs.schema import COMMUNES, FINANCE, INDICATORS, POVERTY
    from analysis.inputs.validate import validate_table

    doc = (PROJECT_ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    blocks = _re.findall(r"```\n(.*?)```", doc, flags=_re.S)
    specs = {  # the first prefix a block starts with decides
        "Năm;Tính đến ngày;Mã đơn vị": INDICATORS,
        "year,as_of,unit_code": INDICATORS,
        "Năm;": FINANCE,
        "year,as_of": FINANCE,
        "year,commune_code,households": POVERTY,
        "year,commune_code,region": COMMUNES,
    }
    results = []
    for i, block in enumerate(blocks):
        spec = next((s for prefix, s in specs.items() if block.startswith(prefix)), None)
        if spec is None:
            continue
        path = tmp_path / f"example{i}.csv"
        path.write_text(block, encoding="utf-8")
        result = validate_table(path, spec, official_units())
        assert result.n_rejected == 0, result.rejects
        results.append(result)
    assert len(results) == 6
    vi, en = results[0].accepted, results[1].accepted
    cols = ["commune_code", "project", "capital_type", "fund", "plan_mvnd", "disbursed_mvnd"]
    assert vi[cols].astype(str).values.tolist() == en[cols].astype(str).values.tolist()
    vi, en = (r.accepted for r in results if r.spec is INDICATORS)
    cols = ["year", "as_of", "unit_code", "indicator", "value"]
    assert vi[cols].astype(str).values.tolist() == en[cols].astype(str).values.tolist()
