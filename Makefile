# `make site` builds the archive into site/; `make test` runs every test; `make lint` runs ruff
# and mypy (settings in pyproject.toml). Each creates .venv and installs the pinned requirements
# first, so a fresh clone needs nothing but Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test lint check serve bench clean

site: $(VENV)/.runtime-installed
	$(BIN)/python build.py build --offline

check: $(VENV)/.runtime-installed
	$(BIN)/python build.py check

serve: $(VENV)/.runtime-installed
	$(BIN)/python build.py serve

# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	exit $$status

# Both tools run even when the first finds something, so that one run shows every finding.
# mypy checks the tests too, so it needs what they import (pytest, Playwright, Hypothesis): the test set-up.
lint: $(VENV)/.test-installed
	@status=0; \
	$(BIN)/python -m ruff check . || status=1; \
	$(BIN)/python -m mypy || status=1; \
	exit $$status

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt requirements-lint.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(VENV)/.runtime-installed $@

clean:
	rm -rf site site-offline .cache
