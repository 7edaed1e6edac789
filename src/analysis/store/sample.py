"""The sample data shipped in ``data/sample/``, built by a deterministic generator.

District totals at the published dates reproduce the figures quoted in the press (Chi Lăng
at 04/08/2023, Sốp Cộp at 30/11/2023); everything below district level is synthetic. The
units are the official ones: all of Lạng Sơn (20) and the district of Sốp Cộp (127, Sơn La).
Amounts are kept in integer thousands of VND so that every sum is exact; files write them in
million VND with three decimals. Randomness comes from ``numpy.random.default_rng`` seeded
per concern from a fixed seed and a label, so changing one table leaves the others alone.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from analysis.catalog.indicators import load_catalogue, village_code
from analysis.catalog.units import official_units
from analysis.common.text import fold
from analysis.config import METRIC_CRS, SAMPLE_DIR, STORAGE_CRS
from analysis.inputs.schema import COMMUNES, FINANCE, INDICATORS, POVERTY, header_lookup

SEED = 1719
LANG_SON, SON_LA, SOP_COP, CHI_LANG = "20", "14", "127", "187"
INV, REC = "investment", "recurrent"
#: Published district figures in thousand VND (seed 000: Chi Lăng; seed 003: Sốp Cộp).
PUBLISHED = {
    "chi_lang_investment_plan": 80_324_324, "chi_lang_investment_disbursed": 29_720_000,
    "chi_lang_recurrent_plan": 67_591_837, "chi_lang_recurrent_disbursed": 3_312_000,
    "sop_cop_carried_plan": 8_356_336, "sop_cop_carried_disbursed": 2_791_000,
    "sop_cop_current_plan": 81_923_000, "sop_cop_current_disbursed": 35_215_000,
}
#: Lạng Sơn's EM poverty rate per year (seed 001: a fall of about 2.9 points a year).
EM_POVERTY_TARGET = {2021: 0.145, 2022: 0.116, 2023: 0.087}
REGION_III_EXITS = 11  # seed 001
#: The Lạng Sơn commune left without 2023 poverty data (Xã Lâm Ca, Đình Lập).
NO_POVERTY_2023 = "06640"
SNAPSHOTS = {
    2022: ("2022-06-30", "2022-09-30", "2023-01-31"),
    2023: ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"),
}
EXTRA_SNAPSHOTS = {(CHI_LANG, 2023): "2023-08-04", (SOP_COP, 2023): "2023-11-30"}
#: Province figures of seeds 001, 002 and 004 that the indicators reproduce (see _indicators).
SEED_FIGURES = {
    "scope_communes": 181,  # seed 004: "181/181 xã"; seed 001's 96,1% is 174/181
    "paved_road_without": 7,  # 174/181 = 96,13%
    "households_without_electricity": 38,  # (376.140 - 38)/376.140 = 99,990%
    "solid_facilities": 0.81,  # seed 001: 81% of schools, classrooms and health stations
    "p135_communes": 133,
    "p135_villages": 121,
    "p135_works": 431,  # seed 002 (2018)
    "p135_plan": 226_284_500,  # thousand VND: "226,3 tỷ đồng"
    "p30a_plan": {"181": 46_225_000, "189": 38_118_000},  # thousand VND, seed 002: 98% disbursed
    "p30a_disbursed_share": 0.98,
}
#: Dates of the indicator figures: seed 001 (end of 2023), 004 (mid-term review, assumed 30/6/2023), 002 (2018).
INDICATOR_DATES = {"001": (2023, "2023-12-31"), "004": (2023, "2023-06-30"), "002": (2018, "2018-12-31")}
#: Districts holding the deliberate flaws, all in the 2022 data.
FLAW_DISTRICTS = {"over_plan": "182", "negative_plan": "185", "unknown_commune": "180",
                  "duplicate": "188"}
#: Plausible (lon_min, lat_min, lon_max, lat_max) of each province.
PROVINCE_BBOX = {LANG_SON: (106.0, 21.3, 107.45, 22.5), SON_LA: (103.1, 20.5, 105.1, 22.1)}
# (project, capital types, share of communes that have it, plan weight per capital type)
_COMMUNE_PROJECTS = (
    ("DA1", (INV, REC), 0.7, (1.2, 1.0)), ("DA2", (INV,), 0.25, (1.5,)),
    ("DA3", (REC,), 0.8, (1.2,)), ("DA4", (INV, REC), 1.0, (3.0, 0.6)),
    ("DA5", (REC,), 0.45, (0.5,)), ("DA6", (INV, REC), 0.35, (0.8, 0.4)),
    ("DA7", (REC,), 0.5, (0.4,)), ("DA8", (REC,), 0.5, (0.3,)),
    ("DA9", (INV, REC), 0.06, (1.0, 0.6)),
)
_DISTRICT_PROJECTS = (("DA5", INV, 4.0), ("DA5", REC, 3.0), ("DA10", REC, 1.5))
_PROJECT_ORDER = ("DA1", "DA2", "DA3", "DA3.1", "DA3.2", "DA4", "DA5", "DA6", "DA7", "DA8",
                  "DA9", "DA10")
_POVERTY_HEADERS = ("Năm", "Mã xã", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo",
                    "Số hộ DTTS", "Số hộ nghèo DTTS")
_FIXED_TIME = datetime(2024, 1, 1)


def write_sample(out_dir: Path = SAMPLE_DIR) -> dict[str, Path]:
    """Write the sample data set, the same bytes on every run.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing); existing sample files are replaced.

    Returns
    -------
    dict of str to pathlib.Path
        The files written, keyed ``finance``, ``poverty``, ``communes``, ``indicators``,
        ``boundaries``, ``readme``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    units = _units()
    region21 = _regions_2021(units)
    poverty = _poverty(units, region21)
    communes = _classification(units, region21, poverty)
    finance, flaws = _finance(units, region21)
    indicators = _indicators(units, region21, poverty)
    names = ("finance.csv", "poverty.xlsx", "communes.csv", "indicators.csv", "boundaries.gpkg", "README.md")
    paths = {n.split(".")[0].lower(): out_dir / n for n in names}
    for key, table in (("finance", finance), ("communes", communes), ("indicators", indicators)):
        table.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")
    _write_poverty_xlsx(poverty, paths["poverty"])
    _write_gpkg(_boundaries(units), paths["boundaries"])
    text = _readme(units, finance, poverty, communes, flaws, indicators)
    paths["readme"].write_text(text, encoding="utf-8", newline="\n")
    return paths


