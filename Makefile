# `make site` builds the archive into site/; `make test` runs every test; `make lint` runs ruff
# and mypy (settings in pyproject.toml). Each creates .venv and installs the pinned requirements
# first, so a fresh clone needs nothing but Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FASTLOAD := $(VENV)/.fastload-tried

.PHONY: site test lint check serve bench clean

site: $(VENV)/.runtime-installed $(FASTLOAD)
	$(BIN)/python build.py build --offline

check: $(VENV)/.runtime-installed $(FASTLOAD)
	$(BIN)/python build.py check

serve: $(VENV)/.runtime-installed $(FASTLOAD)
	$(BIN)/python build.py serve

# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
test: $(VENV)/.test-installed $(FASTLOAD)
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

# archive/_fastload.c reads plain YAML files three times faster than Python does: a full build of 10,000
# incidents takes 9 to 12% less time (bench/yaml-reading-speed.md). It needs a C compiler and the headers of
# Python and libyaml (Debian: apt-get install gcc python3-dev libyaml-dev); where it cannot be compiled, files
# are read in Python, with the same results, and the next make tries again. load.py uses it only if it was
# compiled from archive/_fastload.c as it is (SOURCE_DIGEST).
$(FASTLOAD): archive/_fastload.c $(VENV)/.runtime-installed
	@rm -f $@ archive/_fastload.*so
	@include=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["include"])'); \
	suffix=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))'); \
	digest=$$($(BIN)/python -c 'from archive.load import c_source_digest; print(c_source_digest())'); \
	if $${CC:-cc} -O2 -Wall -shared -fPIC -I"$$include" -DSOURCE_DIGEST="\"$$digest\"" archive/_fastload.c \
	     -o "$(VENV)/_fastload$$suffix" -lyaml 2>$(VENV)/fastload.log \
	   && mv "$(VENV)/_fastload$$suffix" "archive/_fastload$$suffix" \
	   && $(BIN)/python -c 'from archive.load import _fastload; assert _fastload' 2>>$(VENV)/fastload.log; \
	then echo "Compiled archive/_fastload.c: YAML files are read in C"; touch $@; \
	else echo "archive/_fastload.c could not be compiled or used ($(VENV)/fastload.log says why): YAML files are read in Python, more slowly"; fi

clean:
	rm -rf site site-offline .cache
