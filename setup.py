"""The optional C reader of worksheet XML (``pmo_xl/_sheetxml.c``, see ``pmo_xl/native.py``).

Everything else is in ``pyproject.toml``. Without a C compiler (on Windows, the Visual C++
Build Tools) the install goes on without it, and pmo_xl reads every sheet with python-calamine:
the same values, a project workbook read in about twice the time.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pmo_xl._sheetxml", ["pmo_xl/_sheetxml.c"], optional=True)])
