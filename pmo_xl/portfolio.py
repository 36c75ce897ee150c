"""The PMO's "Consolider": every project workbook of a folder → one set of defensible figures.

Data flows one way: scan → preflight → read → check → consolidate → (history, trend) → result.
One bad file never stops the others: it gets a status and a reason, and the run goes on.
:func:`consolidate_folder` is what the CLI, the Excel button and the benchmark all call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import os
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from pmo_xl import checks, consolidation, preflight
from pmo_xl.fast_workbook import FastUnsupported
from pmo_xl.history import (
    HISTORY_COLUMNS,
    merge_history,
    previous_snapshot,
    snapshot_rows,
    trend,
)
from pmo_xl.labels import Lang
from pmo_xl.model import (
    Columns,
    Finding,
    ProjectInfo,
    ProjectShare,
    ProjectWorkbook,
    Settings,
    column_array,
    join_columns,
)
from pmo_xl.reading import read_project
from pmo_xl.scanning import FileStatus, relative_label, scan_folder
from pmo_xl.workbook import WorkbookError, WorkbookSource

if TYPE_CHECKING:
    from pmo_xl import rerun
    from pmo_xl.cache import LoadCache, Stored

Progress = Callable[[int, int, str], None]
# What a run keeps for the next: its tables, shares, their files' keys, the cut-off, and
# whether the tables were patched.
Keep = Callable[["rerun.Tables", list[ProjectShare], list[Any], dt.date, bool], None]


@dataclass
class FileLoad:
    """What one file gave: a project (or a refusal), its own findings and figures."""

    label: str
    path: Path | None
    status: FileStatus | None = None  # set when the file was refused
    # The full tables: kept only in the process that read them (workers and the cache send and
    # keep ``share`` instead, a few hundred rows per project).
    workbook: ProjectWorkbook | None = None
    findings: list[Finding] = field(default_factory=list)
    figures: consolidation.ProjectFigures | None = None
    mtime: float | None = None
    share: ProjectShare | None = None  # its part of the cross-project tables
    key: Any = None  # the cache key of the file as it was read (set by load_files)

    @property
    def info(self) -> ProjectInfo | None:
        if self.share is not None:
            return self.share.info
        return self.workbook.info if self.workbook is not None else None

    @property
    def code(self) -> str | None:
        info = self.info
        return info.code if info is not None else None

    @property
    def read(self) -> bool:
        """A project was read from the file (refused files have a status instead)."""
        return self.status is None and self.info is not None

    def slim(self) -> FileLoad:
        """This load without the full tables (what workers send and the cache keeps)."""
        return dataclasses.replace(self, workbook=None) if self.share is not None else self


@dataclass
class PortfolioResult:
    """Everything a run produced; outputs (sheets, JSON, COPIL) are views of this."""

    cutoff: dt.date
    settings: Settings
    run_at: dt.datetime
    projects: list[consolidation.ProjectFigures]
    totals: dict[str, Any]
    resource_load: pd.DataFrame
    effort: pd.DataFrame
    findings: list[Finding]
    files: list[FileStatus]
    risks: pd.DataFrame
    actions: pd.DataFrame
    decisions: pd.DataFrame
    history: pd.DataFrame
    # project codes not updated since the previous cut-off, or whose cut-off is too old
    stale: list[str] = field(default_factory=list)
    # resource_load's by_project in long form, when the consolidation made it (for the sheet)
    resource_detail: consolidation.LoadDetail | None = None
    # Keeps what the next run may patch (:mod:`pmo_xl.rerun`): written by a forked child once
    # started (as soon as the tables are made, or when the caller says), else here; None once
    # done.
    keep_for_next: Keeping | None = field(default=None, repr=False, compare=False)

    def start_keeping(self) -> None:
        """Start writing what the next run may patch (in a forked child where it is written
        so, see :class:`Keeping`); :meth:`keep` then waits for it."""
        if self.keep_for_next is not None:
            self.keep_for_next.start()

    def keep(self) -> None:
        """Keep what the next run may patch (see :attr:`keep_for_next`), once."""
        keep, self.keep_for_next = self.keep_for_next, None
        if keep is not None:
            keep()

    @property
    def consolidated(self) -> int:
        return len(self.projects)

    def to_json(self, lang: Lang = "fr") -> dict[str, Any]:
        """The integration document (issue 3 §5): exactly these top-level keys."""
        from pmo_xl import json_doc

        return {
            name: [item for chunk in value() for item in chunk] if callable(value) else value
            for name, value in json_doc.sections(self, lang)
        }


# ---------------------------------------------------------------------------------------------
# One file
# ---------------------------------------------------------------------------------------------


Reader = Literal["fast", "openpyxl"]
# Earlier snapshots (history sheets), or what gives them when they are first needed.
History = Sequence[pd.DataFrame] | Callable[[], Sequence[pd.DataFrame]]


def open_source(
    path: Path,
    label: str,
    reader: Reader = "fast",
    pre: preflight.PreflightResult | None = None,
) -> WorkbookSource:
    """The fast reader (calamine), or openpyxl: the reference, and the fallback for what the
    fast reader does not read exactly as openpyxl does. ``pre``: the file's preflight, whose
    decompressed parts the fast reader reuses (when the file has not changed since)."""
    from pmo_xl.file_workbook import open_workbook

    if reader == "fast":
        from pmo_xl.fast_workbook import open_fast

        with contextlib.suppress(FastUnsupported):
            return open_fast(path, label, pre)
    return open_workbook(path, label)


def load_file(
    path: Path,
    label: str,
    settings: Settings,
    cutoff: dt.date | None,
    limits: preflight.Limits | None = None,
    *,
    reader: Reader = "fast",
    share_cutoff: dt.date | None = None,
) -> FileLoad:
    """Preflight, read, check and compute one project workbook. Never raises for a bad file.

    ``share_cutoff``: the portfolio's cut-off, when known, for the project's part of the
    cross-project tables (else the project's own cut-off, see :func:`analyse_project`)."""
    lang = settings.language
    result = FileLoad(label, path)
    with contextlib.suppress(OSError):
        result.mtime = path.stat().st_mtime
    pre = preflight.preflight(path, limits or preflight.Limits())
    if pre.status != "ok":
        result.status = FileStatus(
            label,
            "ignored" if pre.status == "ignored" else "rejected",
            reason=pre.reason("fr"),
            reason_en=pre.reason("en"),
            path=path,
        )
        return result
    try:
        source = open_source(path, label, reader, pre)
        try:
            workbook = read_project(source, settings, path=path, file=label)
        except FastUnsupported:  # a sheet calamine cannot read as openpyxl does
            source.close()  # type: ignore[attr-defined]
            source = open_source(path, label, "openpyxl")
            workbook = read_project(source, settings, path=path, file=label)
    except WorkbookError as exc:
        result.status = FileStatus(
            label, "rejected", reason=exc.reason, reason_en=exc.reason_en, path=path
        )
        return result
    finally:
        close = getattr(locals().get("source"), "close", None)
        if close is not None:
            close()
    if workbook.info.sheet is None and not workbook.tasks.present:
        result.status = FileStatus(
            label,
            "ignored",
            reason="pas un classeur projet (ni feuille Projet ni feuille Planning)",
            reason_en="not a project workbook (no Projet nor Planning sheet)",
            path=path,
        )
        return result
    del lang
    return analyse_project(workbook, settings, cutoff, result, share_cutoff=share_cutoff)


def _not_said(found: list[Finding], said: list[Finding]) -> list[Finding]:
    """The figures' findings (days costed at 0 for want of a rate) at cells where the checks
    put no error: a person with no rate anywhere is already said at their Ressources row."""
    taken = {(f.sheet, f.cell) for f in said if f.severity == "error"}
    return [f for f in found if (f.sheet, f.cell) not in taken]


def analyse_project(
    workbook: ProjectWorkbook,
    settings: Settings,
    cutoff: dt.date | None,
    result: FileLoad | None = None,
    *,
    share_cutoff: dt.date | None = None,
) -> FileLoad:
    """Checks, figures and cross-project share of one project already read (files and live
    workbooks alike).

    Figures are at ``cutoff``, else at the project's own cut-off. A project with neither is
    checked and computed at ``share_cutoff`` (the portfolio's), as if it had been given. The share
    (resource load, effort by month) is at ``share_cutoff``, else at the figures' cut-off.
    """
    result = result or FileLoad(workbook.file, workbook.path)
    given = cutoff is not None
    effective = cutoff or workbook.info.cutoff
    if effective is None and share_cutoff is not None:
        effective, given = share_cutoff, True
    findings = checks.project_findings(workbook, settings, effective, cutoff_given=given)
    excluded = checks.rows_left_out(findings, workbook)
    result.workbook = workbook
    result.findings = findings
    if effective is not None:
        result.figures = consolidation.project_figures(workbook, settings, effective, excluded)
        result.findings = findings + _not_said(result.figures.findings, findings)
    spread_from = share_cutoff or effective
    if spread_from is not None:
        places = checks.name_places(workbook)
        result.share = consolidation.project_share(
            workbook,
            settings,
            spread_from,
            excluded,
            name_places=places,
            name_parts=checks.name_parts(places),
            cross={key: _rows_with_source(workbook, key, excluded) for key in CROSS_TABLES},
        )
    return result


# ---------------------------------------------------------------------------------------------
# The folder
# ---------------------------------------------------------------------------------------------


def resolve_cutoff(
    cli_cutoff: dt.date | None, settings: Settings, loads: Iterable[FileLoad]
) -> tuple[dt.date, bool]:
    """Command line, else PMO settings, else the latest project cut-off, else today."""
    if cli_cutoff:
        return cli_cutoff, True
    if settings.cutoff:
        return settings.cutoff, True
    dates = [ld.info.cutoff for ld in loads if ld.read and ld.info and ld.info.cutoff]
    return (max(dates) if dates else dt.date.today()), False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one run (a ``with`` block or a decorated function),
    then back as it was.

    A run builds a large heap that lives until it ends (1,000 projects: millions of objects,
    hardly any in a reference cycle) and the collector walks all of it again each time it grows
    by a quarter: unpickling the cache of 1,000 projects took 1.3 s instead of 0.4 s.

    Back on, the collector's youngest generation would hold everything the run allocated, and
    its first pass would walk it all (0.08 s after 1,000 projects, before the run returns). The
    run's objects are moved to the oldest generation instead (``freeze`` then ``unfreeze``:
    two list moves, no walk), where a later full pass finds the few cycles a run leaves. Not
    where the process froze objects of its own (``gc.freeze`` before forking workers): those
    stay frozen, and the run's objects are left to the usual passes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@collector_paused()
