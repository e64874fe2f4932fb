# The README's commands. `make run` serves the site on an embedded default (SQLite, no Redis; a Celery
# worker on the filesystem broker renders reports: scripts/run.sh);
# `make test` runs every check the project has. Both install what they need first.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck pytest setup system-packages migrate demo clean

CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

$(STAMP): requirements.txt requirements-dev.txt
	scripts/system-packages.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) $(CATALOGUES)

# Compiled translation catalogues (gettext's msgfmt, from the system packages).
locale/%.mo: locale/%.po $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

system-packages:
	scripts/system-packages.sh

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_framework frameworks/*.yaml

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/run.sh

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

pytest: setup
	scripts/with-services.sh $(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
