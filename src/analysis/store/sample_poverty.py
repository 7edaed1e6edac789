"""The sample's commune classification (khu vực I/II/III, thôn ĐBKK) and household poverty
review, and the poverty table written as a workbook under a title block, as offices send it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from analysis.common.text import fold
from analysis.inputs.schema import COMMUNES, POVERTY, header_lookup
from analysis.store.sample_figures import (
    EM_POVERTY_TARGET,
    FIXED_TIME,
    LANG_SON,
    NO_POVERTY_2023,
    REGION_III_EXITS,
    SOP_COP,
    apportion,
    seeded_rng,
)

__all__ = ["make_classification", "make_poverty", "regions_2021", "write_poverty_xlsx"]

_POVERTY_HEADERS = ("Năm", "Mã xã", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo",
                    "Số hộ DTTS", "Số hộ nghèo DTTS")


def regions_2021(units: pd.DataFrame) -> pd.Series:
    """The khu vực (I, II, III) of each sample commune in the 2021 list, by commune code."""
    rng, n = seeded_rng("region", 2021), len(units)
    u, draw = rng.random(n), rng.random(n)
    region = np.where(u < 0.5, "III", np.where(u < 0.85, "II", "I"))
    town = units["commune_type"] == "Thị trấn"
    region = np.where(town, np.where(draw < 0.5, "I", "II"), region)
    region = np.where((units["commune_type"] == "Phường") | (units["district_code"] == "178"),
                      "I", region)
    region = np.where(units["district_code"] == SOP_COP, "III", region)
    return pd.Series(region, index=units["commune_code"].to_numpy())


def make_poverty(units: pd.DataFrame, region: pd.Series) -> pd.DataFrame:
    """Households, poor, near-poor and ethnic-minority households per commune, 2021-2023."""
    rng, n = seeded_rng("poverty"), len(units)
    urban = units["commune_type"].isin(["Phường", "Thị trấn"]).to_numpy()
    sop = (units["district_code"] == SOP_COP).to_numpy()
    hh = np.where(urban, rng.integers(1500, 4001, n), rng.integers(600, 3001, n))
    em_share = np.where(urban, rng.uniform(0.45, 0.8, n), rng.uniform(0.8, 0.99, n))
    em_share = np.where(sop, rng.uniform(0.93, 0.995, n), em_share)
    kv = [region.to_numpy() == "III", region.to_numpy() == "II"]
    lo, hi = np.select(kv, [0.2, 0.1], 0.02), np.select(kv, [0.38, 0.2], 0.08)
    rate = np.where(sop, rng.uniform(0.4, 0.6, n), rng.uniform(lo, hi))
    frames = []
    for year in (2021, 2022, 2023):
        if year > 2021:  # most communes fall, about one in seven rises
            falls = rng.random(n) < 0.85
            rate = rate * np.where(falls, rng.uniform(0.65, 0.88, n), rng.uniform(1.02, 1.2, n))
            hh = np.round(hh * rng.uniform(1.003, 1.02, n)).astype(int)
        em_hh = np.round(hh * em_share).astype(int)
        em_poor = np.round(em_hh * rate).astype(np.int64)
        keep = ~((units["commune_code"] == NO_POVERTY_2023).to_numpy() & (year == 2023))
        ls = keep & ~sop  # Lạng Sơn's communes are scaled to the province rate
        target = round(EM_POVERTY_TARGET[year] * em_hh[ls].sum())
        em_poor[ls] = apportion(target, em_hh[ls] * rate[ls], np.floor(0.85 * em_hh[ls]))
        poor = em_poor + np.round((hh - em_hh) * rate * rng.uniform(0.3, 0.6, n)).astype(int)
        near = np.minimum(np.round(hh * rng.uniform(0.05, 0.13, n)).astype(int), hh - poor)
        frames.append(pd.DataFrame({
            "year": year, "commune_code": units["commune_code"], "households": hh,
            "poor_households": poor, "near_poor_households": near, "em_households": em_hh,
            "em_poor_households": em_poor})[keep])
    return pd.concat(frames, ignore_index=True)[POVERTY.names]


def make_classification(units: pd.DataFrame, region21: pd.Series,
                    poverty: pd.DataFrame) -> pd.DataFrame:
    """Regions 2021 and 2023: the Lạng Sơn III communes least poor in 2023 leave III."""
    rng, n, r21 = seeded_rng("communes"), len(units), region21.to_numpy()
    half = rng.integers(0, 5, n) * (rng.random(n) < 0.5)
    dbkk = np.select([r21 == "III", r21 == "II"], [rng.integers(3, 13, n), half],
                     (rng.random(n) < 0.1).astype(int))
    p23 = poverty[poverty["year"] == 2023].set_index("commune_code")
    em_rate = (p23["em_poor_households"] / p23["em_households"]).reindex(units["commune_code"])
    ls = (units["province_code"] == LANG_SON).to_numpy() & em_rate.notna().to_numpy()
    order = np.lexsort((units["commune_code"].to_numpy(), em_rate.fillna(1).to_numpy()))
    exits = order[((r21 == "III") & ls)[order]][:REGION_III_EXITS]
    to_one = order[((r21 == "II") & ls)[order]][:4]
    r23 = r21.copy()
    r23[exits], r23[to_one] = "II", "I"
    d23 = np.maximum(dbkk - rng.integers(0, 2, n), 0)
    d23[exits] = np.minimum(dbkk[exits], rng.integers(0, 3, len(exits)))
    d23[to_one] = 0
    frames = [pd.DataFrame({"year": y, "commune_code": units["commune_code"], "region": r,
                            "dbkk_villages": d})
              for y, r, d in ((2021, r21, dbkk), (2023, r23, d23))]
    return pd.concat(frames, ignore_index=True)[[c for c in COMMUNES.names if c != "villages"]]  # villages: from 2026


def write_poverty_xlsx(poverty: pd.DataFrame, path: Path) -> None:
    """Write the poverty table as a workbook under a title block, the same bytes on every run."""
    lookup = header_lookup(POVERTY)
    assert [lookup[fold(h)] for h in _POVERTY_HEADERS] == POVERTY.names
    wb = Workbook()
    ws = wb.active
    ws.title = "Rà soát hộ nghèo"
    ws.append(["UBND TỈNH LẠNG SƠN – UBND HUYỆN SỐP CỘP (TỈNH SƠN LA)"])
    ws.append(["KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2021–2023 (DỮ LIỆU MẪU)"])
    ws.append([])
    ws.append(list(_POVERTY_HEADERS))
    for cell in (ws["A1"], ws["A2"], *ws[4]):
        cell.font = Font(bold=True)
    for rec in poverty.itertuples(index=False):
        ws.append([int(rec[0]), str(rec[1]), *(int(v) for v in rec[2:])])
        ws.cell(ws.max_row, 2).number_format = "@"  # a text cell keeps the leading zero
    for col, width in zip("ABCDEFG", (8, 10, 12, 12, 15, 12, 17), strict=True):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "ntp-atlas sample"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()  # ExcelWriter, unlike Workbook.save, keeps the modified time set here
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed member times make the bytes reproducible
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            dst.writestr(member, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
