"""A generated portfolio for the benchmark: project workbooks in the template format.

Each workbook is a function of its index only (seeded), so the N = 30 corpus is the first 30
workbooks of the N = 1,000 one. About 300 tasks and 3,000 time entries each, a team drawn from
a shared pool of people (so the resource load crosses projects), and the small mistakes people
really make: efforts typed with a decimal comma, dates typed as text, a late task.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from pmo_xl.templates import ProjectData, project_template_layouts, write_workbook

CUTOFF = dt.date(2026, 11, 20)  # a Friday
N_TASKS = 300
N_ENTRIES = 3000
POOL = 600  # people shared by the portfolio
FIRST = ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Arthur", "Inès", "Paul"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy"]
PROFILES = [("Chef de projet", 750.0), ("Développeur", 600.0), ("Architecte", 900.0)]
LOTS = ["Cadrage", "Conception", "Réalisation", "Recette", "Déploiement", "Conduite du changement"]
VERBS = ["Rédiger", "Valider", "Développer", "Tester", "Migrer", "Former", "Paramétrer"]
OBJECTS = ["le module", "l'interface", "les données", "le référentiel", "le flux", "la maquette"]


def person(k: int) -> str:
    return f"{FIRST[k % len(FIRST)]} {LAST[(k // len(FIRST)) % len(LAST)]} {k:03d}"


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def project_data(index: int, *, tasks: int = N_TASKS, entries: int = N_ENTRIES) -> ProjectData:
    """The content of workbook ``index`` (same index, same content)."""
    rng = random.Random(1_000_003 * (index + 1))
    code = f"PRJ-{index:04d}"
    start = _monday(CUTOFF - dt.timedelta(weeks=rng.randint(40, 48)))
    # Two neighbouring projects share a pool of 20 people; each books a person at most 2.5 days
    # a week, so the portfolio load stays within capacity, as in a well-run company.
    group = index // 2
    team = [person(20 * group + k) for k in rng.sample(range(20), 16)]
    lead = team[0]

    planning: list[dict[str, Any]] = []
    span_days = (CUTOFF - start).days * 3 // 2  # the plan runs past the cut-off
    for t in range(1, tasks + 1):
        lot = LOTS[min((t - 1) * len(LOTS) // tasks, len(LOTS) - 1)]
        milestone = t % 20 == 0
        task_start = start + dt.timedelta(days=(t - 1) * span_days // tasks + rng.randint(0, 3))
        preds = None
        if t > 1 and rng.random() < 0.3:
            before = planning[-1]
            preds = before["id"]
            task_start = max(task_start, before["end"] + dt.timedelta(days=1))
        length = 0 if milestone else rng.randint(5, 30)
        baseline_end = task_start + dt.timedelta(days=length)
        slip = 0 if milestone else rng.choice((0, 0, 0, 2, 5))
        end = baseline_end + dt.timedelta(days=slip)
        planned = 0.0 if milestone else float(rng.randint(2, 10))
        if end <= CUTOFF:
            status, remaining = "done", 0.0
        elif task_start <= CUTOFF:
            status, remaining = "in_progress", float(rng.randint(1, int(planned)))
        else:
            status, remaining = "todo", planned
        planning.append(
            {
                "id": f"T{t}",
                "work_package": lot,
                "name": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {t}",
                "owner": rng.choice(team),
                "start": task_start,
                "end": end,
                "baseline_end": baseline_end,
                "milestone": "yes" if milestone else "no",
                "predecessors": preds,
                "planned_days": planned,
                "remaining_days": remaining,
                "status": status,
            }
        )

    # Bookings: per person and week, half days on a few distinct days (2.5 days at most), each
    # on a task active that day; then exactly ``entries`` of them, in date order.
    work = [r for r in planning if r["milestone"] == "no" and r["start"] <= CUTOFF]
    booked: list[dict[str, Any]] = []
    monday = start
    while monday <= _monday(CUTOFF) - dt.timedelta(weeks=1):
        week = [r for r in work if r["start"] <= monday + dt.timedelta(days=4)]
        week = [r for r in week if r["end"] >= monday]
        for name in team:
            for offset in sorted(rng.sample(range(5), rng.randint(4, 5))):
                day = monday + dt.timedelta(days=offset)
                active = [r for r in week if r["start"] <= day <= r["end"]]
                if not active:
                    continue
                booked.append(
                    {
                        "date": day,
                        "resource": name,
                        "task_id": rng.choice(active)["id"],
                        "days": 0.5,
                        "comment": "Atelier client" if rng.random() < 0.03 else None,
                    }
                )
        monday += dt.timedelta(weeks=1)
    if len(booked) > entries:
        keep = sorted(rng.sample(range(len(booked)), entries))
        booked = [booked[k] for k in keep]
    time_entries = booked
    # What people really type: an effort with a decimal comma, a date as text.
    time_entries[3]["days"] = "0,5"
    time_entries[-5]["days"] = "0,5"
    time_entries[10]["date"] = time_entries[10]["date"].strftime("%d/%m/%Y")

    resources = []
    for name in team:
        profile, rate = PROFILES[0] if name == lead else rng.choice(PROFILES[1:])
        resources.append(
            {
                "name": name,
                "profile": profile,
                "rate": rate,
                "capacity": None,
                "kind": rng.choice(("internal", "internal", "external")),
            }
        )
    costs = [
        {
            "date": start + dt.timedelta(weeks=4 * k),
            "nature": rng.choice(("purchase", "licence", "subcontracting")),
            "label": f"Commande {k + 1}",
            "amount": float(rng.randint(1, 40) * 500),
            "status": "paid" if start + dt.timedelta(weeks=4 * k) <= CUTOFF else "planned",
        }
        for k in range(8)
    ]
    risks = [
        {
            "id": f"R{k + 1}",
            "title": f"Risque {k + 1} : {rng.choice(OBJECTS)} en retard",
            "probability": rng.randint(1, 4),
            "impact": rng.randint(1, 4),
            "owner": rng.choice(team),
            "mitigation": "Point hebdomadaire",
            "due": CUTOFF + dt.timedelta(days=rng.randint(5, 60)),
            "status": rng.choice(("open", "open", "closed")),
        }
        for k in range(15)
    ]
    actions = [
        {
            "id": f"A{k + 1}",
            "title": f"Relancer {rng.choice(OBJECTS)}",
            "owner": rng.choice(team),
            "due": CUTOFF + dt.timedelta(days=rng.randint(-10, 30)),
            "status": rng.choice(("todo", "in_progress", "done")),
            "origin": "COPIL",
        }
        for k in range(20)
    ]
    actions[0]["due"] = actions[0]["due"].strftime("%d/%m/%Y")
    decisions = [
        {
            "id": f"D{k + 1}",
            "date": CUTOFF - dt.timedelta(days=rng.randint(5, 40)),
            "title": f"Arbitrer {rng.choice(OBJECTS)}",
            "requested_by": lead,
            "status": rng.choice(("pending", "taken")),
            "impact_days": float(rng.randint(0, 10)),
        }
        for k in range(5)
    ]
    planned_total = sum(r["planned_days"] for r in planning)
    info: dict[str, Any] = {
        "code": code,
        "name": f"Projet {index:04d} — {rng.choice(LOTS)}",
        "lead": lead,
        "sponsor": person(rng.randrange(POOL)),
        "start": start,
        "planned_end": max(r["baseline_end"] for r in planning),
        "budget_initial_days": float(round(planned_total * rng.uniform(1.0, 1.1))),
        "budget_initial_eur": float(round(planned_total * 700, -3)),
        "cutoff": CUTOFF,
        "phase": "execution",
        "manual_weather": None,
        "weather_reason": None,
    }
    rows = {
        "planning": planning,
        "time_entries": time_entries,
        "resources": resources,
        "costs": costs,
        "risks": risks,
        "actions": actions,
        "decisions": decisions,
    }
    return ProjectData(info, rows)


def file_name(index: int) -> str:
    return f"projet_{index:04d}.xlsx"


def write_project(folder: Path, index: int, *, edit: bool = False, **kw: int) -> Path:
    """Write workbook ``index`` into ``folder`` (template format, French); ``edit``: as its lead
    would update it for the next cut-off (one more day of remaining effort on a running task)."""
    data = project_data(index, **kw)
    if edit:
        running = next(r for r in data.rows["planning"] if r["status"] == "in_progress")
        running["remaining_days"] += 1.0
    layouts = project_template_layouts("fr", data)
    return write_workbook(layouts, folder / file_name(index), str(data.info["name"]))


def _write_one(job: tuple[str, int]) -> str:
    folder, index = job
    return str(write_project(Path(folder), index))


def ensure_pool(folder: Path, n: int, workers: int = 2) -> list[Path]:
    """Workbooks 0..n-1 in ``folder``, written only if absent (generation is cached)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [i for i in range(n) if not (folder / file_name(i)).exists()]
    if missing:
        jobs = [(str(folder), i) for i in missing]
        if workers > 1 and len(jobs) > 4:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(_write_one, jobs, chunksize=8))
        else:
            for job in jobs:
                _write_one(job)
    return [folder / file_name(i) for i in range(n)]
