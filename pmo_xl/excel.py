"""The Excel buttons: "Vérifier", "Consolider" and "Rapport COPIL", over the same core as the CLI.

Each entry point takes an ``xlwings.Book`` (desktop Excel or xlwings' remote engine) and has a
zero-argument twin for VBA's ``RunPython`` (``xw.Book.caller()``)::

    RunPython "import pmo_xl.excel as x; x.consolider_caller()"

Input sheets are only read; results go to output sheets written in a few range writes. Whatever
goes wrong ends in a French message box, never a traceback (which is logged to a file).
"""

from __future__ import annotations

import datetime as dt
import platform
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pmo_xl import __version__, labels
from pmo_xl.checks import project_findings
from pmo_xl.commands import UsageError, default_output, previous_history, projects_folder
from pmo_xl.excel_book import (
    CellMark,
    XlwingsWorkbook,
    batch_updates,
    export_pdf,
    is_desktop,
    notice,
    set_status,
    show_message,
)
from pmo_xl.findings_sheet import SEVERITY_STYLES, counts_text, findings_layout, link_paths
from pmo_xl.history import history_from_grid
from pmo_xl.labels import OUTPUT_SHEETS, Lang, SheetSpec, day_text, norm
from pmo_xl.layout import SheetLayout
from pmo_xl.model import SEVERITY_ORDER, Finding, Settings
from pmo_xl.portfolio import PortfolioResult, collector_paused, consolidate_folder
from pmo_xl.reading import Vocabulary, find_sheet, read_project, read_settings
from pmo_xl.safe_io import OutputError
from pmo_xl.safe_text import shorten
from pmo_xl.summary import SHOWN_FILES, result_lines
from pmo_xl.workbook import Grid, WorkbookError

if TYPE_CHECKING:
    import pandas as pd
    import xlwings as xw

    from pmo_xl.copil import CopilReport

T = TypeVar("T")

TITLE = "pmo_xl"
LOG_FOLDER = "pmo_xl-erreurs"  # in the temp dir; a name Python cannot import: shadows nothing
_CELL = re.compile(r"^\$?[A-Za-z]{1,3}\$?[0-9]+$")  # one cell, not a range

