# `make site` builds the archive into site/; `make test` runs every test.
# Both create .venv and install the pinned requirements first, so a fresh clone
# needs nothing but Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test check serve bench clean

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

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(VENV)/.runtime-installed $@

clean:
	rm -rf site site-offline .cache
