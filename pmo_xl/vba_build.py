"""Build the ``.xlsm`` templates: our VBA module in xlwings' own VBA project, buttons on sheets.

The VBA project comes from ``quickstart.xlsm`` in the pinned xlwings package (the add-in
flavour: its project only *references* the xlwings add-in, which provides ``RunPython``). With
pyOpenVBA we delete its sample ``Module1``, add our ``PmoXl`` module (``pmo_xl/vba/PmoXl.bas``)
and one document module per sheet, and XlsxWriter embeds the result with a button per macro.
Same inputs, same bytes. Build-time only (``make templates``): pyOpenVBA is a dev dependency.

>>> build_templates(Path("workbook_templates"))  # doctest: +SKIP
[PosixPath('workbook_templates/projet_modele.xlsm'), PosixPath('workbook_templates/pmo.xlsm')]
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pmo_xl import labels
from pmo_xl.labels import Lang
from pmo_xl.layout import Block, CellStyle, SheetLayout
from pmo_xl.xlsx_writer import (
    WORKBOOK_CODENAME_KEY,
    ButtonSpec,
    DocumentProperties,
    TextNote,
    render_xlsx,
)

MODULE_NAME = "PmoXl"
MODULE_FILE = Path(__file__).parent / "vba" / f"{MODULE_NAME}.bas"
QUICKSTART_MODULE = "Module1"  # the sample module of xlwings' quickstart, replaced by ours
WORKBOOK_MODULE = "ThisWorkbook"
SHEET_MODULE_TEMPLATE = "Sheet1"  # its header is Excel's own for a worksheet's document module

PROJECT_TEMPLATE_FILE = "projet_modele.xlsm"
PMO_TEMPLATE_FILE = "pmo.xlsm"

# xlwings reads a sheet of this name for its settings (keys from A1 down, values in column B).
XLWINGS_CONF_SHEET = "xlwings.conf"
UDF_MODULES = "pmo_xl.udfs"

_SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class TemplateButton:
    """A button of a template: which sheet (by its spec), where, what it says, what it runs."""

    sheet: labels.SheetSpec
    cell: str
    caption_fr: str
    caption_en: str
    macro: str

    def spec(self, lang: Lang) -> ButtonSpec:
        caption = self.caption_fr if lang == "fr" else self.caption_en
        return ButtonSpec(self.sheet.label.text(lang), self.cell, caption, self.macro)


# Column E is free on both first sheets (A label, B value, C help).
PROJECT_BUTTONS = (TemplateButton(labels.PROJECT, "E2", "Vérifier", "Check", "Verifier"),)
PMO_BUTTONS = (
    TemplateButton(labels.SETTINGS, "E4", "Consolider", "Consolidate", "Consolider"),
    TemplateButton(labels.SETTINGS, "E7", "Rapport COPIL", "COPIL report", "RapportCopil"),
)


def quickstart_path() -> Path:
    """``quickstart.xlsm`` of the installed (pinned) xlwings."""
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart.xlsm"


def module_source() -> str:
    """Our VBA module as VBA stores it (CRLF line ends)."""
    text = MODULE_FILE.read_text(encoding="utf-8")
    return "\r\n".join(text.splitlines()) + "\r\n"


def module_subs(source: str | None = None) -> list[str]:
    """The Subs of the module, in order: ``["Verifier", "Consolider", "RapportCopil"]``."""
    return _SUB.findall(source if source is not None else module_source())


def sheet_codenames(n_sheets: int) -> list[str]:
    """Code names of the sheets' document modules, as Excel names them: Sheet1, Sheet2…"""
    return [f"Sheet{i}" for i in range(1, n_sheets + 1)]


def build_vba_project(out: Path, n_sheets: int) -> Path:
    """Write ``vbaProject.bin`` for a workbook of ``n_sheets`` sheets; the same bytes every time."""
    from pyopenvba import ExcelFile, VBAModuleKind

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "quickstart.xlsm"
        built = Path(tmp) / "built.xlsm"
        shutil.copyfile(quickstart_path(), work)
        with ExcelFile(work) as book:
            project = book.vba_project()
            project.delete_module(QUICKSTART_MODULE)
            header = project.get_module(SHEET_MODULE_TEMPLATE).source
            wanted = {c.casefold() for c in sheet_codenames(n_sheets)}
            for name in project.module_names():
                # quickstart's own sheets beyond ours: a document module needs its sheet.
                if re.fullmatch(r"Sheet\d+", name) and name.casefold() not in wanted:
                    project.delete_module(name)
            existing = {name.casefold() for name in project.module_names()}
            missing = [c for c in sheet_codenames(n_sheets) if c.casefold() not in existing]
            _declare_as_documents(book, missing)
            for codename in missing:
                source = header.replace(f'"{SHEET_MODULE_TEMPLATE}"', f'"{codename}"', 1)
                project.add_module(codename, source, kind=VBAModuleKind.other)
            project.add_module(MODULE_NAME, module_source())
            book.save(built)
        with zipfile.ZipFile(built) as package:
            data = package.read("xl/vbaProject.bin")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def _declare_as_documents(book: object, names: Sequence[str]) -> None:
    """Make pyOpenVBA declare the added sheet modules ``Document=`` (as Excel does), not ``Class=``.

    pyOpenVBA (6.5) keeps that list private and fills it only for projects it creates itself;
    without it the modules would be class modules named like sheets. Tests check the result.
    """
    documents = getattr(book, "_document_names", None)
    if isinstance(documents, set):
        documents.update(name.casefold() for name in names)