_TEXTS: dict[str, tuple[str, str]] = {
    "verify_done": (
        "Vérification de « {book} » : {counts}.",
        "Check of '{book}': {counts}.",
    ),
    "verify_marked": (
        "{n} cellule(s) en cause colorée(s), avec le message en note ; la liste complète, avec "
        "des liens vers les cellules, est dans l'onglet « {sheet} ».",
        "{n} cell(s) at fault coloured, with the message as a note; the full list, with links "
        "to the cells, is in the '{sheet}' sheet.",
    ),
    "verify_listed": (
        "La liste complète est dans l'onglet « {sheet} ».",
        "The full list is in the '{sheet}' sheet.",
    ),
    "verify_clean": (
        "Aucun constat : rien à corriger.",
        "No finding: nothing to fix.",
    ),
    "written": ("Onglets mis à jour : {sheets}.", "Sheets updated: {sheets}."),
    "copil_written": (
        "Onglet « {sheet} » mis à jour (arrêté du {cutoff}).",
        "Sheet '{sheet}' updated (cut-off {cutoff}).",
    ),
    "exported": ("Exporté pour la direction : {path}", "Exported for management: {path}"),
    "no_export_folder": (
        "Classeur COPIL autonome non exporté : Excel ne donne pas le dossier de ce classeur "
        "(classeur jamais enregistré, ouvert depuis OneDrive/SharePoint, ou moteur xlwings "
        "Server/Lite). Enregistrez-le sur le disque, ou lancez « pmo-xl copil » en ligne de "
        "commande.",
        "Standalone COPIL workbook not exported: Excel does not give this workbook's folder "
        "(never saved, opened from OneDrive/SharePoint, or xlwings Server/Lite engine). Save it "
        "to disk, or run 'pmo-xl copil' from the command line.",
    ),
    "pdf_failed": (
        "PDF non produit ({reason}) : le classeur COPIL exporté s'imprime en PDF depuis Excel.",
        "PDF not produced ({reason}): print the exported COPIL workbook to PDF from Excel.",
    ),
    "no_status_bar": (
        "Progression non affichée : ce moteur Excel n'a pas de barre d'état.",
        "Progress not shown: this Excel engine has no status bar.",
    ),
    "progress": ("Consolidation {i}/{n} : {name}", "Consolidation {i}/{n}: {name}"),
    "no_settings_sheet": (
        "Ce classeur n'a pas d'onglet « Paramètres » (renommé ou supprimé ?) : pmo_xl y lit le "
        "dossier des projets et les réglages. Rétablissez-le, par exemple en le copiant depuis "
        "le modèle (pmo-xl init).",
        "This workbook has no 'Settings' sheet (renamed or deleted?): pmo_xl reads the projects "
        "folder and the settings from it. Restore it, for example by copying it from the "
        "template (pmo-xl init).",
    ),
    "input_sheet": (
        "pmo_xl refuse d'écrire dans l'onglet « {sheet} » : c'est une feuille de saisie, qu'il "
        "ne modifie jamais.",
        "pmo_xl refuses to write to the '{sheet}' sheet: it is an input sheet, never modified.",
    ),
    "failed": (
        "« {action} » n'a pas abouti : {error}",
        "'{action}' did not complete: {error}",
    ),
    "inputs_safe": (
        "Aucune feuille de saisie n'a été modifiée ; les onglets de résultats peuvent être "
        "incomplets : relancez après correction.",
        "No input sheet was modified; the result sheets may be incomplete: run again once fixed.",
    ),
    "error_title": ("pmo_xl — erreur", "pmo_xl — error"),
    "log": (
        "Détails techniques enregistrés dans :\n{path}\n(à joindre à une demande d'aide)",
        "Technical details saved in:\n{path}\n(attach it to a support request)",
    ),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "verifier": ("Vérifier", "Check"),
    "consolider": ("Consolider", "Consolidate"),
    "rapport_copil": ("Rapport COPIL", "COPIL report"),
}


def text(key: str, lang: Lang = "fr", **params: object) -> str:
    """One user-facing sentence of the buttons, in ``lang``."""
    fr, en = _TEXTS[key]
    return (fr if lang == "fr" else en).format(**params)


@dataclass
class Said:
    """The language a button answers in, failures included: known from the workbook's tab
    names before anything is read, then from the PMO settings once they are."""

    lang: Lang = "fr"


def sheets_language(names: Iterable[str], specs: Iterable[SheetSpec]) -> Lang:
    """English when more of the input tabs bear their English name than their French one
    (``Project``, ``Schedule``… as made by ``pmo-xl init --lang en``)."""
    specs = list(specs)
    fr = {norm(spec.label.fr) for spec in specs}
    en = {norm(spec.label.en) for spec in specs}
    keys = {norm(name) for name in names}
    return "en" if len(keys & (en - fr)) > len(keys & (fr - en)) else "fr"


def _book_language(book: xw.Book, specs: Iterable[SheetSpec]) -> Lang:
    try:
        return sheets_language((sheet.name for sheet in book.sheets), specs)
    except Exception:  # a book whose tabs cannot be listed: its failure is said in French
        return "fr"


class InputSheetError(Exception):
    """An output layout named like an input sheet: refused before anything is written."""

    def __init__(self, sheet: str) -> None:
        super().__init__(text("input_sheet", sheet=sheet))
        self.sheet = sheet


# ---------------------------------------------------------------------------------------------
# "Vérifier" (project workbook)
# ---------------------------------------------------------------------------------------------


def verifier(book: xw.Book) -> list[Finding] | None:
    """Check the live project workbook, write ``Contrôles``, mark the cells; None if it failed.

    In English when the workbook's tabs have their English names (``Project``, ``Schedule``…).
    """
    said = Said(_book_language(book, labels.PROJECT_SHEETS))
    return _guarded(book, "verifier", lambda: _verify(book, said.lang), said)


