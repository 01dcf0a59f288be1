# Two commands for a fresh clone (see README): `make run` and `make test`.
# Each sets up .venv on first use and is a no-op for set-up afterwards.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run quick check test test-all lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The main job: the 2030 reliability check, a year of hourly dispatch in a normal and an
# extreme-dry hydrology year and in the 2022/23 winter (2023's water on its observed reservoir
# path, a fuel-crisis winter), each printing its verdict and the causes of any shortfall, then
# 1,000 Monte Carlo sample years (weather, observed and class hydrology, fuel-crisis winters,
# unit outages, maintenance) with loss-of-load indices and their standard errors.
# The three years run at once, each in its own process (one per core), each as it runs alone.
run: $(STAMP)
	$(BIN)/gzgrid run runs/2030-target.yaml runs/2030-extreme-dry.yaml runs/2030-coal-shortfall.yaml
	$(BIN)/gzgrid adequacy runs/2030-target.yaml --samples 1000

# A first look, not the check: the normal 2030 year and 200 Monte Carlo years (about 2 minutes).
quick: $(STAMP)
	$(BIN)/gzgrid run runs/2030-target.yaml
	$(BIN)/gzgrid adequacy runs/2030-target.yaml --samples 200

# Check the bundled scenarios against the register and print capacities beside the plan.
check: $(STAMP)
	$(BIN)/gzgrid validate runs/2030-target.yaml runs/2030-dry.yaml runs/2030-extreme-dry.yaml \
		runs/2030-coal-shortfall.yaml runs/2025-baseline.yaml runs/history-20*.yaml

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
