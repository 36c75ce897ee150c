"""Regenerate the documentation pictures: ``python -m pmo_xl.docs docs`` (``make docs``).

``docs/copil-demo.png`` is page 1 of the demo portfolio's COPIL: the demo is built in a temporary
folder, consolidated against the previous month's snapshot (the demo's ``Historique`` sheet,
so that trends show), written as the standalone COPIL workbook, converted to PDF by LibreOffice,
and page 1 rasterised by ``pdftoppm`` (poppler-utils).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pmo_xl.labels import Lang
from pmo_xl.portfolio import PortfolioResult

DOCS_DIR = Path("docs")
COPIL_PNG = "copil-demo.png"
PNG_DPI = 80


def demo_result(root: Path, lang: Lang | None = None) -> PortfolioResult:
    """Build the demo portfolio under ``root`` and consolidate it (with last month's trend)."""
    from pmo_xl import file_workbook, portfolio, reading
    from pmo_xl.commands import previous_history
    from pmo_xl.demo import build_demo

    built = build_demo(root)
    with file_workbook.open_workbook(built.pmo) as source:
        settings, _ = reading.read_settings(source, base_dir=built.pmo.parent)
    if lang:
        settings = settings.model_copy(update={"language": lang})
    folder = settings.projects_folder or built.projects_dir
    run_at = dt.datetime.combine(settings.cutoff or dt.date.today(), dt.time(17, 30))
    return portfolio.consolidate_folder(
        folder, settings, previous_history=previous_history([built.pmo]), run_at=run_at
    )


def copil_png(out: Path, *, lang: Lang = "fr", page: int = 1, dpi: int = PNG_DPI) -> Path:
    """Render page ``page`` of the demo COPIL to ``out`` (PNG)."""
    from pmo_xl import copil

    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm introuvable : installez poppler-utils.")
    with tempfile.TemporaryDirectory(prefix="pmo_docs_") as tmp:
        root = Path(tmp)
        result = demo_result(root / "demo", lang)
        report = copil.build_report(result, lang)
        _, pdf = copil.write_copil_workbook(report, root / "COPIL.xlsx", pdf=True)
        assert pdf is not None
        prefix = root / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
             "-singlefile", str(pdf), str(prefix)],
            check=True,
        )  # fmt: skip
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prefix.with_suffix(".png"), out)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["docs"]:
        print("usage: python -m pmo_xl.docs docs [OUT_DIR]", file=sys.stderr)
        return 2
    out_dir = Path(args[1]) if len(args) > 1 else DOCS_DIR
    print(copil_png(out_dir / COPIL_PNG))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
