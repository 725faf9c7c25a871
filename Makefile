# The two commands of README.md: `make run` (install everything, render the samples, serve) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export DOCGEN_HOST ?= 127.0.0.1
export DOCGEN_PORT ?= 8000

.PHONY: install system run samples test bench docx-templates

system:
	./scripts/install-system.sh

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

install: system $(VENV)/.installed

samples: install
	$(PY) scripts/render_samples.py

run: samples
	$(VENV)/bin/docgen serve

test: install
	$(VENV)/bin/pytest -q

bench: install
	$(PY) bench/bench.py

docx-templates: install
	$(PY) scripts/build_docx_templates.py
