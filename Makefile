# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_CASE := corpora/demo

.PHONY: demo test serve install install-dev lint accuracy golden clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(DEMO_CASE)/packet.pdf: $(wildcard $(DEMO_CASE)/src/*.txt) corpora/demo/make_demo.py | $(VENV)/.installed
	$(PY) corpora/demo/make_demo.py

demo: $(VENV)/.installed $(DEMO_CASE)/packet.pdf
	$(VENV)/bin/chartsift review $(DEMO_CASE) --text

serve: $(VENV)/.installed-dev $(DEMO_CASE)/packet.pdf
	$(VENV)/bin/chartsift serve --demo --data-dir chartsift-data

test: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

# Rewrite the golden reviews (tests/golden/) after a change that means to change output; review the diff.
golden: $(VENV)/.installed-dev
	$(PY) tests/golden_reviews.py

accuracy: $(VENV)/.installed-dev
	$(PY) benchmarks/readme_accuracy.py

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check chartsift extractor evaluator models tests tools
	$(VENV)/bin/mypy models evaluator

clean:
	rm -rf $(VENV) build *.egg-info
