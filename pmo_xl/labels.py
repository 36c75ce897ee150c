"""The workbook vocabulary: sheet names, column names and list values, French first, English second.

Every name a user can see or type is declared here once. Readers match names with :func:`norm`,
so case, accents, spaces and punctuation never matter; ``Correspondances`` (PMO workbook) adds a
company's own names on top of these at run time.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["fr", "en"]


def colon(lang: Lang) -> str:
    """``" : "`` in French (a space before the colon), ``": "`` in English."""
    return " : " if lang == "fr" else ": "


def day_text(day: dt.date, lang: Lang) -> str:
    """A date as the PMO reads it: ``20/11/2026`` in French, ``2026-11-20`` in English."""
    # Not strftime: 2 µs a call, and messages of 1,000 projects hold 26,000 dates.
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if lang == "fr" else day.isoformat()


def norm(text: object) -> str:
    """Matching key of a label: no accents, case or punctuation.

    ``"Date d'arrêté :"`` → ``"datedarrete"``
    """
    if text is None:
        return ""
    return _norm_text(str(text))


# Names and headers repeat (a person in a thousand workbooks): each distinct text is
# normalised once, not at every use.
@functools.lru_cache(maxsize=1 << 16)
def _norm_text(text: str) -> str:
    if text.isascii():  # most names and headers: no accents to take off (5x faster)
        return _NOT_ALNUM.sub("", text.lower())
    s = text.replace("€", " eur ").replace("œ", "oe").replace("Œ", "oe")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return _NOT_ALNUM.sub("", s)


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Label:
    """One user-visible name: French, English, and other spellings met in real workbooks."""

    fr: str
    en: str
    aliases: tuple[str, ...] = ()

    def text(self, lang: Lang = "fr") -> str:
        return self.fr if lang == "fr" else self.en

    def match_keys(self) -> set[str]:
        return {norm(x) for x in (self.fr, self.en, *self.aliases)} - {""}


@dataclass(frozen=True)
class Column:
    """A column of a table sheet, or a label of a key/value sheet."""

    field: str
    label: Label
    kind: Literal["text", "number", "date", "bool", "enum", "formula"] = "text"
    enum: str | None = None  # name of the value list in ENUMS
    required: bool = (
        False  # the sheet is unusable without this column (tables) or value (key/value)
    )


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the format: its name and its columns (or labels, for key/value sheets)."""

    key: str
    label: Label
    columns: tuple[Column, ...]
    layout: Literal["table", "keyvalue"] = "table"
    required: bool = False
    by_field: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_field", {c.field: c for c in self.columns})

    def column(self, field_name: str) -> Column:
        return self.by_field[field_name]


def L(fr: str, en: str, *aliases: str) -> Label:
    return Label(fr, en, aliases)


def C(
    field_name: str,
    label: Label,
    kind: Literal["text", "number", "date", "bool", "enum", "formula"] = "text",
    enum: str | None = None,
    required: bool = False,
) -> Column:
    return Column(field_name, label, kind, enum, required)


# ---------------------------------------------------------------------------------------------
# Value lists. Canonical values are English identifiers; the labels are what users type.
# ---------------------------------------------------------------------------------------------