def consolidate_folder(
    folder: Path,
    settings: Settings,
    *,
    cutoff: dt.date | None = None,
    previous_history: History = (),
    exclude: Iterable[Path] = (),
    progress: Progress | None = None,
    run_at: dt.datetime | None = None,
    limits: preflight.Limits | None = None,
    cache: Path | bool = True,
    workers: int | None = None,
    reader: Reader = "fast",
    while_waiting: Callable[[], object] | None = None,
    keep_later: bool = False,
) -> PortfolioResult:
    """Consolidate every project workbook under ``folder`` (read-only; nothing is written).

    ``cache``: reuse what unchanged files gave last time (True: the user's cache folder, a
    path: that folder, False: read everything). ``workers``: processes reading files (None: as
    many as cores, from :data:`POOL_MIN_FILES` files to read on). ``reader``: ``"openpyxl"``
    reads with the reference reader only (the fast one gives the same answers).
    ``while_waiting``: see :func:`consolidate_loads`. ``previous_history``: the earlier
    snapshots, or a function giving them, called once when the history is made.
    ``keep_later``: when the tables were patched (a re-run), what the next run may patch is
    written once the caller says (:meth:`PortfolioResult.start_keeping`), not as soon as the
    tables are made. A full run's is written at once: its workbook's splice is heavy and has
    its own child (1,000 workbooks, cold runs alternated: medians 13.2 against 15.3 s when
    started with the splice)."""
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    fixed_cutoff = cutoff or settings.cutoff
    candidates, ignored = scan_folder(folder, exclude)
    options: dict[str, Any] = {"cache": cache, "workers": workers, "reader": reader}
    state_path, fingerprint = _state_place(folder, settings, fixed_cutoff, limits, cache, reader)
    states: list[rerun.State | None] = []

    def load_state() -> None:
        """What the last run kept (:mod:`pmo_xl.rerun`), read once; while a worker reads the
        changed files of a re-run when there are some (0.1 s at 1,000 projects), and then
        the caller's ``while_waiting`` work: a re-run that patches its tables waits for no
        side child, and that work was done on its path (importing the writer: 0.07 s)."""
        if not states:
            from pmo_xl import rerun

            states.append(rerun.load_state(state_path, fingerprint) if state_path else None)
            if states[0] is not None and while_waiting is not None:
                while_waiting()

    loads = load_files(
        folder,
        candidates,
        settings,
        fixed_cutoff,
        limits,
        progress=progress,
        while_reading=load_state,
        **options,
    )
    # With no cut-off given, the portfolio's is the latest project one: known only now. Projects
    # whose share was spread from another date (or from none) are read again for it.
    portfolio_cutoff, _given = resolve_cutoff(cutoff, settings, loads)
    again = [i for i, ld in enumerate(loads) if _needs_share(ld, portfolio_cutoff)]
    if again:
        redone = load_files(
            folder,
            [candidates[i] for i in again],
            settings,
            fixed_cutoff,
            limits,
            share_cutoff=portfolio_cutoff,
            whole_folder=False,
            **options,
        )
        for i, load in zip(again, redone, strict=True):
            loads[i] = load
    load_state()
    state = states[0]
    keep: Keep | None = None
    if state_path is not None:
        from pmo_xl import rerun

        def keep(
            tables: rerun.Tables,
            shares: list[ProjectShare],
            keys: list[Any],
            at: dt.date,
            patched: bool,
        ) -> None:
            if patched and state is not None and rerun.keeps_base(state, shares, keys):
                return  # the next run patches from the same state (rerun.keeps_base)
            made = functools.partial(rerun.state_of, tables, shares, keys, at, fingerprint, state)
            save = functools.partial(rerun.save_state, state_path, made)
            # From 100 projects, on Linux, a forked child writes it (1,000 projects: 0.25-0.3 s
            # of CPU): at once, or, patched tables, when the caller starts it (keep_later);
            # else it is written once the outputs are.
            keeping = Keeping(save, in_child=len(shares) >= SIDE_CHILD_MIN_SHARES)
            if not (keep_later and patched):
                keeping.start()
            kept.append(keeping)

    kept: list[Keeping] = []
    result = consolidate_loads(
        loads,
        settings,
        ignored=ignored,
        cutoff=cutoff,
        previous_history=previous_history,
        run_at=run_at,
        while_waiting=while_waiting,
        rerun_state=state,
        keep=keep,
    )
    result.keep_for_next = kept[0] if kept else None
    return result


