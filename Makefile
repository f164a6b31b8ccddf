# Guichet: two commands a newcomer needs, `make demo` and `make test`. Everything they need is
# installed from this file (Debian packages, a virtualenv from pyproject.toml, a local PostGIS).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PGPORT ?= 5544
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help system-deps system-deps-browser system-deps-bench venv db db-stop migrate js glyphs static demo-data demo serve test bench lint messages icons bench-lighthouse clean

help:
	@echo "make demo   install what is missing, start PostGIS, load Pincourt, serve http://$(HOST):$(PORT)"
	@echo "make test   the whole test suite (browser tests included)"
	@echo "make bench  benchmarks, written to bench/RESULTS.md"

system-deps:
	@bash scripts/system_deps.sh

system-deps-browser:
	@bash scripts/system_deps.sh --browser

system-deps-bench:
	@bash scripts/system_deps.sh --bench

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

db: system-deps
	@bash scripts/db.sh start

db-stop:
	@bash scripts/db.sh stop

# createcachetable: the table of the default cache (CACHE_URL=dbcache://...); a no-op otherwise.
migrate: venv db
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable

# The browser libraries from the npm registry (package.json, pinned by package-lock.json): the
# basemap's MapLibre GL and its Leaflet binding, copied where Django serves them,
# $(VENDOR) (git-ignored: built here, never edited).
VENDOR := map_ui/static/map_ui/vendor
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || bash scripts/system_deps.sh
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

$(VENDOR)/leaflet-maplibre-gl.js: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/maplibre-gl/dist/maplibre-gl-csp.js node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js \
	  node_modules/maplibre-gl/dist/maplibre-gl.css $(VENDOR)/
	cp node_modules/maplibre-gl/LICENSE.txt $(VENDOR)/maplibre-gl.LICENSE.txt
	cp node_modules/@maplibre/maplibre-gl-leaflet/LICENSE $(VENDOR)/leaflet-maplibre-gl.LICENSE.txt
	cp node_modules/@maplibre/maplibre-gl-leaflet/leaflet-maplibre-gl.js $(VENDOR)/

js: $(VENDOR)/leaflet-maplibre-gl.js

# The basemap's glyphs (committed, map_ui/static/map_ui/glyphs/): regenerate them from the npm
# package of their font (scripts/make_glyphs.py says how).
glyphs: node_modules/.installed venv
	$(PY) scripts/make_glyphs.py

static: venv js
	$(PY) manage.py collectstatic --noinput -v 0

demo-data: migrate static
	$(PY) manage.py load_demo

serve:
	$(PY) manage.py runserver $(HOST):$(PORT)

demo: demo-data
	@echo "Guichet (Pincourt demo) at http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Then the spatial and request tests again in another storage CRS (UTM 18N, which covers the demo
# town), in a database of their own: a hard-coded SRID cannot come back (issue 12).
SRID_CHECK ?= 32618
SRID_DATABASE_URL ?= postgis://postgres@127.0.0.1:$(PGPORT)/guichet_srid

test: system-deps-browser venv db static
	$(PY) -m pytest $(PYTEST_ARGS)
	GUICHET_SRID=$(SRID_CHECK) DATABASE_URL=$(SRID_DATABASE_URL) $(PY) -m pytest -q -p no:cacheprovider \
	  tests/test_srid.py tests/service_requests tests/geo tests/properties tests/collections_schedule \
	  tests/leisure

bench: system-deps-bench venv db
	$(PY) bench/run.py $(BENCH_ARGS)

# Lighthouse on the demo's main pages (bench/lighthouse.py); npm installs it into bench/.
bench-lighthouse: system-deps-browser venv db
	cd bench && npm install --no-audit --no-fund --loglevel=error
	$(PY) bench/lighthouse.py

lint: venv
	$(VENV)/bin/ruff check .

# The app's PNG icons (core/static/core/icons/), drawn from icon.svg by Debian's Chromium; the
# PNGs are committed: run this after changing the SVG.
icons: system-deps-browser venv
	$(PY) scripts/make_icons.py

# New strings: extract them into locale/fr/LC_MESSAGES/django.po, translate the empty msgstr
# there, compile (the .mo is committed, so a deployment needs no gettext).
messages: venv system-deps
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=data
	$(PY) manage.py compilemessages -l fr --ignore=.venv

clean: db-stop
	rm -rf .pgdata $(VENV) .pytest_cache
