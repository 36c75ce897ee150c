"""``pmo-xl``: the command line. Each command is one call into :mod:`pmo_xl.commands`.

Exit codes: 0 done (findings included), 1 nothing could be done (or ``validate`` found errors),
2 usage error.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pmo_xl import __version__, commands
from pmo_xl.labels import Label, Lang, os_error_label
from pmo_xl.portfolio import PortfolioResult
from pmo_xl.portfolio import Progress as ProgressFn
from pmo_xl.reading import parse_text_date
from pmo_xl.safe_io import OutputError, atomic_write, check_output

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="pmo_xl — contrôle, consolidation et rapport COPIL des classeurs projet.",
)
excel_app = typer.Typer(help="Intégration Excel (xlwings).", no_args_is_help=True)
app.add_typer(excel_app, name="excel")

out = Console()
err = Console(stderr=True)
PROGRESS_FROM = 10  # files: below this a progress bar is noise

LangOption = Annotated[str | None, typer.Option("--lang", help="fr ou en")]
PmoOption = Annotated[
    Path | None,
    typer.Option("--pmo", help="Classeur PMO (Paramètres, TJM, Projets, Règles…)"),
]
CutoffOption = Annotated[
    str | None,
    typer.Option(
        "--cutoff", help="Date d'arrêté AAAA-MM-JJ ou JJ/MM/AAAA (remplace celle du classeur PMO)"
    ),
]


def _lang(value: str | None) -> Lang | None:
    if value is None:
        return None
    if value not in ("fr", "en"):
        raise typer.BadParameter("--lang accepte fr ou en")
    return value  # type: ignore[return-value]


def _say_written(paths: Iterable[Path | None], lang: Lang) -> None:
    """One line per file written, in the run's language."""
    word = "Écrit :" if lang == "fr" else "Written:"
    for path in paths:
        if path is not None:
            out.print(f"{word} {path}")


def _say_notes(notes: Iterable[str], lang: Lang) -> None:
    """What the user should know about the run (an output not rewritten, a PDF not made…)."""
    word = "Note :" if lang == "fr" else "Note:"
    for note in notes:
        err.print(f"[yellow]{word}[/yellow] {note}")


def _cutoff(value: str | None, lang: str | None = None) -> dt.date | None:
    """``--cutoff``: ``2026-11-20``, or the day first as a PMO writes it (``20/11/2026``)."""
    if value is None:
        return None
    said: Lang = "en" if lang == "en" else "fr"  # the run's language is not known yet
    day = parse_text_date(value)
    if day is None:
        raise typer.BadParameter(CUTOFF_NOT_A_DATE.text(said).format(value=value))
    if not 1900 <= day.year <= 2200:  # pandas' dates end in 2262; no plan runs that far
        raise typer.BadParameter(CUTOFF_OUT_OF_RANGE.text(said).format(value=value))
    return day


CUTOFF_NOT_A_DATE = Label(
    "date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA, pas « {value} »",
    "date expected as YYYY-MM-DD or DD/MM/YYYY, not '{value}'",
)
CUTOFF_OUT_OF_RANGE = Label(
    "date d'arrêté hors des années 1900 à 2200 : « {value} »",
    "cut-off date outside the years 1900 to 2200: '{value}'",
)


