"""Same answers, faster (issue "Fast consolidation" §3-4).

The fast path (calamine reader, column-wise conversion, worker processes, cache) must give the
figures and findings of the reference path (openpyxl, cell by cell, one process, no cache), on
the demo portfolio, on workbooks of the benchmark generator and on every value trap: typed-text
dates, decimal commas, error cells, formulas without a value, 1904 dates.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import openpyxl
import openpyxl.utils.datetime
import pandas as pd
import pytest
from builders import simple_project, write_book
from c_reader import needs_c_reader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference

import pmo_xl
from pmo_xl import cache, labels, native, portfolio, preflight, reading, sandbox
from pmo_xl.demo import build_demo
from pmo_xl.fast_workbook import FastWorkbook, RawGrid, open_fast
from pmo_xl.file_workbook import open_workbook
from pmo_xl.model import Settings
from pmo_xl.portfolio import consolidate_folder
from pmo_xl.sandbox import BoundedFailure
from pmo_xl.workbook import CellError, Grid, Uncached, WorkbookError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus

CUTOFF = dt.date(2026, 11, 20)


def _answers(result: portfolio.PortfolioResult) -> dict[str, Any]:
    """Everything a run tells the PMO: figures, findings, files, load, risks, actions…"""
    doc = result.to_json("fr")
    doc["effort"] = result.effort.astype(str).to_dict("records")
    return doc


# ---------------------------------------------------------------------------------------------
# The reader: calamine's values as openpyxl gives them
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=[pytest.param("C reader", marks=needs_c_reader), "calamine"])
def sheet_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both fast readers: the C one pmo_xl builds, and calamine alone (a build without C)."""
    monkeypatch.setenv("PMO_XL_NATIVE", "1" if request.param == "C reader" else "0")
    return str(request.param)


@pytest.fixture(scope="module")
def traps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook with every value trap, written by openpyxl (which writes error cells)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pièges"
    sheet["B3"] = "texte"  # the used range starts at B3: rows 1-2 and column A are empty
    sheet["C3"] = 5  # a whole number: openpyxl gives int 5, calamine 5.0
    sheet["D3"] = 2.5
    sheet["E3"] = dt.datetime(2026, 11, 16)  # a date: openpyxl datetime, calamine date
    sheet["F3"] = dt.datetime(2026, 11, 16, 13, 30)
    sheet["G3"] = True
    sheet["B4"] = "#REF!"  # openpyxl stores this as an error cell; calamine reads ''
    sheet["C4"] = "#DIV/0!"
    sheet["D4"] = "=1/0"  # a formula without a computed value
    sheet["E4"] = "15/11/2026"  # a date typed as text
    sheet["F4"] = "2,5"  # a decimal comma
    sheet["G4"] = ""  # blank text: None on both sides
    sheet["B6"] = "#N/A"
    path = tmp_path_factory.mktemp("traps") / "pieges.xlsx"
    book.save(path)
    return path


def test_fast_reader_gives_openpyxl_values_for_every_trap(traps: Path, sheet_reader: str) -> None:
    with open_workbook(traps) as reference, open_fast(traps) as fast:
        assert fast.sheet_names() == reference.sheet_names() == ["Pièges"]
        assert fast.read_sheet("Pièges").rows == reference.read_sheet("Pièges").rows
        assert (fast._book is None) == (sheet_reader == "C reader")  # calamine not opened


