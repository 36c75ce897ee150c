"""The run over a folder: every file gets a status, one bad file never stops the others."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import pandas as pd
import pytest
from builders import simple_project, write_book
from typer.testing import CliRunner

from pmo_xl import portfolio
from pmo_xl.cli import app
from pmo_xl.model import RENDERED, ExpectedProject, Settings
from pmo_xl.portfolio import collector_paused, consolidate_folder
from pmo_xl.safe_io import file_digest

CUTOFF = dt.date(2026, 11, 20)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    projects = tmp_path / "projets"
    write_book(projects / "projet_a.xlsx", simple_project("PRJ-A"))
    write_book(projects / "lot2" / "projet_b.xlsx", simple_project("PRJ-B", consumed=16))
    (projects / "projet_casse.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # truncated zip
    (projects / "~$projet_a.xlsx").write_bytes(b"owner file of an open workbook")
    (projects / "vieux.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    return projects


def _statuses(result: object) -> dict[str, tuple[str, str | None]]:
    return {f.file: (f.status, f.project) for f in result.files}  # type: ignore[attr-defined]


def test_a_corrupt_file_is_rejected_and_the_others_consolidated(folder: Path) -> None:
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF)
    statuses = _statuses(result)
    assert statuses["projet_a.xlsx"] == ("consolidated", "PRJ-A")
    assert statuses["lot2/projet_b.xlsx"] == ("consolidated", "PRJ-B")
    assert statuses["projet_casse.xlsx"][0] == "rejected"
    assert [p.code for p in result.projects] == ["PRJ-A", "PRJ-B"]


def test_owner_lock_files_are_skipped_silently(folder: Path) -> None:
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF)
    assert not [f for f in result.files if f.file.startswith("~$")]


def test_legacy_xls_is_listed_with_what_to_do(folder: Path) -> None:
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF)
    (xls,) = [f for f in result.files if f.file == "vieux.xls"]
    assert xls.status == "ignored"
    assert "xlsx" in (xls.reason or "")


def test_expected_project_without_file_is_missing_and_unlisted_one_unexpected(
    folder: Path,
) -> None:
    settings = Settings(
        expected_projects=[
            ExpectedProject(code="PRJ-A", file="projet_a.xlsx"),
            ExpectedProject(code="PRJ-Z", file="projet_z.xlsx"),
        ]
    )
    statuses = _statuses(consolidate_folder(folder, settings, cutoff=CUTOFF))
    assert statuses["projet_z.xlsx"] == ("missing", "PRJ-Z")
    assert statuses["lot2/projet_b.xlsx"] == ("unexpected", "PRJ-B")
    assert statuses["projet_a.xlsx"] == ("consolidated", "PRJ-A")


def test_two_files_with_the_same_code_are_both_flagged(tmp_path: Path) -> None:
    write_book(tmp_path / "a.xlsx", simple_project("PRJ-A"))
    write_book(tmp_path / "copie de a.xlsx", simple_project("PRJ-A"))
    result = consolidate_folder(tmp_path, Settings(), cutoff=CUTOFF)
    flagged = [f.file for f in result.files if "duplicate_code" in f.flags]
    assert flagged == ["a.xlsx", "copie de a.xlsx"]
    assert len(result.projects) == 2  # neither silently dropped
    assert {f.file for f in result.findings if f.code == "PROJECT_CODE_DUPLICATE"} == set(flagged)


def test_figures_of_a_simple_project(folder: Path) -> None:
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF)
    b = next(p for p in result.projects if p.code == "PRJ-B")
    # consumed 8 + 8 = 16; remaining 10; EAC 26; drift 26 - 20 = 6 = 30 %.
    assert (b.consumed_days, b.remaining_days, b.eac_days) == (16.0, 10.0, 26.0)
    assert b.drift_pct == pytest.approx(0.30)
    assert b.weather == "red"
    # Cost: 16 days × 500 € = 8,000 € to date; + 10 × 500 € = 13,000 € at completion.
    assert (b.cost_to_date_eur, b.eac_eur) == (8000.0, 13000.0)


def test_sources_are_never_written(folder: Path, tmp_path: Path) -> None:
    before = {p: file_digest(p) for p in folder.rglob("*") if p.is_file()}
    runner = CliRunner()
    out = tmp_path / "out.xlsx"
    result = runner.invoke(
        app, ["consolidate", str(folder), "--cutoff", "2026-11-20", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert {p: file_digest(p) for p in folder.rglob("*") if p.is_file()} == before


def _consolidated_json(folder: Path, tmp_path: Path) -> dict[str, Any]:
    """The JSON document of ``pmo-xl consolidate FOLDER --json``, at the 20/11/2026 cut-off."""
    out_json = tmp_path / "out.json"
    result = CliRunner().invoke(
        app,
        ["consolidate", str(folder), "--cutoff", "2026-11-20", "--out", str(tmp_path / "o.xlsx"),
         "--json", str(out_json)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(out_json.read_text(encoding="utf-8"))
    return doc


def test_json_document_has_exactly_the_integration_keys(folder: Path, tmp_path: Path) -> None:
    doc = _consolidated_json(folder, tmp_path)
    assert list(doc) == [
        "cutoff", "projects", "totals", "resource_load", "findings", "files", "risks",
        "actions", "decisions",
    ]  # fmt: skip
    assert doc["cutoff"] == "2026-11-20"
    project = doc["projects"][0]
    assert project["weather"] in ("green", "amber", "red")
    assert isinstance(project["drift_pct"], float)
    week = doc["resource_load"][0]
    assert set(week) == {
        "resource", "week", "load_days", "capacity_days", "over_allocated", "by_project"
    }  # fmt: skip
    finding = doc["findings"][0]
    assert set(finding) >= {"file", "project", "sheet", "cell", "severity", "code", "message"}


def test_json_drift_pct_is_a_fraction_not_a_percentage(folder: Path, tmp_path: Path) -> None:
    # PRJ-B: budget 20, consumed 8 + 8 = 16, remaining 10 → EAC 26, drift 6 / 20 = 0.3 (30 %).
    doc = _consolidated_json(folder, tmp_path)
    drift = {p["code"]: p["drift_pct"] for p in doc["projects"]}
    assert drift == {"PRJ-A": 0.0, "PRJ-B": pytest.approx(0.3)}


@pytest.mark.parametrize("native_on", ["1", "0"], ids=["C code", "Python"])
def test_json_records_worked_out_by_hand(native_on: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pmo_xl.json_doc import load_records as _load_records
    from pmo_xl.json_doc import records as _records

    monkeypatch.setenv("PMO_XL_NATIVE", native_on)
    load = pd.DataFrame(
        {
            "resource": ["Alice", "Alice", "Bob"],
            "week": pd.to_datetime(["2026-11-09", None, "2026-11-09"]),
            "load_days": [6.0, 1.5, float("nan")],
            "capacity_days": [5.0, 5.0, 4.0],
            "over_allocated": [True, False, False],
            "by_project": [{"PRJ-A": 2.5, "PRJ-B": 3.5}, {"PRJ-A": 1.5}, {}],
        }
    )
    assert _load_records(load) == [
        {"resource": "Alice", "week": "2026-11-09", "load_days": 6.0, "capacity_days": 5.0,
         "over_allocated": True, "by_project": {"PRJ-A": 2.5, "PRJ-B": 3.5}},
        {"resource": "Alice", "week": None, "load_days": 1.5, "capacity_days": 5.0,
         "over_allocated": False, "by_project": {"PRJ-A": 1.5}},
        {"resource": "Bob", "week": "2026-11-09", "load_days": None, "capacity_days": 4.0,
         "over_allocated": False, "by_project": {}},
    ]  # fmt: skip
    assert _load_records(load.iloc[:0]) == []
    risks = pd.DataFrame(
        {"id": ["R1", "R2"], "due": pd.to_datetime([None, "2027-01-31"]), "score": [12, 4]}
    )
    assert _records(risks) == [
        {"id": "R1", "due": None, "score": 12},
        {"id": "R2", "due": "2027-01-31", "score": 4},
    ]


def test_json_written_alongside_the_workbook_is_the_one_written_alone(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_xl import commands, sandbox

    started: list[object] = []

    def spy(*args: object) -> object:
        job = sandbox.in_background(*args)  # type: ignore[arg-type]
        started.append(job)
        return job

    monkeypatch.setattr(commands, "in_background", spy)
    cutoff = dt.date(2026, 11, 20)
    run = commands.consolidate(
        folder, cutoff=cutoff, out=tmp_path / "o.xlsx", json_path=tmp_path / "side.json"
    )
    if sandbox.start_method() == "fork":
        assert started and started[0] is not None  # written by a forked child
    # Same result, JSON written by this process itself.
    commands.write_json(run.result, tmp_path / "alone.json")
    assert (tmp_path / "side.json").read_bytes() == (tmp_path / "alone.json").read_bytes()
    assert tmp_path / "side.json" in run.written


def test_copil_sheet_laid_out_by_a_child_gives_the_same_workbook(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_xl import commands, sandbox

    result = commands.consolidate(folder, cutoff=CUTOFF, out=tmp_path / "first.xlsx").result
    monkeypatch.setattr(
        commands, "_run", lambda *args, **kwargs: result
    )  # same figures, same run time
    jobs: list[object] = []

    def spy(fn: Any, *args: Any) -> object:
        job = sandbox.in_background(fn, *args)
        jobs.append(job)
        return job

    monkeypatch.setattr(commands, "in_background", spy)
    commands.consolidate(folder, cutoff=CUTOFF, out=tmp_path / "beside.xlsx")
    if sandbox.start_method() == "fork":
        assert jobs and jobs[0] is not None  # laid out by a forked child
    monkeypatch.setattr(commands, "in_background", lambda fn, *args: None)  # all in here
    commands.consolidate(folder, cutoff=CUTOFF, out=tmp_path / "alone.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "beside.xlsx") as beside,
        zipfile.ZipFile(tmp_path / "alone.xlsx") as alone,
    ):
        assert beside.namelist() == alone.namelist()
        for name in beside.namelist():
            assert beside.read(name) == alone.read(name), name


def fail_in_a_child(parent: int) -> Any:
    from pmo_xl import commands

    lay_out = commands._copil_layout

    def copil_layout(*args: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("le processus fils échoue")
        return lay_out(*args)

    return copil_layout


def test_a_copil_child_that_fails_leaves_the_layout_to_this_process(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_xl import commands

    monkeypatch.setattr(commands, "_copil_layout", fail_in_a_child(os.getpid()))
    commands.consolidate(folder, cutoff=CUTOFF, out=tmp_path / "o.xlsx")
    book = openpyxl.load_workbook(tmp_path / "o.xlsx", read_only=True)
    assert book.sheetnames[0] == "COPIL"
    top = [v for row in book["COPIL"].iter_rows(max_row=3, values_only=True) for v in row if v]
    assert any("COPIL" in str(v) for v in top)  # the title, laid out here after all


def test_a_json_path_that_cannot_be_written_is_still_an_error(folder: Path, tmp_path: Path) -> None:
    from pmo_xl import commands

    (tmp_path / "sorties").write_text("a file where the folder should be")
    blocked = tmp_path / "sorties" / "pmo.json"  # the child fails, then this process
    with pytest.raises(OSError):
        commands.consolidate(
            folder, cutoff=dt.date(2026, 11, 20), out=tmp_path / "o.xlsx", json_path=blocked
        )


def test_a_workbook_that_cannot_be_written_leaves_no_json_writer_behind(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing
    import time

    from pmo_xl import commands
    from pmo_xl.safe_io import OutputError

    write_json = commands.write_json

    def slow_write_json(*args: object) -> object:
        time.sleep(1)  # still writing when the workbook is refused
        return write_json(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(commands, "write_json", slow_write_json)

    out = tmp_path / "conso.xlsx"
    (tmp_path / "~$conso.xlsx").write_bytes(b"owner")  # open in Excel: refused
    with pytest.raises(OutputError):
        commands.consolidate(
            folder, cutoff=dt.date(2026, 11, 20), out=out, json_path=tmp_path / "c.json"
        )
    assert multiprocessing.active_children() == []  # the JSON child was waited for
    assert not out.exists()


def test_the_cli_summary_shows_the_most_exposed_projects_and_says_how_many_are_left(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_xl import summary

    monkeypatch.setattr(summary, "SHOWN_PROJECTS", 1)
    out_json = tmp_path / "c.json"
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(app, ["consolidate", str(folder), "--cutoff", "2026-11-20",
                                   "--out", str(out), "--json", str(out_json)])  # fmt: skip
    assert res.exit_code == 0, res.output
    rank = {"red": 0, "amber": 1, "green": 2}
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    weathers = sorted((rank[p["weather"]], p["code"]) for p in doc["projects"])
    (worst, _), (other, _) = [(code, w) for w, code in weathers]
    rows = [line for line in res.output.splitlines() if "PRJ-" in line]
    assert len(rows) == 1 and worst in rows[0] and other not in res.output
    assert "… et 1 projet(s) moins exposé(s)" in res.output


def test_the_cli_summary_speaks_the_language_asked(folder: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["consolidate", str(folder), "--cutoff", "2026-11-20",
                                   "--out", str(tmp_path / "o.xlsx"), "--lang", "en"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Project" in res.output and "Weather" in res.output
    assert "Portfolio — 2026-11-20" in res.output and "Portefeuille" not in res.output
    # Two workbooks read, the truncated one rejected, the .xls ignored.
    assert "Files: 2 consolidated · 1 ignored · 1 rejected." in res.output
    assert "• Rejected: projet_casse.xlsx" in res.output
    assert f"Written: {tmp_path / 'o.xlsx'}" in res.output.replace("\n", "")
    assert "Écrit" not in res.output


def test_nothing_consolidated_exits_1_and_bad_usage_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    runner = CliRunner()
    earlier = tmp_path / "o.xlsx"
    earlier.write_bytes(b"last week's consolidation")
    nothing = runner.invoke(app, ["consolidate", str(empty), "--out", str(earlier)])
    assert nothing.exit_code == 1
    # An empty (or unmounted) folder does not replace last week's output and its history.
    assert earlier.read_bytes() == b"last week's consolidation"
    assert "n'est pas réécrit" in " ".join(nothing.output.split())
    bad_date = runner.invoke(app, ["consolidate", str(empty), "--cutoff", "31/11/2026"])
    assert bad_date.exit_code == 2
    assert "JJ/MM/AAAA" in bad_date.output and "31/11/2026" in bad_date.output
    english = ["consolidate", str(empty), "--cutoff", "2026-11", "--lang", "en"]
    in_english = runner.invoke(app, english)
    assert in_english.exit_code == 2
    assert "date expected as YYYY-MM-DD or DD/MM/YYYY, not '2026-11'" in " ".join(
        in_english.output.split()
    )
    no_folder = runner.invoke(app, ["consolidate", str(tmp_path / "absent")])
    assert no_folder.exit_code == 2
    a_file = runner.invoke(app, ["consolidate", str(earlier)])
    assert a_file.exit_code == 2 and "pmo-xl validate" in " ".join(a_file.output.split())


def test_the_clis_folder_errors_follow_lang_en(tmp_path: Path) -> None:
    runner = CliRunner()
    workbook = tmp_path / "a.xlsx"
    workbook.write_bytes(b"a project workbook")

    def said(args: list[str]) -> str:  # the terminal wraps anywhere, paths included
        result = runner.invoke(app, [*args, "--lang", "en"])
        assert result.exit_code == 2
        return "".join(result.output.split())

    expected = (
        f"{workbook} is a file, not a folder: give as an argument or in the PMO workbook's "
        f"Settings sheet the folder that holds the project workbooks (to check one workbook: "
        f"pmo-xl validate {workbook})."
    )
    assert "".join(expected.split()) in said(["consolidate", str(workbook)])
    expected = f"Projects folder not found: {tmp_path / 'absent'}."
    assert "".join(expected.split()) in said(["consolidate", str(tmp_path / "absent")])


def test_the_terminal_names_thirty_files_to_chase_and_points_at_the_sheet_for_the_rest(
    folder: Path, tmp_path: Path
) -> None:
    for i in range(33):  # with projet_casse.xlsx: 34 refused
        (folder / f"copie_{i:02d}.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(app, ["consolidate", str(folder), "--out", str(out)])
    assert res.exit_code == 0, res.output
    said = res.output.splitlines()
    assert sum(line.startswith("• Rejeté : ") for line in said) == 30
    assert "… et 4 autre(s) : voir l'onglet « Fichiers »." in said
    assert "Contrôles : " in res.output  # the counts still end the summary
    # The sheet lists every one of them.
    import openpyxl

    sheet = openpyxl.load_workbook(out, read_only=True)["Fichiers"]
    refused = [row for row in sheet.iter_rows(values_only=True) if "Rejeté" in row]
    assert len(refused) == 34


def test_the_cutoff_may_be_written_day_first_as_the_pmo_writes_it(
    folder: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    for cutoff, name in (("13/11/2026", "a.json"), ("2026-11-13", "b.json")):
        out, json_out = str(tmp_path / "o.xlsx"), str(tmp_path / name)
        args = ["consolidate", str(folder), "--cutoff", cutoff, "--out", out, "--json", json_out]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
    day_first, iso = (json.loads((tmp_path / n).read_text("utf-8")) for n in ("a.json", "b.json"))
    assert day_first["cutoff"] == iso["cutoff"] == "2026-11-13"
    assert day_first["projects"] == iso["projects"]


@pytest.mark.parametrize("reader", ["child", "failed child", "no child"])
def test_rerun_accumulates_history_and_gives_a_trend(
    folder: Path, tmp_path: Path, reader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last output's history is read by a forked child while the folder is read; by the
    run itself where no child could be forked or it failed."""
    from pmo_xl import commands, sandbox

    def broken(paths: list[Path]) -> list[Any]:
        raise OSError("disque débranché")

    def side(fn: Any, *args: Any) -> Any:
        if fn is not commands.previous_history or reader == "child":
            return sandbox.in_background(fn, *args)
        return sandbox.in_background(broken, *args) if reader == "failed child" else None

    monkeypatch.setattr(commands, "in_background", side)
    out = tmp_path / "conso.xlsx"
    runner = CliRunner()
    for cutoff in ("2026-11-13", "2026-11-20", "2026-11-20"):
        res = runner.invoke(app, ["consolidate", str(folder), "--cutoff", cutoff, "--out", str(out),
                                  "--json", str(tmp_path / "c.json")])  # fmt: skip
        assert res.exit_code == 0, res.output
    from pmo_xl.commands import previous_history

    (history,) = previous_history([out])
    # Two cut-offs × two projects; the re-run for 2026-11-20 replaced its own rows.
    assert sorted(map(str, history["cutoff"])) == ["2026-11-13"] * 2 + ["2026-11-20"] * 2
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert {p["trend"] for p in doc["projects"]} <= {"better", "same", "worse"}
    assert all(p["trend"] for p in doc["projects"])


