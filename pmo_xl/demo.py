"""A realistic demo portfolio: eight project workbooks of a fictional French SME, and its PMO's.

Everything is derived from a seeded random generator and fixed dates, so two builds give the
same bytes. Some projects carry the mistakes project leads really make; :data:`PLANTED` (and
:attr:`DemoPortfolio.planted`) says where, so that checks can be tested against them::

    demo = build_demo(Path("demo"))
    demo.pmo, demo.projects, demo.planted
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import holidays
import pandas as pd

from pmo_xl import labels
from pmo_xl.history import HISTORY_COLUMNS
from pmo_xl.labels import Lang, SheetSpec
from pmo_xl.templates import (
    PMO_TEMPLATE_FILE,
    ColumnOrder,
    ProjectData,
    SettingsData,
    default_settings_values,
    info_cell,
    pmo_template_layouts,
    project_template_layouts,
    table_cell,
    write_workbook,
)

COMPANY = "Atelier Numérique Lyonnais"
CUTOFF = dt.date(2026, 11, 20)  # a Friday
PROJECTS_DIR = "projets"
SEED = 2026

Outlook = Literal["green", "amber", "red", "late"]


@dataclass(frozen=True)
class Planted:
    """A mistake put on purpose in a demo workbook: ``file`` (relative to the projects folder),
    ``sheet`` (as named in that workbook), ``cell`` and the finding code checks should raise."""

    file: str
    sheet: str
    cell: str
    code: str


@dataclass(frozen=True)
class DemoPortfolio:
    """What :func:`build_demo` wrote."""

    root: Path
    pmo: Path
    projects_dir: Path
    projects: list[Path]
    planted: list[Planted]
    missing: list[str]  # codes expected in ``Projets`` whose workbook is absent
    english: Path  # the project laid out in English, header on row 3


# The mistakes of the default build (seed 2026), with the cell each one is at (the cell a check
# should blame); a test keeps this list equal to what the generator plants.
PLANTED: list[Planted] = [
    Planted("projet_PRJ-005.xlsx", "Planning", "F38", "PLANNING_END_BEFORE_START"),
    Planted("projet_PRJ-005.xlsx", "Planning", "A27", "PLANNING_ID_DUPLICATE"),
    Planted("projet_PRJ-005.xlsx", "Planning", "I17", "PLANNING_PREDECESSOR_UNKNOWN"),
    Planted("projet_PRJ-005.xlsx", "Planning", "J7", "PLANNING_MILESTONE_WITH_EFFORT"),
    Planted("projet_PRJ-005.xlsx", "Planning", "K9", "PLANNING_DONE_WITH_REMAINING"),
    Planted("projet_PRJ-005.xlsx", "Planning", "D16", "PLANNING_OWNER_UNKNOWN"),
    Planted("projet_PRJ-005.xlsx", "Actions", "D2", "DATE_AS_TEXT"),
    Planted("projet_PRJ-005.xlsx", "Projet", "B15", "PROJECT_WEATHER_WITHOUT_REASON"),
    Planted("projet_PRJ-007.xlsx", "Charges", "C18", "ENTRY_TASK_UNKNOWN"),
    Planted("projet_PRJ-007.xlsx", "Charges", "A25", "ENTRY_DUPLICATE"),
    Planted("projet_PRJ-007.xlsx", "Charges", "D16", "NUMBER_AS_TEXT"),
    Planted("projet_PRJ-007.xlsx", "Charges", "B44", "ENTRY_RESOURCE_UNKNOWN"),
    Planted("projet_PRJ-007.xlsx", "Charges", "A49", "ENTRY_AFTER_CUTOFF"),
    Planted("projet_PRJ-007.xlsx", "Risques", "C2", "RISK_SCALE_OUT_OF_RANGE"),
    Planted("projet_PRJ-007.xlsx", "Ressources", "A4", "RESOURCE_NAME_VARIANTS"),
]


# ---------------------------------------------------------------------------------------------
# The company: people, rates, projects
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    profile: str
    kind: Literal["internal", "external"] = "internal"
    capacity: float = 5.0


PEOPLE: dict[str, Person] = {
    p.name: p
    for p in (
        Person("Claire Martin", "Chef de projet"),
        Person("Julien Moreau", "Chef de projet"),
        Person("Sophie Bernard", "Chef de projet"),
        Person("Thomas Petit", "Développeur senior"),
        Person("Camille Durand", "Développeur"),
        Person("Nicolas Leroy", "Développeur"),
        Person("Léa Fournier", "Designer UX", capacity=4.0),
        Person("Antoine Girard", "Architecte"),
        Person("Manon Lambert", "Testeur"),
        Person("Hugo Bonnet", "Consultant fonctionnel"),
        Person("Inès Mercier", "Data analyst"),
        Person("Karim Benali", "Ingénieur systèmes"),
        Person("Élodie Rousseau", "Consultant fonctionnel", capacity=4.0),
        Person("Marc Vidal", "Développeur", kind="external"),
    )
}

# (profile, rate, valid from): one change during the year for developers.
RATES: tuple[tuple[str, float, dt.date], ...] = (
    ("Chef de projet", 680, dt.date(2026, 1, 1)),
    ("Architecte", 820, dt.date(2026, 1, 1)),
    ("Développeur senior", 640, dt.date(2026, 1, 1)),
    ("Développeur", 540, dt.date(2026, 1, 1)),
    ("Développeur", 560, dt.date(2026, 7, 1)),
    ("Designer UX", 590, dt.date(2026, 1, 1)),
    ("Testeur", 460, dt.date(2026, 1, 1)),
    ("Consultant fonctionnel", 720, dt.date(2026, 1, 1)),
    ("Data analyst", 610, dt.date(2026, 1, 1)),
    ("Ingénieur systèmes", 600, dt.date(2026, 1, 1)),
)
# A freelance developer billed at his own rate on one project (wins over the profile rate).
RATE_OVERRIDE = ("PRJ-002", "Marc Vidal", 650.0)


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    lead: str
    sponsor: str
    team: tuple[str, ...]
    start: dt.date  # a Monday
    lots: tuple[str, ...]  # lot kinds, see LOTS
    modules: tuple[str, ...]
    outlook: Outlook
    chains: int = 2  # parallel task chains in build lots
    lang: Lang = "fr"
    aliases: tuple[tuple[str, str], ...] = ()  # (person, how this workbook writes the name)
    manual_weather: str | None = None
    weather_reason: str | None = None
    revised_days: float = 0.0  # extra budget granted by a decision taken
    costs: tuple[tuple[str, str, float, dt.date], ...] = ()  # nature, label, amount, date


_FULL = ("scoping", "design", "build", "acceptance", "deployment")

PROJECTS: tuple[ProjectSpec, ...] = (
    ProjectSpec(
        "PRJ-001",
        "Refonte du site e-commerce",
        "Claire Martin",
        "Olivier Marchand",
        ("Claire Martin", "Thomas Petit", "Camille Durand", "Léa Fournier", "Manon Lambert"),
        dt.date(2026, 5, 4),
        _FULL,
        ("catalogue", "panier", "paiement", "compte client"),
        "green",
        chains=3,
        costs=(
            ("licence", "Licence plateforme e-commerce (annuelle)", 18000, dt.date(2026, 5, 15)),
            ("subcontracting", "Agence SEO : audit et redirections", 7500, dt.date(2026, 10, 9)),
            ("purchase", "Certificats et CDN", 2400, dt.date(2027, 1, 15)),
            ("expenses", "Déplacements atelier Paris", 850, dt.date(2026, 6, 18)),
        ),
    ),
    ProjectSpec(
        "PRJ-002",
        "Migration ERP",
        "Julien Moreau",
        "Hélène Caron",
        (
            "Julien Moreau",
            "Hugo Bonnet",
            "Antoine Girard",
            "Nicolas Leroy",
            "Marc Vidal",
            "Manon Lambert",
        ),
        dt.date(2026, 5, 11),
        _FULL,
        ("achats", "ventes", "stocks", "comptabilité", "paie", "reporting"),
        "red",
        chains=3,
        costs=(
            ("licence", "Licences ERP (50 utilisateurs)", 42000, dt.date(2026, 6, 1)),
            ("subcontracting", "Intégrateur : paramétrage comptable", 36000, dt.date(2026, 9, 15)),
            ("subcontracting", "Intégrateur : reprise des données", 14500, dt.date(2026, 11, 30)),
            ("purchase", "Serveur de préproduction", 6800, dt.date(2026, 7, 3)),
            ("expenses", "Formation éditeur (déplacements)", 1900, dt.date(2027, 1, 20)),
        ),
    ),
    ProjectSpec(
        "PRJ-003",
        "Application mobile SAV",
        "Sophie Bernard",
        "Olivier Marchand",
        ("Sophie Bernard", "Camille Durand", "Léa Fournier", "Thomas Petit"),
        dt.date(2026, 6, 8),
        _FULL,
        ("prise de rendez-vous", "suivi d'intervention", "notifications"),
        "amber",
        costs=(
            ("licence", "Comptes développeur stores", 300, dt.date(2026, 6, 12)),
            ("subcontracting", "Tests sur parc d'appareils", 4200, dt.date(2026, 12, 7)),
        ),
    ),
    ProjectSpec(
        "PRJ-004",
        "Supplier portal",
        "Claire Martin",
        "Hélène Caron",
        ("Claire Martin", "Antoine Girard", "Nicolas Leroy", "Élodie Rousseau"),
        dt.date(2026, 7, 6),
        _FULL,
        ("onboarding", "purchase orders", "invoices"),
        "green",
        lang="en",
        costs=(
            ("licence", "Identity provider subscription", 5400, dt.date(2026, 8, 3)),
            ("subcontracting", "Penetration test", 6000, dt.date(2027, 1, 11)),
        ),
    ),
    ProjectSpec(
        "PRJ-005",
        "Dématérialisation des factures fournisseurs",
        "Julien Moreau",
        "Hélène Caron",
        ("Julien Moreau", "Élodie Rousseau", "Karim Benali"),
        dt.date(2026, 8, 31),
        _FULL,
        ("capture", "rapprochement", "archivage"),
        "green",
        manual_weather="green",  # set without a reason: a planted mistake
        costs=(
            ("licence", "Logiciel de capture (OCR)", 9600, dt.date(2026, 9, 21)),
            ("purchase", "Scanners de production", 3800, dt.date(2026, 11, 10)),
        ),
    ),
    ProjectSpec(
        "PRJ-006",
        "Tableau de bord RH",
        "Sophie Bernard",
        "Isabelle Faure",
        ("Sophie Bernard", "Inès Mercier", "Camille Durand"),
        dt.date(2026, 6, 15),
        ("scoping", "design", "build", "deployment"),
        ("absentéisme", "effectifs"),
        "late",
        chains=1,
        costs=(("licence", "Licences outil de visualisation", 3900, dt.date(2026, 7, 1)),),
    ),
    ProjectSpec(
        "PRJ-007",
        "Mise en conformité cybersécurité",
        "Antoine Girard",
        "Patrick Renaud",
        ("Antoine Girard", "Karim Benali", "Claire Martin", "Nicolas Leroy"),
        dt.date(2026, 7, 20),
        _FULL,
        ("annuaire", "sauvegardes", "postes de travail"),
        "green",
        aliases=(("Claire Martin", "C. Martin"),),
        costs=(
            ("subcontracting", "Audit de sécurité externe", 12000, dt.date(2026, 8, 28)),
            ("licence", "Solution EDR (200 postes)", 15600, dt.date(2026, 11, 2)),
            ("purchase", "Baie de sauvegarde", 11200, dt.date(2027, 1, 8)),
        ),
    ),
    ProjectSpec(
        "PRJ-008",
        "Entrepôt de données et BI",
        "Inès Mercier",
        "Pierre Dumas",
        ("Inès Mercier", "Thomas Petit"),
        dt.date(2026, 9, 7),
        ("scoping", "design", "build", "deployment"),
        ("ventes", "finance"),
        "green",
        chains=1,
        manual_weather="amber",
        weather_reason=(
            "Référent métier finance absent jusqu'à fin décembre : les indicateurs finance "
            "risquent d'être validés en retard."
        ),
        revised_days=10.0,
        costs=(("licence", "Base de données analytique (cloud)", 4800, dt.date(2026, 9, 14)),),
    ),
)
# Expected by the PMO, but its lead never sent the workbook.
MISSING_PROJECT = ("PRJ-009", "projet_PRJ-009.xlsx")

# The English project: its own column order, its header on row 3 under title rows.
ENGLISH_COLUMN_ORDER: dict[str, tuple[str, ...]] = {
    "planning": (
        "name",
        "id",
        "work_package",
        "status",
        "start",
        "end",
        "baseline_end",
        "milestone",
        "planned_days",
        "remaining_days",
        "owner",
        "predecessors",
    ),
    "time_entries": ("resource", "date", "task_id", "days", "comment"),
    "resources": ("profile", "name", "kind", "capacity", "rate"),
    "costs": ("label", "amount", "status", "date", "nature"),
    "risks": ("title", "id", "impact", "probability", "status", "owner", "due", "mitigation"),
    "actions": ("title", "id", "status", "due", "owner", "origin", "comment"),
    "decisions": ("title", "status", "date", "id", "requested_by", "impact_days", "impact_eur"),
}
ENGLISH_HEADER_ROW = 3


# ---------------------------------------------------------------------------------------------
# What a plan is made of: lots and task names (French, English)
# ---------------------------------------------------------------------------------------------

Text = tuple[str, str]


@dataclass(frozen=True)
class LotKind:
    name: Text
    tasks: tuple[Text, ...]  # project-wide tasks
    module_tasks: tuple[Text, ...]  # one per module, "{m}" is the module
    milestone: Text
    profiles: tuple[str, ...]  # who usually does this work
    intensity: tuple[float, float]  # share of a week a task takes its owner


LOTS: dict[str, LotKind] = {
    "scoping": LotKind(
        ("Cadrage", "Scoping"),
        (
            ("Réunion de lancement", "Kick-off meeting"),
            ("Recueil des besoins", "Requirements gathering"),
            ("Analyse de l'existant", "As-is analysis"),
            ("Note de cadrage", "Project charter"),
        ),
        (),
        ("Jalon : cadrage validé", "Milestone: scoping signed off"),
        ("Consultant fonctionnel", "Architecte", "Data analyst", "Designer UX"),
        (0.25, 0.45),
    ),
    "design": LotKind(
        ("Conception", "Design"),
        (("Architecture technique", "Technical architecture"),),
        (("Spécifications – {m}", "Specifications: {m}"), ("Maquettes – {m}", "Mock-ups: {m}")),
        ("Jalon : conception validée", "Milestone: design approved"),
        (
            "Architecte",
            "Consultant fonctionnel",
            "Designer UX",
            "Développeur senior",
            "Data analyst",
        ),
        (0.3, 0.5),
    ),
    "build": LotKind(
        ("Réalisation", "Build"),
        (
            ("Environnements et intégration continue", "Environments and CI"),
            ("Reprise des données", "Data migration"),
        ),
        (
            ("Développement – {m}", "Development: {m}"),
            ("Intégration – {m}", "Integration: {m}"),
            ("Tests unitaires – {m}", "Unit tests: {m}"),
        ),
        ("Jalon : fin de réalisation", "Milestone: build complete"),
        ("Développeur", "Développeur senior", "Ingénieur systèmes", "Data analyst"),
        (0.35, 0.6),
    ),
    "acceptance": LotKind(
        ("Recette", "Acceptance"),
        (
            ("Plan de recette", "Test plan"),
            ("Tests de performance", "Performance tests"),
            ("Correction des anomalies", "Bug fixing"),
        ),
        (("Recette – {m}", "Acceptance tests: {m}"),),
        ("Jalon : recette prononcée", "Milestone: acceptance signed off"),
        ("Testeur", "Consultant fonctionnel", "Développeur"),
        (0.3, 0.55),
    ),
    "deployment": LotKind(
        ("Déploiement", "Deployment"),
        (
            ("Formation des utilisateurs", "User training"),
            ("Documentation d'exploitation", "Operations documentation"),
            ("Bascule en production", "Production cutover"),
        ),
        (),
        ("Mise en production", "Go-live"),
        ("Consultant fonctionnel", "Ingénieur systèmes", "Développeur senior", "Chef de projet"),
        (0.25, 0.5),
    ),
}
STEERING: Text = ("Pilotage du projet", "Project management")
STEERING_LOT: Text = ("Pilotage", "Management")
STEERING_DAYS_PER_WEEK = 0.5

RISKS: tuple[tuple[Text, Text], ...] = (
    (
        ("Indisponibilité des experts métier pendant la recette", "Business experts unavailable"),
        ("Réserver dès maintenant les créneaux de recette", "Book acceptance slots now"),
    ),
    (
        ("Retard de livraison du prestataire", "Supplier delivery delay"),
        ("Point hebdomadaire et pénalités de retard", "Weekly check-in and late penalties"),
    ),
    (
        ("Qualité insuffisante des données à reprendre", "Poor quality of legacy data"),
        ("Audit et nettoyage des données en amont", "Early data audit and clean-up"),
    ),
    (
        ("Interfaces avec l'ERP sous-estimées", "ERP interfaces underestimated"),
        ("Prototyper les interfaces en priorité", "Prototype the interfaces first"),
    ),
    (
        ("Départ d'un membre clé de l'équipe", "Departure of a key team member"),
        ("Binômage et documentation", "Pairing and documentation"),
    ),
    (
        ("Résistance au changement des utilisateurs", "User resistance to change"),
        ("Ambassadeurs et plan de communication", "Champions and communication plan"),
    ),
    (
        ("Faille de sécurité découverte tardivement", "Security flaw found late"),
        ("Test d'intrusion avant la recette", "Penetration test before acceptance"),
    ),
    (
        ("Performances insuffisantes en charge", "Poor performance under load"),
        ("Tests de charge dès la fin de réalisation", "Load tests right after build"),
    ),
)
ACTIONS: tuple[Text, ...] = (
    ("Relancer le fournisseur pour les accès de test", "Chase the supplier for test access"),
    ("Organiser l'atelier de validation des maquettes", "Organise the mock-up review"),
    ("Mettre à jour le planning après le COPIL", "Update the schedule after the COPIL"),
    ("Préparer le support de formation", "Prepare the training material"),
    ("Valider le plan de recette avec les métiers", "Approve the test plan with the business"),
    ("Obtenir le bon de commande des licences", "Get the purchase order for the licences"),
    ("Planifier la bascule avec l'exploitation", "Plan the cutover with operations"),
    ("Documenter les règles de gestion", "Document the business rules"),
)
REVIEWS: tuple[Text, ...] = (
    ("COPIL 2026-09-17", "COPIL 2026-09-17"),
    ("COPIL 2026-10-15", "COPIL 2026-10-15"),
    ("Revue projet 2026-11-13", "Project review 2026-11-13"),
)


# ---------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------

_HOLIDAYS: frozenset[dt.date] = frozenset(
    holidays.country_holidays("FR", years=(2026, 2027)).keys()
)


def _workday(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _HOLIDAYS


def _first_workday(day: dt.date) -> dt.date:
    while not _workday(day):
        day += dt.timedelta(days=1)
    return day


def _last_workday(day: dt.date) -> dt.date:
    while not _workday(day):
        day -= dt.timedelta(days=1)
    return day


def _add_workdays(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        n -= _workday(day)
    return day


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week_capacity(person: str, monday: dt.date) -> float:
    """Days a person can book in a week: their capacity, less the public holidays."""
    workdays = sum(_workday(monday + dt.timedelta(days=i)) for i in range(5))
    return min(PEOPLE[person].capacity, float(workdays))


def _half(x: float) -> float:
    """Round to the half day, the unit people book time in."""
    return round(x * 2) / 2


# ---------------------------------------------------------------------------------------------
# Generating one project
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Task:
    lot: int  # index in the project's lots; -1 = steering
    name: Text
    owner: str
    first_week: int  # baseline weeks, from the project's first Monday
    last_week: int
    planned: float
    milestone: bool = False
    preds: list[_Task] = field(default_factory=list)
    id: str = ""
    shift_weeks: int = 0  # forecast = baseline + shift
    slip_days: int = 0  # milestones slipping inside the margin after their lot
    helpers: list[str] = field(default_factory=list)

    def weeks(self) -> range:
        return range(self.first_week + self.shift_weeks, self.last_week + self.shift_weeks + 1)


@dataclass
class _Ledger:
    """Load per person and week across the portfolio: planned (to choose owners) and booked."""

    planned: dict[tuple[str, dt.date], float] = field(default_factory=dict)
    booked: dict[tuple[str, dt.date], float] = field(default_factory=dict)


@dataclass
class DemoProject:
    """One generated project: how it was specified and what its workbook holds."""

    spec: ProjectSpec
    data: ProjectData


def _staff(
    rng: random.Random,
    spec: ProjectSpec,
    kind: LotKind,
    weeks: range,
    planned: float,
    ledger: _Ledger,
) -> tuple[str, list[str]]:
    """Owner of a task, and a helper for big ones.

    People with room in the weeks before the cut-off come first, so that past time entries fit
    everyone's capacity; later weeks may be over-allocated, as real plans are.
    """
    small_team = len(spec.team) <= 3  # in a small team the lead does project work too
    members = [m for m in spec.team if m != spec.lead or small_team]
    mondays = [spec.start + dt.timedelta(weeks=w) for w in weeks]
    per_week = planned * _FACTORS[spec.outlook][1] / len(weeks)
    wants_helper = planned >= 6 and len(members) > 1 and rng.random() < 0.5
    shares = [0.65, 0.35] if wants_helper else [1.0]

    def rank(person: str, load: float) -> tuple[bool, bool, float, float, float]:
        # Room before the cut-off first (a day over is capped when booking), then the right
        # profile, then the least loaded.
        capacity = PEOPLE[person].capacity
        past = [ledger.planned.get((person, m), 0.0) for m in mondays if m <= CUTOFF]
        overbooked = max((x + load - capacity for x in past), default=0.0)
        peak = max(ledger.planned.get((person, m), 0.0) for m in mondays) / capacity
        off_profile = PEOPLE[person].profile not in kind.profiles
        return overbooked > 1.0, off_profile, max(overbooked, 0.0), round(peak, 1), rng.random()

    owner = min(members, key=lambda m: rank(m, per_week * shares[0]))
    people = [owner]
    if wants_helper:
        others = [m for m in members if m != owner]
        people.append(min(others, key=lambda m: rank(m, per_week * shares[1])))
    for person, share in zip(people, shares, strict=True):
        for monday in mondays:
            key = (person, monday)
            ledger.planned[key] = ledger.planned.get(key, 0.0) + per_week * share
    return owner, people[1:]


def _plan(rng: random.Random, spec: ProjectSpec) -> list[_Task]:
    """Lots in sequence, each with parallel chains of tasks and a closing milestone."""
    tasks: list[_Task] = []
    week = 0
    previous_milestone: _Task | None = None
    for lot_index, lot_key in enumerate(spec.lots):
        kind = LOTS[lot_key]
        # A module's tasks follow each other in one chain (specify, then mock up...).
        groups = [[name] for name in kind.tasks] + [
            [(fr.format(m=module), en.format(m=module)) for fr, en in kind.module_tasks]
            for module in spec.modules
        ]
        n_chains = 1 if lot_key in ("scoping", "deployment") else spec.chains
        chains: list[list[_Task]] = [[] for _ in range(n_chains)]
        chain_week = [week] * n_chains
        placed = [(g % n_chains, name) for g, group in enumerate(groups) for name in group]
        for c, name in placed:
            length = rng.choice((1, 1, 2, 2, 3)) if lot_key == "build" else rng.choice((1, 1, 2))
            weeks = range(chain_week[c], chain_week[c] + length)
            intensity = rng.uniform(*kind.intensity)
            planned = max(1.0, _half(length * 5 * intensity))
            task = _Task(lot_index, name, spec.lead, weeks.start, weeks.stop - 1, planned)
            task.preds = (
                [chains[c][-1]]
                if chains[c]
                else ([previous_milestone] if previous_milestone else [])
            )
            chains[c].append(task)
            chain_week[c] += length
        lot_end = max(chain_week) - 1
        milestone = _Task(
            lot_index, kind.milestone, spec.lead, lot_end, lot_end, 0.0, milestone=True
        )
        milestone.preds = [chain[-1] for chain in chains if chain]
        for chain in chains:
            tasks.extend(chain)
        tasks.append(milestone)
        previous_milestone = milestone
        week = lot_end + 2  # one week of margin between lots
    last_week = tasks[-1].last_week
    steering = _Task(
        -1,
        STEERING,
        spec.lead,
        0,
        last_week,
        _half(STEERING_DAYS_PER_WEEK * (last_week + 1)),
    )
    tasks.insert(0, steering)
    for i, task in enumerate(tasks, start=1):
        task.id = f"T{i}"
    return tasks


def _dates(task: _Task, monday0: dt.date, shifted: bool = True) -> tuple[dt.date, dt.date]:
    shift = task.shift_weeks if shifted else 0
    first = monday0 + dt.timedelta(weeks=task.first_week + shift)
    last = monday0 + dt.timedelta(weeks=task.last_week + shift, days=4)
    end = _last_workday(last)
    if task.milestone:
        if shifted and task.slip_days:
            end = _add_workdays(end, task.slip_days)
        return end, end
    return _first_workday(first), end


def _apply_outlook(spec: ProjectSpec, tasks: list[_Task]) -> None:
    """Late projects slip from their current lot on; amber ones slip one milestone a little."""
    current = 0
    for task in tasks:
        first, _end = _dates(task, spec.start, shifted=False)
        if task.lot >= 0 and first <= CUTOFF:
            current = max(current, task.lot)
    if spec.outlook in ("red", "late"):
        shift = 4 if spec.outlook == "red" else 3
        for task in tasks:
            if task.lot == -1:
                task.last_week += shift  # steering lasts as long as the project
            elif task.lot >= current:
                task.shift_weeks = shift
    elif spec.outlook == "amber":
        milestones = [t for t in tasks if t.milestone and t.lot >= current]
        if milestones and len(milestones) > 1:
            milestones[0].slip_days = 3  # inside the margin week: the final date holds


_FACTORS: dict[str, tuple[float, float, float]] = {
    # (low, high) overrun on work done, and the re-estimate factor of work to come
    "green": (0.94, 1.04, 1.0),
    "amber": (1.08, 1.16, 1.12),
    "red": (1.15, 1.30, 1.22),
    "late": (0.98, 1.08, 1.04),
}


def _book(
    rng: random.Random,
    spec: ProjectSpec,
    tasks: list[_Task],
    ledger: _Ledger,
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Time entries up to the cut-off, capped by each person's capacity across projects.

    Returns the remaining days per task ID (re-estimated by the lead) and the entry rows.
    """
    low, high, future = _FACTORS[spec.outlook]
    cutoff_monday = _monday(CUTOFF)
    remaining: dict[str, float] = {}
    booked: dict[tuple[dt.date, str, str], float] = {}
    for task in tasks:
        start, end = _dates(task, spec.start)
        if task.milestone:
            remaining[task.id] = 0.0
            continue
        factor = rng.uniform(low, high)
        weeks = list(task.weeks())
        total = len(weeks)
        mondays = [spec.start + dt.timedelta(weeks=w) for w in weeks]
        past = [m for m in mondays if m <= cutoff_monday]
        eac = task.planned * factor
        if task.lot == -1:  # steering: half a day a week, every week
            target = STEERING_DAYS_PER_WEEK * len(past)
            eac = STEERING_DAYS_PER_WEEK * total
        elif end <= CUTOFF:
            target = eac
        else:
            # Work to come is re-estimated: on late projects the lead now expects more of it.
            target = eac * len(past) / total
            eac = target + task.planned * (1 - len(past) / total) * future
        people = [task.owner, *task.helpers]
        shares = [1.0] if not task.helpers else [0.65, 0.35]
        placed = 0.0
        carry = [0.0] * len(people)
        for monday in past:
            for p, (person, share) in enumerate(zip(people, shares, strict=True)):
                wanted = target * share / len(past) + carry[p]
                key = (person, monday)
                free = _week_capacity(person, monday) - ledger.booked.get(key, 0.0)
                days = max(0.0, min(_half(wanted), _half(free) if free > 0 else 0.0))
                carry[p] = wanted - days
                if days <= 0:
                    continue
                ledger.booked[key] = ledger.booked.get(key, 0.0) + days
                entry_day = max(_first_workday(monday), start)
                booked[(entry_day, person, task.id)] = days
                placed += days
        if end <= CUTOFF and task.lot != -1:
            remaining[task.id] = 0.0
        else:
            remaining[task.id] = max(0.5, _half(eac - placed))
    entries = [
        {"date": day, "resource": _display(spec, person), "task_id": task_id, "days": days}
        for (day, person, task_id), days in sorted(
            booked.items(), key=lambda kv: (kv[0][0], kv[0][1], int(kv[0][2][1:]))
        )
    ]
    return remaining, entries