def _verify(book: xw.Book, lang: Lang = "fr") -> list[Finding]:
    # A project lead has no PMO settings: the defaults, like the CLI's, in the tabs' language.
    settings = Settings(language=lang)
    xbook = XlwingsWorkbook(book, lang)
    project = read_project(xbook, settings, path=book_path(book), file=xbook.label)
    # No cut-off given: the project's own (``Projet`` sheet) applies, and its absence is said.
    findings = project_findings(project, settings, None, cutoff_given=False)
    layout = findings_layout(findings, lang, in_project_workbook=True)
    with batch_updates(book):
        xbook.clear_marks()
        write_outputs(xbook, [layout], labels.PROJECT_SHEETS)
        marked = mark_findings(xbook, findings, lang)
    lines = [text("verify_done", lang, book=xbook.label, counts=counts_text(findings, lang))]
    if not findings:
        lines.append(text("verify_clean", lang))
    elif marked:
        lines.append(text("verify_marked", lang, n=marked, sheet=layout.name))
    else:  # findings about whole sheets only: nothing to colour
        lines.append(text("verify_listed", lang, sheet=layout.name))
    show_message(book, _message(lines, xbook.notices), TITLE)
    return findings


def finding_marks(findings: Iterable[Finding], lang: Lang = "fr") -> list[tuple[str, CellMark]]:
    """``(sheet, mark)`` per cell at fault: the worst severity's fill, every message in the note.

    Worst first, so that a capped run still marks the errors of every sheet.
    """
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and _CELL.match(f.cell):
            by_cell.setdefault((f.sheet, f.cell.replace("$", "").upper()), []).append(f)
    ranked: list[tuple[int, str, CellMark]] = []
    said = labels.colon(lang)
    for (sheet, cell), found in by_cell.items():
        found.sort(key=lambda f: SEVERITY_ORDER[f.severity])
        worst = found[0].severity
        note = "\n".join(
            f"{labels.SEVERITIES[f.severity].text(lang)}{said}{f.message(lang)}" for f in found
        )
        fill = SEVERITY_STYLES[worst].fill or "#FFC7CE"
        ranked.append((SEVERITY_ORDER[worst], sheet, CellMark(cell, fill, f"pmo_xl\n{note}")))
    ranked.sort(key=lambda r: r[0])  # stable: the findings' own order within a severity
    return [(sheet, mark) for _, sheet, mark in ranked]


def mark_findings(xbook: XlwingsWorkbook, findings: Sequence[Finding], lang: Lang) -> int:
    """Colour and annotate the cells at fault (on sheets that exist); how many were marked."""
    present = {name.casefold(): name for name in xbook.sheet_names()}
    marked = 0
    # One call per colour and sheet: few writes, and the worst marks go in before any cap.
    for _, group in groupby(finding_marks(findings, lang), key=lambda sm: sm[1].color):
        per_sheet: dict[str, list[CellMark]] = {}
        for sheet, mark in group:
            name = present.get(sheet.casefold())
            if name is not None:
                per_sheet.setdefault(name, []).append(mark)
        for name, marks in per_sheet.items():
            marked += xbook.mark_cells(name, marks)
    return marked


# ---------------------------------------------------------------------------------------------
# "Consolider" and "Rapport COPIL" (PMO workbook)
# ---------------------------------------------------------------------------------------------


@dataclass
class LiveRun:
    """A consolidation driven from the live PMO workbook."""

    xbook: XlwingsWorkbook
    settings: Settings
    result: PortfolioResult
    folder: Path
    written: list[str] = field(default_factory=list)

    @property
    def lang(self) -> Lang:
        return self.settings.language