def test_without_the_c_reader_calamine_reads_every_sheet(
    traps: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build without a C compiler, or PMO_XL_NATIVE=0: the reader pmo_xl had before."""
    monkeypatch.setenv("PMO_XL_NATIVE", "0")
    with open_fast(traps) as fast, open_workbook(traps) as reference:
        assert fast.read_sheet("Pièges").rows == reference.read_sheet("Pièges").rows
        assert fast._book is not None  # calamine opened
    assert native.fingerprint() == "calamine"


@pytest.mark.usefixtures("sheet_reader")
def test_error_cells_are_cell_errors_not_blanks(traps: Path) -> None:
    with open_fast(traps) as fast:
        grid = fast.read_sheet("Pièges")
    # B4 = row 4, column 2; B6 = row 6, column 2 (the grid starts at A1).
    assert grid.cell(4, 2) == CellError("#REF!")
    assert grid.cell(4, 3) == CellError("#DIV/0!")
    assert grid.cell(6, 2) == CellError("#N/A")


@pytest.mark.usefixtures("sheet_reader")
def test_formula_without_value_is_uncached_not_blank(traps: Path) -> None:
    with open_fast(traps) as fast:
        assert fast.read_sheet("Pièges").cell(4, 4) == Uncached("=1/0")


@pytest.mark.usefixtures("sheet_reader")
def test_calamine_conventions_become_openpyxl_ones(traps: Path) -> None:
    with open_fast(traps) as fast:
        raw = fast.raw_sheet("Pièges")
        grid = fast.read_sheet("Pièges")
    assert isinstance(raw.rows[2][2], float) and grid.cell(3, 3) == 5  # 5.0 → 5
    assert isinstance(grid.cell(3, 3), int)
    assert grid.cell(3, 5) == dt.datetime(2026, 11, 16)  # date → datetime at midnight
    assert raw.rows[3][6] == "" and grid.cell(4, 7) is None  # '' → None
    assert grid.rows[0] == [] and grid.rows[1] == []  # empty rows above the used range


@pytest.mark.usefixtures("sheet_reader")
def test_1904_workbook_reads_the_same_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.active.title = "Dates"
    book.active["A1"] = dt.datetime(2026, 11, 20)
    book.active["A2"] = dt.datetime(1904, 1, 2)
    path = tmp_path / "mac.xlsx"
    book.save(path)
    with open_workbook(path) as reference, open_fast(path) as fast:
        assert fast.read_sheet("Dates").rows == reference.read_sheet("Dates").rows
        assert fast.read_sheet("Dates").cell(1, 1) == dt.datetime(2026, 11, 20)


@pytest.mark.usefixtures("sheet_reader")
def test_text_with_an_escaped_carriage_return_is_read_as_openpyxl_reads_it(
    tmp_path: Path,
) -> None:
    """Excel stores a carriage return in text as ``_x000D_``: calamine decodes it, openpyxl
    keeps it as typed in the file; such a workbook is read by openpyxl."""
    path = write_book(tmp_path / "cr.xlsx", {"Feuil1": [["ligne 1\r\nligne 2", 1]]})
    with open_workbook(path) as reference:
        expected = reference.read_sheet("Feuil1").rows
    source = portfolio.open_source(path, "cr.xlsx")
    assert not isinstance(source, FastWorkbook)
    assert source.read_sheet("Feuil1").rows == expected == [["ligne 1_x000D_\nligne 2", 1]]


def test_chart_sheet_workbook_falls_back_to_openpyxl(tmp_path: Path) -> None:
    """A workbook with a chart sheet is read by openpyxl (calamine lists chart sheets too)."""
    book = openpyxl.Workbook()
    book.active.title = "Données"
    book.active["A1"], book.active["A2"] = 1, 2
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("Graphique").add_chart(chart)
    path = tmp_path / "graphique.xlsx"
    book.save(path)
    source = portfolio.open_source(path, "graphique.xlsx")
    assert not isinstance(source, FastWorkbook)
    assert source.sheet_names() == ["Données"]


def _all_raw_rows(path: Path, pre: preflight.PreflightResult | None) -> dict[str, Any]:
    with open_fast(path, path.name, pre) as fast:
        return {name: fast.raw_sheet(name).rows for name in fast.sheet_names()}


@pytest.mark.usefixtures("sheet_reader")
def test_reader_given_preflight_parts_reads_the_same_values_without_the_zip(traps: Path) -> None:
    pre = preflight.preflight(traps)
    # Preflight keeps the workbook, its relationships and the sheet it inflated and checked.
    assert {"xl/workbook.xml", "xl/worksheets/sheet1.xml"} <= set(pre.parts)
    with open_fast(traps, "pieges.xlsx", pre) as fast:
        grids = {name: fast.raw_sheet(name).rows for name in fast.sheet_names()}
        assert fast._archive is None  # nothing inflated a second time
    assert grids == _all_raw_rows(traps, None)


def test_parts_of_a_file_changed_since_preflight_are_not_used(tmp_path: Path) -> None:
    path = write_book(tmp_path / "p.xlsx", {"Feuil1": [["avant", 1]]})
    pre = preflight.preflight(path)
    write_book(path, {"Feuil1": [["après", 2, 3]]})  # saved again between preflight and reading
    assert pre.parts_if_unchanged() == {}
    assert _all_raw_rows(path, pre) == {"Feuil1": [["après", 2.0, 3.0]]}


def test_a_part_zipfile_would_refuse_is_not_kept_so_the_reader_refuses_it_as_before(
    tmp_path: Path,
) -> None:
    path = write_book(tmp_path / "p.xlsx", {"Feuil1": [["a", 1]]})
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    name_at = info.header_offset + 30 + len("xl/worksheets/")
    data[name_at] = ord("S")  # the local header now names xl/worksheets/Sheet1.xml
    path.write_bytes(bytes(data))
    pre = preflight.preflight(path)
    assert pre.ok and "xl/worksheets/sheet1.xml" not in pre.parts
    with pytest.raises(WorkbookError):
        _all_raw_rows(path, pre)


# ---------------------------------------------------------------------------------------------
# Column-wise conversion (reading.table_from_grid) = cell-by-cell conversion
# ---------------------------------------------------------------------------------------------


def _cell_by_cell(grid: Grid, spec: labels.SheetSpec) -> tuple[dict[str, list[Any]], list[Any]]:
    """The reader's rule spelled out one cell at a time (the reference for table_from_grid)."""
    found = reading._find_header(grid, reading.Vocabulary().column_lookup(spec), spec)
    assert found is not None
    header_r, columns, _dups = found
    data = grid.rows[header_r + 1 :]
    wanted = [(c, columns[c.field][0]) for c in spec.columns if c.field in columns]
    wanted = [(c, i) for c, i in wanted if c.kind != "formula"]

    def at(row: list[Any], i: int) -> Any:
        value = row[i] if i < len(row) else None
        return RawGrid.normalize(value) if isinstance(grid, RawGrid) else value

    keep = [
        r
        for r, row in enumerate(data)
        if any(not reading._is_blank(at(row, i)) for _c, i in wanted)
    ]
    values: dict[str, list[Any]] = {}
    findings: list[Any] = []
    for col, i in wanted:
        values[col.field] = []
        for r in keep:
            value, code, params = reading.convert(at(data[r], i), col)
            values[col.field].append(value)
            if code is not None:
                findings.append((code, header_r + 2 + r, col.field, params))
    return values, findings


TEXTS = ["", "  ", "\xa0", " T1 ", "Terminé", "Oui", "non", "x", "15/11/2026", "2,5", "T1"]
TEXTS += ["1 234,5", "\tTerminé "]
CELLS = st.one_of(
    st.none(),
    st.sampled_from(TEXTS),
    st.integers(min_value=-5, max_value=50_000),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2300, 12, 31)),
    st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(2201, 1, 1)),
    st.builds(CellError, st.sampled_from(["#REF!", "#N/A"])),
    st.builds(Uncached, st.just("=A1*2")),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=13), max_size=8),
    raw=st.booleans(),
    c_code=st.booleans(),
)
def test_column_conversion_equals_cell_by_cell(
    rows: list[list[Any]], raw: bool, c_code: bool
) -> None:
    # c_code: the C code types the columns (native.typed_column), else numpy does
    with mock.patch.dict(os.environ, {"PMO_XL_NATIVE": "1" if c_code else "0"}):
        _column_conversion_equals_cell_by_cell(rows, raw)


