# The two set-up commands of the README:
#   make demo   installs omov and runs the demo election you can click through
#   make test   installs omov with its test tools and runs every check (.ci/run calls this)
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python

.PHONY: install demo test system-packages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

system-packages:
	bash scripts/system-packages

demo: install
	$(VENV)/bin/omov demo

test: install system-packages
	VENV=$(VENV) bash scripts/test
