"""Rendering: parameters stay strings, the HTML is clean and offline, failures keep the old report."""

from __future__ import annotations

import html
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from analysis.common.ownership import LEDGER
from analysis.config import NOTEBOOKS_DIR
from analysis.errors import ParameterError, ReportError
from analysis.run.outputs import slug
from analysis.run.render import render_report

FIXTURE = Path(__file__).parent / "fixtures" / "echo_parameters.ipynb"
#: src= or href= pointing off the machine: http://, https:// or protocol-relative //host
EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def page_text(page: str) -> str:
    """The visible text of a page: tags, styles and scripts dropped, entities decoded."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def analyst_phrases(notebook: Path) -> list[str]:
    """From each analyst-note cell, four words in a row with no markdown markup around them."""
    phrases = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if "analyst-note" in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                words = re.findall(r"(?<![`*_#\[])\b[A-Za-z]+\b(?![`*_\]])", line)
                if len(words) >= 4:
                    phrases.append(" ".join(words[:4]))
                    break
    return phrases


def assert_clean_page(page: str, lang: str) -> None:
    assert f'<html lang="{lang}">' in page
    assert not EXTERNAL.search(page), EXTERNAL.search(page).group(0)
    assert re.search(r"<title>[^<]+</title>", page)
    # input code hidden, removed cells gone (nbconvert tags each cell div with celltag_<tag>)
    assert "report.context(" not in page and "from analysis import" not in page
    for tag in ("analyst-note", "parameters", "injected-parameters"):
        assert f"celltag_{tag}" not in page


# --- the tiny fixture notebook (fast) ----------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "echo.html"
    return render_report(FIXTURE, {"code": "00004", "lang": "en"}, out)


def test_codes_stay_strings(fixture_report):
    page = fixture_report.read_text(encoding="utf-8")
    assert "'00004'" in page_text(page)  # repr() of a str; papermill's CLI -p would give 4
    assert_clean_page(page, "en")
    assert "ANALYST-ONLY" not in page and "print(repr" not in page
    assert "Reader-visible text." in page
    # the kernel ran in the notebook's folder
    assert f"cwd: {FIXTURE.parent}" in page_text(page)
    executed = fixture_report.with_suffix(".ipynb")
    assert executed.exists()
    nb = nbformat.read(executed, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


def test_failure_keeps_previous_outputs(fixture_report, tmp_path):
    good = tmp_path / "echo.html"
    shutil.copy2(fixture_report, good)
    shutil.copy2(fixture_report.with_suffix(".ipynb"), tmp_path / "echo.ipynb")
    before = good.read_bytes(), (tmp_path / "echo.ipynb").read_bytes()
    with pytest.raises(ReportError) as err:
        render_report(FIXTURE, {"code": "1", "fail": "boom \x1b[31mred\x1b[0m"}, good)
    message = str(err.value)
    assert "report echo_parameters.ipynb failed in code cell 4 (if fail:): ValueError: boom red" in message
    assert "\x1b" not in message and "Traceback" not in message
    assert (good.read_bytes(), (tmp_path / "echo.ipynb").read_bytes()) == before
    assert (tmp_path / "echo.failed.ipynb").exists()
    # and the list of what ntp-atlas wrote there (analysis.common.ownership): the failed notebook
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ntp-atlas-files", "echo.failed.ipynb", "echo.html",
                                                          "echo.ipynb"]


def test_dead_kernel_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="report echo_parameters.ipynb failed: DeadKernelError"):
        render_report(FIXTURE, {"fail": "die"}, tmp_path / "echo.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ntp-atlas-files", "echo.failed.ipynb"]


def test_unknown_notebook():
    with pytest.raises(ParameterError, match="district_report, province_overview, explore"):
        render_report("no_such_report", {}, Path("unused.html"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Huyện Chi Lăng", "chi-lang"),
        ("Thành phố Lạng Sơn", "lang-son"),
        ("Huyện Đình Lập", "dinh-lap"),
        ("../../etc/passwd", "etc-passwd"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("", "unnamed"),
        ("..", "unnamed"),
        ("/", "unnamed"),
        ("Huyện", "huyen"),
    ],
)
def test_slug(name, expected):
    s = slug(name)
    assert s == expected
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", s)
    assert "/" not in s and ".." not in s


# --- the real notebooks on the sample data (slow) ------------------------------------------

# Published figures, ../shared/reference/published_figures.csv.
# Seed 003 (Sốp Cộp, Sơn La, as of 30/11/2023): plan 90,279.336 million VND, of which
# 8,356.336 carried over from 2022 (2,791 disbursed, 33.40%) and 81,923 allocated for 2023
# (35,215 disbursed, 42.99%).
SOP_COP_VI = ["90.279,336", "8.356,336", "2.791", "33,40%", "81.923", "35.215", "42,99%"]
SOP_COP_EN = ["90,279.336", "8,356.336", "2,791", "33.40%", "81,923", "35,215", "42.99%"]
# Seed 000 (Chi Lăng, Lạng Sơn, as of 04/08/2023): investment 29.72 billion VND disbursed,
# 37% of plan; recurrent 4.9% of plan.
CHI_LANG_VI = ["29.720", "37,00%", "4,90%"]

SOP_COP = {"province": "14", "district": "127", "year": "2023", "as_of": "2023-11-30"}
CHI_LANG = {"province": "20", "district": "187", "year": "2023", "as_of": "2023-08-04"}
RUNS = {
    ("district_report", "vi"): ("district_report", SOP_COP),
    ("district_report", "en"): ("district_report", SOP_COP),
    ("province_overview", "en"): ("province_overview", {"province": "20", "year": "2023", "as_of": ""}),
    ("explore", "vi"): ("explore", CHI_LANG),
    ("explore", "en"): ("explore", CHI_LANG),
}


@pytest.fixture(scope="module")
def rendered(sample_prepared, tmp_path_factory) -> dict:
    """The runs above, two at a time (each has its own kernel); an exception is kept and
    raised by the test that reads it, so one failure does not hide the others."""
    out = tmp_path_factory.mktemp("rendered")

    def run(key):
        notebook, params = RUNS[key]
        params = params | {"lang": key[1], "data_dir": str(sample_prepared), "baseline_year": ""}
        try:
            return render_report(notebook, params, out / f"{notebook}.{key[1]}.html")
        except Exception as exc:  # noqa: BLE001 - handed to the test
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(RUNS, pool.map(run, RUNS), strict=True))


def _page(rendered, sample_batch, notebook: str, lang: str) -> Path:
    """Vietnamese district report and overview come from the session's batch (Chi Lăng)."""
    if lang == "vi" and notebook in ("district_report", "province_overview"):
        name = "187-chi-lang.html" if notebook == "district_report" else "overview.html"
        return sample_batch.folder / name
    result = rendered[(notebook, lang)]
    if isinstance(result, Exception):
        raise result
    return result