def _column_conversion_equals_cell_by_cell(rows: list[list[Any]], raw: bool) -> None:
    spec = labels.PLANNING
    header = [c.label.fr for c in spec.columns if c.kind != "formula"]
    if raw:  # calamine's conventions: '' for blanks, rectangular rows
        width = max([len(header), *(len(r) for r in rows)])
        padded = [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in rows]
        grid: Grid = RawGrid([header + [""] * (width - len(header)), *padded])
    else:
        grid = Grid([header, *rows])
    ctx = reading._Context("t.xlsx")
    table = reading.table_from_grid(grid, spec, ctx, reading.Vocabulary(), "Planning")
    expected, expected_findings = _cell_by_cell(grid, spec)
    got = [
        (f.code, f.row, next(c.field for c in spec.columns if c.label.fr == f.column), f.params)
        for f in ctx.findings
    ]
    assert got == expected_findings
    for field, want in expected.items():
        have = table.frame[field].tolist()
        if spec.column(field).kind == "date":
            have = [None if pd.isna(v) else v.date() for v in have]
        if spec.column(field).kind == "number":
            have = [None if np.isnan(v) else v for v in have]
        assert have == want, field
    assert str(table.frame["start"].dtype) == "datetime64[ns]"
    assert table.frame["name"].dtype == object