ENUMS: dict[str, dict[str, Label]] = {
    "phase": {
        "scoping": L("Cadrage", "Scoping", "Initialisation", "Initiation"),
        "execution": L("Réalisation", "Execution", "Build", "Développement", "Development"),
        "acceptance": L("Recette", "Acceptance", "Testing", "Tests", "UAT"),
        "closed": L("Clos", "Closed", "Clôturé", "Terminé", "Done"),
        "suspended": L("Suspendu", "Suspended", "On hold", "En pause"),
    },
    "weather": {
        "green": L("Soleil", "Sunny", "Sun", "Vert", "Green", "Beau"),
        "amber": L("Nuageux", "Cloudy", "Orange", "Amber", "Nuage", "Jaune", "Yellow"),
        "red": L("Orage", "Stormy", "Storm", "Rouge", "Red", "Pluie", "Rain"),
    },
    "yesno": {
        "yes": L("Oui", "Yes", "O", "Y", "X", "1", "Vrai", "True"),
        "no": L("Non", "No", "N", "0", "Faux", "False"),
    },
    "task_status": {
        "todo": L(
            "À faire", "To do", "A faire", "Non commencé", "Not started", "Planifié", "Planned"
        ),
        "in_progress": L("En cours", "In progress", "Ongoing", "Started", "Démarré"),
        "done": L("Terminé", "Done", "Completed", "Complete", "Fini", "Fait", "Finished"),
        "blocked": L("Bloqué", "Blocked", "En attente", "On hold"),
        "cancelled": L("Abandonné", "Cancelled", "Canceled", "Abandoned", "Annulé"),
    },
    "cost_nature": {
        "purchase": L("Achat", "Purchase", "Matériel", "Hardware"),
        "subcontracting": L("Sous-traitance", "Subcontracting", "Prestation", "Subcontract"),
        "licence": L("Licence", "License", "Logiciel", "Software", "Abonnement", "Subscription"),
        "expenses": L("Frais", "Expenses", "Déplacement", "Travel"),
        "other": L("Autre", "Other", "Divers"),
    },
    "cost_status": {
        "planned": L("Prévu", "Planned", "Forecast", "Prévisionnel", "Budgété"),
        "committed": L("Engagé", "Committed", "Commandé", "Ordered"),
        "paid": L("Payé", "Paid", "Facturé", "Invoiced", "Réglé"),
    },
    "risk_status": {
        "open": L("Ouvert", "Open", "Actif", "Active"),
        "closed": L("Clos", "Closed", "Fermé", "Clôturé"),
    },
    "action_status": {
        "todo": L("À faire", "To do", "A faire", "Open", "Ouvert"),
        "in_progress": L("En cours", "In progress", "Ongoing"),
        "done": L("Fait", "Done", "Terminé", "Completed", "Clos", "Closed"),
        "cancelled": L("Abandonné", "Cancelled", "Canceled", "Annulé"),
    },
    "decision_status": {
        "pending": L("Attendue", "Pending", "Awaiting", "Requested", "À prendre", "En attente"),
        "taken": L("Prise", "Taken", "Made", "Approved", "Validée", "Accepted"),
        "rejected": L("Rejetée", "Rejected", "Refusée", "Refused"),
    },
    "resource_kind": {
        "internal": L("Interne", "Internal", "Salarié", "Employee"),
        "external": L("Externe", "External", "Prestataire", "Contractor", "Freelance"),
    },
    "language": {
        "fr": L("fr", "fr", "français", "french", "francais"),
        "en": L("en", "en", "anglais", "english"),
    },
}


def enum_lookup(enum: str) -> dict[str, str]:
    """Normalised spelling → canonical value, for one value list."""
    table: dict[str, str] = {}
    for value, label in ENUMS[enum].items():
        for key in label.match_keys():
            table.setdefault(key, value)
    return table


def enum_label(enum: str, value: str | None, lang: Lang = "fr") -> str:
    if value is None:
        return ""
    return ENUMS[enum][value].text(lang)


def enum_choices(enum: str, lang: Lang = "fr") -> list[str]:
    """The values offered in a dropdown, in the order of the list."""
    return [label.text(lang) for label in ENUMS[enum].values()]


# ---------------------------------------------------------------------------------------------
# Project workbook
# ---------------------------------------------------------------------------------------------