# --- helpers ----------------------------------------------------------------------------


def _rng(*labels: object) -> np.random.Generator:
    # crc32, not hash(): str hashes are salted per process.
    return np.random.default_rng([SEED, zlib.crc32("/".join(map(str, labels)).encode())])


def _apportion(total: int, weights: np.ndarray, caps: np.ndarray | None = None) -> np.ndarray:
    """Split an integer total in proportion to weights, no part above its cap."""
    w = np.asarray(weights, dtype=float)
    caps = np.full(len(w), max(total, 0)) if caps is None else np.asarray(caps, dtype=np.int64)
    if total < 0 or total > caps.sum():
        raise ValueError(f"cannot split {total} under caps summing to {caps.sum()}")
    out = np.zeros(len(w), dtype=np.int64)
    free, left = caps > 0, total
    while True:  # parts that would pass their cap are fixed at it; share the rest again
        basis = np.where(free, w if w[free].sum() > 0 else caps.astype(float), 0.0)
        share = left * basis / basis.sum() if basis.sum() > 0 else basis
        over = free & (share > caps)
        if not over.any():
            break
        out[over], left, free = caps[over], left - caps[over].sum(), free & ~over
    out[free] = np.floor(share[free]).astype(np.int64)
    order = np.lexsort((np.arange(len(w)), np.floor(share) - share))
    order = order[(free & (out < caps))[order]][: total - out.sum()]
    out[order] += 1  # largest remainders first
    assert out.sum() == total
    return out


