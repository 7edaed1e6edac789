"""The canonical input tables: their columns, the headers offices use for them, and the words
offices write their values with.

One row per fact. Column names are the canonical English ones; the Vietnamese headers in
:data:`ALIASES` are accepted too (compared without diacritics, case or punctuation).
``docs/data-format.md`` documents the same thing for users. The pandera schemas that check
parsed rows are in :mod:`analysis.inputs.pandera_schemas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from analysis.catalog.programmes import get_programme
from analysis.common.text import fold

CAPITAL_TYPES = ("investment", "recurrent")
FUNDS = ("current", "carried_over")
REGIONS = ("I", "II", "III")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: str  # "year", "date", "code", "enum", "project", "amount", "count", "text"
    required: bool = True
    #: For codes: the number of digits (GSO codes are fixed width).
    width: int | None = None
    #: May the cell be empty (a district-level row has no commune code)?
    nullable: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""
    example: str = ""
    #: For amounts and counts: the plausible range a figure must fall in (a key of
    #: :data:`analysis.config.BOUNDS`), or ``"unit"`` for a bound by the row's unit of measure
    #: (the table's ``extra["bound_units"]`` says which, see :mod:`analysis.inputs.bounds`).
    bound: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns, the key that makes a row one fact."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


FINANCE = TableSpec(
    name="finance",
    description="Capital plan and disbursement, cumulative to the as-of date, in million VND.",
    key=("year", "as_of", "district_code", "commune_code", "programme", "project", "capital_type", "fund"),
    # a project is read against its row's programme (analysis.catalog.programmes), after parsing
    extra={"resolve": "analysis.inputs.finance_projects:resolve_projects"},
    columns=(
        Column("year", "year", aliases=("năm", "năm kế hoạch", "nam"), description="plan year", example="2023"),
        Column(
            "as_of",
            "date",
            aliases=("tính đến ngày", "đến ngày", "ngày số liệu", "ngày báo cáo", "số liệu đến ngày"),
            description="date the cumulative figures run to (dd/mm/yyyy or yyyy-mm-dd)",
            example="30/11/2023",
        ),
        Column(
            "province_code",
            "code",
            required=False,
            width=2,
            aliases=("mã tỉnh",),
            description="GSO province code (derived from the district when absent)",
            example="14",
        ),
        Column("district_code", "code", width=3, aliases=("mã huyện",), description="GSO district code", example="127"),
        Column(
            "commune_code",
            "code",
            required=False,
            width=5,
            nullable=True,
            aliases=("mã xã",),
            description="GSO commune code; empty for a row of the district as a whole",
            example="04231",
        ),
        Column(
            "programme",
            "text",
            required=False,
            nullable=True,
            aliases=("chương trình", "mã chương trình", "chương trình mtqg"),
            description="programme code or name (ntp1719, p135, p30a, ntp_gnbv, ntp_ntm); NTP 1719 when "
            "absent or empty",
            example="ntp1719",
        ),
        Column(
            "project",
            "project",
            required=False,
            nullable=True,
            aliases=("dự án", "mã dự án", "dự án/tiểu dự án"),
            description="a project of the row's programme: DA1…DA10 or a sub-project such as DA3.1 for NTP 1719; "
            "empty if not by project",
            example="DA4",
        ),
        Column(
            "capital_type",
            "enum",
            aliases=("loại vốn", "vốn"),
            description="investment (vốn đầu tư phát triển) or recurrent (vốn sự nghiệp)",
            example="investment",
        ),
        Column(
            "fund",
            "enum",
            aliases=("nguồn", "loại nguồn", "năm vốn"),
            description="current (vốn giao trong năm) or carried_over (vốn chuyển nguồn/kéo dài)",
            example="current",
        ),
        Column(
            "plan_mvnd",
            "amount",
            aliases=("kế hoạch vốn", "kế hoạch", "kế hoạch vốn giao", "kế hoạch vốn (triệu đồng)", "kh vốn"),
            description="capital plan, million VND",
            example="8.356,336",
            bound="amount_mvnd",
        ),
        Column(
            "disbursed_mvnd",
            "amount",
            aliases=("giải ngân", "đã giải ngân", "thanh toán", "giải ngân (triệu đồng)", "giá trị giải ngân"),
            description="disbursed to the as-of date, million VND",
            example="2.791",
            bound="amount_mvnd",
        ),
    ),
)

POVERTY = TableSpec(
    name="poverty",
    description="Households by poverty status per commune and year (the annual poverty review).",
    key=("year", "commune_code"),
    columns=(
        Column("year", "year", aliases=("năm", "năm rà soát"), example="2023"),
        Column("commune_code", "code", width=5, aliases=("mã xã",), example="06481"),
        Column(
            "households",
            "count",
            aliases=("tổng số hộ", "số hộ", "tổng số hộ dân cư"),
            example="1.234",
            bound="households",
        ),
        Column("poor_households", "count", aliases=("số hộ nghèo", "hộ nghèo"), example="210", bound="households"),
        Column(
            "near_poor_households",
            "count",
            aliases=("số hộ cận nghèo", "hộ cận nghèo"),
            example="95",
            bound="households",
        ),
        Column(
            "em_households",
            "count",
            aliases=("số hộ dtts", "số hộ dân tộc thiểu số", "hộ dtts"),
            description="ethnic-minority households",
            example="1.100",
            bound="households",
        ),
        Column(
            "em_poor_households",
            "count",
            aliases=("số hộ nghèo dtts", "hộ nghèo dtts", "số hộ nghèo dân tộc thiểu số"),
            description="ethnic-minority poor households",
            example="200",
            bound="households",
        ),
    ),
)

COMMUNES = TableSpec(
    name="communes",
    description="Commune classification (khu vực I/II/III) by year of classification, and villages.",
    key=("year", "commune_code"),
    columns=(
        Column(
            "year", "year", aliases=("năm", "năm phân định"), description="year of the classification", example="2021"
        ),
        Column("commune_code", "code", width=5, aliases=("mã xã",), example="06481"),
        Column(
            "region", "enum", aliases=("khu vực", "kv", "phân định khu vực"), description="I, II or III", example="III"
        ),
        Column(
            "villages",
            "count",
            required=False,
            aliases=("số thôn", "số thôn vùng đồng bào dtts", "thôn thuộc vùng đồng bào dtts và miền núi"),
            description="villages in the ethnic-minority and mountainous area (2026–2030 classification; optional)",
            example="25",
            bound="villages",
        ),
        Column(
            "dbkk_villages",
            "count",
            required=False,
            aliases=("số thôn đbkk", "thôn đặc biệt khó khăn", "số thôn đặc biệt khó khăn"),
            description="number of especially difficult villages (thôn ĐBKK), among them",
            example="4",
            bound="villages",
        ),
    ),
)

#: Years an indicator may belong to: Programme 135 and 30a figures go back to their 2016-2020 phase.
INDICATOR_FIRST_YEAR = 2016

INDICATORS = TableSpec(
    name="indicators",
    description="Unit-level figures (roads, electricity, steering committees, works built…), one per unit, "
    "indicator and date; resources/indicators.json says what each indicator is and how it adds up.",
    key=("year", "as_of", "unit_code", "indicator"),
    # the unit code is read against its indicator's level (analysis.inputs.indicators), after parsing;
    # a value's plausible range depends on what its indicator counts (analysis.inputs.bounds)
    extra={"resolve": "analysis.inputs.indicators:resolve_rows",
           "bound_units": "analysis.inputs.indicators:value_units"},
    columns=(
        Column(
            "year", "year", aliases=("năm", "năm báo cáo"), description="year the figure belongs to", example="2023"
        ),
        Column(
            "as_of",
            "date",
            aliases=("tính đến ngày", "đến ngày", "ngày số liệu", "ngày báo cáo", "số liệu đến ngày"),
            description="date the figure stands at (dd/mm/yyyy or yyyy-mm-dd)",
            example="31/12/2023",
        ),
        Column(
            "unit_code",
            "text",
            aliases=("mã đơn vị", "mã đơn vị hành chính", "mã địa bàn"),
            description="province (2 digits), district (3), commune (5) or village (commune code, '-', village "
            "number) code, at the indicator's level",
            example="06481",
        ),
        Column(
            "indicator",
            "text",
            aliases=("chỉ tiêu", "mã chỉ tiêu", "tên chỉ tiêu"),
            description="code (or name) of an indicator of resources/indicators.json",
            example="commune_paved_road",
        ),
        Column(
            "value",
            "amount",
            nullable=True,
            aliases=("giá trị", "kết quả", "số liệu"),
            description="the figure: 1/0 for yes/no, a count, or million VND; empty when the unit has no figure",
            example="1",
            bound="unit",
        ),
    ),
)

TABLES = {t.name: t for t in (FINANCE, POVERTY, COMMUNES, INDICATORS)}

# --- value vocabularies ---------------------------------------------------------------

_VALUE_ALIASES = {
    "capital_type": {
        "investment": (
            "investment",
            "đầu tư",
            "đầu tư phát triển",
            "vốn đầu tư",
            "vốn đầu tư phát triển",
            "đtpt",
            "dtpt",
        ),
        "recurrent": ("recurrent", "sự nghiệp", "vốn sự nghiệp", "sn", "career"),
    },
    "fund": {
        "current": ("current", "năm nay", "vốn năm", "vốn giao", "vốn giao trong năm", "trong năm", "giao trong năm"),
        "carried_over": ("carried_over", "carried over", "chuyển nguồn", "vốn chuyển nguồn", "kéo dài", "vốn kéo dài"),
    },
    "region": {
        "I": ("i", "1", "kv i", "khu vực i", "kvi"),
        "II": ("ii", "2", "kv ii", "khu vực ii", "kvii"),
        "III": ("iii", "3", "kv iii", "khu vực iii", "kviii"),
    },
}


def _build_value_lookup() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for col, mapping in _VALUE_ALIASES.items():
        out[col] = {fold(alias): canon for canon, aliases in mapping.items() for alias in aliases}
    return out


VALUE_LOOKUP = _build_value_lookup()


def header_lookup(spec: TableSpec) -> dict[str, str]:
    """Map folded header text to canonical column names (names and aliases)."""
    out = {}
    for col in spec.columns:
        out[fold(col.name)] = col.name
        out[fold(col.name.replace("_", " "))] = col.name
        for alias in col.aliases:
            out[fold(alias)] = col.name
    return out


def normalize_project(text: str, programme: str = "ntp1719") -> str | None:
    """Canonical project code from ``DA4``, ``Dự án 4``, ``DA 3.1``; ``None`` if not one.

    The projects, and the words offices write them with, are those of the programme's file in
    ``resources/programmes/`` (see :mod:`analysis.catalog.programmes`).

    >>> normalize_project("Dự án 3.1")
    'DA3.1'
    """
    return get_programme(programme).normalize(text)


def without_districts(spec: TableSpec) -> TableSpec:
    """The table as keyed to the units of 1/7/2025 (no districts): its ``district_code`` column,
    if it has one, optional and empty (a row with a district code is rejected,
    :mod:`analysis.inputs.new_unit_checks`)."""
    if "district_code" not in spec.names:
        return spec
    columns = tuple(
        replace(c, required=False, nullable=True) if c.name == "district_code" else c for c in spec.columns
    )
    return replace(spec, columns=columns)