PROJECT = SheetSpec(
    "project",
    L("Projet", "Project", "Fiche projet", "Project info", "Projet (fiche)"),
    (
        C(
            "code",
            L("Code projet", "Project code", "Code", "Référence projet", "Project ID"),
            required=True,
        ),
        C("name", L("Nom du projet", "Project name", "Nom", "Intitulé", "Name"), required=True),
        C(
            "lead",
            L("Chef de projet", "Project lead", "Project manager", "CP", "PM"),
            required=True,
        ),
        C("sponsor", L("Sponsor", "Sponsor", "Commanditaire")),
        C("start", L("Date de début", "Start date", "Début", "Start"), "date", required=True),
        C(
            "planned_end",
            L("Date de fin prévue", "Planned end", "Fin prévue", "End date"),
            "date",
            required=True,
        ),
        C(
            "budget_initial_days",
            L(
                "Budget initial (j)",
                "Baseline budget (days)",
                "Budget (j)",
                "Budget initial (jours)",
                "Budget (days)",
                "Baseline budget (j)",
            ),
            "number",
            required=True,
        ),
        C(
            "budget_revised_days",
            L(
                "Budget révisé (j)",
                "Revised budget (days)",
                "Budget révisé (jours)",
                "Revised budget (j)",
            ),
            "number",
        ),
        C(
            "budget_initial_eur",
            L(
                "Budget initial (€)",
                "Baseline budget (€)",
                "Budget (€)",
                "Budget initial (EUR)",
                "Baseline budget (EUR)",
            ),
            "number",
        ),
        C(
            "budget_revised_eur",
            L(
                "Budget révisé (€)",
                "Revised budget (€)",
                "Budget révisé (EUR)",
                "Revised budget (EUR)",
            ),
            "number",
        ),
        C(
            "cutoff",
            L(
                "Date d'arrêté",
                "Cut-off date",
                "Arrêté",
                "Cutoff",
                "Date de situation",
                "Status date",
            ),
            "date",
        ),
        C("phase", L("Phase", "Phase", "Étape", "Stage"), "enum", "phase"),
        C(
            "manual_weather",
            L(
                "Météo manuelle",
                "Manual weather",
                "Météo",
                "Weather",
                "Météo forcée",
                "Weather override",
            ),
            "enum",
            "weather",
        ),
        C(
            "weather_reason",
            L(
                "Justification météo",
                "Weather reason",
                "Commentaire météo",
                "Weather comment",
                "Justification",
            ),
        ),
    ),
    layout="keyvalue",
    required=True,
)

PLANNING = SheetSpec(
    "planning",
    L("Planning", "Schedule", "Plan", "Planification", "Tâches", "Tasks"),
    (
        C("id", L("ID", "ID", "N°", "Id tâche", "Task ID", "Identifiant", "Ref"), required=True),
        C("work_package", L("Lot", "Work package", "WP", "Phase", "Lot de travaux")),
        C(
            "name",
            L("Tâche", "Task", "Libellé", "Nom", "Task name", "Activité", "Activity"),
            required=True,
        ),
        C("owner", L("Responsable", "Owner", "Ressource", "Resource", "Assigned to", "Affecté à")),
        C("start", L("Début", "Start", "Date de début", "Start date"), "date"),
        C(
            "end",
            L("Fin", "End", "Date de fin", "End date", "Finish", "Fin prévue", "Forecast end"),
            "date",
        ),
        C(
            "baseline_end",
            L(
                "Fin référence",
                "Baseline end",
                "Fin de référence",
                "Fin initiale",
                "Baseline finish",
                "Fin baseline",
            ),
            "date",
        ),
        C("milestone", L("Jalon", "Milestone", "Jalon ?", "Is milestone"), "enum", "yesno"),
        C(
            "predecessors",
            L("Prédécesseurs", "Predecessors", "Dépendances", "Dependencies", "Antécédents"),
        ),
        C(
            "planned_days",
            L(
                "Charge prévue (j)",
                "Planned effort (days)",
                "Charge prévue",
                "Planned effort",
                "Charge (j)",
                "Budget (j)",
                "Planned (days)",
            ),
            "number",
            # Without it every task's earned value is 0: said (COLUMN_MISSING), not a silent zero.
            required=True,
        ),
        C(
            "remaining_days",
            L(
                "Reste à faire (j)",
                "Remaining (days)",
                "RAF (j)",
                "RAF",
                "Reste à faire",
                "Remaining",
                "ETC (days)",
                "ETC",
            ),
            "number",
            # Without it the estimate at completion is the consumed alone: said, not silent.
            required=True,
        ),
        C("status", L("Statut", "Status", "État", "Etat", "State"), "enum", "task_status"),
        C("consumed_formula", L("Consommé (j)", "Consumed (days)", "Actual (days)"), "formula"),
        C(
            "eac_formula",
            L("Réestimé (j)", "Estimate at completion (days)", "EAC (days)", "Réestimé", "EAC"),
            "formula",
        ),
        C("variance_formula", L("Écart (j)", "Variance (days)", "Écart"), "formula"),
    ),
    required=True,
)