# ---------------------------------------------------------------------------------------------
# Whole runs: fast path = reference path
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo")).projects_dir


@pytest.mark.usefixtures("sheet_reader")
def test_demo_portfolio_gives_identical_figures_and_findings(demo_dir: Path) -> None:
    fast = consolidate_folder(demo_dir, Settings(), cutoff=CUTOFF, cache=False)
    reference = consolidate_folder(
        demo_dir, Settings(), cutoff=CUTOFF, cache=False, reader="openpyxl"
    )
    assert _answers(fast) == _answers(reference)
    assert fast.consolidated == 8


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three workbooks of the benchmark generator (300 tasks, 3,000 time entries each)."""
    folder = tmp_path_factory.mktemp("generated")
    for index in range(3):
        corpus.write_project(folder, index)
    return folder


@pytest.mark.usefixtures("sheet_reader")
def test_generated_workbooks_give_identical_figures_and_findings(generated: Path) -> None:
    fast = consolidate_folder(generated, Settings(), cache=False)
    reference = consolidate_folder(generated, Settings(), cache=False, reader="openpyxl")
    assert _answers(fast) == _answers(reference)
    codes = {f.code for f in fast.findings}
    # The generator types an effort with a decimal comma and a date as text in each workbook:
    # the fast reader hands them to the checks exactly as openpyxl does.
    assert {"NUMBER_AS_TEXT", "DATE_AS_TEXT"} <= codes


@pytest.mark.usefixtures("sheet_reader")
def test_error_cells_in_figures_are_findings_on_both_paths(tmp_path: Path) -> None:
    sheets = simple_project("PRJ-E")
    path = write_book(tmp_path / "p" / "projet_e.xlsx", sheets)
    book = openpyxl.load_workbook(path)
    book["Charges"]["D2"] = "#REF!"  # days of an entry: an error value (openpyxl writes it so)
    book.save(path)
    fast = consolidate_folder(path.parent, Settings(), cutoff=CUTOFF, cache=False)
    reference = consolidate_folder(
        path.parent, Settings(), cutoff=CUTOFF, cache=False, reader="openpyxl"
    )
    assert _answers(fast) == _answers(reference)
    errors = [f for f in fast.findings if f.code == "CELL_ERROR"]
    assert [(f.sheet, f.cell, f.params["value"]) for f in errors] == [("Charges", "D2", "#REF!")]


def test_worker_processes_give_the_same_loads_as_this_process(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(generated.glob("*.xlsx"))
    alone = portfolio.load_files(generated, paths, Settings(), CUTOFF, cache=False, workers=1)
    monkeypatch.setattr(portfolio, "POOL_MIN_FILES", 1)
    pooled = portfolio.load_files(generated, paths, Settings(), CUTOFF, cache=False, workers=2)
    assert [(ld.label, ld.findings, ld.figures) for ld in pooled] == [
        (ld.label, ld.findings, ld.figures) for ld in alone
    ]


def test_a_worker_stopped_for_time_or_memory_is_a_rejected_file_with_its_reason(
    tmp_path: Path,
) -> None:
    failure = BoundedFailure("timeout", "killed after 120 s", {"timeout_s": 120})
    load = portfolio._failed(tmp_path / "lent.xlsx", "lent.xlsx", failure)
    assert load.status is not None and load.status.status == "rejected"
    assert "120" in (load.status.reason or "") and load.status.reason_en


# ---------------------------------------------------------------------------------------------
# The cache: re-runs read only what changed, and never trust an entry over a changed file
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    folder = tmp_path / "projets"
    for code in ("PRJ-A", "PRJ-B", "PRJ-C"):
        write_book(folder / f"{code}.xlsx", simple_project(code))
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of the files actually read (not taken from the cache)."""
    seen: list[str] = []
    original = portfolio.load_file

    def counting(path: Path, label: str, *args: Any, **kwargs: Any) -> portfolio.FileLoad:
        seen.append(label)
        return original(path, label, *args, **kwargs)

    monkeypatch.setattr(portfolio, "load_file", counting)
    return seen


