"""The table of bad inputs in docs/bad-inputs.md is what the catalogues really get, and the
boundary, crosswalk and hostile entries each get the message they must."""

from __future__ import annotations

import pytest

from tests.bad_inputs_doc import COMMAND, DOC, md_cell, outcomes, render
from tests.bad_inputs_extra import EXTRA


@pytest.fixture(scope="module")
def ran():
    return outcomes()


@pytest.mark.parametrize("bad", EXTRA, ids=[b.kind for b in EXTRA])
def test_extra_bad_input_gets_its_message(ran, bad):
    outcome = next(o for o in ran if o.kind == bad.kind)
    told = f"{outcome.reader}: {outcome.where} {outcome.message}"
    assert f"{bad.table}{bad.suffix}" in told  # the file is named
    for fragment in bad.expect:
        assert fragment in outcome.message, outcome.message
    assert "fix:" in outcome.message
    if bad.row is not None:  # and the row and column
        assert f"row {bad.row}, column '{bad.column}'" in told


def test_docs_table_is_up_to_date(ran):
    assert len(ran) >= 30
    assert len({o.kind for o in ran}) == len(ran), "two catalogue entries share a kind"
    expected = render(ran)
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == expected, f"{DOC} is out of date with the catalogues in tests/: run `{COMMAND}`"


def test_markdown_cells_show_markup_as_text():
    cell = md_cell("'<script>alert(1)</script>' | a_b `x` & *y*\n  fix: do [this]")
    assert cell == ("'&lt;script&gt;alert(1)&lt;/script&gt;' \\| a\\_b \\`x\\` &amp; \\*y\\*<br>"
                    "fix: do \\[this\\]")
