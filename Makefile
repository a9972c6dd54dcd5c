# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# two workers, one test file each at a time (what CI runs; the suite is CPU-bound: more is slower)
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test install install-test db seed bench bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

## make run: set everything up and open the dashboard on the demo database (PORT=8501)
run: $(STAMP)
	$(BIN)/dangong db upgrade
	$(BIN)/dangong seed demo --if-empty
	$(BIN)/streamlit run dashboard/ui/server.py --server.port $(PORT)

## make test: install the test extra and run the whole suite
test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: performance benchmarks (see docs/performance.md)
bench: $(TEST_STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.followup
	$(BIN)/python -m bench.browser

## make bench-load: many viewers at once on the 1M database (N = 1, 10, 20, 50; PostgreSQL too with
## DANGONG_LOAD_PG_URL set; see docs/performance.md)
bench-load: $(TEST_STAMP)
	$(BIN)/python -m bench.load --db $(if $(DANGONG_LOAD_PG_URL),both,sqlite)

clean:
	rm -rf $(VENV) build *.egg-info
