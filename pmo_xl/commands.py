"""The library functions behind each command and button: one call each, no printing.

``pmo-xl consolidate`` is :func:`consolidate`, ``pmo-xl copil`` is :func:`copil`, and so on; the
CLI (:mod:`pmo_xl.cli`) and the Excel buttons (:mod:`pmo_xl.excel`) only add presentation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmo_xl import labels, preflight, safe_io
from pmo_xl.fast_workbook import FastUnsupported
from pmo_xl.file_workbook import open_workbook
from pmo_xl.history import history_from_grid
from pmo_xl.labels import OUTPUT_SHEETS, Lang, norm
from pmo_xl.layout import Pending, SheetLayout
from pmo_xl.model import Finding, Settings
from pmo_xl.portfolio import (
    PortfolioResult,
    Progress,
    collector_paused,
    consolidate_folder,
    open_source,
    warm_up_workers,
)
from pmo_xl.reading import read_settings
from pmo_xl.sandbox import Background, in_background
from pmo_xl.workbook import WorkbookError, WorkbookSource

DEFAULT_OUTPUT = "pmo_consolidation.xlsx"


class UsageError(Exception):
    """A command asked for something impossible (exit code 2), said in plain words."""


def load_settings(pmo: Path | None) -> tuple[Settings, list[Finding]]:
    """The PMO workbook's settings, or the defaults when there is none."""
    if pmo is None:
        return Settings(), []
    try:
        with open_workbook(pmo) as source:
            return read_settings(source, base_dir=pmo.parent.resolve())
    except WorkbookError as exc:
        raise UsageError(f"Classeur PMO illisible : {exc}") from exc


def default_output(pmo: Path | None, projects_dir: Path) -> Path:
    """Next to the PMO workbook (or the projects folder): a stable name, so history accumulates."""
    base = pmo.parent if pmo is not None else projects_dir.resolve().parent
    return base / DEFAULT_OUTPUT


def previous_history(paths: Sequence[Path]) -> list[pd.DataFrame]:
    """The ``Historique`` sheets of earlier outputs and of the PMO workbook, when they exist."""
    keys = OUTPUT_SHEETS["history"].match_keys()
    frames = []
    for path in paths:
        if not path.is_file():
            continue
        # The fast reader: openpyxl loads the whole shared-string table of an output whose
        # detail sheets hold hundreds of thousands of rows (seconds, for one small sheet).
        # Only the history sheets are read: the detail sheets (120 MB of XML at 1,000
        # projects) are not inflated.
        pre = preflight.preflight(path, sheets=lambda name: norm(name) in keys)
        if pre.status != "ok":
            continue  # an unreadable old output only costs the trend, not the run
        for reader in ("fast", "openpyxl"):
            try:
                frames.extend(_history_sheets(open_source(path, path.name, reader, pre), keys))
                break
            except FastUnsupported:
                continue  # a sheet calamine does not read as openpyxl does
            except WorkbookError:
                break
    return frames


def _history_sheets(source: WorkbookSource, keys: set[str]) -> list[pd.DataFrame]:
    try:
        return [
            history_from_grid(source.read_sheet(name))
            for name in source.sheet_names()
            if norm(name) in keys
        ]
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


@dataclass
class Consolidation:
    result: PortfolioResult
    settings_findings: list[Finding]
    projects_dir: Path
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know, in words


def _settings_and_folder(
    projects_dir: Path | None, pmo: Path | None, lang: Lang | None
) -> tuple[Settings, list[Finding], Path]:
    """The PMO's settings (language overridden) and the projects folder, or a usage error."""
    settings, settings_findings = load_settings(pmo)
    if lang:
        settings = settings.model_copy(update={"language": lang})
    folder = projects_folder(
        projects_dir or settings.projects_folder, Path.cwd(), settings.language
    )
    return settings, settings_findings, folder


def projects_folder(
    folder: Path | None, base: Path | None, lang: Lang = "fr", place: str = "cli"
) -> Path:
    """The folder to consolidate, or a :class:`UsageError` saying what to fix where (``place``:
    a key of :data:`labels.FOLDER_PLACES`); ``base``: what a relative folder is relative to,
    None when unknown (a workbook Excel gives no folder for)."""
    where = labels.FOLDER_PLACES[place].text(lang)
    if folder is None:
        raise UsageError(labels.NO_FOLDER.text(lang).format(where=where))
    if not folder.is_absolute() and base is None:
        raise UsageError(labels.RELATIVE_FOLDER.text(lang).format(folder=folder))
    if folder.is_file():  # the path of a project workbook, pasted where its folder goes
        check = labels.SINGLE_FILE_CHECKS[place].text(lang).format(folder=folder)
        sentence = labels.FOLDER_IS_FILE.text(lang)
        raise UsageError(sentence.format(folder=folder, where=where, check=check))
    if not folder.is_dir():
        raise UsageError(labels.FOLDER_MISSING.text(lang).format(folder=folder, where=where))
    return folder