@dataclass
class Keeping:
    """Writing what the next run may patch (:mod:`pmo_xl.rerun`): by a forked child once
    :meth:`start` is called (``in_child``), else, or if that child failed, by :meth:`__call__`,
    which waits for the child."""

    save: Callable[[], None]
    in_child: bool
    job: Any = None
    started: bool = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            if self.in_child:
                from pmo_xl import sandbox

                self.job = sandbox.in_background(self.save)

    def __call__(self) -> None:
        if self.job is None or not self.job.succeeded():
            self.save()


def _state_place(
    folder: Path,
    settings: Settings,
    cutoff: dt.date | None,
    limits: preflight.Limits | None,
    cache: Path | bool,
    reader: Reader,
) -> tuple[Path | None, str]:
    """Where a run keeps its tables for the next one (beside the folder's cache entries), and
    the fingerprint they are kept for; no place when the cache is off."""
    from pmo_xl import cache as cache_module
    from pmo_xl import rerun

    if cache is False:
        return None, ""
    root = cache if isinstance(cache, Path) else cache_module.default_cache_dir()
    fingerprint = cache_module.run_fingerprint(settings, cutoff, limits, reader)
    return cache_module.LoadCache(root, folder, fingerprint).dir / rerun.STATE_NAME, fingerprint


