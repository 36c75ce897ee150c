"""``pmo-xl excel setup``: what it writes into xlwings' user configuration, and what it keeps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmo_xl import excel_setup
from pmo_xl.cli import app
from pmo_xl.excel_setup import UDF_MODULE, setup, update_config

INTERPRETER_KEY = "INTERPRETER_MAC" if sys.platform.startswith("darwin") else "INTERPRETER_WIN"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_update_config_replaces_its_keys_and_keeps_the_others_in_order(tmp_path: Path) -> None:
    conf = tmp_path / "xlwings.conf"
    conf.write_text('"CONDA PATH","C:\\conda"\n"udf modules","old"\n"SHOW CONSOLE","False"\n')
    update_config(conf, {"UDF MODULES": "pmo_xl.udfs"})
    # The key matches whatever its case; the other lines stay where they were.
    assert lines(conf) == [
        '"CONDA PATH","C:\\conda"',
        '"SHOW CONSOLE","False"',
        '"UDF MODULES","pmo_xl.udfs"',
    ]


def test_setup_writes_the_interpreter_and_the_udf_module(tmp_path: Path) -> None:
    conf = tmp_path / ".xlwings" / "xlwings.conf"  # the folder does not exist yet
    said = setup(conf, python="C:\\Python311\\python.exe")
    assert lines(conf) == [
        f'"{INTERPRETER_KEY}","C:\\Python311\\python.exe"',
        f'"UDF MODULES","{UDF_MODULE}"',
    ]
    assert said[0] == f"Configuration xlwings mise à jour : {conf}"


def test_setup_points_at_templates_the_user_has_and_at_the_vba_trust_setting(
    tmp_path: Path,
) -> None:
    # An installed pmo_xl has no workbook_templates/ folder: pmo-xl init writes the .xlsm.
    said = "\n".join(setup(tmp_path / "xlwings.conf", python="python"))
    assert "pmo-xl init DOSSIER" in said and "workbook_templates" not in said
    assert "Accès approuvé au modèle d'objet du projet VBA" in said


def test_setup_leaves_the_udf_server_choice_alone_unless_asked(tmp_path: Path) -> None:
    conf = tmp_path / "xlwings.conf"
    conf.write_text('"USE UDF SERVER","True"\n')
    said = setup(conf, python="python")
    assert '"USE UDF SERVER","True"' in lines(conf)
    assert not any("USE UDF SERVER" in line for line in said)


@pytest.mark.parametrize("choice", [True, False])
def test_setup_sets_the_udf_server_when_asked(tmp_path: Path, choice: bool) -> None:
    conf = tmp_path / "xlwings.conf"
    conf.write_text('"USE UDF SERVER","False"\n' if choice else '"USE UDF SERVER","True"\n')
    said = setup(conf, python="python", udf_server=choice)
    # Written as the xlwings ribbon writes it (VBA's CStr of a Boolean), once.
    assert [line for line in lines(conf) if "UDF SERVER" in line] == [
        f'"USE UDF SERVER","{choice}"'
    ]
    assert f"  USE UDF SERVER = {choice}" in said


def test_setup_with_the_udf_server_says_how_to_take_an_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    said = setup(tmp_path / "xlwings.conf", python="python", udf_server=True)
    assert any("Restart UDF Server" in line for line in said)


def test_setup_on_macos_leaves_the_udf_server_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    conf = tmp_path / "xlwings.conf"
    said = setup(conf, python="/usr/bin/python3", udf_server=True)
    assert lines(conf) == ['"INTERPRETER_MAC","/usr/bin/python3"', f'"UDF MODULES","{UDF_MODULE}"']
    assert any("Excel pour Mac n'a pas de serveur UDF" in line for line in said)
    assert not any("Restart UDF Server" in line for line in said)


def test_cli_option_writes_the_udf_server_into_the_user_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "home" / ".xlwings" / "xlwings.conf"
    monkeypatch.setattr(excel_setup, "user_config_file", lambda: conf)
    result = CliRunner().invoke(app, ["excel", "setup", "--udf-server"])
    assert result.exit_code == 0, result.output
    assert '"USE UDF SERVER","True"' in lines(conf)
    result = CliRunner().invoke(app, ["excel", "setup", "--no-udf-server"])
    assert result.exit_code == 0, result.output
    assert '"USE UDF SERVER","False"' in lines(conf)
