# `make run` starts the demo site and worker (`make run ADDRESS=0.0.0.0:8000` to serve
# elsewhere); `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
ADDRESS := 127.0.0.1:8000

# Variables in a local .env (see .env.example) reach every command below.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env)
endif

.PHONY: run test lint

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
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup
	$(PY) manage.py seed_demo
	@echo "Site:  $(SITE_URL)/    Admin: $(SITE_URL)/admin/    (Ctrl-C stops both)"
	exec $(PY) manage.py devserver $(ADDRESS)

test: $(VENV)/.installed-dev
	$(PY) -m pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
