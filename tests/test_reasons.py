"""Every reject reason the bad-input catalogues produce has a key and reads in both languages.

The catalogues (``tests/bad_inputs.py`` CATALOGUE, ``tests/bad_inputs_extra.py`` EXTRA) are run
through the real reader (``validate_table``); each rejected row must carry a ``reason_key`` of
``resources/reasons.json`` whose English rendering is the text kept in ``rejects.csv`` and whose
Vietnamese rendering is Vietnamese. A reason added without a catalogue entry fails here.
"""

from __future__ import annotations

import json

import pytest

from analysis.inputs import reasons
from analysis.inputs.schema import TABLES
from analysis.inputs.validate import validate_table
from tests.bad_inputs import CATALOGUE
from tests.bad_inputs_extra import EXTRA
from tests.test_validate import _write
from tests.visible_text import english_in

ROW_REJECTS = [b for b in [*CATALOGUE, *EXTRA] if b.row is not None and b.table in TABLES]


@pytest.mark.parametrize("bad", ROW_REJECTS, ids=[b.kind for b in ROW_REJECTS])
def test_every_catalogue_reject_has_a_reason_in_both_languages(tmp_path, units, bad):
    result = validate_table(_write(tmp_path, bad), TABLES[bad.table], units)
    assert len(result.rejects), bad.kind
    for row in result.rejects.itertuples():
        assert row.reason_key in reasons.catalogue(), f"no key for {row.reason!r}: add it to resources/reasons.json"
        args = json.loads(row.reason_args) if row.reason_args else {}
        assert reasons.render(row.reason_key, args, "en") == row.reason  # rejects.csv keeps the English
        vietnamese = reasons.render(row.reason_key, args, "vi")
        assert vietnamese != row.reason
        # what is left English is only the user's own cell, quoted as written
        assert [w for w in english_in(vietnamese) if w not in str(row.value)] == [], vietnamese


def test_a_figure_in_a_reason_is_written_in_each_languages_format():
    # by hand: 2791 reads "2791" in English (as :g writes it) and "2.791" in Vietnamese;
    # 2.791 reads "2.791" in English and "2,791" in Vietnamese
    args = {"value": "2.791", "vi": 2791, "en": 2.791}
    english = reasons.render("number.ambiguous", args, "en")
    vietnamese = reasons.render("number.ambiguous", args, "vi")
    assert english.startswith("'2.791' could be 2791 (Vietnamese format) or 2.791 ")
    assert vietnamese.startswith("'2.791' có thể là 2.791 (cách ghi Việt Nam) hoặc 2,791 ")


def test_a_reason_given_as_text_is_recognised_with_its_arguments():
    found = reasons.identify("plan_mvnd is empty")
    assert (found.key, found.args) == ("cell.empty", {"column": "plan_mvnd"})
    assert found.text("vi") == "cột Kế hoạch vốn để trống"
    assert reasons.written("not a reason we know", lang="vi") == "not a reason we know"  # shown as it is


def test_an_unknown_reason_key_names_the_catalogue():
    with pytest.raises(ValueError, match="unknown reason 'cell.nothing'.*reasons.json"):
        reasons.render("cell.nothing", {}, "vi")
    with pytest.raises(ValueError, match="language must be one of"):
        reasons.render("cell.empty", {"column": "plan_mvnd"}, "fr")