# Below this many files to read, a process pool costs more than it saves (starting it and
# shipping every project back take about half a second); files are then read in this process,
# after preflight has bounded what the parser may allocate.
# Every file is parsed in a bounded worker (issue: hostile workbooks), however few there are:
# the fork server costs about 0.5 s once per run, a hang or a crash would cost the whole run.
# ``workers=0`` reads in this process (trusted inputs, profiling).
POOL_MIN_FILES = 1
FILE_TIMEOUT_S = 120.0  # one file read, checked and computed in a worker
WORKER_MEMORY_MB = 1024.0  # address space a worker may add to what it maps at start
# From this many files, a forked child hashes them while their cache entries are read.
HASH_CHILD_MIN_FILES = 50
# From this many projects, a forked child makes the effort table and the cross-project lists
# while this process makes the resource load and runs the portfolio checks.
SIDE_CHILD_MIN_SHARES = 100


# Imported once before the workers start (forked from this process or from a fork server), so
# that every worker starts with them; zip names are cp437. Holidays come from a stored table
# (:mod:`pmo_xl.calendar`), not from the holidays package.
WORKER_MODULES = (
    "pmo_xl.portfolio",
    "pmo_xl.fast_workbook",
    "encodings.cp437",
)


def warm_up_workers() -> None:
    """Have the workers' fork server import what reading needs while the caller does other
    work (settings, history, folder scan)."""
    from pmo_xl import sandbox

    sandbox.warm_up(WORKER_MODULES)