@pytest.mark.slow
def test_sop_cop_published_figures(rendered):
    path = rendered[("district_report", "vi")]
    if isinstance(path, Exception):
        raise path
    text = page_text(path.read_text(encoding="utf-8"))
    missing = [figure for figure in SOP_COP_VI if figure not in text]
    assert not missing, f"published figures (seed 003) not in the Sốp Cộp report: {missing}"


@pytest.mark.slow
def test_chi_lang_published_figures(sample_batch):
    text = page_text((sample_batch.folder / "187-chi-lang.html").read_text(encoding="utf-8"))
    missing = [figure for figure in CHI_LANG_VI if figure not in text]
    assert not missing, f"published figures (seed 000) not in the Chi Lăng report: {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("key", [("district_report", "vi"), ("district_report", "en"), "chi_lang"])
def test_report_page_is_clean(rendered, sample_batch, key):
    path = sample_batch.folder / "187-chi-lang.html" if key == "chi_lang" else rendered[key]
    if isinstance(path, Exception):
        raise path
    page = path.read_text(encoding="utf-8")
    lang = "en" if key == ("district_report", "en") else "vi"
    assert_clean_page(page, lang)
    text = page_text(page)
    for phrase in analyst_phrases(NOTEBOOKS_DIR / "district_report.ipynb"):
        assert phrase not in text
    assert len(re.findall(r"<img [^>]*src=\"data:image/png;base64,", page)) >= 5
    assert path.with_suffix(".ipynb").exists()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("notebook", ["district_report", "province_overview", "explore"])
