# fieldcast: `make demo` runs the demo, `make test` runs every test; both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[build,test,parquet]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fieldcast demo

lint: $(STAMP)
	$(BIN)/ruff format --check engine sync desktop tests benchmarks
	$(BIN)/ruff check engine sync desktop tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# French (and later other) translations: collect the strings, keep what is translated,
# compile the catalogues the application loads.
translations: $(STAMP)
	$(BIN)/pyside6-lupdate desktop/*.py desktop/dialogs/*.py -ts resources/translations/fieldcast_fr.ts
	$(BIN)/pyside6-lrelease resources/translations/fieldcast_fr.ts -qm resources/translations/fieldcast_fr.qm
