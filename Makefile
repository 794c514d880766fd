# Shortcuts for the scripts in scripts/ (which work without make: see README.md).
.PHONY: setup run test lint bench clean

VENV_BIN := .venv/bin

setup:
	bash scripts/setup.sh

run: setup
	$(VENV_BIN)/journal-desktop

test:
	bash scripts/test.sh

lint: setup
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/mypy

bench: setup
	$(VENV_BIN)/python -m benchmarks

# Removes the virtualenv and everything the tools generate; `make setup` rebuilds it.
clean:
	rm -rf .venv build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