def load_files(
    folder: Path,
    paths: Sequence[Path],
    settings: Settings,
    cutoff: dt.date | None,
    limits: preflight.Limits | None = None,
    *,
    progress: Progress | None = None,
    cache: Path | bool = True,
    workers: int | None = None,
    reader: Reader = "fast",
    share_cutoff: dt.date | None = None,
    whole_folder: bool = True,
    labels: Sequence[str] | None = None,
    while_reading: Callable[[], object] | None = None,
) -> list[FileLoad]:
    """:func:`load_file` for each path, in order: unchanged files from the cache, the others in
    worker processes (bounded in time and memory) or, for a few files, in this process.
    ``whole_folder``: ``paths`` are all the folder's workbooks, so cache entries of other files
    are stale and removed (False when reading a few of them again). ``labels``: how findings
    name each file (default: its path under ``folder``). ``while_reading``: the caller's own
    work, done while the workers read the first files.

    The loads come without their full tables (:meth:`FileLoad.slim`)."""
    from pmo_xl import cache as cache_module

    labels = list(labels) if labels is not None else [relative_label(p, folder) for p in paths]
    store: cache_module.LoadCache | None = None
    if cache is not False:
        root = cache if isinstance(cache, Path) else cache_module.default_cache_dir()
        fingerprint = cache_module.run_fingerprint(settings, cutoff, limits, reader)
        store = cache_module.LoadCache(root, folder, fingerprint)
    keys: list[Any] = [None] * len(paths)
    loads: list[FileLoad | None] = [None] * len(paths)
    kept: set[int] = set()  # files whose load a worker sent and the cache already holds
    n_workers = workers if workers is not None else (os.cpu_count() or 1)

    def read(todo: list[int], on_started: Callable[[], object] | None) -> None:
        """Read the files ``todo`` (indexes) into ``loads``: in bounded workers, each answer
        unpickled and cached as it arrives, or for a few files here. ``on_started``: this
        process's own work meanwhile."""
        done = len(paths) - len(todo)  # for the progress: the others are settled
        if n_workers < 1 or len(todo) < POOL_MIN_FILES:
            if on_started is not None:
                on_started()
            for k, i in enumerate(todo, start=1):
                if progress:
                    progress(done + k, len(paths), labels[i])
                loads[i] = load_file(
                    paths[i],
                    labels[i],
                    settings,
                    cutoff,
                    limits,
                    reader=reader,
                    share_cutoff=share_cutoff,
                ).slim()
            return
        from pmo_xl import sandbox

        # Workers fork from a server that has imported these once (pandas, calamine…).
        sandbox.preload(WORKER_MODULES)
        job = functools.partial(
            _load_job,
            settings=settings,
            cutoff=cutoff,
            limits=limits,
            reader=reader,
            share_cutoff=share_cutoff,
        )

        def report(finished: int) -> None:
            if progress and finished < len(todo):
                i = todo[finished]  # roughly the next one: workers finish in any order
                progress(done + finished + 1, len(paths), labels[i])

        def take(k: int, outcome: bytes | sandbox.BoundedFailure) -> None:
            """One file's outcome, unpickled and cached while the workers read the next ones
            (1,000 files: 1.2 s that were spent after the last one)."""
            i = todo[k]
            if isinstance(outcome, sandbox.BoundedFailure):
                loads[i] = _failed(paths[i], labels[i], outcome)
                keys[i] = None  # a time or memory failure may not happen again: not kept
                return
            loads[i] = pickle.loads(outcome)
            if store is not None and keys[i] is not None:
                store.put(keys[i], labels[i], outcome)
            kept.add(i)

        if progress:
            progress(done + 1, len(paths), labels[todo[0]])
        # One pool for every file: its workers start once (about 0.2 s), not once per batch.
        sandbox.map_bounded(
            job,
            [(paths[i], labels[i]) for i in todo],
            workers=n_workers,
            timeout_s=FILE_TIMEOUT_S,
            memory_mb=WORKER_MEMORY_MB,
            max_tasks_per_worker=None,
            on_done=report,
            on_result=take,
            on_started=on_started,
        )

    early: list[int] = []
    meanwhile = while_reading  # the caller's work, done once while files are read
    if store is not None:
        peeking = _Peeking(store, paths, labels)
        peeking.until_hashed()
        keys = peeking.keys
        if share_cutoff is None and peeking.misses:
            # A re-run's changed files are read at once; the hits are unpickled meanwhile.
            early = peeking.misses

            def rest() -> None:
                peeking.rest(loads, skip=set(early))
                if while_reading is not None:
                    while_reading()

            read(early, rest)
            meanwhile = None  # done with the early files
        else:
            peeking.rest(loads)
        if share_cutoff is not None:
            for i, cached in enumerate(loads):
                if cached is not None and _needs_share(cached, share_cutoff):
                    loads[i] = None
    todo = [i for i, ld in enumerate(loads) if ld is None]
    if todo:  # every file, or entries that changed since the child read them
        read(todo, meanwhile)
    elif meanwhile is not None:
        meanwhile()
    if store is not None:
        for i in early + todo:
            load = loads[i]
            if keys[i] is not None and load is not None and i not in kept:
                store.put(keys[i], labels[i], load)
        if whole_folder:
            store.prune([k for k in keys if k is not None])
            cache_module.sweep(store.root)
    for load, key in zip(loads, keys, strict=True):
        if load is not None:
            load.key = key
    return [ld for ld in loads if ld is not None]


class _Peeking:
    """The cache's entries of ``paths``, read and unpickled in order while a forked child
    hashes the files and reads which entries do not match them (1,000 workbooks: the child
    answers in 0.15 s, the entries take 0.3 s). A re-run hands its changed files to the
    workers as soon as the child answers, and unpickles the other entries meanwhile. An entry
    is used only once the file's key matches its own. Where no child is forked, the files are
    hashed here, first."""

    def __init__(self, store: LoadCache, paths: Sequence[Path], labels: list[str]) -> None:
        from pmo_xl import cache as cache_module
        from pmo_xl import sandbox

        self.store, self.paths, self.labels = store, paths, labels
        self.stored: list[Stored | None] = [None] * len(paths)
        self.peeked = 0  # entries read so far, in order
        self.keys: list[Any] = []
        self.misses: list[int] = []  # as the child read them (none without a child)
        self.hashing = (
            sandbox.in_background(cache_module.file_keys_and_misses, paths, labels, store)
            if len(paths) >= HASH_CHILD_MIN_FILES
            else None
        )

    def until_hashed(self) -> None:
        """Read entries until the child answers; then :attr:`keys` (and :attr:`misses`)."""
        from pmo_xl import cache as cache_module

        hashing = self.hashing
        while hashing is not None and self.peeked < len(self.paths) and not hashing.ready():
            self._peek(self.peeked)
            self.peeked += 1
        answer = hashing.outcome() if hashing is not None else None
        if isinstance(answer, tuple):
            self.keys, self.misses = answer
        else:  # no child, or it failed: hashed here
            self.keys = cache_module.file_keys(self.paths)

    def rest(self, loads: list[FileLoad | None], skip: Collection[int] = ()) -> None:
        """Read the other entries and put in ``loads`` the trusted ones; ``skip``: the files
        read anew (misses, their ``loads`` left as they are)."""
        for i in range(self.peeked, len(self.paths)):
            if i not in skip:
                self._peek(i)
        self.peeked = len(self.paths)
        for i, entry in enumerate(self.stored):
            if i not in skip:
                loads[i] = self.store.take(entry, self.keys[i], self.labels[i])
        self.store.misses += len(skip)

    def _peek(self, i: int) -> None:
        self.stored[i] = self.store.peek(self.paths[i], self.labels[i])


