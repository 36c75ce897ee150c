"""The catalogue of finding codes: default severity and the French and English text of each.

A message says what is wrong *and how to fix it*. Placeholders are filled from the finding's
``params``; a missing placeholder renders as ``?`` rather than failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pmo_xl.labels import Lang, day_text


@dataclass(frozen=True)
class Message:
    severity: str  # "error" | "warning" | "info"
    fr: str
    en: str


class Precise(float):
    """A number a message shows with ``places`` decimals (trailing zeros dropped) rather than the
    usual two: a value compared with a threshold it would round to. A float for everything
    else (the COPIL's own formatting reads ``places`` too)."""

    places: int

    def __new__(cls, value: float, places: int) -> Precise:
        number = super().__new__(cls, value)
        number.places = places
        return number

    def __reduce__(self) -> tuple[type[Precise], tuple[float, int]]:
        return Precise, (float(self), self.places)


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _fmt(value: Any, lang: Lang) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None:  # most parameters: nothing to format
        return value
    if kind is bool:  # as Excel shows a logical cell
        return ("VRAI" if value else "FAUX") if lang == "fr" else ("TRUE" if value else "FALSE")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return day_text(value, lang)
    if isinstance(value, float):
        places = value.places if isinstance(value, Precise) else 2
        text = f"{value:.{places}f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "fr" else text
    if isinstance(value, list | tuple):
        return ", ".join(str(_fmt(v, lang)) for v in value)
    return value


def render(code: str, params: dict[str, Any], lang: Lang = "fr") -> str:
    msg = MESSAGES.get(code)
    if msg is None:
        return code
    template = msg.fr if lang == "fr" else msg.en
    values = _Lenient({k: _fmt(v, lang) for k, v in params.items()})
    return template.format_map(values)  # C-level; string.Formatter is pure Python (5x slower)


def severity(code: str) -> str:
    return MESSAGES[code].severity if code in MESSAGES else "error"


def M(severity: str, fr: str, en: str) -> Message:
    return Message(severity, fr, en)


MESSAGES: dict[str, Message] = {
    # --- Reading: sheets and headers -------------------------------------------------------
    "SHEET_MISSING": M(
        "error",
        "La feuille « {sheet} » est absente. Ajoutez-la en la copiant depuis le modèle "
        "projet_modele.xlsx.",
        "Sheet '{sheet}' is missing. Add it by copying it from the projet_modele.xlsx template.",
    ),
    "SHEET_ABSENT": M(
        "info",
        "Pas de feuille « {sheet} » : rien à consolider pour cette partie.",
        "No '{sheet}' sheet: nothing to consolidate for that part.",
    ),
    "HEADER_NOT_FOUND": M(
        "error",
        "Aucune ligne d'en-tête reconnue dans les 20 premières lignes de « {sheet} ». Écrivez "
        "les en-têtes attendus sur une même ligne : {expected}.",
        "No header row found in the first 20 rows of '{sheet}'. Put the expected headers on one "
        "row: {expected}.",
    ),
    "COLUMN_MISSING": M(
        "error",
        "La colonne « {column} » est absente de « {sheet} ». Ajoutez-la à la ligne d'en-tête "
        "(ligne {row}).",
        "Column '{column}' is missing from '{sheet}'. Add it to the header row (row {row}).",
    ),
    "COLUMN_DUPLICATE": M(
        "warning",
        "La colonne « {column} » apparaît deux fois ; seule la première ({first}) est lue. "
        "Renommez ou supprimez l'autre.",
        "Column '{column}' appears twice; only the first one ({first}) is read. Rename or remove "
        "the other.",
    ),
    "LABEL_MISSING": M(
        "error",
        "L'information « {label} » est absente de la feuille « {sheet} ». Ajoutez une ligne avec "
        "« {label} » en colonne A et sa valeur en colonne B.",
        "'{label}' is missing from sheet '{sheet}'. Add a row with '{label}' in column A and its "
        "value in column B.",
    ),
    # --- Reading: cell values ---------------------------------------------------------------
    "DATE_AS_TEXT": M(
        "warning",
        "Date saisie comme texte (« {value} »), lue comme le {date}. Ressaisissez-la comme une "
        "vraie date (format de cellule Date).",
        "Date typed as text ('{value}'), read as {date}. Re-enter it as a real date (Date cell "
        "format).",
    ),
    "DATE_INVALID": M(
        "error",
        "« {value} » n'est pas une date. Saisissez une date au format JJ/MM/AAAA.",
        "'{value}' is not a date. Enter a date as DD/MM/YYYY.",
    ),
    "DATE_OUT_OF_RANGE": M(
        "error",
        "Le {value} est hors des années {first} à {last} : une faute de frappe sur l'année ? "
        "Corrigez la date.",
        "{value} is outside the years {first} to {last}: a mistyped year? Correct the date.",
    ),
    "NUMBER_AS_TEXT": M(
        "warning",
        "Nombre saisi comme texte (« {value} »), lu comme {number}. Ressaisissez-le comme un "
        "nombre, sans apostrophe ni unité.",
        "Number typed as text ('{value}'), read as {number}. Re-enter it as a number, without "
        "apostrophe or unit.",
    ),
    "NUMBER_INVALID": M(
        "error",
        "« {value} » n'est pas un nombre. Saisissez un nombre (par exemple 2,5).",
        "'{value}' is not a number. Enter a number (for example 2.5).",
    ),
    "NUMBER_OUT_OF_RANGE": M(
        "error",
        "« {value} » dépasse toute valeur plausible (plus de mille milliards) : une saisie "
        "erronée ou un collage raté. Corrigez la valeur.",
        "'{value}' is beyond any plausible value (over a trillion): a typing or pasting "
        "mistake. Correct the value.",
    ),
    "VALUE_UNKNOWN": M(
        "error",
        "« {value} » n'est pas une valeur permise pour « {column} ». Choisissez parmi : {choices}.",
        "'{value}' is not an allowed value for '{column}'. Choose one of: {choices}.",
    ),
    "HOLIDAY_COUNTRY_UNKNOWN": M(
        "error",
        "« {value} » n'est pas un pays de jours fériés connu : les jours fériés de {default} "
        "sont utilisés. Saisissez un code pays ISO à deux lettres (FR, BE, CH, DE…), suivi si "
        "besoin de la région (FR-57 pour la Moselle).",
        "'{value}' is not a known holiday country: {default}'s public holidays are used. Enter "
        "a two-letter ISO country code (FR, BE, CH, DE…), followed if needed by the region "
        "(FR-57 for Moselle).",
    ),
    "CELL_ERROR": M(
        "error",
        "La cellule contient l'erreur Excel {value} : elle ne compte pas pour zéro. Corrigez la "
        "formule ou saisissez la valeur.",
        "The cell holds the Excel error {value}: it does not count as zero. Fix the formula or "
        "type the value.",
    ),
    "FORMULA_NOT_CALCULATED": M(
        "error",
        "Formule sans valeur calculée ({value}) : ouvrez le classeur dans Excel, laissez-le "
        "recalculer et enregistrez-le, ou saisissez la valeur.",
        "Formula with no computed value ({value}): open the workbook in Excel, let it "
        "recalculate and save it, or type the value.",
    ),
    "CONTROL_CHARACTERS": M(
        "warning",
        "Le texte contient des caractères invisibles non autorisés ; ils ont été retirés dans "
        "les sorties. Ressaisissez le texte.",
        "The text holds invisible characters that are not allowed; they were removed from the "
        "outputs. Retype the text.",
    ),
    # --- Writing outputs (pmo_xl/xlsx_writer.py) --------------------------------------------
    "TEXT_TRUNCATED": M(
        "warning",
        "Le texte fait {length} caractères ; une cellule Excel n'en contient que {limit}, il a "
        "été coupé dans les sorties. Raccourcissez-le ou mettez le détail dans un autre document.",
        "The text is {length} characters long; an Excel cell holds only {limit}, so it was cut "
        "in the outputs. Shorten it or move the details to another document.",
    ),
    # --- weather reasons (weather.py) -------------------------------------------------------
    "WEATHER_DRIFT": M(
        "info",
        "Dérive de {percent} % du budget, au-delà du seuil de {limit} %. Revoyez le reste à "
        "faire des tâches ou demandez une révision du budget en COPIL.",
        "Drift of {percent}% of the budget, above the {limit}% threshold. Review the tasks' "
        "remaining effort or ask the steering committee for a budget revision.",
    ),
    "WEATHER_SPI": M(
        "info",
        "Indice de performance planning (SPI) de {value}, sous le seuil de {limit} : le projet a "
        "produit moins que prévu à cette date. Vérifiez l'avancement des tâches et leurs dates "
        "de référence.",
        "Schedule performance index (SPI) of {value}, below {limit}: the project has delivered "
        "less than planned by this date. Check the tasks' progress and their baseline dates.",
    ),
    "WEATHER_CPI": M(
        "info",
        "Indice de performance coût (CPI) de {value}, sous le seuil de {limit} : chaque jour "
        "consommé produit moins que prévu. Vérifiez les charges prévues et les restes à faire.",
        "Cost performance index (CPI) of {value}, below {limit}: each day spent delivers less "
        "than planned. Check the planned effort and the remaining effort of the tasks.",
    ),
    "WEATHER_INDEX_SUSPICIOUS": M(
        "info",
        "{index} de {value}, au-delà de {limit} : la météo reste au vert, mais une telle avance "
        "est rare. Vérifiez l'estimation (charge prévue surestimée ou reste à faire oublié ?).",
        "{index} of {value}, above {limit}: the weather stays green, but such a lead is rare. "
        "Check the estimate (planned effort too high, or remaining effort left out?).",
    ),
    "WEATHER_FINAL_MILESTONE_LATE": M(
        "info",
        "Le jalon final {id} « {name} » glisse de {slip_days} jour(s) ouvré(s) (référence "
        "{baseline}, prévu {forecast}). Faites valider la nouvelle date en COPIL ou replanifiez.",
        "The final milestone {id} '{name}' slips by {slip_days} working day(s) (baseline "
        "{baseline}, forecast {forecast}). Have the steering committee approve the new date, or "
        "replan.",
    ),
    "WEATHER_MILESTONE_LATE": M(
        "info",
        "Le jalon {id} « {name} » glisse de {slip_days} jour(s) ouvré(s) (référence {baseline}, "
        "prévu {forecast}). Vérifiez que le jalon final n'est pas menacé.",
        "Milestone {id} '{name}' slips by {slip_days} working day(s) (baseline {baseline}, "
        "forecast {forecast}). Check that the final milestone is not at risk.",
    ),
    "WEATHER_MANUAL": M(
        "info",
        "Météo forcée à « {manual_fr} » par le chef de projet (météo calculée : « {computed_fr} »)"
        " ; justification : {reason}",
        "Weather set to '{manual_en}' by the project lead (computed weather: '{computed_en}'); "
        "reason: {reason}",
    ),
    "WEATHER_MANUAL_IGNORED": M(
        "info",
        "Météo manuelle « {manual_fr} » ignorée faute de justification : la météo calculée "
        "(« {computed_fr} ») s'applique. Renseignez « Justification météo » dans la feuille "
        "Projet.",
        "Manual weather '{manual_en}' ignored because it has no written reason: the computed "
        "weather ('{computed_en}') applies. Fill in 'Weather reason' in the Project sheet.",
    ),
    # --- consolidation (consolidation.py) ---------------------------------------------------
    "RATE_MISSING": M(
        "error",
        "Aucun TJM pour « {resource} » (profil : {profile}) au {date} : {consumed} j consommés "
        "et {remaining} j de reste à faire sont comptés à 0 €. Saisissez son TJM dans la feuille "
        "Ressources, ou un TJM du profil valable à cette date dans la feuille TJM du classeur PMO.",
        "No daily rate for '{resource}' (profile: {profile}) on {date}: {consumed} days consumed "
        "and {remaining} days remaining are costed at €0. Enter the rate in the Resources sheet, "
        "or a rate for the profile valid at that date in the PMO workbook's Rates sheet.",
    ),
    "RATE_MISSING_OWNER": M(
        "error",
        "La tâche {task} a {remaining} j de reste à faire mais pas de responsable : ils sont "
        "comptés à 0 € et dans aucune charge de ressource. Indiquez son responsable (un nom de "
        "la feuille Ressources).",
        "Task {task} has {remaining} days remaining but no owner: they are costed at €0 and in "
        "no one's load. Enter its owner (a name from the Resources sheet).",
    ),
    # --- resource load (consolidation.py) ---------------------------------------------------
    "TASK_LATE_LOAD": M(
        "warning",
        "La tâche {task} a encore {remaining} j de reste à faire mais aucun jour ouvré entre le "
        "{start} et sa fin prévue du {end} : ils sont comptés en charge le {placed}. Mettez à jour "
        "sa date de fin ou son reste à faire.",
        "Task {task} still has {remaining} days remaining but no working day between {start} "
        "and its planned end on {end}: they are loaded on {placed}. Update its end date or its "
        "remaining effort.",
    ),
    "TASK_NO_END_LOAD": M(
        "warning",
        "La tâche {task} a {remaining} j de reste à faire mais pas de date de fin : ils sont "
        "comptés en charge le {placed}. Saisissez sa date de fin.",
        "Task {task} has {remaining} days remaining but no end date: they are loaded on "
        "{placed}. Enter its end date.",
    ),
    # --- checks (checks.py) -----------------------------------------------------------------
    "FILE_UNREADABLE": M(
        "error",
        "Le classeur ne peut pas être ouvert : {reason}. Vérifiez qu'il s'agit d'un fichier .xlsx "
        "ou .xlsm complet, fermez-le s'il est ouvert ailleurs, puis relancez.",
        "The workbook cannot be opened: {reason_en}. Check it is a complete .xlsx or .xlsm file, "
        "close it if it is open elsewhere, then run again.",
    ),
    "PROJECT_NOT_FILLED": M(
        "warning",
        "Classeur projet vierge : ni code, ni nom, ni dates, ni budget, ni tâche. Remplissez la "
        "feuille Projet puis le Planning, ou retirez ce classeur du dossier des projets.",
        "Blank project workbook: no code, name, dates, budget or task. Fill in the Project sheet "
        "then the Schedule, or remove this workbook from the projects folder.",
    ),
    "PROJECT_FIELD_MISSING": M(
        "error",
        "« {label} » n'est pas renseigné. Saisissez-le en face de son libellé (ajoutez la ligne "
        "« {label} » si elle manque).",
        "'{label}' is not filled in. Enter it next to its label (add a '{label}' row if there is "
        "none).",
    ),
    "PROJECT_END_BEFORE_START": M(
        "error",
        "La fin prévue ({end}) est avant le début ({start}). Corrigez l'une des deux dates.",
        "The planned end ({end}) is before the start ({start}). Correct one of the two dates.",
    ),
    "PROJECT_BUDGET_NOT_POSITIVE": M(
        "error",
        "« {label} » vaut {value} : un budget doit être supérieur à 0. Saisissez le budget du "
        "projet (par exemple 120), ou videz la cellule s'il n'y en a pas.",
        "'{label}' is {value}: a budget must be above 0. Enter the project's budget (for example "
        "120), or empty the cell if there is none.",
    ),
    "PROJECT_REVISED_WITHOUT_INITIAL": M(
        "warning",
        "Un budget révisé ({revised}) est saisi sans « {initial_label} » : la référence d'origine "
        "est perdue. Saisissez aussi « {initial_label} », celui validé au lancement.",
        "A revised budget ({revised}) is entered without '{initial_label_en}': the original "
        "reference is lost. Also enter '{initial_label_en}', the one approved at launch.",
    ),
    "PROJECT_CUTOFF_MISSING": M(
        "error",
        "Aucune date d'arrêté : ni le PMO (Paramètres) ni la ligne de commande n'en donnent, et "
        "celle du projet est vide. Saisissez la date à laquelle les chiffres sont arrêtés.",
        "No cut-off date: neither the PMO settings nor the command line give one, and the "
        "project's is empty. Enter the date the figures are valid at.",
    ),
    "PROJECT_WEATHER_WITHOUT_REASON": M(
        "warning",
        "Météo manuelle « {weather_fr} » sans justification : elle est ignorée et la météo "
        "calculée s'applique. Écrivez la raison dans « Justification météo », ou videz la météo "
        "manuelle.",
        "Manual weather '{weather_en}' without a reason: it is ignored and the computed weather "
        "applies. Write the reason in 'Weather reason', or empty the manual weather.",
    ),
    "PLANNING_ID_MISSING": M(
        "error",
        "Ligne sans ID : aucune charge ne peut s'y rattacher. Donnez à la tâche un ID unique "
        "(par exemple T12).",
        "Row without an ID: no time entry can refer to it. Give the task a unique ID (for "
        "example T12).",
    ),
    "PLANNING_ID_DUPLICATE": M(
        "error",
        "L'ID « {id} » est déjà celui de la ligne {first_row} ({first_cell}) : les charges "
        "saisies sur « {id} » seraient ambiguës. Donnez un ID différent à chaque tâche.",
        "ID '{id}' is already used on row {first_row} ({first_cell}): time entries on '{id}' "
        "would be ambiguous. Give each task its own ID.",
    ),
    "PLANNING_NAME_MISSING": M(
        "warning",
        "Tâche sans libellé (« {column} » vide). Écrivez ce que recouvre la tâche.",
        "Task without a name ('{column}' is empty). Write what the task is about.",
    ),
    "PLANNING_OWNER_MISSING": M(
        "warning",
        "Tâche sans responsable (« {column} » vide) : son reste à faire n'est ni valorisé ni "
        "compté dans la charge de quelqu'un. Choisissez un nom de la feuille Ressources.",
        "Task without an owner ('{column}' is empty): its remaining effort is neither costed nor "
        "counted in anyone's load. Choose a name from the Resources sheet.",
    ),
    "PLANNING_DATES_MISSING": M(
        "error",
        "« {column} » est vide : la tâche ne peut pas être placée dans le temps. Saisissez la date "
        "(JJ/MM/AAAA).",
        "'{column}' is empty: the task cannot be placed in time. Enter the date (DD/MM/YYYY).",
    ),
    "PLANNING_END_BEFORE_START": M(
        "error",
        "La fin ({end}) est avant le début ({start}). Corrigez l'une des deux dates.",
        "The end ({end}) is before the start ({start}). Correct one of the two dates.",
    ),
    "PLANNING_BASELINE_MISSING": M(
        "warning",
        "Pas de fin de référence (« {column} ») : le glissement et l'avancement prévu se calculent "
        "alors sur la fin prévue. Recopiez la fin validée au lancement du projet.",
        "No baseline end ('{column}'): slip and planned progress then use the forecast end. "
        "Copy in the end date approved at the project's launch.",
    ),
    "PLANNING_MILESTONE_WITH_EFFORT": M(
        "warning",
        "Le jalon {id} porte {days} j de charge : un jalon est un point de passage sans charge. "
        "Mettez 0, ou passez « Jalon » à Non si c'est une tâche.",
        "Milestone {id} carries {days} days of effort: a milestone is a checkpoint with no "
        "effort. Enter 0, or set 'Milestone' to No if it is a task.",
    ),
    "PLANNING_MILESTONE_TOO_LONG": M(
        "warning",
        "Le jalon {id} va du {start} au {end} : un jalon tient en un jour. Mettez la même date en "
        "début et en fin, ou passez « Jalon » à Non.",
        "Milestone {id} runs from {start} to {end}: a milestone lasts one day. Use the same start "
        "and end date, or set 'Milestone' to No.",
    ),
    "PLANNING_PREDECESSOR_UNKNOWN": M(
        "warning",
        "Prédécesseur inconnu : {unknown}. Aucune tâche de Planning n'a cet ID. Corrigez l'ID ou "
        "retirez-le (séparez les IDs par « ; »).",
        "Unknown predecessor: {unknown}. No task in the Schedule has this ID. Correct the ID or "
        "remove it (separate IDs with ';').",
    ),
    "PLANNING_DEPENDENCY_CYCLE": M(
        "warning",
        "Dépendances circulaires entre les tâches {cycle} : chacune attend la fin d'une autre, "
        "aucune ne peut commencer. Retirez l'un de ces prédécesseurs.",
        "Circular dependencies between tasks {cycle}: each waits for another to finish, so none "
        "can start. Remove one of these predecessors.",
    ),
    "PLANNING_STARTS_BEFORE_PREDECESSOR": M(
        "warning",
        "La tâche {id} commence le {start}, avant la fin de son prédécesseur {predecessor} "
        "({predecessor_end}). Décalez son début, ou corrigez la dépendance.",
        "Task {id} starts on {start}, before its predecessor {predecessor} ends "
        "({predecessor_end}). Move its start, or correct the dependency.",
    ),
    "PLANNING_EFFORT_NEGATIVE": M(
        "error",
        "« {column} » est négatif ({value} j). Saisissez une charge positive ou nulle.",
        "'{column}' is negative ({value} days). Enter an effort of zero or more.",
    ),
    "PLANNING_DONE_WITH_REMAINING": M(
        "error",
        "La tâche {id} a le statut Terminé mais garde {remaining} j de reste à faire. Mettez le "
        "reste à faire à 0, ou repassez le statut à En cours.",
        "Task {id} is Done but still has {remaining} days remaining. Set the remaining effort to "
        "0, or set the status back to In progress.",
    ),
    "PLANNING_TASK_LATE": M(
        "warning",
        "La tâche {id} devait finir le {end}, avant l'arrêté du {cutoff}, et il lui reste "
        "{remaining} j. Replanifiez sa fin, ou passez-la à Terminé si elle l'est.",
        "Task {id} was due to end on {end}, before the {cutoff} cut-off, and still has "
        "{remaining} days remaining. Replan its end, or set it to Done if it is.",
    ),
    "PLANNING_OWNER_UNKNOWN": M(
        "warning",
        "« {name} » n'est pas dans la feuille Ressources{suggestion_fr} : son TJM et sa capacité "
        "sont inconnus. Écrivez le nom exactement comme dans Ressources, ou ajoutez-y la personne.",
        "'{name}' is not in the Resources sheet{suggestion_en}: their rate and capacity are "
        "unknown. Write the name exactly as in Resources, or add the person there.",
    ),
    "PLANNING_OUTSIDE_PROJECT": M(
        "warning",
        "« {column} » ({value}) sort des dates du projet ({project_start} – {project_end}). "
        "Corrigez la date de la tâche, ou celles du projet dans la feuille Projet.",
        "'{column}' ({value}) is outside the project's dates ({project_start} – {project_end}). "
        "Correct the task's date, or the project's dates in the Project sheet.",
    ),
    "PLANNING_EFFORT_VS_BUDGET": M(
        "warning",
        "La somme des charges prévues ({planned} j) s'écarte de {gap_pct} % du budget "
        "({budget} j), au-delà de la tolérance de {tolerance_pct} %. Vérifiez les charges "
        "prévues des tâches, ou le budget du projet.",
        "The planned effort adds up to {planned} days, {gap_pct}% away from the budget "
        "({budget} days), beyond the {tolerance_pct}% tolerance. Check the tasks' planned "
        "effort, or the project's budget.",
    ),
    "ENTRY_FIELD_MISSING": M(
        "error",
        "« {column} » est vide : cette ligne de charge ne peut pas être comptée. Complétez-la, ou "
        "supprimez la ligne.",
        "'{column}' is empty: this time entry cannot be counted. Complete it, or delete the row.",
    ),
    "ENTRY_RESOURCE_UNKNOWN": M(
        "error",
        "« {name} » n'est pas dans la feuille Ressources{suggestion_fr} : ce temps ne peut pas "
        "être valorisé. Écrivez le nom exactement comme dans Ressources, ou ajoutez-y la personne.",
        "'{name}' is not in the Resources sheet{suggestion_en}: this time cannot be costed. "
        "Write the name exactly as in Resources, or add the person there.",
    ),
    "ENTRY_TASK_UNKNOWN": M(
        "error",
        "Aucune tâche « {task} » dans Planning. Saisissez l'ID d'une tâche existante (colonne ID "
        "de Planning).",
        "No task '{task}' in the Schedule. Enter the ID of an existing task (ID column of the "
        "Schedule).",
    ),
    "ENTRY_ON_MILESTONE": M(
        "warning",
        "{days} j saisis sur le jalon {task} : un jalon ne consomme pas de charge. Imputez ce "
        "temps à la tâche qui prépare le jalon.",
        "{days} days booked on milestone {task}: a milestone consumes no effort. Book this time "
        "on the task that leads to the milestone.",
    ),
    "ENTRY_NOT_POSITIVE": M(
        "error",
        "Consommé de {days} j : une charge saisie doit être supérieure à 0. Corrigez la valeur, ou "
        "supprimez la ligne.",
        "Actual of {days} days: a time entry must be above 0. Correct the value, or delete the "
        "row.",
    ),
    "ENTRY_OVERBOOKED": M(
        "warning",
        "{name} a {total} j saisis {period_fr}, pour {limit} j ouvrés au plus (lignes {rows}). "
        "Retirez les jours en trop ou redatez les lignes.",
        "{name} has {total} days booked {period_en}, for at most {limit} working days (rows "
        "{rows}). Remove the extra days or re-date the rows.",
    ),
    "ENTRY_AFTER_CUTOFF": M(
        "warning",
        "Charge datée du {date}, après l'arrêté du {cutoff} : elle n'est pas comptée dans les "
        "chiffres. Vérifiez la date ; elle comptera à l'arrêté suivant.",
        "Entry dated {date}, after the {cutoff} cut-off: it is left out of the figures. Check "
        "the date; it will count at the next cut-off.",
    ),
    "ENTRY_BEFORE_PROJECT_START": M(
        "warning",
        "Charge datée du {date}, avant le début du projet ({start}). Corrigez la date, ou la date "
        "de début dans la feuille Projet.",
        "Entry dated {date}, before the project starts ({start}). Correct the date, or the start "
        "date in the Project sheet.",
    ),
    "ENTRY_DUPLICATE": M(
        "warning",
        "Même date, même personne et même tâche qu'à la ligne {first_row} : charge saisie deux "
        "fois ? Supprimez le doublon, ou regroupez les deux lignes en une.",
        "Same date, person and task as row {first_row}: entered twice? Delete the duplicate, or "
        "merge the two rows into one.",
    ),
    "RESOURCE_DUPLICATE": M(
        "error",
        "« {name} » figure déjà ligne {first_row} : seule cette première ligne est prise en "
        "compte. Supprimez le doublon, ou fusionnez les deux lignes.",
        "'{name}' is already listed on row {first_row}: only that first row is used. Delete the "
        "duplicate, or merge the two rows.",
    ),
    "RESOURCE_NO_RATE": M(
        "error",
        "Aucun TJM pour « {name} » : ni ici, ni dans la feuille TJM du PMO pour le profil "
        "« {profile} ». Son temps est valorisé à 0 €. Saisissez son TJM, ou un profil qui en a un.",
        "No daily rate for '{name}': neither here nor in the PMO's Rates sheet for profile "
        "'{profile}'. Their time is costed at €0. Enter their rate, or a profile that has one.",
    ),
    "RESOURCE_CAPACITY_OUT_OF_RANGE": M(
        "warning",
        "Capacité de {capacity} j par semaine pour « {name} » : elle doit être entre 0 et 7. "
        "Saisissez des jours par semaine (5 pour un temps plein), pas des heures.",
        "Capacity of {capacity} days a week for '{name}': it must be between 0 and 7. Enter days "
        "per week (5 for full time), not hours.",
    ),
    "COST_NEGATIVE": M(
        "error",
        "Montant négatif ({amount} €). Saisissez un montant positif ; un avoir se déduit du coût "
        "qu'il corrige.",
        "Negative amount (€{amount}). Enter a positive amount; a credit note is deducted from "
        "the cost it corrects.",
    ),
    "COST_DATE_MISSING": M(
        "warning",
        "Coût sans date : il ne peut être rangé dans aucun mois. Saisissez la date de la commande "
        "ou de la facture.",
        "Cost without a date: it cannot be placed in any month. Enter the order or invoice date.",
    ),
    "COST_NATURE_MISSING": M(
        "warning",
        "Coût sans nature. Choisissez parmi : {choices_fr}.",
        "Cost without a nature. Choose one of: {choices_en}.",
    ),
    "COST_STATUS_MISSING": M(
        "error",
        "Coût sans statut : on ne sait pas s'il est prévu, engagé ou payé, il n'est donc pas "
        "compté. Choisissez Prévu, Engagé ou Payé.",
        "Cost without a status: nobody can tell whether it is planned, committed or paid, so it "
        "is not counted. Choose Planned, Committed or Paid.",
    ),
    "RISK_OWNER_MISSING": M(
        "warning",
        "Risque ouvert sans responsable. Nommez la personne qui le suit.",
        "Open risk without an owner. Name the person who follows it up.",
    ),
    "RISK_DUE_MISSING": M(
        "warning",
        "Risque ouvert sans échéance. Saisissez la date de sa prochaine revue ou de sa mitigation.",
        "Open risk without a due date. Enter the date of its next review or of its mitigation.",
    ),
    "RISK_SCALE_OUT_OF_RANGE": M(
        "error",
        "« {column} » vaut {value} : l'échelle va de 1 (faible) à 4 (fort), la criticité serait "
        "fausse. Saisissez 1, 2, 3 ou 4.",
        "'{column}' is {value}: the scale runs from 1 (low) to 4 (high), so the criticity would be "
        "wrong. Enter 1, 2, 3 or 4.",
    ),
    "ACTION_OWNER_MISSING": M(
        "warning",
        "Action ouverte sans responsable. Nommez qui la porte.",
        "Open action without an owner. Name who carries it.",
    ),
    "ACTION_DUE_MISSING": M(
        "warning",
        "Action ouverte sans échéance. Saisissez la date à laquelle elle doit être faite.",
        "Open action without a due date. Enter the date it must be done by.",
    ),
    "ACTION_OVERDUE": M(
        "warning",
        "Action en retard : échéance au {due}, toujours ouverte à l'arrêté du {cutoff}. Passez-la "
        "à Fait si elle l'est, sinon fixez une nouvelle échéance.",
        "Overdue action: due on {due}, still open at the {cutoff} cut-off. Set it to Done if it "
        "is, otherwise set a new due date.",
    ),
    "DECISION_REQUESTER_MISSING": M(
        "warning",
        "Décision attendue sans demandeur. Indiquez qui la demande, pour que le COPIL sache à qui "
        "répondre.",
        "Requested decision without a requester. Say who asks for it, so the steering committee "
        "knows whom to answer.",
    ),
    "DECISION_WAITING_TOO_LONG": M(
        "warning",
        "Décision attendue depuis le {date}, soit {days} jours à l'arrêté du {cutoff} (au-delà de "
        "{max_days}). Inscrivez-la au prochain COPIL, ou relancez le décideur.",
        "Decision awaited since {date}, {days} days at the {cutoff} cut-off (more than "
        "{max_days}). Put it on the next steering committee's agenda, or chase the decision maker.",
    ),
    "PROJECT_CODE_DUPLICATE": M(
        "error",
        "Le code projet « {project_code} » est aussi celui de {others} : les chiffres des "
        "classeurs seraient mêlés. Donnez à chaque projet son propre code.",
        "Project code '{project_code}' is also the code of {others}: the workbooks' figures "
        "would be mixed up. Give each project its own code.",
    ),
    "RESOURCE_NAME_VARIANTS": M(
        "warning",
        "« {name} » s'écrit aussi {variants_fr} : s'il s'agit de la même personne, sa charge est "
        "éclatée entre plusieurs noms. Écrivez son nom de la même façon dans tous les classeurs.",
        "'{name}' is also written {variants_en}: if this is the same person, their load is split "
        "between several names. Write the name the same way in every workbook.",
    ),
    "RESOURCE_OVERALLOCATED": M(
        "warning",
        "{name} est surchargé(e) {weeks} semaine(s), au pire la semaine du {peak_week} : "
        "{peak_load} j prévus pour {peak_capacity} j de capacité, tous projets confondus "
        "({projects}). Rééquilibrez les tâches entre ces projets ou décalez-les.",
        "{name} is over-allocated in {weeks} week(s), worst in the week of {peak_week}: "
        "{peak_load} days planned for {peak_capacity} days of capacity, across all projects "
        "({projects}). Rebalance the tasks between these projects or move them.",
    ),
    # --- Files: preflight and bounded reading (pmo_xl/preflight.py, pmo_xl/sandbox.py) -------
    "FILE_OWNER_LOCK": M(
        "info",
        "« {name} » est le fichier de verrouillage d'un classeur ouvert (Excel ou LibreOffice) : "
        "ignoré.",
        "'{name}' is the lock file of an open workbook (Excel or LibreOffice): ignored.",
    ),
    "FILE_MAC_METADATA": M(
        "info",
        "« {name} » est un fichier de métadonnées macOS, pas un classeur : ignoré.",
        "'{name}' is a macOS metadata file, not a workbook: ignored.",
    ),
    "FILE_NOT_ACCESSIBLE": M(
        "error",
        "Fichier illisible ({error}) : vérifiez qu'il est accessible (droits, synchronisation "
        "OneDrive ou SharePoint terminée), puis relancez.",
        "The file cannot be read ({error_en}): check that it is accessible (permissions, "
        "OneDrive or SharePoint sync finished), then run again.",
    ),
    "FILE_EMPTY": M(
        "error",
        "Fichier vide (0 octet) : il est en cours de copie ou de synchronisation, ou son "
        "enregistrement a échoué. Attendez la fin de la synchronisation ou restaurez une version "
        "précédente.",
        "Empty file (0 bytes): it is being copied or synced, or saving it failed. Wait for the "
        "sync to finish or restore a previous version.",
    ),
    "FILE_ZEROS": M(
        "error",
        "Fichier incomplet : il ne contient que des octets nuls, sa copie ou sa synchronisation "
        "(OneDrive, SharePoint…) n'est pas terminée. Attendez-la, ou restaurez une version "
        "précédente.",
        "Incomplete file: it holds only zero bytes, its copy or sync (OneDrive, SharePoint…) has "
        "not finished. Wait for it, or restore a previous version.",
    ),
    "FILE_TOO_LARGE": M(
        "error",
        "Fichier trop volumineux ({size_mb} Mo, limite {limit_mb} Mo) : un classeur projet est "
        "bien plus petit. Supprimez les feuilles, images ou lignes inutiles, ou relevez la limite "
        "dans les paramètres.",
        "File too large ({size_mb} MB, limit {limit_mb} MB): a project workbook is much smaller. "
        "Remove the sheets, pictures or rows it does not need, or raise the limit in the settings.",
    ),
    "FILE_HTML": M(
        "error",
        "Ce n'est pas un classeur Excel (HTML renommé ?) : c'est une page web renommée en .xlsx, "
        "souvent un export d'application. Ouvrez-le dans Excel et enregistrez-le au format "
        "« Classeur Excel (.xlsx) ».",
        "Not an Excel workbook (renamed HTML?): it is a web page renamed .xlsx, often an "
        "application export. Open it in Excel and save it as 'Excel Workbook (.xlsx)'.",
    ),
    "FILE_TEXT": M(
        "error",
        "Ce n'est pas un classeur Excel mais un fichier texte (CSV ?) renommé. Ouvrez-le dans "
        "Excel et enregistrez-le au format « Classeur Excel (.xlsx) ».",
        "Not an Excel workbook but a renamed text file (CSV?). Open it in Excel and save it as "
        "'Excel Workbook (.xlsx)'.",
    ),
    "FILE_XML_2003": M(
        "error",
        "Format « Feuille de calcul XML 2003 » : ouvrez-le dans Excel et enregistrez-le en .xlsx "
        "(Fichier > Enregistrer sous > Classeur Excel).",
        "'XML Spreadsheet 2003' format: open it in Excel and save it as .xlsx (File > Save As > "
        "Excel Workbook).",
    ),
    "FILE_NOT_WORKBOOK": M(
        "error",
        "Ce n'est pas un classeur Excel (contenu non reconnu : document Word, PDF… ?). Déposez à "
        "la place le classeur .xlsx du projet.",
        "Not an Excel workbook (unrecognised content: Word document, PDF…?). Put the project's "
        ".xlsx workbook there instead.",
    ),
    "FILE_ENCRYPTED": M(
        "error",
        "Classeur protégé par mot de passe : pmo_xl ne peut pas l'ouvrir. Demandez à son auteur "
        "de retirer le mot de passe d'ouverture (Fichier > Informations > Protéger le classeur > "
        "Chiffrer avec mot de passe, puis effacer le mot de passe) ou de déposer une copie sans "
        "mot de passe.",
        "Password-protected workbook: pmo_xl cannot open it. Ask its author to remove the open "
        "password (File > Info > Protect Workbook > Encrypt with Password, then clear it) or to "
        "put an unprotected copy there.",
    ),
    "FILE_LEGACY_XLS": M(
        "error",
        "Format .xls (Excel 97-2003) : ouvrez-le dans Excel et enregistrez-le en .xlsx (Fichier > "
        "Enregistrer sous > Classeur Excel).",
        ".xls format (Excel 97-2003): open it in Excel and save it as .xlsx (File > Save As > "
        "Excel Workbook).",
    ),
    "FILE_ODS": M(
        "error",
        "Format .ods (LibreOffice) : enregistrez-le en .xlsx (Fichier > Enregistrer sous > "
        "Excel 2007-365).",
        ".ods (LibreOffice) format: save it as .xlsx (File > Save As > Excel 2007-365).",
    ),
    "FILE_XLSB": M(
        "error",
        "Format .xlsb (classeur binaire) : enregistrez-le en .xlsx (Fichier > Enregistrer sous > "
        "Classeur Excel).",
        ".xlsb (binary workbook) format: save it as .xlsx (File > Save As > Excel Workbook).",
    ),
    "FILE_NOT_XLSX": M(
        "error",
        "Archive zip qui n'est pas un classeur Excel (il y manque {part}) : document Word ou "
        "PowerPoint renommé ? Déposez à la place le classeur .xlsx du projet.",
        "A zip archive that is not an Excel workbook ({part} is missing): a renamed Word or "
        "PowerPoint document? Put the project's .xlsx workbook there instead.",
    ),
    "FILE_PART_MISSING": M(
        "error",
        "Fichier tronqué ou corrompu : il y manque la partie {part}. Ouvrez-le dans Excel "
        "(Fichier > Ouvrir > Ouvrir et réparer) et enregistrez-le, ou restaurez une version "
        "précédente.",
        "Truncated or corrupt file: part {part} is missing. Open it in Excel (File > Open > Open "
        "and Repair) and save it, or restore a previous version.",
    ),
    "FILE_CORRUPT": M(
        "error",
        "Fichier tronqué ou corrompu ({part} : {cause_fr}). Ouvrez-le dans Excel (Fichier > "
        "Ouvrir > Ouvrir et réparer) et enregistrez-le, ou restaurez une version précédente.",
        "Truncated or corrupt file ({part}: {cause}). Open it in Excel (File > Open > Open and "
        "Repair) and save it, or restore a previous version.",
    ),
    "FILE_TOO_MANY_PARTS": M(
        "error",
        "Le fichier contient {count} éléments internes (limite {limit}) : ce n'est pas un "
        "classeur ordinaire. Enregistrez-le à nouveau depuis Excel, ou relevez la limite.",
        "The file holds {count} internal parts (limit {limit}): not an ordinary workbook. Save it "
        "again from Excel, or raise the limit.",
    ),
    "FILE_ZIP_BOMB": M(
        "error",
        "Bombe de décompression : {size_mb} Mo une fois décompressé (taux {ratio} pour 1, partie "
        "{part} ; limites {limit_mb} Mo et {limit_ratio} pour 1). Fichier refusé sans être "
        "ouvert ; demandez l'original à son auteur.",
        "Decompression bomb: {size_mb} MB once decompressed (ratio {ratio} to 1, part {part}; "
        "limits {limit_mb} MB and {limit_ratio} to 1). Refused without being opened; ask its "
        "author for the original.",
    ),
    "FILE_XML_DOCTYPE": M(
        "error",
        "XML avec DOCTYPE refusé ({part}) : Excel n'en écrit jamais ; le fichier a été fabriqué "
        "ou modifié par un autre outil et peut être malveillant. Demandez à son auteur de "
        "l'enregistrer depuis Excel.",
        "XML with a DOCTYPE refused ({part}): Excel never writes one; the file was made or "
        "changed by another tool and may be malicious. Ask its author to save it from Excel.",
    ),
    "FILE_EXTENT_TOO_LARGE": M(
        "error",
        "La feuille « {sheet} » utilise une plage démesurée, jusqu'à {cell} ({rows} lignes × "
        "{cols} colonnes ; limites : {max_rows} lignes, {max_cols} colonnes, {max_cells} "
        "cellules). Supprimez les lignes et colonnes au-delà de vos données (dont la cellule "
        "{cell}), enregistrez et relancez.",
        "Sheet '{sheet}' uses an oversized range, up to {cell} ({rows} rows × {cols} columns; "
        "limits: {max_rows} rows, {max_cols} columns, {max_cells} cells). Delete the rows and "
        "columns beyond your data (including cell {cell}), save and run again.",
    ),
    "FILE_EXTENT_DECLARED": M(
        "error",
        "La feuille « {sheet} » déclare une plage démesurée ({cell} ; limites : {max_rows} "
        "lignes, {max_cols} colonnes, {max_cells} cellules). Ouvrez le classeur dans Excel, "
        "supprimez les lignes et colonnes vides au-delà de vos données, enregistrez et relancez.",
        "Sheet '{sheet}' declares an oversized range ({cell}; limits: {max_rows} rows, "
        "{max_cols} columns, {max_cells} cells). Open the workbook in Excel, delete the empty "
        "rows and columns beyond your data, save and run again.",
    ),
    "FILE_EXTERNAL_LINKS": M(
        "warning",
        "Le classeur contient {count} liaison(s) vers d'autres classeurs : pmo_xl lit les valeurs "
        "enregistrées, pas celles des fichiers liés. Mettez à jour les liaisons dans Excel avant "
        "d'enregistrer, ou remplacez-les par des valeurs (Données > Modifier les liens > Rompre "
        "la liaison).",
        "The workbook holds {count} link(s) to other workbooks: pmo_xl reads the saved values, "
        "not those of the linked files. Update the links in Excel before saving, or replace them "
        "with values (Data > Edit Links > Break Link).",
    ),
    "FILE_DATE_1904": M(
        "info",
        "Le classeur utilise le calendrier depuis 1904 (option Mac) : ses dates sont lues "
        "correctement, rien à faire.",
        "The workbook uses the 1904 date system (a Mac option): its dates are read correctly, "
        "nothing to do.",
    ),
    "FILE_READ_TIMEOUT": M(
        "error",
        "La lecture du fichier a dépassé {timeout_s} s et a été arrêtée ; les autres fichiers "
        "ont été traités. Ouvrez-le dans Excel, supprimez ce qui est inutile (feuilles, mises en "
        "forme sur des lignes entières), enregistrez et relancez.",
        "Reading the file took more than {timeout_s} s and was stopped; the other files were "
        "processed. Open it in Excel, remove what is not needed (sheets, formatting on whole "
        "rows), save and run again.",
    ),
    "FILE_READ_MEMORY": M(
        "error",
        "La lecture du fichier a dépassé {memory_mb} Mo de mémoire et a été arrêtée ; les autres "
        "fichiers ont été traités. Ouvrez-le dans Excel, supprimez ce qui est inutile, "
        "enregistrez et relancez.",
        "Reading the file needed more than {memory_mb} MB of memory and was stopped; the other "
        "files were processed. Open it in Excel, remove what is not needed, save and run again.",
    ),
    "FILE_READ_CRASH": M(
        "error",
        "La lecture du fichier a fait échouer le lecteur ({detail}) ; les autres fichiers ont "
        "été traités. Ouvrez-le dans Excel (Fichier > Ouvrir > Ouvrir et réparer), enregistrez-le "
        "et relancez.",
        "Reading the file crashed the reader ({detail}); the other files were processed. Open "
        "it in Excel (File > Open > Open and Repair), save it and run again.",
    ),
    "FILE_READ_ERROR": M(
        "error",
        "Le fichier n'a pas pu être lu ({detail}). Ouvrez-le dans Excel (Fichier > Ouvrir > "
        "Ouvrir et réparer), enregistrez-le et relancez.",
        "The file could not be read ({detail}). Open it in Excel (File > Open > Open and Repair), "
        "save it and run again.",
    ),
}


def register(code: str, message: Message) -> None:
    """Add a code at import time (one module per rule family adds its own)."""
    if code in MESSAGES and MESSAGES[code] != message:
        raise ValueError(f"finding code {code} declared twice with different texts")
    MESSAGES[code] = message
