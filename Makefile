# The two commands of the README: `make demo` (the platform's main job) and `make test` (the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo up test test-faults test-unit lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	bash deploy/local/ensure-services.sh rabbitmq
	$(BIN)/bilum demo --serve

up: $(VENV)/.installed
	bash deploy/local/ensure-services.sh rabbitmq
	$(BIN)/bilum up

test: lint
	bash deploy/local/ensure-tools.sh promtool openssl chromium kannel axe-core
	bash deploy/local/ensure-services.sh rabbitmq postgresql
	$(BIN)/python -m pytest

test-faults: $(VENV)/.installed
	bash deploy/local/ensure-services.sh rabbitmq postgresql
	$(BIN)/python -m pytest -m faults tests/faults

test-unit: $(VENV)/.installed
	$(BIN)/python -m pytest tests/unit tests/usecases tests/test_architecture.py

# Lint and format (ruff) and types (mypy on shared/ and every domain), configured in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# After changing a text people read: extract the texts from the code into one template per gettext domain
# (shared/locale/<domain>.pot), merge them into each language's .po, then translate the new entries
# (tests/unit/test_translations.py fails on any left untranslated or fuzzy). Domains: catalogue, the words of the
# catalogues a buyer reads; bilum, what Bilum says to people (the notification service's messages and the web
# pages' texts), both read as babel.cfg says.
EXTRACT_MESSAGES = $(BIN)/pybabel extract -F babel.cfg -k words -k plural:1,2 -k NC_:1c,2 -c Translators: \
	--no-location --sort-output --project Bilum --copyright-holder "Bilum"

messages: $(VENV)/.installed
	$(EXTRACT_MESSAGES) -o shared/locale/catalogue.pot services/catalogue
	$(EXTRACT_MESSAGES) -o shared/locale/bilum.pot services/notification services/gateway shared/zones.py
	$(BIN)/pybabel update -D catalogue -d shared/locale -i shared/locale/catalogue.pot --no-wrap --ignore-obsolete
	$(BIN)/pybabel update -D bilum -d shared/locale -i shared/locale/bilum.pot --no-wrap --ignore-obsolete

clean:
	rm -rf $(VENV) var
