# `make` lists the targets. `make run` starts the demo site and worker (`make run
# ADDRESS=0.0.0.0:8000` to serve elsewhere); `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
ADDRESS := 127.0.0.1:8000
# Test processes of `make test`: one per CPU core (pytest-xdist's `auto`), each with a
# database of its own; TEST_PROCESSES=1 runs the suite in this one process.
TEST_PROCESSES ?= auto
# More pytest arguments, e.g. `make test ARGS="recruiting -x"` or ARGS=--durations=20.
ARGS ?=

# Variables in a local .env (see .env.example) reach every command below.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env)
endif

.DEFAULT_GOAL := help
.PHONY: help run test lint

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z]+:.*## / {printf "  make %-5s %s\n", $$1, $$2}' $(firstword $(MAKEFILE_LIST))

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# Links in emails and the sitemap point at the address served, unless SITE_URL is set.
run: export SITE_URL ?= http://$(ADDRESS)
run: $(VENV)/.installed-run ## start the demo site and its worker on 127.0.0.1:8000 (ADDRESS=...; Ctrl-C stops both)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup
	$(PY) manage.py seed_demo
	@echo "Site:  $(SITE_URL)/    Admin: $(SITE_URL)/admin/    (Ctrl-C stops both)"
	exec $(PY) manage.py devserver $(ADDRESS)

# Each test file runs whole in one process, so a module's shared fixtures are built once.
test: $(VENV)/.installed-dev ## run every test, in parallel (TEST_PROCESSES=1: in one process)
	$(PY) -m pytest $(if $(filter 1,$(TEST_PROCESSES)),,--numprocesses $(TEST_PROCESSES) --dist loadfile) $(ARGS)

lint: $(VENV)/.installed-dev ## check and format-check the code with ruff, as CI does
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
