"""A re-run after a few workbooks changed patches the last run's cross-project tables
(``pmo_xl.rerun``): it must give exactly what a full run gives, on random changes of every kind
a project lead makes (remaining effort, time entries, owners, risks, actions, decisions) and on
those it must refuse to patch (capacities, spellings, codes, files added or removed)."""

from __future__ import annotations

import copy
import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest

from pmo_xl import commands, json_doc, rerun
from pmo_xl.model import Settings
from pmo_xl.portfolio import PortfolioResult, consolidate_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus

N_PROJECTS = 10
SIZE = {"tasks": 30, "entries": 120}


def _write(folder: Path, index: int, data: Any) -> None:
    layouts = corpus.project_template_layouts("fr", data)
    corpus.write_workbook(layouts, folder / corpus.file_name(index), str(data.info["name"]))


def _answers(result: PortfolioResult) -> dict[str, Any]:
    """Everything the run tells: the JSON document, then every table as it is."""
    return {
        "json": result.to_json("fr"),
        "findings": [(f.model_dump(), f.message("fr")) for f in result.findings],
        "projects": [p.model_dump() for p in result.projects],
        "stale": result.stale,
    }


def _first_run(folder: Path, tmp_path: Path) -> Path:
    """A first run of ``folder``, its state kept, into a cache under ``tmp_path``: the cache."""
    cache = tmp_path / "cache"
    consolidate_folder(folder, Settings(), cache=cache).keep()
    return cache


def _rerun_as_full(folder: Path, cache: Path, *, keep: bool = True) -> PortfolioResult:
    """A re-run from ``cache`` (its state kept for the next when ``keep``), asserted to give
    what a full run without any cache gives."""
    again = consolidate_folder(folder, Settings(), cache=cache)
    if keep:
        again.keep()
    _assert_same(again, consolidate_folder(folder, Settings(), cache=False))
    return again


