"""How fast a re-run could be if some of its steps cost nothing: the bound of a more
incremental design, measured before building it.

    .venv/bin/python benchmarks/rerun_bound.py [--n 1000] [--runs 3]

A first run fills a temporary cache, then a re-run (nothing changed, no side child: every step
in its own process) keeps what some steps returned. Then re-runs with nothing changed, each a
fresh process, alternate three ways:

* ``normal``: the code as it is;
* ``main-free``: the steps of the run's own process that grow with the portfolio return the
  kept answers at no cost (the patched cross-project tables; the consolidation, findings and
  resource-load sheets' layouts), as outputs made from pieces kept per project would make them
  cheap; the workbook is still written from those layouts;
* ``all-free``: the same, and the side children's work too (the COPIL's layout; the JSON,
  then not written at all).

The answers are the same in the three (nothing changed); only the work and the waits move. Each
line gives the run's time and its waits for forked children (``wait@start+duration``).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ("normal", "main-free", "all-free")


def _free_names(mode: str) -> list[tuple[str, str]]:
    """(module, function) whose answers are handed back at no cost in ``mode``."""
    main = [
        ("pmo_xl.rerun", "patched_tables"),
        ("pmo_xl.outputs", "consolidation_sheet"),
        ("pmo_xl.outputs", "resource_load_sheet"),
        ("pmo_xl.outputs", "findings_sheet"),
    ]
    if mode == "main-free":
        return main
    if mode in ("all-free", "prep"):
        return [*main, ("pmo_xl.commands", "_copil_layout"), ("pmo_xl.commands", "write_json")]
    return []


def child(mode: str, folder: Path, out: Path, kept: Path) -> None:
    """One run in this process (``prep`` keeps the answers, the others may use them)."""
    import importlib

    from pmo_xl import commands, sandbox

    answers: dict[str, Any] = {}
    if mode == "prep":
        # A first run fills the cache and the kept state; the re-run after it, with no side
        # child (every step here, where its answer can be kept), keeps the answers.
        commands.consolidate(folder, out=out / "o.xlsx", json_path=out / "o.json")
        commands.in_background = lambda *a, **k: None  # type: ignore[assignment]
        for module, name in _free_names("prep"):
            mod = importlib.import_module(module)
            fn = getattr(mod, name)

            def keep(*a: Any, _fn: Any = fn, _name: str = name, **k: Any) -> Any:
                answers[_name] = _fn(*a, **k)
                return answers[_name]

            setattr(mod, name, keep)
    elif mode != "normal":
        answers = pickle.loads(kept.read_bytes())  # before the clock: "at no cost"
        for module, name in _free_names(mode):
            mod = importlib.import_module(module)
            setattr(mod, name, lambda *a, _v=answers[name], **k: _v)
    waits: list[tuple[float, float]] = []
    outcome = sandbox.Background.outcome

    def timed_outcome(self: Any) -> Any:
        t = time.perf_counter()
        answer = outcome(self)
        if time.perf_counter() - t > 0.005:
            waits.append((t - start, time.perf_counter() - t))
        return answer

    sandbox.Background.outcome = timed_outcome  # type: ignore[method-assign]
    start = time.perf_counter()
    commands.consolidate(folder, out=out / "o.xlsx", json_path=out / "o.json")
    seconds = time.perf_counter() - start
    if mode == "prep":
        kept.write_bytes(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL))
    print(f"{seconds:.3f} " + " ".join(f"wait@{a:.2f}+{d:.2f}" for a, d in waits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="corpus size (.bench/corpus-N)")
    parser.add_argument("--runs", type=int, default=3, help="re-runs of each kind")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, folder, out, kept = args.child
        child(mode, Path(folder), Path(out), Path(kept))
        return
    folder = ROOT / ".bench" / f"corpus-{args.n}"
    if not folder.is_dir():
        sys.exit(f"{folder} is missing: run `make bench` once (it generates the corpora)")
    with tempfile.TemporaryDirectory(prefix="pmo_bound_") as work:
        env = dict(os.environ, PMO_XL_CACHE_DIR=str(Path(work) / "cache"))
        kept = Path(work) / "answers.pkl"

        def run(mode: str) -> str:
            command = [sys.executable, __file__, "--child", mode, str(folder), work, str(kept)]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            return done.stdout.strip()

        print(f"re-run keeping the answers: {run('prep')}", flush=True)
        times: dict[str, list[float]] = {m: [] for m in MODES}
        for i in range(args.runs):
            order = MODES if i % 2 == 0 else MODES[::-1]
            for mode in order:
                line = run(mode)
                times[mode].append(float(line.split()[0]))
                print(f"{mode:>9}: {line}", flush=True)
        for mode in MODES:
            spread = ", ".join(f"{t:.2f}" for t in sorted(times[mode]))
            print(f"{mode:>9}: median {statistics.median(times[mode]):.2f} s ({spread})")


if __name__ == "__main__":
    main()