def consolider(book: xw.Book, *, projects_dir: Path | None = None) -> PortfolioResult | None:
    """Consolidate the projects folder into the live PMO workbook; None if it failed.

    ``projects_dir`` overrides the folder of ``Paramètres`` (tests, scripted runs).
    """
    said = Said(_book_language(book, labels.PMO_SHEETS))
    return _guarded(
        book, "consolider", lambda: _consolidate_into(book, projects_dir, said).result, said
    )


@collector_paused()
def _consolidate_into(book: xw.Book, projects_dir: Path | None, said: Said) -> LiveRun:
    run = consolidate_live(book, said, projects_dir=projects_dir)
    lang = run.lang
    if _said_nothing_consolidated(book, run):
        return run
    layouts = output_layouts_for_book(run)
    with batch_updates(book):
        run.written += write_outputs(run.xbook, layouts, labels.PMO_SHEETS)
    lines = [
        *result_lines(run.result, lang, max_files=SHOWN_FILES),
        text("written", lang, sheets=", ".join(run.written)),
    ]
    show_message(book, _message(lines, run.xbook.notices), TITLE)
    run.result.keep()  # what the next click may patch, once the PMO has the answer
    return run


def _said_nothing_consolidated(book: xw.Book, run: LiveRun) -> bool:
    """Show the message box and answer True when no project was consolidated (an empty or
    unmounted folder, every file refused): like the CLI, nothing is written, so that last run's
    sheets and this cut-off's history rows stay."""
    if run.result.consolidated:
        return False
    lang = run.lang
    # The Fichiers sheet is not written either: it cannot list the files not named here.
    lines = [
        *result_lines(run.result, lang, max_files=SHOWN_FILES, files_sheet_written=False),
        labels.NOT_REWRITTEN.text(lang).format(folder=run.folder, book=run.xbook.label),
    ]
    show_message(book, _message(lines, run.xbook.notices), TITLE)
    return True


def rapport_copil(
    book: xw.Book, *, projects_dir: Path | None = None, export_dir: Path | None = None
) -> PortfolioResult | None:
    """Write the ``COPIL`` tab and export ``COPIL_<cutoff>.xlsx``/``.pdf``; None if it failed.

    The files go to ``export_dir``, else next to the PMO workbook.
    """
    said = Said(_book_language(book, labels.PMO_SHEETS))
    return _guarded(
        book, "rapport_copil", lambda: _copil_into(book, projects_dir, export_dir, said), said
    )


@collector_paused()
def _copil_into(
    book: xw.Book, projects_dir: Path | None, export_dir: Path | None, said: Said
) -> PortfolioResult:
    from pmo_xl import copil

    run = consolidate_live(book, said, projects_dir=projects_dir)
    lang = run.lang
    if _said_nothing_consolidated(book, run):
        return run.result
    report = copil.build_report(run.result, lang)
    layout = copil.copil_layout(report, lang)
    with batch_updates(book):
        run.written += write_outputs(run.xbook, [layout], labels.PMO_SHEETS)
    cutoff = day_text(run.result.cutoff, lang)
    lines = [text("copil_written", lang, sheet=layout.name, cutoff=cutoff)]
    folder = export_dir or book_folder(book)
    if folder is None:
        run.xbook.notices.append(text("no_export_folder", lang))
    else:
        lines += export_copil(book, report, folder, run.result.cutoff, layout.name, lang)
    show_message(book, _message(lines, run.xbook.notices), TITLE)
    run.result.keep()
    return run.result