@contextmanager
def _progress(enabled: bool = True) -> Iterator[ProgressFn | None]:
    if not enabled or not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("[bold]Consolidation"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        # Refreshed at each file, not by rich's refresh thread: with no thread running, the
        # workers fork from this process (ready at once) instead of from a fork server (0.8 s).
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("", total=None)

        def tick(i: int, n: int, name: str) -> None:
            if n >= PROGRESS_FROM:
                bar.update(task, completed=i, total=n, description=name, refresh=True)

        yield tick


@contextmanager
def _failures() -> Iterator[None]:
    """Usage and output errors become one clear line and the right exit code."""
    try:
        yield
    except commands.UsageError as exc:
        err.print(f"[red]Erreur :[/red] {exc}")
        raise typer.Exit(2) from exc
    except OutputError as exc:
        err.print(f"[red]Erreur :[/red] {exc.message('fr')}")
        raise typer.Exit(1) from exc
    except OSError as exc:  # a folder that cannot be made, a file that cannot be read…
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(f"[red]Erreur :[/red] {os_error_label(exc).fr}{where}")
        raise typer.Exit(1) from exc


def _summary(result: PortfolioResult, lang: Lang, *, files_sheet_written: bool) -> None:
    """The most exposed projects (all of them in a typical portfolio), then the counts, with
    the first files to chase (the ``Fichiers`` sheet, when written, lists them all)."""
    from pmo_xl.copil import fmt_number, fmt_pct
    from pmo_xl.history import TREND_ARROWS
    from pmo_xl.labels import WEATHER_WORDS, day_text
    from pmo_xl.summary import (
        SHOWN_FILES_TERMINAL,
        SHOWN_PROJECTS,
        more_projects_line,
        most_exposed_first,
        result_lines,
    )

    colours = {"green": "green", "amber": "yellow", "red": "red"}
    cutoff = day_text(result.cutoff, lang)
    table = Table(title=f"{result.settings.title} — {cutoff}")
    table.box = box.SIMPLE_HEAD
    table.add_column("Code", no_wrap=True, min_width=7)
    table.add_column(
        _SUMMARY_HEADERS["name"].text(lang), no_wrap=True, max_width=16, overflow="ellipsis"
    )
    table.add_column(_SUMMARY_HEADERS["weather"].text(lang), no_wrap=True, min_width=11)
    for key in ("progress", "eac", "drift", "spi"):
        header = _SUMMARY_HEADERS[key].text(lang)
        table.add_column(header, justify="right", no_wrap=True, min_width=max(len(header), 4))
    shown = most_exposed_first(result.projects)[:SHOWN_PROJECTS]
    for p in shown:
        weather = WEATHER_WORDS[p.weather].text(lang)
        table.add_row(
            (p.code or "?") + ("*" if p.incomplete_data else ""),
            (p.name or "")[:32],
            f"[{colours[p.weather]}]● {weather}[/] {TREND_ARROWS.get(p.trend, '—')}",
            fmt_pct(p.progress_pct, lang, decimals=0),
            fmt_number(p.eac_days, lang, 1),
            "—" if p.drift_pct is None else fmt_pct(p.drift_pct, lang, signed=True),
            "—" if p.spi is None else fmt_number(p.spi, lang, 2),
        )
    notes = [more_projects_line(len(result.projects), len(shown), lang)]
    if any(p.incomplete_data for p in shown):
        notes.append(PARTIAL_MARK.text(lang))
    table.caption = "\n".join(n for n in notes if n) or None
    out.print(table)
    lines = result_lines(
        result, lang, max_files=SHOWN_FILES_TERMINAL, files_sheet_written=files_sheet_written
    )
    for line in lines:
        out.print(line, markup=False, highlight=False)


PARTIAL_MARK = Label(
    "* chiffres partiels : lignes en erreur écartées (voir Contrôles)",
    "* partial figures: rows in error left out (see Findings)",
)

_SUMMARY_HEADERS = {
    "name": Label("Projet", "Project"),
    "weather": Label("Météo", "Weather"),
    "progress": Label("Avanct", "Progr."),
    "eac": Label("Réest. j", "EAC d"),
    "drift": Label("Dérive", "Drift"),
    "spi": Label("SPI", "SPI"),
}


@app.command()
def consolidate(
    projects_dir: Annotated[
        Path | None,
        typer.Argument(help="Dossier des classeurs projet (sinon celui du classeur PMO)"),
    ] = None,
    pmo: PmoOption = None,
    cutoff: CutoffOption = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Classeur de sortie (défaut : pmo_consolidation.xlsx)"),
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Export JSON")] = None,
    lang: LangOption = None,
) -> None:
    """Consolide tous les classeurs projet d'un dossier (lus sans jamais être modifiés)."""
    with _failures(), _progress() as progress:
        run = commands.consolidate(
            projects_dir,
            pmo=pmo,
            cutoff=_cutoff(cutoff, lang),
            out=out_path,
            json_path=json_path,
            lang=_lang(lang),
            progress=progress,
        )
    _summary(run.result, run.result.settings.language, files_sheet_written=bool(run.written))
    language = run.result.settings.language
    _say_notes(run.notes, language)
    _say_written(run.written, language)
    raise typer.Exit(0 if run.result.consolidated else 1)


@app.command()
def copil(
    projects_dir: Annotated[
        Path | None, typer.Argument(help="Dossier des classeurs projet")
    ] = None,
    out_path: Annotated[Path, typer.Option("--out", help="Classeur COPIL à écrire")] = Path(
        "COPIL.xlsx"
    ),
    pmo: PmoOption = None,
    cutoff: CutoffOption = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Exporter aussi en PDF (LibreOffice)")] = False,
    lang: LangOption = None,
) -> None:
    """Écrit le rapport COPIL autonome pour la direction (valeurs seules), et son PDF."""
    with _failures(), _progress() as progress:
        files = commands.copil(
            projects_dir,
            out_path,
            pmo=pmo,
            cutoff=_cutoff(cutoff, lang),
            lang=_lang(lang),
            pdf=pdf,
            progress=progress,
        )
    _say_written([files.xlsx, files.pdf], files.result.settings.language)
    raise typer.Exit(0 if files.result.consolidated else 1)


@app.command()
def validate(
    workbooks: Annotated[list[Path], typer.Argument(help="Classeurs projet à contrôler")],
    pmo: PmoOption = None,
    cutoff: CutoffOption = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Export JSON")] = None,
    lang: LangOption = None,
) -> None:
    """Contrôle des classeurs projet : chaque anomalie avec sa cellule et comment la corriger."""
    from pmo_xl.findings_sheet import print_findings
    from pmo_xl.validation import findings_json, validate_files

    with _failures():
        settings, settings_findings = commands.load_settings(pmo)
        if json_path is not None:
            check_output(json_path, "json")
    language = _lang(lang) or settings.language
    findings, code = validate_files(workbooks, settings, language, cutoff=_cutoff(cutoff, lang))
    findings = settings_findings + findings
    print_findings(findings, language, out)
    if json_path is not None:
        data = findings_json(findings, language).encode("utf-8")
        with _failures():
            json_path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(json_path, lambda tmp: tmp.write_bytes(data))
    raise typer.Exit(code)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Dossier où écrire les modèles")],
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer les fichiers existants")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Écrit les modèles : projet_modele.xlsx/.xlsm et pmo.xlsx/.xlsm."""
    with _failures():
        language = _lang(lang) or "fr"
        paths = commands.init(directory, force=force, lang=language)
    _say_written(paths, language)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Dossier du portefeuille de démo")] = Path(
        "demo"
    ),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="PDF du COPIL")] = True,
) -> None:
    """Génère un portefeuille de démonstration, le consolide et écrit le rapport COPIL."""
    with _failures(), _progress() as progress:
        run = commands.demo(out_dir, pdf=pdf, progress=progress)
    _summary(run.consolidation.result, "fr", files_sheet_written=bool(run.consolidation.written))
    _say_notes(run.consolidation.notes, "fr")
    _say_written([run.pmo, *run.consolidation.written, run.copil_xlsx, run.copil_pdf], "fr")


