"""Small workbooks built in code, on disk, for tests of the folder-level run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pmo_xl.layout import Block, SheetLayout
from pmo_xl.xlsx_writer import render_xlsx

PLANNING_HEADER = [
    "ID", "Tâche", "Responsable", "Début", "Fin", "Fin référence", "Jalon",
    "Charge prévue (j)", "Reste à faire (j)", "Statut",
]  # fmt: skip


def write_book(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """Write ``{sheet: rows}`` as a plain .xlsx (rows from A1)."""
    layouts = [
        SheetLayout(name, [Block(0, 0, [list(r) for r in rows])]) for name, rows in sheets.items()
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    render_xlsx(layouts, path)
    return path


def simple_project(
    code: str,
    *,
    budget: float = 20,
    consumed: float = 10,
    remaining: float = 10,
    cutoff: dt.date = dt.date(2026, 11, 20),
) -> dict[str, list[list[Any]]]:
    """A small, valid project: one task owned by Alice, one week of time on it."""
    return {
        "Projet": [
            ["Code projet", code],
            ["Nom du projet", f"Projet {code}"],
            ["Chef de projet", "Alice Martin"],
            ["Date de début", dt.date(2026, 11, 2)],
            ["Date de fin prévue", dt.date(2026, 12, 18)],
            ["Budget initial (j)", budget],
            ["Budget initial (€)", budget * 500],
            ["Date d'arrêté", cutoff],
        ],
        "Planning": [
            PLANNING_HEADER,
            [
                "T1",
                "Réalisation",
                "Alice Martin",
                dt.date(2026, 11, 2),
                dt.date(2026, 12, 18),
                dt.date(2026, 12, 18),
                "Non",
                budget,
                remaining,
                "En cours",
            ],
        ],
        "Charges": [
            ["Date", "Ressource", "ID tâche", "Consommé (j)"],
            [dt.date(2026, 11, 16), "Alice Martin", "T1", consumed / 2],
            [dt.date(2026, 11, 9), "Alice Martin", "T1", consumed / 2],
        ],
        "Ressources": [
            ["Ressource", "Profil", "TJM (€)", "Capacité (j/sem)"],
            ["Alice Martin", "Chef de projet", 500, 5],
        ],
    }
