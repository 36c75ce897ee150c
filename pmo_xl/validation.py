"""``pmo-xl validate``: read project workbooks from disk, check them, say whether any has an error.

The CLI command and the JSON export are thin layers over :func:`validate_files`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pmo_xl.checks import apply_overrides, check_portfolio, sort_findings
from pmo_xl.labels import Lang
from pmo_xl.messages import severity
from pmo_xl.model import Finding, ProjectShare, ProjectWorkbook, Settings


def file_labels(paths: Sequence[Path]) -> dict[Path, str]:
    """How findings name each file: its name, or its full path when two files share a name."""
    names = Counter(p.name for p in paths)
    return {p: p.name if names[p.name] == 1 else str(p) for p in paths}


_NOT_A_FILE = ("ce n'est pas un fichier ordinaire", "it is not a regular file")
_NOT_A_PROJECT = (
    "pas un classeur projet (ni feuille Projet ni feuille Planning)",
    "not a project workbook (no Projet nor Planning sheet)",
)


def unreadable(file: str, reason: str, reason_en: str) -> Finding:
    return Finding(
        file=file,
        severity=severity("FILE_UNREADABLE"),
        code="FILE_UNREADABLE",
        params={"reason": reason.rstrip(". "), "reason_en": reason_en.rstrip(". ")},
    )


def validate_files(
    paths: Sequence[Path],
    settings: Settings,
    lang: Lang = "fr",
    *,
    cutoff: dt.date | None = None,
) -> tuple[list[Finding], int]:
    """Check each workbook and the set of them; ``(findings sorted, exit code)``.

    Each file is read as the consolidation reads it: examined by its bytes first (preflight:
    zip bombs, outsized sheets, encrypted or renamed files are refused with their reason), then
    parsed in a worker process bounded in time and memory. The findings are the checks' (the
    rule catalogue, as the Vérifier button says them), not the costing's: without the PMO's
    rates every day would be "costed at 0". The exit code is 1 when any finding is an error,
    else 0. The cut-off is ``cutoff`` (command line), else the PMO's, else each project's own.
    ``lang`` is accepted for the CLI's symmetry: findings are data, rendered in any language
    afterwards.
    """
    from pmo_xl.portfolio import load_files

    del lang
    effective = cutoff or settings.cutoff
    labels_of = file_labels(paths)
    findings: list[Finding] = []
    readable: list[Path] = []
    for path in paths:
        if path.is_file():
            readable.append(path)
        else:  # missing, a folder, a pipe (opening one would wait forever)
            reason = ("introuvable", "not found") if not path.exists() else _NOT_A_FILE
            findings.append(unreadable(labels_of[path], *reason))
    loads = load_files(
        Path.cwd(),
        readable,
        settings,
        effective,
        cache=False,
        whole_folder=False,
        labels=[labels_of[p] for p in readable],
    )
    projects: list[ProjectWorkbook | ProjectShare] = []
    for load in loads:
        if load.status is not None or not load.read:
            status = load.status
            fr, en = (status.reason, status.reason_en) if status else _NOT_A_PROJECT
            findings.append(unreadable(load.label, fr or "?", en or fr or "?"))
            continue
        costed = {id(f) for f in load.figures.findings} if load.figures else set()
        findings += [f for f in load.findings if id(f) not in costed]
        project = load.share or load.workbook
        if project is not None:
            projects.append(project)
    findings += check_portfolio(projects, settings)
    ordered = sort_findings(apply_overrides(findings, settings))
    return ordered, exit_code(ordered)


def exit_code(findings: Iterable[Finding]) -> int:
    """1 when any finding is an error (the CLI's exit status), else 0."""
    return 1 if any(f.severity == "error" for f in findings) else 0


def findings_json(findings: Iterable[Finding], lang: Lang = "fr") -> str:
    """The findings as a JSON array (``--json FILE``), messages in ``lang``."""
    return json.dumps(
        [{**f.as_dict(lang), "location": f.location} for f in findings],
        ensure_ascii=False,
        indent=2,
    )
