"""``convert --to 2025`` on the degenerate but valid shapes of a province's data.

The sample (Lạng Sơn) has merges and three divided communes; these tests take the other
shapes, from a small hand-made fixture of Sơn La's Sốp Cộp district (``tests/fixtures/sop-cop``:
its 8 communes, whose squares are made up, and their made-up figures): in the 2025 reform its
8 communes became 4 by merges alone, none divided (the package crosswalk, vietnamadminunits):

- 04225 Púng Bánh, 04228, 04234 -> new 04228 Xã Púng Bánh
- 04231 Sốp Cộp, 04237, 04243 -> new 04231 Xã Sốp Cộp
- 04240 -> new 04240 Xã Mường Lèo; 04246 -> new 04246 Xã Mường Lạn

Every expected figure below is the sum of the fixture's rows, worked out by hand.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import analysis
from analysis.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "sop-cop"


def _subset(tmp_path: Path, name: str, keep: set[str] | None) -> Path:
    """The fixture's table ``name`` with only the communes in ``keep`` (and district rows)."""
    with (FIXTURE / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    code = rows[0].index("commune_code")
    out = tmp_path / name
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0]] + [r for r in rows[1:] if keep is None or r[code] in keep or not r[code]])
    return out


def _prepare_and_convert(tmp_path: Path, *, keep: set[str] | None = None, communes: bool = True) -> Path:
    argv = ["prepare", "--finance", str(_subset(tmp_path, "finance.csv", keep)),
            "--poverty", str(_subset(tmp_path, "poverty.csv", keep)),
            "--communes", str(_subset(tmp_path, "communes.csv", keep)) if communes else "none",
            "--indicators", "none", "--boundaries", str(FIXTURE / "boundaries.geojson"),
            "--out", str(tmp_path / "prepared")]  # fmt: skip
    assert main(argv) == 0
    convert = ["convert", "--to", "2025", "--data-dir", str(tmp_path / "prepared"), "--out", str(tmp_path / "new")]
    assert main(convert) == 0
    return tmp_path / "new"


def _sums(folder: Path, table: str, columns: list[str]) -> dict:
    frame = pd.read_parquet(folder / f"{table}.parquet")
    sums = frame.groupby(frame["commune_code"].astype("string").fillna("<NA>"))[columns].sum()
    return {code: tuple(float(v) for v in row) for code, row in zip(sums.index, sums.to_numpy(), strict=True)}


# (communes kept, communes table given) -> new commune: (plan, disbursed), (households, poor);
# "<NA>" is the district's own row (DA5, 500 / 100), which goes to the new province.
SHAPES = {
    "merges only, none divided": (
        None, True,
        {"04228": (600.0, 180.0), "04231": (200.0, 65.0), "04240": (40.0, 20.0), "04246": (10.0, 0.0),
         "<NA>": (500.0, 100.0)},
        {"04228": (1000.0, 300.0), "04231": (1500.0, 325.0), "04240": (600.0, 240.0), "04246": (350.0, 35.0)},
    ),
    "no communes table": (
        None, False,
        {"04228": (600.0, 180.0), "04231": (200.0, 65.0), "04240": (40.0, 20.0), "04246": (10.0, 0.0),
         "<NA>": (500.0, 100.0)},
        {"04228": (1000.0, 300.0), "04231": (1500.0, 325.0), "04240": (600.0, 240.0), "04246": (350.0, 35.0)},
    ),
    "one commune": (
        {"04246"}, True,
        {"04246": (10.0, 0.0), "<NA>": (500.0, 100.0)},
        {"04246": (350.0, 35.0)},
    ),
    "every unit unchanged": (
        {"04240", "04246"}, False,
        {"04240": (40.0, 20.0), "04246": (10.0, 0.0), "<NA>": (500.0, 100.0)},
        {"04240": (600.0, 240.0), "04246": (350.0, 35.0)},
    ),
    "part of a merge in the data": (
        {"04225", "04228"}, True,
        {"04228": (300.0, 90.0), "<NA>": (500.0, 100.0)},  # 100 + 200, 40 + 50
        {"04228": (800.0, 220.0)},  # 300 + 500, 120 + 100
    ),
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_converts_with_its_totals_worked_out_by_hand(tmp_path, capsys, shape):
    keep, communes, finance, poverty = SHAPES[shape]
    new = _prepare_and_convert(tmp_path, keep=keep, communes=communes)
    assert _sums(new, "finance", ["plan_mvnd", "disbursed_mvnd"]) == finance
    assert _sums(new, "poverty", ["households", "poor_households"]) == poverty
    table = gpd.read_parquet(new / "communes.parquet").set_index("commune_code")
    # the boundaries hold the whole district, so every new commune is on the map, with or without data
    assert sorted(table.index) == ["04228", "04231", "04240", "04246"]
    assert sorted(table.index[table["has_poverty"]]) == sorted(poverty)
    assert (table["split_old_codes"] == "").all()  # nothing divided in Sốp Cộp
    assert table["n_old_communes"].to_dict() == {"04228": 3, "04231": 3, "04240": 1, "04246": 1}
    # every old commune is in the prepared folder (its boundaries), whatever figures it has
    assert table["complete"].all()
    assert sorted(table.index[table["has_finance"]]) == sorted(k for k in finance if k != "<NA>")
    assert "internal error" not in capsys.readouterr().err


@pytest.mark.slow
def test_batch_by_the_2025_units_for_a_district_with_no_divided_commune(tmp_path):
    """``batch --units 2025`` end to end for Sốp Cộp: the province of Sơn La's new communes."""
    prepared = tmp_path / "prepared"
    argv = ["prepare", "--finance", str(FIXTURE / "finance.csv"), "--poverty", str(FIXTURE / "poverty.csv"),
            "--communes", str(FIXTURE / "communes.csv"), "--indicators", "none",
            "--boundaries", str(FIXTURE / "boundaries.geojson"), "--out", str(prepared)]  # fmt: skip
    assert main(argv) == 0
    env_path = str(Path(analysis.__file__).parents[1])
    done = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "batch", "--province", "14", "--units", "2025",
         "--data", str(prepared), "--out", str(tmp_path / "reports")],
        capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHONPATH": env_path},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    html = sorted(p.relative_to(tmp_path / "reports").as_posix() for p in (tmp_path / "reports").rglob("*.html"))
    assert html and any(p.endswith("index.html") for p in html), html
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "reports").rglob("*.html"))
    assert "Púng Bánh" in text and "internal error" not in text