TIME_ENTRIES = SheetSpec(
    "time_entries",
    L(
        "Charges",
        "Time entries",
        "Temps",
        "Timesheet",
        "Timesheets",
        "Saisie des temps",
        "Imputations",
        "Consommé",
    ),
    (
        C("date", L("Date", "Date", "Semaine", "Week", "Jour", "Day"), "date", required=True),
        C(
            "resource",
            L(
                "Ressource",
                "Resource",
                "Collaborateur",
                "Personne",
                "Person",
                "Nom",
                "Name",
                "Employee",
            ),
            required=True,
        ),
        C("task_id", L("ID tâche", "Task ID", "Tâche", "Task", "ID"), required=True),
        C(
            "days",
            L("Consommé (j)", "Actual (days)", "Consommé", "Jours", "Days", "Temps (j)", "Actual"),
            "number",
            required=True,
        ),
        C("comment", L("Commentaire", "Comment", "Remarque", "Notes")),
    ),
)

RESOURCES = SheetSpec(
    "resources",
    L("Ressources", "Resources", "Équipe", "Team"),
    (
        C(
            "name",
            L("Ressource", "Resource", "Nom", "Name", "Collaborateur", "Personne"),
            required=True,
        ),
        C("profile", L("Profil", "Profile", "Rôle", "Role", "Fonction")),
        C("rate", L("TJM (€)", "Daily rate", "TJM", "Daily rate (€)", "Taux journalier"), "number"),
        C(
            "capacity",
            L(
                "Capacité (j/sem)",
                "Capacity (days/week)",
                "Capacité",
                "Capacity",
                "Disponibilité (j/sem)",
            ),
            "number",
        ),
        C(
            "kind",
            L("Interne/Externe", "Internal/External", "Type", "Statut"),
            "enum",
            "resource_kind",
        ),
    ),
)

COSTS = SheetSpec(
    "costs",
    L("Coûts", "Costs", "Couts", "Dépenses", "Expenses", "Achats", "Coûts externes"),
    (
        C("date", L("Date", "Date"), "date"),
        C("nature", L("Nature", "Nature", "Type", "Category", "Catégorie"), "enum", "cost_nature"),
        C("label", L("Libellé", "Label", "Description", "Objet")),
        C(
            "amount",
            L("Montant (€)", "Amount", "Montant", "Amount (€)", "Montant HT"),
            "number",
            required=True,
        ),
        C("status", L("Statut", "Status", "État"), "enum", "cost_status"),
    ),
)

RISKS = SheetSpec(
    "risks",
    L("Risques", "Risks", "Registre des risques", "Risk register"),
    (
        C("id", L("ID", "ID", "N°", "Ref")),
        C("title", L("Risque", "Risk", "Description", "Libellé"), required=True),
        C("probability", L("Probabilité", "Probability", "Proba", "P"), "number"),
        C("impact", L("Impact", "Impact", "Gravité", "Severity", "I"), "number"),
        C("criticity_formula", L("Criticité", "Criticity", "Criticality", "Score"), "formula"),
        C("owner", L("Responsable", "Owner", "Porteur")),
        C(
            "mitigation",
            L("Mitigation", "Mitigation", "Action de mitigation", "Parade", "Plan de mitigation"),
        ),
        C("due", L("Échéance", "Due", "Due date", "Date limite"), "date"),
        C("status", L("Statut", "Status", "État"), "enum", "risk_status"),
    ),
)

