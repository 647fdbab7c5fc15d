# What Works: `make run` to start it with demo data, `make test` to run every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test bench lint install static migrate data clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

whatworks/ui/static/build/app.css: node_modules/.installed $(wildcard whatworks/ui/static_src/*) whatworks/ui/build_static.mjs
	npm run --silent build

install: $(VENV)/.installed node_modules/.installed

static: install whatworks/ui/static/build/app.css

migrate: install
	DEBUG=1 $(MANAGE) migrate --no-input -v 0

data: migrate
	DEBUG=1 $(MANAGE) load_local_authorities
	DEBUG=1 $(MANAGE) load_demo_data

# Starts the web server and the task consumer; Ctrl-C stops both.
run: static data
	@DEBUG=1 $(MANAGE) print_demo_sign_ins
	@trap 'kill 0' INT TERM; \
	DEBUG=1 $(MANAGE) run_huey --quiet & \
	DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT) & \
	wait

test: static
	$(PY) -m pytest $(PYTEST_ARGS)

bench: static
	@for b in bench/*.py; do \
	  case $$b in */_*) continue;; esac; \
	  $(PY) $$b || exit 1; \
	done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy config whatworks

clean:
	rm -rf $(VENV) node_modules whatworks/ui/static/build
