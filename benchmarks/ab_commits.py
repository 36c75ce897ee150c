"""Two commits' consolidation of one corpus, run alternated: the only fair comparison on a
machine whose speed drifts by up to twice within the hour.

Each commit is checked out in a temporary worktree (its C code built there); each run is a
fresh process calling ``commands.consolidate`` on ``.bench/corpus-N`` (made by ``make bench``),
the two commits taking turns, the first of each pair alternating. Cold runs start from an
empty cache and no output; ``--rerun`` first fills each commit's cache and output, then times
runs with nothing changed, each finding its commit's last output;
``--changed`` too, but before each pair of runs one workbook is edited, then put back, then
edited again (each run finds exactly one workbook unlike its cache, as ``make bench``'s).

    python benchmarks/ab_commits.py 64a4be0 HEAD [--n 1000] [--runs 3] [--rerun | --changed]
        [--stage pmo_xl.portfolio:load_files]

``--stage module:function`` also times the calls of that function in each run (their sum), for
a step whose gain the whole run's drift would hide.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One run, in a fresh process: the worktree's pmo_xl (asserted), its cache, its output folder.
RUN = """
import os, sys, time
from pathlib import Path
tree, cache, out, corpus, stage = sys.argv[1:6]
sys.path.insert(0, tree)
os.environ["PMO_XL_CACHE_DIR"] = cache
import importlib
import pmo_xl
assert pmo_xl.__file__.startswith(tree), pmo_xl.__file__
from pmo_xl import commands
spent = [0.0]
if stage:
    module_name, name = stage.split(":")
    module = importlib.import_module(module_name)
    fn = getattr(module, name)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start
    setattr(module, name, timed)
if __name__ == "__main__":
    t = time.perf_counter()
    commands.consolidate(Path(corpus), out=Path(out) / "o.xlsx", json_path=Path(out) / "o.json")
    print(f"{time.perf_counter() - t:.3f} {spent[0]:.3f}")
"""


def worktree(rev: str, where: Path) -> Path:
    """``rev`` checked out at ``where``, with its C code built in place and its modules
    byte-compiled (as ``bench.py`` runs them)."""
    subprocess.run(["git", "worktree", "add", "--detach", str(where), rev], cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=where,
        check=True,
        capture_output=True,
    )
    compileall.compile_dir(where / "pmo_xl", quiet=1)
    return where


def one_run(
    tree: Path, cache: Path, out: Path, corpus: Path, *, cold: bool, stage: str = ""
) -> tuple[float, float]:
    """The run's seconds, and those of ``stage``'s calls (0 without one). A cold run starts
    from an empty cache and no output; a re-run finds its commit's last output, as a PMO's
    does (the history it holds, the JSON whose load records it copies)."""
    if cold:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-c", RUN, str(tree), str(cache), str(out), str(corpus), stage]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    total, in_stage = done.stdout.strip().splitlines()[-1].split()
    return float(total), float(in_stage)


def _change(folder: Path, n: int, *, edit: bool) -> None:
    """The workbook ``make bench`` edits for its re-runs: edited, or put back as generated."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench

    bench.change_workbook(folder, min(bench.CHANGED_INDEX, n // 2), edit=edit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--n", type=int, default=1000, help="workbooks (.bench/corpus-N)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each commit")
    parser.add_argument("--rerun", action="store_true", help="time re-runs, nothing changed")
    parser.add_argument("--changed", action="store_true", help="time re-runs, one file changed")
    parser.add_argument("--stage", default="", help="module:function also timed in each run")
    args = parser.parse_args()
    rerun = args.rerun or args.changed
    corpus = ROOT / ".bench" / f"corpus-{args.n}"
    if not corpus.is_dir():
        sys.exit(f"{corpus} is missing: `make bench` (or bench.py --sizes {args.n}) makes it")
    with tempfile.TemporaryDirectory(prefix="pmo-xl-ab-") as tmp:
        base = Path(tmp)
        revs = {"old": args.old, "new": args.new}
        trees: dict[str, Path] = {}
        try:
            for name, rev in revs.items():
                trees[name] = worktree(rev, base / name)
            if rerun:  # each commit's cache filled by one untimed run
                for name, tree in trees.items():
                    one_run(tree, base / f"cache-{name}", base / f"out-{name}", corpus, cold=True)
            times: dict[str, list[float]] = {name: [] for name in revs}
            stages: dict[str, list[float]] = {name: [] for name in revs}
            for i in range(args.runs):
                if args.changed:
                    _change(corpus, args.n, edit=i % 2 == 0)
                order = list(trees) if i % 2 == 0 else list(trees)[::-1]
                for name in order:
                    seconds, in_stage = one_run(
                        trees[name],
                        base / f"cache-{name}",
                        base / f"out-{name}",
                        corpus,
                        cold=not rerun,
                        stage=args.stage,
                    )
                    times[name].append(seconds)
                    stages[name].append(in_stage)
                    said = f", {args.stage} {in_stage:.3f} s" if args.stage else ""
                    print(f"{name} ({revs[name]}): {seconds:.2f} s{said}", flush=True)
        finally:
            if args.changed:
                _change(corpus, args.n, edit=False)
            for tree in trees.values():
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
                )
    kind = "cold run"
    if rerun:
        kind = "re-run, one workbook changed" if args.changed else "re-run, nothing changed"
    for name, rev in revs.items():
        spread = ", ".join(f"{t:.2f}" for t in sorted(times[name]))
        median = statistics.median(times[name])
        print(f"{kind}, {args.n} workbooks, {rev}: median {median:.2f} s ({spread})")
        if args.stage:
            spread = ", ".join(f"{t:.3f}" for t in sorted(stages[name]))
            median = statistics.median(stages[name])
            print(f"  {args.stage}: median {median:.3f} s ({spread})")
    if args.stage:
        pairs = list(zip(stages["old"], stages["new"], strict=True))
        faster = sum(new < old for old, new in pairs)
        print(f"{args.stage}: the new commit faster in {faster} pairs of {len(pairs)}")


if __name__ == "__main__":
    main()