ACTIONS = SheetSpec(
    "actions",
    L("Actions", "Actions", "Plan d'actions", "Action plan"),
    (
        C("id", L("ID", "ID", "N°", "Ref")),
        C("title", L("Action", "Action", "Description", "Libellé"), required=True),
        C("owner", L("Responsable", "Owner", "Porteur", "Qui", "Who")),
        C("due", L("Échéance", "Due", "Due date", "Date limite", "Pour le"), "date"),
        C("status", L("Statut", "Status", "État"), "enum", "action_status"),
        C("origin", L("Origine", "Source", "Provenance")),
        C("comment", L("Commentaire", "Comment", "Remarque")),
    ),
)
DECISIONS = SheetSpec(
    "decisions",
    L("Décisions", "Decisions", "Décisions attendues", "Decision log", "Arbitrages"),
    (
        C("id", L("ID", "ID", "N°", "Ref")),
        C("date", L("Date", "Date", "Date de demande", "Requested on"), "date"),
        C("title", L("Décision", "Decision", "Description", "Libellé", "Objet"), required=True),
        C("requested_by", L("Demandeur", "Requested by", "Porteur", "Owner")),
        C("status", L("Statut", "Status", "État"), "enum", "decision_status"),
        C("impact_days", L("Impact (j)", "Impact (days)", "Impact charge"), "number"),
        C("impact_eur", L("Impact (€)", "Impact (EUR)", "Impact coût", "Cost impact"), "number"),
        C("comment", L("Commentaire", "Comment", "Remarque")),
    ),
)

PROJECT_SHEETS: tuple[SheetSpec, ...] = (
    PROJECT,
    PLANNING,
    TIME_ENTRIES,
    RESOURCES,
    COSTS,
    RISKS,
    ACTIONS,
    DECISIONS,
)

# ---------------------------------------------------------------------------------------------
# PMO workbook (inputs)
# ---------------------------------------------------------------------------------------------

SETTINGS = SheetSpec(
    "settings",
    L("Paramètres", "Settings", "Parametres", "Configuration", "Réglages"),
    (
        C(
            "portfolio_name",
            L("Portefeuille", "Portfolio", "Nom du portefeuille", "Portfolio name"),
        ),
        C("prepared_by", L("Préparé par", "Prepared by", "PMO", "Auteur", "Author")),
        C(
            "projects_folder",
            L(
                "Dossier des projets",
                "Projects folder",
                "Dossier",
                "Répertoire des projets",
                "Folder",
            ),
        ),
        C("cutoff", L("Date d'arrêté", "Cut-off date", "Arrêté", "Cutoff", "Status date"), "date"),
        C("holiday_country", L("Pays des jours fériés", "Holiday country", "Pays", "Country")),
        C("language", L("Langue", "Language"), "enum", "language"),
        C(
            "drift_green_max",
            L(
                "Dérive max vert",
                "Drift green max",
                "Seuil dérive vert",
                "Dérive vert (%)",
                "Drift green (%)",
            ),
            "number",
        ),
        C(
            "drift_amber_max",
            L(
                "Dérive max orange",
                "Drift amber max",
                "Seuil dérive orange",
                "Dérive orange (%)",
                "Drift amber (%)",
            ),
            "number",
        ),
        C(
            "index_green_min",
            L("Indice min vert", "Index green min", "SPI/CPI vert", "Seuil indice vert"),
            "number",
        ),
        C(
            "index_amber_min",
            L("Indice min orange", "Index amber min", "SPI/CPI orange", "Seuil indice orange"),
            "number",
        ),
        C(
            "index_suspicious_above",
            L("Indice suspect au-delà de", "Index suspicious above", "Seuil indice suspect"),
            "number",
        ),
        C(
            "budget_tolerance",
            L(
                "Tolérance charge prévue / budget",
                "Planned vs budget tolerance",
                "Tolérance budget",
            ),
            "number",
        ),
        C(
            "decision_max_wait_days",
            L("Délai max décision (j)", "Decision max wait (days)", "Délai décision"),
            "number",
        ),
        C(
            "stale_after_days",
            L("Classeur périmé après (j)", "Workbook stale after (days)"),
            "number",
        ),
    ),
    layout="keyvalue",
)

