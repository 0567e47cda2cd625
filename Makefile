# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint browser axe plotly-bundle clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

## Start the dashboard on http://127.0.0.1:8050 with the bundled sample data.
run: $(VENV)/.installed
	DECARB_DEMO_ACCOUNTS=1 $(BIN)/python app.py

## Debian's chromium and chromium-driver, for the browser tests; nginx and openssl, for the test of the
## deployment's reverse proxy (docs/deployment.md); Pango and DejaVu fonts (with ŵ and ŷ), which WeasyPrint
## needs to write the report pack's PDF; PostgreSQL, whose initdb and pg_ctl the store's tests run a throwaway
## cluster with (tests/postgres.py; Debian's are in /usr/lib/postgresql/<N>/bin).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
		|| ! { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || ! command -v openssl >/dev/null \
		|| ! ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || ! [ -d /usr/share/fonts/truetype/dejavu ] \
		|| ! { command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver nginx openssl \
			libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql; \
	fi

## axe-core, from the npm registry, for the accessibility checks in the browser tests.
AXE := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	mkdir -p .cache/axe
	npm install --prefix .cache/axe --no-save --no-audit --no-fund --loglevel=error axe-core@4

## Fetch again, with npm, the plotly.js partial bundle the charts use (vendored in decarb_dashboard/web/vendor/,
## so that `make run` needs no npm): the version pinned in decarb_dashboard/web/plotly_bundle.py, or PLOTLY_JS=x.y.z.
plotly-bundle: $(VENV)/.installed
	$(BIN)/python -c 'import sys; from decarb_dashboard.web import plotly_bundle; sys.exit(plotly_bundle.main(sys.argv[1:]))' \
		$(PLOTLY_JS)

## Set up and run the whole test suite (ruff included).
test: $(VENV)/.installed-test browser $(AXE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup --headless --durations=25

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
