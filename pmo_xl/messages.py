"""The catalogue of finding codes: default severity and the French and English text of each.

A message says what is wrong *and how to fix it*. Placeholders are filled from the finding's
``params``; a missing placeholder renders as ``?`` rather than failing.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from typing import Any

from pmo_xl.labels import Lang


@dataclass(frozen=True)
class Message:
    severity: str  # "error" | "warning" | "info"
    fr: str
    en: str


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _fmt(value: Any, lang: Lang) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
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
    return string.Formatter().vformat(template, (), values)


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
    "VALUE_UNKNOWN": M(
        "error",
        "« {value} » n'est pas une valeur permise pour « {column} ». Choisissez parmi : {choices}.",
        "'{value}' is not an allowed value for '{column}'. Choose one of: {choices}.",
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
}


def register(code: str, message: Message) -> None:
    """Add a code at import time (one module per rule family adds its own)."""
    if code in MESSAGES and MESSAGES[code] != message:
        raise ValueError(f"finding code {code} declared twice with different texts")
    MESSAGES[code] = message