RATES = SheetSpec(
    "rates",
    L("TJM", "Rates", "Taux", "Daily rates", "Tarifs"),
    (
        C("profile", L("Profil", "Profile", "Rôle", "Role"), required=True),
        C(
            "rate",
            L("TJM (€)", "Daily rate", "TJM", "Daily rate (€)", "Taux"),
            "number",
            required=True,
        ),
        C(
            "valid_from",
            L("Valable à partir du", "Valid from", "Date d'effet", "Depuis", "From"),
            "date",
        ),
    ),
)

EXPECTED_PROJECTS = SheetSpec(
    "expected_projects",
    L("Projets", "Projects", "Liste des projets", "Project list"),
    (
        C("code", L("Code projet", "Project code", "Code"), required=True),
        C("file", L("Fichier", "File", "Classeur", "Workbook")),
        C("active", L("Actif", "Active", "En cours"), "enum", "yesno"),
    ),
)

MAPPINGS = SheetSpec(
    "mappings",
    L("Correspondances", "Mappings", "Mapping", "Alias"),
    (
        C("sheet", L("Feuille", "Sheet", "Onglet", "Tab")),
        C(
            "their_name",
            L("Nom dans vos classeurs", "Name in your workbooks", "Votre nom", "Your name"),
            required=True,
        ),
        C("our_name", L("Champ pmo_xl", "pmo_xl field", "Champ", "Field"), required=True),
    ),
)

RULES = SheetSpec(
    "rules",
    L("Règles", "Rules", "Regles", "Contrôles actifs"),
    (
        C("code", L("Code règle", "Rule code", "Code", "Règle", "Rule"), required=True),
        C("enabled", L("Active", "Enabled", "Actif", "Activée"), "enum", "yesno"),
        C("severity", L("Sévérité", "Severity", "Gravité", "Niveau")),
    ),
)

PMO_SHEETS: tuple[SheetSpec, ...] = (SETTINGS, RATES, EXPECTED_PROJECTS, MAPPINGS, RULES)

# ---------------------------------------------------------------------------------------------
# Output sheets written by pmo_xl
# ---------------------------------------------------------------------------------------------

OUTPUT_SHEETS: dict[str, Label] = {
    "consolidation": L("Consolidation", "Consolidation"),
    "effort": L("Charges", "Effort"),
    "resource_load": L("Charge ressources", "Resource load"),
    "findings": L("Contrôles", "Findings"),
    "history": L("Historique", "History"),
    "copil": L("COPIL", "COPIL"),
    "files": L("Fichiers", "Files"),
    "guide": L("Mode d'emploi", "How to use"),
}