def test_every_notebook_in_both_languages(rendered, sample_batch, notebook, lang):
    path = _page(rendered, sample_batch, notebook, lang)
    page = path.read_text(encoding="utf-8")
    assert_clean_page(page, lang)
    assert path.with_suffix(".ipynb").exists()
    for phrase in analyst_phrases(NOTEBOOKS_DIR / f"{notebook}.ipynb"):
        assert phrase not in page_text(page)
    text = page_text(page)
    if lang == "en":
        assert "Disbursement rate" in text
        assert "Tỷ lệ giải ngân" not in text
    else:
        assert "Tỷ lệ giải ngân" in text
    if (notebook, lang) == ("district_report", "en"):
        missing = [figure for figure in SOP_COP_EN if figure not in text]
        assert not missing, f"published figures (seed 003), English format, not in the report: {missing}"


@pytest.mark.slow
def test_warm_kernel_page_equals_papermills(sample_batch, tmp_path):
    # The batch's warm kernels hold strings as Python objects (kernel_state.KERNEL_PANDAS_OPTIONS);
    # papermill's new kernel keeps pandas' default, Arrow. Chi Lăng's page from the batch and
    # from papermill, same parameters: everything but the generated-at line and the batch's
    # stamp of its inputs (render.stamp_page) must be the same, every picture's bytes included.
    ours = sample_batch.folder / "187-chi-lang.html"
    params = dict(nbformat.read(ours.with_suffix(".ipynb"), as_version=4).metadata.papermill.parameters)
    theirs = render_report("district_report", params, tmp_path / ours.name)

    def comparable(path: Path) -> str:
        page = path.read_text(encoding="utf-8")
        return re.sub(r"<!-- ntp-atlas inputs=[^>]*-->\n?$", "", re.sub(r"(Tạo lúc|Generated) [^<]*", "", page))

    assert "Tạo lúc" in ours.read_text(encoding="utf-8")  # the line the comparison leaves out is there
    assert comparable(theirs) == comparable(ours)


@pytest.mark.slow
def test_failed_report_keeps_previous_one(sample_batch, sample_prepared, tmp_path):
    good = tmp_path / "187-chi-lang.html"
    shutil.copy2(sample_batch.folder / good.name, good)
    shutil.copy2(sample_batch.folder / "187-chi-lang.ipynb", tmp_path / "187-chi-lang.ipynb")
    before = good.read_bytes(), (tmp_path / "187-chi-lang.ipynb").read_bytes()
    params = CHI_LANG | {"district": "Xyz", "lang": "vi", "data_dir": str(sample_prepared), "baseline_year": ""}
    with pytest.raises(ReportError) as err:
        render_report("district_report", params, good)
    message = str(err.value)
    assert "report for Xyz (district_report.ipynb) failed in code cell 2 (ctx = report.context(...))" in message
    assert "ParameterError: unknown district 'Xyz'" in message
    assert "\x1b" not in message and "Traceback" not in message
    assert (good.read_bytes(), (tmp_path / "187-chi-lang.ipynb").read_bytes()) == before
    failed = tmp_path / "187-chi-lang.failed.ipynb"
    assert failed.exists() and str(failed) in message
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [LEDGER]  # no temporary files left