@pytest.fixture(params=["hashed here", "hashed by a child"])
def hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Files hashed by this process, or (where children are forked) by a child while the
    cache entries are read."""
    children: list[object] = []
    if request.param == "hashed by a child":
        monkeypatch.setattr(portfolio, "HASH_CHILD_MIN_FILES", 1)
        original = sandbox.in_background

        def counted(fn: Any, *args: Any) -> Any:
            if fn is cache.file_keys_and_misses:
                children.append(fn)
            return original(fn, *args)

        monkeypatch.setattr(sandbox, "in_background", counted)
    else:
        monkeypatch.setattr(portfolio, "HASH_CHILD_MIN_FILES", 10**9)
    yield str(request.param)
    assert bool(children) == (request.param == "hashed by a child")


def test_rerun_reads_only_the_changed_workbook(
    projects: Path, tmp_path: Path, reads: list[str], hashing: str
) -> None:
    store = tmp_path / "cache"
    first = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert sorted(reads) == ["PRJ-A.xlsx", "PRJ-B.xlsx", "PRJ-C.xlsx"]
    reads.clear()
    again = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert reads == []
    assert _answers(again) == _answers(first)
    write_book(projects / "PRJ-B.xlsx", simple_project("PRJ-B", consumed=12))
    changed = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert reads == ["PRJ-B.xlsx"]
    consumed = {p.code: p.consumed_days for p in changed.projects}
    assert consumed == {"PRJ-A": 10.0, "PRJ-B": 12.0, "PRJ-C": 10.0}


@pytest.mark.parametrize("told", ["nothing changed", "every file changed"])
def test_what_the_hashing_child_says_changed_only_orders_the_reading(
    projects: Path,
    tmp_path: Path,
    reads: list[str],
    monkeypatch: pytest.MonkeyPatch,
    told: str,
) -> None:
    """The child's misses start the reading early; an entry is still trusted only once its
    file's key matches: a miss it did not see is read after, a hit it called a miss is read
    anyway (never a stale answer, never a file lost)."""
    store = tmp_path / "cache"
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    write_book(projects / "PRJ-B.xlsx", simple_project("PRJ-B", consumed=12))
    monkeypatch.setattr(portfolio, "HASH_CHILD_MIN_FILES", 1)
    original = cache.file_keys_and_misses

    def wrong(*args: Any) -> tuple[list[Any], list[int]]:
        keys, _misses = original(*args)
        return keys, ([] if told == "nothing changed" else list(range(len(keys))))

    monkeypatch.setattr(cache, "file_keys_and_misses", wrong)
    reads.clear()
    changed = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    if told == "nothing changed":
        assert reads == ["PRJ-B.xlsx"]
    else:
        assert sorted(reads) == ["PRJ-A.xlsx", "PRJ-B.xlsx", "PRJ-C.xlsx"]
    consumed = {p.code: p.consumed_days for p in changed.projects}
    assert consumed == {"PRJ-A": 10.0, "PRJ-B": 12.0, "PRJ-C": 10.0}


def test_a_failed_hashing_child_leaves_the_hashing_to_the_run(
    projects: Path, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child dies or raises: the run hashes the files itself and reads what changed."""
    store = tmp_path / "cache"
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    write_book(projects / "PRJ-C.xlsx", simple_project("PRJ-C", consumed=14))
    monkeypatch.setattr(portfolio, "HASH_CHILD_MIN_FILES", 1)

    def broken(*args: Any) -> tuple[list[Any], list[int]]:
        raise OSError("disk gone")

    monkeypatch.setattr(cache, "file_keys_and_misses", broken)
    reads.clear()
    changed = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert reads == ["PRJ-C.xlsx"]
    consumed = {p.code: p.consumed_days for p in changed.projects}
    assert consumed == {"PRJ-A": 10.0, "PRJ-B": 10.0, "PRJ-C": 14.0}