def _status(task: _Task, start: dt.date, end: dt.date) -> str:
    if task.milestone:
        return "done" if end <= CUTOFF else "todo"
    if end <= CUTOFF and task.lot != -1:
        return "done"
    return "in_progress" if start <= CUTOFF else "todo"


def _display(spec: ProjectSpec, person: str) -> str:
    """How this project's workbook writes the person's name."""
    return dict(spec.aliases).get(person, person)


def _text(lang: Lang, text: Text) -> str:
    return text[0] if lang == "fr" else text[1]


def _rate(profile: str, day: dt.date) -> float:
    rate = 0.0
    for prof, value, valid_from in RATES:
        if prof == profile and valid_from <= day:
            rate = value
    return rate


def _project(rng: random.Random, spec: ProjectSpec, ledger: _Ledger) -> DemoProject:
    tasks = _plan(rng, spec)
    _apply_outlook(spec, tasks)
    # Staffed once the forecast is known: who is free depends on the weeks the work happens.
    for task in tasks:
        if task.lot >= 0 and not task.milestone:
            kind = LOTS[spec.lots[task.lot]]
            task.owner, task.helpers = _staff(rng, spec, kind, task.weeks(), task.planned, ledger)
    steering = tasks[0]
    for w in steering.weeks():
        key = (spec.lead, spec.start + dt.timedelta(weeks=w))
        ledger.planned[key] = ledger.planned.get(key, 0.0) + STEERING_DAYS_PER_WEEK
    remaining, entries = _book(rng, spec, tasks, ledger)
    lang = spec.lang
    lots = [_text(lang, LOTS[k].name) for k in spec.lots]
    planning: list[dict[str, Any]] = []
    for task in tasks:
        start, end = _dates(task, spec.start)
        baseline_end = _dates(task, spec.start, shifted=False)[1]
        planning.append(
            {
                "id": task.id,
                "work_package": _text(lang, STEERING_LOT) if task.lot == -1 else lots[task.lot],
                "name": _text(lang, task.name),
                "owner": _display(spec, task.owner),
                "start": start,
                "end": end,
                "baseline_end": baseline_end,
                "milestone": "yes" if task.milestone else "no",
                "predecessors": ";".join(p.id for p in task.preds) or None,
                "planned_days": task.planned,
                "remaining_days": remaining[task.id],
                "status": _status(task, start, end),
            }
        )
    # Steering's baseline end is the baseline go-live, even when the project slips.
    steering_row, final = planning[0], planning[-1]
    steering_row["baseline_end"] = final["baseline_end"]
    if spec.outlook == "red":
        blocked = [r for r in planning if r["status"] == "in_progress" and r["id"] != "T1"]
        if blocked:
            blocked[0]["status"] = "blocked"

    resources = [
        {
            "name": _display(spec, person),
            "profile": PEOPLE[person].profile,
            "rate": RATE_OVERRIDE[2] if (spec.code, person) == RATE_OVERRIDE[:2] else None,
            "capacity": PEOPLE[person].capacity,
            "kind": PEOPLE[person].kind,
        }
        for person in spec.team
    ]
    # The budget covers the plan; a revised budget covers scope added by a decision.
    planned_total = sum(t.planned for t in tasks)
    budget_days = math.ceil((planned_total - spec.revised_days) / 5) * 5
    labour_eur = sum(
        t.planned * _rate(PEOPLE[t.owner].profile, _dates(t, spec.start, False)[0]) for t in tasks
    )
    costs_eur = sum(c[2] for c in spec.costs)
    info: dict[str, Any] = {
        "code": spec.code,
        "name": spec.name,
        "lead": _display(spec, spec.lead),
        "sponsor": spec.sponsor,
        "start": spec.start,
        "planned_end": planning[-1]["baseline_end"],
        "budget_initial_days": float(budget_days),
        "budget_revised_days": float(budget_days + spec.revised_days)
        if spec.revised_days
        else None,
        "budget_initial_eur": float(math.ceil((labour_eur + costs_eur) / 1000) * 1000),
        "cutoff": CUTOFF,
        "phase": _phase(spec, tasks),
        "manual_weather": spec.manual_weather,
        "weather_reason": spec.weather_reason,
    }
    rows = {
        "planning": planning,
        "time_entries": entries,
        "resources": resources,
        "costs": _costs(spec),
        "risks": _risks(rng, spec),
        "actions": _actions(rng, spec),
        "decisions": _decisions(spec),
    }
    return DemoProject(spec, ProjectData(info, rows))