def _mvnd(thousands: int) -> str:
    sign = "-" if thousands < 0 else ""
    return f"{sign}{abs(thousands) // 1000}.{abs(thousands) % 1000:03d}"


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path) -> None:
    import pyogrio

    # GDAL stamps a GeoPackage with the current time unless given a fixed one.
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{_FIXED_TIME.isoformat()}.000Z"})
    try:
        path.unlink(missing_ok=True)
        gdf.to_file(path, layer="communes", driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _units() -> pd.DataFrame:
    u = official_units()
    u = u[(u["province_code"] == LANG_SON) | (u["district_code"] == SOP_COP)].copy()
    u["lat"], u["lon"] = u["lat"].astype(float), u["lon"].astype(float)
    box = u["province_code"].map(PROVINCE_BBOX)
    inside = np.array([x0 <= x <= x1 and y0 <= y <= y1
                       for (x0, y0, x1, y1), x, y in zip(box, u["lon"], u["lat"], strict=True)])
    if not inside.all():
        raise ValueError(f"points outside their province: {u['commune_code'][~inside].tolist()}")
    return u.sort_values("commune_code").reset_index(drop=True)


# --- classification and poverty --------------------------------------------------------


def _regions_2021(units: pd.DataFrame) -> pd.Series:
    rng, n = _rng("region", 2021), len(units)
    u, draw = rng.random(n), rng.random(n)
    region = np.where(u < 0.5, "III", np.where(u < 0.85, "II", "I"))
    town = units["commune_type"] == "Thị trấn"
    region = np.where(town, np.where(draw < 0.5, "I", "II"), region)
    region = np.where((units["commune_type"] == "Phường") | (units["district_code"] == "178"),
                      "I", region)
    region = np.where(units["district_code"] == SOP_COP, "III", region)
    return pd.Series(region, index=units["commune_code"].to_numpy())


def _poverty(units: pd.DataFrame, region: pd.Series) -> pd.DataFrame:
    rng, n = _rng("poverty"), len(units)
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
        em_poor[ls] = _apportion(target, em_hh[ls] * rate[ls], np.floor(0.85 * em_hh[ls]))
        poor = em_poor + np.round((hh - em_hh) * rate * rng.uniform(0.3, 0.6, n)).astype(int)
        near = np.minimum(np.round(hh * rng.uniform(0.05, 0.13, n)).astype(int), hh - poor)
        frames.append(pd.DataFrame({
            "year": year, "commune_code": units["commune_code"], "households": hh,
            "poor_households": poor, "near_poor_households": near, "em_households": em_hh,
            "em_poor_households": em_poor})[keep])
    return pd.concat(frames, ignore_index=True)[POVERTY.names]


def _classification(units: pd.DataFrame, region21: pd.Series,
                    poverty: pd.DataFrame) -> pd.DataFrame:
    """Regions 2021 and 2023: the Lạng Sơn III communes least poor in 2023 leave III."""
    rng, n, r21 = _rng("communes"), len(units), region21.to_numpy()
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
    return pd.concat(frames, ignore_index=True)[COMMUNES.names]


def _write_poverty_xlsx(poverty: pd.DataFrame, path: Path) -> None:
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
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()  # ExcelWriter, unlike Workbook.save, keeps the modified time set here
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed member times make the bytes reproducible
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            dst.writestr(member, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)


# --- indicators -------------------------------------------------------------------------


def _indicators(units: pd.DataFrame, region: pd.Series, poverty: pd.DataFrame) -> pd.DataFrame:
    """Unit-level rows of Lạng Sơn whose province totals are the figures of seeds 001, 002, 004.

    The scope of the commune figures is 181 communes: seed 004's "181/181 xã" (the xã of the
    2020-2023 unit list). The sample's units are of 2025, when Lạng Sơn had 175 xã, so six of
    its 14 towns (thị trấn) stand in for the six xã merged since. Wards are out of scope.
    """
    rng, f = _rng("indicators"), SEED_FIGURES
    ls = units[units["province_code"] == LANG_SON].reset_index(drop=True)
    codes, kind = ls["commune_code"].to_numpy(), ls["commune_type"].to_numpy()
    r21 = region.reindex(codes).to_numpy()
    towns = np.flatnonzero(kind == "Thị trấn")
    scope = np.sort(np.concatenate([np.flatnonzero(kind == "Xã"), rng.choice(towns, 6, replace=False)]))
    assert len(scope) == f["scope_communes"]
    rows: list[tuple] = []

    def add(seed: str, indicator: str, unit_codes, values) -> None:
        year, as_of = INDICATOR_DATES[seed]
        rows.extend((year, as_of, c, indicator, v) for c, v in zip(unit_codes, values, strict=True))

    # seed 001, end of 2023: paved roads, electricity, solid schools and clinics
    remote = scope[r21[scope] == "III"]
    no_road = set(rng.choice(remote, f["paved_road_without"], replace=False))
    add("001", "commune_paved_road", codes[scope], ["0" if i in no_road else "1" for i in scope])
    hh = poverty[poverty["year"] == 2023].set_index("commune_code")["households"].reindex(codes)
    dark = np.zeros(len(ls), dtype=np.int64)  # households without electricity, in five remote communes
    lit = remote[hh.notna().to_numpy()[remote]]
    dark[rng.choice(lit, 5, replace=False)] = _apportion(f["households_without_electricity"], np.ones(5))
    add("001", "households", codes, ["" if pd.isna(h) else str(int(h)) for h in hh])
    add("001", "households_electricity", codes, ["" if pd.isna(h) else str(int(h) - d) for h, d in zip(hh, dark,
        strict=True)])  # fmt: skip
    total = rng.integers(4, 10, len(ls))
    weight = np.select([kind != "Xã", r21 == "I", r21 == "II"], [1.0, 0.9, 0.8], 0.7)
    solid = _apportion(round(f["solid_facilities"] * total.sum()), weight * total, caps=total)
    add("001", "facilities", codes, total.astype(str))
    add("001", "facilities_solid", codes, solid.astype(str))
    # seed 004, mid-term review: steering committees in 11/11 districts and 181/181 communes
    districts = sorted(ls["district_code"].unique())
    add("004", "district_steering_committee", districts, ["1"] * len(districts))
    add("004", "commune_steering_committee", codes[scope], ["1"] * len(scope))
    # seed 002, 2018: Programme 135 in 133 communes and 121 villages, 431 works, 226,3 billion VND
    second = scope[(r21[scope] == "II") & (kind[scope] == "Xã")]
    p135 = np.concatenate([remote, rng.choice(second, f["p135_communes"] - len(remote), replace=False)])
    add("002", "p135_commune", codes[scope], ["1" if i in set(p135) else "0" for i in scope])
    hosts = np.setdiff1d(scope[kind[scope] == "Xã"], p135)  # their especially difficult villages
    n_villages = 2 + (np.arange(len(hosts)) < f["p135_villages"] - 2 * len(hosts))
    rng.shuffle(n_villages)
    villages = [village_code(codes[i], v) for i, n in zip(hosts, n_villages, strict=True)
                for v in np.sort(rng.choice(np.arange(1, 13), n, replace=False))]  # fmt: skip
    add("002", "p135_village", villages, ["1"] * len(villages))
    places = [*codes[np.sort(p135)], *villages]
    works = 1 + _apportion(f["p135_works"] - len(places), rng.uniform(0.5, 1.5, len(places)), np.full(len(places), 2))
    add("002", "p135_works", places, works.astype(str))
    plan = _apportion(f["p135_plan"], works * rng.lognormal(0.0, 0.3, len(places)))
    add("002", "p135_plan_mvnd", places, [_mvnd(x) for x in plan])
    # seed 002, 2018: Programme 30a disbursed 98% of its plan (two districts, synthetic)
    plans = np.array(list(f["p30a_plan"].values()))
    paid = _apportion(round(f["p30a_disbursed_share"] * plans.sum()), plans.astype(float), caps=plans)
    add("002", "p30a_plan_mvnd", list(f["p30a_plan"]), [_mvnd(x) for x in plans])
    add("002", "p30a_disbursed_mvnd", list(f["p30a_plan"]), [_mvnd(x) for x in paid])
    out = pd.DataFrame(rows, columns=INDICATORS.names)
    order = {c: i for i, c in enumerate(load_catalogue().codes)}
    out = out.sort_values(["year", "as_of", "indicator", "unit_code"], key=lambda s: s.map(order)
                          if s.name == "indicator" else s, kind="stable")  # fmt: skip
    return out.reset_index(drop=True)


# --- finance ----------------------------------------------------------------------------


def _catalogue(units: pd.DataFrame, region: pd.Series) -> pd.DataFrame:
    """The finance lines (district, commune, project, capital type) with plan weights."""
    rng, rows, boost = _rng("catalogue"), [], {"III": 1.6, "II": 1.0, "I": 0.5}
    for dcode in sorted(units["district_code"].unique()):
        rows += [(dcode, "", p, cap, w) for p, cap, w in _DISTRICT_PROJECTS]
        for code in units.loc[units["district_code"] == dcode, "commune_code"]:
            draws, split = rng.random(len(_COMMUNE_PROJECTS)), rng.random() < 0.12
            for (proj, caps, share, weights), u in zip(_COMMUNE_PROJECTS, draws, strict=True):
                if u >= share:
                    continue
                names = ("DA3.1", "DA3.2") if proj == "DA3" and split else (proj,)
                rows += [(dcode, code, name, cap, w * boost[region[code]] / len(names))
                         for name in names for cap, w in zip(caps, weights, strict=True)]
    cols = ["district_code", "commune_code", "project", "capital_type", "weight"]
    return pd.DataFrame(rows, columns=cols)


def _current_totals(dcode: str, year: int, n_communes: int, carried: pd.DataFrame | None,
                    rng: np.random.Generator) -> dict[str, int]:
    """The current plan of a district by capital type, in thousand VND."""
    if (dcode, year) == (CHI_LANG, 2023):  # published plans include the carried-over funds
        co = carried.groupby("capital_type")["plan"].sum()
        return {INV: PUBLISHED["chi_lang_investment_plan"] - int(co.get(INV, 0)),
                REC: PUBLISHED["chi_lang_recurrent_plan"] - int(co.get(REC, 0))}
    per_commune = {SOP_COP: (6.0, 9.0), "178": (1.0, 2.0)}.get(dcode, (2.5, 5.5))  # billion
    total = n_communes * rng.uniform(*per_commune) * (1.15 if year == 2023 else 1.0) * 1e6
    if (dcode, year) == (SOP_COP, 2023):
        total = PUBLISHED["sop_cop_current_plan"]
    inv = 1000 * round(total * rng.uniform(0.5, 0.65) / 1000)
    return {INV: inv, REC: 1000 * round(total / 1000) - inv}


def _plans(lines: pd.DataFrame, totals: dict[str, int], rng: np.random.Generator) -> np.ndarray:
    weights = lines["weight"].to_numpy() * rng.lognormal(0.0, 0.6, len(lines))
    plan = np.zeros(len(lines), dtype=np.int64)
    for cap, total in totals.items():  # whole millions; the odd thousands on the largest line
        idx = np.flatnonzero(lines["capital_type"].to_numpy() == cap)
        part = _apportion(total // 1000, weights[idx]) * 1000
        part[np.argmax(part)] += total % 1000
        plan[idx] = part
    return plan


def _ratios(lines: pd.DataFrame, year: int, rng: np.random.Generator) -> np.ndarray:
    """Year-end disbursement ratio per line: district level, laggards, lines at zero."""
    n = len(lines)
    level = rng.uniform(0.68, 0.93) if year == 2022 else rng.uniform(0.7, 0.95)
    level = np.where(lines["fund"] == "current", level, rng.uniform(0.8, 0.98))
    ratio = np.clip(level * rng.uniform(0.8, 1.15, n), 0, 1)
    ratio[rng.random(n) < 0.3] = 1.0  # fully disbursed: nothing carried over
    communes = lines["commune_code"].unique()
    laggards = communes[rng.random(len(communes)) < 0.06]
    ratio *= np.where(lines["commune_code"].isin(laggards), rng.uniform(0.1, 0.3, n), 1.0)
    return ratio * (rng.random(n) >= 0.03)


def _disburse(plan, ratio, expo, t, pins) -> np.ndarray:
    """Cumulative disbursement per line (rows) and snapshot (columns), never decreasing.

    A line reaches ``plan * ratio`` at the year end along ``t ** expo``. A pinned group of
    lines is first split to hit its published total at its snapshot, then drawn around it.
    """
    tk = t[None, :] ** expo[:, None]
    end = np.floor(plan * ratio)
    out = np.floor(end[:, None] * tk).astype(np.int64)
    for a, mask, total in pins:
        idx = np.flatnonzero(mask)
        va = _apportion(total, plan[idx] * ratio[idx] * tk[idx, a], caps=plan[idx])
        out[idx, :a] = np.floor(va[:, None] * (t[None, :a] / t[a]) ** expo[idx, None])
        out[idx, a] = va
        if a + 1 < len(t):
            grow = (tk[idx, a + 1 :] - tk[idx, a, None]) / (1 - tk[idx, a, None])
            gap = np.maximum(va, end[idx]) - va
            out[idx, a + 1 :] = va[:, None] + np.floor(gap[:, None] * grow)
    return out


def _pins(dcode: str, year: int, lines: pd.DataFrame, snaps: list[str]) -> list:
    """(snapshot index, lines, total disbursed) that must match a published figure."""
    cap, fund = lines["capital_type"].to_numpy(), lines["fund"].to_numpy()
    if (dcode, year) == (SOP_COP, 2022):  # the year end leaves exactly the carried-over sum
        total = int(lines["plan"].sum()) - PUBLISHED["sop_cop_carried_plan"]
        return [(len(snaps) - 1, np.ones(len(lines), bool), total)]
    a = snaps.index(EXTRA_SNAPSHOTS[(dcode, year)]) if (dcode, year) in EXTRA_SNAPSHOTS else -1
    if (dcode, year) == (CHI_LANG, 2023):
        return [(a, cap == INV, PUBLISHED["chi_lang_investment_disbursed"]),
                (a, cap == REC, PUBLISHED["chi_lang_recurrent_disbursed"])]
    if (dcode, year) == (SOP_COP, 2023):
        return [(a, fund == "carried_over", PUBLISHED["sop_cop_carried_disbursed"]),
                (a, fund == "current", PUBLISHED["sop_cop_current_disbursed"])]
    return []


def _finance(units: pd.DataFrame, region: pd.Series) -> tuple[pd.DataFrame, dict[str, dict]]:
    catalogue, carried, frames, flaws = _catalogue(units, region), {}, [], {}
    n_communes = units.groupby("district_code")["commune_code"].size()
    for year in (2022, 2023):
        for dcode in sorted(catalogue["district_code"].unique()):
            rng = _rng("finance", year, dcode)
            lines = catalogue[catalogue["district_code"] == dcode].assign(fund="current")
            totals = _current_totals(dcode, year, int(n_communes[dcode]), carried.get(dcode), rng)
            lines["plan"] = _plans(lines, totals, rng)
            if year == 2023:
                lines = pd.concat([lines, carried[dcode]], ignore_index=True)
            ratio, expo = _ratios(lines, year, rng), rng.uniform(1.2, 2.6, len(lines))
            snaps = sorted([*SNAPSHOTS[year], *filter(None, [EXTRA_SNAPSHOTS.get((dcode, year))])])
            days = [(date.fromisoformat(s) - date(year, 1, 1)).days for s in snaps]
            t = np.minimum(np.array(days) / (date(year, 12, 31) - date(year, 1, 1)).days, 1.0)
            plan = lines["plan"].to_numpy()
            disb = _disburse(plan, ratio, expo, t, _pins(dcode, year, lines, snaps))
            if year == 2022 and dcode == FLAW_DISTRICTS["over_plan"]:
                i = int(np.flatnonzero((lines["commune_code"] != "").to_numpy() & (plan > 0))[0])
                disb[i, -1] = plan[i] + round(plan[i] * 0.035)
                flaws["over_plan"] = {**lines.iloc[i][["commune_code", "project", "capital_type"]],
                                      "as_of": snaps[-1], "plan": plan[i], "disbursed": disb[i, -1]}
            if year == 2022:  # what is left at the year end is carried over into 2023
                left = plan - disb[:, -1]
                carried[dcode] = lines[left > 0].assign(fund="carried_over", plan=left[left > 0])
            frames += [lines.assign(year=year, as_of=s, disbursed=disb[:, j])
                       for j, s in enumerate(snaps)]
    df, rejects = _add_rejects(pd.concat(frames, ignore_index=True))
    df["province_code"] = np.where(df["district_code"] == SOP_COP, SON_LA, LANG_SON)
    df["_p"] = df["project"].map(_PROJECT_ORDER.index)
    df["_f"] = df["fund"].map({"current": 0, "carried_over": 1})
    order = ["year", "as_of", "district_code", "commune_code", "_p", "capital_type", "_f"]
    df = df.sort_values(order, kind="stable")
    df["plan_mvnd"], df["disbursed_mvnd"] = df["plan"].map(_mvnd), df["disbursed"].map(_mvnd)
    columns = [c for c in FINANCE.names if c != "programme"]  # all NTP 1719, the default
    return df[columns].reset_index(drop=True), {**flaws, **rejects}


def _add_rejects(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Three rows that validation must reject, all in the 2022 data as of 30/09/2022."""
    as_of = "2022-09-30"
    at = (df["year"] == 2022) & (df["as_of"] == as_of) & (df["commune_code"] != "")
    neg = df[at & (df["district_code"] == FLAW_DISTRICTS["negative_plan"])]
    code = neg["commune_code"].iloc[0]
    used = neg.loc[neg["commune_code"] == code, "project"].tolist()
    proj = next(p for p in ("DA8", "DA7", "DA6", "DA2") if p not in used)  # a key of its own
    out = {
        "negative_plan": {"commune_code": code, "project": proj, "capital_type": REC,
                          "plan": -120_000, "disbursed": 0},
        "unknown_commune": {"commune_code": "99999", "project": "DA4", "capital_type": INV,
                            "plan": 450_000, "disbursed": 118_500},
    }
    rows = [{"year": 2022, "as_of": as_of, "fund": "current", "district_code": FLAW_DISTRICTS[k],
             **out[k]} for k in out]
    dup = df[at & (df["district_code"] == FLAW_DISTRICTS["duplicate"])
             & (df["project"] == "DA4") & (df["capital_type"] == INV)].iloc[[0]]
    out["duplicate"] = dup.iloc[0][["commune_code", "project", "capital_type", "plan",
                                    "disbursed"]].to_dict()
    for v in out.values():
        v["as_of"] = as_of
    return pd.concat([df, pd.DataFrame(rows), dup], ignore_index=True), out


# --- boundaries -------------------------------------------------------------------------


def _shared_points(units: pd.DataFrame) -> list[list[int]]:
    """Positions of communes that share their coordinates with another, grouped."""
    key = units["lat"].round(6).astype(str) + "," + units["lon"].round(6).astype(str)
    groups = units.index.to_series().groupby(key, sort=True).apply(list)
    return [g for g in groups if len(g) > 1]


def _boundaries(units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Approximate polygons: Voronoi cells of the commune points, clipped to an outline."""
    pts = gpd.GeoSeries(gpd.points_from_xy(units["lon"], units["lat"]), crs=STORAGE_CRS)
    pts = pts.to_crs(METRIC_CRS)
    xy = np.column_stack([pts.x, pts.y])
    for group in _shared_points(units):  # spread symmetrically, 600 m around the point
        for j, i in enumerate(group):
            angle = np.pi / 4 + 2 * np.pi * j / len(group)
            xy[i] += 600 * np.array([np.cos(angle), np.sin(angle)])
    points = shapely.points(xy)
    cells = np.empty(len(units), dtype=object)
    for pcode in sorted(units["province_code"].unique()):
        idx = np.flatnonzero((units["province_code"] == pcode).to_numpy())
        multi = shapely.multipoints(points[idx])
        hull = shapely.concave_hull(multi, ratio=0.3) if pcode == LANG_SON else multi.convex_hull
        outline = hull.buffer(4000)
        for cell in shapely.get_parts(shapely.voronoi_polygons(multi, extend_to=outline)):
            owner = idx[shapely.contains(cell, points[idx])][0]
            piece = cell.intersection(outline)
            if piece.geom_type == "MultiPolygon":  # keep the part around the point
                piece = next(p for p in piece.geoms if p.contains(points[owner]))
            cells[owner] = piece
    cols = ["commune_code", "commune_name", "district_code", "district_name", "province_code",
            "province_name"]
    out = gpd.GeoDataFrame(units[cols].copy(), geometry=list(cells), crs=METRIC_CRS)
    out["boundary_quality"] = "approximate"
    return out.to_crs(STORAGE_CRS)


# --- README -----------------------------------------------------------------------------


def _indicator_lines(ind: pd.DataFrame) -> str:
    """The seed figures as the sample's indicator rows give them, with the arithmetic."""
    v = ind.assign(x=pd.to_numeric(ind["value"], errors="coerce"))

    def of(code: str) -> pd.Series:
        return v.loc[v["indicator"] == code, "x"]

    def ratio(num: str, den: str) -> tuple[float, float]:
        both = v[v["indicator"].isin([num, den])].pivot(index="unit_code", columns="indicator", values="x").dropna()
        return both[num].sum(), both[den].sum()

    road, (lit, hh) = of("commune_paved_road"), ratio("households_electricity", "households")
    (solid, fac), (paid, plan) = ratio("facilities_solid", "facilities"), ratio("p30a_disbursed_mvnd", "p30a_plan_mvnd")
    no_hh = v.loc[(v["indicator"] == "households") & v["x"].isna(), "unit_code"].tolist()
    return f"""- seed 001 (2023, as of 2023-12-31): paved road to the commune centre in {int(road.sum())} of
  {road.count()} communes = {100 * road.mean():.2f}% (96.1%); households with electricity
  {int(lit):,} of {int(hh):,} = {100 * lit / hh:.3f}% (99.99%), commune {", ".join(no_hh)} without a
  figure (no 2023 poverty review either: left out, not counted as zero); solid schools, classrooms
  and health stations {int(solid):,} of {int(fac):,} = {100 * solid / fac:.2f}% (81%).
- seed 004 (2023, as of 2023-06-30, assumed: the mid-term review): steering committees in
  {int(of("district_steering_committee").sum())} of {of("district_steering_committee").count()} districts and \
{int(of("commune_steering_committee").sum())} of {of("commune_steering_committee").count()} communes.
- seed 002 (2018, as of 2018-12-31): Programme 135 in {int(of("p135_commune").sum())} communes (of
  {of("p135_commune").count()}) and {int(of("p135_village").sum())} villages, {int(of("p135_works").sum())} works, \
plan {of("p135_plan_mvnd").sum():,.3f} million VND
  (226.3 billion); Programme 30a disbursed {paid:,.3f} of {plan:,.3f} million VND = {100 * paid / plan:.2f}%
  (98%) in two districts, Bình Gia (181) and Đình Lập (189), chosen for the sample.
- The 11 communes leaving khu vực III (seed 001) come from `communes.csv`."""


def _readme(units, finance, poverty, communes, flaws, indicators) -> str:
    names = dict(zip(units["commune_code"], units["commune_name"], strict=True))
    names.update(zip(units["district_code"], units["district_name"], strict=True))

    def flaw(key: str) -> str:
        a = flaws[key]
        place = names.get(a["commune_code"], "no such commune")
        return (f"{place} ({a['commune_code']}), {names[FLAW_DISTRICTS[key]]}, {a['project']} "
                f"{a['capital_type']}, as of {a['as_of']}: plan {_mvnd(a['plan'])}, "
                f"disbursed {_mvnd(a['disbursed'])}")

    codes = units["commune_code"]
    shared = "; ".join(" and ".join(f"{names[codes[i]]} ({codes[i]})" for i in group)
                       for group in _shared_points(units))
    regions = communes.pivot(index="commune_code", columns="year", values="region")
    exits = int(((regions[2021] == "III") & (regions[2023] != "III")).sum())
    n_ls = int((units["province_code"] == LANG_SON).sum())
    return f"""# Sample data: generated by `ntp-atlas sample`, do not edit by hand

`analysis.store.sample.write_sample` writes these files, the same bytes on every run. Units: the 11
districts and {n_ls} communes of Lạng Sơn (20) and Sốp Cộp (127, 8 communes) of Sơn La (14).

**Everything below district level is SYNTHETIC.** Only district totals at the published dates
reproduce press figures: Chi Lăng (187) as of 2023-08-04, investment 29,720.000 of 80,324.324
million VND (37%), recurrent 3,312.000 of 67,591.837 (4.9%), both funds; Sốp Cộp (127) as of
2023-11-30, carried over from 2022 2,791.000 of 8,356.336 (33.40%), 2023 allocation 35,215.000
of 81,923.000 (42.99%). Lạng Sơn's ethnic-minority poverty rate falls about 2.9 points a year
(2021-2023) and {exits} of its communes leave khu vực III between the 2021 and 2023 lists.

- `finance.csv` ({len(finance):,} rows): plan and cumulative disbursement, million VND, by year,
  as-of date, commune (empty for the district-level DA5 and DA10 rows), project, capital type
  and fund. 2022 as of 30/6, 30/9, 31/1/2023 (year end); 2023 as of 31/3, 30/6, 30/9, 31/12,
  plus 4/8 (Chi Lăng) and 30/11 (Sốp Cộp). A carried-over plan is the line's 2022 plan less
  its 2022 year-end disbursement.
- `poverty.xlsx` ({len(poverty):,} rows): households, poor, near-poor, DTTS and DTTS poor
  households per commune, 2021-2023, under a title block; commune codes are text cells.
- `communes.csv` ({len(communes):,} rows): khu vực and thôn ĐBKK per commune, 2021 and 2023.
- `indicators.csv` ({len(indicators):,} rows): unit-level figures of Lạng Sơn, one per year,
  as-of date, unit and indicator (`resources/indicators.json`); units are districts, communes
  and villages (commune code, `-`, the village's number: `06481-03`).
- `boundaries.gpkg`: layer `communes`, EPSG:4326, `boundary_quality` = `approximate`.

## Indicators: the province figures of seeds 001, 002 and 004

Every figure is computed from the rows, never stored as a total:

{_indicator_lines(indicators)}

The commune figures are about 181 communes: the denominator of seed 004's "181/181 xã", and
one under which seed 001's 96.1% is a whole number of communes (174/181 = 96.13%), while
neither the sample's 194 communes (186 = 95.88%, 187 = 96.39%) nor all 200 units of 2023
(192 = 96.0%, 193 = 96.5%) gives it. They were the xã of the 2020-2023 unit list;
the sample's units are of 2025, when Lạng Sơn had 175 xã, so 6 of its 14 towns (thị trấn) stand
in for the 6 xã merged since. Wards have no row: out of scope, not missing. The 2018 figures
are keyed to the same units. Which commune has which figure is synthetic.

## The polygons are approximate

Real boundaries cannot ship. Each polygon is the Voronoi cell of the commune's point in the
official unit list (EPSG:3405, per province), clipped to a 4 km buffer around a concave hull
of the points (a convex hull for Sốp Cộp). For trying the maps, never for measuring. Points
shared by two communes were first moved 600 m apart: {shared}. The Cao Lộc Mẫu Sơn has
the coordinate of its Lộc Bình namesake, so its polygon lies among Lộc Bình's communes.

## Deliberate flaws, for the validator (2022 data, districts with no published figure)

- Disbursed above plan (a warning; no carried-over line follows): {flaw("over_plan")}.
- Rejected, negative plan: {flaw("negative_plan")}.
- Rejected, unknown commune code: {flaw("unknown_commune")}.
- Rejected, exact duplicate of the row above it: {flaw("duplicate")}.
- {names[NO_POVERTY_2023]} ({NO_POVERTY_2023}, Đình Lập) has 2023 finance but no 2023 poverty
  row (for the "finance but no poverty" rule).
"""