def test_output_next_to_an_open_excel_file_is_refused(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "conso.xlsx"
    (tmp_path / "~$conso.xlsx").write_bytes(b"owner")
    res = CliRunner().invoke(app, ["consolidate", str(folder), "--cutoff", "2026-11-20",
                                   "--out", str(out)])  # fmt: skip
    assert res.exit_code == 1
    assert not out.exists()


def test_a_run_while_another_writes_the_same_output_is_refused_before_reading(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each run reads last run's history from the output, then writes it back with its own
    # snapshot: the second of two overlapping runs would drop the first one's snapshot.
    from pmo_xl import commands
    from pmo_xl.safe_io import OutputBusy, output_lock

    out = tmp_path / "conso.xlsx"
    said = tmp_path / "read.txt"  # written where the history is read (a forked child)

    def read(paths: list[Path]) -> list[Any]:
        with said.open("a", encoding="utf-8") as f:
            f.writelines(f"{p}\n" for p in paths)
        return []

    monkeypatch.setattr(commands, "previous_history", read)
    with output_lock(out), pytest.raises(OutputBusy):
        commands.consolidate(folder, cutoff=CUTOFF, out=out)
    assert not said.exists()
    assert not out.exists()
    commands.consolidate(folder, cutoff=CUTOFF, out=out)  # the lock is free again
    assert said.read_text(encoding="utf-8").splitlines() == [str(out)]


def test_output_named_as_the_pmo_workbook_goes_to_a_separate_file(
    folder: Path, tmp_path: Path
) -> None:
    pmo = write_book(tmp_path / "pmo.xlsx", {"Paramètres": [["Date d'arrêté", CUTOFF]]})
    before = file_digest(pmo)
    res = CliRunner().invoke(
        app, ["consolidate", str(folder), "--pmo", str(pmo), "--out", str(pmo)]
    )
    assert res.exit_code == 0, res.output
    assert file_digest(pmo) == before
    assert (tmp_path / "pmo_consolidation.xlsx").is_file()
    assert "jamais réécrit" in res.output


def test_a_typo_in_the_holiday_country_does_not_refuse_the_projects(
    folder: Path, tmp_path: Path
) -> None:
    from pmo_xl import commands

    pmo = write_book(
        tmp_path / "pmo.xlsx", {"Paramètres": [["Date d'arrêté", CUTOFF], ["Pays", "XX"]]}
    )
    run = commands.consolidate(folder, pmo=pmo, out=tmp_path / "conso.xlsx")
    statuses = _statuses(run.result)
    assert statuses["projet_a.xlsx"] == ("consolidated", "PRJ-A")
    assert statuses["lot2/projet_b.xlsx"] == ("consolidated", "PRJ-B")
    said = [(f.file, f.cell) for f in run.result.findings if f.code == "HOLIDAY_COUNTRY_UNKNOWN"]
    assert said == [("pmo.xlsx", "B2")]


def test_without_a_given_cutoff_every_load_is_spread_from_the_portfolio_one(
    tmp_path: Path,
) -> None:
    # No cut-off given: the portfolio's is the latest project one, 20/11 (B). A was last updated
    # on 06/11, so its 10 remaining days (T1 ends 18/12) are spread over the working days of
    # 23/11-18/12 = 4 weeks x 5 = 20 days, 2.5 days a week, like B's: Alice 5 days a week, and
    # nothing in the weeks of 09/11 or 16/11 (spread from 06/11 it would be 10/30 a day there).
    write_book(tmp_path / "a.xlsx", simple_project("PRJ-A", cutoff=dt.date(2026, 11, 6)))
    write_book(tmp_path / "b.xlsx", simple_project("PRJ-B"))
    for _run in range(2):  # the second run takes both projects from the cache
        result = consolidate_folder(tmp_path, Settings(), cache=tmp_path / "cache")
        assert result.cutoff == CUTOFF
        load = result.resource_load
        assert [w.date() for w in load["week"]] == [
            dt.date(2026, 11, 23),
            dt.date(2026, 11, 30),
            dt.date(2026, 12, 7),
            dt.date(2026, 12, 14),
        ]
        assert load["load_days"].tolist() == [5.0, 5.0, 5.0, 5.0]
        assert load["by_project"].tolist() == [{"PRJ-A": 2.5, "PRJ-B": 2.5}] * 4
        # A's own figures stay at its own cut-off.
        (a,) = [p for p in result.projects if p.code == "PRJ-A"]
        assert a.project_cutoff == dt.date(2026, 11, 6)
        # Reading A again kept B's cache entry: one entry per workbook.
        assert len(list((tmp_path / "cache").rglob("*.pkl"))) == 2


def test_the_progress_bar_runs_no_thread_so_workers_can_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import threading

    from rich.console import Console

    from pmo_xl import cli, sandbox

    shown = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=shown, force_terminal=True, width=100))
    with cli._progress() as tick:
        assert tick is not None
        tick(3, 12, "projet-03.xlsx")
        assert threading.active_count() == 1  # rich's refresh thread would forbid fork
        if sys.platform.startswith("linux"):
            assert sandbox.start_method() == "fork"
    assert "projet-03.xlsx" in shown.getvalue()  # the bar was drawn at the tick