def _phase(spec: ProjectSpec, tasks: list[_Task]) -> str:
    current = max(
        (t.lot for t in tasks if t.lot >= 0 and _dates(t, spec.start)[0] <= CUTOFF), default=0
    )
    return {
        "scoping": "scoping",
        "design": "execution",
        "build": "execution",
        "acceptance": "acceptance",
        "deployment": "acceptance",
    }[spec.lots[current]]


def _costs(spec: ProjectSpec) -> list[dict[str, Any]]:
    rows = []
    for nature, label, amount, day in spec.costs:
        if day <= CUTOFF - dt.timedelta(days=45):
            status = "paid"
        elif day <= CUTOFF + dt.timedelta(days=15):
            status = "committed"
        else:
            status = "planned"
        rows.append(
            {"date": day, "nature": nature, "label": label, "amount": amount, "status": status}
        )
    return rows


def _risks(rng: random.Random, spec: ProjectSpec) -> list[dict[str, Any]]:
    picks = rng.sample(range(len(RISKS)), rng.randint(3, 6))
    rows = []
    for n, i in enumerate(picks, start=1):
        title, mitigation = RISKS[i]
        closed = n == len(picks) and rng.random() < 0.5
        rows.append(
            {
                "id": f"R{n}",
                "title": _text(spec.lang, title),
                "probability": rng.randint(1, 4),
                "impact": rng.randint(1, 4),
                "owner": _display(spec, rng.choice(spec.team)),
                "mitigation": _text(spec.lang, mitigation),
                "due": CUTOFF + dt.timedelta(days=rng.choice((-21, 14, 28, 42, 63))),
                "status": "closed" if closed else "open",
            }
        )
    return rows