def _assert_same(patched: PortfolioResult, full: PortfolioResult, *, history: bool = True) -> None:
    """``history``: compare the history too (False: ``patched`` read an earlier output's)."""
    assert _answers(patched) == _answers(full)
    for name in ("resource_load", "effort", "risks", "actions", "decisions"):
        pd.testing.assert_frame_equal(getattr(patched, name), getattr(full, name), check_exact=True)
    if history:
        pd.testing.assert_frame_equal(
            patched.history.drop(columns="run_at"), full.history.drop(columns="run_at")
        )
    a, b = patched.resource_detail, full.resource_detail
    assert a is not None and b is not None
    for field in ("starts", "labels", "days", "codes"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def _running(data: Any, rng: random.Random) -> dict[str, Any]:
    """A task still running after the cut-off (one made so when every task is done)."""
    running = [t for t in data.rows["planning"] if t["status"] == "in_progress"]
    if running:
        task: dict[str, Any] = rng.choice(running)
        return task
    task = rng.choice([t for t in data.rows["planning"] if t["milestone"] == "no"])
    task["status"], task["remaining_days"] = "in_progress", 2.0
    task["end"] = max(task["end"], corpus.CUTOFF + dt.timedelta(days=20))
    task["start"] = min(task["start"], corpus.CUTOFF)
    return task


# Each change: what a lead does to one project's data; ``True`` when a re-run may patch it.
def _more_remaining(data: Any, rng: random.Random) -> bool:
    _running(data, rng)["remaining_days"] += rng.choice((0.5, 1.0, 4.0))
    return True


def _overload(data: Any, rng: random.Random) -> bool:
    _running(data, rng)["remaining_days"] = 60.0  # its owner over-allocated for weeks
    return True


def _task_done(data: Any, rng: random.Random) -> bool:
    task = _running(data, rng)
    task["status"], task["remaining_days"] = "done", 0.0
    return True


def _other_owner(data: Any, rng: random.Random) -> bool:
    team = [r["name"] for r in data.rows["resources"]]
    _running(data, rng)["owner"] = rng.choice(team)
    return True


def _time_entries(data: Any, rng: random.Random) -> bool:
    team = [r["name"] for r in data.rows["resources"]]
    for _ in range(rng.randint(1, 6)):
        data.rows["time_entries"].append(
            {
                "date": corpus.CUTOFF - dt.timedelta(days=rng.randint(0, 90)),
                "resource": rng.choice(team),
                "task_id": rng.choice(data.rows["planning"])["id"],
                "days": rng.choice((0.5, 1.0)),
                "comment": None,
            }
        )
    return True


def _risks(data: Any, rng: random.Random) -> bool:
    for risk in rng.sample(data.rows["risks"], 3):
        risk["status"] = rng.choice(("open", "closed", "open"))
        risk["probability"] = rng.randint(1, 4)
    return True


def _actions(data: Any, rng: random.Random) -> bool:
    for action in rng.sample(data.rows["actions"], 4):
        action["status"] = rng.choice(("todo", "done", "in_progress"))
        action["due"] = corpus.CUTOFF + dt.timedelta(days=rng.randint(-30, 30))
    return True


def _decisions(data: Any, rng: random.Random) -> bool:
    for decision in data.rows["decisions"]:
        decision["status"] = rng.choice(("pending", "taken"))
    return True


def _capacity(data: Any, rng: random.Random) -> bool:
    rng.choice(data.rows["resources"])["capacity"] = rng.choice((1.0, 2.5))
    return False  # the person's capacity may change in every project


def _spelling(data: Any, rng: random.Random) -> bool:
    name = _running(data, rng)["owner"]
    for task in data.rows["planning"]:
        if task["owner"] == name:
            task["owner"] = name.upper()
    return True  # someone listed in Ressources is shown as listed, however the tasks spell them


def _stranger(data: Any, rng: random.Random) -> bool:
    _running(data, rng)["owner"] = f"Intérimaire {rng.randint(1, 99)}"
    return False  # not listed anywhere: shown as the tasks spell them, a new person with load


def _code(data: Any, rng: random.Random) -> bool:
    data.info["code"] = "PRJ-0000"  # another project's: both are flagged
    return False


CHANGES = [
    _more_remaining,
    _overload,
    _task_done,
    _other_owner,
    _time_entries,
    _risks,
    _actions,
    _decisions,
    _capacity,
    _spelling,
    _stranger,
    _code,
]


@pytest.fixture
def portfolio_folder(tmp_path: Path) -> tuple[Path, list[Any]]:
    folder = tmp_path / "projets"
    folder.mkdir()
    datas = [corpus.project_data(i, **SIZE) for i in range(N_PROJECTS)]
    for i, data in enumerate(datas):
        _write(folder, i, data)
    return folder, datas


class _Said(list[bool]):
    """Whether each re-run was patched, and why not."""

    why: list[str]


def _spy(monkeypatch: pytest.MonkeyPatch) -> _Said:
    patched = _Said()
    patched.why = []
    real = rerun.patched_tables

    def spy(*args: Any, **kwargs: Any) -> rerun.Tables | str:
        tables = real(*args, **kwargs)
        patched.append(isinstance(tables, rerun.Tables))
        patched.why.append(tables if isinstance(tables, str) else "")
        return tables

    monkeypatch.setattr(rerun, "patched_tables", spy)
    return patched


@pytest.mark.parametrize(
    ("seed", "base_kept"), [(s, False) for s in range(6)] + [(s, True) for s in range(3)]
)
def test_a_patched_rerun_gives_what_a_full_run_gives(
    portfolio_folder: tuple[Path, list[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    base_kept: bool,
) -> None:
    """Random changes, each re-run compared with a full run. ``base_kept``: runs patch from
    the state a patched run leaves as is (rerun.keeps_base; every file changed since it
    differs); else each patched run keeps its own, and every change a patch may take is
    patched."""
    folder, datas = portfolio_folder
    rng = random.Random(seed)
    if not base_kept:
        monkeypatch.setattr(rerun, "BASE_MAX_CHANGED", 0)
    cache = tmp_path / "cache"
    settings = Settings()
    consolidate_folder(folder, settings, cache=cache).keep()
    patched = _spy(monkeypatch)
    expected_patches = 0
    for _round in range(4):
        touched = rng.sample(range(N_PROJECTS), rng.choice((1, 1, 2)))
        may_patch = True
        made = []
        for index in touched:
            data = copy.deepcopy(datas[index])
            change = rng.choice(CHANGES)
            made.append(change.__name__)
            may_patch &= change(data, rng)
            datas[index] = data
            _write(folder, index, data)
        # Two projects with one code (a _code change stays): their list rows could tie.
        may_patch &= len({d.info["code"] for d in datas}) == N_PROJECTS
        again = consolidate_folder(folder, settings, cache=cache)
        again.keep()
        full = consolidate_folder(folder, settings, cache=False)
        _assert_same(again, full)
        # The JSON, its load records copied from the last one where they are the same: byte
        # for byte the full run's document.
        commands.write_json(again, tmp_path / "out.json")
        assert (tmp_path / "out.json").read_bytes() == orjson.dumps(
            full.to_json("fr"), option=json_doc.OPTIONS
        )
        expected_patches += may_patch
        if may_patch and not base_kept:
            assert patched[-1], (made, patched.why[-1])
    assert len(patched) == 4 and (base_kept or sum(patched) >= expected_patches)


def test_every_patchable_change_is_patched(
    portfolio_folder: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind of change a re-run may patch, alone: patched, and the full run's answer."""
    folder, datas = portfolio_folder
    cache = _first_run(folder, tmp_path)
    patched = _spy(monkeypatch)
    rng = random.Random(11)
    for k, change in enumerate(CHANGES):
        index = k % N_PROJECTS
        data = copy.deepcopy(datas[index])
        may_patch = change(data, rng)
        datas[index] = data
        _write(folder, index, data)
        _rerun_as_full(folder, cache)
        assert patched[-1] == may_patch, (change.__name__, patched.why[-1])


def test_files_added_or_removed_are_made_in_full(
    portfolio_folder: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _datas = portfolio_folder
    cache = _first_run(folder, tmp_path)
    patched = _spy(monkeypatch)
    (folder / corpus.file_name(3)).rename(tmp_path / "away.xlsx")
    _rerun_as_full(folder, cache)
    _write(folder, N_PROJECTS, corpus.project_data(N_PROJECTS, **SIZE))
    _rerun_as_full(folder, cache, keep=False)
    assert patched == [False, False]


def test_a_rerun_with_nothing_changed_gives_the_kept_tables(
    portfolio_folder: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _datas = portfolio_folder
    cache = _first_run(folder, tmp_path)
    patched = _spy(monkeypatch)
    for _ in range(2):
        _rerun_as_full(folder, cache)
    assert patched == [True, True]


def test_a_damaged_or_foreign_state_is_never_used(
    portfolio_folder: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    folder, datas = portfolio_folder
    cache = _first_run(folder, tmp_path)
    (state,) = cache.rglob(rerun.STATE_NAME)
    state.write_bytes(state.read_bytes()[:1000])  # cut short
    data = copy.deepcopy(datas[2])
    _more_remaining(data, random.Random(1))
    _write(folder, 2, data)
    again = _rerun_as_full(folder, cache, keep=False)
    assert rerun.load_state(state, "anything") is None
    again.keep()  # kept again, for these settings only
    assert rerun.load_state(state, "another fingerprint") is None


def test_a_patched_run_leaves_the_state_it_patched_while_few_files_differ(
    portfolio_folder: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A patched run keeps no state of its own while few files differ from the one it patched
    (10 projects: one, half of what a patch takes): the next run patches from that one, every
    file changed since included, and gets the full run's answer; past that, it is written."""
    folder, datas = portfolio_folder
    cache = _first_run(folder, tmp_path)
    (state,) = cache.rglob(rerun.STATE_NAME)
    base = state.read_bytes()
    patched = _spy(monkeypatch)
    rng = random.Random(3)

    def change(index: int, how: Any) -> None:
        data = copy.deepcopy(datas[index])
        how(data, rng)
        datas[index] = data
        _write(folder, index, data)

    change(1, _more_remaining)
    _rerun_as_full(folder, cache)
    change(1, _actions)  # file 1 again: still the only one unlike the state
    _rerun_as_full(folder, cache)
    assert state.read_bytes() == base
    change(6, _risks)  # files 1 and 6 differ from the state: patched from it, then written
    _rerun_as_full(folder, cache)
    assert patched == [True, True, True] and state.read_bytes() != base
    rewritten = state.read_bytes()
    _rerun_as_full(folder, cache)  # nothing differs from the new state
    assert patched[-1] and state.read_bytes() == rewritten


@pytest.mark.parametrize("min_shares", [1, 10_000], ids=["forked child", "in the run"])
def test_a_command_keeps_a_patched_state_once_the_workbook_is_laid_out(
    portfolio_folder: tuple[Path, list[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    min_shares: int,
) -> None:
    """``pmo-xl consolidate`` keeps what the next run may patch as soon as a full run's
    tables are made, and a patched run's (when more files differ from the state it patched
    than it leaves as is) when only the workbook's bodies are left to splice (not while its
    sheets are laid out); the next command patches from it."""
    from pmo_xl import outputs, portfolio, xlsx_writer

    folder, datas = portfolio_folder
    monkeypatch.setenv("PMO_XL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(portfolio, "SIDE_CHILD_MIN_SHARES", min_shares)
    monkeypatch.setattr(rerun, "BASE_MAX_CHANGED", 0)
    steps: list[str] = []

    def noted(step: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            steps.append(step)
            return real(*args, **kwargs)

        return call

    start = portfolio.Keeping.start

    def started(keeping: portfolio.Keeping) -> None:
        if not keeping.started:  # started once, however often asked
            steps.append("keep")
        start(keeping)

    monkeypatch.setattr(portfolio.Keeping, "start", started)
    monkeypatch.setattr(outputs, "output_layouts", noted("layouts", outputs.output_layouts))
    monkeypatch.setattr(xlsx_writer, "_splice_bodies", noted("splice", xlsx_writer._splice_bodies))
    out = tmp_path / "pmo_consolidation.xlsx"
    commands.consolidate(folder, out=out, with_copil=False)
    assert steps == ["keep", "layouts", "splice"]

    steps.clear()
    patched = _spy(monkeypatch)
    data = copy.deepcopy(datas[4])
    _more_remaining(data, random.Random(5))
    _write(folder, 4, data)
    again = commands.consolidate(folder, out=out, with_copil=False).result
    assert patched == [True]
    assert steps == ["layouts", "keep", "splice"]
    _assert_same(again, consolidate_folder(folder, Settings(), cache=False), history=False)
