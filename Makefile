# The two set-up commands of the README. Each installs what it needs, then runs.
PYTHON ?= python3
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore

.PHONY: demo test install install-test lint typecheck pytest schemas

## make demo: install Envyard and run its main job on embedded defaults (SQLite, local backend)
demo: install
	$(PYTHON) -m envyard demo

## make test: install everything the tests need (apt packages too) and run the whole suite
test: install-test
	$(MAKE) --no-print-directory lint typecheck pytest

install:
	$(PIP) -e .

install-test:
	bash scripts/install-test-deps.sh
	$(PIP) -e '.[test]'

LINT_PATHS := $(wildcard src tests benchmarks)

lint:
	$(PYTHON) -m ruff check $(LINT_PATHS)
	$(PYTHON) -m ruff format --check $(LINT_PATHS)

typecheck:
	$(PYTHON) -m mypy src

pytest:
	$(PYTHON) -m pytest -n 2 --dist loadgroup

## make schemas: regenerate the committed JSON Schemas under schemas/ and docs/specs.md
schemas:
	$(PYTHON) -m envyard schema --all --out schemas
	$(PYTHON) -m envyard schema --markdown > docs/specs.md