def export_copil(
    book: xw.Book,
    report: CopilReport,
    folder: Path,
    cutoff: dt.date,
    sheet: str,
    lang: Lang = "fr",
) -> list[str]:
    """``COPIL_<cutoff>.xlsx`` (and ``.pdf``) in ``folder``; lines saying what was written or not.

    The PDF comes from LibreOffice when installed (the CLI's), else from desktop Excel (the live
    ``sheet``); on xlwings Server/Lite neither is the user's machine, so it is not made there.
    """
    from pmo_xl import copil
    from pmo_xl.render_pdf import PdfConversionError, find_soffice

    target = Path(folder) / f"COPIL_{cutoff.isoformat()}.xlsx"
    desktop = is_desktop(book)
    lines: list[str] = []
    pdf_path: Path | None = None
    reason: str | None = None
    try:
        if desktop and find_soffice() is not None:
            try:
                xlsx, pdf_path = copil.write_copil_workbook(report, target, pdf=True)
            except PdfConversionError as exc:  # the workbook is written before its PDF
                reason = exc.message(lang)
                xlsx = target
        else:
            xlsx, _ = copil.write_copil_workbook(report, target, pdf=False)
            if desktop:
                pdf_path = target.with_suffix(".pdf")
                try:
                    reason = export_pdf(book, pdf_path, [sheet], lang)
                except Exception as exc:  # Excel's own export (printer, sandbox)
                    reason = f"Excel : {exc}"
                if reason is not None:
                    pdf_path = None
            else:
                reason = notice("pdf", lang)
    except OutputError as exc:  # e.g. last export still open in Excel: the COPIL tab is written
        return [exc.message(lang)]
    lines.append(text("exported", lang, path=xlsx))
    if pdf_path is not None:
        lines.append(text("exported", lang, path=pdf_path))
    elif reason is not None:
        lines.append(reason if not desktop else text("pdf_failed", lang, reason=reason))
    return lines


def consolidate_live(book: xw.Book, said: Said, *, projects_dir: Path | None = None) -> LiveRun:
    """Settings from the live book, history from it and from the CLI's output next to it, the
    folder's closed files read-only, progress."""
    xbook = XlwingsWorkbook(book)
    base = book_folder(book)
    tabs = _ListedTabs(xbook, xbook.sheet_names())
    settings, settings_findings = read_settings(tabs, base_dir=base)
    has_settings = _has_settings_sheet(tabs.names, settings)
    if has_settings:  # from here on, said in the settings' language
        said.lang = settings.language
    else:  # no Langue to read: the run answers in its tabs' language
        settings = settings.model_copy(update={"language": said.lang})
    xbook.lang = settings.language
    given = projects_dir or settings.projects_folder
    if given is None and not has_settings:
        raise UsageError(text("no_settings_sheet", said.lang))
    folder = projects_folder(given, base, settings.language, "book")
    own = book_path(book)
    # The CLI's history (commands._run): its last output's Historique, then the PMO workbook's,
    # here the live one with its unsaved rows; so that a scheduled `pmo-xl consolidate` and a
    # click give the same trends.
    output = default_output(own, folder)
    history = previous_history([output]) + live_history(xbook)
    progress = status_progress(book, xbook.notices, settings.language)
    try:
        result = consolidate_folder(
            folder,
            settings,
            previous_history=history,
            exclude=[output] + ([own] if own is not None else []),
            progress=progress,
        )
    finally:
        set_status(book, None)
    result.findings = settings_findings + result.findings
    return LiveRun(xbook, settings, result, folder)


@dataclass
class _ListedTabs:
    """``xbook`` with its tabs listed once (a COM round trip per tab on desktop), for
    :func:`read_settings` and the settings-sheet check alike."""

    xbook: XlwingsWorkbook
    names: list[str]

    @property
    def label(self) -> str:
        return self.xbook.label

    def sheet_names(self) -> list[str]:
        return self.names

    def read_sheet(self, name: str) -> Grid:
        return self.xbook.read_sheet(name)


def _has_settings_sheet(names: Sequence[str], settings: Settings) -> bool:
    """Whether read_settings found a Paramètres sheet: the same lookup, Correspondances included
    (read_settings keeps no trace of an absent sheet)."""
    return find_sheet(names, labels.SETTINGS, Vocabulary.from_settings(settings)) is not None


def live_history(xbook: XlwingsWorkbook) -> list[pd.DataFrame]:
    """The ``Historique`` sheet of the live book (unsaved rows included), when there is one."""
    keys = OUTPUT_SHEETS["history"].match_keys()
    return [
        history_from_grid(xbook.read_sheet(name))
        for name in xbook.sheet_names()
        if norm(name) in keys
    ]


