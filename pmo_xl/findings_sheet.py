"""The ``Contrôles`` sheet and the terminal report: every finding, with a link to its cell.

:func:`findings_layout` builds the sheet once for every destination: written into a project
workbook (the lead's "Vérifier" button) its links jump to the cell in that workbook; written into
the PMO workbook they open the project file at the cell. :func:`print_findings` is the
``pmo-xl validate`` view of the same findings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pmo_xl import labels
from pmo_xl.checks import location_key, sort_findings
from pmo_xl.labels import Label, Lang
from pmo_xl.layout import Block, CellStyle, ConditionalFormat, Link, PrintSetup, SheetLayout
from pmo_xl.model import SEVERITY_ORDER, Finding
from pmo_xl.sheets import Col, data_range, table_sheet

if TYPE_CHECKING:
    from rich.console import Console

COLUMNS: tuple[Col, ...] = (
    Col("severity", labels.L("Sévérité", "Severity"), width=15),
    Col("file", labels.L("Fichier", "File"), width=28),
    Col("project", labels.L("Projet", "Project"), width=12),
    Col("sheet", labels.L("Feuille", "Sheet"), width=14),
    Col("cell", labels.L("Cellule", "Cell"), width=9),
    Col("code", labels.L("Code", "Code"), width=30),
    Col("message", labels.L("Message", "Message"), width=90, wrap=True),
)
_COL = {c.field: i for i, c in enumerate(COLUMNS)}
HEADER_ROW = 3  # as laid out by sheets.table_sheet: title, counts, blank, header

# Excel's own "light red / yellow / blue fill with dark text" presets.
SEVERITY_STYLES: dict[str, CellStyle] = {
    "error": CellStyle(bold=True, fill="#FFC7CE", font_color="#9C0006"),
    "warning": CellStyle(fill="#FFEB9C", font_color="#9C5700"),
    "info": CellStyle(fill="#DDEBF7", font_color="#1F4E78"),
}
COUNT_WORDS: dict[str, Label] = {
    "error": labels.L("erreur(s)", "error(s)"),
    "warning": labels.L("avertissement(s)", "warning(s)"),
    "info": labels.L("info(s)", "info(s)"),
}
NO_FINDING = labels.L("Aucun constat : rien à corriger.", "No finding: nothing to fix.")
# Findings about a sheet that is not in the workbook: nothing to jump to inside it.
_SHEET_NOT_THERE = frozenset({"SHEET_MISSING", "SHEET_ABSENT"})


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"error": 2, "warning": 5, "info": 0}``."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def counts_text(findings: Iterable[Finding], lang: Lang = "fr") -> str:
    """``"2 erreur(s) · 5 avertissement(s) · 0 info(s)"``."""
    counts = severity_counts(findings)
    return " · ".join(f"{n} {COUNT_WORDS[s].text(lang)}" for s, n in counts.items())


def link_paths(paths: Mapping[str, Path], base: Path | None) -> dict[str, Path]:
    """Each file's path as the links of a workbook written in the folder ``base`` should name it.

    Relative to that folder, as Excel keeps a link to a file near the workbook: Excel and
    LibreOffice resolve a relative link from the workbook's folder (not from where the command
    ran), and the PMO can move the portfolio folder with its output. Absolute when no relative
    path joins them (another drive) or when ``base`` is not known."""
    out: dict[str, Path] = {}
    start = os.path.abspath(base) if base is not None else None
    folders: dict[str, Path] = {}  # a folder's path from ``base``, once (1,000 files: 0.02 s)
    for file, path in paths.items():
        full = os.path.abspath(path)
        folder, name = os.path.split(full)
        shown = folders.get(folder)
        if shown is None:
            try:
                shown = Path(os.path.relpath(folder, start) if start is not None else folder)
            except ValueError:  # Windows: another drive
                shown = Path(folder)
            folders[folder] = shown
        out[file] = shown / name
    return out


def _link(
    finding: Finding,
    row: int,
    in_project_workbook: bool,
    file_paths: Mapping[str, str],
    own_file: str | None,
    own_sheets: frozenset[str] = frozenset(),
) -> Link | None:
    """The most precise place to jump to: the cell, else the sheet's A1, else the file
    (``file_paths``: the path of each file, as text)."""
    has_sheet = finding.sheet is not None and finding.code not in _SHEET_NOT_THERE
    if finding.cell and has_sheet:
        target_col, text, cell = _COL["cell"], finding.cell, finding.cell
    elif has_sheet:
        target_col, text, cell = _COL["sheet"], finding.sheet or "", "A1"
    else:
        target_col, text, cell = _COL["file"], finding.file, "A1"
    sheet = finding.sheet if has_sheet else None
    inside = sheet in own_sheets and finding.file not in file_paths
    if in_project_workbook or inside or (own_file is not None and finding.file == own_file):
        return Link(row, target_col, text, cell, sheet=sheet) if sheet else None
    path = file_paths.get(finding.file)
    if path is not None:
        return Link(row, target_col, text, cell, sheet=sheet, file=path)
    return None


def findings_layout(
    findings: Iterable[Finding],
    lang: Lang = "fr",
    *,
    in_project_workbook: bool,
    file_paths: Mapping[str, Path] | None = None,
    own_file: str | None = None,
    own_sheets: Iterable[str] = (),
) -> SheetLayout:
    """The ``Contrôles`` sheet: counts per severity, then one row per finding, errors first.

    Each row links to the offending cell: inside this workbook when ``in_project_workbook``,
    else to the project file (``file_paths`` maps a finding's ``file`` to the path to open).
    Findings whose ``file`` is ``own_file`` (the PMO workbook's settings, the resource load
    sheet) link inside the workbook the sheet is written to, and so do findings about one of
    ``own_sheets`` (the sheets of that workbook: the over-allocations' ``Charge ressources``)
    that are not a project file's.
    """
    ordered = sort_findings(findings)
    paths = {file: str(path) for file, path in (file_paths or {}).items()}  # once per file
    sheets_here = frozenset(own_sheets)
    # Column by column (18,000 findings at 1,000 projects: a dict per row cost twice as much).
    shown = {s: label.text(lang) for s, label in labels.SEVERITIES.items()}
    frame = pd.DataFrame(
        {
            "severity": [shown[f.severity] for f in ordered],
            "file": [f.file for f in ordered],
            "project": [f.project for f in ordered],
            "sheet": [f.sheet for f in ordered],
            "cell": [f.cell for f in ordered],
            "code": [f.code for f in ordered],
            "message": [f.message(lang) for f in ordered],
        },
        columns=[c.field for c in COLUMNS],
    )
    name = labels.OUTPUT_SHEETS["findings"].text(lang)
    # Grouped by file (within a severity): a re-run rewrites only the changed files' rows.
    layout = table_sheet(name, name, COLUMNS, frame, lang, group_by="file")

    counts = severity_counts(ordered)
    count_cells: list[str | int] = []
    count_styles: list[CellStyle] = []
    for severity, n in counts.items():
        count_cells += [labels.SEVERITIES[severity].text(lang), n]
        count_styles += [SEVERITY_STYLES[severity], CellStyle(bold=True, align="left")]
    layout.add(Block(1, 0, [list(count_cells)], column_styles=count_styles))

    if not ordered:
        layout.add(Block(HEADER_ROW + 1, 0, [[NO_FINDING.text(lang)]], CellStyle(italic=True)))
    severity_range = data_range(layout, _COL["severity"], len(ordered), HEADER_ROW)
    for severity, style in SEVERITY_STYLES.items():
        text = labels.SEVERITIES[severity].text(lang)
        layout.conditional_formats.append(ConditionalFormat(severity_range, "equals", text, style))
    for i, finding in enumerate(ordered, start=HEADER_ROW + 1):
        link = _link(finding, i, in_project_workbook, paths, own_file, sheets_here)
        if link is not None:
            layout.links.append(link)
    layout.print_setup = PrintSetup(landscape=True, repeat_rows=(HEADER_ROW, HEADER_ROW))
    return layout


_RICH_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_MARKS = {"error": "✖", "warning": "▲", "info": "i"}


def print_findings(findings: Iterable[Finding], lang: Lang, console: Console) -> None:
    """``pmo-xl validate``'s report: by file, then sheet, each line with its cell and the fix."""
    from rich.markup import escape  # the terminal's only: not imported by the Excel buttons

    by_place = sorted(findings, key=location_key)
    for file, file_iter in groupby(by_place, key=lambda f: f.file):
        in_file = list(file_iter)
        project = next((f.project for f in in_file if f.project), None)
        title = f"{file} ({project})" if project else file
        console.print(
            f"\n[bold]{escape(title)}[/bold] — {escape(counts_text(in_file, lang))}",
            highlight=False,
        )
        for sheet, in_sheet in groupby(in_file, key=lambda f: f.sheet):
            console.print(f"  [bold]{escape(sheet or file)}[/bold]", highlight=False)
            for f in in_sheet:
                style = _RICH_STYLES.get(f.severity, "")
                mark = f"{_MARKS.get(f.severity, '?')} {f.cell or '—':<6}"
                console.print(
                    f"    [{style}]{mark}[/{style}] [dim]{f.code}[/dim]  {escape(f.message(lang))}",
                    highlight=False,
                )
    colon = " :" if lang == "fr" else ":"
    console.print(f"\n[bold]Total[/bold]{colon} {escape(counts_text(by_place, lang))}")
