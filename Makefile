# The two commands of the README: `make run` starts the app, `make test` runs every check.
# Both make their own virtual environment in .venv; `make test` also installs Debian's chromium, postgresql and
# nginx if they are missing. `make scale` runs class mode scaled out: nginx in front of REPLICAS app processes
# sharing PostgreSQL (deploy/).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
REPLICAS ?= 2

.PHONY: run test lint bench clean scale

run: $(VENV)/.app
	$(BIN)/python -m ui.server --server.port $(PORT)

test: $(VENV)/.dev chromium postgresql nginx
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

scale: $(VENV)/.app postgresql nginx
	$(BIN)/python -m deploy.scale --replicas $(REPLICAS) --port $(PORT)

bench: $(VENV)/.dev chromium
	$(BIN)/python benchmarks/engine.py

$(VENV)/.app: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.app

.PHONY: postgresql
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql for the class store's tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

.PHONY: nginx
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		echo "Installing Debian's nginx for the scale-out test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

.PHONY: chromium
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
