# gosplan: `make demo` and `make test` work from a fresh clone (Python 3.11 + pip).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-run bench-sim bench-service lint venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev,bench,service]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/gosplan demo

test: $(STAMP)
	bash scripts/install-chromium.sh
	bash scripts/install-postgres.sh
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	bash scripts/install-postgres.sh
	$(BIN)/python benchmarks/service_bench.py

bench-run: $(STAMP)
	$(BIN)/python benchmarks/run_suite.py

# the simulation, re-planning and ensembles (issue 13): about 20 minutes, BoARIO's part the most
bench-sim: $(STAMP)
	$(BIN)/python benchmarks/run_sim_bench.py
	$(BIN)/python benchmarks/run_ensemble_bench.py
	$(BIN)/python benchmarks/run_replan_bench.py --products 2000 --repeats 3
	$(BIN)/python benchmarks/run_workforce_bench.py
	$(BIN)/python benchmarks/run_ario_bench.py

# the planning office under load: report submission, 20 users, SQLite and PostgreSQL (2 minutes)
bench-service: $(STAMP)
	bash scripts/install-postgres.sh
	$(BIN)/python benchmarks/service_bench.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info report test-artifacts