# Column headers of the Consolidation and Charge ressources sheets, by field: written by
# pmo_xl.outputs, looked up by the PMO_INDICATEUR / PMO_CHARGE worksheet functions.
CONSOLIDATION_HEADERS: dict[str, Label] = {
    "code": L("Code projet", "Project code"),
    "name": L("Nom du projet", "Project name"),
    "lead": L("Chef de projet", "Project lead"),
    "weather_text": L("Météo", "Weather"),
    "trend_text": L("Tendance", "Trend"),
    "weather_computed_text": L("Météo calculée", "Computed weather"),
    "reasons": L("Raisons", "Reasons"),
    "phase_text": L("Phase", "Phase"),
    "budget_days": L("Budget (j)", "Budget (days)"),
    "consumed_days": L("Consommé (j)", "Consumed (days)"),
    "remaining_days": L("Reste à faire (j)", "Remaining (days)"),
    "eac_days": L("Réestimé (j)", "EAC (days)"),
    "drift_days": L("Dérive (j)", "Drift (days)"),
    "drift_pct": L("Dérive (%)", "Drift (%)"),
    "progress_pct": L("Avancement", "Progress"),
    "budget_eur": L("Budget (€)", "Budget (€)"),
    "cost_to_date_eur": L("Coût à date (€)", "Cost to date (€)"),
    "eac_eur": L("Coût à terminaison (€)", "Cost at completion (€)"),
    "drift_eur": L("Dérive (€)", "Drift (€)"),
    "pv_days": L("VP (j)", "PV (days)"),
    "ev_days": L("VA (j)", "EV (days)"),
    "spi": L("SPI", "SPI"),
    "cpi": L("CPI", "CPI"),
    "next_milestone_name": L("Prochain jalon", "Next milestone"),
    "next_milestone_date": L("Date prévue", "Forecast date"),
    "next_milestone_slip": L("Glissement (j ouvrés)", "Slip (working days)"),
    "incomplete_text": L("Données incomplètes", "Incomplete data"),
    "cutoff": L("Date d'arrêté", "Cut-off date"),
    "file": L("Fichier", "File"),
}
LOAD_HEADERS: dict[str, Label] = {
    "resource": L("Ressource", "Resource"),
    "week": L("Semaine (lundi)", "Week (Monday)"),
    "load_days": L("Charge (j)", "Load (days)"),
    "capacity_days": L("Capacité (j)", "Capacity (days)"),
    "over_days": L("Surcharge (j)", "Over (days)"),
    "over_text": L("Surchargé", "Over-allocated"),
    "detail": L("Charge par projet", "Load by project"),
}

# What reports call a portfolio nobody named in Paramètres.
DEFAULT_PORTFOLIO = L("Portefeuille", "Portfolio")

SEVERITIES: dict[str, Label] = {
    "error": L("Erreur", "Error"),
    "warning": L("Avertissement", "Warning"),
    "info": L("Info", "Info"),
}

# What became of a file in a consolidation (Fichiers sheet, COPIL data quality, Excel summary).
FILE_STATUSES: dict[str, Label] = {
    "consolidated": L("Consolidé", "Consolidated"),
    "rejected": L("Rejeté", "Rejected"),
    "ignored": L("Ignoré", "Ignored"),
    "missing": L("Manquant", "Missing"),
    "unexpected": L("Non attendu", "Unexpected"),
    "stale": L("Non mis à jour", "Not updated"),
}

WEATHER_WORDS: dict[str, Label] = {
    "green": L("Soleil", "Sunny"),
    "amber": L("Nuageux", "Cloudy"),
    "red": L("Orage", "Stormy"),
}


def sheet_keys(spec: SheetSpec) -> set[str]:
    return spec.label.match_keys()


# The system's reasons a file or folder cannot be opened, in the PMO's words: the system says
# them in English whatever the run's language ("Permission denied" inside a French message).
_OS_ERRORS: dict[int, Label] = {
    errno.EACCES: L("accès refusé", "permission denied"),
    errno.EPERM: L("opération non permise", "operation not permitted"),
    errno.ENOENT: L("introuvable", "not found"),
    errno.ENOTDIR: L(
        "un élément du chemin n'est pas un dossier", "a part of the path is not a folder"
    ),
    errno.EISDIR: L("c'est un dossier", "it is a folder"),
    errno.ENOSPC: L("disque plein", "no space left on the disk"),
    errno.EDQUOT: L("quota disque dépassé", "disk quota exceeded"),
    errno.EROFS: L("support en lecture seule", "read-only file system"),
    errno.EBUSY: L("fichier ou ressource occupé", "file or resource busy"),
    errno.EIO: L("erreur d'entrée-sortie du disque ou du réseau", "disk or network I/O error"),
    errno.ENAMETOOLONG: L("nom de fichier trop long", "file name too long"),
    errno.ELOOP: L("trop de liens symboliques (boucle ?)", "too many symbolic links (a loop?)"),
    errno.EMFILE: L("trop de fichiers ouverts", "too many open files"),
    errno.ETIMEDOUT: L("délai dépassé (lecteur réseau ?)", "timed out (network drive?)"),
}