def test_workbooks_read_by_workers_are_cached(
    projects: Path, tmp_path: Path, reads: list[str]
) -> None:
    store = tmp_path / "cache"
    first = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=2)
    reads.clear()
    again = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert reads == []  # all three came from the cache the workers' answers went to
    assert _answers(again) == _answers(first)


def _set_zip_comment(path: Path, comment: bytes) -> None:
    with zipfile.ZipFile(path, "a") as archive:
        archive.comment = comment


def test_a_file_changed_with_same_size_and_date_is_read_again(
    projects: Path, tmp_path: Path, reads: list[str], hashing: str
) -> None:
    store = tmp_path / "cache"
    path = projects / "PRJ-A.xlsx"
    _set_zip_comment(path, b"A")
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    stat = path.stat()
    _set_zip_comment(path, b"B")  # other bytes, same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same date
    assert path.stat().st_size == stat.st_size
    reads.clear()
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert reads == ["PRJ-A.xlsx"]  # its SHA-256 differs


def test_other_settings_or_cutoff_read_everything_again(
    projects: Path, tmp_path: Path, reads: list[str]
) -> None:
    store = tmp_path / "cache"
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    reads.clear()
    consolidate_folder(
        projects, Settings(budget_tolerance=0.5), cutoff=CUTOFF, cache=store, workers=0
    )
    assert len(reads) == 3
    reads.clear()
    consolidate_folder(projects, Settings(), cutoff=dt.date(2026, 11, 27), cache=store, workers=0)
    assert len(reads) == 3


def test_another_pmo_xl_version_reads_everything_again(
    projects: Path, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    reads.clear()
    monkeypatch.setattr(pmo_xl, "__version__", "99.0")
    monkeypatch.setattr(cache, "_code_fingerprint", [])
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert len(reads) == 3


def test_every_module_a_cached_answer_comes_from_is_in_the_code_fingerprint() -> None:
    """Editing any module that reads, checks or computes a workbook drops the entries."""
    code = (
        "import sys, pmo_xl.portfolio, pmo_xl.fast_workbook, pmo_xl.sandbox, pmo_xl.cache;"
        "print(' '.join(m[7:] for m in sys.modules if m.startswith('pmo_xl.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    # The C reader is a built file, not a module's source: native.fingerprint() names it.
    assert set(loaded) - {"_sheetxml"} <= set(cache.ANSWER_MODULES)


@needs_c_reader
def test_the_sheet_reader_in_use_is_in_the_code_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Answers cached while the C reader read the sheets are not taken for calamine's."""
    monkeypatch.setenv("PMO_XL_NATIVE", "1")
    with_c = cache.code_fingerprint()
    monkeypatch.setenv("PMO_XL_NATIVE", "0")
    assert cache.code_fingerprint() != with_c


def test_a_damaged_cache_entry_is_only_a_miss(
    projects: Path, tmp_path: Path, reads: list[str]
) -> None:
    store = tmp_path / "cache"
    consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    for entry in store.rglob("*.pkl"):
        entry.write_bytes(b"not a pickle")
    reads.clear()
    result = consolidate_folder(projects, Settings(), cutoff=CUTOFF, cache=store, workers=0)
    assert len(reads) == 3 and result.consolidated == 3


def test_cache_is_kept_in_the_user_cache_folder_not_next_to_the_projects(
    projects: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMO_XL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert cache.default_cache_dir() == tmp_path / "xdg" / "pmo_xl"
    before = sorted(p.name for p in projects.rglob("*"))
    consolidate_folder(projects, Settings(), cutoff=CUTOFF)
    assert sorted(p.name for p in projects.rglob("*")) == before
    assert list((tmp_path / "xdg" / "pmo_xl").rglob("*.pkl"))


def test_windows_cache_folder_is_under_local_app_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMO_XL_CACHE_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "C:/Users/pmo/AppData/Local")
    assert cache.default_cache_dir() == Path("C:/Users/pmo/AppData/Local/pmo_xl/Cache")
