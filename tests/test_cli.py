"""The command line: useful --help, clear errors (never a traceback), a summary that reconciles."""

from __future__ import annotations

import pytest

from analysis.cli import main


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("prepare", "sample", "report", "batch", "maps"):
        assert command in out


def test_prepare_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["prepare", "--help"])
    out = capsys.readouterr().out
    assert "--code-column" in out and "examples:" in out and "rejects.csv" in out


def test_prepare_summary_reconciles(tmp_path, capsys):
    assert main(["prepare", "--out", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    # data/sample/README.md: 14,245 finance rows, 3 deliberately bad
    assert "finance        14245     14242         3" in out
    assert "unknown commune code '99999'" in out


def test_bad_file_gives_message_not_traceback(tmp_path, capsys):
    bad = tmp_path / "finance.csv"
    bad.write_text("Năm,Mã huyện,Loại vốn\n2023,127,investment\n", encoding="utf-8")
    assert main(["prepare", "--finance", str(bad), "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "finance.csv" in err and "missing columns" in err and "fix:" in err
    assert not (tmp_path / "p").exists()


def test_maps_command_writes_stable_names(sample_prepared, tmp_path, capsys):
    # Sơn La in the sample has one district (Sốp Cộp, 127): its maps plus the province's
    code = main(["maps", "--province", "14", "--year", "2023", "--format", "svg", "--data", str(sample_prepared),
                 "--out", str(tmp_path)])
    assert code == 0
    names = {p.name for p in (tmp_path / "2023" / "son-la" / "maps").iterdir()}
    assert "127-sop-cop_disbursement_rate_2023.svg" in names
    assert "14-son-la_poverty_change_pp_2021-2023.svg" in names
    assert "atlas.pdf" in names


def test_maps_without_province_is_a_message(capsys):
    assert main(["maps"]) == 2
    assert "give --province" in capsys.readouterr().err