def test_one_exporter_per_language_gives_the_page_a_new_one_gives():
    # notebook_to_html lends out HTML exporters kept per language (building one compiles the
    # templates again). Two different notebooks exported in turn, in two languages, must
    # give the pages that a new exporter gives each of them.
    import nbformat

    from analysis.run import html_page

    def notebook(text: str, tag: str | None = None):
        cell = nbformat.v4.new_code_cell("x", metadata={"tags": [tag] if tag else []})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": f"<p>{text}</p>"})]
        return nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell(f"# {text}")])

    cases = [(notebook("Chi Lăng", "parameters"), "vi", "A"), (notebook("Sốp Cộp"), "en", "B"),
             (notebook("Đình Lập"), "vi", "C")]
    in_turn = [html_page.notebook_to_html(nb, lang=lang, title=title) for nb, lang, title in cases]
    fresh = []
    for nb, lang, title in cases:
        html_page._EXPORTERS.clear()
        fresh.append(html_page.notebook_to_html(nb, lang=lang, title=title))
    assert in_turn == fresh
    assert "Sốp Cộp" in in_turn[1] and "Chi Lăng" not in in_turn[1] and '<html lang="en"' in in_turn[1]
    assert "<title>C</title>" in in_turn[2]


def test_page_has_the_document_tree_nbconvert_gives(sample_batch):
    # notebook_to_html skips nbconvert's BeautifulSoup pass and makes its two changes on the
    # text (tabindex on output areas, alt text for images without one). On the real executed
    # Chi Lăng report, and on a notebook with an image without alt text, the page must parse
    # to the same document as nbconvert's own HTMLExporter gives with the same settings.
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from analysis.run import html_page

    def nbconvert_page(nb, lang):
        exporter = html_page._new_exporter(lang)
        plain = HTMLExporter(config=exporter.config, template_name=html_page.TEMPLATE_NAME,
                             extra_template_basedirs=[str(html_page.TEMPLATES_DIR)], exclude_input=True,
                             exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True,
                             language_code=lang)
        return plain.from_notebook_node(nb, resources={"metadata": {"name": "T"}})[0]

    def tree(page: str) -> str:
        return str(BeautifulSoup(page, features="html.parser"))

    report_nb = nbformat.read(sample_batch.folder / "187-chi-lang.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell("x", metadata={"tags": []})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": '<p>a</p><img src="data:,">'})]
    bare = nbformat.v4.new_notebook(cells=[cell])
    for nb, lang in ((report_nb, "vi"), (bare, "en")):
        ours = html_page.notebook_to_html(nb, lang=lang, title="T")
        nb.metadata["title"] = "T"
        assert tree(ours) == tree(nbconvert_page(nb, lang))
    assert ours.count('tabindex="0"') == 1 and 'alt="No description has been provided for this image"' in ours
    assert html_page._new_exporter("vi").__class__.__name__ == "PageExporter"


def test_a_page_is_validated_once_and_an_invalid_notebook_still_fails(monkeypatch):
    # nbconvert validates the notebook after each of its twelve preprocessors unless told to
    # validate once at the end (optimistic_validation); a page must still refuse an invalid
    # notebook.
    from nbconvert.exporters import exporter as nbconvert_exporter

    from analysis.run import html_page

    calls = []
    real = nbconvert_exporter.nbformat.validate

    def counted(nb, *args, **kwargs):
        calls.append(1)
        return real(nb, *args, **kwargs)

    monkeypatch.setattr(nbconvert_exporter.nbformat, "validate", counted)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>Chi Lăng</p>"})]
    nb = nbformat.v4.new_notebook(cells=[cell])
    calls.clear()  # nbformat's own constructors validate what they make
    page = html_page.notebook_to_html(nb, lang="vi")
    assert "Chi Lăng" in page and len(calls) == 1
    cell.outputs = [{"output_type": "display_data", "data": {"text/html": "<p>a</p>"}, "metadata": {},
                     "not_a_field": 1}]  # fmt: skip
    with pytest.raises(nbformat.ValidationError):
        html_page.notebook_to_html(nbformat.v4.new_notebook(cells=[cell]), lang="vi")