# Windows says EACCES for a file another program holds open: 32 sharing, 33 lock violation.
_WINDOWS_SHARING_VIOLATIONS = (32, 33)


def os_error_label(error: OSError) -> Label:
    """Why the system refused ``error``'s file, in French and English; for a reason not in the
    list, the system's own words (or the error's name) in both."""
    if getattr(error, "winerror", None) in _WINDOWS_SHARING_VIOLATIONS:
        return L("fichier ouvert par un autre programme (Excel ?)", "file open in another program")
    known = _OS_ERRORS.get(error.errno) if error.errno is not None else None
    if known is not None:
        return known
    said = error.strerror or type(error).__name__
    return L(said, said)


# ---------------------------------------------------------------------------------------------
# Sentences the CLI and the Excel buttons share ({…}: filled by str.format)
# ---------------------------------------------------------------------------------------------

# Where the PMO gives the projects folder: on the command line, or in the live PMO workbook.
FOLDER_PLACES: dict[str, Label] = {
    "cli": L(
        "en argument ou dans l'onglet Paramètres du classeur PMO",
        "as an argument or in the PMO workbook's Settings sheet",
    ),
    "book": L(
        "dans l'onglet Paramètres (« Dossier des projets »)",
        "in the Settings sheet ('Projects folder')",
    ),
}
# How to check one project workbook instead, from there.
SINGLE_FILE_CHECKS: dict[str, Label] = {
    "cli": L("pmo-xl validate {folder}", "pmo-xl validate {folder}"),
    "book": L(
        "son bouton « Vérifier », dans le classeur lui-même",
        "its 'Check' button, in the workbook itself",
    ),
}
NO_FOLDER = L(
    "Aucun dossier de projets : indiquez-le {where}.", "No projects folder: give it {where}."
)
FOLDER_IS_FILE = L(
    "{folder} est un fichier, pas un dossier : indiquez {where} le dossier qui contient les "
    "classeurs projet (pour contrôler un seul classeur : {check}).",
    "{folder} is a file, not a folder: give {where} the folder that holds the project workbooks "
    "(to check one workbook: {check}).",
)
FOLDER_MISSING = L(
    "Dossier des projets introuvable : {folder}. Corrigez-le {where}.",
    "Projects folder not found: {folder}. Fix it {where}.",
)
RELATIVE_FOLDER = L(
    "Le dossier des projets « {folder} » est un chemin relatif, mais Excel ne donne pas le "
    "dossier de ce classeur (jamais enregistré, ouvert depuis OneDrive/SharePoint, ou moteur "
    "xlwings Server/Lite) : indiquez un chemin complet dans l'onglet Paramètres.",
    "The projects folder '{folder}' is a relative path, but Excel does not give this "
    "workbook's folder (never saved, opened from OneDrive/SharePoint, or xlwings "
    "Server/Lite): give a full path in the Settings sheet.",
)
# No project consolidated: the output ({book}, the CLI's file or the live PMO workbook) stays.
NOT_REWRITTEN = L(
    "Aucun classeur projet consolidé dans {folder} : {book} n'est pas réécrit, la "
    "consolidation précédente et son historique restent tels quels.",
    "No project workbook consolidated in {folder}: {book} is not rewritten, the previous "
    "consolidation and its history stay as they are.",
)