def xlwings_conf_layout(lang: Lang = "fr") -> SheetLayout:
    """The ``xlwings.conf`` sheet: tells xlwings where our worksheet functions are.

    Only the keys set here override the add-in's settings (an empty value would override too),
    so the interpreter stays the one ``xlwings addin install`` / ``pmo-xl excel setup`` set.
    """
    note = (
        "Réglages xlwings de ce classeur : clés en colonne A, valeurs en colonne B "
        "(voir le README, section Excel)."
        if lang == "fr"
        else "xlwings settings of this workbook: keys in column A, values in column B "
        "(see the README, Excel section)."
    )
    return SheetLayout(
        XLWINGS_CONF_SHEET,
        [
            Block(0, 0, [["UDF Modules", UDF_MODULES]]),
            Block(0, 3, [[note]], CellStyle(italic=True, font_color="#595959")),
        ],
        column_widths={0: 16, 1: 16},
        lang=lang,
    )


def build_xlsm(
    layouts: Sequence[SheetLayout],
    path: Path,
    buttons: Sequence[ButtonSpec],
    *,
    title: str = "",
    lang: Lang = "fr",
    xlwings_conf: bool = True,
) -> list[TextNote]:
    """Write ``layouts`` as a macro-enabled workbook at ``path`` with our module and ``buttons``.

    Every button must run one of the module's Subs. The ``xlwings.conf`` sheet is added last.
    """
    subs = set(module_subs())
    unknown = [b.macro for b in buttons if b.macro not in subs]
    if unknown:
        raise ValueError(f"Buttons run macros that {MODULE_FILE.name} does not define: {unknown}")
    sheets = [*layouts, xlwings_conf_layout(lang)] if xlwings_conf else list(layouts)
    codenames = dict(zip((s.name for s in sheets), sheet_codenames(len(sheets)), strict=True))
    codenames[WORKBOOK_CODENAME_KEY] = WORKBOOK_MODULE
    with tempfile.TemporaryDirectory() as tmp:
        project = build_vba_project(Path(tmp) / "vbaProject.bin", len(sheets))
        return render_xlsx(
            sheets,
            Path(path),
            vba_project=project,
            vba_codenames=codenames,
            buttons=buttons,
            properties=DocumentProperties(title=title),
        )


def build_templates(out_dir: Path, lang: Lang = "fr") -> list[Path]:
    """Write ``projet_modele.xlsm`` (button Vérifier) and ``pmo.xlsm`` (Consolider, COPIL)."""
    from pmo_xl.templates import pmo_template_layouts, project_template_layouts

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    project_path = out_dir / PROJECT_TEMPLATE_FILE
    pmo_path = out_dir / PMO_TEMPLATE_FILE
    build_xlsm(
        project_template_layouts(lang),
        project_path,
        [b.spec(lang) for b in PROJECT_BUTTONS],
        title="Modèle de classeur projet" if lang == "fr" else "Project workbook template",
        lang=lang,
    )
    build_xlsm(
        pmo_template_layouts(lang),
        pmo_path,
        [b.spec(lang) for b in PMO_BUTTONS],
        title="Classeur PMO" if lang == "fr" else "PMO workbook",
        lang=lang,
    )
    return [project_path, pmo_path]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pmo_xl.vba_build OUT_DIR [fr|en]``: write the .xlsm templates."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or len(args) > 2 or (len(args) == 2 and args[1] not in ("fr", "en")):
        print("usage: python -m pmo_xl.vba_build OUT_DIR [fr|en]", file=sys.stderr)
        return 2
    lang: Lang = "en" if len(args) == 2 and args[1] == "en" else "fr"
    for path in build_templates(Path(args[0]), lang):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "MODULE_NAME",
    "PMO_BUTTONS",
    "PMO_TEMPLATE_FILE",
    "PROJECT_BUTTONS",
    "PROJECT_TEMPLATE_FILE",
    "XLWINGS_CONF_SHEET",
    "TemplateButton",
    "build_templates",
    "build_vba_project",
    "build_xlsm",
    "module_source",
    "module_subs",
    "xlwings_conf_layout",
]
