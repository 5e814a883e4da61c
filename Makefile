# Two commands matter: `make demo` and `make test`. Both create .venv on first use, and install
# from the lock files in requirements/ (exact versions, with hashes), so that a run today and a
# run in a year meet the same packages. `make lock` writes them anew from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := letters/CL-21/27.yaml
FORMATS := md txt docx pdf html
UV := $(BIN)/uv
COMPILE = $(UV) pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet

.PHONY: demo test lint types bench lock test-newest test-lowest clean

$(VENV)/.installed: pyproject.toml requirements/run.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements/test.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.txt
	touch $@

demo: $(VENV)/.installed
	@for fmt in $(FORMATS); do $(BIN)/circulaire render $(DEMO) -f $$fmt -o out/ || exit 1; done
	@echo "Rendered $(DEMO) into out/ in every format: $(FORMATS)"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(VENV)/.test-installed
	$(BIN)/mypy

test: lint types
	$(BIN)/python -m pytest

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run.py

# The lock files, from pyproject.toml: the newest versions its ranges allow, for Python 3.11+.
lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv
	$(COMPILE) --upgrade -o requirements/run.txt
	$(COMPILE) --upgrade --extra test --extra chinese -o requirements/test.txt

# The suite against the ends of the declared ranges, each in a venv of its own (CI runs both):
# the newest versions the registry serves, and the lowest that pyproject.toml allows.
test-newest test-lowest: test-%:
	rm -rf .venv-$*
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet uv
	.venv-$*/bin/uv pip install --quiet --python .venv-$*/bin/python \
		--resolution $(if $(filter lowest,$*),lowest-direct,highest) -e '.[test,chinese]'
	.venv-$*/bin/uv pip list --python .venv-$*/bin/python
	.venv-$*/bin/python -m pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) .venv-newest .venv-lowest out dist build .pytest_cache .mypy_cache .ruff_cache
