# The two commands of the README: `make run` (training mode) and `make test`.
# Both install what is missing first (system packages, venv), and are fast the second time.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test test-loaded setup lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/bootstrap.sh
	PYTHON=$(PYTHON) bash scripts/bootstrap.sh
	touch $(STAMP)

run: setup
	bash scripts/run-training.sh

test: setup
	bash scripts/run-tests.sh $(PYTEST_ARGS)

# The whole suite with every core busy, three times in a row (timing-dependent tests fail).
test-loaded: setup
	bash scripts/run-tests-loaded.sh $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check ins_tui tests bench

bench: setup
	bash scripts/run-bench.sh

clean:
	rm -rf $(VENV) .cache .pytest_cache
