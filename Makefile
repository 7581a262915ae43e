# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   trains the MLP on scikit-learn's bundled digits (no download) and writes runs/mlp_digits/
#   make test   runs the test suite
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $(STAMP)

.PHONY: setup demo test test-fast bench
setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/jaxzoo run mlp_digits

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n 2 --durations=15

test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n 2 -m "not slow"