def test_the_collector_is_paused_for_the_run_and_back_on_after(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    seen: list[bool] = []
    consolidate_loads = portfolio.consolidate_loads

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return consolidate_loads(*args, **kwargs)

    monkeypatch.setattr(portfolio, "consolidate_loads", spy)
    assert gc.isenabled()
    consolidate_folder(folder, Settings(), cache=False)
    assert seen == [False]
    assert gc.isenabled()


def test_a_paused_collector_comes_back_after_an_error_and_stays_off_if_it_was() -> None:
    import gc

    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # the caller had turned it off: left off
    finally:
        gc.enable()


class _Node:
    """A collectable object for the collector tests (weak-referenceable, in a cycle)."""

    def __init__(self) -> None:
        self.me = self


def test_the_run_leaves_nothing_for_the_collector_to_walk_at_once_yet_its_cycles_are_found() -> (
    None
):
    import gc
    import weakref

    with collector_paused():
        kept = [[i] for i in range(20_000)]  # tracked objects alive after the run
        cycle = _Node()
        dead = weakref.ref(cycle)
        del cycle  # garbage only the collector can free
    # The run's objects went to the oldest generation: the youngest, walked at the next
    # allocations, holds only what was allocated since (a few objects), not 20,000 lists.
    assert gc.get_count()[0] < 1_000
    assert gc.get_freeze_count() == 0  # nothing left out of the collector's reach
    assert dead() is not None
    gc.collect()
    assert dead() is None  # the cycle is found by a full pass
    assert len(kept) == 20_000


def test_objects_the_process_froze_stay_frozen_after_a_run() -> None:
    import gc

    gc.freeze()  # as a server does before forking its workers
    frozen = gc.get_freeze_count()
    try:
        with collector_paused():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_command_line_leaves_the_heap_out_of_the_exit_collection() -> None:
    import gc

    from pmo_xl import cli

    try:
        with mock.patch.object(sys, "argv", ["pmo-xl", "--version"]), pytest.raises(SystemExit):
            cli.main()
        # Frozen: the last collection at exit walks none of it (0.2 s after 1,000 projects).
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_version_says_which_reader_reads_the_sheets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_XL_NATIVE", "0")
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "pmo-xl" in result.output
    assert "calamine seul" in result.output


# --- messages rendered once, where the findings are found -------------------------------------


def _missing_sheet(params: dict[str, Any]) -> Any:
    from pmo_xl.model import Finding

    return Finding(file="a.xlsx", sheet="Jalons", code="SHEET_MISSING", params=params)


def test_a_rendered_finding_equals_the_same_finding_not_rendered() -> None:
    rendered, fresh = _missing_sheet({"sheet": "Jalons"}), _missing_sheet({"sheet": "Jalons"})
    assert rendered.message().startswith("La feuille « Jalons » est absente.")
    assert rendered == fresh and fresh == rendered
    assert rendered.model_dump() == fresh.model_dump()


def test_a_finding_keeps_its_message_through_a_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from pmo_xl import messages

    finding = _missing_sheet({"sheet": "Jalons"})
    said = finding.message("en")
    monkeypatch.setattr(messages, "render", lambda *a: pytest.fail("rendered again"))
    assert pickle.loads(pickle.dumps(finding)).message("en") == said


def test_a_copy_with_other_parameters_says_its_own_message() -> None:
    finding = _missing_sheet({"sheet": "Jalons"})
    finding.message()
    moved = finding.model_copy(update={"params": {"sheet": "Risques"}})
    assert "« Risques »" in moved.message()
    assert "« Jalons »" in finding.message()


def test_workers_send_their_findings_already_said_in_the_run_language(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from pmo_xl import messages

    settings = Settings(language="en")
    sent = portfolio._load_job(
        (folder / "projet_a.xlsx", "projet_a.xlsx"),
        settings=settings,
        cutoff=CUTOFF,
        limits=None,
        reader="fast",
    )
    # Years after its cut-off every task with effort left is late, and still loaded: the
    # share's own findings (one per such task) come said as well.
    late = portfolio._load_job(
        (folder / "projet_a.xlsx", "projet_a.xlsx"),
        settings=settings,
        cutoff=CUTOFF + dt.timedelta(days=3 * 365),
        limits=None,
        reader="fast",
    )
    monkeypatch.setattr(messages, "render", lambda *a: pytest.fail("rendered again"))
    findings = pickle.loads(sent).findings
    assert findings and all(f.message("en") for f in findings)
    share = pickle.loads(late).share
    assert share is not None and share.load_findings
    assert {f.code for f in share.load_findings} == {"TASK_LATE_LOAD"}
    assert all(f.message("en") for f in share.load_findings)


# --- the effort table and the cross-project lists made beside the resource load ---------------


@pytest.fixture(scope="module")
def demo_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pmo_xl.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo")).projects_dir


def _side_tables(result: Any) -> list[Any]:
    return [result.effort, result.risks, result.actions, result.decisions]


def test_the_effort_table_and_lists_made_by_a_child_are_those_made_here(
    demo_projects: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from pmo_xl import sandbox

    jobs: list[object] = []
    shares: list[Any] = []
    real = sandbox.in_background

    def spy(fn: Any, *args: Any) -> object:
        job = real(fn, *args)
        if fn is portfolio.effort_and_lists:
            jobs.append(job)
            shares.extend(args[0])
        return job

    monkeypatch.setattr(sandbox, "in_background", spy)
    monkeypatch.setattr(portfolio, "SIDE_CHILD_MIN_SHARES", 1)
    beside = consolidate_folder(demo_projects, Settings(), cutoff=CUTOFF, cache=False)
    if sandbox.start_method() == "fork":
        assert jobs and jobs[0] is not None  # made by a forked child
        # ... from the shares' effort and lists, never unpickled in this process
        assert shares and all(not {"effort", "cross"} & set(vars(s)) for s in shares)
        # ... while this process said the findings' messages (kept with each)
        assert beside.findings and all(
            "fr" in f.__dict__.get(RENDERED, (None, {}))[1] for f in beside.findings
        )
    monkeypatch.setattr(portfolio, "SIDE_CHILD_MIN_SHARES", 10**9)
    here = consolidate_folder(demo_projects, Settings(), cutoff=CUTOFF, cache=False)
    for a, b in zip(_side_tables(beside), _side_tables(here), strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert [f.message("fr") for f in beside.findings] == [f.message("fr") for f in here.findings]
    assert len(here.effort) > 50 and len(here.risks) and len(here.actions)  # tables worth it


def test_a_share_unpickles_its_effort_and_lists_where_they_are_read(demo_projects: Path) -> None:
    import pickle

    import numpy as np

    from pmo_xl.portfolio import load_files

    paths = sorted(demo_projects.glob("*.xlsx"))[:2]
    loads = load_files(demo_projects, paths, Settings(), CUTOFF, cache=False, workers=0)
    share = loads[0].share
    assert share is not None and "effort" in vars(share)  # made here: nothing packed
    sent = pickle.loads(pickle.dumps(share))
    assert not {"effort", "cross"} & set(vars(sent))  # packed, as a worker sends it
    again = pickle.loads(pickle.dumps(sent))  # packed fields pickled again as they are
    assert sent.cross["risks"].keys() == share.cross["risks"].keys()  # unpickled when read
    assert "cross" in vars(sent) and "effort" not in vars(sent)
    for copy in (sent, again, pickle.loads(pickle.dumps(sent))):  # read, then sent again
        assert copy.effort.keys() == share.effort.keys()
        for name in share.effort:
            np.testing.assert_array_equal(copy.effort[name], share.effort[name])
        assert copy.file == share.file and copy.load_findings == share.load_findings
    with pytest.raises(AttributeError):
        sent.no_such_field  # noqa: B018  (still an error)


def test_a_side_child_that_fails_leaves_the_tables_to_this_process(
    demo_projects: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    parent, real = os.getpid(), portfolio.effort_and_lists

    def fails_in_a_child(*args: Any) -> Any:
        if os.getpid() != parent:
            raise MemoryError
        return real(*args)

    here = consolidate_folder(demo_projects, Settings(), cutoff=CUTOFF, cache=False)
    monkeypatch.setattr(portfolio, "effort_and_lists", fails_in_a_child)
    monkeypatch.setattr(portfolio, "SIDE_CHILD_MIN_SHARES", 1)
    after = consolidate_folder(demo_projects, Settings(), cutoff=CUTOFF, cache=False)
    for a, b in zip(_side_tables(after), _side_tables(here), strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_findings_link_to_the_project_files_from_the_output_folder(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder given relative to where the command runs, the output elsewhere: Excel and
    # LibreOffice resolve a link from the workbook's own folder, so that is where it starts.
    from pmo_xl import commands

    monkeypatch.chdir(tmp_path)
    out = tmp_path / "sorties" / "conso.xlsx"
    commands.consolidate(Path("projets"), cutoff=CUTOFF, out=out)
    sheet = openpyxl.load_workbook(out)["Contrôles"]
    targets = [c.hyperlink.target for row in sheet.iter_rows() for c in row if c.hyperlink]
    external = [t for t in targets if t]
    assert external
    for target in external:
        assert target.startswith("..\\projets\\"), target
        assert (out.parent / target.replace("\\", "/")).resolve().is_file(), target


def test_the_run_refuses_to_write_over_its_sources_before_reading_them(folder: Path) -> None:
    # --json onto a project workbook, --out onto one: refused before any work, nothing touched.
    from pmo_xl import commands
    from pmo_xl.safe_io import OutputRefused

    project = folder / "projet_a.xlsx"
    before = project.read_bytes()
    with pytest.raises(OutputRefused):
        commands.consolidate(folder, cutoff=CUTOFF, out=folder.parent / "o.xlsx", json_path=project)
    with pytest.raises(OutputRefused):
        commands.consolidate(folder, cutoff=CUTOFF, out=project)
    res = CliRunner().invoke(app, ["validate", str(project), "--json", str(project)])
    assert res.exit_code == 1 and "pas un fichier JSON" in " ".join(res.output.split())
    assert project.read_bytes() == before
    assert not (folder.parent / "o.xlsx").exists()


def test_a_folder_that_cannot_be_read_is_said_and_the_others_consolidated(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As an ordinary user a folder without the rights stops os.walk there, and a file listed
    # but not reachable fails its stat (root, as in CI, reads everything: both are simulated).
    from pmo_xl import scanning

    walk = os.walk
    locked = folder / "lot2"

    def walk_but_lot2(top: Path, onerror: Any = None, **kw: Any) -> Any:
        for root, dirs, files in walk(top, onerror=onerror, **kw):
            if "lot2" in dirs:
                dirs.remove("lot2")
                onerror(PermissionError(13, "Permission denied", str(locked)))
            yield root, dirs, files

    monkeypatch.setattr(scanning.os, "walk", walk_but_lot2)
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF)
    statuses = _statuses(result)
    assert statuses["lot2/"] == ("rejected", None)
    assert statuses["projet_a.xlsx"] == ("consolidated", "PRJ-A")
    (status,) = [f for f in result.files if f.file == "lot2/"]
    assert status.reason == "dossier illisible (accès refusé) : ses classeurs ne sont pas lus"
    assert (
        status.reason_en == "folder cannot be read (permission denied): its workbooks are not read"
    )


def test_an_over_allocation_links_to_the_resource_load_sheet_of_the_output(
    demo_projects: Path, tmp_path: Path
) -> None:
    from pmo_xl import commands

    out = tmp_path / "conso.xlsx"
    commands.consolidate(demo_projects, cutoff=CUTOFF, out=out)
    sheet = openpyxl.load_workbook(out)["Contrôles"]
    codes = {row[5].value: row for row in sheet.iter_rows() if len(row) > 5}
    row = codes["RESOURCE_OVERALLOCATED"]
    (link,) = [c.hyperlink for c in row if c.hyperlink]
    assert (link.target, link.location) == (None, "'Charge ressources'!A1")


def test_a_blank_template_in_the_folder_is_listed_not_counted(folder: Path) -> None:
    # A new project's workbook dropped in the folder before anyone filled it: not project "?"
    # with a sunny weather in the COPIL and the totals, but a file with its reason.
    from pmo_xl.templates import write_templates

    template = next(p for p in write_templates(folder / "nouveau") if p.suffix == ".xlsx"
                    and p.name.startswith("projet"))  # fmt: skip
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF, cache=False)
    label = template.relative_to(folder).as_posix()
    (status,) = [f for f in result.files if f.file == label]
    assert status.status == "ignored" and "vierge" in (status.reason or "")
    assert [p.code for p in result.projects] == ["PRJ-A", "PRJ-B"]
    assert result.totals["projects"] == 2
    assert [f.code for f in result.findings if f.file == label] == ["PROJECT_NOT_FILLED"]


def test_a_pipe_or_a_broken_link_named_like_a_workbook_gets_a_status(folder: Path) -> None:
    os.mkfifo(folder / "tube.xlsx")
    (folder / "lien.xlsx").symlink_to(folder / "disparu.xlsx")
    result = consolidate_folder(folder, Settings(), cutoff=CUTOFF, cache=False)
    statuses = _statuses(result)
    assert statuses["tube.xlsx"] == ("ignored", None)
    assert statuses["lien.xlsx"] == ("ignored", None)
    assert [p.code for p in result.projects] == ["PRJ-A", "PRJ-B"]


def test_a_run_sweeps_what_a_killed_run_left_next_to_its_output(
    folder: Path, tmp_path: Path
) -> None:
    from pmo_xl import commands

    out = tmp_path / "conso.xlsx"
    left = tmp_path / f".~pmo_xl.tmp.0123456789ab.{out.name}"
    left.write_bytes(b"half a workbook")
    commands.consolidate(folder, cutoff=CUTOFF, out=out)
    assert not left.exists() and out.is_file()


def test_the_cli_summary_marks_the_projects_with_partial_figures(
    demo_projects: Path, tmp_path: Path
) -> None:
    pmo = demo_projects.parent / "pmo.xlsx"  # its rates: without them every day costs 0 €
    res = CliRunner().invoke(app, ["consolidate", str(demo_projects), "--pmo", str(pmo),
                                   "--out", str(tmp_path / "o.xlsx")])  # fmt: skip
    assert res.exit_code == 0, res.output
    # PRJ-005 and PRJ-007 carry errors (rows left out); PRJ-001 none.
    assert "PRJ-005*" in res.output and "PRJ-007*" in res.output and "PRJ-001*" not in res.output
    assert "* chiffres partiels : lignes en erreur écartées" in res.output


# --- Stale workbooks: not updated since the previous cut-off, or a cut-off too old ----------

PREVIOUS_CUTOFF = dt.date(2026, 11, 13)  # the run before this one (CUTOFF is 20/11)


def _stale_after_run(
    tmp_path: Path,
    *,
    declared: dt.date,
    saved_on: dt.date,
    previous_run: bool = True,
    settings: Settings | None = None,
) -> list[str]:
    """The stale list of a run at CUTOFF over one project declared at ``declared`` and saved on
    ``saved_on`` at noon, after a run at PREVIOUS_CUTOFF when ``previous_run``."""
    from pmo_xl.history import snapshot_rows

    book = write_book(
        tmp_path / "projets" / "projet_a.xlsx", simple_project("PRJ-A", cutoff=declared)
    )
    noon = dt.datetime.combine(saved_on, dt.time(12)).timestamp()
    os.utime(book, (noon, noon))
    previous = snapshot_rows(
        [{"code": "PRJ-A", "weather": "green", "drift_pct": 0.0}],
        PREVIOUS_CUTOFF,
        dt.datetime(2026, 11, 13, 18, 0),
    )
    result = consolidate_folder(
        book.parent,
        settings or Settings(),
        cutoff=CUTOFF,
        previous_history=[previous] if previous_run else (),
        cache=False,
    )
    return result.stale


def test_a_workbook_still_declared_at_the_previous_cutoff_is_stale(tmp_path: Path) -> None:
    # Saved since (19/11), but its Date d'arrêté is still that of the last run.
    stale = _stale_after_run(tmp_path, declared=PREVIOUS_CUTOFF, saved_on=dt.date(2026, 11, 19))
    assert stale == ["PRJ-A"]


def test_a_workbook_last_saved_on_the_previous_cutoff_day_is_stale(tmp_path: Path) -> None:
    # Declared at 20/11, but the file has not changed since 13/11 at noon.
    stale = _stale_after_run(tmp_path, declared=CUTOFF, saved_on=PREVIOUS_CUTOFF)
    assert stale == ["PRJ-A"]


def test_a_workbook_declared_and_saved_after_the_previous_cutoff_is_not_stale(
    tmp_path: Path,
) -> None:
    # Declared at 20/11 and saved on 14/11, the day after the previous cut-off.
    stale = _stale_after_run(tmp_path, declared=CUTOFF, saved_on=dt.date(2026, 11, 14))
    assert stale == []


def test_a_project_cutoff_older_than_the_pmos_stale_setting_is_stale(tmp_path: Path) -> None:
    # First run (no history). 20/10 is 31 days before 20/11: older than the PMO's 30 days.
    stale = _stale_after_run(
        tmp_path,
        declared=dt.date(2026, 10, 20),
        saved_on=dt.date(2026, 11, 19),
        previous_run=False,
        settings=Settings(stale_after_days=30),
    )
    assert stale == ["PRJ-A"]


def test_a_project_cutoff_exactly_the_pmos_stale_setting_old_is_not_stale(tmp_path: Path) -> None:
    # 21/10 is 30 days before 20/11: not older than the PMO's 30 days.
    stale = _stale_after_run(
        tmp_path,
        declared=dt.date(2026, 10, 21),
        saved_on=dt.date(2026, 11, 19),
        previous_run=False,
        settings=Settings(stale_after_days=30),
    )
    assert stale == []


def test_the_stale_age_applies_after_a_previous_run_too(tmp_path: Path) -> None:
    # 14/11 is after the previous cut-off (13/11) but 6 days before 20/11: older than 5 days.
    stale = _stale_after_run(
        tmp_path,
        declared=dt.date(2026, 11, 14),
        saved_on=dt.date(2026, 11, 19),
        settings=Settings(stale_after_days=5),
    )
    assert stale == ["PRJ-A"]


def test_link_paths_are_each_files_path_from_the_output_folder(tmp_path: Path) -> None:
    import os

    from pmo_xl.findings_sheet import link_paths

    base = tmp_path / "sorties"
    paths = {
        "a.xlsx": tmp_path / "a.xlsx",
        "lot 1/b.xlsx": tmp_path / "lot 1" / "b.xlsx",
        "lot 1/c.xlsx": tmp_path / "lot 1" / "c.xlsx",
        "here.xlsx": base / "here.xlsx",
        "deep.xlsx": base / "x" / "y" / "deep.xlsx",
    }
    made = link_paths(paths, base)
    assert made == {f: Path(os.path.relpath(p, base)) for f, p in paths.items()}
    assert made["here.xlsx"] == Path("here.xlsx") and made["a.xlsx"] == Path("../a.xlsx")
    assert link_paths(paths, None) == {f: Path(os.path.abspath(p)) for f, p in paths.items()}


def test_a_pickled_finding_is_the_same_pydantic_model() -> None:
    """Findings, figures, milestones, reasons and project infos pickle through
    :class:`~pmo_xl.model.QuickPickled`, not pydantic's generic state."""
    import pickle

    finding = _missing_sheet({"sheet": "Jalons"}).model_copy(update={"severity": "warning"})
    finding.message()
    back = pickle.loads(pickle.dumps(finding, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == finding and back is not finding and back.__dict__ is not finding.__dict__
    assert back.model_fields_set == finding.model_fields_set
    assert back.model_dump() == finding.model_dump()
    assert back.__pydantic_extra__ is None and back.__pydantic_private__ is None
    moved = back.model_copy(update={"project": "P1"})
    assert moved.project == "P1" and back.project is None
    with pytest.raises(ValueError):  # still frozen
        back.code = "OTHER"  # type: ignore[misc]


def test_the_output_and_pmo_workbook_in_the_folder_are_never_read_as_projects(
    folder: Path, tmp_path: Path
) -> None:
    from pmo_xl.scanning import scan_folder

    write_book(folder / "pmo.xlsx", simple_project("PRJ-PMO"))
    write_book(folder / "lot2" / "sortie.xlsx", simple_project("PRJ-OUT"))
    (tmp_path / "lien").symlink_to(folder)
    # Named another way than the scan names them: through a link, and with "..".
    exclude = [tmp_path / "lien" / "pmo.xlsx", folder / "lot2" / ".." / "lot2" / "sortie.xlsx"]
    candidates, _ = scan_folder(folder, [*exclude, folder / "pas_encore.xlsx"])
    names = sorted(p.relative_to(folder).as_posix() for p in candidates)
    assert names == ["lot2/projet_b.xlsx", "projet_a.xlsx", "projet_casse.xlsx"]
    everything, _ = scan_folder(folder)
    assert len(everything) == 5


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/a/b/c.xlsx", "/a"),
        ("/a/b/c.xlsx", "/a/b"),
        ("/ab/c.xlsx", "/a"),  # a sibling folder whose name starts alike
        ("/a/c.xlsx", "/"),
        ("x/c.xlsx", "."),
        ("/a/b", "/a/b"),
        ("/a/b/c d/é.xlsx", "/a/b"),
        ("/elsewhere/c.xlsx", "/a"),
    ],
)
def test_a_file_label_is_its_path_under_the_folder(path: str, root: str) -> None:
    from pmo_xl.scanning import relative_label

    try:
        expected = Path(path).relative_to(Path(root)).as_posix()
    except ValueError:
        expected = Path(path).name
    assert relative_label(Path(path), Path(root)) == expected


def test_a_project_s_figures_come_back_from_a_pickle_as_they_were(demo_projects: Path) -> None:
    import pickle

    from pmo_xl.model import QuickPickled

    result = consolidate_folder(demo_projects, Settings(), cache=False)
    figures = result.projects[0]
    assert figures.milestones and isinstance(figures.milestones[0], QuickPickled)
    back = pickle.loads(pickle.dumps(result.projects, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == result.projects
    assert [p.model_dump() for p in back] == [p.model_dump() for p in result.projects]
    assert back[0].model_fields_set == figures.model_fields_set


def test_a_file_system_without_inodes_still_leaves_the_output_out(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmo_xl import scanning

    write_book(folder / "pmo.xlsx", simple_project("PRJ-PMO"))
    (tmp_path / "lien").symlink_to(folder)
    monkeypatch.setattr(scanning, "_identity", lambda path: (1, 0))  # every inode 0
    candidates, _ = scanning.scan_folder(folder, [tmp_path / "lien" / "pmo.xlsx"])
    assert folder / "pmo.xlsx" not in candidates and len(candidates) == 3
