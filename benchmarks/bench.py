"""The consolidation benchmark: 30, 200 and 1,000 generated workbooks against a naive baseline.

    .venv/bin/python benchmarks/bench.py                    # N = 30, 200, 1000 (make bench)
    .venv/bin/python benchmarks/bench.py --sizes 30,200     # a quicker run
    .venv/bin/python benchmarks/bench.py --no-baseline      # skip the (slow) openpyxl baseline

Workbooks come from :mod:`corpus` (template format, ~300 tasks and 3,000 time entries each),
generated once into ``.bench/pool`` (git-ignored) and hard-linked into ``.bench/corpus-N``. Each
measured run is a fresh Python process, so that imports, caches and peak memory are its own:

* **cold**: ``commands.consolidate`` (read, check, consolidate, write the output workbook with its
  COPIL sheet, and the JSON) with an empty load cache; the holiday table, computed once per
  installation (:mod:`pmo_xl.calendar`), is in place;
* **re-run**: the same with the cache of the cold run after one workbook changed (a project lead
  updated a remaining effort), at every size; at the largest, also with nothing changed;
* **baseline**: what a hand-written script does, openpyxl read-only reading every cell of every
  sheet of the same files (nothing checked, nothing computed, nothing written);
* **stages**: one process reading a sample of files stage by stage, for the per-file costs.

Each kind of run is measured several times (cold runs 5 times for N ≤ 30, else 3; re-runs 5
times, the changed and unchanged ones alternated; ``--repeat`` sets them all) and the run with
the median time is reported, all times beside it: this shared machine's speed drifts by ±30 %
within minutes. Times are wall-clock seconds of the call, imports excluded (reported
apart). Peak memory is sampled by the benchmark from outside the process, over its whole life
(imports included): the sum of the PSS of the process and its children (shared pages split
among them), and the sum of their RSS (shared pages counted in each); see :class:`PeakMemory`.
pmo_xl's modules are byte-compiled before the runs, as ``pip install`` leaves them and as any
run after the first finds them (this machine sets ``PYTHONDONTWRITEBYTECODE``, which would make
every run compile them again: 0.1 s of each measured call, in the modules it imports late).
Where the JSON is written by a forked child alongside the workbook (Linux), its column is the
time the run waits for it. Results go to ``benchmarks/results.json`` and a Markdown table on
stdout.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH_DIR = ROOT / ".bench"
RESULTS = HERE / "results.json"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (benchmarks/ is not a package)

TARGETS = {"n1000_s": 15.0, "n1000_rss_mb": 1024.0, "ratio": 12.0, "n30_s": 1.5, "rerun_s": 2.0}
CHANGED_INDEX = 500  # the workbook edited for the incremental re-run
RERUN_REPEAT = 5  # re-runs of each kind (a few seconds each, where a cold run of 1,000 is 15)


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------


def corpus_folder(n: int) -> Path:
    """``.bench/corpus-N``: workbooks 0..N-1 of the pool, hard-linked (copied if impossible)."""
    pool = corpus.ensure_pool(BENCH_DIR / "pool", n)
    folder = BENCH_DIR / f"corpus-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.name for p in pool}
    for stray in folder.iterdir():
        if stray.name not in wanted:
            if stray.is_dir():
                shutil.rmtree(stray)
            else:
                stray.unlink()
    for source in pool:
        _restore(source, folder / source.name)
    return folder


def _restore(source: Path, target: Path) -> None:
    """``target`` becomes the pool's file again (a hard link, or a copy)."""
    if target.exists() and os.path.samefile(source, target):
        return
    tmp = target.with_name(f".link-{target.name}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copy2(source, tmp)
    os.replace(tmp, target)


# ---------------------------------------------------------------------------------------------
# Measuring in a child process
# ---------------------------------------------------------------------------------------------


class PeakMemory:
    """Peak memory of a process plus all its descendants (workers, side children), sampled
    from outside it: a sampling thread inside the measured process would change how its
    workers start (see :func:`pmo_xl.sandbox.start_method`).

    * ``peak``: the largest sum of RSS, every 20 ms. A forked child's RSS includes every page
      it still shares with its parent, so this sum counts those pages once per process.
    * ``peak_pss``: the largest sum of PSS (Linux), every 200 ms: each shared page split
      among the processes sharing it, so the sum is the memory the run takes from the
      machine. Reading it costs the kernel a walk of the process's pages (2.5 ms for 240 MB),
      hence the slower pace; the run's peaks last seconds.
    """

    def __init__(self, pid: int, every_s: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process(pid)
        self._every = every_s
        self._stop = threading.Event()
        self.peak = 0
        self.peak_pss: int | None = 0 if Path(f"/proc/{pid}/smaps_rollup").exists() else None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self, procs: list[Any]) -> int:
        total = 0
        for proc in procs:
            with contextlib.suppress(Exception):
                total += proc.memory_info().rss
        return total

    @staticmethod
    def _total_pss(procs: list[Any]) -> int:
        total = 0
        for proc in procs:
            with (
                contextlib.suppress(OSError, ValueError, IndexError),
                open(f"/proc/{proc.pid}/smaps_rollup", "rb") as rollup,
            ):
                for line in rollup:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        return total

    def _tree(self) -> list[Any]:
        try:
            return [self._proc, *self._proc.children(recursive=True)]
        except Exception:
            return [self._proc]

    def _run(self) -> None:
        # Listing the children scans every process of the machine: done every tenth sample
        # only (with the PSS), so that sampling takes a few % of a core (2 cores in all).
        tick = 0
        procs = self._tree()
        while not self._stop.is_set():
            if tick % 10 == 0:
                procs = self._tree()
                if self.peak_pss is not None:
                    self.peak_pss = max(self.peak_pss, self._total_pss(procs))
            self.peak = max(self.peak, self._total(procs))
            tick += 1
            self._stop.wait(self._every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class StageTimer:
    """Wraps module functions to add up the time spent in each (the stages of a run)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module: Any, name: str, stage: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)


def child_consolidate(folder: Path, out_dir: Path) -> dict[str, Any]:
    """One ``commands.consolidate`` run, as the CLI does it, with its stages timed."""
    start_imports = time.perf_counter()
    from pmo_xl import commands, outputs, portfolio, sandbox

    imports_s = time.perf_counter() - start_imports
    timer = StageTimer()
    timer.wrap(commands, "load_settings", "settings")
    timer.wrap(commands, "previous_history", "history_read")
    timer.wrap(portfolio, "load_files", "read_check_figures")
    timer.wrap(portfolio, "consolidate_loads", "consolidate")
    timer.wrap(commands, "_copil_layout", "copil_layout")
    timer.wrap(outputs, "output_layouts", "output_layouts")
    timer.wrap(commands, "write_workbook", "write_xlsx")
    timer.wrap(commands, "write_json", "write_json")
    # On Linux the JSON is written by a forked child while this process writes the workbook:
    # what the run spends on it is then the wait for that child.
    timer.wrap(sandbox.Background, "succeeded", "write_json")
    start = time.perf_counter()
    run = commands.consolidate(
        folder, out=out_dir / "pmo_consolidation.xlsx", json_path=out_dir / "pmo.json"
    )
    total_s = time.perf_counter() - start
    result = run.result
    stages = dict(timer.seconds)
    # write_workbook includes the rendering of the layouts built before it: report them apart.
    stages["write_xlsx"] = stages.get("write_xlsx", 0.0)
    statuses: dict[str, int] = {}
    for f in result.files:
        statuses[f.status] = statuses.get(f.status, 0) + 1
    return {
        "seconds": total_s,
        "imports_s": imports_s,
        "stages_s": stages,
        "projects": result.consolidated,
        "findings": len(result.findings),
        "files": statuses,
        "resource_load_rows": len(result.resource_load),
        "output_bytes": (out_dir / "pmo_consolidation.xlsx").stat().st_size,
    }


def child_install() -> dict[str, Any]:
    """The per-installation part of the cache: the default country's holiday table."""
    from pmo_xl import calendar

    year = dt.date.today().year
    return {"holidays": len(calendar.holiday_dates(calendar.DEFAULT_COUNTRY, year, year))}


def child_baseline(folder: Path) -> dict[str, Any]:
    """The naive script: openpyxl read-only, every cell of every sheet of every workbook."""
    import openpyxl

    paths = sorted(folder.glob("*.xlsx"))
    start = time.perf_counter()
    cells = 0
    for path in paths:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += sum(1 for value in row if value is not None)
        book.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cells": cells}


def child_stages(folder: Path, sample: int) -> dict[str, Any]:
    """Per-file cost of each stage, in one process, on the first ``sample`` workbooks."""
    from pmo_xl import checks, consolidation, native, preflight
    from pmo_xl.fast_workbook import open_fast
    from pmo_xl.file_workbook import open_workbook
    from pmo_xl.model import Settings
    from pmo_xl.reading import read_project

    settings = Settings()
    paths = sorted(folder.glob("*.xlsx"))[:sample]
    spent: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - start
        return value

    reader = "C reader" if native.enabled() else "calamine"
    timed("warm-up", lambda: read_project(open_fast(paths[0]), settings))
    spent.clear()
    for path in paths:
        pre = timed("preflight", lambda p=path: preflight.preflight(p))
        with _calamine_alone():  # side by side: the parse of a build without the C reader
            timed(
                "open + parse, calamine alone",
                lambda p=path, r=pre: _parse_and_close(open_fast(p, None, r)),
            )
        source = timed("open", lambda p=path, r=pre: open_fast(p, None, r))
        timed(f"parse ({reader} + error/formula scan)", lambda s=source: _parse_all(s))
        workbook = timed("read_project", lambda s=source: read_project(s, settings, file="x"))
        source.close()
        cutoff = workbook.info.cutoff
        timed(
            "checks",
            lambda w=workbook, c=cutoff: checks.project_findings(
                w, settings, c, cutoff_given=False
            ),
        )
        timed("figures", lambda w=workbook, c=cutoff: consolidation.project_figures(w, settings, c))
        timed("share", lambda w=workbook, c=cutoff: consolidation.project_share(w, settings, c))
        timed("openpyxl reader (reference)", lambda p=path: _parse_all(open_workbook(p)))
    return {k: 1000 * v / len(paths) for k, v in spent.items()} | {"sample": len(paths)}


@contextlib.contextmanager
def _calamine_alone() -> Iterator[None]:
    """The fast reader without its C part, as pmo_xl runs where it was built without it."""
    before = os.environ.get("PMO_XL_NATIVE")
    os.environ["PMO_XL_NATIVE"] = "0"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PMO_XL_NATIVE"]
        else:
            os.environ["PMO_XL_NATIVE"] = before


def _parse_and_close(source: Any) -> None:
    with source:
        _parse_all(source)


def _parse_all(source: Any) -> None:
    raw = getattr(source, "raw_sheet", None)
    for name in source.sheet_names():
        raw(name) if raw is not None else source.read_sheet(name)


def run_child(mode: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run this script in ``mode`` in a fresh interpreter; its JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, *args]
    with (
        subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as child,
        PeakMemory(child.pid) as memory,
    ):
        stdout, stderr = child.communicate()
    if child.returncode != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"benchmark child {mode} {args} failed ({child.returncode})")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    pss = None if memory.peak_pss is None else memory.peak_pss / 2**20
    return result | {"peak_rss_mb": memory.peak / 2**20, "peak_pss_mb": pss}


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------


def change_workbook(folder: Path, index: int, *, edit: bool) -> None:
    """Workbook ``index`` of ``folder`` edited (one remaining effort changed), or put back as
    the pool holds it: alternated, each re-run finds exactly one workbook unlike its cache."""
    if edit:
        corpus.write_project(folder, index, edit=True)
    else:
        name = corpus.file_name(index)
        _restore(BENCH_DIR / "pool" / name, folder / name)


def repeats_for(n: int) -> int:
    """How many times each run of a size is measured: this shared machine's speed drifts by
    ±30 % within minutes, so one run says little; the median of several says what a PMO sees."""
    return 5 if n <= 30 else 3


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (the lower middle one for an even count), with every
    run's time beside it."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    middle = ordered[(len(ordered) - 1) // 2]
    return middle | {"all_seconds": [round(r["seconds"], 3) for r in ordered]}


def _repeated(
    repeat: int, log: Callable[[str], None], what: str, run: Callable[[int], dict[str, Any]]
) -> dict[str, Any]:
    """``run(i)`` for each repeat, logged; the median run with every time beside it."""
    runs = []
    for i in range(repeat):
        log(f"{what} {i + 1}/{repeat}…")
        runs.append(run(i))
    return _median_run(runs)


def measure(
    n: int,
    baseline: bool,
    log: Callable[[str], None],
    repeat: int = 1,
    rerun_unchanged: bool = False,
    rerun_repeat: int | None = None,
) -> dict[str, Any]:
    """Cold runs, then re-runs after one workbook changed (and, with ``rerun_unchanged``,
    after none, alternated with them; ``rerun_repeat`` times each, default ``repeat``), then
    the naive baseline, over the first ``n`` workbooks."""
    rerun_repeat = rerun_repeat or repeat
    folder = corpus_folder(n)
    work = Path(tempfile.mkdtemp(prefix=f"pmo_bench_{n}_"))
    out: dict[str, Any] = {"n": n, "repeat": repeat}
    try:

        def cold(i: int) -> dict[str, Any]:
            # Each cold run as on a PMO's machine: what pmo_xl computes once per installation
            # (the holiday table) is in place; what it keeps per workbook (the load cache) and
            # earlier outputs are not.
            env = {"PMO_XL_CACHE_DIR": str(work / f"cache-{i}")}
            run_child("install", env=env)
            return run_child("consolidate", str(folder), str(work / f"out-{i}"), env=env)

        out["cold"] = _repeated(repeat, log, f"N={n}: cold run", cold)
        # Re-runs over the last cold run's cache and output.
        env = {"PMO_XL_CACHE_DIR": str(work / f"cache-{repeat - 1}")}
        again = [str(folder), str(work / f"out-{repeat - 1}")]
        index = min(CHANGED_INDEX, n // 2)

        changed_runs: list[dict[str, Any]] = []
        unchanged_runs: list[dict[str, Any]] = []
        try:
            for i in range(rerun_repeat):
                # Edited, then put back, then edited again: each changed run finds exactly one
                # workbook unlike the one the run before cached. The run after it, on the same
                # files, is the unchanged one: the two kinds alternate, so that the machine's
                # drift does not fall on one kind (run one after the other, three unchanged
                # runs then three changed ones made a 0.2 s gap look like 0.6 s).
                log(f"N={n}: re-run, one workbook changed {i + 1}/{rerun_repeat}…")
                change_workbook(folder, index, edit=i % 2 == 0)
                changed_runs.append(run_child("consolidate", *again, env=env))
                if rerun_unchanged:
                    log(f"N={n}: re-run, nothing changed {i + 1}/{rerun_repeat}…")
                    unchanged_runs.append(run_child("consolidate", *again, env=env))
        finally:
            change_workbook(folder, index, edit=False)
        if rerun_unchanged:
            out["rerun_unchanged"] = _median_run(unchanged_runs)
        out["rerun_one_changed"] = _median_run(changed_runs)
        if baseline:
            log(f"N={n}: naive openpyxl baseline…")
            out["baseline"] = run_child("baseline", str(folder))
            out["ratio"] = out["baseline"]["seconds"] / out["cold"]["seconds"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _memory(run: dict[str, Any]) -> str:
    pss = run.get("peak_pss_mb")
    rss = f"{run['peak_rss_mb']:.0f} MiB"
    return rss if pss is None else f"{pss:.0f} MiB ({rss})"


def _peak_memory_mb(run: dict[str, Any]) -> float:
    """The memory a run takes from the machine: PSS where the system tells it, else RSS."""
    pss = run.get("peak_pss_mb")
    return float(pss if pss is not None else run["peak_rss_mb"])


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.2f} s" if value < 10 else f"{value:.1f} s")


RUN_KINDS = (
    ("", "cold"),
    (" (re-run, unchanged)", "rerun_unchanged"),
    (" (re-run, 1 changed)", "rerun_one_changed"),
)


def table(results: dict[str, Any]) -> str:
    """The Markdown table of a results document."""
    head = (
        "| Workbooks | End to end | Read, check, figures | Consolidate | Outputs (xlsx + COPIL) "
        "| JSON | Peak memory, PSS (RSS sum) | Naive openpyxl | Speed-up |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for run in results["runs"]:
        for label, key in RUN_KINDS:
            r = run.get(key)
            if r is None:
                continue
            st = r["stages_s"]
            outputs = sum(st.get(k, 0.0) for k in ("copil_layout", "output_layouts", "write_xlsx"))
            base = run.get("baseline") if key == "cold" else None
            ratio = f"{run['ratio']:.1f}×" if base else "—"
            lines.append(
                f"| {run['n']:,}{label} | **{_fmt_s(r['seconds'])}** "
                f"| {_fmt_s(st.get('read_check_figures'))} | {_fmt_s(st.get('consolidate'))} "
                f"| {_fmt_s(outputs)} | {_fmt_s(st.get('write_json'))} "
                f"| {_memory(r)} "
                f"| {_fmt_s(base['seconds']) if base else '—'} "
                f"| {ratio} |"
            )
    return head + "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="30,200,1000", help="comma-separated corpus sizes")
    parser.add_argument("--no-baseline", action="store_true", help="skip the openpyxl baseline")
    parser.add_argument("--sample", type=int, default=30, help="files for the per-stage costs")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs of each kind (default: cold 5 for N ≤ 30, else 3; re-runs 5)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="results JSON file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "consolidate":
            result = child_consolidate(Path(rest[0]), Path(rest[1]))
        elif mode == "install":
            result = child_install()
        elif mode == "baseline":
            result = child_baseline(Path(rest[0]))
        else:
            result = child_stages(Path(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return

    sizes = sorted(int(s) for s in args.sizes.split(","))

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # What a PMO's installation holds after its first run (see the module's docstring).
    compileall.compile_dir(ROOT / "pmo_xl", quiet=1)
    log(f"corpus: {max(sizes)} workbooks in {BENCH_DIR / 'pool'} (generated once, then cached)")
    corpus_folder(max(sizes))
    runs = [
        measure(
            n,
            baseline=not args.no_baseline,
            log=log,
            repeat=args.repeat or repeats_for(n),
            rerun_unchanged=n == max(sizes),
            rerun_repeat=args.repeat or RERUN_REPEAT,
        )
        for n in sizes
    ]
    log("per-file stages…")
    stages = run_child("stages", str(corpus_folder(max(sizes))), str(args.sample))
    for key in ("peak_rss_mb", "peak_pss_mb"):
        stages.pop(key, None)  # not per-file costs
    results = _document(runs, stages)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))


def _document(runs: list[dict[str, Any]], stages: dict[str, Any]) -> dict[str, Any]:
    import numpy
    import openpyxl
    import pandas

    from pmo_xl import __version__

    by_n = {r["n"]: r for r in runs}
    slope = None
    if 200 in by_n and 1000 in by_n:
        slope = (by_n[1000]["cold"]["seconds"] - by_n[200]["cold"]["seconds"]) / 800 * 1000
    return {
        "generated": dt.datetime.now().replace(microsecond=0).isoformat(),
        "command": "make bench  (.venv/bin/python benchmarks/bench.py)",
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "pmo_xl": __version__,
            "pandas": pandas.__version__,
            "numpy": numpy.__version__,
            "openpyxl": openpyxl.__version__,
            "python-calamine": _version("python-calamine"),
            "sheet_reader": _sheet_reader(),
        },
        "corpus": {
            "tasks_per_workbook": corpus.N_TASKS,
            "time_entries_per_workbook": corpus.N_ENTRIES,
            "mean_file_kb": _mean_kb(BENCH_DIR / "pool"),
        },
        "targets": TARGETS,
        "runs": runs,
        "slope_ms_per_workbook_200_to_1000": slope,
        "per_file_stage_ms": stages,
    }


def _sheet_reader() -> str:
    from pmo_xl import native

    return "C reader (pmo_xl._sheetxml), calamine for the rest" if native.enabled() else "calamine"


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _mean_kb(pool: Path) -> float:
    sizes = [p.stat().st_size for p in pool.glob("*.xlsx")]
    return sum(sizes) / len(sizes) / 1024 if sizes else 0.0


def report(results: dict[str, Any]) -> str:
    """The table, the targets and the per-file costs, in Markdown."""
    lines = [table(results), ""]
    by_n = {r["n"]: r for r in results["runs"]}
    t = results["targets"]
    checks: list[tuple[str, bool | None, str]] = []
    if 1000 in by_n:
        cold = by_n[1000]["cold"]
        checks.append(
            ("1,000 workbooks ≤ 15 s", cold["seconds"] <= t["n1000_s"], _fmt_s(cold["seconds"]))
        )
        checks.append(
            (
                "1,000 workbooks ≤ 1 GiB peak memory (PSS, else RSS)",
                _peak_memory_mb(cold) <= t["n1000_rss_mb"],
                _memory(cold),
            )
        )
        if "ratio" in by_n[1000]:
            ratio = by_n[1000]["ratio"]
            checks.append(("≥ 12× the naive baseline", ratio >= t["ratio"], f"{ratio:.1f}×"))
        changed = by_n[1000].get("rerun_one_changed")
        if changed:
            checks.append(
                (
                    "re-run after 1 of 1,000 changed ≤ 2 s",
                    changed["seconds"] <= t["rerun_s"],
                    _fmt_s(changed["seconds"]),
                )
            )
    if 30 in by_n:
        cold = by_n[30]["cold"]
        checks.append(
            ("30 workbooks ≤ 1.5 s", cold["seconds"] <= t["n30_s"], _fmt_s(cold["seconds"]))
        )
    for label, ok, value in checks:
        lines.append(f"- {'met' if ok else 'MISSED'}: {label} — {value}")
    spread = [
        f"{run['n']:,}{label}: " + ", ".join(_fmt_s(x) for x in r["all_seconds"])
        for run in results["runs"]
        for label, key in RUN_KINDS
        if (r := run.get(key)) and len(r.get("all_seconds", [])) > 1
    ]
    if spread:
        lines.append("- each time is the median of its runs, all of them: " + "; ".join(spread))
    slope = results.get("slope_ms_per_workbook_200_to_1000")
    if slope is not None:
        lines.append(f"- slope between N = 200 and N = 1,000: {slope:.1f} ms per workbook")
    stages = results.get("per_file_stage_ms") or {}
    if stages:
        parts = ", ".join(
            f"{k} {v:.1f}" for k, v in stages.items() if k != "sample" and isinstance(v, float)
        )
        lines.append(f"- per workbook, one process ({stages.get('sample')} files), ms: {parts}")
    imports = [r["cold"]["imports_s"] for r in results["runs"]]
    if imports:
        lines.append(f"- Python imports before the call (not counted above): {max(imports):.2f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
