"""``pmo-xl validate``: read project workbooks from disk, check them, say whether any has an error.

The CLI command and the JSON export are thin layers over :func:`validate_files`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pmo_xl.checks import apply_overrides, check_portfolio, project_findings, sort_findings
from pmo_xl.file_workbook import open_workbook
from pmo_xl.labels import Lang
from pmo_xl.messages import severity
from pmo_xl.model import Finding, ProjectWorkbook, Settings
from pmo_xl.reading import read_project
from pmo_xl.workbook import WorkbookError


def file_labels(paths: Sequence[Path]) -> dict[Path, str]:
    """How findings name each file: its name, or its full path when two files share a name."""
    names = Counter(p.name for p in paths)
    return {p: p.name if names[p.name] == 1 else str(p) for p in paths}


def unreadable(file: str, error: WorkbookError) -> Finding:
    return Finding(
        file=file,
        severity=severity("FILE_UNREADABLE"),
        code="FILE_UNREADABLE",
        params={"reason": error.reason, "reason_en": error.reason_en},
    )


def validate_files(
    paths: Sequence[Path],
    settings: Settings,
    lang: Lang = "fr",
    *,
    cutoff: dt.date | None = None,
) -> tuple[list[Finding], int]:
    """Check each workbook and the set of them; ``(findings sorted, exit code)``.

    The exit code is 1 when any finding is an error, else 0. The cut-off is the PMO's
    (``settings.cutoff``), else ``cutoff`` (command line), else each project's own. ``lang`` is
    accepted for the CLI's symmetry: findings are data, rendered in any language afterwards.
    """
    effective = settings.cutoff or cutoff
    labels_of = file_labels(paths)
    findings: list[Finding] = []
    projects: list[ProjectWorkbook] = []
    for path in paths:
        label = labels_of[path]
        try:
            with open_workbook(path, label) as source:
                project = read_project(source, settings, path=path, file=label)
        except WorkbookError as exc:
            findings += apply_overrides([unreadable(label, exc)], settings)
            continue
        projects.append(project)
        findings += project_findings(
            project, settings, effective, cutoff_given=effective is not None
        )
    findings += check_portfolio(projects, settings)
    ordered = sort_findings(findings)
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
