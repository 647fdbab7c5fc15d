# What Works: `make run` to start it with demo data, `make test` to run every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
TEST_WORKERS ?= auto

.PHONY: run test bench lint install install-dev static migrate data clean

# Two pinned lists: what running needs (make run) and, on top, what testing and linting need.
$(VENV)/.installed-base: requirements/base.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

whatworks/ui/static/build/app.css: node_modules/.installed $(wildcard whatworks/ui/static_src/*) whatworks/ui/build_static.mjs
	npm run --silent build

install: $(VENV)/.installed-base node_modules/.installed

install-dev: install $(VENV)/.installed-dev

static: install whatworks/ui/static/build/app.css

migrate: install
	DEBUG=1 $(MANAGE) migrate --no-input -v 0

data: migrate
	DEBUG=1 $(MANAGE) load_local_authorities
	DEBUG=1 $(MANAGE) load_demo_data

# Starts the web server and the task consumer; Ctrl-C stops both.
run: static data
	@DEBUG=1 SITE_ADDRESS=http://$(HOST):$(PORT) $(MANAGE) print_demo_sign_ins
	@trap 'kill 0' INT TERM; \
	DEBUG=1 $(MANAGE) run_huey --quiet & \
	DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT) & \
	wait

# In parallel, one worker per core; each worker has its own test database and live server.
test: static install-dev
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: static install-dev
	@for b in bench/*.py; do \
	  case $$b in */_*) continue;; esac; \
	  $(PY) $$b || exit 1; \
	done

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy config whatworks
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) node_modules whatworks/ui/static/build