def _run(
    folder: Path,
    settings: Settings,
    settings_findings: list[Finding],
    pmo: Path | None,
    cutoff: dt.date | None,
    history_output: Path,
    out: Path,
    progress: Progress | None,
    *,
    keep_later: bool = False,
) -> PortfolioResult:
    """Consolidate with the history of the last output and of the PMO workbook; never read
    our own output or the PMO workbook as projects (``keep_later``: see
    :func:`~pmo_xl.portfolio.consolidate_folder`).

    The history is read by a forked child while the folder is read (0.03 s at 1,000
    projects, off the run's path); here if the child failed, where any error is raised."""
    paths = [history_output] + ([pmo] if pmo else [])
    job = in_background(previous_history, paths)

    def history() -> list[pd.DataFrame]:
        read = job.outcome() if job is not None else None
        return read if isinstance(read, list) else previous_history(paths)

    try:
        result = consolidate_folder(
            folder,
            settings,
            cutoff=cutoff,
            previous_history=history,
            exclude=[p for p in (out, pmo) if p is not None],
            progress=progress,
            while_waiting=_import_writer,
            keep_later=keep_later,
        )
    finally:
        if job is not None:
            job.outcome()  # no child left behind, whatever happened
    result.findings = settings_findings + result.findings
    return result


def _import_writer() -> None:
    """Import the workbook writer (XlsxWriter with it: 0.05 s) while the consolidation waits
    for its side child (1,000 projects: 0.05-0.2 s), not later on the run's path."""
    import pmo_xl.xlsx_writer  # noqa: F401


@collector_paused()  # reading, consolidating and writing: see collector_paused
def consolidate(
    projects_dir: Path | None,
    *,
    pmo: Path | None = None,
    cutoff: dt.date | None = None,
    out: Path | None = None,
    json_path: Path | None = None,
    lang: Lang | None = None,
    with_copil: bool = True,
    progress: Progress | None = None,
) -> Consolidation:
    """Consolidate a folder and write the output workbook (and JSON). Sources are only read."""
    warm_up_workers()
    settings, settings_findings, folder = _settings_and_folder(projects_dir, pmo, lang)
    notes: list[str] = []
    out = out or default_output(pmo, folder)
    if pmo is not None and out.resolve() == pmo.resolve():
        # Rewriting the PMO workbook outside Excel would lose its buttons, VBA and formats.
        out = default_output(pmo, folder)
        notes.append(
            f"Le classeur PMO n'est jamais réécrit hors d'Excel (ses boutons, macros et mises en "
            f"forme seraient perdus) : les résultats sont écrits dans {out}. Dans Excel, le "
            f"bouton « Consolider » les écrit dans le classeur PMO lui-même."
        )
    safe_io.check_output(out, "workbook")
    if json_path is not None:
        safe_io.check_output(json_path, "json")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Held from the reading of last run's history to the writing: two runs writing the same
    # output one after the other each kept the history they had read, and one cut-off's snapshot
    # was lost. The second run is now told at once that another one is writing.
    with safe_io.output_lock(out):
        run = Consolidation(
            _run(
                folder,
                settings,
                settings_findings,
                pmo,
                cutoff,
                out,
                out,
                progress,
                keep_later=True,
            ),
            settings_findings,
            folder,
            notes=notes,
        )
        _write_outputs(run, out, json_path, with_copil=with_copil)
    return run