def _load_job(
    item: tuple[Path, str],
    *,
    settings: Settings,
    cutoff: dt.date | None,
    limits: preflight.Limits | None,
    reader: Reader,
    share_cutoff: dt.date | None = None,
) -> bytes:
    """:func:`load_file` in a worker; its result pickled here, once (the parent keeps the bytes
    for the cache instead of pickling the project again)."""
    path, label = item
    load = load_file(
        path, label, settings, cutoff, limits, reader=reader, share_cutoff=share_cutoff
    )
    # Rendered here, in parallel, and kept in the cache: the file's findings and those its
    # share brings to the resource load (1,000 projects: 1,300 late tasks still loaded).
    for finding in load.findings + (load.share.load_findings if load.share else []):
        finding.message(settings.language)
    for reason in load.figures.weather_reasons if load.figures else []:
        reason.message(settings.language)
    return pickle.dumps(load.slim(), protocol=pickle.HIGHEST_PROTOCOL)


def _needs_share(load: FileLoad, cutoff: dt.date) -> bool:
    """A project whose cross-project share is missing or spread from another date."""
    return load.read and (load.share is None or load.share.cutoff != cutoff)


def _failed(path: Path, label: str, failure: Any) -> FileLoad:
    """A file whose reading was stopped (time, memory) or crashed: refused, with the reason."""
    result = FileLoad(label, path)
    with contextlib.suppress(OSError):
        result.mtime = path.stat().st_mtime
    result.status = FileStatus(
        label,
        "rejected",
        reason=failure.reason("fr"),
        reason_en=failure.reason("en"),
        path=path,
    )
    return result


def consolidate_loads(
    loads: list[FileLoad],
    settings: Settings,
    *,
    ignored: Sequence[FileStatus] = (),
    cutoff: dt.date | None = None,
    previous_history: History = (),
    run_at: dt.datetime | None = None,
    while_waiting: Callable[[], object] | None = None,
    rerun_state: rerun.State | None = None,
    keep: Keep | None = None,
) -> PortfolioResult:
    """Portfolio-level steps over projects already loaded: load, cross checks, history.

    Works on each project's share (:class:`~pmo_xl.model.ProjectShare`); a load whose share is
    not at the portfolio's cut-off must still hold its workbook (it is computed again here).
    ``while_waiting``: the caller's own work (importing what its outputs need…), done here
    when a forked child makes some tables, before waiting for it. ``rerun_state``: what the
    last run kept, to patch its cross-project tables where only a few files changed;
    ``keep``: given the tables made, the shares and their files' keys, and the cut-off (what
    the next run may patch)."""
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    portfolio_cutoff, _given = resolve_cutoff(cutoff, settings, loads)
    files: list[FileStatus] = list(ignored)
    findings: list[Finding] = []
    loads = [_blank_ignored(ld) for ld in loads]
    good = [ld for ld in loads if ld.read]
    for ld in good:
        if _needs_share(ld, portfolio_cutoff):
            if ld.workbook is None:
                raise ValueError(f"{ld.label}: share not at {portfolio_cutoff}, workbook not kept")
            analyse_project(ld.workbook, settings, cutoff, ld, share_cutoff=portfolio_cutoff)
    for ld in loads:
        if ld.status is not None:
            files.append(ld.status)
        findings.extend(ld.findings)

    sharing = [ld for ld in good if ld.share is not None]
    shares = [ld.share for ld in sharing if ld.share is not None]
    keys = [ld.key for ld in sharing]
    from pmo_xl import rerun, sandbox

    # A re-run after a few files changed patches the last run's tables (:mod:`pmo_xl.rerun`).
    patched = (
        rerun.patched_tables(rerun_state, shares, keys, settings, portfolio_cutoff)
        if rerun_state is not None
        else None
    )
    tables = patched if isinstance(patched, rerun.Tables) else None
    if tables is not None and keep is not None:
        keep(tables, shares, keys, portfolio_cutoff, True)  # kept while the rest goes on
    side: sandbox.Background | None = None
    if tables is None:
        # The effort table and the risk, action and decision lists depend on the shares alone:
        # on Linux a forked child makes them on the other core (1,000 projects: 0.3 s) while
        # this process makes the resource load and runs the checks (0.7 s). If it fails, they
        # are made here, where any error is raised as usual.
        if len(shares) >= SIDE_CHILD_MIN_SHARES:
            side = sandbox.in_background(effort_and_lists, shares, portfolio_cutoff)
        parts = consolidation.load_parts_of(shares, settings)
        load = parts.load(settings)
        raised = checks.portfolio_raised(shares, settings, load.weekly)
    else:
        parts, load, raised = tables.parts, tables.load, tables.raised
    findings.extend(load.findings)
    findings.extend(checks.check_portfolio(shares, settings, load.weekly, raised=raised))
    findings = checks.sort_findings(checks.apply_overrides(findings, settings))
    figures = sorted(
        (ld.figures for ld in good if ld.figures is not None),
        key=lambda f: ((f.code or "").upper(), f.file),
    )
    errors_by_file = {f.file for f in findings if f.severity == "error"}
    for fig in figures:
        if fig.file in errors_by_file:
            fig.incomplete_data = True
    _file_statuses(good, files, settings)
    history, stale = _history_and_trend(
        figures,
        good,
        previous_history() if callable(previous_history) else previous_history,
        portfolio_cutoff,
        run_at,
        settings.stale_after_days,
    )
    if side is not None:
        # While that child finishes (it unpickles the shares' lists, then makes the tables):
        # the messages of the findings, kept with each (the portfolio's 8,600 over-allocations
        # at 1,000 projects, 0.1 s), which the outputs would say after this, on the run's path.
        for finding in findings:
            finding.message(settings.language)
        if while_waiting is not None:
            while_waiting()
    if tables is None:
        made = side.outcome() if side is not None else None
        if not isinstance(made, tuple):
            made = effort_and_lists(shares, portfolio_cutoff)
        tables = rerun.Tables(parts, load, raised, *made)
        if keep is not None:
            keep(tables, shares, keys, portfolio_cutoff, False)
    totals = consolidation.portfolio_totals(figures)
    return PortfolioResult(
        cutoff=portfolio_cutoff,
        settings=settings,
        run_at=run_at,
        projects=figures,
        totals=totals,
        resource_load=load.weekly,
        effort=tables.effort,
        findings=findings,
        files=files,
        risks=tables.risks,
        actions=tables.actions,
        decisions=tables.decisions,
        history=history,
        stale=stale,
        resource_detail=load.detail,
    )


