"""A real PMO folder always holds something broken: the run names it, skips it, and goes on.

Issue "Hostile and broken workbooks" §5: the demo portfolio plus a corpus of broken and hostile
files generated in code (tests/hostile.py), consolidated together.
"""

from __future__ import annotations

import datetime as dt
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import hostile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_xl.checks import project_findings
from pmo_xl.demo import build_demo
from pmo_xl.model import Settings
from pmo_xl.portfolio import consolidate_folder
from pmo_xl.reading import read_project
from pmo_xl.safe_io import file_digest
from pmo_xl.templates import project_template_layouts
from pmo_xl.workbook import CellError, MemoryWorkbook, Uncached

CUTOFF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo")).projects_dir


def _figures(result: object) -> dict[str, dict[str, object]]:
    return {
        p.code: p.model_dump(exclude={"file", "findings", "trend"})
        for p in result.projects  # type: ignore[attr-defined]
    }


def test_demo_plus_hostile_corpus_names_every_bad_file_and_keeps_good_figures(
    demo_dir: Path, tmp_path: Path
) -> None:
    clean = consolidate_folder(demo_dir, Settings(), cutoff=CUTOFF)

    mixed = tmp_path / "projets"
    shutil.copytree(demo_dir, mixed)
    cases = hostile.build_corpus(mixed / "recus")
    before = {p: file_digest(p) for p in mixed.rglob("*") if p.is_file()}

    start = time.perf_counter()
    result = consolidate_folder(mixed, Settings(), cutoff=CUTOFF)
    elapsed = time.perf_counter() - start

    assert elapsed < 60
    # ru_maxrss is in KiB on Linux: the whole test process stayed under 1 GiB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024
    statuses = {f.file: f for f in result.files}
    for case in cases:
        label = case.path.relative_to(mixed).as_posix()
        if case.status == "ignored" and case.path.name.startswith(("~$", ".~lock", "._")):
            assert label not in statuses  # owner lock files: skipped silently
            continue
        status = statuses[label]  # every other file is listed with what became of it
        if case.status == "rejected":
            assert status.status == "rejected", (label, status)
        # Files that pass preflight are consolidated (lying <dimension>, 1904 dates, external
        # links) or refused by the parser itself (malformed XML): either way, said in words.
        if status.status == "rejected":
            assert status.reason and status.reason_en, label
    good = _figures(clean)
    assert {code: f for code, f in _figures(result).items() if code in good} == good
    assert {p: file_digest(p) for p in mixed.rglob("*") if p.is_file()} == before


VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["=1+1", "#REF!", "15/11/2026", "2,5", "Terminé", "Oui", "-3", "  "]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    st.builds(CellError, st.sampled_from(["#REF!", "#N/A", "#DIV/0!", "#VALUE!"])),
    st.builds(Uncached, st.just("=A1*2")),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_template_filled_with_anything_gives_findings_never_an_exception(
    data: st.DataObject,
) -> None:
    grids = {layout.name: layout.to_grid() for layout in project_template_layouts("fr")}
    for grid in grids.values():
        # Keep the header row, so the data rows are really read; three rows of anything below
        # (and every value of the key/value Projet sheet) are enough to meet every converter.
        del grid.rows[4:]
        for row in grid.rows[1:]:
            for c in range(len(row)):
                row[c] = data.draw(VALUES)
    workbook = MemoryWorkbook("projet_fuzz.xlsx", grids)
    project = read_project(workbook)
    findings = project_findings(project, Settings(), CUTOFF, cutoff_given=True)
    assert all(f.file == "projet_fuzz.xlsx" for f in findings)


@pytest.mark.parametrize("make", [hostile.zip_bomb, hostile.far_corner, hostile.encrypted_ooxml])
def test_validate_refuses_a_hostile_file_as_the_consolidation_does(
    make: Callable[[Path], hostile.Case], tmp_path: Path
) -> None:
    # validate used to open files with openpyxl directly: a far corner grew to gigabytes, a
    # zip bomb was inflated. It now reads through the same preflight and bounded workers.
    from pmo_xl.model import Settings
    from pmo_xl.preflight import preflight
    from pmo_xl.validation import validate_files

    case = make(tmp_path)
    start = time.perf_counter()
    findings, code = validate_files([case.path], Settings())
    assert time.perf_counter() - start < 30
    assert code == 1
    ((finding),) = findings
    assert (finding.file, finding.code) == (case.path.name, "FILE_UNREADABLE")
    reason = preflight(case.path).reason("fr").rstrip(". ")
    assert reason in finding.message("fr")


def test_validate_says_a_pipe_or_a_folder_is_no_workbook_and_does_not_wait(tmp_path: Path) -> None:
    import os

    from pmo_xl.model import Settings
    from pmo_xl.validation import validate_files

    pipe = tmp_path / "tube.xlsx"
    os.mkfifo(pipe)
    findings, code = validate_files([pipe, tmp_path, tmp_path / "absent.xlsx"], Settings())
    assert code == 1
    assert sorted(f.params["reason"] for f in findings) == [
        "ce n'est pas un fichier ordinaire",
        "ce n'est pas un fichier ordinaire",
        "introuvable",
    ]
