"""Convert a workbook to PDF with headless LibreOffice (the COPIL report, previews in tests)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from pmo_xl.safe_io import OutputError

_WINDOWS_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)

# A private profile per run (parallel runs would otherwise fight over one profile lock) that
# recalculates formulas on load: XlsxWriter files carry no computed value for some formulas,
# and LibreOffice's default for .xlsx is to trust the stored one.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
# The locale LibreOffice formats numbers with (decimal comma and thousands space in fr-FR);
# without it, the machine's locale applies (often en-US on servers).
_LOCALE_ITEM = """<item oor:path="/org.openoffice.Setup/L10N">
 <prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
"""


class PdfConversionError(OutputError):
    fr = "Impossible de produire le PDF de « {name} » : {reason}"
    en = "Cannot produce the PDF of '{name}': {reason_en}"


def no_libreoffice(xlsx: Path) -> PdfConversionError:
    """Why ``xlsx`` gets no PDF on a machine without LibreOffice, and what to do."""
    return PdfConversionError(
        xlsx,
        reason="LibreOffice n'est pas installé (commande soffice introuvable). Installez-le "
        "depuis https://fr.libreoffice.org puis relancez.",
        reason_en="LibreOffice is not installed (no soffice command). Install it from "
        "https://www.libreoffice.org, then run again.",
    )


def find_soffice() -> Path | None:
    """LibreOffice's ``soffice`` on PATH (or its usual Windows place), ``None`` if not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _WINDOWS_CANDIDATES:
        if os.name == "nt" and Path(candidate).exists():
            return Path(candidate)
    return None


def to_pdf(
    xlsx: Path, outdir: Path, *, timeout_s: float = 120.0, locale: str | None = None
) -> Path:
    """Convert ``xlsx`` to ``outdir/<stem>.pdf`` and return it (or raise PdfConversionError).

    ``locale`` (``"fr-FR"``) sets how numbers are shown; by default the machine's locale.
    """
    xlsx, outdir = Path(xlsx), Path(outdir)
    soffice = find_soffice()
    if soffice is None:
        raise no_libreoffice(xlsx)
    outdir.mkdir(parents=True, exist_ok=True)
    pdf = outdir / f"{xlsx.stem}.pdf"
    pdf.unlink(missing_ok=True)  # so that a stale PDF is never mistaken for this run's
    with tempfile.TemporaryDirectory(prefix="lo_") as profile:
        (Path(profile) / "user").mkdir()
        settings = _PROFILE_SETTINGS
        if locale:
            item = _LOCALE_ITEM.format(locale=escape(locale))
            settings = settings.replace("</oor:items>", item + "</oor:items>")
        (Path(profile) / "user" / "registrymodifications.xcu").write_text(
            settings, encoding="utf-8"
        )
        command = [
            str(soffice),
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(xlsx),
        ]
        _run(command, xlsx, timeout_s)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise PdfConversionError(
            xlsx,
            reason="LibreOffice n'a pas produit de fichier. Vérifiez que le classeur s'ouvre.",
            reason_en="LibreOffice wrote no file. Check that the workbook opens.",
        )
    return pdf


def _run(command: list[str], xlsx: Path, timeout_s: float) -> None:
    # Own process group: soffice starts soffice.bin, which a timeout must stop too.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=os.name == "posix",
    )
    try:
        _, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        raise PdfConversionError(
            xlsx,
            reason=f"LibreOffice n'a pas répondu en {timeout_s:.0f} s.",
            reason_en=f"LibreOffice did not answer within {timeout_s:.0f} s.",
        ) from None
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip()[-300:]
        raise PdfConversionError(
            xlsx,
            reason=f"LibreOffice a échoué (code {process.returncode}) : {detail}",
            reason_en=f"LibreOffice failed (code {process.returncode}): {detail}",
        )
