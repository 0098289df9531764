# Insyn — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# HTML templates are indented by djhtml (`make format-templates`, pre-commit) and `make test` checks
# them. Plain-text e-mail templates are left alone: their indentation is what the reader sees.
TEMPLATES := $(shell find insyn -path '*/templates/*' -name '*.html' 2>/dev/null)

VNU_VERSION := 26.9.27

.PHONY: run test test-pg test-deploy dist test-e2e e2e-tools bench lint format-templates install \
	install-test browser oidc-provider \
	system-packages serve demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# eark-validator (the E-ARK reference validator, tests only) pins lxml==5.1.0, which has no wheel
# for Python 3.13: it is installed without its pins; pyproject's test extra lists what it needs.
EARK_VALIDATOR := eark-validator==1.1.3

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps $(EARK_VALIDATOR)
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test browser oidc-provider

# The real OpenID Provider the single sign-on tests start (tests/oidc: oidc-provider from the
# npm registry, pinned by its lock file), installed into ~/.cache/insyn/oidc-provider; without
# Node the tests say so and are skipped.
oidc-provider:
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
		scripts/oidc-provider install >/dev/null; \
	else echo "node/npm missing: the single sign-on tests (tests/oidc) will be skipped"; fi

# Debian packages, installed only when missing (see the script): Pango for WeasyPrint's PDFs and
# gettext at run time; for the tests also Debian's Chromium (a test tool's own browser download
# cannot work offline).
system-packages:
	@scripts/ensure-system-packages --runtime

browser:
	@scripts/ensure-system-packages

demo: install system-packages
	$(BIN)/insyn migrate --noinput
	$(BIN)/insyn load-demo

run: demo
	$(BIN)/insyn serve --port $(PORT) --workers 2

test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/djhtml --check $(TEMPLATES)
	$(BIN)/insyn makemigrations --check --dry-run
	$(BIN)/pytest -q

# The whole suite against PostgreSQL: DATABASE_URL if it names one, else 127.0.0.1:5432, else
# Debian's postgresql installed and started (scripts/ensure-postgres); with Redis as the cache
# when there is one or it can be started (scripts/ensure-redis), else without.
test-pg: install-test
	@url="$$(scripts/ensure-postgres)" && echo "PostgreSQL: $$url" && \
	redis="$$(scripts/ensure-redis || true)" && echo "Redis: $${redis:-none}" && \
	DATABASE_URL="$$url" REDIS_URL="$$redis" $(BIN)/pytest -q

# The deployment of docs/deployment.md for real (scripts/test-deploy): installer, PostgreSQL,
# Redis, two app processes behind nginx, a rolling restart under traffic, backup and restore.
test-deploy:
	@scripts/test-deploy

# The release artefacts from a clean copy of the committed tree (never a stale build/): the
# wheel that scripts/install installs, and the source archive of the same commit.
dist:
	@rm -rf build dist insyn.egg-info
	@version=$$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml) && tmp=$$(mktemp -d) && \
	git archive --format=tar --prefix=insyn-$$version/ HEAD | tar -xf - -C $$tmp && \
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist $$tmp/insyn-$$version && \
	git archive --format=tar.gz --prefix=insyn-$$version/ -o dist/insyn-$$version.tar.gz HEAD && \
	rm -rf $$tmp && ls dist

# Java and the Nu HTML Checker (npm package vnu-jar; its jar ships inside the package).
e2e-tools: install-test
	@scripts/ensure-system-packages --e2e
	@if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] && command -v npm >/dev/null; then \
	  npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --silent \
	    vnu-jar@$(VNU_VERSION) || echo "Could not install vnu-jar: its checks will skip." >&2; \
	fi

# End-to-end tests (tests/e2e, marker e2e) against a real `insyn serve`. No such tests yet is
# not an error (pytest exits 5 when it collects nothing).
test-e2e: e2e-tools
	@if [ ! -d tests/e2e ]; then echo "No end-to-end tests (tests/e2e) yet."; exit 0; fi; \
	$(BIN)/pytest -q -m e2e tests/e2e; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "No end-to-end tests were collected."; exit 0; fi; exit $$rc

# Benchmarks through `insyn serve` (bench/run.py); writes docs/benchmarks.md. BENCH_ARGS passes
# options, e.g. BENCH_ARGS="--only goal-page --duration 5".
bench: install-test
	@scripts/ensure-system-packages --bench
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/djhtml --check $(TEMPLATES)

# Indent every HTML template with djhtml (`make test` checks that none would change).
format-templates: install-test
	$(BIN)/djhtml $(TEMPLATES)

clean:
	rm -rf $(VENV) data staticfiles