def _blank_ignored(load: FileLoad) -> FileLoad:
    """A template nobody has filled yet (a new project's workbook dropped in the folder) is
    listed as ignored, with its PROJECT_NOT_FILLED warning, not counted as a sunny project "?"."""
    if not load.read or all(f.code != "PROJECT_NOT_FILLED" for f in load.findings):
        return load
    status = FileStatus(
        load.label,
        "ignored",
        reason="classeur projet vierge (modèle pas encore rempli) : rien à consolider",
        reason_en="blank project workbook (template not filled in yet): nothing to consolidate",
        path=load.path,
    )
    return dataclasses.replace(load, status=status, figures=None, share=None)


def _file_statuses(good: list[FileLoad], files: list[FileStatus], settings: Settings) -> None:
    """consolidated / unexpected / missing, and duplicate project codes (both flagged)."""
    expected = {e.code.strip().upper(): e for e in settings.expected_projects if e.active}
    seen_codes: dict[str, list[FileLoad]] = {}
    for ld in good:
        code = (ld.code or "").strip().upper()
        seen_codes.setdefault(code, []).append(ld)
    for ld in good:
        code = (ld.code or "").strip().upper()
        flags: list[str] = []
        reason = reason_en = None
        if expected and code not in expected:
            flags.append("unexpected")
            reason = "absent de la liste Projets du classeur PMO : consolidé quand même"
            reason_en = "not in the PMO workbook's Projects list: consolidated anyway"
        if code and len(seen_codes[code]) > 1:
            others = ", ".join(o.label for o in seen_codes[code] if o is not ld)
            flags.append("duplicate_code")
            reason = f"code projet {ld.code} en double (aussi dans {others})"
            reason_en = f"duplicate project code {ld.code} (also in {others})"
        status = "unexpected" if "unexpected" in flags else "consolidated"
        files.append(
            FileStatus(
                ld.label,
                status,  # type: ignore[arg-type]
                project=ld.code,
                reason=reason,
                reason_en=reason_en,
                path=ld.path,
                flags=tuple(flags),
            )
        )
    found = set(seen_codes)
    for code, exp in expected.items():
        if code not in found:
            files.append(
                FileStatus(
                    exp.file or code,
                    "missing",
                    project=exp.code,
                    reason="attendu dans la liste Projets, introuvable dans le dossier",
                    reason_en="expected in the Projects list, not found in the folder",
                )
            )


def _history_and_trend(
    figures: list[consolidation.ProjectFigures],
    good: list[FileLoad],
    previous_history: Sequence[pd.DataFrame],
    cutoff: dt.date,
    run_at: dt.datetime,
    stale_after_days: int,
) -> tuple[pd.DataFrame, list[str]]:
    fields = [c for c in HISTORY_COLUMNS if c not in ("cutoff", "run_at")]
    snapshot = snapshot_rows([{k: getattr(f, k) for k in fields} for f in figures], cutoff, run_at)
    history = merge_history(previous_history, snapshot, cutoff)
    previous = previous_snapshot(history, cutoff).set_index("code") if len(history) else None
    stale: list[str] = []
    last_cutoff = None
    # Each project's weather and drift at the previous cut-off, by code (one row a code): a
    # dict, not a .loc lookup per project (1,000 projects: 0.06 s).
    earlier: dict[Any, tuple[Any, Any]] = {}
    if previous is not None and len(previous):
        last_cutoff = max(previous["cutoff"])
        shown = zip(previous["weather"].tolist(), previous["drift_pct"].tolist(), strict=True)
        earlier = dict(zip(previous.index.tolist(), shown, strict=True))
    mtimes = {ld.code: ld.mtime for ld in good}
    for fig in figures:
        if fig.code in earlier:
            weather, drift_pct = earlier[fig.code]
            fig.trend = trend(fig.weather, fig.drift_pct, str(weather), _opt_float(drift_pct))
        mtime = mtimes.get(fig.code)
        modified = dt.date.fromtimestamp(mtime) if mtime else None
        if _is_stale(fig.project_cutoff, modified, last_cutoff, cutoff, stale_after_days):
            stale.append(fig.code or fig.file)
    return history[list(HISTORY_COLUMNS)], stale


