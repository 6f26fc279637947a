# The two commands: `make run` starts the bot, `make test` runs every check.
# Both create the virtual environment and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MO := locales/el/LC_MESSAGES/messages.mo locales/en/LC_MESSAGES/messages.mo

.PHONY: run test test-postgres lint typecheck pytest translations messages bench clean

run: $(VENV)/.runtime translations
	$(PY) -m bot

test: $(VENV)/.test translations lint typecheck pytest test-postgres

lint: $(VENV)/.test
	$(BIN)/ruff check .

typecheck: $(VENV)/.test
	$(BIN)/mypy

pytest: $(VENV)/.test translations
	$(BIN)/pytest -q

translations: $(MO)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -D messages -d locales -l $*

# After changing texts: extract them and merge into the catalogs, then translate.
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o locales/messages.pot --no-location \
		--sort-output --width 100 --project=Rantevou --copyright-holder=Rantevou .
	$(BIN)/pybabel update -D messages -d locales -i locales/messages.pot --no-fuzzy-matching --width 100 \
		--ignore-obsolete
	$(PY) scripts/i18n_tools.py fill-english locales/en/LC_MESSAGES/messages.po

# The suite again on a throwaway PostgreSQL server, when its server binaries are installed.
# CI installs them and sets REQUIRE_POSTGRES=1, so that there the half is never skipped.
test-postgres: $(VENV)/.test translations
	@if scripts/with-postgres --available; then \
		echo "The suite on PostgreSQL:"; scripts/with-postgres $(BIN)/pytest -q; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL's server binaries are missing (apt-get install postgresql)." >&2; exit 1; \
	else \
		echo "PostgreSQL half skipped: no server binaries (apt-get install postgresql, then make test)."; \
	fi

bench: $(VENV)/.test translations
	$(PY) -m bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install --quiet -e ".[postgres,test]"
	touch $@

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(MO)