def _actions(rng: random.Random, spec: ProjectSpec) -> list[dict[str, Any]]:
    picks = rng.sample(range(len(ACTIONS)), rng.randint(3, 6))
    rows = []
    for n, i in enumerate(picks, start=1):
        review = REVIEWS[n % len(REVIEWS)]
        due = CUTOFF + dt.timedelta(days=rng.choice((-30, -16, -9, 7, 14, 21, 35)))
        if due < CUTOFF:
            # Most past actions are done; the others are overdue, as in every action plan.
            status = rng.choice(("done", "done", "in_progress", "todo"))
        else:
            status = rng.choice(("todo", "in_progress"))
        rows.append(
            {
                "id": f"A{n}",
                "title": _text(spec.lang, ACTIONS[i]),
                "owner": _display(spec, rng.choice(spec.team)),
                "due": due,
                "status": status,
                "origin": _text(spec.lang, review),
                "comment": None,
            }
        )
    return rows


_DECISIONS: dict[str, tuple[tuple[Text, str, dt.date, float | None, float | None], ...]] = {
    "PRJ-001": (
        (
            ("Ajouter le paiement en plusieurs fois", "Add split payment"),
            "taken",
            dt.date(2026, 9, 17),
            6.0,
            None,
        ),
    ),
    "PRJ-002": (
        (
            ("Valider le budget révisé (+60 j)", "Approve the revised budget (+60 d)"),
            "pending",
            dt.date(2026, 10, 2),
            60.0,
            39000.0,
        ),
        (
            ("Reporter la mise en production de 4 semaines", "Postpone go-live by 4 weeks"),
            "pending",
            dt.date(2026, 11, 13),
            None,
            None,
        ),
        (
            ("Reprendre l'historique de 10 ans", "Migrate 10 years of history"),
            "rejected",
            dt.date(2026, 9, 17),
            25.0,
            16000.0,
        ),
    ),
    "PRJ-003": (
        (
            ("Limiter la V1 à Android et iOS récents", "Limit V1 to recent Android and iOS"),
            "pending",
            dt.date(2026, 11, 13),
            -8.0,
            None,
        ),
    ),
    "PRJ-004": (
        (
            ("Use the group's identity provider", "Use the group's identity provider"),
            "taken",
            dt.date(2026, 9, 17),
            -5.0,
            None,
        ),
    ),
    "PRJ-006": (
        (
            ("Décaler la diffusion aux managers", "Delay the roll-out to managers"),
            "pending",
            dt.date(2026, 11, 13),
            None,
            None,
        ),
    ),
    "PRJ-007": (
        (
            ("Choisir l'hébergement des sauvegardes", "Choose where backups are hosted"),
            "taken",
            dt.date(2026, 10, 15),
            None,
            11200.0,
        ),
    ),
    "PRJ-008": (
        (
            ("Étendre le périmètre aux données RH", "Extend the scope to HR data"),
            "taken",
            dt.date(2026, 10, 15),
            10.0,
            6100.0,
        ),
    ),
}