def output_layouts_for_book(run: LiveRun) -> list[SheetLayout]:
    """The CLI's output sheets; findings about this very workbook link inside it."""
    from pmo_xl.outputs import output_layouts

    lang = run.lang
    layouts = output_layouts(run.result, lang)
    findings_name = OUTPUT_SHEETS["findings"].text(lang)
    files = {f.file: f.path for f in run.result.files if f.path is not None}
    paths = link_paths(files, book_folder(run.xbook.book))
    own = findings_layout(
        run.result.findings,
        lang,
        in_project_workbook=False,
        file_paths=paths,
        own_file=run.xbook.label,
    )
    return [own if layout.name == findings_name else layout for layout in layouts]


def status_progress(
    book: xw.Book, notices: list[str], lang: Lang = "fr"
) -> Callable[[int, int, str], None]:
    """``Consolidation 12/40 : projet_x.xlsx`` in the status bar; a notice where there is none."""
    shown = [True]

    def progress(i: int, n: int, name: str) -> None:
        if not shown[0]:
            return
        try:
            shown[0] = set_status(book, text("progress", lang, i=i, n=n, name=name))
        except Exception:  # a status bar that refuses text must not stop the consolidation
            shown[0] = False
        if not shown[0]:
            notices.append(text("no_status_bar", lang))

    return progress


# ---------------------------------------------------------------------------------------------
# Writing without touching the inputs
# ---------------------------------------------------------------------------------------------


def input_sheet_keys(specs: Iterable[SheetSpec]) -> set[str]:
    """Every name (French, English, aliases) an input sheet may have, and the guide's."""
    keys = set(OUTPUT_SHEETS["guide"].match_keys())
    for spec in specs:
        keys |= spec.label.match_keys()
    return keys


def write_outputs(
    xbook: XlwingsWorkbook, layouts: Sequence[SheetLayout], inputs: Iterable[SheetSpec]
) -> list[str]:
    """Write each layout as a sheet; refuse all of them if one is named like an input sheet."""
    protected = input_sheet_keys(inputs)
    for layout in layouts:
        if norm(layout.name) in protected:
            raise InputSheetError(layout.name)
    for layout in layouts:
        xbook.write_sheet(layout)
    return [layout.name for layout in layouts]


# ---------------------------------------------------------------------------------------------
# The book's place on disk
# ---------------------------------------------------------------------------------------------


def book_path(book: xw.Book) -> Path | None:
    """The workbook's file on a local disk; None if unsaved, in the cloud or on a remote engine."""
    try:
        fullname = str(book.fullname)
    except Exception:  # an engine without a full name has no local file
        return None
    if "://" in fullname:
        return None  # OneDrive/SharePoint: https://…
    path = Path(fullname)
    return path if path.is_absolute() else None


def book_folder(book: xw.Book) -> Path | None:
    path = book_path(book)
    return path.parent if path is not None else None


# ---------------------------------------------------------------------------------------------
# The edge: no traceback in the user's face
# ---------------------------------------------------------------------------------------------


def _guarded(book: xw.Book, action: str, run: Callable[[], T], said: Said) -> T | None:
    """Run one button; any failure becomes a message box in ``said``'s language, and a log
    file if unexpected."""
    try:
        return run()
    except UsageError as exc:
        _fail(book, action, str(exc), None, said.lang)
    except InputSheetError as exc:
        _fail(book, action, text("input_sheet", said.lang, sheet=exc.sheet), None, said.lang)
    except OutputError as exc:
        _fail(book, action, exc.message(said.lang), None, said.lang)
    except WorkbookError as exc:
        reason = exc.reason if said.lang == "fr" else exc.reason_en
        _fail(book, action, f"{exc.file}{labels.colon(said.lang)}{reason}", None, said.lang)
    except Exception as exc:
        log = write_error_log(action, book, exc)
        _fail(book, action, f"{type(exc).__name__} — {_short(exc)}", log, said.lang)
    return None


