"""``pmo-xl excel setup``: point the xlwings add-in at this Python and at pmo_xl's functions.

xlwings reads ``~/.xlwings/xlwings.conf`` (one ``"KEY","value"`` line per setting; on macOS in
the Excel container). We set the interpreter and the UDF module, keep every other line as it
was, and return the manual steps left for the user.

On Windows, ``USE UDF SERVER`` makes the add-in run each button's ``RunPython`` in the Python
process that already serves the worksheet functions (``XLPy.Exec`` in the add-in's VBA) instead
of a new interpreter per click: pmo_xl's imports (pandas…) are paid once per Excel session, not
at every click. Upgrading pmo_xl then needs that process restarted (ribbon: *Restart UDF
Server*, or close Excel).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

UDF_MODULE = "pmo_xl.udfs"


def user_config_file() -> Path:
    """Where the xlwings add-in looks for the user's settings (same rule as xlwings 0.37)."""
    home = Path.home()
    if sys.platform.startswith("darwin"):
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def _key(line: str) -> str:
    return line.split(",", 1)[0].strip().strip('"').upper()


def update_config(path: Path, values: dict[str, str]) -> None:
    """Set ``values`` in an xlwings config file, keeping the other keys and their order."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    wanted = {k.upper(): v for k, v in values.items()}
    kept = [line for line in lines if line.strip() and _key(line) not in wanted]
    kept += [f'"{key}","{value}"' for key, value in wanted.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
    os.replace(tmp, path)


UDF_SERVER_KEY = "USE UDF SERVER"


def setup(
    config_file: Path | None = None,
    python: str | None = None,
    udf_server: bool | None = None,
) -> list[str]:
    """Configure xlwings for pmo_xl; return what was done and the steps left, in French.

    ``udf_server``: run the buttons in the worksheet functions' Python process (True), in a new
    one per click (False), or leave the user's choice as it is (None)."""
    path = config_file or user_config_file()
    interpreter = python or sys.executable
    mac = sys.platform.startswith("darwin")
    key = "INTERPRETER_MAC" if mac else "INTERPRETER_WIN"
    values = {key: interpreter, "UDF MODULES": UDF_MODULE}
    if udf_server is not None and not mac:  # Excel for Mac has no UDF server
        values[UDF_SERVER_KEY] = str(udf_server)  # "True"/"False": what the ribbon writes
    update_config(path, values)
    done = [f"  {k} = {v}" for k, v in values.items()]
    if udf_server and mac:
        done.append("  USE UDF SERVER non écrit : Excel pour Mac n'a pas de serveur UDF.")
    elif udf_server:
        done.append(
            "  Les boutons s'exécutent dans le processus Python des fonctions PMO_… : pmo_xl "
            "n'est plus rechargé à chaque clic. Après une mise à jour de pmo_xl : ruban "
            "xlwings → Restart UDF Server (ou fermez Excel)."
        )
    return [
        f"Configuration xlwings mise à jour : {path}",
        *done,
        "Étapes restantes :",
        "  1. Installez le complément Excel si ce n'est pas fait : xlwings addin install",
        "  2. Écrivez les modèles avec boutons : pmo-xl init DOSSIER, puis ouvrez "
        "DOSSIER/pmo.xlsm (ou projet_modele.xlsm) et activez les macros.",
        "  3. Windows : Options Excel → Centre de gestion de la confidentialité → Paramètres "
        "des macros, cochez « Accès approuvé au modèle d'objet du projet VBA », puis onglet "
        "xlwings du ruban → Import Functions, pour les fonctions PMO_… ;",
        "  4. Cliquez sur « Consolider » (classeur PMO) ou « Vérifier » (classeur projet).",
    ]