def _decisions(spec: ProjectSpec) -> list[dict[str, Any]]:
    return [
        {
            "id": f"D{n}",
            "date": day,
            "title": _text(spec.lang, title),
            "requested_by": _display(spec, spec.lead),
            "status": status,
            "impact_days": impact_days,
            "impact_eur": impact_eur,
            "comment": None,
        }
        for n, (title, status, day, impact_days, impact_eur) in enumerate(
            _DECISIONS.get(spec.code, ()), start=1
        )
    ]


# ---------------------------------------------------------------------------------------------
# Planted mistakes
# ---------------------------------------------------------------------------------------------


@dataclass
class _Plants:
    """Mistakes to locate once the rows are final (rows may still be inserted after planting)."""

    items: list[tuple[str, str, dict[str, Any] | None, str, str]] = field(default_factory=list)

    def add(
        self, file: str, spec_key: str, row: dict[str, Any] | None, field_name: str, code: str
    ) -> None:
        self.items.append((file, spec_key, row, field_name, code))


def _index(rows: Sequence[dict[str, Any]], row: dict[str, Any]) -> int:
    return next(i for i, r in enumerate(rows) if r is row)


def _plant_schedule_mistakes(project: DemoProject, file: str, plants: _Plants) -> None:
    """A planning as it often comes back: typos, copy-pasted rows, statuses not updated."""
    rows = project.data.rows["planning"]
    todo = [r for r in rows if r["status"] == "todo" and r["milestone"] == "no"]
    done = [r for r in rows if r["status"] == "done" and r["milestone"] == "no"]
    done_milestones = [r for r in rows if r["status"] == "done" and r["milestone"] == "yes"]

    wrong_end = todo[-1]  # the end typed a few days before the start
    wrong_end["end"] = wrong_end["start"] - dt.timedelta(days=3)
    plants.add(file, "planning", wrong_end, "end", "PLANNING_END_BEFORE_START")

    original = todo[len(todo) // 2]  # a row copied to add a task, its ID left unchanged
    copy = dict(original, name=original["name"] + " (suite)")
    rows.insert(_index(rows, original) + 1, copy)
    plants.add(file, "planning", copy, "id", "PLANNING_ID_DUPLICATE")

    typo = next(r for r in todo[1:] if r["predecessors"] and ";" not in r["predecessors"])
    typo["predecessors"] = typo["predecessors"] + "0"  # T23 → T230
    plants.add(file, "planning", typo, "predecessors", "PLANNING_PREDECESSOR_UNKNOWN")

    milestone = done_milestones[0]  # the steering committee's day booked on the milestone
    milestone["planned_days"] = 1.0
    plants.add(file, "planning", milestone, "planned_days", "PLANNING_MILESTONE_WITH_EFFORT")

    finished = done[len(done) // 2]  # marked done, remaining never cleared
    finished["remaining_days"] = 2.0
    plants.add(file, "planning", finished, "remaining_days", "PLANNING_DONE_WITH_REMAINING")

    team_owner = todo[0]  # a team instead of a person from Ressources
    team_owner["owner"] = "Équipe infra"
    plants.add(file, "planning", team_owner, "owner", "PLANNING_OWNER_UNKNOWN")

    actions = project.data.rows["actions"]
    late = actions[0]  # a due date typed as text
    late["due"], late["status"] = "15/10/2026", "todo"
    plants.add(file, "actions", late, "due", "DATE_AS_TEXT")

    plants.add(file, "project", None, "weather_reason", "PROJECT_WEATHER_WITHOUT_REASON")


def _plant_entry_mistakes(project: DemoProject, file: str, plants: _Plants) -> None:
    """Time entries as they often come back: typos, copy-paste, next week booked in advance."""
    entries = project.data.rows["time_entries"]
    task_ids = {r["id"] for r in project.data.rows["planning"]}
    ongoing = [r for r in project.data.rows["planning"] if r["status"] == "in_progress"]
    cutoff_week = [e for e in entries if _monday(e["date"]) == _monday(CUTOFF)]

    typo = next(
        e for e in entries[len(entries) // 3 :] if e["task_id"] + e["task_id"][-1] not in task_ids
    )
    typo["task_id"] = typo["task_id"] + typo["task_id"][-1]  # T15 → T155
    plants.add(file, "time_entries", typo, "task_id", "ENTRY_TASK_UNKNOWN")

    copied = next(e for e in entries[len(entries) // 2 :] if e is not typo)  # pasted twice
    duplicate = dict(copied)
    entries.insert(_index(entries, copied) + 1, duplicate)
    plants.add(file, "time_entries", duplicate, "date", "ENTRY_DUPLICATE")

    as_text = next(
        e
        for e in entries
        if e["days"] == 2.5 and all(e is not x for x in (typo, copied, duplicate))
    )
    as_text["days"] = "2,5"  # typed in a cell formatted as text
    plants.add(file, "time_entries", as_text, "days", "NUMBER_AS_TEXT")

    intern = dict(cutoff_week[0], resource="Lucas Garnier", days=1.0)  # never added to Ressources
    entries.insert(_index(entries, cutoff_week[0]), intern)
    plants.add(file, "time_entries", intern, "resource", "ENTRY_RESOURCE_UNKNOWN")

    owner_row = ongoing[-1]
    ahead = {
        "date": CUTOFF + dt.timedelta(days=3),  # next Monday, booked in advance
        "resource": owner_row["owner"],
        "task_id": owner_row["id"],
        "days": 2.0,
        "comment": None,
    }
    entries.append(ahead)
    plants.add(file, "time_entries", ahead, "date", "ENTRY_AFTER_CUTOFF")

    risk = project.data.rows["risks"][0]
    risk["probability"] = 5  # on a 1–4 scale
    plants.add(file, "risks", risk, "probability", "RISK_SCALE_OUT_OF_RANGE")

    resources = project.data.rows["resources"]
    variant = next(r for r in resources if r["name"] == "C. Martin")
    plants.add(file, "resources", variant, "name", "RESOURCE_NAME_VARIANTS")


def _locate(plants: _Plants, projects: dict[str, DemoProject]) -> list[Planted]:
    out = []
    for file, spec_key, row, field_name, code in plants.items:
        project = projects[file]
        lang = project.spec.lang
        order, header_row = _geometry(project.spec)
        spec: SheetSpec = next(s for s in labels.PROJECT_SHEETS if s.key == spec_key)
        if row is None:
            cell = info_cell(spec, field_name, header_row=header_row)
        else:
            index = _index(project.data.rows[spec_key], row)
            cell = table_cell(spec, field_name, index, column_order=order, header_row=header_row)
        out.append(Planted(file, spec.label.text(lang), cell, code))
    return out


def _geometry(spec: ProjectSpec) -> tuple[ColumnOrder | None, int]:
    if spec.lang == "en":
        return ENGLISH_COLUMN_ORDER, ENGLISH_HEADER_ROW
    return None, 1


# ---------------------------------------------------------------------------------------------
# The portfolio
# ---------------------------------------------------------------------------------------------


def project_file(code: str) -> str:
    return f"projet_{code}.xlsx"


def generate(seed: int = SEED) -> tuple[list[DemoProject], SettingsData, list[Planted]]:
    """The portfolio in memory: projects, PMO settings and planted mistakes (nothing written)."""
    rng = random.Random(seed)
    ledger = _Ledger()
    projects = [_project(rng, spec, ledger) for spec in PROJECTS]
    by_file = {project_file(p.spec.code): p for p in projects}
    plants = _Plants()
    _plant_schedule_mistakes(by_file[project_file("PRJ-005")], project_file("PRJ-005"), plants)
    _plant_entry_mistakes(by_file[project_file("PRJ-007")], project_file("PRJ-007"), plants)
    planted = _locate(plants, by_file)

    values = default_settings_values("fr") | {
        "portfolio_name": f"{COMPANY} — portefeuille 2026",
        "prepared_by": "Nathalie Roche (PMO)",
        "projects_folder": PROJECTS_DIR,
        "cutoff": CUTOFF,
    }
    expected = [
        {"code": p.spec.code, "file": project_file(p.spec.code), "active": "yes"} for p in projects
    ]
    expected.append({"code": MISSING_PROJECT[0], "file": MISSING_PROJECT[1], "active": "yes"})
    settings = SettingsData(
        values,
        {
            "rates": [{"profile": p, "rate": r, "valid_from": d} for p, r, d in RATES],
            "expected_projects": expected,
        },
    )
    return projects, settings, planted


# The demo portfolio as the previous COPIL saw it, a month before its cut-off (20/11/2026):
# code → (weather, drift %). PRJ-002 was cloudy and turns stormy, PRJ-006 stays stormy,
# PRJ-003 and PRJ-008 cloud over, PRJ-005 comes back to sunny.
DEMO_PREVIOUS_CUTOFF = dt.date(2026, 10, 16)
DEMO_PREVIOUS: dict[str, tuple[str, float]] = {
    "PRJ-001": ("green", -0.025),
    "PRJ-002": ("amber", 0.085),
    "PRJ-003": ("green", 0.041),
    "PRJ-004": ("green", -0.032),
    "PRJ-005": ("amber", -0.015),
    "PRJ-006": ("red", -0.004),
    "PRJ-007": ("green", -0.030),
    "PRJ-008": ("green", -0.040),
}


def previous_history_frame() -> pd.DataFrame:
    """The ``Historique`` rows of the demo's previous COPIL (weather and drift only)."""
    rows = [
        {c: None for c in HISTORY_COLUMNS}
        | {
            "cutoff": DEMO_PREVIOUS_CUTOFF,
            "code": code,
            "weather": weather,
            "drift_pct": drift,
            "run_at": dt.datetime.combine(DEMO_PREVIOUS_CUTOFF, dt.time(18, 0)),
        }
        for code, (weather, drift) in DEMO_PREVIOUS.items()
    ]
    return pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))


def build_demo(out_dir: Path, *, seed: int = SEED) -> DemoPortfolio:
    """Write ``pmo.xlsx`` and ``projets/projet_<code>.xlsx`` in ``out_dir`` (reproducibly)."""
    out_dir = Path(out_dir)
    projects_dir = out_dir / PROJECTS_DIR
    projects, settings, planted = generate(seed)
    paths: list[Path] = []
    english = None
    for project in projects:
        order, header_row = _geometry(project.spec)
        layouts = project_template_layouts(
            project.spec.lang, project.data, column_order=order, header_row=header_row
        )
        path = write_workbook(
            layouts, projects_dir / project_file(project.spec.code), project.spec.name
        )
        paths.append(path)
        if project.spec.lang == "en":
            english = path
    # Last month's snapshot, so that the demo's COPIL shows trends from its first run.
    from pmo_xl.outputs import history_layout

    history = history_layout(previous_history_frame(), "fr")
    pmo = write_workbook(
        [*pmo_template_layouts("fr", settings), history],
        out_dir / PMO_TEMPLATE_FILE,
        f"PMO — {COMPANY}",
    )
    assert english is not None
    return DemoPortfolio(out_dir, pmo, projects_dir, paths, planted, [MISSING_PROJECT[0]], english)


__all__ = [
    "COMPANY",
    "CUTOFF",
    "PLANTED",
    "DemoPortfolio",
    "Planted",
    "build_demo",
    "generate",
    "project_file",
]
