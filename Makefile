# Pathways: the two commands in the README, and the steps they share.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run serve test lint typecheck security install browser-deps clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The demo signs in with a password alone (MFA_REQUIRED=false); nowhere else is MFA off.
run: export MFA_REQUIRED ?= false
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo
	@echo "Pathways is at http://127.0.0.1:$(PORT)/ (sign in with a demo user above)"
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production stack on this machine: web (gunicorn), worker (RQ) and scheduler, on
# PostgreSQL and Redis (DATABASE_URL, REDIS_URL, PORT override); needs SECRET_KEY, refuses
# DEBUG; Ctrl-C stops all three (scripts/serve.py, docs/operations.md).
serve: $(STAMP)
	PORT=$(PORT) $(BIN)/python scripts/serve.py

# The suite runs in parallel, one worker per core (pytest-xdist; PYTEST_WORKERS overrides);
# the benches' smoke runs share one worker, as they build databases of their own.
PYTEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Known vulnerabilities in the pinned dependencies (skipped, saying why, where PyPI's
# vulnerability data cannot be reached), then bandit: any high-severity finding fails.
security: $(STAMP)
	$(BIN)/python scripts/pip_audit.py
	$(BIN)/bandit -q -r pathways config -lll

# Browser tests need Debian's Chromium and the axe-core npm package (no browser download).
browser-deps:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
	test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
