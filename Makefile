# Two commands for a newcomer: `make chat` to try it, `make test` to test it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make install EXTRAS=` installs what the bot needs to run, without the test and lint tools
EXTRAS ?= [dev]
# pytest in 4 processes (pytest-xdist): the tests mostly wait (the fake Bot API, subprocesses, timers), so on
# 2 cores 4 finish sooner than 2; `make test TEST_WORKERS=auto` takes one per core, `TEST_WORKERS=0` one process
TEST_WORKERS ?= 4

.PHONY: install models chat run test lint check bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(EXTRAS)'
	@touch $(STAMP)

# The language models under paths.models (data/models), built before anyone types; quick when current.
install: $(STAMP) models

models: $(STAMP)
	$(BIN)/aliat models

chat: install
	$(BIN)/aliat chat

run: install
	$(BIN)/aliat run

check: $(STAMP)
	$(BIN)/aliat check

lint: $(STAMP)
	$(BIN)/ruff check bot actions tests bench fake_telegram

test: install
	$(BIN)/ruff check bot actions tests bench fake_telegram
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/aliat check
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/*.db