@excel_app.command("setup")
def excel_setup(
    udf_server: Annotated[
        bool | None,
        typer.Option(
            "--udf-server/--no-udf-server",
            help="Windows : boutons exécutés dans le processus des fonctions PMO_… (imports "
            "payés une fois par session Excel) ; sans l'option, le réglage actuel est gardé",
        ),
    ] = None,
) -> None:
    """Configure xlwings pour pmo_xl (modules UDF, interpréteur) et liste les étapes restantes."""
    from pmo_xl.excel_setup import setup

    for line in setup(udf_server=udf_server):
        out.print(line)


def _version(value: bool) -> None:
    if value:
        from pmo_xl import native

        # Which reader reads the sheets: the first thing to know when a PC reads slowly.
        reader = (
            "lecteur C (pmo_xl._sheetxml)"
            if native.enabled()
            else "calamine seul (pmo_xl construit sans compilateur C, ou PMO_XL_NATIVE=0)"
        )
        out.print(f"pmo-xl {__version__} — lecture des feuilles : {reader}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Version")
    ] = False,
) -> None:
    """pmo_xl — contrôle, consolidation et rapport COPIL des classeurs projet."""


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrompu.")
        sys.exit(130)
    finally:
        # The process ends now: its memory goes back to the system whole, and the collector's
        # last pass at exit would only walk the heap again (0.2 s after 1,000 projects).
        # Outputs are written and closed before this point (atomic_write); stdout and stderr
        # are still flushed at exit.
        gc.freeze()
