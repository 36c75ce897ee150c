"""Time resource_load and effort_by_month on a synthetic portfolio (1,000 projects × 300 tasks).

    .venv/bin/python benchmarks/bench_resource_load.py [PROJECTS] [TASKS] [LATE_SHARE]

Workbooks are built directly as frames (reading 300,000 rows is the reader's benchmark, not this).
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from pmo_xl import labels
from pmo_xl.consolidation import effort_by_month, resource_load
from pmo_xl.model import ProjectInfo, ProjectWorkbook, Settings, Table, empty_frame

CUTOFF = dt.date(2026, 11, 13)


def synthetic_project(
    i: int, n_tasks: int, rng: np.random.Generator, late_share: float = 0.05
) -> ProjectWorkbook:
    """Tasks over Sep–Dec 2026; of those due before the cut-off, ``late_share`` are not done."""
    people = [f"Personne {j:04d}" for j in rng.choice(2000, size=6, replace=False)]
    start = np.datetime64("2026-09-01") + rng.integers(0, 120, n_tasks).astype("timedelta64[D]")
    end = start + rng.integers(0, 60, n_tasks).astype("timedelta64[D]")
    blank = empty_frame(labels.PLANNING).reindex(range(n_tasks))
    planning = blank.assign(
        **{
            "id": [f"T{k}" for k in range(n_tasks)],
            "owner": np.array(people, dtype=object)[rng.integers(0, 6, n_tasks)],
            "start": start.astype("datetime64[ns]"),
            "end": end.astype("datetime64[ns]"),
            "milestone": np.where(rng.random(n_tasks) < 0.05, "yes", "no").astype(object),
            "status": np.where(
                (end < np.datetime64(CUTOFF)) & (rng.random(n_tasks) >= late_share),
                "done",
                np.array(["todo", "in_progress"], dtype=object)[rng.integers(0, 2, n_tasks)],
            ).astype(object),
            "remaining_days": rng.integers(0, 20, n_tasks).astype("float64"),
            "row": np.arange(2, n_tasks + 2, dtype="int64"),
        }
    )
    planning["planned_days"] = planning["remaining_days"] + 2
    resources = pd.DataFrame(
        {
            "name": np.array(people, dtype=object),
            "profile": None,
            "rate": np.nan,
            "capacity": np.where(rng.random(6) < 0.3, 4.0, np.nan),
            "kind": None,
            "row": np.arange(2, 8, dtype="int64"),
        }
    )
    file = f"projet_{i:04d}.xlsx"
    tables = {spec.key: Table.empty(spec, file) for spec in labels.PROJECT_SHEETS[1:]}
    tables["planning"] = Table(labels.PLANNING, file, "Planning", planning, {"end": "E"})
    tables["resources"] = Table(labels.RESOURCES, file, "Ressources", resources)
    return ProjectWorkbook(file, None, ProjectInfo(code=f"PRJ-{i:04d}"), tables)


def main() -> None:
    n_projects = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    n_tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    late_share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
    rng = np.random.default_rng(0)
    projects = [synthetic_project(i, n_tasks, rng, late_share) for i in range(n_projects)]
    settings = Settings()
    resource_load(projects[:1], settings, CUTOFF)  # warm the holiday cache
    t0 = time.perf_counter()
    load = resource_load(projects, settings, CUTOFF)
    t1 = time.perf_counter()
    effort = effort_by_month(projects, settings, CUTOFF)
    t2 = time.perf_counter()
    print(
        f"{n_projects} projects × {n_tasks} tasks: resource_load {t1 - t0:.2f} s "
        f"({len(load.weekly)} person-weeks, "
        f"{int(load.weekly['over_allocated'].sum())} over-allocated, "
        f"{len(load.findings)} late tasks); effort_by_month {t2 - t1:.2f} s ({len(effort)} rows)"
    )


if __name__ == "__main__":
    main()
