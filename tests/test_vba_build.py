"""The .xlsm templates: our VBA module only, one Sub per button, buttons that run them.

Checked three ways: oletools' olevba (what a security scanner sees), the package's own XML, and
headless LibreOffice, which loads the VBA project, binds the buttons and runs their macros
against a stand-in ``RunPython``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from pyopenvba import ExcelFile

from pmo_xl.file_workbook import open_workbook
from pmo_xl.layout import Block, SheetLayout
from pmo_xl.vba_build import (
    PMO_TEMPLATE_FILE,
    PROJECT_TEMPLATE_FILE,
    XLWINGS_CONF_SHEET,
    build_templates,
    build_xlsm,
    module_source,
    module_subs,
)
from pmo_xl.xlsx_writer import ButtonSpec

EXPECTED_COMMANDS = {
    "Verifier": "import pmo_xl.excel as x; x.verifier_caller()",
    "Consolider": "import pmo_xl.excel as x; x.consolider_caller()",
    "RapportCopil": "import pmo_xl.excel as x; x.rapport_copil_caller()",
}
EXPECTED_BUTTONS = {
    PROJECT_TEMPLATE_FILE: {"Vérifier": "Verifier"},
    PMO_TEMPLATE_FILE: {"Consolider": "Consolider", "Rapport COPIL": "RapportCopil"},
}
SYSTEM_PYTHON = "/usr/bin/python3"
LO_SCRIPT = Path(__file__).parent / "lo_run_buttons.py"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    return {p.name: p for p in build_templates(out)}


def _code_modules(path: Path) -> dict[str, str]:
    """Modules holding code, as olevba extracts them (attribute lines left out)."""
    with warnings.catch_warnings():  # oletools uses pyparsing's deprecated names
        warnings.simplefilter("ignore")
        from oletools.olevba import VBA_Parser
    parser = VBA_Parser(str(path))
    try:
        found = {}
        for _, _, vba_filename, code in parser.extract_macros():
            body = "\n".join(
                line
                for line in code.splitlines()
                if line.strip() and not line.startswith("Attribute ")
            )
            if body:
                found[vba_filename] = body
        return found
    finally:
        parser.close()


def _button_macros(path: Path) -> dict[str, str]:
    """Caption → macro of each form button, from the workbook's drawing XML."""
    buttons = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/drawings/") and name.endswith(".vml"):
                vml = package.read(name).decode("utf-8")
                for shape in re.findall(r"<v:shape\b.*?</v:shape>", vml, re.S):
                    macro = re.search(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", shape)
                    caption = re.search(r"<font[^>]*>([^<]+)</font>", shape)
                    if macro and caption:
                        buttons[caption.group(1)] = macro.group(1)
    return buttons


def test_the_module_has_one_sub_per_button_each_running_one_entry_point() -> None:
    source = module_source()
    assert module_subs() == ["Verifier", "Consolider", "RapportCopil"]
    for sub, command in EXPECTED_COMMANDS.items():
        body = re.search(rf"Sub {sub}\(\)\r\n(.*?)End Sub", source, re.S)
        assert body is not None
        assert body.group(1).strip() == f'RunPython "{command}"'


def test_templates_are_built_byte_for_byte_the_same(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    again = {p.name: p for p in build_templates(tmp_path)}
    for name, path in templates.items():
        assert path.read_bytes() == again[name].read_bytes(), name


@pytest.mark.parametrize("name", [PROJECT_TEMPLATE_FILE, PMO_TEMPLATE_FILE])
def test_olevba_finds_our_module_and_no_other_code(templates: dict[str, Path], name: str) -> None:
    modules = _code_modules(templates[name])
    assert list(modules) == ["PmoXl.bas"]
    assert re.findall(r"^Public Sub (\w+)\(\)", modules["PmoXl.bas"], re.M) == list(
        EXPECTED_COMMANDS
    )


@pytest.mark.parametrize("name", [PROJECT_TEMPLATE_FILE, PMO_TEMPLATE_FILE])
def test_every_button_runs_a_sub_of_our_module(templates: dict[str, Path], name: str) -> None:
    assert _button_macros(templates[name]) == EXPECTED_BUTTONS[name]
    assert set(EXPECTED_BUTTONS[name].values()) <= set(module_subs())


@pytest.mark.parametrize("name", [PROJECT_TEMPLATE_FILE, PMO_TEMPLATE_FILE])
def test_every_sheet_has_its_document_module(templates: dict[str, Path], name: str) -> None:
    with zipfile.ZipFile(templates[name]) as package:
        sheets = [n for n in package.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        codenames = {
            re.search(r'codeName="(\w+)"', package.read(n).decode()).group(1)  # type: ignore[union-attr]
            for n in sheets
        }
        project = olefile.OleFileIO(package.read("xl/vbaProject.bin"))
        declared = project.openstream("PROJECT").read().decode("cp1252")
    documents = set(re.findall(r"^Document=(\w+)/", declared, re.M))
    assert codenames | {"ThisWorkbook"} == documents
    assert re.findall(r"^Module=(\w+)", declared, re.M) == ["PmoXl"]


def test_the_vba_project_references_the_xlwings_add_in(templates: dict[str, Path]) -> None:
    with ExcelFile(templates[PMO_TEMPLATE_FILE]) as book:
        assert "xlwings" in [r.name for r in book.references()]


def test_the_xlwings_conf_sheet_points_to_our_worksheet_functions(
    templates: dict[str, Path],
) -> None:
    book = open_workbook(templates[PMO_TEMPLATE_FILE])
    assert book.sheet_names()[-1] == XLWINGS_CONF_SHEET
    conf = book.read_sheet(XLWINGS_CONF_SHEET)
    assert (conf.cell(1, 1), conf.cell(1, 2)) == ("UDF Modules", "pmo_xl.udfs")
    assert conf.cell(2, 1) is None  # xlwings reads keys from A1 down to the first blank


def test_a_button_on_a_missing_sub_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Exporter"):
        build_xlsm(
            [SheetLayout("Feuil1", [Block(0, 0, [["x"]])])],
            tmp_path / "book.xlsm",
            [ButtonSpec("Feuil1", "C2", "Exporter", "Exporter")],
        )


def test_a_one_sheet_workbook_keeps_only_its_own_document_module(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsm"
    layouts = [SheetLayout("Feuil1", [Block(0, 0, [["x"]])])]
    build_xlsm(
        layouts, path, [ButtonSpec("Feuil1", "C2", "Vérifier", "Verifier")], xlwings_conf=False
    )
    with ExcelFile(path) as book:
        assert book.module_names() == ["ThisWorkbook", "Sheet1", "PmoXl"]


def _libreoffice_available() -> bool:
    if shutil.which("soffice") is None or not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _libreoffice_available(), reason="LibreOffice with Python-UNO not found")
@pytest.mark.parametrize("name", [PROJECT_TEMPLATE_FILE, PMO_TEMPLATE_FILE])
def test_libreoffice_runs_each_button_with_the_expected_python_command(
    templates: dict[str, Path], name: str, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.txt"
    result = subprocess.run(
        [SYSTEM_PYTHON, str(LO_SCRIPT), str(templates[name]), str(calls), str(tmp_path / "lo")],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "PmoXl" in report["libraries"]["VBAProject"]
    clicked = {caption: url for _, caption, url in report["buttons"]}
    macros = EXPECTED_BUTTONS[name]
    assert clicked == {
        caption: f"vnd.sun.star.script:VBAProject.PmoXl.{sub}?language=Basic&location=document"
        for caption, sub in macros.items()
    }
    assert calls.read_text().splitlines() == [EXPECTED_COMMANDS[sub] for sub in macros.values()]


def test_the_library_that_writes_the_vba_project_is_installed_with_pmo_xl() -> None:
    # pmo-xl init writes the .xlsm templates on the user's machine, not only in development.
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    needed = [re.split(r"[<>=;\s]", d, maxsplit=1)[0].lower()
              for d in pyproject["project"]["dependencies"]]  # fmt: skip
    assert "pyopenvba" in needed
