# pmo_xl — the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   ?= demo

.PHONY: demo test lint templates docs bench fuzz install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

dev: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'

## Build the demo portfolio, consolidate it and write the COPIL workbook (in ./demo).
demo: install
	$(BIN)/pmo-xl demo --out $(DEMO)

## Lint, type-check and run the whole test suite.
test: dev lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: dev
	$(BIN)/ruff check pmo_xl tests benchmarks
	$(BIN)/ruff format --check pmo_xl tests benchmarks
	$(BIN)/mypy

## Regenerate the committed workbook templates (same bytes every time).
templates: dev
	$(BIN)/pmo-xl init workbook_templates --force
	@git diff --quiet --exit-code workbook_templates 2>/dev/null || echo "workbook_templates/ changed: commit it"

## Regenerate docs/copil-demo.png (page 1 of the demo COPIL).
docs: dev
	$(BIN)/python -m pmo_xl.docs docs

## Benchmark: 30, 200 and 1,000 generated workbooks, against a naive openpyxl baseline.
bench: dev
	$(BIN)/python benchmarks/bench.py $(ARGS)

## Damage sheet XML at random and read it with the C reader under AddressSanitizer (gcc, Linux).
fuzz: dev
	$(BIN)/python tests/fuzz_sheetxml.py --iterations 100000

clean:
	rm -rf $(DEMO) .bench build *.egg-info pmo_xl/_sheetxml*.so