def _is_stale(
    declared: dt.date | None,
    modified: dt.date | None,
    last_cutoff: dt.date | None,
    cutoff: dt.date,
    stale_after_days: int,
) -> bool:
    """Not updated since the previous cut-off (its declared cut-off or its file date on or
    before it), or a declared cut-off more than ``stale_after_days`` before this run's (the
    PMO's "Classeur périmé après (j)"; this one applies on a first run too)."""
    if declared is not None and (cutoff - declared).days > stale_after_days:
        return True
    if last_cutoff is None:
        return False
    return (declared is not None and declared <= last_cutoff) or (
        modified is not None and modified <= last_cutoff
    )


# ---------------------------------------------------------------------------------------------
# Across projects: risks, actions, decisions, each with its project and source cell
# ---------------------------------------------------------------------------------------------


def _opt_float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


CROSS_TABLES = ("risks", "actions", "decisions")


def _rows_with_source(
    workbook: ProjectWorkbook, key: str, excluded: consolidation.ExcludedRows
) -> Columns:
    """One project's rows of ``key`` (error rows left out), with project and source cell.

    Built as arrays, not with DataFrame.assign: this runs three times for every workbook."""
    table = workbook.tables[key]
    frame = table.frame
    if not table.present or frame.empty:
        return {}
    rows = column_array(frame, "row")
    bad = excluded.get(key, set())
    keep = ~np.isin(rows, list(bad)) if bad else None
    out: Columns = {}
    for name in frame.columns:
        if str(name).endswith("_formula"):
            continue
        values = column_array(frame, str(name))
        out[str(name)] = values[keep] if keep is not None else values
    kept = out["row"]
    n = len(kept)
    out["project"] = np.full(n, workbook.code, dtype=object)
    out["project_name"] = np.full(n, workbook.info.name, dtype=object)
    out["file"] = np.full(n, workbook.file, dtype=object)
    out["sheet"] = np.full(n, table.sheet, dtype=object)
    out["cell"] = np.array(
        [table.cell("title", int(r)) or f"A{int(r)}" for r in kept.tolist()], dtype=object
    )
    return out


def _joined(shares: Sequence[ProjectShare], key: str) -> pd.DataFrame:
    frame = join_columns(s.cross.get(key, {}) for s in shares)
    return frame if len(frame) else pd.DataFrame()


def effort_and_lists(
    shares: Sequence[ProjectShare], cutoff: dt.date
) -> tuple[pd.DataFrame, bool, dict[str, str], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The effort table (and whether its rows were distinct, and the names it shows), then the
    open risks, actions and pending decisions across projects."""
    effort, distinct = consolidation.effort_rows_of(shares)
    return (
        effort,
        distinct,
        consolidation.effort_names(shares),
        _cross_risks(shares, cutoff),
        _cross_actions(shares, cutoff),
        _cross_decisions(shares, cutoff),
    )


def _cross_risks(shares: Sequence[ProjectShare], cutoff: dt.date) -> pd.DataFrame:
    risks = _joined(shares, "risks")
    if risks.empty:
        return risks
    risks = risks[risks["status"] != "closed"].copy()
    risks["criticity"] = risks["probability"] * risks["impact"]
    return _sorted(risks, "risks")


def _cross_actions(shares: Sequence[ProjectShare], cutoff: dt.date) -> pd.DataFrame:
    actions = _joined(shares, "actions")
    if actions.empty:
        return actions
    actions = actions[~actions["status"].isin(["done", "cancelled"])].copy()
    actions["overdue"] = actions["due"].notna() & (actions["due"] < pd.Timestamp(cutoff))
    return _sorted(actions, "actions")


def _cross_decisions(shares: Sequence[ProjectShare], cutoff: dt.date) -> pd.DataFrame:
    decisions = _joined(shares, "decisions")
    if decisions.empty:
        return decisions
    decisions = decisions[decisions["status"] == "pending"].copy()
    decisions["waiting_days"] = (pd.Timestamp(cutoff) - decisions["date"]).dt.days
    return _sorted(decisions, "decisions")


def _sorted(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A list in its order (stable: ties keep the projects' order), numbered from 0."""
    _make, keys, ascending = CROSS_LISTS[name]
    return frame.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)


# Each list: what makes it from shares, and the order it is sorted in.
CROSS_LISTS: dict[
    str, tuple[Callable[[Sequence[ProjectShare], dt.date], pd.DataFrame], list[str], list[bool]]
] = {
    "risks": (_cross_risks, ["criticity", "project"], [False, True]),
    "actions": (_cross_actions, ["overdue", "due", "project"], [False, True, True]),
    "decisions": (_cross_decisions, ["date", "project"], [True, True]),
}
