# Two commands on a fresh machine (only Python 3.11+, make and apt needed):
#   make run    create .venv, install, build the graph of seeds/ into build/
#   make test   the same set-up, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install system-test-deps run test validate score clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/kg build seeds/ --out build/
	$(BIN)/kg validate build/

# Chromium for the browser tests, from Debian (never `playwright install`)
system-test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install system-test-deps
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q --nbmake notebooks/

# Score the built graph against the hand-annotated seed facts (a copy of the evaluation in tests/fixtures).
score: run
	$(BIN)/python tests/fixtures/score.py build/kg.ttl --gold tests/fixtures/gold --verbose

clean:
	rm -rf build $(VENV)
