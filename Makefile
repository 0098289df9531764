# Insyn — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test test-pg test-e2e bench lint install install-test browser serve demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test browser

# Browser tests need Debian's Chromium (a test tool's own browser download cannot work offline).
browser:
	@scripts/ensure-chromium

demo: install
	$(BIN)/insyn migrate --noinput
	$(BIN)/insyn load-demo

run: demo
	$(BIN)/insyn serve --port $(PORT) --workers 2

test: install-test
	$(BIN)/ruff check .
	$(BIN)/insyn makemigrations --check --dry-run
	$(BIN)/pytest -q

test-pg: install-test
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/insyn}" $(BIN)/pytest -q

bench: install-test
	$(BIN)/python bench/run.py

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data staticfiles