def _write_outputs(
    run: Consolidation, out: Path, json_path: Path | None, *, with_copil: bool
) -> None:
    """The output workbook (and JSON) of ``run``, its lock already held; nothing when no project
    was consolidated."""
    result, folder, notes = run.result, run.projects_dir, run.notes
    language = result.settings.language
    if not result.consolidated:
        # An empty or unreachable folder (a network drive not mounted), or every file refused:
        # last run's output, and the history it holds, stay as they are.
        notes.append(labels.NOT_REWRITTEN.text(language).format(folder=folder, book=out.name))
        return
    # Said once here, before the children fork, rather than in each of them: the workers said
    # the projects' findings, the portfolio stage its own where a side child left it time
    # (consolidate_loads); these are the rest (few), or all of the portfolio's.
    for finding in result.findings:
        finding.message(language)
    # The COPIL sheet is laid out by a forked child while this process lays out and writes the
    # other sheets (it is filled last; see _copil_sheet).
    copil_job = in_background(_copil_layout, result, language) if with_copil else None
    json_job = None
    try:
        from pmo_xl.outputs import output_layouts

        base = out.parent
        layouts: Sequence[SheetLayout | Pending] = (
            output_layouts(
                result,
                language,
                copil=_copil_sheet(result, language, copil_job),
                link_base=base,
            )
            if with_copil
            else output_layouts(result, language, link_base=base)
        )
        # The JSON is written by another forked child while this process writes the workbook:
        # two cores for two independent outputs (2 s saved at 1,000 projects). Forked after the
        # layouts, which are then made by this process and the COPIL's child alone on the two
        # cores, not three processes on two. If the child fails, the JSON is written here,
        # where any error is raised as usual. If the workbook cannot be written, the child is
        # still waited for (no process left behind): its JSON is complete.
        if json_path is not None:
            json_job = in_background(write_json, result, json_path, language)
        # What the next run may patch is written by a child forked once the workbook's sheets
        # are laid out and only its bodies are left to splice, not as soon as the tables were
        # made: there it took a core from the layouts, which every output waits for; the
        # splice ends the run with the other children finishing (1,000 projects, 16 re-runs
        # each, alternated: medians 2.38 -> 2.30 s).
        run.written.append(
            write_workbook(layouts, out, locked=True, on_closed=result.start_keeping)
        )
    finally:
        if copil_job is not None:
            copil_job.outcome()  # waited for even when the workbook was refused
        json_done = json_job is not None and json_job.succeeded()
    if json_path is not None:
        if not json_done:
            write_json(result, json_path, language)
        run.written.append(json_path)
    result.keep()  # what the next run may patch: written by then, or here (pmo_xl.rerun)


def _copil_layout(result: PortfolioResult, lang: Lang) -> SheetLayout:
    from pmo_xl import copil

    return copil.copil_layout(copil.build_report(result, lang), lang)


def _copil_sheet(result: PortfolioResult, lang: Lang, job: Background | None) -> Pending:
    """The COPIL sheet as ``job`` (a forked child) lays it out, or as laid out here when there
    is no child or it failed: any error is then raised here, as usual. Always filled last, so
    that the workbook's bytes do not depend on where it was laid out."""

    def resolve() -> SheetLayout:
        built = job.outcome() if job is not None else None
        return built if isinstance(built, SheetLayout) else _copil_layout(result, lang)

    return Pending(OUTPUT_SHEETS["copil"].text(lang), resolve)


def _refuse_inputs_as_output(out: Path, pmo: Path | None) -> None:
    if pmo is not None and out.resolve() == pmo.resolve():
        raise UsageError(
            "La sortie ne peut pas être le classeur PMO lui-même : ses feuilles de saisie ne sont "
            "jamais réécrites. Choisissez un autre fichier avec --out."
        )


def write_workbook(
    layouts: Sequence[SheetLayout | Pending],
    path: Path,
    *,
    keep_pieces: bool = True,
    locked: bool = False,
    on_closed: Callable[[], object] | None = None,
) -> Path:
    """Write an output workbook safely: not while open in Excel, one writer at a time, atomic.

    ``keep_pieces``: the rows of its big sheets are kept in the cache folder, so that the next
    run writes again only the groups of rows that changed (:mod:`pmo_xl.sheet_pieces`).
    ``locked``: the caller holds ``path``'s :func:`~pmo_xl.safe_io.output_lock` already.
    ``on_closed``: see :func:`~pmo_xl.xlsx_writer.render_xlsx`."""
    from pmo_xl import cache
    from pmo_xl.xlsx_writer import render_xlsx

    path.parent.mkdir(parents=True, exist_ok=True)
    safe_io.check_not_open_in_excel(path)
    pieces = cache.SheetPieces(cache.default_cache_dir(), path) if keep_pieces else None
    with contextlib.nullcontext() if locked else safe_io.output_lock(path):
        safe_io.sweep_temporaries(path)  # a run killed while writing left its temporary file
        if path.exists():
            safe_io.backup(path)
        render_xlsx(layouts, path, pieces=pieces, on_closed=on_closed)
    return path


