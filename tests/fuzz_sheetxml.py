"""Damage real sheet XML at random and read it with the C reader built under AddressSanitizer.

``make fuzz`` (or ``python tests/fuzz_sheetxml.py --iterations 100000``): compiles
``pmo_xl/_sheetxml.c`` with ``-fsanitize=address,undefined`` into a temporary folder, then runs
itself again with the sanitizer's runtime preloaded. Seeds: every sheet and the shared strings
of a generated project workbook, and a sheet of inline strings as openpyxl writes them. Each
damage changes, inserts, deletes or cuts bytes; the reader must give rows or None. A memory
error stops the run with the sanitizer's report. Linux with gcc only.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIECES = [
    b"<", b">", b"/", b'"', b"'", b"&", b"&#", b"&#x", b";", b"<c", b"<v>", b"</v>", b"<v />",
    b"<row", b'r="', b"9" * 12, b"-", b"\x00", b"\xff", b"\xc3", b" ", b"</sheetData>", b"<f",
    b"</f>", b"/>", b"<t", b"</t>", b"<si>", b"<r>", b"<rPr", b"<is>", b"</is>",
    b't="inlineStr"', b't="s"',
]  # fmt: skip


def _seeds() -> tuple[list[bytes], bytes]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus

    with tempfile.TemporaryDirectory() as folder:
        path = corpus.write_project(Path(folder), 7)
        archive = zipfile.ZipFile(path)
        sheets = [
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")
        ]
        strings = archive.read("xl/sharedStrings.xml")
    inline = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>t{r} &amp; x</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">a</t></r>'
        f'<r><t>b</t></r></is></c><c r="C{r}"><f>1/0</f><v /></c><c r="D{r}" t="e">'
        f'<v>#N/A</v></c><c r="E{r}" s="1"><v>{46000 + r}</v></c></row>'
        for r in range(1, 40)
    )
    sheets.append(f"<worksheet><sheetData>{inline}</sheetData></worksheet>".encode())
    return sheets, strings


def damage(data: bytes, rng: random.Random) -> bytes:
    """One to six changes, insertions (of markup pieces), deletions or cuts, at random."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(max(len(out), 1))
        move = rng.random()
        if move < 0.3:
            if out:
                out[at % len(out)] = rng.randrange(256)
        elif move < 0.6:
            out[at:at] = rng.choice(PIECES)
        elif move < 0.8:
            del out[at : at + rng.randint(1, 40)]
        else:
            out = out[:at]
    return bytes(out)


def fuzz(module_dir: Path, iterations: int, seed: int) -> None:
    spec = importlib.util.spec_from_file_location(
        "_sheetxml", next(module_dir.glob("_sheetxml*.so"))
    )
    assert spec is not None and spec.loader is not None
    sheetxml = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sheetxml)
    sheets, strings_xml = _seeds()
    strings = sheetxml.parse_sst(strings_xml)
    styles = bytes([0] * 10 + [1] * 4 + [2] * 2)
    rng = random.Random(seed)
    accepted = 0
    for _ in range(iterations):
        source = rng.choice([*sheets, strings_xml])
        damaged = damage(source, rng)
        if source is strings_xml:
            result = sheetxml.parse_sst(damaged)
        else:
            result = sheetxml.parse_sheet(damaged, strings, styles, lambda v, k: v, 10**6, [])
            sheetxml.strict_extent(damaged)
        accepted += result is not None
    print(f"{iterations} damaged inputs, {accepted} read, no memory error (seed {seed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--built", type=Path, help=argparse.SUPPRESS)  # the re-run's folder
    args = parser.parse_args()
    if args.built is not None:
        fuzz(args.built, args.iterations, args.seed)
        return
    with tempfile.TemporaryDirectory() as folder:
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = Path(folder) / f"_sheetxml{suffix}"
        subprocess.run(
            [
                "gcc", "-g", "-O1", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                "-fno-sanitize-recover=undefined", "-fPIC", "-shared",
                f"-I{sysconfig.get_paths()['include']}", str(ROOT / "pmo_xl" / "_sheetxml.c"),
                "-o", str(built),
            ],
            check=True,
        )  # fmt: skip
        runtime = subprocess.run(
            ["gcc", "-print-file-name=libasan.so"], check=True, capture_output=True, text=True
        ).stdout.strip()
        env = os.environ | {"LD_PRELOAD": runtime, "ASAN_OPTIONS": "detect_leaks=0"}
        command = [sys.executable, __file__, "--built", folder]
        command += ["--iterations", str(args.iterations), "--seed", str(args.seed)]
        sys.exit(subprocess.run(command, env=env).returncode)


if __name__ == "__main__":
    main()
