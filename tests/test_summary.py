"""The few lines a consolidation ends with: most exposed projects first, a large list cut."""

from __future__ import annotations

from types import SimpleNamespace

from pmo_xl.summary import more_projects_line, most_exposed_first


def _project(code: str | None, weather: str, file: str = "") -> SimpleNamespace:
    return SimpleNamespace(code=code, weather=weather, file=file or f"{code}.xlsx")


def test_storms_come_first_then_clouds_then_sun_each_by_code() -> None:
    projects = [
        _project("PRJ-3", "green"),
        _project("PRJ-2", "red"),
        _project("prj-1", "amber"),
        _project("PRJ-4", "red"),
        _project("PRJ-0", "amber"),
    ]
    # red: PRJ-2, PRJ-4; amber: PRJ-0, prj-1 (codes compared in capitals); green: PRJ-3
    assert [p.code for p in most_exposed_first(projects)] == [
        "PRJ-2", "PRJ-4", "PRJ-0", "prj-1", "PRJ-3",
    ]  # fmt: skip


def test_a_project_without_code_is_placed_by_its_file_name() -> None:
    projects = [_project("PRJ-B", "red"), _project(None, "red", file="a_sans_code.xlsx")]
    # "A_SANS_CODE.XLSX" < "PRJ-B"
    assert [p.file for p in most_exposed_first(projects)] == ["a_sans_code.xlsx", "PRJ-B.xlsx"]


def test_a_list_cut_says_how_many_projects_are_left_and_where_they_are() -> None:
    assert more_projects_line(1000, 30, "fr") == (
        "… et 970 projet(s) moins exposé(s) : tous sont dans l'onglet « Consolidation »."
    )
    assert more_projects_line(31, 30, "en") == (
        "… and 1 less exposed project(s): all are in the 'Consolidation' sheet."
    )


def test_a_list_shown_whole_has_no_line_under_it() -> None:
    assert more_projects_line(30, 30, "fr") is None
    assert more_projects_line(0, 0, "en") is None


def _file(name: str, status: str, reason: str) -> SimpleNamespace:
    return SimpleNamespace(file=name, status=status, reason_text=lambda lang: reason)


def test_a_capped_list_of_files_to_chase_shortens_each_reason_and_counts_the_rest() -> None:
    import datetime as dt

    from pmo_xl.summary import result_lines

    files = [_file(f"p{i}.xlsx", "rejected", "r" * 450) for i in range(12)]
    result = SimpleNamespace(files=files, cutoff=dt.date(2026, 11, 20), consolidated=0, findings=[])
    (_, chase, _) = result_lines(result, "en", max_files=10)  # type: ignore[arg-type]
    lines = chase.splitlines()
    assert lines[0] == "Files: 12 rejected."
    assert lines[1] == "• Rejected: p0.xlsx — " + "r" * 199 + "…"  # 200 characters of reason
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == "… and 2 more: see the 'Files' sheet."
    # Uncapped (the CLI): every file, every reason whole.
    (_, whole, _) = result_lines(result, "en")  # type: ignore[arg-type]
    assert len(whole.splitlines()) == 13
    assert whole.splitlines()[1].endswith("r" * 450)