def write_json(
    result: PortfolioResult, path: Path, lang: Lang = "fr", *, keep_pieces: bool = True
) -> Path:
    """The integration document, written as it is made (:mod:`pmo_xl.json_doc`), atomically.

    ``keep_pieces``: where its load records lie is kept in the cache folder, so that the next
    run copies from this file the groups of records that did not change."""
    from pmo_xl import cache, json_doc

    store = cache.SheetPieces(cache.default_cache_dir(), path) if keep_pieces else None
    last = store.load_index(json_doc.INDEX_NAME) if store is not None else None

    def write(tmp: Path) -> json_doc.Written:
        with open(tmp, "wb") as f:
            return json_doc.write_document(result, f, lang, last=last, previous=path)

    path.parent.mkdir(parents=True, exist_ok=True)
    written = safe_io.atomic_write(path, write)
    if store is not None and written.index is not None:
        with contextlib.suppress(OSError):
            written.index.identity = json_doc.identity(path.stat())
            store.save_index(json_doc.INDEX_NAME, written.index)
    return path


@dataclass
class CopilFiles:
    result: PortfolioResult
    xlsx: Path
    pdf: Path | None


@collector_paused()
def copil(
    projects_dir: Path | None,
    out: Path,
    *,
    pmo: Path | None = None,
    cutoff: dt.date | None = None,
    lang: Lang | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
) -> CopilFiles:
    """The standalone COPIL workbook for the direction (values only), and its PDF."""
    from pmo_xl import copil as report

    warm_up_workers()
    settings, settings_findings, folder = _settings_and_folder(projects_dir, pmo, lang)
    _refuse_inputs_as_output(out, pmo)
    safe_io.check_output(out, "workbook")
    history = default_output(pmo, folder)
    result = _run(folder, settings, settings_findings, pmo, cutoff, history, out, progress)
    built = report.build_report(result, settings.language)
    xlsx, pdf_path = report.write_copil_workbook(built, out, pdf=pdf)
    result.keep()
    return CopilFiles(result, xlsx, pdf_path)


def init(out_dir: Path, *, force: bool = False, lang: Lang = "fr") -> list[Path]:
    """Write the templates (``.xlsx``, and ``.xlsm`` with buttons) into ``out_dir``."""
    from pmo_xl import templates, vba_build

    out_dir.mkdir(parents=True, exist_ok=True)
    names = [templates.PROJECT_TEMPLATE_FILE, templates.PMO_TEMPLATE_FILE]
    targets = [out_dir / n for n in names] + [
        out_dir / Path(n).with_suffix(".xlsm").name for n in names
    ]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(
            "Ces fichiers existent déjà et ne sont pas remplacés : "
            + ", ".join(p.name for p in existing)
            + ". Ajoutez --force pour les régénérer."
        )
    written = templates.write_templates(out_dir, lang)
    written += vba_build.build_templates(out_dir, lang)
    return written


@dataclass
class DemoRun:
    root: Path
    pmo: Path
    consolidation: Consolidation
    copil_xlsx: Path | None
    copil_pdf: Path | None


def demo(out_dir: Path, *, pdf: bool = True, progress: Progress | None = None) -> DemoRun:
    """Build the demo portfolio, consolidate it and write the COPIL workbook (and PDF)."""
    from pmo_xl.demo import build_demo

    built = build_demo(out_dir)
    run = consolidate(
        None,
        pmo=built.pmo,
        out=out_dir / DEFAULT_OUTPUT,
        json_path=out_dir / "pmo_consolidation.json",
        progress=progress,
    )
    from pmo_xl import copil as report

    built_report = report.build_report(run.result, run.result.settings.language)
    can_pdf = pdf and _can_pdf()
    if pdf and not can_pdf:
        from pmo_xl.render_pdf import no_libreoffice

        run.notes.append(
            no_libreoffice(out_dir / "COPIL.xlsx").message(run.result.settings.language)
        )
    copil_xlsx, copil_pdf = report.write_copil_workbook(
        built_report, out_dir / "COPIL.xlsx", pdf=can_pdf
    )
    return DemoRun(out_dir, built.pmo, run, copil_xlsx, copil_pdf)


def _can_pdf() -> bool:
    from pmo_xl.render_pdf import find_soffice

    return find_soffice() is not None
