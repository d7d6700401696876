# The two commands a new developer needs: `make run` and `make test`.
# Both create .venv on first use and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench mutants bundle clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/huddle

# lint-imports checks the layers written in pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check app tests
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo --no-cache

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

test: lint unit

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/round_times.py

# Mutation testing of the security core (tests/mutants/run.py): long, and not part
# of `make test`. Installs mutmut (the `mutants` extra) into .venv first.
MUTANTS_STAMP := $(VENV)/.mutants-installed
$(MUTANTS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,mutants]'
	touch $(MUTANTS_STAMP)

mutants: $(MUTANTS_STAMP)
	$(BIN)/python tests/mutants/run.py

# The desktop bundle, dist/huddle/huddle (installs PyInstaller first if needed).
bundle: $(STAMP)
	$(BIN)/python packaging/build_bundle.py

clean:
	rm -rf $(VENV) build dist *.egg-info