def _fail(book: xw.Book, action: str, error: str, log: Path | None, lang: Lang = "fr") -> None:
    name = ACTIONS[action][0 if lang == "fr" else 1]
    lines = [text("failed", lang, action=name, error=error), text("inputs_safe", lang)]
    if log is not None:
        lines.append(text("log", lang, path=log))
    try:
        set_status(book, None)
        show_message(book, "\n\n".join(lines), text("error_title", lang))
    except Exception as exc:  # no Excel to tell: the log file is all that is left
        write_error_log(action, book, exc)


def _short(exc: BaseException, limit: int = 300) -> str:
    return shorten(" ".join(str(exc).split()) or type(exc).__name__, limit)


def log_folder() -> Path:
    return Path(tempfile.gettempdir()) / LOG_FOLDER


def write_error_log(action: str, book: object, exc: BaseException) -> Path | None:
    """The traceback and the context, in a new file under the user's temp dir; its path."""
    now = dt.datetime.now()
    try:
        name = str(getattr(book, "name", "?"))
    except Exception:
        name = "?"
    try:
        import xlwings

        xlwings_version = str(xlwings.__version__)
    except Exception:
        xlwings_version = "?"
    body = "\n".join(
        [
            f"pmo_xl {__version__} — {action} — {now.isoformat(timespec='seconds')}",
            f"Classeur : {name}",
            f"Python {sys.version.split()[0]} ({platform.platform()}), xlwings {xlwings_version}",
            "",
            "".join(traceback.format_exception(exc)),
        ]
    )
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"erreur_{action}_{now:%Y%m%d-%H%M%S-%f}.log"
        path.write_text(body, encoding="utf-8")
    except OSError:
        return None
    return path


def _message(lines: Sequence[str], notices: Sequence[str]) -> str:
    unique = list(dict.fromkeys(notices))  # the same notice from several sheets: said once
    return "\n\n".join([*lines, *unique])


# ---------------------------------------------------------------------------------------------
# RunPython twins
# ---------------------------------------------------------------------------------------------


def _caller(action: str) -> Any:
    """The workbook whose button was clicked (RunPython), or a short error if there is none."""
    import xlwings as xw

    from pmo_xl import sandbox

    try:
        book = xw.Book.caller()
    except Exception as exc:  # not started from Excel: no workbook to show a message box in
        log = write_error_log(action, None, exc)
        raise RuntimeError(
            f"« {ACTIONS[action][0]} » doit être lancé depuis un bouton du classeur Excel "
            f"(xlwings : {_short(exc)}). Détails : {log}"
        ) from None
    # With xlwings' UDF server (pmo-xl excel setup --udf-server) this Python lives on between
    # clicks: on Windows its file-reading workers, fresh interpreters that take most of a second
    # to start, then wait for the next click. Without it the process ends after the click, and
    # its workers with it.
    sandbox.keep_workers()
    return book


def verifier_caller() -> None:
    """Button "Vérifier": ``RunPython "import pmo_xl.excel as x; x.verifier_caller()"``."""
    verifier(_caller("verifier"))


def consolider_caller() -> None:
    """Button "Consolider"."""
    consolider(_caller("consolider"))


def rapport_copil_caller() -> None:
    """Button "Rapport COPIL"."""
    rapport_copil(_caller("rapport_copil"))


__all__ = [
    "ACTIONS",
    "InputSheetError",
    "LiveRun",
    "Said",
    "book_folder",
    "book_path",
    "consolidate_live",
    "consolider",
    "consolider_caller",
    "export_copil",
    "finding_marks",
    "input_sheet_keys",
    "live_history",
    "mark_findings",
    "output_layouts_for_book",
    "rapport_copil",
    "rapport_copil_caller",
    "sheets_language",
    "status_progress",
    "text",
    "verifier",
    "verifier_caller",
    "write_error_log",
    "write_outputs",
]
