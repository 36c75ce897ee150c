"""Open a workbook in headless LibreOffice, list its Basic modules and click its buttons.

Run by the system Python (it needs LibreOffice's ``uno`` module), not by the project's venv:

    /usr/bin/python3 tests/lo_run_buttons.py BOOK.xlsm CALLS.txt PROFILE_DIR

A stand-in ``RunPython`` (the xlwings add-in is not there) appends each command it receives to
CALLS.txt; then each button's bound macro runs, as a click would run it. Prints one JSON object:
``{"libraries": {lib: [modules]}, "buttons": [[sheet, caption, script_url], ...]}``.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

ALWAYS_EXECUTE_NO_WARN = 4  # com.sun.star.document.MacroExecMode

STUB = """Option VBASupport 1
Public Function RunPython(PythonCommand As String)
    Dim f As Integer
    f = FreeFile
    Open "{calls}" For Append As #f
    Print #f, PythonCommand
    Close #f
End Function
"""


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, timeout_s: float = 60.0) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main(book: Path, calls: Path, profile: Path) -> None:
    pipe = "pmoxl_" + uuid.uuid4().hex[:12]
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        ctx = connect(pipe)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            book.resolve().as_uri(),
            "_blank",
            0,
            (prop("Hidden", True), prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN)),
        )
        libraries = {}
        for name in doc.BasicLibraries.getElementNames():
            doc.BasicLibraries.loadLibrary(name)
            libraries[name] = list(doc.BasicLibraries.getByName(name).getElementNames())
        buttons = []
        for sheet in doc.Sheets:
            forms = sheet.DrawPage.Forms
            for f in range(forms.getCount()):
                form = forms.getByIndex(f)
                for c in range(form.getCount()):
                    for event in form.getScriptEvents(c):
                        buttons.append([sheet.Name, form.getByIndex(c).Label, event.ScriptCode])
        doc.BasicLibraries.getByName("VBAProject").insertByName(
            "RunPythonStub", STUB.format(calls=str(calls))
        )
        provider = doc.getScriptProvider()
        for _, _, url in buttons:
            provider.getScript(url).invoke((), (), ())
        doc.close(True)
        print(json.dumps({"libraries": libraries, "buttons": buttons}))
        with contextlib.suppress(Exception):  # the bridge drops as LibreOffice quits
            desktop.terminate()
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
