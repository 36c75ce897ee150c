"""What a consolidation tells the PMO in a few lines: the button's message box, the CLI's summary.

Both read the same sentences. A large portfolio is summed up, not listed: the CLI shows the
:data:`SHOWN_PROJECTS` most exposed projects, the workbook holds every one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from pmo_xl.findings_sheet import counts_text
from pmo_xl.labels import FILE_STATUSES, OUTPUT_SHEETS, Lang, colon, day_text
from pmo_xl.safe_text import shorten
from pmo_xl.weather import WEATHER_RANK

if TYPE_CHECKING:
    from pmo_xl.portfolio import PortfolioResult

# A typical SME portfolio (30 projects) is shown whole; 1,000 rows printed took 1 s and
# scrolled out of sight.
SHOWN_PROJECTS = 30
# The button's message box names this many files to chase, each reason cut to a few lines:
# 150 missing files made a box taller than the screen, its OK button out of reach.
SHOWN_FILES = 10
# The terminal names more (a log keeps them), not all: a Projets list copied from last year's
# portfolio named hundreds of missing files, and the counts scrolled out of sight.
SHOWN_FILES_TERMINAL = 30
SHOWN_REASON_CHARS = 200

_TEXTS: dict[str, tuple[str, str]] = {
    "consolidated": (
        "Consolidation au {cutoff} : {n} projet(s) consolidé(s).",
        "Consolidation at {cutoff}: {n} project(s) consolidated.",
    ),
    "files": ("Fichiers : {counts}.", "Files: {counts}."),
    "findings": ("Contrôles : {counts}.", "Findings: {counts}."),
    "more_files": (
        "… et {n} autre(s) : voir l'onglet « {sheet} ».",
        "… and {n} more: see the '{sheet}' sheet.",
    ),
    # When the Fichiers sheet was not written on this run: it holds the last run's files.
    "more_files_unlisted": ("… et {n} autre(s).", "… and {n} more."),
    "more_projects": (
        "… et {n} projet(s) moins exposé(s) : tous sont dans l'onglet « {sheet} ».",
        "… and {n} less exposed project(s): all are in the '{sheet}' sheet.",
    ),
}


class _Exposed(Protocol):
    @property
    def weather(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def file(self) -> str: ...


P = TypeVar("P", bound=_Exposed)


def text(key: str, lang: Lang = "fr", **params: object) -> str:
    """One sentence of the summary, in ``lang``."""
    fr, en = _TEXTS[key]
    return (fr if lang == "fr" else en).format(**params)


def most_exposed_first(projects: Iterable[P]) -> list[P]:
    """Worst weather first, then by code: the committee reads the storms first."""
    return sorted(projects, key=lambda p: (-WEATHER_RANK[p.weather], (p.code or p.file).upper()))


def more_projects_line(total: int, shown: int, lang: Lang) -> str | None:
    """The line under a list cut at ``shown`` of ``total`` projects (None: nothing was cut)."""
    if total <= shown:
        return None
    return text(
        "more_projects", lang, n=total - shown, sheet=OUTPUT_SHEETS["consolidation"].text(lang)
    )


def result_lines(
    result: PortfolioResult,
    lang: Lang,
    *,
    max_files: int | None = None,
    files_sheet_written: bool = True,
) -> list[str]:
    """Projects consolidated, files by status (the ones to chase named), findings by severity.

    ``max_files``: name at most that many files to chase (reasons shortened), then say how
    many more there are, and that the ``Fichiers`` sheet lists them if ``files_sheet_written``;
    None names them all.
    """
    counts: dict[str, int] = {}
    for f in result.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    plural = "(s)" if lang == "fr" else ""
    files = " · ".join(
        f"{n} {FILE_STATUSES[s].text(lang).lower()}{plural}" for s, n in sorted(counts.items())
    )
    lines = [
        text("consolidated", lang, cutoff=day_text(result.cutoff, lang), n=result.consolidated)
    ]
    if files:
        sep = colon(lang)
        # The files the PMO must chase, named under the counts.
        to_chase = [f for f in result.files if f.status in ("rejected", "missing")]
        shown = to_chase if max_files is None else to_chase[:max_files]
        chase = []
        for f in shown:
            reason = f.reason_text(lang) or ""
            if max_files is not None:
                reason = shorten(reason, SHOWN_REASON_CHARS)
            line = f"• {FILE_STATUSES[f.status].text(lang)}{sep}{f.file}"
            chase.append(line + (f" — {reason}" if reason else ""))
        more = len(to_chase) - len(shown)
        if more and files_sheet_written:
            sheet = OUTPUT_SHEETS["files"].text(lang)
            chase.append(text("more_files", lang, n=more, sheet=sheet))
        elif more:
            chase.append(text("more_files_unlisted", lang, n=more))
        lines.append("\n".join([text("files", lang, counts=files), *chase]))
    lines.append(text("findings", lang, counts=counts_text(result.findings, lang)))
    return lines
